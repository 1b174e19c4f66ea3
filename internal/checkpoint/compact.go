package checkpoint

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"
)

// acquire waits until the file is free and takes it: no batch is written
// until release. Get is not affected.
func (s *Store) acquire() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy {
		s.cond.Wait()
	}
	if s.err != nil {
		return s.err
	}
	if s.f == nil {
		return ErrClosed
	}
	s.busy = true
	return nil
}

func (s *Store) release() {
	s.mu.Lock()
	s.busy = false
	s.cond.Broadcast()
	s.mu.Unlock()
}

// compact rewrites the log with one record per live entry, dropping
// expired entries, and switches to it. Updates keep flowing while it runs:
//
//  1. With the file held, it notes the log's size and copies the table,
//     which at that moment is exactly the replay of those bytes. Writers
//     wait for this copy (a memory copy: about 10 ms per million entries);
//     Get does not.
//  2. With the file free again, it writes the copy as records to a
//     temporary file in the same folder, syncing every few megabytes so
//     that writers' fsyncs never queue behind one huge flush.
//  3. With the file held again, it appends the records written since step 1
//     (a plain byte copy of the log's tail), fsyncs, renames the temporary
//     file over the log, fsyncs the folder and reopens.
//
// This is internal/atomicfile's temp+fsync+rename+fsync-folder, done by
// hand because writers must be held across the tail copy, the rename and
// the switch of file handles, but not during the bulk write.
//
// A crash at any point leaves either the old log or the new one, each
// holding every acknowledged update; a stray temporary file is removed by
// the next Open.
func (s *Store) compact() (err error) {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	start := time.Now()

	// 1. Snapshot.
	if err := s.acquire(); err != nil {
		return err
	}
	from := s.size // read under busy: no batch is being written
	now := s.now()
	cutoff := s.cutoff(now)
	snap := s.tab.snapshot()
	s.release()

	// 2. Write the snapshot.
	tmp, err := os.CreateTemp(s.dir, tmpGlob)
	if err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	w := &syncingWriter{f: tmp}
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.Write(appendHeader(nil, &s.salt))
	snap.write(bw, cutoff)
	snap = nil // let the copy go before the next step
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	written := w.n

	// 3. Append the tail and switch.
	if err := s.acquire(); err != nil {
		return err
	}
	switched := false
	defer func() {
		if !switched {
			s.release()
		}
	}()
	end := s.size
	if _, err := io.Copy(tmp, io.NewSectionReader(s.f, from, end-from)); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: copy the tail: %w", s.path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, err)
	}
	// Windows cannot rename over an open file, so close the log first.
	s.f.Close()
	s.f = nil
	if rerr := os.Rename(tmp.Name(), s.path); rerr != nil {
		f, oerr := os.OpenFile(s.path, os.O_RDWR, 0)
		if oerr != nil {
			return s.fail(fmt.Errorf("checkpoint %s: compaction: %w; reopening the log failed too: %w; restart the input", s.path, rerr, oerr))
		}
		s.f = f
		return fmt.Errorf("checkpoint %s: compaction: %w", s.path, rerr)
	}
	// From here the new file is the log: no way back.
	if serr := syncDir(s.dir); serr != nil {
		// Without the folder synced, a machine crash could bring the old
		// log back and lose what is acknowledged after this point.
		return s.fail(fmt.Errorf("checkpoint %s: sync folder %s after a compaction: %w; restart the input", s.path, s.dir, serr))
	}
	f, oerr := os.OpenFile(s.path, os.O_RDWR, 0)
	if oerr != nil {
		return s.fail(fmt.Errorf("checkpoint %s: reopen after a compaction: %w; restart the input", s.path, oerr))
	}

	s.mu.Lock()
	s.f = f
	s.size = written + end - from
	s.stats.Compactions++
	s.forceCompact = false
	s.busy = false
	switched = true
	s.cond.Broadcast()
	s.mu.Unlock()

	// Drop from memory what the snapshot left out as expired. An entry
	// updated since is kept: its new record is in the copied tail or
	// after it. Writers do not wait for this.
	pruned, oldest, any := s.tab.prune(cutoff)
	s.mu.Lock()
	s.live = s.tab.liveBytes()
	s.stats.Pruned += pruned
	s.schedulePrune(now, oldest, any)
	s.mu.Unlock()
	s.log.Debug("checkpoint: compaction", "file", s.path, "entries", s.tab.entries.Load(), "pruned", pruned,
		"bytes_before", end, "bytes_after", written+end-from, "took", time.Since(start))
	return nil
}

// fail makes err sticky and returns it; the caller holds the file.
func (s *Store) fail(err error) error {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	s.log.Error(err.Error())
	return err
}

// syncEvery is how many bytes of a compaction are written between fsyncs.
const syncEvery = 4 << 20

// syncingWriter writes to f and fsyncs it every syncEvery bytes. With
// ext4's ordered journaling, a writer's fsync of the log can wait for the
// writeback of other dirty files; flushing the compaction's output bit by
// bit keeps that wait short.
type syncingWriter struct {
	f        *os.File
	n        int64 // bytes written
	unsynced int64
}

func (w *syncingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.n += int64(n)
	w.unsynced += int64(n)
	if err == nil && w.unsynced >= syncEvery {
		w.unsynced = 0
		err = w.f.Sync()
	}
	return n, err
}
