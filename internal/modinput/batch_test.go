package modinput

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// A batch encodes exactly what Write would, in the order the items were
// handed over, and keeps nothing of the caller's data.
func TestWriteBatchMatchesWrite(t *testing.T) {
	events := []Event{
		{Time: time.UnixMilli(1714566645678), Source: "s3://b/k<1>", Sourcetype: "aws:cloudtrail", Index: "aws", Data: []byte(`{"a":"<&>"}`)},
		{Host: "h", Data: []byte("plain")},
		{Stanza: `s://"x"`, Data: []byte{0xff, 'x', 0}},
	}
	want := writeAll(t, events...)

	var out bytes.Buffer
	w := NewWriter(&out, WriterOptions{})
	b := NewBatch()
	for i := range events[:2] {
		data := bytes.Clone(events[i].Data)
		ev := events[i]
		ev.Data = data
		b.Add(&ev)
		copy(data, bytes.Repeat([]byte("#"), len(data))) // the caller reuses its buffer
	}
	if b.Len() != 2 || len(b.Bytes()) == 0 {
		t.Fatalf("batch len %d size %d", b.Len(), len(b.Bytes()))
	}
	if err := w.WriteBatch(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(t.Context(), events[2]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch(t.Context(), NewBatch()); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("batch stream differs\n got %q\nwant %q", out.Bytes(), want)
	}
	if st := w.Stats(); st.Events != 3 || st.Bytes != int64(len(want)-len("<stream>\n</stream>\n")) {
		t.Errorf("stats %+v for %d bytes", st, len(want))
	}
}

func TestWriteBatchAfterCloseKeepsTheBatch(t *testing.T) {
	w := NewWriter(&bytes.Buffer{}, WriterOptions{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := NewBatch()
	b.Add(&Event{Data: []byte("x")})
	if err := w.WriteBatch(t.Context(), b); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteBatch after Close = %v", err)
	}
	if b.Len() != 1 {
		t.Errorf("a batch that was not queued was emptied: len %d", b.Len())
	}
}

// A verbatim event is copied as it is: the same bytes as escaping would
// give for safe data, and, for data that is not safe, exactly the data (which
// is why only a producer that proved it safe may say so).
func TestVerbatimData(t *testing.T) {
	safe := []byte(`{"eventName":"RunInstances","n":[1,2],"s":"tab	ok"}`)
	if got, want := appendEvent(nil, &Event{Data: safe, Verbatim: true}), appendEvent(nil, &Event{Data: safe}); !bytes.Equal(got, want) {
		t.Errorf("verbatim safe data differs from escaped:\n got %q\nwant %q", got, want)
	}
	unsafe := []byte(`a<b&c`)
	if got := appendEvent(nil, &Event{Data: unsafe, Verbatim: true}); !bytes.Contains(got, unsafe) {
		t.Errorf("verbatim data was changed: %q", got)
	}
	if got := appendEvent(nil, &Event{Data: unsafe}); bytes.Contains(got, unsafe) {
		t.Errorf("data not marked verbatim was not escaped: %q", got)
	}
}
