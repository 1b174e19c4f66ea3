package records

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"
)

// Run with:
//
//	go test -run '^$' -bench . -benchmem ./internal/cloudtrail/records/
//
// MB/s is decompressed JSON per second, records/s records per second, both
// on one goroutine.

// benchGeneratedRecords is the size of the generated file: about 75 MB of
// JSON, 11 MB gzipped, like the 60,000-record file of the reference
// baseline (cloudtrail-ingestion.md §5.1).
const benchGeneratedRecords = 60000

type benchInput struct {
	name    string
	gz      []byte
	json    int64 // decompressed size
	records int
}

// plain returns the decompressed file.
func (in benchInput) plain() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(in.gz))
	if err != nil {
		panic(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		panic(err)
	}
	return data
}

// benchInputs returns the benchmark files; each is built on first use.
func benchInputs() []func() (benchInput, error) {
	return []func() (benchInput, error){benchDerived, benchGenerated}
}

var benchDerived = sync.OnceValues(func() (benchInput, error) {
	gz, err := os.ReadFile(derivedLarge)
	if err != nil {
		return benchInput{}, err
	}
	plain, err := derivedJSON()
	if err != nil {
		return benchInput{}, err
	}
	return benchInput{name: "derived-5000", gz: gz, json: int64(len(plain)), records: 5000}, nil
})

// benchGenerated repeats the real records in the real envelope, compressed
// at gzip's default level as CloudTrail's files are.
var benchGenerated = sync.OnceValues(func() (benchInput, error) {
	recs, err := realRecords()
	if err != nil {
		return benchInput{}, err
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	n, err := io.Copy(zw, newRecordStream(recs, benchGeneratedRecords))
	if err != nil {
		return benchInput{}, err
	}
	if err := zw.Close(); err != nil {
		return benchInput{}, err
	}
	return benchInput{name: fmt.Sprintf("generated-%d", benchGeneratedRecords), gz: b.Bytes(), json: n, records: benchGeneratedRecords}, nil
})

// forInputs runs f as a sub-benchmark per input file, building the file
// only when the sub-benchmark is selected.
func forInputs(b *testing.B, f func(b *testing.B, in benchInput)) {
	for i, load := range benchInputs() {
		name := [...]string{"derived-5000", fmt.Sprintf("generated-%d", benchGeneratedRecords)}[i]
		b.Run(name, func(b *testing.B) {
			in, err := load()
			if err != nil {
				b.Fatal(err)
			}
			f(b, in)
		})
	}
}

// clock is the start of a measurement.
type clock struct {
	wall time.Time
	cpu  time.Duration
}

func startClock() clock { return clock{time.Now(), cpuTime()} }

// report adds MB/s of decompressed JSON and records/s, per wall-clock
// second and per CPU second of the process (the benchmarks run on one
// goroutine; CPU time includes the garbage collector's).
func report(b *testing.B, in benchInput, c clock, n int) {
	mb := float64(in.json) * float64(n) / 1e6
	recs := float64(in.records) * float64(n)
	sec := time.Since(c.wall).Seconds()
	b.ReportMetric(mb/sec, "MB/s")
	b.ReportMetric(recs/sec, "records/s")
	if cpu := (cpuTime() - c.cpu).Seconds(); cpu > 0 {
		b.ReportMetric(mb/cpu, "MB/cpu-s")
		b.ReportMetric(recs/cpu, "records/cpu-s")
	}
}

// BenchmarkSplit measures Split on gzip files, with the inflater Split uses
// and, for comparison, with compress/gzip.
func BenchmarkSplit(b *testing.B) {
	forInputs(b, func(b *testing.B, in benchInput) {
		for _, v := range []struct {
			name  string
			cfg   config
			hash  bool
			plain bool // the decompressed file, to see the splitter alone
		}{
			{name: "default"},
			{name: "stdlib-gzip", cfg: config{stdlibGzip: true}},
			{name: "default+sha256", hash: true},
			{name: "plain", plain: true},
		} {
			b.Run(v.name, func(b *testing.B) {
				b.ReportAllocs()
				var opts Options
				if v.hash {
					opts.Hash = sha256.New()
				}
				var sink int
				fn := func(r Record) error {
					sink += len(r.Raw) + len(r.EventName)
					if r.EventTime.IsZero() {
						return fmt.Errorf("record %d has no eventTime", r.Index)
					}
					return nil
				}
				data := in.gz
				if v.plain {
					data = in.plain()
				}
				start := startClock()
				n := 0
				for b.Loop() {
					if opts.Hash != nil {
						opts.Hash.Reset()
					}
					st, err := split(bytes.NewReader(data), opts, fn, v.cfg)
					if err != nil {
						b.Fatal(err)
					}
					if st.Records != in.records {
						b.Fatalf("got %d records, want %d", st.Records, in.records)
					}
					n++
				}
				report(b, in, start, n)
			})
		}
	})
}

// BenchmarkBaselineStdlib is the straightforward standard-library splitter
// of the reference baseline (cloudtrail-ingestion.md §5.1), extracting the
// same fields as Split, for comparison in the same run.
func BenchmarkBaselineStdlib(b *testing.B) {
	forInputs(b, func(b *testing.B, in benchInput) {
		b.ReportAllocs()
		start := startClock()
		n := 0
		for b.Loop() {
			got, err := baselineSplit(bytes.NewReader(in.gz))
			if err != nil {
				b.Fatal(err)
			}
			if got != in.records {
				b.Fatalf("got %d records, want %d", got, in.records)
			}
			n++
		}
		report(b, in, start, n)
	})
}

func baselineSplit(r io.Reader) (int, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return 0, err
	}
	zr.Multistream(false)
	dec := json.NewDecoder(bufio.NewReaderSize(zr, 256<<10))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, fmt.Errorf("no object: %v", err)
	}
	for {
		key, err := dec.Token()
		if err != nil {
			return 0, err
		}
		if key == "Records" {
			break
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, err
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return 0, fmt.Errorf("no array: %v", err)
	}
	n := 0
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return n, err
		}
		var fields struct {
			EventTime time.Time `json:"eventTime"`
			EventName string    `json:"eventName"`
			EventType string    `json:"eventType"`
		}
		if err := json.Unmarshal(raw, &fields); err != nil {
			return n, err
		}
		if fields.EventTime.IsZero() {
			return n, fmt.Errorf("record %d has no eventTime", n)
		}
		n++
	}
	return n, nil
}
