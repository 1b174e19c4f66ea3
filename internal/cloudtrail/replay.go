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
	Events       *modinput.Writer  // the XML stream (when !JSON)
	Out          io.Writer         // JSON lines (when JSON)
	Log          interface{ Warn(string, ...any) }
}

// ReplayStats count what replay did.
type ReplayStats struct{ Files, Records, Written int }

// Replay writes the records of local CloudTrail files, folders (recursive)
// and s3://bucket/prefix sources as the input would ingest them.
func Replay(ctx context.Context, sources []string, o ReplayOptions) (ReplayStats, error) {
	r := replayer{o: o}
	if r.o.Sourcetype == "" {
		r.o.Sourcetype = "aws:cloudtrail"
	}
	for _, src := range sources {
		var err error
		if rest, ok := strings.CutPrefix(src, "s3://"); ok {
			err = r.bucket(ctx, rest)
		} else {
			err = r.local(ctx, src)
		}
		if err != nil {
			return r.stats, err
		}
	}
	if !o.JSON {
		return r.stats, o.Events.Sync(ctx)
	}
	return r.stats, nil
}

type replayer struct {
	o     ReplayOptions
	stats ReplayStats
	line  bytes.Buffer
	batch *modinput.Batch
}

func (r *replayer) local(ctx context.Context, root string) error {
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

func (r *replayer) bucket(ctx context.Context, spec string) error {
	if r.o.S3 == nil {
		return errors.New("an s3:// source needs AWS credentials and a region (AWS_REGION)")
	}
	bucket, prefix, _ := strings.Cut(spec, "/")
	var token *string
	for {
		page, err := r.o.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
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
			if err := r.object(ctx, id); err != nil {
				return err
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			return nil
		}
		token = page.NextContinuationToken
	}
}

func (r *replayer) object(ctx context.Context, id checkpoint.ObjectID) error {
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
		if err := r.o.Events.Sync(ctx); err != nil {
			return err
		}
	}
	return r.o.Checkpoints.Done(id, int64(n), nil)
}

// file writes one file's records and returns how many it had.
func (r *replayer) file(ctx context.Context, body io.Reader, source, sourcetype string) (int, error) {
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
// on.
func (r *replayer) flush(ctx context.Context) error {
	if r.batch == nil {
		return nil
	}
	err := r.o.Events.WriteBatch(ctx, r.batch)
	r.batch = nil
	return err
}

// jsonLine writes a record on one line (records are compact already;
// pretty-printed ones are compacted).
func (r *replayer) jsonLine(raw []byte) error {
	r.line.Reset()
	if bytes.ContainsAny(raw, "\r\n") {
		if err := json.Compact(&r.line, raw); err != nil {
			return err
		}
	} else {
		r.line.Write(raw)
	}
	r.line.WriteByte('\n')
	_, err := r.o.Out.Write(r.line.Bytes())
	return err
}

func sourcetypeOf(key, def string) string {
	if message.ClassifyKey(filepath.ToSlash(key)).Kind == message.Insight {
		return InsightSourcetype
	}
	return def
}
