package billing

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// cpuTime is the process's user+system CPU time: rows per CPU-second is a
// per-core figure that other load on the machine does not skew.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDBRToStream measures the whole path of a detailed billing report
// with resources and tags, already decompressed, to the XML event stream:
// CSV parsing, JSON encoding, totals, batching and the modinput writer.
//
//	go test -run '^$' -bench DBRToStream -cpu 1,2 ./internal/billing/
//
// rows/s is wall-clock; rows/cpu-s divides by the CPU time the process used
// (both goroutines: the parser and the writer), i.e. rows per second of one
// fully used core.
func BenchmarkDBRToStream(b *testing.B) {
	var csv bytes.Buffer
	o := testGenOptions(100000)
	if _, err := gen.DBR(&csv, o, true, true); err != nil {
		b.Fatal(err)
	}
	data := csv.Bytes()
	rowsPerOp := 100000 + 3 + len(o.Accounts)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rows int64
	cpu0, wall0 := cpuTime(), time.Now()
	for b.Loop() {
		w := modinput.NewWriter(io.Discard, modinput.WriterOptions{})
		in := &ingester{stanza: "aws_ingest_billing://bench", spoolDir: b.TempDir(), em: newEmitter(w),
			log: slog.New(slog.DiscardHandler), now: time.Now}
		v := &version{Kind: "dbr", ReportID: "s3://b/k", ID: "etag", Parts: []partSource{{Name: "s3://b/k",
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}}}
		res, err := in.run(b.Context(), v, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if int(res.Rows) != rowsPerOp {
			b.Fatalf("%d rows, want %d", res.Rows, rowsPerOp)
		}
		rows += res.Rows
	}
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(len(data))/float64(rowsPerOp), "B/row")
}
