package cloudtrail

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/records"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

const (
	// eventBatch is how many events are written, flushed and checkpointed
	// at a time: a crash re-emits at most this many events of an object.
	eventBatch = 256
	// finalSyncTimeout bounds the last Sync of an object interrupted by the
	// stop; without it the object's progress is not recorded and its
	// flushed events would come again.
	finalSyncTimeout = 2 * time.Second
)

// work runs object tasks until tasks is closed. ctx is the input's context
// (cancelled by the stop); work is cancelled right after receiving stops.
func (in *Input) work(_ context.Context, work context.Context) {
	for t := range in.tasks {
		if work.Err() != nil {
			in.finish(t.msg, &objectError{class: transient, err: work.Err()})
			continue
		}
		if err := in.limit.acquire(work); err != nil {
			in.finish(t.msg, &objectError{class: transient, err: err})
			continue
		}
		oe := in.ingestObject(work, t.obj, t.msg.id)
		in.limit.release()
		in.finish(t.msg, oe)
	}
}

// ingestObject reads one S3 object and writes its records as events. It
// returns nil when the object is done (ingested now or before, gone, or
// not a log file).
func (in *Input) ingestObject(ctx context.Context, obj message.Object, msgID string) *objectError {
	source := "s3://" + obj.Bucket + "/" + obj.Key
	log := in.log.With("message_id", msgID, "object", source)
	key := message.ClassifyKey(obj.Key)
	switch key.Kind {
	case message.Digest:
		in.metrics.Digests.Add(1)
		if in.cfg.ValidateIntegrity {
			return in.verifyDigest(ctx, obj, key, log)
		}
		log.Debug("digest file: not split into events (validate_integrity = 0)")
		return nil
	case message.Other:
		in.metrics.SkippedObjects.Add(1)
		log.Debug("not a CloudTrail log file: skipped")
		return nil
	}
	requested := time.Now() // S3's latency is part of producing the first batch
	out, err := in.getObject(ctx, obj)
	if err != nil {
		class := classify(err)
		if class == gone {
			log.Warn("the object no longer exists; counted as done", "err", err)
			return nil
		}
		if ctx.Err() != nil {
			return &objectError{class: transient, err: ctx.Err()}
		}
		in.metrics.countError(class.String())
		err = explain(err, "s3:GetObject", "arn:aws:s3:::"+obj.Bucket+"/"+obj.Key)
		logAt(log, class, "reading the object failed", err)
		return &objectError{class: class, err: err}
	}
	defer out.Body.Close()
	id := checkpoint.ObjectID{Bucket: obj.Bucket, Key: obj.Key, Version: objectVersion(out, obj)}
	state, seen := in.deps.Checkpoints.Get(id)
	if seen && state.Done {
		in.metrics.DuplicateObjects.Add(1)
		log.Debug("already ingested: skipped")
		return nil
	}
	sourcetype := in.cfg.Sourcetype
	if key.Kind == message.Insight {
		sourcetype = InsightSourcetype
	}
	w := objectWriter{in: in, ctx: ctx, id: id, source: source, sourcetype: sourcetype, skip: state.Records, producing: requested}
	var sum hash.Hash
	if in.cfg.ValidateIntegrity {
		sum = sha256.New()
	}
	body := &countingReader{r: out.Body}
	stats, splitErr := records.Split(body, records.Options{Hash: sum}, w.record)
	in.metrics.Bytes.Add(body.n)
	if err := w.flush(); err != nil {
		return &objectError{class: transient, err: err}
	}
	if splitErr != nil {
		if ctx.Err() != nil {
			return &objectError{class: transient, err: ctx.Err()}
		}
		err := fmt.Errorf("%s: %w", source, splitErr)
		if size := aws.ToInt64(out.ContentLength); size > 0 && body.n < size {
			// The download broke off before the end: not the file's fault.
			in.metrics.countError(transient.String())
			log.Warn("reading the object was interrupted; the message will be retried", "read", body.n, "size", size, "err", err)
			return &objectError{class: transient, err: err}
		}
		in.metrics.countError(permanent.String())
		log.Error("the object is not a readable CloudTrail log file; its message is left for the dead-letter queue", "err", err)
		return &objectError{class: permanent, err: err}
	}
	var digest []byte
	if sum != nil {
		digest = sum.Sum(nil)
	}
	if digest != nil {
		if err := in.rememberHash(id, int64(stats.Records), digest); err != nil {
			return &objectError{class: transient, err: err}
		}
		in.digests.note(obj.Bucket, key, time.Now())
	}
	if err := in.deps.Checkpoints.Done(id, int64(stats.Records), digest); err != nil {
		log.Error("recording the object as ingested failed; it may be read again", "err", err)
		return &objectError{class: transient, err: err}
	}
	in.metrics.Objects.Add(1)
	if in.cfg.RemoveFiles {
		if _, err := in.deps.Objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}); err != nil {
			log.Warn("remove_files_when_done: deleting the object failed", "err", explain(err, "s3:DeleteObject", "arn:aws:s3:::"+obj.Bucket+"/"+obj.Key))
		}
	}
	log.Debug("ingested", "records", stats.Records, "bytes", stats.CompressedBytes)
	return nil
}

