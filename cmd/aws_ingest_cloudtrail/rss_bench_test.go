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

// BenchmarkReplayPeakRSS replays a generated CloudTrail file of 1 GiB of
// JSON (the real 5,000-record sample repeated) through the binary, as a
// person would (`replay FILE > /dev/null`), and reports the process's peak
// RSS, which must stay under 64 MiB, and its rates. Generating the 100 MB
// file takes a few seconds, once:
//
//	go test -run '^$' -bench ReplayPeakRSS -benchtime 1x ./cmd/aws_ingest_cloudtrail/
func BenchmarkReplayPeakRSS(b *testing.B) {
	const limitMiB = 64
	path, records, size := bigCloudTrailFile(b, 1<<30)
	bin := splunkd.Build(b, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")
	b.ResetTimer()
	var rss float64
	var wall, cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(bin, "replay", path)
		var events eventCounter
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &events, &stderr
		began := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v\n%s", err, stderr.String())
		}
		wall += time.Since(began)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		rss = max(rss, float64(ru.Maxrss)/1024) // KiB on Linux
		cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		if events.n != records {
			b.Errorf("%d events on stdout, want %d", events.n, records)
		}
	}
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(rss, "peak-RSS-MiB")
	b.ReportMetric(mb/wall.Seconds(), "MB/s")
	b.ReportMetric(mb/cpu.Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(records), "events")
	if rss >= limitMiB {
		b.Errorf("peak RSS %.1f MiB, want < %d MiB", rss, limitMiB)
	}
}

// bigCloudTrailFile writes a gzip CloudTrail file of at least size bytes of
// JSON, made of the bundled sample's records, and returns its path, its
// record count and its JSON size.
func bigCloudTrailFile(t testing.TB, size int64) (string, int, int64) {
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

func readGzip(t testing.TB, path string) []byte {
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
