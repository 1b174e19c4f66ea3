package modinput

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Event is one Splunk event. Empty fields are left out of the XML so that
// splunkd applies the stanza's settings (index, host, sourcetype, source).
type Event struct {
	Time       time.Time // zero: no <time>, Splunk extracts the timestamp
	Stanza     string
	Host       string
	Index      string
	Source     string
	Sourcetype string
	// Data is the event text. The Writer reads it after Write returns, so the
	// caller must not modify it afterwards.
	Data []byte
	// Verbatim says Data needs no XML escaping (ASCII, no & < >, no
	// control byte but tab and line feed), as the producer has proved
	// while reading it (records.Record.XMLSafe): it is copied as it is.
	// A wrong true breaks the stream; when in doubt leave it false.
	Verbatim bool
}

// ErrClosed is returned by Write and Sync after Close.
var ErrClosed = errors.New("modinput: event writer is closed")

// WriterOptions tune a Writer; the zero value gives the defaults.
type WriterOptions struct {
	// QueueLen bounds how many Write calls may wait for the writer
	// goroutine (default 32). A full queue blocks Write: backpressure. It
	// is short on purpose: Sync waits for everything queued, and a source
	// stopping on SIGTERM has only a second or two for that.
	QueueLen int
	// BufferSize is the stdout buffer (default 256 KiB). A full buffer is
	// written at once.
	BufferSize int
	// FlushDelay bounds how long an event may sit in the buffer
	// (default 100 ms), so a quiet source still reaches Splunk promptly
	// while a busy one writes whole buffers, not a syscall per event.
	FlushDelay time.Duration
	// OnError is called once, from the writer goroutine, with the first
	// write error (for example EPIPE when splunkd went away), so the program
	// can stop its sources.
	OnError func(error)
}

// Writer is the single owner of the event stream. Any number of goroutines
// may call Write and Sync; one goroutine encodes and writes, so events never
// interleave. Errors are sticky: after the first failed write every call
// returns it.
type Writer struct {
	opts  WriterOptions
	items chan item
	done  chan struct{}

	mu     sync.RWMutex // Write holds it shared while sending; Close exclusively to close items
	closed bool

	err atomic.Pointer[error]

	events  atomic.Int64
	bytes   atomic.Int64
	flushes atomic.Int64
}

type item struct {
	events []Event
	batch  *Batch
	synced chan error // non-nil: a Sync barrier
}

// NewWriter starts the goroutine that owns w.
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	if opts.QueueLen <= 0 {
		opts.QueueLen = 32
	}
	if opts.BufferSize <= 0 {
		opts.BufferSize = 256 << 10
	}
	if opts.FlushDelay <= 0 {
		opts.FlushDelay = 100 * time.Millisecond
	}
	sw := &Writer{opts: opts, items: make(chan item, opts.QueueLen), done: make(chan struct{})}
	go sw.run(bufio.NewWriterSize(w, opts.BufferSize))
	return sw
}

// Write hands events to the writer. It blocks while the queue is full and
// returns the sticky write error, ctx's error, or ErrClosed.
func (w *Writer) Write(ctx context.Context, events ...Event) error {
	if len(events) == 0 {
		return w.Err()
	}
	return w.send(ctx, item{events: events})
}

// Sync returns once every event handed to Write before this call is written
// to the underlying writer (flushed out of the buffer). A source that must
// not lose data (the CloudTrail input deletes an SQS message) acknowledges
// only after Sync returns nil.
func (w *Writer) Sync(ctx context.Context) error {
	synced := make(chan error, 1)
	if err := w.send(ctx, item{synced: synced}); err != nil {
		return err
	}
	select {
	case err := <-synced:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) send(ctx context.Context, it item) error {
	if err := w.Err(); err != nil {
		return err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.items <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is queued, ends the stream with </stream> when it was
// started, flushes, and returns the first write error. Later calls return
// the same error.
func (w *Writer) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.items)
	}
	w.mu.Unlock()
	<-w.done
	return w.Err()
}

