package records

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
)

// stratusRecords returns the 168 real records of the Stratus Red Team
// files, minified: a small set to generate big files from.
func stratusRecords(tb testing.TB) []json.RawMessage {
	tb.Helper()
	var recs []json.RawMessage
	for _, name := range stratusFiles(tb) {
		for _, r := range readArray(tb, name) {
			var b bytes.Buffer
			if err := json.Compact(&b, r); err != nil {
				tb.Fatal(err)
			}
			recs = append(recs, b.Bytes())
		}
	}
	return recs
}

// gzipStream compresses the output of src on the fly, in another
// goroutine, as one gzip member.
func gzipStream(src io.Reader, level int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		zw, err := kgzip.NewWriterLevel(pw, level)
		if err == nil {
			_, err = io.Copy(zw, src)
		}
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// TestMemoryBounded splits a 200 MB stream (20 MB with -short or -race) and checks
// that the heap does not grow with the file: it stays within a few MB of
// where it started, however many records go by.
func TestMemoryBounded(t *testing.T) {
	recs := stratusRecords(t)
	size := 0
	for _, r := range recs {
		size += len(r) + 1
	}
	total := 200 << 20
	if testing.Short() || raceEnabled {
		total = 20 << 20
	}
	n := total / size * len(recs)
	for _, tc := range []struct {
		name string
		gzip bool
		n    int
	}{
		{"plain", false, n},
		{"gzip", true, n / 4}, // compressing costs more than splitting
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src io.Reader = newRecordStream(recs, tc.n)
			if tc.gzip {
				rc := gzipStream(src, kgzip.BestSpeed)
				defer rc.Close()
				src = rc
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			start, peak := ms.HeapInuse, ms.HeapInuse
			st, err := Split(src, Options{}, func(r Record) error {
				if r.Index%20000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != tc.n {
				t.Fatalf("%d records, want %d", st.Records, tc.n)
			}
			grew := int64(peak) - int64(start)
			t.Logf("%d records, %d MB of JSON: heap in use grew by at most %d KB", st.Records, st.DecompressedBytes>>20, grew>>10)
			if grew > 4<<20 {
				t.Errorf("heap in use grew by %d KB while splitting", grew>>10)
			}
		})
	}
}

// TestBigFileRSS splits a 1 GB (decompressed) CloudTrail file, generated
// on the fly from the real records and gzip-compressed into a pipe, and
// reports the peak RSS of the process (VmHWM). It takes tens of seconds, so
// it runs only when asked:
//
//	CLOUDTRAIL_BIG=1 go test -run TestBigFileRSS -v ./internal/cloudtrail/records/
func TestBigFileRSS(t *testing.T) {
	if os.Getenv("CLOUDTRAIL_BIG") == "" {
		t.Skip("set CLOUDTRAIL_BIG=1 to split a 1 GB file")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status")
	}
	recs := stratusRecords(t)
	size := 0
	for _, r := range recs {
		size += len(r) + 1
	}
	n := ((1<<30)/size + 1) * len(recs)
	before := procStatus(t, "VmHWM")
	src := gzipStream(newRecordStream(recs, n), kgzip.DefaultCompression)
	defer src.Close()
	begin := time.Now()
	st, err := Split(src, Options{}, func(Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	hwm := procStatus(t, "VmHWM")
	t.Logf("%d records, %d MB of JSON (%d MB gzip) in %v; peak RSS (VmHWM) %d MB, %d MB before splitting",
		st.Records, st.DecompressedBytes>>20, st.CompressedBytes>>20, time.Since(begin).Round(time.Millisecond), hwm>>20, before>>20)
	if st.DecompressedBytes < 1<<30-1<<20 {
		t.Errorf("only %d bytes of JSON", st.DecompressedBytes)
	}
	if hwm >= 64<<20 {
		t.Errorf("peak RSS %d MB, want < 64 MB", hwm>>20)
	}
}

// procStatus returns a "kB" field of /proc/self/status, in bytes.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal(fmt.Sprintf("no %s in /proc/self/status", field))
	return 0
}
