package cloudtrail

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
)

// digestSweepWindow is how long a digest folder is watched after a log
// file of it was ingested: CloudTrail delivers an hour's digest about an
// hour later.
const digestSweepWindow = 26 * time.Hour

// digestDirs remembers the digest folders (bucket and key prefix) of the
// log files the input ingested, so that digests no notification announced
// (CloudTrail's own SNS notifications name log files only) are found by
// listing them.
type digestDirs struct {
	mu   sync.Mutex
	seen map[[2]string]time.Time // {bucket, prefix} → last log file
}

// note records the digest folders for a log file: its day's, and the next
// day's for the digest of the day's last hour.
func (d *digestDirs) note(bucket string, k message.Key, now time.Time) {
	dir := integrity.DigestDir(k.Prefix, k.OrgID, k.AccountID, k.Region)
	day := time.Date(k.Year, time.Month(k.Month), k.Day, 0, 0, 0, 0, time.UTC)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[[2]string]time.Time{}
	}
	for _, t := range []time.Time{day, day.AddDate(0, 0, 1)} {
		d.seen[[2]string{bucket, dir + t.Format("2006/01/02/")}] = now
	}
}

// due returns the folders to list, forgetting those past the window.
func (d *digestDirs) due(now time.Time) [][2]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out [][2]string
	for dir, last := range d.seen {
		if now.Sub(last) > digestSweepWindow {
			delete(d.seen, dir)
			continue
		}
		out = append(out, dir)
	}
	return out
}

// sweepDigests lists the watched digest folders every interval and
// verifies the digests not yet verified.
func (in *Input) sweepDigests(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, dir := range in.digests.due(time.Now()) {
			if err := in.sweepDir(ctx, dir[0], dir[1]); err != nil && ctx.Err() == nil {
				in.log.Warn("listing CloudTrail digests failed; will retry", "bucket", dir[0], "prefix", dir[1],
					"err", explain(err, "s3:ListBucket", "arn:aws:s3:::"+dir[0]))
			}
		}
	}
}

func (in *Input) sweepDir(ctx context.Context, bucket, prefix string) error {
	var token *string
	for {
		page, err := in.deps.Objects.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
			return err
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			k := message.ClassifyKey(key)
			if k.Kind != message.Digest {
				continue
			}
			id := checkpoint.ObjectID{Bucket: bucket, Key: key, Version: strings.Trim(aws.ToString(obj.ETag), `"`)}
			if st, ok := in.deps.Checkpoints.Get(id); ok && st.Done {
				continue
			}
			log := in.log.With("object", "s3://"+bucket+"/"+key)
			if oe := in.verifyDigest(ctx, message.Object{Bucket: bucket, Key: key}, k, log); oe != nil {
				return fmt.Errorf("digest s3://%s/%s: %w", bucket, key, oe.err)
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			return nil
		}
		token = page.NextContinuationToken
	}
}