// countingReader counts the bytes read from S3.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func logAt(log *slog.Logger, class errorClass, msg string, err error) {
	if class == permanent {
		log.Error(msg, "err", err)
		return
	}
	log.Warn(msg, "err", err)
}

// objectVersion identifies the object's content: its ETag (or version id),
// so a rewritten object is ingested again.
func objectVersion(out *s3.GetObjectOutput, obj message.Object) string {
	if v := strings.Trim(aws.ToString(out.ETag), `"`); v != "" {
		return v
	}
	if v := aws.ToString(out.VersionId); v != "" {
		return v
	}
	return strings.Trim(obj.ETag, `"`)
}

// getObject reads an object, retrying once with its real region when the
// bucket lives in another region than the queue, and once with the
// form-decoded key when EventBridge's key encoding differs.
func (in *Input) getObject(ctx context.Context, obj message.Object) (*s3.GetObjectOutput, error) {
	get := func(key string, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
		return in.deps.Objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(key)}, opts...)
	}
	var opts []func(*s3.Options)
	if region, ok := bucketRegions.Load(obj.Bucket); ok {
		opts = append(opts, withRegion(region.(string)))
	}
	out, err := get(obj.Key, opts...)
	if region := redirectRegion(err); region != "" {
		bucketRegions.Store(obj.Bucket, region)
		out, err = get(obj.Key, withRegion(region))
	}
	if err != nil && obj.AltKey != "" && classify(err) == gone {
		out, err = get(obj.AltKey, opts...)
	}
	return out, err
}

// bucketRegions caches the region of buckets found in another region.
var bucketRegions sync.Map

func withRegion(region string) func(*s3.Options) {
	return func(o *s3.Options) { o.Region = region }
}

// redirectRegion returns the bucket's region when S3 answered that the
// bucket is elsewhere (301 with x-amz-bucket-region).
func redirectRegion(err error) string {
	re, ok := errors.AsType[*awshttp.ResponseError](err)
	if !ok || re.Response == nil || re.Response.Header == nil {
		return ""
	}
	if code := re.HTTPStatusCode(); code != 301 && code != 400 {
		return ""
	}
	return re.Response.Header.Get("x-amz-bucket-region")
}

// objectWriter turns the records of one object into batches of events,
// syncing and checkpointing its progress every few seconds so an
// interrupted object resumes where Splunk's copy ends.
type objectWriter struct {
	in         *Input
	ctx        context.Context
	id         checkpoint.ObjectID
	source     string
	sourcetype string
	skip       int64 // records already in Splunk from an earlier attempt

	batch   *modinput.Batch // nil until a record is kept; the writer owns it once written
	seen    int64           // records handled (written or excluded), skipped ones included
	written int64           // seen at the last Write
	// producing is when the current batch began (reading S3, splitting,
	// encoding): the limiter compares that time with the wait for stdout.
	producing time.Time
}

func (w *objectWriter) record(r records.Record) error {
	if int64(r.Index) < w.skip {
		w.seen = int64(r.Index) + 1
		return nil
	}
	ev, keep := w.in.event(r.Raw, r.EventTime, r.EventName, w.sourcetype, w.source)
	w.seen = int64(r.Index) + 1
	if !keep {
		return nil
	}
	if w.batch == nil {
		w.batch = modinput.NewBatch()
	}
	ev.Verbatim = r.XMLSafe
	// Encoded here, in the worker: the record's bytes belong to the
	// splitter and are reused after this call.
	w.batch.Add(&ev)
	if w.batch.Len() >= eventBatch {
		return w.flush()
	}
	return nil
}

// flush writes the batch, waits for stdout and records the progress. Once the stop has begun it writes with a context of its
// own, so an interrupted object still records how far Splunk got.
func (w *objectWriter) flush() error {
	ctx := w.ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), finalSyncTimeout)
		defer cancel()
	}
	began := time.Now()
	produced := began.Sub(w.producing)
	wrote := w.batch != nil && w.batch.Len() > 0
	if wrote {
		n := w.batch.Len()
		if err := w.in.deps.Events.WriteBatch(ctx, w.batch); err != nil {
			return err // not queued: the final flush writes this batch again
		}
		w.in.metrics.Events.Add(int64(n))
		w.batch = nil
	}
	w.written = w.seen
	// The events are queued now and will reach stdout: wait for that even
	// if the stop comes meanwhile (for a bounded time), or their progress
	// would not be recorded and they would be emitted again.
	syncCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(finalSyncTimeout, cancel) })
	defer stop()
	if err := w.in.deps.Events.Sync(syncCtx); err != nil {
		return err
	}
	if wrote {
		// Waiting for stdout longer than producing the batch took: splunkd
		// is the bottleneck, and more files at once would not help. A wait
		// too short to matter is never congestion.
		waited := time.Since(began)
		w.in.limit.observe(waited > produced && waited > minCongestion)
		w.producing = time.Now()
	}
	if w.written > w.skip {
		return w.in.deps.Checkpoints.Progress(w.id, w.written)
	}
	return nil
}
