package modinput

import (
	"context"
	"sync"
)

// Batch is events encoded by the goroutine that produced them. A source
// with many workers escapes its records in parallel, instead of in the
// single writer goroutine, and needs no copy of the data past Add: the
// record's bytes may be reused as soon as Add returns.
type Batch struct {
	buf []byte
	n   int
}

// maxPooledBatch is the largest buffer kept for reuse; a batch grown by
// one huge record is dropped.
const maxPooledBatch = 4 << 20

var batches = sync.Pool{New: func() any { return &Batch{buf: make([]byte, 0, 256<<10)} }}

// NewBatch returns an empty batch (from a pool: the writer returns written
// batches to it).
func NewBatch() *Batch { return batches.Get().(*Batch) }

// Add encodes ev. ev.Data is not kept.
func (b *Batch) Add(ev *Event) {
	b.buf = appendEvent(b.buf, ev)
	b.n++
}

// Len is the number of events added.
func (b *Batch) Len() int { return b.n }

// Bytes are the encoded <event> elements, valid until the batch is
// written.
func (b *Batch) Bytes() []byte { return b.buf }

func (b *Batch) release() {
	if cap(b.buf) > maxPooledBatch {
		return
	}
	b.buf, b.n = b.buf[:0], 0
	batches.Put(b)
}

// WriteBatch hands b to the writer, which owns it from then on: the caller
// must not use b again and takes a NewBatch for the next events. On error b
// was not queued and stays the caller's. An empty batch is not queued.
func (w *Writer) WriteBatch(ctx context.Context, b *Batch) error {
	if b.n == 0 {
		return w.Err()
	}
	return w.send(ctx, item{batch: b})
}
