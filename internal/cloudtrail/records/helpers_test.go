package records

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

const derivedLarge = "testdata/derived/derived-large-5000rec.json.gz"

// stratusFiles returns the names of the Stratus Red Team detonation logs.
func stratusFiles(tb testing.TB) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "stratus-red-team", "*.json"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no stratus-red-team files: %v", err)
	}
	return names
}

// readArray returns the elements of the bare JSON array in file, as they are
// in the file.
func readArray(tb testing.TB, file string) []json.RawMessage {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(data, &recs); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	return recs
}

// derivedJSON returns the decompressed derived-large file.
var derivedJSON = sync.OnceValues(func() ([]byte, error) {
	f, err := os.Open(derivedLarge)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
})

// realRecords returns the 5000 records of derived-large (minified real
// records), copied out of the file.
var realRecords = sync.OnceValues(func() ([]json.RawMessage, error) {
	data, err := derivedJSON()
	if err != nil {
		return nil, err
	}
	var doc struct{ Records []json.RawMessage }
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return doc.Records, nil
})

func mustRealRecords(tb testing.TB) []json.RawMessage {
	tb.Helper()
	recs, err := realRecords()
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

// gzipBytes compresses data as one gzip member, at CloudTrail's level.
func gzipBytes(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// recordStream is an io.Reader producing {"Records":[...]} with n records
// taken cyclically from recs, without holding the document in memory.
type recordStream struct {
	recs  []json.RawMessage
	n     int  // records still to write
	i     int  // next record of recs
	state int  // 0: header next, 1: records, 2: done
	comma bool // a comma comes before the next record
	pend  []byte
}

func newRecordStream(recs []json.RawMessage, n int) *recordStream {
	return &recordStream{recs: recs, n: n}
}

func (s *recordStream) next() []byte {
	switch {
	case s.state == 0:
		s.state = 1
		return []byte(`{"Records":[`)
	case s.state == 1 && s.n > 0 && s.comma:
		s.comma = false
		return []byte(",")
	case s.state == 1 && s.n > 0:
		r := s.recs[s.i]
		s.i = (s.i + 1) % len(s.recs)
		s.n--
		s.comma = true
		return r
	case s.state == 1:
		s.state = 2
		return []byte(`]}`)
	}
	return nil
}

func (s *recordStream) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if len(s.pend) == 0 {
			if s.pend = s.next(); s.pend == nil {
				if total == 0 {
					return 0, io.EOF
				}
				break
			}
		}
		n := copy(p, s.pend)
		p, s.pend, total = p[n:], s.pend[n:], total+n
	}
	return total, nil
}