// Err returns the first write error, if any.
func (w *Writer) Err() error {
	if p := w.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Stats are the writer's counters since it started.
type Stats struct {
	Events  int64 // events written to the buffer
	Bytes   int64 // bytes written to the buffer
	Flushes int64 // writes of the buffer to the underlying writer
}

// Stats returns the counters.
func (w *Writer) Stats() Stats {
	return Stats{Events: w.events.Load(), Bytes: w.bytes.Load(), Flushes: w.flushes.Load()}
}

func (w *Writer) run(bw *bufio.Writer) {
	defer close(w.done)
	enc := encoder{bw: bw, w: w}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		select {
		case it, ok := <-w.items:
			if !ok {
				if enc.started {
					enc.writeString("</stream>\n")
				}
				enc.flush()
				timer.Stop()
				return
			}
			if it.synced != nil {
				enc.flush()
				it.synced <- w.Err()
				continue
			}
			for i := range it.events {
				enc.event(&it.events[i])
			}
			if it.batch != nil {
				enc.write(it.batch.buf, it.batch.n)
				it.batch.release()
			}
			if bw.Buffered() > 0 && !armed {
				timer.Reset(w.opts.FlushDelay)
				armed = true
			}
		case <-timer.C:
			armed = false
			enc.flush()
		}
	}
}

// fail records the first error and tells the owner once.
func (w *Writer) fail(err error) {
	if w.err.CompareAndSwap(nil, &err) && w.opts.OnError != nil {
		w.opts.OnError(err)
	}
}

// encoder formats events into the buffer. It is used only by run.
type encoder struct {
	bw      *bufio.Writer
	w       *Writer
	started bool
	scratch []byte
}

func (e *encoder) flush() {
	if e.w.Err() != nil || e.bw.Buffered() == 0 {
		return
	}
	if err := e.bw.Flush(); err != nil {
		e.w.fail(err)
		return
	}
	e.w.flushes.Add(1)
}

func (e *encoder) writeString(s string) {
	if e.w.Err() != nil {
		return
	}
	if _, err := e.bw.WriteString(s); err != nil {
		e.w.fail(err)
	}
}

func (e *encoder) event(ev *Event) {
	if e.w.Err() != nil {
		return // the stream is broken; drop quietly, Write reports the error
	}
	b := appendEvent(e.scratch[:0], ev)
	e.write(b, 1)
	if cap(b) <= 1<<20 {
		e.scratch = b // keep the buffer unless one huge event grew it
	}
}

// write puts encoded events on the stream, opening it first.
func (e *encoder) write(b []byte, events int) {
	if e.w.Err() != nil {
		return
	}
	if !e.started {
		e.writeString("<stream>\n")
		e.started = true
	}
	if _, err := e.bw.Write(b); err != nil {
		e.w.fail(err)
	}
	e.w.events.Add(int64(events))
	e.w.bytes.Add(int64(len(b)))
}

// appendEvent appends ev's <event> element.
func appendEvent(b []byte, ev *Event) []byte {
	b = append(b, "<event"...)
	if ev.Stanza != "" {
		b = append(b, ` stanza="`...)
		b = appendEscapedString(b, ev.Stanza, true)
		b = append(b, '"')
	}
	b = append(b, ` unbroken="1">`...)
	if !ev.Time.IsZero() {
		b = append(b, "<time>"...)
		b = appendTime(b, ev.Time)
		b = append(b, "</time>"...)
	}
	b = appendField(b, "source", ev.Source)
	b = appendField(b, "sourcetype", ev.Sourcetype)
	b = appendField(b, "index", ev.Index)
	b = appendField(b, "host", ev.Host)
	b = append(b, "<data>"...)
	if ev.Verbatim {
		b = append(b, ev.Data...)
	} else {
		b = appendEscaped(b, ev.Data, false)
	}
	return append(b, "</data><done/></event>\n"...)
}

func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscapedString(b, value, false)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendTime writes epoch seconds with exactly three decimals, as every
// Splunk SDK does.
func appendTime(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms < 0 {
		b = append(b, '-')
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}
