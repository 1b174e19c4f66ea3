//go:build unix

package cloudtrail

import (
	"compress/gzip"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// BenchmarkReplayToDevNull is the whole replay path, gzip file to Splunk's
// XML stream, written to io.Discard. It reports decompressed MB/s and
// events/s of wall time, and the same per CPU second of the process
// (the machine may be shared):
//
//	go test -run '^$' -bench ReplayToDevNull ./internal/cloudtrail/
func BenchmarkReplayToDevNull(b *testing.B) {
	const file = "records/testdata/derived/derived-large-5000rec.json.gz"
	size := decompressedSize(b, file)
	var usage0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage0)
	start := time.Now()
	n := 0
	for b.Loop() {
		w := modinput.NewWriter(io.Discard, modinput.WriterOptions{})
		stats, err := Replay(b.Context(), []string{file}, ReplayOptions{Events: w})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		n += stats.Written
	}
	wall := time.Since(start).Seconds()
	var usage1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage1)
	cpu := cpuSeconds(usage1) - cpuSeconds(usage0)
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(mb/wall, "MB/s")
	b.ReportMetric(float64(n)/wall, "events/s")
	b.ReportMetric(mb/cpu, "MB/cpu-s")
	b.ReportMetric(float64(n)/cpu, "events/cpu-s")
}

func cpuSeconds(u syscall.Rusage) float64 {
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

func decompressedSize(b *testing.B, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
