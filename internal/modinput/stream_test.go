package modinput

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n got: %q\nwant: %q", path, got, want)
	}
}

func writeAll(t *testing.T, events ...Event) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out, WriterOptions{})
	if err := w.Write(t.Context(), events...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestWriterGolden(t *testing.T) {
	got := writeAll(t,
		Event{
			Time:       time.Date(2024, 5, 1, 12, 30, 45, 678_900_000, time.UTC),
			Stanza:     `aws_ingest_cloudtrail://prod "main"`,
			Host:       "idx<1>",
			Index:      "aws&co",
			Source:     "s3://bucket/AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/a b.json.gz",
			Sourcetype: "aws:cloudtrail",
			Data:       []byte(`{"eventName":"Describe<Instances>","note":"a&b ]]> é 日本","ctl":"` + "\x01\x7f\r\n\t" + `"}`),
		},
		Event{Data: []byte("no time, no metadata")},
		Event{Time: time.UnixMilli(-1500), Data: []byte("before 1970")},
		Event{Time: time.UnixMilli(1), Data: []byte{0xff, 'x', 0xef, 0xbf, 0xbe}}, // invalid UTF-8, U+FFFE
	)
	golden(t, "stream.golden", got)
}

func TestWriterEmptyStreamWritesNothing(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, WriterOptions{})
	if err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("a stream without events wrote %q, want nothing", out.String())
	}
	if err := w.Write(t.Context(), Event{Data: []byte("late")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

// recorder counts the writes that reach the underlying writer.
type recorder struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	return r.buf.Write(p)
}

func (r *recorder) snapshot() (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String(), r.writes
}

func TestWriterFlushesWithinDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		w := NewWriter(rec, WriterOptions{FlushDelay: 200 * time.Millisecond})
		defer w.Close()
		if err := w.Write(t.Context(), Event{Data: []byte("one")}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if out, _ := rec.snapshot(); out != "" {
			t.Fatalf("flushed before the delay: %q", out)
		}
		time.Sleep(199 * time.Millisecond)
		synctest.Wait()
		if out, _ := rec.snapshot(); out != "" {
			t.Fatalf("flushed before the delay: %q", out)
		}
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		if out, writes := rec.snapshot(); !strings.Contains(out, "<data>one</data>") || writes != 1 {
			t.Fatalf("after the delay: %d writes of %q, want one write with the event", writes, out)
		}
	})
}

func TestWriterBatchesBusyStreams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		w := NewWriter(rec, WriterOptions{BufferSize: 64 << 10})
		data := bytes.Repeat([]byte("x"), 1000)
		for range 10_000 {
			if err := w.Write(t.Context(), Event{Data: data}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out, writes := rec.snapshot()
		if n := strings.Count(out, "<done/>"); n != 10_000 {
			t.Fatalf("%d events written, want 10000", n)
		}
		// ~10.05 MB through a 64 KiB buffer: about 160 writes, not 10,000.
		if writes > 200 {
			t.Errorf("%d writes for 10,000 events, want about one per 64 KiB", writes)
		}
	})
}

func TestWriterSyncMeansFlushed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		w := NewWriter(rec, WriterOptions{FlushDelay: time.Hour})
		defer w.Close()
		for i := range 3 {
			if err := w.Write(t.Context(), Event{Data: []byte{'a' + byte(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		out, _ := rec.snapshot()
		for _, want := range []string{"<data>a</data>", "<data>b</data>", "<data>c</data>"} {
			if !strings.Contains(out, want) {
				t.Errorf("after Sync the output lacks %s: %q", want, out)
			}
		}
		if st := w.Stats(); st.Events != 3 || st.Flushes != 1 {
			t.Errorf("stats = %+v, want 3 events in 1 flush", st)
		}
	})
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

func TestWriterStopsOnBrokenPipe(t *testing.T) {
	var calls []error
	w := NewWriter(brokenPipe{}, WriterOptions{OnError: func(err error) { calls = append(calls, err) }})
	_ = w.Write(t.Context(), Event{Data: []byte("lost")})
	err := w.Sync(t.Context())
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Sync = %v, want EPIPE", err)
	}
	if err := w.Write(t.Context(), Event{Data: []byte("more")}); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write after the failure = %v, want the sticky EPIPE", err)
	}
	if err := w.Close(); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Close = %v, want EPIPE", err)
	}
	if len(calls) != 1 {
		t.Errorf("OnError called %d times, want once", len(calls))
	}
}

func TestWriterWriteHonoursContextWhenFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe() // nobody reads: the writer goroutine blocks on its first flush
		defer pr.Close()
		w := NewWriter(pw, WriterOptions{QueueLen: 1, BufferSize: 16})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		var err error
		for err == nil {
			err = w.Write(ctx, Event{Data: []byte("block me")})
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Write on a full queue = %v, want the context's error", err)
		}
		pr.CloseWithError(syscall.EPIPE)
		_ = w.Close()
	})
}

// FuzzWriter proves that whatever a source hands the writer, the stream is
// well-formed XML and every field comes back as it went in (characters XML
// cannot carry come back as U+FFFD).
func FuzzWriter(f *testing.F) {
	f.Add("stanza", "host", "src", []byte(`{"a":"<b>&c"}`), int64(1700000000123))
	f.Add("a\"b'c", "\r\n\t", "]]>", []byte{0, 1, 0xff, 0xfe, '\r', '\n'}, int64(-1))
	f.Add("", "", "", []byte("\uFFFE\uFFFF\U0010FFFF\uFFFD"), int64(0))
	f.Fuzz(func(t *testing.T, stanza, host, source string, data []byte, ms int64) {
		ev := Event{Stanza: stanza, Host: host, Source: source, Sourcetype: "st", Data: data}
		if ms != 0 {
			ev.Time = time.UnixMilli(ms % (1 << 45))
		}
		out := writeAll(t, ev)
		var doc struct {
			Events []struct {
				Stanza string `xml:"stanza,attr"`
				Time   string `xml:"time"`
				Host   string `xml:"host"`
				Source string `xml:"source"`
				Data   string `xml:"data"`
			} `xml:"event"`
		}
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("stream is not XML: %v\n%q", err, out)
		}
		if len(doc.Events) != 1 {
			t.Fatalf("%d events parsed, want 1", len(doc.Events))
		}
		got := doc.Events[0]
		for _, f := range []struct{ name, got, sent string }{
			{"stanza", got.Stanza, stanza}, {"host", got.Host, host}, {"source", got.Source, source}, {"data", got.Data, string(data)},
		} {
			if want := xmlSafe(f.sent); f.got != want {
				t.Errorf("%s = %q, want %q", f.name, f.got, want)
			}
		}
		if !ev.Time.IsZero() {
			if want := string(appendTime(nil, ev.Time)); got.Time != want {
				t.Errorf("time = %q, want %q", got.Time, want)
			}
		}
	})
}

// xmlSafe is what an XML parser gives back for s: what XML 1.0 cannot
// carry becomes U+FFFD. Written independently of appendEscaped on purpose.
func xmlSafe(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		legal := r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if (r == utf8.RuneError && n == 1) || !legal {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		s = s[n:]
	}
	return b.String()
}

func TestAppendTime(t *testing.T) {
	cases := map[int64]string{0: "0.000", 1: "0.001", 1372274622493: "1372274622.493", -1500: "-1.500", 1999: "1.999"}
	for ms, want := range cases {
		if got := string(appendTime(nil, time.UnixMilli(ms))); got != want {
			t.Errorf("appendTime(%d ms) = %q, want %q", ms, got, want)
		}
	}
}
