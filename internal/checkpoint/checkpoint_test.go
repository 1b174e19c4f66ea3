package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func objID(i int64) ObjectID {
	return ObjectID{
		Bucket:  "trail-bucket",
		Key:     fmt.Sprintf("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/123456789012_CloudTrail_us-east-1_20240501T1200Z_%d.json.gz", i),
		Version: fmt.Sprintf("etag-%d", i),
	}
}

func digest(i int64) []byte {
	s := sha256.Sum256([]byte(strconv.FormatInt(i, 10)))
	return s[:]
}

func mustOpen(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustClose(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantState(t testing.TB, s *Store, id ObjectID, want State) {
	t.Helper()
	got, ok := s.Get(id)
	if !ok {
		t.Fatalf("Get(%v): not found, want %+v", id, want)
	}
	if got.Done != want.Done || got.Records != want.Records || !bytes.Equal(got.SHA256, want.SHA256) {
		t.Fatalf("Get(%v) = %+v, want %+v", id, got, want)
	}
}

func wantAbsent(t testing.TB, s *Store, id ObjectID) {
	t.Helper()
	if got, ok := s.Get(id); ok {
		t.Fatalf("Get(%v) = %+v, want not found", id, got)
	}
}

func TestRoundTripAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	if err := s.Done(objID(1), 120, digest(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(objID(2), 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Progress(objID(3), 77); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, objID(1), State{Done: true, Records: 120, SHA256: digest(1)})
	mustClose(t, s)

	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	wantState(t, s, objID(1), State{Done: true, Records: 120, SHA256: digest(1)})
	wantState(t, s, objID(2), State{Done: true, Records: 0})
	wantState(t, s, objID(3), State{Records: 77})
	wantAbsent(t, s, objID(4))
	st := s.Stats()
	if st.Entries != 3 || st.WithSHA256 != 1 || st.Warnings != 0 {
		t.Errorf("stats = %+v", st)
	}
	if want := int64(headerSize + 2*recSize + recSizeSHA); st.FileBytes != want || st.LiveBytes != want {
		t.Errorf("file %d live %d bytes, want %d", st.FileBytes, st.LiveBytes, want)
	}
}

func TestProgressThenDone(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	id := objID(1)
	steps := []struct {
		do   func() error
		want State
	}{
		{func() error { return s.Progress(id, 10) }, State{Records: 10}},
		{func() error { return s.Progress(id, 25) }, State{Records: 25}},
		{func() error { return s.Progress(id, 20) }, State{Records: 25}}, // never goes back
		{func() error { return s.Done(id, 40, nil) }, State{Done: true, Records: 40}},
		{func() error { return s.Progress(id, 50) }, State{Done: true, Records: 40}}, // Done is final
		{func() error { return s.Done(id, 41, digest(1)) }, State{Done: true, Records: 41, SHA256: digest(1)}},
		{func() error { return s.Done(id, 41, nil) }, State{Done: true, Records: 41, SHA256: digest(1)}}, // keeps the sum
	}
	for i, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		wantState(t, s, id, step.want)
	}
	mustClose(t, s)
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	wantState(t, s, id, steps[len(steps)-1].want)
}

func TestObjectIdentity(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	defer mustClose(t, s)
	base := ObjectID{Bucket: "b", Key: "AWSLogs/x.json.gz", Version: "abc"}
	if err := s.Done(base, 1, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []ObjectID{
		{Bucket: "b", Key: "AWSLogs/x.json.gz", Version: `"abc"`}, // quoted ETag from GetObject
	} {
		wantState(t, s, id, State{Done: true, Records: 1})
	}
	for _, id := range []ObjectID{
		{Bucket: "b", Key: "AWSLogs/x.json.gz", Version: "abd"}, // rewritten object
		{Bucket: "b", Key: "AWSLogs/x.json.gz"},
		{Bucket: "bA", Key: "WSLogs/x.json.gz", Version: "abc"}, // same concatenation
		{Bucket: "b", Key: "AWSLogs/x.json.gzabc"},
		{Bucket: "c", Key: "AWSLogs/x.json.gz", Version: "abc"},
	} {
		wantAbsent(t, s, id)
	}
}

func TestInvalidUpdates(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	defer mustClose(t, s)
	for name, err := range map[string]error{
		"negative progress": s.Progress(objID(1), -1),
		"negative done":     s.Done(objID(1), -1, nil),
		"huge count":        s.Done(objID(1), maxRecords+1, nil),
		"short sha":         s.Done(objID(1), 1, make([]byte, 31)),
	} {
		if err == nil || !strings.Contains(err.Error(), "s3://trail-bucket/") {
			t.Errorf("%s: err = %v, want one naming the object", name, err)
		}
	}
	wantAbsent(t, s, objID(1))
}

func TestConcurrentDoneThenReopen(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	const goroutines, each = 32, 40
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := int64(g*each + i)
				if n%2 == 0 {
					if err := s.Progress(objID(n), n/2); err != nil {
						t.Error(err)
						return
					}
				}
				if err := s.Done(objID(n), n, digest(n)); err != nil {
					t.Error(err)
					return
				}
				wantState(t, s, objID(n), State{Done: true, Records: n, SHA256: digest(n)})
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	t.Logf("%d updates in %d fsyncs", st.Updates, st.Syncs)
	mustClose(t, s)

	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	for n := range int64(goroutines * each) {
		wantState(t, s, objID(n), State{Done: true, Records: n, SHA256: digest(n)})
	}
	if st := s.Stats(); st.Entries != goroutines*each || st.Warnings != 0 {
		t.Errorf("stats after reopen = %+v", st)
	}
}

// fixedTime makes logs byte-for-byte reproducible.
var fixedTime = Options{Now: newClock().Now}

// writeStore creates a store holding Done entries 0..n-1, every third with
// a SHA-256, and returns its log's bytes.
func writeStore(t *testing.T, dir string, n int64) []byte {
	t.Helper()
	s := mustOpen(t, dir, fixedTime)
	for i := range n {
		var sum []byte
		if i%3 == 2 {
			sum = digest(i)
		}
		if err := s.Done(objID(i), i, sum); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, s)
	b, err := os.ReadFile(filepath.Join(dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func doneState(i int64) State {
	st := State{Done: true, Records: i}
	if i%3 == 2 {
		st.SHA256 = digest(i)
	}
	return st
}

func TestTornTailIsCutOff(t *testing.T) {
	full := writeStore(t, t.TempDir(), 3) // entry 2 has a SHA-256: the last record is 67 bytes
	last := len(full) - recSizeSHA
	for cut := last + 1; cut < len(full); cut++ {
		dir := t.TempDir()
		path := filepath.Join(dir, logName)
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, fixedTime)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		wantState(t, s, objID(0), doneState(0))
		wantState(t, s, objID(1), doneState(1))
		wantAbsent(t, s, objID(2))
		st := s.Stats()
		if st.TruncatedBytes != int64(cut-last) || st.FileBytes != int64(last) || st.Warnings != 1 || st.CorruptRegions != 0 {
			t.Fatalf("cut at %d: stats %+v", cut, st)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != int64(last) {
			t.Fatalf("cut at %d: file not truncated to %d: %v %v", cut, last, fi.Size(), err)
		}
		// The store goes on appending after the cut.
		if err := s.Done(objID(2), 2, digest(2)); err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		if b, _ := os.ReadFile(path); !bytes.Equal(b, full) {
			t.Fatalf("cut at %d: rewritten log differs", cut)
		}
	}
}

func TestZeroFilledTailIsCutOff(t *testing.T) {
	dir := t.TempDir()
	full := writeStore(t, dir, 4)
	// What some file systems show after a power loss: the size grew, the
	// data did not make it.
	if err := os.WriteFile(filepath.Join(dir, logName), append(full, make([]byte, 4096)...), 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir, fixedTime)
	defer mustClose(t, s)
	for i := range int64(4) {
		wantState(t, s, objID(i), doneState(i))
	}
	if st := s.Stats(); st.TruncatedBytes != 4096 || st.FileBytes != int64(len(full)) {
		t.Errorf("stats %+v", st)
	}
}

func TestFlippedByteInTheMiddleIsSkipped(t *testing.T) {
	full := writeStore(t, t.TempDir(), 6) // records 35,35,67,35,35,67 bytes
	at := headerSize + 2*recSize          // record of entry 2
	for i := at; i < at+recSizeSHA; i++ {
		for _, flip := range []byte{byte(1) << (i % 8)} {
			dir := t.TempDir()
			damaged := bytes.Clone(full)
			damaged[i] ^= flip
			if err := os.WriteFile(filepath.Join(dir, logName), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			s, err := Open(dir, Options{Now: fixedTime.Now, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			if err != nil {
				t.Fatalf("byte %d ^ %#x: %v", i, flip, err)
			}
			for _, n := range []int64{0, 1, 3, 4, 5} {
				wantState(t, s, objID(n), doneState(n))
			}
			wantAbsent(t, s, objID(2))
			st := s.Stats()
			if st.CorruptRegions != 1 || st.CorruptBytes != recSizeSHA || st.TruncatedBytes != 0 || st.Warnings != 1 {
				t.Fatalf("byte %d ^ %#x: stats %+v", i, flip, st)
			}
			mustClose(t, s) // waits for the compaction that drops the damage
			if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "damaged stretch") ||
				!strings.Contains(logged.String(), fmt.Sprintf("offset=%d", at)) {
				t.Fatalf("log = %s", logged.String())
			}

			s = mustOpen(t, dir, fixedTime)
			if st := s.Stats(); st.Warnings != 0 || st.Entries != 5 || st.FileBytes != st.LiveBytes {
				t.Fatalf("byte %d ^ %#x: after rewrite: stats %+v", i, flip, st)
			}
			mustClose(t, s)
		}
	}
}

func TestGarbageBetweenRecordsIsSkipped(t *testing.T) {
	dir := t.TempDir()
	full := writeStore(t, dir, 4)
	at := headerSize + 2*recSize
	junk := bytes.Repeat([]byte("not a record "), 40)
	damaged := append(append(bytes.Clone(full[:at]), junk...), full[at:]...)
	if err := os.WriteFile(filepath.Join(dir, logName), damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir, fixedTime)
	defer mustClose(t, s)
	for i := range int64(4) {
		wantState(t, s, objID(i), doneState(i))
	}
	if st := s.Stats(); st.CorruptRegions != 1 || st.CorruptBytes != int64(len(junk)) {
		t.Errorf("stats %+v", st)
	}
}

func TestRetentionPrunesAtOpen(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	opts := Options{Now: c.Now, Retention: 14 * 24 * time.Hour}
	s := mustOpen(t, dir, opts)
	if err := s.Done(objID(1), 1, digest(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Progress(objID(2), 2); err != nil {
		t.Fatal(err)
	}
	c.Add(10 * 24 * time.Hour)
	if err := s.Done(objID(3), 3, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Progress(objID(2), 5); err != nil { // refreshes entry 2
		t.Fatal(err)
	}
	mustClose(t, s)

	c.Add(5 * 24 * time.Hour) // entry 1 is 15 days old, 2 and 3 are 5 days old
	s = mustOpen(t, dir, opts)
	wantAbsent(t, s, objID(1))
	wantState(t, s, objID(2), State{Records: 5})
	wantState(t, s, objID(3), State{Done: true, Records: 3})
	if st := s.Stats(); st.Pruned != 1 || st.Entries != 2 || st.WithSHA256 != 0 {
		t.Errorf("stats %+v", st)
	}
	mustClose(t, s)

	c.Add(10 * 24 * time.Hour)
	s = mustOpen(t, dir, opts)
	defer mustClose(t, s)
	// Entry 1's record is still in the (small, never compacted) log.
	if st := s.Stats(); st.Pruned != 3 || st.Entries != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestRetentionPrunesByCompaction(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	opts := Options{Now: c.Now, Retention: time.Hour}
	s := mustOpen(t, dir, opts)
	for i := range int64(10) {
		if err := s.Done(objID(i), i, nil); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(50 * time.Minute)
	for i := int64(5); i < 10; i++ {
		if err := s.Done(objID(i), i+100, nil); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(20 * time.Minute)
	if err := s.compact(); err != nil {
		t.Fatal(err)
	}
	for i := range int64(5) {
		wantAbsent(t, s, objID(i))
	}
	for i := int64(5); i < 10; i++ {
		wantState(t, s, objID(i), State{Done: true, Records: i + 100})
	}
	st := s.Stats()
	if st.Pruned != 5 || st.Entries != 5 || st.FileBytes != st.LiveBytes || st.FileBytes != int64(headerSize+5*recSize) {
		t.Errorf("stats %+v", st)
	}
	mustClose(t, s)
	s = mustOpen(t, dir, opts)
	defer mustClose(t, s)
	if got := s.Stats(); got.Entries != 5 || got.Pruned != 0 {
		t.Errorf("after reopen: %+v", got)
	}
}

func TestExpiredEntriesTriggerACompaction(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	s := mustOpen(t, dir, Options{Now: c.Now, Retention: 14 * time.Hour})
	if err := s.Done(objID(1), 1, nil); err != nil {
		t.Fatal(err)
	}
	c.Add(15 * time.Hour)
	if err := s.Done(objID(2), 2, nil); err != nil { // this commit notices the expiry
		t.Fatal(err)
	}
	s.wg.Wait()
	wantAbsent(t, s, objID(1))
	wantState(t, s, objID(2), State{Done: true, Records: 2})
	if st := s.Stats(); st.Compactions != 1 || st.Pruned != 1 {
		t.Errorf("stats %+v", st)
	}
	mustClose(t, s)
}

func TestCompactionKeepsLiveEntriesAndShrinks(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	want := map[int64]State{}
	for round := range int64(20) {
		for i := range int64(100) {
			if err := s.Progress(objID(i), round*10+i); err != nil {
				t.Fatal(err)
			}
			want[i] = State{Records: round*10 + i}
		}
	}
	for i := int64(0); i < 100; i += 2 {
		if err := s.Done(objID(i), 1000+i, digest(i)); err != nil {
			t.Fatal(err)
		}
		want[i] = State{Done: true, Records: 1000 + i, SHA256: digest(i)}
	}
	before := s.Stats()
	if err := s.compact(); err != nil {
		t.Fatal(err)
	}
	after := s.Stats()
	if after.FileBytes != after.LiveBytes || after.FileBytes >= before.FileBytes/10 || after.Compactions != 1 {
		t.Errorf("before %+v\nafter %+v", before, after)
	}
	check := func() {
		t.Helper()
		for i, st := range want {
			wantState(t, s, objID(i), st)
		}
	}
	check()
	// Updates after the switch land in the new file.
	if err := s.Done(objID(1), 7, nil); err != nil {
		t.Fatal(err)
	}
	want[1] = State{Done: true, Records: 7}
	mustClose(t, s)
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	check()
	if got := s.Stats(); got.Warnings != 0 || got.Entries != 100 {
		t.Errorf("after reopen: %+v", got)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, tmpGlob)); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

func TestCompactionDoesNotLoseConcurrentUpdates(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	const writers, each = 8, 150
	done := make(chan struct{})
	var compactions int
	var cerr error
	go func() {
		defer close(done)
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := s.compact(); err != nil {
				cerr = err
				return
			}
			compactions++
			if compactions == 1000 {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				n := int64(w*each + i)
				if err := s.Progress(objID(n), 1); err != nil {
					t.Error(err)
					return
				}
				if err := s.Done(objID(n), n, digest(n)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case done <- struct{}{}:
		<-done
	case <-done:
	}
	if cerr != nil {
		t.Fatal(cerr)
	}
	t.Logf("%d compactions during %d updates", compactions, 2*writers*each)
	for n := range int64(writers * each) {
		wantState(t, s, objID(n), State{Done: true, Records: n, SHA256: digest(n)})
	}
	mustClose(t, s)
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	for n := range int64(writers * each) {
		wantState(t, s, objID(n), State{Done: true, Records: n, SHA256: digest(n)})
	}
	if st := s.Stats(); st.Warnings != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBackgroundCompaction(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	s.mu.Lock()
	s.compactMin = 4 << 10
	s.mu.Unlock()
	for i := range int64(2000) {
		if err := s.Progress(objID(i%10), i); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, s) // waits for a compaction in flight
	st := s.Stats()
	if st.Compactions == 0 || st.FileBytes > 2*st.LiveBytes+(4<<10)+maxSpare {
		t.Errorf("stats %+v", st)
	}
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	for i := range int64(10) {
		wantState(t, s, objID(i), State{Records: 1990 + i})
	}
}

func TestUpdatesAfterClose(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	if err := s.Done(objID(1), 1, nil); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	if err := s.Done(objID(2), 2, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Done after Close: %v", err)
	}
	if err := s.Progress(objID(2), 2); !errors.Is(err, ErrClosed) {
		t.Errorf("Progress after Close: %v", err)
	}
	wantState(t, s, objID(1), State{Done: true, Records: 1})
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenCreatesThePrivateFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cloudtrail%3A%2F%2Fprod")
	s := mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Join(dir, logName)); err != nil || fi.Size() != int64(headerSize) {
		t.Errorf("log: %v %v", fi, err)
	}
}

func TestSecondOpenOfTheSameFolderFails(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock on Windows")
	}
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "in use by process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second Open: %v", err)
	}
	mustClose(t, s)
	mustClose(t, mustOpen(t, dir, Options{}))
}

func TestOpenRejectsFilesItCannotUse(t *testing.T) {
	good := writeStore(t, t.TempDir(), 2)
	hdr := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, 2)...)
	hdr = append(hdr, good[len(magic)+4:headerSize-4]...)
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(hdr, castagnoli))
	newer := append(hdr, good[headerSize:]...)
	damaged := bytes.Clone(good)
	damaged[20] ^= 1
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"other file":     {[]byte("city,country\nParis,France\n" + strings.Repeat("x", 64)), "not a checkpoint log"},
		"damaged header": {damaged, "header is damaged"},
		"newer format":   {newer, "format version 2"},
		"short":          {good[:10], "too short"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, logName)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) ||
				!strings.Contains(err.Error(), "remove the file to start over") {
				t.Fatalf("err = %v", err)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tc.content) {
				t.Error("Open changed a file it could not use")
			}
			// The lock was released.
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			mustClose(t, mustOpen(t, dir, Options{}))
		})
	}
}

func TestEmptyFileIsANewStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, logName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir, Options{})
	if err := s.Done(objID(1), 1, nil); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	wantState(t, s, objID(1), State{Done: true, Records: 1})
}

func TestLeftoverCompactionFileIsRemoved(t *testing.T) {
	dir := t.TempDir()
	writeStore(t, dir, 2)
	stray := filepath.Join(dir, ".checkpoint.log.tmp-123")
	if err := os.WriteFile(stray, []byte("half a compaction"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir, fixedTime)
	defer mustClose(t, s)
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stray file: %v", err)
	}
	wantState(t, s, objID(1), doneState(1))
}

func TestSyncProgress(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{SyncProgress: true})
	defer mustClose(t, s)
	if err := s.Progress(objID(1), 5); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Syncs != 1 {
		t.Errorf("syncs = %d, want 1", st.Syncs)
	}
}

func TestProgressWithoutSyncIsSyncedByClose(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	if err := s.Progress(objID(1), 5); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Syncs != 0 || st.Updates != 1 {
		t.Errorf("stats %+v", st)
	}
	if err := s.Progress(objID(1), 5); err != nil { // covered: not written again
		t.Fatal(err)
	}
	mustClose(t, s)
	if st := s.Stats(); st.Syncs != 1 || st.Updates != 1 {
		t.Errorf("after Close: %+v", st)
	}
}

func TestWriteFailureStopsTheStore(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	if err := s.Done(objID(1), 1, nil); err != nil {
		t.Fatal(err)
	}
	s.f.Close() // every write fails from now on
	err := s.Done(objID(2), 2, nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, logName)) || !strings.Contains(err.Error(), "restart the input") {
		t.Fatalf("Done on a broken file: %v", err)
	}
	if err2 := s.Progress(objID(3), 3); err2 != err {
		t.Errorf("later update: %v, want the same error", err2)
	}
	wantAbsent(t, s, objID(2)) // not applied: it may not be on disk
	if cerr := s.Close(); cerr != err {
		t.Errorf("Close: %v, want the same error", cerr)
	}
	s = mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	wantState(t, s, objID(1), State{Done: true, Records: 1})
}
