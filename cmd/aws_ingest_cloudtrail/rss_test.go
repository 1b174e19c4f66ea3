//go:build linux

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// TestReplayPeakRSSOfAGigabyteFile replays a generated CloudTrail file of
// 1 GiB of JSON (the real 5,000-record sample repeated) through the binary,
// as a person would (`replay FILE > /dev/null`), and checks the process's
// peak RSS. It writes a 100 MB file and takes a minute, so it runs only when
// asked:
//
//	AWS_INGEST_RSS_TEST=1 go test -run ReplayPeakRSS -v ./cmd/aws_ingest_cloudtrail/
func TestReplayPeakRSSOfAGigabyteFile(t *testing.T) {
	if os.Getenv("AWS_INGEST_RSS_TEST") == "" {
		t.Skip("set AWS_INGEST_RSS_TEST=1 to replay a generated 1 GiB file")
	}
	const limitMiB = 64
	path, records, size := bigCloudTrailFile(t, 1<<30)
	bin := splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")

	cmd := exec.Command(bin, "replay", path)
	var events eventCounter
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &events, &stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	elapsed := time.Since(began)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rss := float64(ru.Maxrss) / 1024 // KiB on Linux
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	t.Logf("%d records, %d MiB of JSON replayed in %s (%.0f MB/s wall, %.0f MB per CPU-second); peak RSS %.1f MiB",
		records, size>>20, elapsed.Round(time.Millisecond), float64(size)/1e6/elapsed.Seconds(), float64(size)/1e6/cpu.Seconds(), rss)
	if events.n != records {
		t.Errorf("%d events on stdout, want %d", events.n, records)
	}
	if rss >= limitMiB {
		t.Errorf("peak RSS %.1f MiB, want < %d MiB", rss, limitMiB)
	}
}

// bigCloudTrailFile writes a gzip CloudTrail file of at least size bytes of
// JSON, made of the bundled sample's records, and returns its path, its
// record count and its JSON size.
func bigCloudTrailFile(t *testing.T, size int64) (string, int, int64) {
	t.Helper()
	sample := readGzip(t, filepath.Join("..", "..", "internal", "cloudtrail", "records", "testdata", "derived", "derived-large-5000rec.json.gz"))
	open, close := bytes.IndexByte(sample, '['), bytes.LastIndexByte(sample, ']')
	body := bytes.TrimSpace(sample[open+1 : close])
	perCopy := bytes.Count(body, []byte(`"eventVersion"`))

	path := filepath.Join(t.TempDir(), "big.json.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	w := bufio.NewWriterSize(zw, 1<<20)
	written, records := int64(0), 0
	write := func(b []byte) {
		n, _ := w.Write(b)
		written += int64(n)
	}
	write([]byte(`{"Records":[`))
	for written < size {
		if records > 0 {
			write([]byte{','})
		}
		write(body)
		records += perCopy
	}
	write([]byte(`]}`))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path, records, written
}

func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventCounter counts the events of an XML stream without keeping it.
type eventCounter struct {
	n    int
	tail []byte // the end of the last write, for a tag split between writes
}

func (c *eventCounter) Write(p []byte) (int, error) {
	const tag = "<event "
	joined := append(c.tail, p[:min(len(p), len(tag)-1)]...)
	c.n += bytes.Count(joined, []byte(tag)) + bytes.Count(p, []byte(tag))
	c.tail = append(c.tail[:0], p[max(0, len(p)-(len(tag)-1)):]...)
	return len(p), nil
}
