package cloudtrail

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// IntegritySourcetype is the sourcetype of integrity verdicts.
const IntegritySourcetype = "aws:cloudtrail:integrity"

// maxDigestBytes bounds a digest read into memory (they are a few KB).
const maxDigestBytes = 64 << 20

// hashVersion keys, in the checkpoint store, the SHA-256 of a log file by
// bucket and key alone: a digest names log files without their ETag.
const hashVersion = "\x00sha256"

// publicKeys hands out one key source per region (CloudTrail's signing
// keys are per region), sharing what each has fetched.
type publicKeys struct {
	api  integrity.PublicKeyLister
	mu   sync.Mutex
	byRg map[string]*integrity.APIKeys
}

func (p *publicKeys) forRegion(region string) *integrity.APIKeys {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byRg == nil {
		p.byRg = map[string]*integrity.APIKeys{}
	}
	k, ok := p.byRg[region]
	if !ok {
		k = &integrity.APIKeys{API: regionLister{p.api, region}}
		p.byRg[region] = k
	}
	return k
}

// regionLister calls ListPublicKeys in one region.
type regionLister struct {
	api    integrity.PublicKeyLister
	region string
}

func (r regionLister) ListPublicKeys(ctx context.Context, in *cloudtrail.ListPublicKeysInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.ListPublicKeysOutput, error) {
	return r.api.ListPublicKeys(ctx, in, append(opts, func(o *cloudtrail.Options) { o.Region = r.region })...)
}

// rememberHash records a log file's SHA-256 for the digest that will list
// it.
func (in *Input) rememberHash(id checkpoint.ObjectID, records int64, sum []byte) error {
	return in.deps.Checkpoints.Done(checkpoint.ObjectID{Bucket: id.Bucket, Key: id.Key, Version: hashVersion}, records, sum)
}

func (in *Input) ingestedHash(bucket, key string) ([]byte, bool) {
	st, ok := in.deps.Checkpoints.Get(checkpoint.ObjectID{Bucket: bucket, Key: key, Version: hashVersion})
	return st.SHA256, ok && len(st.SHA256) > 0
}

// verifyDigest checks a digest that arrived on the queue and writes its
// verdict as aws:cloudtrail:integrity events: one for the digest, one per
// problem (signature, location, a log file modified or never ingested).
func (in *Input) verifyDigest(ctx context.Context, obj message.Object, key message.Key, log interface{ Warn(string, ...any) }) *objectError {
	source := "s3://" + obj.Bucket + "/" + obj.Key
	out, err := in.getObject(ctx, obj)
	if err != nil {
		class := classify(err)
		if class == gone {
			return nil
		}
		return &objectError{class: class, err: explain(err, "s3:GetObject", "arn:aws:s3:::"+obj.Bucket+"/"+obj.Key)}
	}
	defer out.Body.Close()
	id := checkpoint.ObjectID{Bucket: obj.Bucket, Key: obj.Key, Version: objectVersion(out, obj)}
	if st, ok := in.deps.Checkpoints.Get(id); ok && st.Done {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(out.Body, maxDigestBytes))
	if err != nil {
		return &objectError{class: transient, err: fmt.Errorf("%s: %w", source, err)}
	}
	res, err := integrity.VerifyDigest(ctx, integrity.Request{Bucket: obj.Bucket, Key: obj.Key, Body: body,
		Metadata: integrity.MetadataFrom(out.Metadata), Backfill: key.Backfill}, in.keys.forRegion(key.Region))
	if err != nil {
		log.Warn("verifying a digest failed; will retry", "err", explain(err, "cloudtrail:ListPublicKeys", "the trail's region"))
		return &objectError{class: transient, err: err}
	}
	valid, total := 0, 0
	var found []integrity.Problem // beyond the digest's own: its chain and its log files
	if res.Valid() {
		chain, err := in.checkPrevious(ctx, res.Digest, key, source)
		if err != nil {
			log.Warn("checking the previous digest failed; will retry", "err", err)
			return &objectError{class: transient, err: err}
		}
		var logs []integrity.Problem
		total = len(res.Digest.LogFiles)
		valid, logs = integrity.CompareLogFiles(res.Digest, in.ingestedHash)
		found = append(chain, logs...)
	}
	var events []modinput.Event
	for _, v := range IntegrityVerdicts(source, key, res, found, valid, total) {
		data, _ := json.Marshal(v.Fields)
		events = append(events, modinput.Event{Time: v.Time, Host: in.cfg.Host, Index: in.cfg.Index, Source: source,
			Sourcetype: IntegritySourcetype, Data: data})
	}
	if err := in.deps.Events.Write(ctx, events...); err != nil {
		return &objectError{class: transient, err: err}
	}
	if err := in.deps.Events.Sync(ctx); err != nil {
		return &objectError{class: transient, err: err}
	}
	if err := in.deps.Checkpoints.Done(id, int64(len(events)), nil); err != nil {
		return &objectError{class: transient, err: err}
	}
	return nil
}

