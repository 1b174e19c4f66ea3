package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/records"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// Lister is what replay needs of S3 to back-fill from a bucket.
type Lister interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// ReplayOptions say what replay reads and how it writes.
type ReplayOptions struct {
	JSON         bool      // one record per line instead of Splunk's XML stream
	Since, Until time.Time // keep records with since <= eventTime < until (zero: no bound)
	Sourcetype   string
	S3           Lister            // for s3:// sources
	Checkpoints  *checkpoint.Store // for s3:// sources: a resumed back-fill skips what it wrote
	// Parallel is how many objects of an s3:// source are read at once
	// (0 or 1: one by one, in listing order). Each object's records stay
	// in order; the objects' interleave in the output.
	Parallel int
	Events   *modinput.Writer // the XML stream (when !JSON)
	Out      io.Writer        // JSON lines (when JSON)
	Log      interface{ Warn(string, ...any) }
}

// ReplayStats count what replay did.
type ReplayStats struct{ Files, Records, Written int }

func (s *ReplayStats) add(o ReplayStats) {
	s.Files, s.Records, s.Written = s.Files+o.Files, s.Records+o.Records, s.Written+o.Written
}

// jsonChunk is how many bytes of JSON lines a reader gathers before one
// write to Out.
const jsonChunk = 256 << 10

// Replay writes the records of local CloudTrail files, folders (recursive)
// and s3://bucket/prefix sources as the input would ingest them.
func Replay(ctx context.Context, sources []string, o ReplayOptions) (ReplayStats, error) {
	if o.Sourcetype == "" {
		o.Sourcetype = "aws:cloudtrail"
	}
	r := &replayer{o: o}
	var total ReplayStats
	for _, src := range sources {
		var stats ReplayStats
		var err error
		if rest, ok := strings.CutPrefix(src, "s3://"); ok {
			stats, err = r.bucket(ctx, rest)
		} else {
			rd := &reader{replayer: r}
			err = rd.local(ctx, src)
			stats = rd.stats
		}
		total.add(stats)
		if err != nil {
			return total, err
		}
	}
	if !o.JSON {
		return total, o.Events.Sync(ctx)
	}
	return total, nil
}

// replayer is what the readers of one Replay share.
type replayer struct {
	o     ReplayOptions
	outMu sync.Mutex // JSON chunks of parallel readers never interleave
}

// reader replays files one at a time; a parallel back-fill has one per
// object it reads at once.
type reader struct {
	*replayer
	stats ReplayStats
	lines bytes.Buffer // JSON lines not yet written
	batch *modinput.Batch
}

func (r *reader) local(ctx context.Context, root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		// In a folder, only CloudTrail files (a file named on the command
		// line is read whatever its name).
		if path != root && !strings.HasSuffix(path, ".json.gz") && !strings.HasSuffix(path, ".json") {
			return nil
		}
		if k := message.ClassifyKey(filepath.ToSlash(path)); k.Kind == message.Digest {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = r.file(ctx, f, path, sourcetypeOf(path, r.o.Sourcetype))
		return err
	})
}

