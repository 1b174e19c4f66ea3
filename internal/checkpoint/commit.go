package checkpoint

import (
	"errors"
	"fmt"
	"time"
)

// Group commit. An update is appended to s.pending and its caller waits.
// Whenever the file is free, one waiting caller becomes the leader: it
// takes everything pending, writes it with one write, syncs it with one
// fsync if any of it needs that, applies it to the table and wakes the
// others. While it does the I/O, new updates gather for the next batch, so
// the number of fsyncs per second stays bounded by the disk's latency while
// the updates per second grow with the number of concurrent callers.

// maxSpare is the largest buffer kept for reuse after a burst.
const maxSpare = 1 << 20

// commit queues r and returns once it is written (durable false) or
// synced (durable true), or the store has failed.
func (s *Store) commit(r *record, durable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return s.err
	}
	s.pending = appendRecord(s.pending, r)
	s.batch = append(s.batch, *r)
	s.seq++
	mine := s.seq
	if durable {
		s.needSync = true
	}
	for {
		if s.synced >= mine || !durable && s.written >= mine {
			return nil
		}
		if s.err != nil {
			return s.err
		}
		if !s.busy {
			s.flushLocked()
			continue
		}
		s.cond.Wait()
	}
}

// flushLocked writes and, if needed, syncs everything pending, then applies
// it to the table. It is called with s.mu held and s.busy false, and
// releases s.mu during the I/O.
func (s *Store) flushLocked() {
	buf, batch, sync, upto := s.pending, s.batch, s.needSync, s.seq
	s.pending, s.batch, s.needSync = s.spare[:0], s.spareBatch[:0], false
	s.busy = true
	f, at := s.f, s.size
	s.mu.Unlock()

	var err error
	if len(buf) > 0 {
		// WriteAt rather than O_APPEND: the store is the file's only
		// writer and knows its size, and on Windows an O_APPEND handle
		// cannot be truncated.
		if _, werr := f.WriteAt(buf, at); werr != nil {
			err = fmt.Errorf("checkpoint %s: write: %w; the store accepts no more updates: restart the input (updates acknowledged before are safe)", s.path, werr)
		}
	}
	if err == nil && sync {
		if serr := f.Sync(); serr != nil {
			err = fmt.Errorf("checkpoint %s: sync: %w; the store accepts no more updates: restart the input (updates acknowledged before are safe)", s.path, serr)
		}
	}
	var live int64
	if err == nil {
		for i := range batch {
			s.tab.apply(&batch[i])
		}
		live = s.tab.liveBytes()
	}

	s.mu.Lock()
	s.busy = false
	if err != nil {
		// The file may now end in a partial batch, and after a failed
		// fsync the kernel may have dropped the data: appending more could
		// not be trusted. Open cuts a torn tail off.
		s.err = err
		s.log.Error(err.Error())
	} else {
		s.size += int64(len(buf))
		s.live = live
		s.written = upto
		if sync {
			s.synced = upto
			s.stats.Syncs++
		}
		s.stats.Updates += int64(len(batch))
		s.maybeCompactLocked()
	}
	if cap(buf) <= maxSpare {
		s.spare, s.spareBatch = buf[:0], batch[:0]
	} else {
		s.spare, s.spareBatch = nil, nil
	}
	s.cond.Broadcast()
}

// maybeCompactLocked starts a background compaction when the log holds
// more garbage than live records, when damage was found at Open, or when
// entries have expired. It is called with s.mu held.
func (s *Store) maybeCompactLocked() {
	if s.compacting || s.closed || s.err != nil {
		return
	}
	now := s.now().Unix()
	garbage := s.size > 2*s.live && s.size-s.live >= s.compactMin
	if !garbage && !s.forceCompact && now < s.nextPrune || now < s.retryAt {
		return
	}
	s.compacting = true
	s.wg.Go(func() {
		err := s.compact()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.compacting = false
		if err != nil && !errors.Is(err, ErrClosed) {
			s.retryAt = s.now().Add(time.Minute).Unix()
			s.stats.Warnings++
			s.log.Warn("checkpoint: compaction failed; the log keeps growing until a retry succeeds", "file", s.path, "err", err)
		}
	})
}