// checkPrevious follows the chain one link back: the previous digest must
// exist and still be what the newer digest signed over (its signature is
// the newer one's previousDigestSignature), else the chain is broken.
func (in *Input) checkPrevious(ctx context.Context, d *integrity.Digest, key message.Key, source string) ([]integrity.Problem, error) {
	if d.Starting() {
		return nil, nil
	}
	prev := message.Object{Bucket: d.PreviousBucket, Key: d.PreviousObject}
	prevURL := "s3://" + prev.Bucket + "/" + prev.Key
	out, err := in.getObject(ctx, prev)
	if err != nil {
		if classify(err) == gone {
			return []integrity.Problem{{Kind: integrity.DigestNotFound, URL: prevURL, Digest: source,
				Detail: "the previous digest named by " + source + " is not in S3: deleted or moved (chain broken)"}}, nil
		}
		return nil, explain(err, "s3:GetObject", "arn:aws:s3:::"+prev.Bucket+"/"+prev.Key)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxDigestBytes))
	if err != nil {
		return nil, err
	}
	prevKey := message.ClassifyKey(prev.Key)
	res, err := integrity.VerifyDigest(ctx, integrity.Request{Bucket: prev.Bucket, Key: prev.Key, Body: body,
		Signature: d.PreviousSignature, Backfill: prevKey.Backfill}, in.keys.forRegion(key.Region))
	if err != nil {
		return nil, err
	}
	if !res.Valid() {
		return []integrity.Problem{{Kind: integrity.DigestSignature, URL: prevURL, Digest: source,
			Detail: "the previous digest no longer matches the signature " + source + " recorded for it (chain broken)"}}, nil
	}
	return nil, nil
}

// Verdict is one aws:cloudtrail:integrity event.
type Verdict struct {
	Time   time.Time
	Fields map[string]any
}

// IntegrityVerdicts are the events of one digest: a summary (valid,
// counts), then one per problem of the digest itself (res) or found beyond
// it (its chain, its log files from CompareLogFiles).
func IntegrityVerdicts(source string, key message.Key, res integrity.Result, found []integrity.Problem, valid, total int) []Verdict {
	problems := append(append([]integrity.Problem(nil), res.Problems...), found...)
	at := time.Now()
	summary := map[string]any{"digest": source, "valid": len(problems) == 0, "signature_valid": res.Valid(),
		"log_files": total, "log_files_valid": valid, "problems": len(problems), "account_id": key.AccountID, "region": key.Region}
	if d := res.Digest; d != nil {
		at = d.EndTime
		summary["digest_start_time"], summary["digest_end_time"] = d.StartTime, d.EndTime
	}
	out := []Verdict{{Time: at, Fields: summary}}
	for _, p := range problems {
		out = append(out, Verdict{Time: at, Fields: map[string]any{"digest": source, "problem": p.Kind, "url": p.URL,
			"detail": p.Detail, "account_id": key.AccountID, "region": key.Region, "line": p.Line()}})
	}
	return out
}
