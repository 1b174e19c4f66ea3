//go:build unix

package cloudtrail

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// replayFile is a real CloudTrail file of 5,000 records (stratus-red-team).
const replayFile = "records/testdata/derived/derived-large-5000rec.json.gz"

// BenchmarkReplayToDevNull is the whole replay path, gzip file to Splunk's
// XML stream, written to io.Discard, beside the straightforward stdlib
// implementation of the same path. Both report decompressed MB/s and
// events/s of wall time, and the same per CPU second of the process (the
// machine may be shared):
//
//	go test -run '^$' -bench ReplayToDevNull ./internal/cloudtrail/
func BenchmarkReplayToDevNull(b *testing.B) {
	size := decompressedSize(b, replayFile)
	b.Run("aws-ingest", func(b *testing.B) {
		measure(b, size, func() int {
			w := modinput.NewWriter(io.Discard, modinput.WriterOptions{})
			stats, err := Replay(b.Context(), []string{replayFile}, ReplayOptions{Events: w})
			if err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			return stats.Written
		})
	})
	b.Run("stdlib-baseline", func(b *testing.B) {
		measure(b, size, func() int {
			n, err := stdlibReplay(replayFile, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			return n
		})
	})
}

// measure runs one replay per iteration and reports its rates.
func measure(b *testing.B, size int64, replay func() int) {
	var usage0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage0)
	start := time.Now()
	n := 0
	for b.Loop() {
		n += replay()
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

// stdlibReplay is the straightforward implementation the issue compares
// against (cloudtrail-ingestion.md §5.1): gzip, json.Decoder, a RawMessage
// per record, eventTime unmarshalled, the record XML-escaped into an event.
func stdlibReplay(path string, out io.Writer) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, err
	}
	dec := json.NewDecoder(zr)
	for {
		t, err := dec.Token()
		if err != nil {
			return 0, err
		}
		if t == "Records" {
			break
		}
	}
	if _, err := dec.Token(); err != nil { // [
		return 0, err
	}
	bw := bufio.NewWriter(out)
	n := 0
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return n, err
		}
		var head struct {
			EventTime time.Time `json:"eventTime"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return n, err
		}
		fmt.Fprintf(bw, "<event><time>%.3f</time><source>%s</source><data>", float64(head.EventTime.UnixMilli())/1000, path)
		if err := xml.EscapeText(bw, raw); err != nil {
			return n, err
		}
		bw.WriteString("</data></event>\n")
		n++
	}
	return n, bw.Flush()
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
