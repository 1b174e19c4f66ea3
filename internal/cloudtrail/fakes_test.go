package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// fakeObjects is an in-memory S3 with programmable failures.
type fakeObjects struct {
	mu      sync.Mutex
	objects map[string][]byte            // bucket/key → body
	meta    map[string]map[string]string // bucket/key → user metadata
	fail    map[string]error             // bucket/key → error to return
	gets    map[string]int
	deleted []string
	block   chan struct{} // when set, GetObject bodies block until it is closed
	delay   time.Duration // S3's latency: GetObject waits this long
	open    int           // bodies not closed yet
	maxOpen int
}

func newFakeObjects() *fakeObjects {
	return &fakeObjects{objects: map[string][]byte{}, meta: map[string]map[string]string{}, fail: map[string]error{}, gets: map[string]int{}}
}

func (f *fakeObjects) put(bucket, key string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[bucket+"/"+key] = body
}

func (f *fakeObjects) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	f.open++
	f.maxOpen = max(f.maxOpen, f.open)
	delay := f.delay
	f.mu.Unlock()
	time.Sleep(delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	k := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	f.gets[k]++
	body, ok := f.objects[k]
	err := f.fail[k]
	if err == nil && !ok {
		err = apiError(404, "NoSuchKey")
	}
	if err != nil {
		f.open--
		return nil, err
	}
	var r io.Reader = bytes.NewReader(body)
	if f.block != nil {
		r = &blockingReader{r: r, ctx: ctx, gate: f.block}
	}
	return &s3.GetObjectOutput{Body: &countedBody{Reader: r, f: f}, ETag: aws.String(fmt.Sprintf(`"etag-%d"`, len(body))),
		ContentLength: aws.Int64(int64(len(body))), Metadata: f.meta[k]}, nil
}

// mostOpen is the most bodies that were open at once.
func (f *fakeObjects) mostOpen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxOpen
}

// countedBody keeps fakeObjects.open: a body counts until it is closed.
type countedBody struct {
	io.Reader
	f    *fakeObjects
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() {
		b.f.mu.Lock()
		b.f.open--
		b.f.mu.Unlock()
	})
	return nil
}

func (f *fakeObjects) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

func (f *fakeObjects) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
	var keys []string
	for k := range f.objects {
		bucket, key, _ := strings.Cut(k, "/")
		if bucket == aws.ToString(in.Bucket) && strings.HasPrefix(key, aws.ToString(in.Prefix)) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(key), ETag: aws.String(fmt.Sprintf(`"etag-%d"`, len(f.objects[aws.ToString(in.Bucket)+"/"+key])))})
	}
	return out, nil
}

// blockingReader lets half of the body through, then waits for gate or ctx.
type blockingReader struct {
	r    io.Reader
	ctx  context.Context
	gate chan struct{}
	n    int
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if b.n > 0 {
		select {
		case <-b.gate:
		case <-b.ctx.Done():
			return 0, b.ctx.Err()
		}
	}
	n, err := b.r.Read(p[:min(len(p), 64)])
	b.n += n
	return n, err
}

// apiError builds the error the SDK returns for an AWS error response.
func apiError(status int, code string) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
			Err: &smithy.GenericAPIError{Code: code, Message: code}},
	}}
}

// sink collects events like the stdout writer, flushing on Sync.
type sink struct {
	syncDelay time.Duration // stdout's slowness: each Sync takes this long

	mu      sync.Mutex
	pending []modinput.Event
	flushed []modinput.Event
	syncs   int
}

func (s *sink) Write(ctx context.Context, events ...modinput.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range events {
		ev.Data = bytes.Clone(ev.Data)
		s.pending = append(s.pending, ev)
	}
	return nil
}

// WriteBatch decodes the batch's XML back into events, so tests see
// exactly what reached the stream.
func (s *sink) WriteBatch(ctx context.Context, b *modinput.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	parsed, err := splunkd.ParseStream(slices.Concat([]byte("<stream>"), b.Bytes(), []byte("</stream>")))
	if err != nil {
		return err
	}
	events := make([]modinput.Event, len(parsed))
	for i, p := range parsed {
		events[i] = modinput.Event{Stanza: p.Stanza, Host: p.Host, Index: p.Index, Source: p.Source, Sourcetype: p.Sourcetype, Data: []byte(p.Data)}
		if p.Time != "" {
			secs, err := strconv.ParseFloat(p.Time, 64)
			if err != nil {
				return err
			}
			events[i].Time = time.UnixMilli(int64(math.Round(secs * 1000)))
		}
	}
	return s.Write(ctx, events...)
}

func (s *sink) Sync(ctx context.Context) error {
	time.Sleep(s.syncDelay)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushed = append(s.flushed, s.pending...)
	s.pending = nil
	s.syncs++
	return nil
}

// events returns the flushed events that are not metrics.
func (s *sink) events() []modinput.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []modinput.Event
	for _, ev := range s.flushed {
		if ev.Sourcetype != MetricsSourcetype {
			out = append(out, ev)
		}
	}
	return out
}

// memCheckpoints is an in-memory checkpoint store.
type memCheckpoints struct {
	mu     sync.Mutex
	states map[checkpoint.ObjectID]checkpoint.State
}

func newMemCheckpoints() *memCheckpoints {
	return &memCheckpoints{states: map[checkpoint.ObjectID]checkpoint.State{}}
}

func (m *memCheckpoints) Get(id checkpoint.ObjectID) (checkpoint.State, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.states[id]
	return st, ok
}

func (m *memCheckpoints) Progress(id checkpoint.ObjectID, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.states[id]; st.Done || st.Records >= n {
		return nil // like the real store: Done is final, progress only grows
	}
	m.states[id] = checkpoint.State{Records: n}
	return nil
}

func (m *memCheckpoints) Done(id checkpoint.ObjectID, n int64, sum []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.states[id] = checkpoint.State{Done: true, Records: n, SHA256: sum}
	return nil
}

// logFile builds a gzip CloudTrail log file of n records.
func logFile(t testing.TB, names ...string) []byte {
	t.Helper()
	var recs []string
	for i, name := range names {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:%02dZ","eventSource":"ec2.amazonaws.com","eventName":%q,"eventID":"id-%d","note":"caf\u00e9 <&>"}`, i%60, name, i))
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = io.WriteString(zw, `{"Records":[`+strings.Join(recs, ",")+`]}`)
	_ = zw.Close()
	return buf.Bytes()
}

func ctNotification(bucket string, keys ...string) string {
	b, _ := json.Marshal(map[string]any{"s3Bucket": bucket, "s3ObjectKey": keys})
	return string(b)
}

func snsWrap(inner string) string {
	b, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:acme-cloudtrail",
		"Message": inner, "Timestamp": "2024-05-01T12:00:00.000Z"})
	return string(b)
}

func logKey(n int) string {
	return fmt.Sprintf("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/123456789012_CloudTrail_us-east-1_20240501T1200Z_%016d.json.gz", n)
}
