package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit/s3fake"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// lockedBuffer is an io.Writer the JSON chunks of parallel readers share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// slowS3 delays GetObject, as S3's latency does, and counts the calls in
// progress at once.
type slowS3 struct {
	Lister
	mu        sync.Mutex
	now, most int
}

func (s *slowS3) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	s.mu.Lock()
	s.now++
	s.most = max(s.most, s.now)
	s.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	defer func() { s.mu.Lock(); s.now--; s.mu.Unlock() }()
	return s.Lister.GetObject(ctx, in, optFns...)
}

// A parallel back-fill writes every record of every object exactly once,
// each object's records in order and whole lines only; it checkpoints every
// object, so a second run writes nothing.
func TestReplayS3InParallel(t *testing.T) {
	client, _ := s3fake.Start(t)
	const files, perFile = 30, 40
	for f := range files {
		names := make([]string, perFile)
		for i := range names {
			names[i] = fmt.Sprintf("f%02d-r%02d", f, i)
		}
		s3fake.Put(t, client, "trail", logKey(f), logFile(t, names...))
	}
	s3fake.Put(t, client, "trail", "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/x_CloudTrail-Digest_y.json.gz", []byte("{}"))
	store, err := checkpoint.Open(t.TempDir(), checkpoint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	var out lockedBuffer
	slow := &slowS3{Lister: client}
	o := ReplayOptions{JSON: true, Out: &out, S3: slow, Checkpoints: store, Parallel: 4}
	stats, err := Replay(t.Context(), []string{"s3://trail/AWSLogs/"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != files || stats.Written != files*perFile {
		t.Errorf("stats %+v, want %d files and %d records", stats, files, files*perFile)
	}
	if slow.most != 4 {
		t.Errorf("objects read at once: at most %d, want 4", slow.most)
	}
	next := map[string]int{} // per file, the next record expected
	for l := range strings.SplitSeq(strings.TrimSuffix(out.b.String(), "\n"), "\n") {
		var rec struct{ EventName string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a whole JSON line: %q", l)
		}
		var f, i int
		fmt.Sscanf(rec.EventName, "f%02d-r%02d", &f, &i)
		file := rec.EventName[:3]
		if i != next[file] {
			t.Fatalf("%s: record %d came when %d was next", file, i, next[file])
		}
		next[file]++
	}
	if len(next) != files {
		t.Errorf("records of %d files, want %d", len(next), files)
	}
	for file, n := range next {
		if n != perFile {
			t.Errorf("%s: %d records, want %d", file, n, perFile)
		}
	}

	out.b.Reset()
	stats, err = Replay(t.Context(), []string{"s3://trail/AWSLogs/"}, o)
	if err != nil || stats.Files != 0 || out.b.Len() != 0 {
		t.Errorf("second run: %+v, %v, %d bytes written; want nothing", stats, err, out.b.Len())
	}
}

// The XML stream of a parallel back-fill holds every event once, and the
// first failing object stops the others with an error naming it.
func TestReplayS3InParallelXMLAndFailure(t *testing.T) {
	client, _ := s3fake.Start(t)
	for f := range 12 {
		s3fake.Put(t, client, "trail", logKey(f), logFile(t, "A", "B", "C"))
	}
	var xml bytes.Buffer
	w := modinput.NewWriter(&xml, modinput.WriterOptions{})
	stats, err := Replay(t.Context(), []string{"s3://trail/"}, ReplayOptions{Events: w, S3: client, Parallel: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	events, err := splunkd.ParseStream(xml.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 36 || stats.Written != 36 {
		t.Errorf("%d events, stats %+v; want 36", len(events), stats)
	}

	s3fake.Put(t, client, "trail", logKey(5), []byte("not gzip, not JSON"))
	w = modinput.NewWriter(&bytes.Buffer{}, modinput.WriterOptions{})
	defer w.Close()
	_, err = Replay(t.Context(), []string{"s3://trail/"}, ReplayOptions{Events: w, S3: client, Parallel: 3})
	if err == nil || !strings.Contains(err.Error(), logKey(5)) {
		t.Errorf("a corrupt object: err = %v, want one naming %s", err, logKey(5))
	}
}

// hangingList never answers a listing until its context ends.
type hangingList struct{ Lister }

func (hangingList) ListObjectsV2(ctx context.Context, _ *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A back-fill stopped by the caller (Ctrl-C, SIGTERM) says so; it must not
// look finished.
func TestReplayS3StoppedIsAnError(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := Replay(ctx, []string{"s3://trail/"}, ReplayOptions{JSON: true, Out: &bytes.Buffer{}, S3: hangingList{}, Parallel: 4})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stopped back-fill: err = %v, want the context's error", err)
	}
}