// bucket replays the log files under s3://spec with o.Parallel readers;
// the first error stops the listing and the other readers.
func (r *replayer) bucket(ctx context.Context, spec string) (ReplayStats, error) {
	if r.o.S3 == nil {
		return ReplayStats{}, errors.New("an s3:// source needs AWS credentials and a region (AWS_REGION)")
	}
	bucket, prefix, _ := strings.Cut(spec, "/")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once  sync.Once
		first error
	)
	fail := func(err error) {
		once.Do(func() { first = err; cancel() })
	}
	ids := make(chan checkpoint.ObjectID)
	readers := make([]*reader, max(r.o.Parallel, 1))
	var wg sync.WaitGroup
	for i := range readers {
		rd := &reader{replayer: r}
		readers[i] = rd
		wg.Go(func() {
			for id := range ids {
				if err := rd.object(ctx, id); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	listErr := r.list(ctx, bucket, prefix, func(id checkpoint.ObjectID) bool {
		select {
		case ids <- id:
			return true
		case <-ctx.Done():
			return false
		}
	})
	close(ids)
	wg.Wait()
	var stats ReplayStats
	for _, rd := range readers {
		stats.add(rd.stats)
	}
	if first != nil {
		return stats, first // the cause; the listing then only saw the cancel
	}
	return stats, listErr // the caller's stop (ctx.Err()) included
}

// list hands each log file under prefix that is not done yet to take, until
// take returns false.
func (r *replayer) list(ctx context.Context, bucket, prefix string, take func(checkpoint.ObjectID) bool) error {
	var token *string
	for {
		page, err := r.o.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, explain(err, "s3:ListBucket", "arn:aws:s3:::"+bucket))
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if k := message.ClassifyKey(key); k.Kind != message.LogFile && k.Kind != message.Insight {
				continue
			}
			id := checkpoint.ObjectID{Bucket: bucket, Key: key, Version: strings.Trim(aws.ToString(obj.ETag), `"`)}
			if r.o.Checkpoints != nil {
				if st, ok := r.o.Checkpoints.Get(id); ok && st.Done {
					continue
				}
			}
			if !take(id) {
				return ctx.Err()
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			return nil
		}
		token = page.NextContinuationToken
	}
}

func (r *reader) object(ctx context.Context, id checkpoint.ObjectID) error {
	source := "s3://" + id.Bucket + "/" + id.Key
	out, err := r.o.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(id.Bucket), Key: aws.String(id.Key)})
	if err != nil {
		return fmt.Errorf("%s: %w", source, explain(err, "s3:GetObject", "arn:aws:s3:::"+id.Bucket+"/"+id.Key))
	}
	defer out.Body.Close()
	n, err := r.file(ctx, out.Body, source, sourcetypeOf(id.Key, r.o.Sourcetype))
	if err != nil {
		return err
	}
	if r.o.Checkpoints == nil {
		return nil
	}
	if !r.o.JSON {
		// The events are queued and will reach stdout even if another
		// reader fails now: wait for them (a bounded time), or a resumed
		// back-fill would write this object again.
		syncCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalSyncTimeout)
		defer cancel()
		if err := r.o.Events.Sync(syncCtx); err != nil {
			return err
		}
	}
	return r.o.Checkpoints.Done(id, int64(n), nil)
}

// file writes one file's records and returns how many it had. When it
// returns, its JSON lines are written and its events handed to the writer.
func (r *reader) file(ctx context.Context, body io.Reader, source, sourcetype string) (int, error) {
	r.stats.Files++
	stats, err := records.Split(body, records.Options{}, func(rec records.Record) error {
		r.stats.Records++
		if (!r.o.Since.IsZero() && rec.EventTime.Before(r.o.Since)) || (!r.o.Until.IsZero() && !rec.EventTime.Before(r.o.Until)) {
			return nil
		}
		r.stats.Written++
		if r.o.JSON {
			return r.jsonLine(rec.Raw)
		}
		if r.batch == nil {
			r.batch = modinput.NewBatch()
		}
		r.batch.Add(&modinput.Event{Time: rec.EventTime, Source: source, Sourcetype: sourcetype, Data: rec.Raw, Verbatim: rec.XMLSafe})
		if r.batch.Len() == eventBatch {
			return r.flush(ctx)
		}
		return nil
	})
	if ferr := r.flush(ctx); err == nil {
		err = ferr
	}
	if err != nil {
		return stats.Records, fmt.Errorf("%s: %w", source, err)
	}
	return stats.Records, nil
}

// flush hands the batched events to the writer, which owns them from then
// on, or writes the gathered JSON lines.
func (r *reader) flush(ctx context.Context) error {
	if r.lines.Len() > 0 {
		r.outMu.Lock()
		_, err := r.o.Out.Write(r.lines.Bytes())
		r.outMu.Unlock()
		r.lines.Reset()
		return err
	}
	if r.batch == nil {
		return nil
	}
	err := r.o.Events.WriteBatch(ctx, r.batch)
	r.batch = nil
	return err
}

// jsonLine adds a record as one line (records are compact already;
// pretty-printed ones are compacted).
func (r *reader) jsonLine(raw []byte) error {
	if bytes.ContainsAny(raw, "\r\n") {
		if err := json.Compact(&r.lines, raw); err != nil {
			return err
		}
	} else {
		r.lines.Write(raw)
	}
	r.lines.WriteByte('\n')
	if r.lines.Len() >= jsonChunk {
		return r.flush(context.Background())
	}
	return nil
}

func sourcetypeOf(key, def string) string {
	if message.ClassifyKey(filepath.ToSlash(key)).Kind == message.Insight {
		return InsightSourcetype
	}
	return def
}
