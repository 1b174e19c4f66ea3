package billing

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// fakeBucket is an in-memory bucket with S3's listing order, ETags and
// If-Match, and injectable failures.
type fakeBucket struct {
	mu      sync.Mutex
	objects map[string]fakeObject
	gets    []string
	failGet map[string]error
	pageLen int
}

type fakeObject struct {
	data     []byte
	etag     string
	modified time.Time
}

var _ Bucket = (*fakeBucket)(nil)

func newFakeBucket() *fakeBucket {
	return &fakeBucket{objects: map[string]fakeObject{}, failGet: map[string]error{}, pageLen: 2}
}

func (b *fakeBucket) put(key string, data []byte) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	sum := md5.Sum(data)
	etag := hex.EncodeToString(sum[:])
	b.objects[key] = fakeObject{data: data, etag: etag, modified: time.Date(2026, 11, 9, 8, 0, 0, 0, time.UTC)}
	return etag
}

func (b *fakeBucket) getCount(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, g := range b.gets {
		if g == key {
			n++
		}
	}
	return n
}

func (b *fakeBucket) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keys []string
	for k := range b.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := &s3.ListObjectsV2Output{}
	for i, k := range keys {
		if i == b.pageLen {
			out.IsTruncated = aws.Bool(true)
			out.NextContinuationToken = aws.String(keys[i-1])
			break
		}
		o := b.objects[k]
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k), ETag: aws.String(`"` + o.etag + `"`),
			LastModified: aws.Time(o.modified), Size: aws.Int64(int64(len(o.data)))})
	}
	return out, nil
}

func (b *fakeBucket) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := aws.ToString(in.Key)
	b.gets = append(b.gets, key)
	if err := b.failGet[key]; err != nil {
		return nil, err
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, &types.NoSuchKey{Message: aws.String("no such key " + key)}
	}
	if m := aws.ToString(in.IfMatch); m != "" && m != `"`+o.etag+`"` {
		return nil, fmt.Errorf("PreconditionFailed: If-Match %s, have %s", m, o.etag)
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.data)), ETag: aws.String(`"` + o.etag + `"`)}, nil
}

// recorder is an EventWriter that keeps the events; after stopAfter
// events (if set) it calls stop, as splunkd's SIGTERM would.
type recorder struct {
	mu        sync.Mutex
	events    []modinput.Event
	syncs     int
	stopAfter int
	stop      func()
}

var _ EventWriter = (*recorder)(nil)

func (r *recorder) Write(_ context.Context, events ...modinput.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range events {
		ev.Data = bytes.Clone(ev.Data)
		r.events = append(r.events, ev)
		if r.stopAfter > 0 && len(r.events) == r.stopAfter && r.stop != nil {
			r.stop()
		}
	}
	return nil
}

func (r *recorder) Sync(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.syncs++
	return nil
}

func (r *recorder) bySourcetype(st string) []modinput.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []modinput.Event
	for _, ev := range r.events {
		if ev.Sourcetype == st {
			out = append(out, ev)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipped(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
