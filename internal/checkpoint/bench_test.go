package checkpoint

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The figures in doc.go come from:
//
//	go test -run '^$' -bench Done -benchtime 5000x ./internal/checkpoint/
//	go test -run '^$' -bench '1M|Get' -benchtime 5x ./internal/checkpoint/

// BenchmarkDone measures acknowledged (fsynced) Done calls per second with
// 1 and 16 concurrent callers.
func BenchmarkDone(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), Options{})
			defer s.Close()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range writers {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if err := s.Done(objID(i), i, digest(i)); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			b.ReportMetric(float64(s.Stats().Syncs)/float64(b.N), "fsyncs/op")
		})
	}
}

// BenchmarkGet measures a lookup in a store of 100,000 entries, half of
// them present.
func BenchmarkGet(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	writeLog(b, dir, n, false)
	s := mustOpen(b, dir, Options{})
	defer s.Close()
	ids := make([]ObjectID, 2*n)
	for i := range ids {
		ids[i] = objID(int64(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Get(ids[i%len(ids)])
		i++
	}
}

// writeLog writes a store of n Done entries straight to disk (going
// through Done would take n fsyncs), every entry with a SHA-256 if sha.
func writeLog(b *testing.B, dir string, n int64, sha bool) {
	s := mustOpen(b, dir, Options{})
	salt := s.salt
	mustClose(b, s)
	f, err := os.OpenFile(filepath.Join(dir, logName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	now := unixSeconds(time.Now().Unix())
	var buf []byte
	for i := range n {
		r := record{kind: kindDone, key: objectKey(&salt, objID(i)), updated: now, records: i}
		if sha {
			r.kind = kindDoneSHA
			copy(r.sha[:], digest(i))
		}
		buf = appendRecord(buf[:0], &r)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOpen1M measures opening a store of a million entries, and the
// heap and disk bytes per entry.
func BenchmarkOpen1M(b *testing.B) {
	const n = 1_000_000
	for _, sha := range []bool{false, true} {
		b.Run(fmt.Sprintf("sha256=%v", sha), func(b *testing.B) {
			dir := b.TempDir()
			writeLog(b, dir, n, sha)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s := mustOpen(b, dir, Options{})
			runtime.GC()
			runtime.ReadMemStats(&after)
			if got := s.Stats().Entries; got != n {
				b.Fatalf("%d entries", got)
			}
			heap := float64(after.HeapAlloc-before.HeapAlloc) / n
			if err := s.compact(); err != nil {
				b.Fatal(err)
			}
			disk := float64(s.Stats().FileBytes) / n
			runtime.KeepAlive(s)
			mustClose(b, s)

			b.ResetTimer()
			for b.Loop() {
				s := mustOpen(b, dir, Options{})
				s.Close()
			}
			b.ReportMetric(heap, "heap-B/entry")
			b.ReportMetric(disk, "disk-B/entry")
		})
	}
}

// BenchmarkCompact1M measures a compaction of a million entries while a
// writer keeps calling Done, and the longest Done call meanwhile: how long
// writers wait for the snapshot and the switch.
func BenchmarkCompact1M(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	writeLog(b, dir, n, false)
	s := mustOpen(b, dir, Options{})
	defer s.Close()
	var worst time.Duration
	for b.Loop() {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var slowest time.Duration
		wg.Go(func() {
			for i := int64(n); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if err := s.Done(objID(i), i, nil); err != nil {
					b.Error(err)
					return
				}
				slowest = max(slowest, time.Since(start))
			}
		})
		if err := s.compact(); err != nil {
			b.Fatal(err)
		}
		close(stop)
		wg.Wait()
		worst = max(worst, slowest)
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-Done-ms")
}
