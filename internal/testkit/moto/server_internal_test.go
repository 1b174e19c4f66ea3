package moto

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCIRequired(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "1": true, "TRUE": true, "": false, "false": false, "yes": false} {
		t.Setenv("CI", v)
		if got := ciRequired(); got != want {
			t.Errorf("CI=%q: ciRequired() = %v, want %v", v, got, want)
		}
	}
}

func TestEnvironWithout(t *testing.T) {
	t.Setenv("MOTO_PORT", "")
	t.Setenv("MOTO_PORTABLE", "keep")
	env := environWithout("MOTO_PORT")
	if slices.Contains(env, "MOTO_PORT=") {
		t.Error("MOTO_PORT still in the environment")
	}
	if !slices.Contains(env, "MOTO_PORTABLE=keep") {
		t.Error("a variable sharing the prefix was dropped")
	}
}

func TestStartWithoutBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background())
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("err = %v, want ErrNotInstalled", err)
	}
}

// drain must report the URL, survive lines longer than any buffer, keep
// only the tail, and read until EOF so moto never blocks on the pipe.
func TestDrain(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	urls := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		s.drain(r, urls)
		close(done)
	}()

	writeAll := func(s string) {
		if _, err := w.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	writeAll("WARNING: This is a development server.\n")
	writeAll(strings.Repeat("x", 200<<10) + "\n") // longer than bufio's buffer and the tail
	writeAll(" * Running on http://127.0.0.1:35575\nPress CTRL+C to quit\n")
	select {
	case u := <-urls:
		if u != "http://127.0.0.1:35575" {
			t.Errorf("url = %q", u)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no URL reported")
	}
	// Far more than a pipe buffer (64 KiB) after the URL: a writer would
	// block forever if drain had stopped reading.
	for range 100 {
		writeAll(strings.Repeat("log line ", 1000) + "\n")
	}
	_ = w.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("drain did not return at EOF")
	}
	logs := s.Logs()
	if len(logs) > logTail || !strings.HasSuffix(logs, "log line \n") {
		t.Errorf("tail has %d bytes, ending %q", len(logs), logs[max(0, len(logs)-20):])
	}
}

func TestRequireNeedsMain(t *testing.T) {
	shared.mu.Lock()
	was := shared.inMain
	shared.inMain = false
	shared.mu.Unlock()
	defer func() {
		shared.mu.Lock()
		shared.inMain = was
		shared.mu.Unlock()
	}()
	if _, err := sharedServer(t.Context()); !errors.Is(err, errNoMain) {
		t.Errorf("sharedServer outside Main: err = %v, want errNoMain", err)
	}
}
