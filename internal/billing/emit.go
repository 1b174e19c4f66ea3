package billing

import (
	"context"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// Batching bounds. A batch is one Write: one channel send instead of one
// per row. Its arena holds the JSON of its events.
const (
	batchEvents = 256
	batchBytes  = 64 << 10
	// recycleEvery batches, the emitter asks the writer (asynchronously)
	// to confirm it has written everything so far; the arenas it had then
	// are reused once it confirms. So at most about 2 x recycleEvery
	// batches (a few MiB) are in flight, and the arenas are not allocated,
	// zeroed and collected again for every batch: that was a third of the
	// CPU time per row.
	recycleEvery = 16
)

type buffers struct {
	batch []modinput.Event
	arena []byte
}

// emitter batches events for the EventWriter. The JSON of a batch's events
// is appended to its arena; the batch and the arena are handed to Write and
// not touched again until a Sync issued after that Write has returned (the
// writer reads Data after Write returns).
type emitter struct {
	w      EventWriter
	cur    buffers
	handed []buffers // written since the last sync was started
	// A sync in progress: it confirms inSync.
	pending chan error
	inSync  []buffers
	free    []buffers
	events  int64
}

func newEmitter(w EventWriter) *emitter {
	e := &emitter{w: w}
	e.cur = e.fresh()
	return e
}

func (e *emitter) fresh() buffers {
	if n := len(e.free); n > 0 {
		b := e.free[n-1]
		e.free = e.free[:n-1]
		return buffers{batch: b.batch[:0], arena: b.arena[:0]}
	}
	return buffers{batch: make([]modinput.Event, 0, batchEvents), arena: make([]byte, 0, batchBytes+batchBytes/4)}
}

// add queues an event whose Data is built by appendData into the arena.
func (e *emitter) add(ctx context.Context, ev modinput.Event, appendData func([]byte) []byte) error {
	start := len(e.cur.arena)
	e.cur.arena = appendData(e.cur.arena)
	ev.Data = e.cur.arena[start:len(e.cur.arena):len(e.cur.arena)]
	e.cur.batch = append(e.cur.batch, ev)
	e.events++
	if len(e.cur.batch) >= batchEvents || len(e.cur.arena) >= batchBytes {
		return e.flush(ctx)
	}
	return nil
}

func (e *emitter) flush(ctx context.Context) error {
	if len(e.cur.batch) == 0 {
		return nil
	}
	if err := e.w.Write(ctx, e.cur.batch...); err != nil {
		return err
	}
	e.handed = append(e.handed, e.cur)
	if len(e.handed) >= recycleEvery {
		if err := e.wait(); err != nil {
			return err
		}
		e.inSync, e.handed = e.handed, nil
		e.pending = make(chan error, 1)
		go func(done chan<- error) { done <- e.w.Sync(ctx) }(e.pending)
	}
	e.cur = e.fresh()
	return nil
}

// wait ends the sync in progress, if any, and frees what it confirmed.
func (e *emitter) wait() error {
	if e.pending == nil {
		return nil
	}
	err := <-e.pending
	e.pending = nil
	if err == nil {
		e.free = append(e.free, e.inSync...)
	}
	e.inSync = nil
	return err
}

// sync flushes the batch and waits until the stream has everything.
func (e *emitter) sync(ctx context.Context) error {
	if err := e.flush(ctx); err != nil {
		return err
	}
	if err := e.wait(); err != nil {
		return err
	}
	if err := e.w.Sync(ctx); err != nil {
		return err
	}
	e.free = append(e.free, e.handed...)
	e.handed = nil
	return nil
}

// finalSync is sync for a run that is being stopped: ctx is already
// cancelled, but what was written can still be confirmed, within a bound,
// so that the checkpoint records it.
func (e *emitter) finalSync(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return e.sync(ctx)
}
