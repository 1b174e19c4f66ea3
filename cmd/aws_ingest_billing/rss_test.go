package main

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// TestPeakRSSOfAMultiGigabyteReport checks that memory stays bounded on a
// detailed billing report of AWS_INGEST_RSS_GB gigabytes (uncompressed;
// default 2): once read from S3 (moto) as a zip archive, which is spooled
// to checkpoint_dir, and once replayed from a local CSV file. It takes a few
// minutes and a few GB of disk, so it runs only when asked:
//
//	AWS_INGEST_RSS_TEST=1 go test -run PeakRSS -v -timeout 30m ./cmd/aws_ingest_billing/
func TestPeakRSSOfAMultiGigabyteReport(t *testing.T) {
	if os.Getenv("AWS_INGEST_RSS_TEST") == "" {
		t.Skip("set AWS_INGEST_RSS_TEST=1 to run the memory check on a generated multi-GB report")
	}
	const limitMiB = 100
	gb := 2.0
	if s := os.Getenv("AWS_INGEST_RSS_GB"); s != "" {
		gb, _ = strconv.ParseFloat(s, 64)
	}
	f := newFixture(t)
	o := f.options(0)
	o.Bytes = int64(gb * (1 << 30))
	o.Tags = []string{"user:Name", "user:Team", "user:Environment", "aws:createdBy"}

	csvPath := filepath.Join(f.dir, payer+"-aws-billing-detailed-line-items-with-resources-and-tags-"+f.month.Format("2006-01")+".csv")
	zipPath := csvPath + ".zip"
	began := time.Now()
	want := writeReport(t, csvPath, zipPath, o)
	st, _ := os.Stat(zipPath)
	t.Logf("generated %d rows, %.2f GiB of CSV, %.0f MiB zipped, in %s", want.Rows, gb, float64(st.Size())/(1<<20), time.Since(began).Round(time.Second))

	zf, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(filepath.Base(zipPath)), Body: zf}); err != nil {
		t.Fatal(err)
	}
	zf.Close()

	// Run mode against S3, as splunkd runs it.
	def := splunkd.Definition{ServerHost: "sh1", ServerURI: "https://127.0.0.1:8089", SessionKey: "k", CheckpointDir: f.checkpoint,
		Stanzas: []splunkd.Stanza{{Name: "aws_ingest_billing://rss", App: "aws_ingest", Params: map[string]string{
			"aws_conf": filepath.Join(f.dir, "aws.conf"), "lookup_dir": f.lookups, "report_type": "dbr", "index": "main", "interval": "3600"}}}}
	rss, out, elapsed, stderr := measure(t, f, strings.NewReader(string(def.InputXML())), nil)
	t.Logf("run mode (S3 zip, spooled): peak RSS %.1f MiB, %d rows in %s (%.0f rows/s wall), %.2f GiB of XML", rss, want.Rows, elapsed.Round(time.Millisecond),
		float64(want.Rows)/elapsed.Seconds(), float64(out)/(1<<30))
	if !strings.Contains(stderr, "rows="+strconv.Itoa(want.Rows)) {
		t.Errorf("the run did not ingest %d rows:\n%s", want.Rows, stderr)
	}
	if rss > limitMiB {
		t.Errorf("peak RSS %.1f MiB > %d MiB", rss, limitMiB)
	}
	if spools, _ := filepath.Glob(filepath.Join(f.checkpoint, "billing_spool_*")); len(spools) != 0 {
		t.Errorf("spool left behind: %v", spools)
	}

	rss, out, elapsed, _ = measure(t, f, nil, []string{"replay", csvPath})
	t.Logf("replay (local CSV): peak RSS %.1f MiB, %d rows in %s (%.0f rows/s wall), %.2f GiB of XML", rss, want.Rows, elapsed.Round(time.Millisecond),
		float64(want.Rows)/elapsed.Seconds(), float64(out)/(1<<30))
	if rss > limitMiB {
		t.Errorf("peak RSS %.1f MiB > %d MiB", rss, limitMiB)
	}
}

// writeReport writes the CSV and a zip archive of it.
func writeReport(t *testing.T, csvPath, zipPath string, o gen.Options) gen.Want {
	c, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := gen.DBR(c, o, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	z, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(z)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	w, err := zw.Create(filepath.Base(csvPath))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bufio.NewReaderSize(src, 1<<20)); err != nil {
		t.Fatal(err)
	}
	src.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

type counter struct{ n atomic.Int64 }

func (c *counter) Write(p []byte) (int, error) { c.n.Add(int64(len(p))); return len(p), nil }

// measure runs the binary to completion and returns its peak RSS in MiB,
// the bytes it wrote and how long it took.
func measure(t *testing.T, f *fixture, stdin io.Reader, args []string) (float64, int64, time.Duration, string) {
	cmd := exec.Command(f.bin, args...)
	cmd.Env = append(os.Environ(), f.srv.Env()...)
	cmd.Stdin = stdin
	var out counter
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	began := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	elapsed := time.Since(began)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return float64(ru.Maxrss) / 1024, out.n.Load(), elapsed, stderr.String() // Maxrss is in KiB on Linux
}
