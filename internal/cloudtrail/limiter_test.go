package cloudtrail

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

func TestLimiterStartsSmallAndGrowsWhileWorkWaits(t *testing.T) {
	l := newLimiter(8)
	if limit, _ := l.current(); limit != 4 {
		t.Fatalf("initial limit %d, want 4", limit)
	}
	got := fill(t, l, 4) // a fifth worker waits...
	select {
	case <-got:
		t.Fatal("acquired beyond the limit")
	case <-time.After(20 * time.Millisecond):
	}
	// ...so a finished object grows the limit by one, and the waiter gets in
	// (the released slot plus the new one: 5 may run).
	l.release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if limit, active := l.current(); limit != 5 || active != 4 {
		t.Errorf("after a release with a waiter: limit %d active %d, want 5 and 4", limit, active)
	}
	// Without a waiter the limit stays.
	l.release()
	if limit, active := l.current(); limit != 5 || active != 3 {
		t.Errorf("after a release without a waiter: limit %d active %d, want 5 and 3", limit, active)
	}
}

func TestLimiterNeverExceedsMaxWorkers(t *testing.T) {
	l := newLimiter(2)
	got := fill(t, l, 2)
	for range 3 {
		l.release()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		got = wait(t, l)
	}
	if limit, active := l.current(); limit != 2 || active != 2 {
		t.Errorf("limit %d active %d, want both 2 (max_workers)", limit, active)
	}
}

func TestLimiterCutsOnCongestionOncePerInterval(t *testing.T) {
	l := newLimiter(16)
	l.limit = 16
	now := time.Unix(1_700_000_000, 0)
	l.now = func() time.Time { return now }

	l.observe(false)
	if limit, _ := l.current(); limit != 16 {
		t.Fatalf("cut without congestion: %d", limit)
	}
	l.observe(true)
	l.observe(true) // the same congested moment, seen by another worker
	if limit, _ := l.current(); limit != 12 {
		t.Fatalf("after congestion: limit %d, want 12 (cut by a quarter, once)", limit)
	}
	for range 20 {
		now = now.Add(cutInterval)
		l.observe(true)
	}
	if limit, _ := l.current(); limit != 1 {
		t.Errorf("sustained congestion: limit %d, want 1", limit)
	}

	// No growth while congestion is recent, even with the limit full and
	// work waiting.
	l.waiting = 1
	l.active = 1
	l.release()
	if limit, _ := l.current(); limit != 1 {
		t.Errorf("grew right after congestion: %d", limit)
	}
	now = now.Add(cutInterval)
	l.active = 1
	l.release()
	if limit, _ := l.current(); limit != 2 {
		t.Errorf("did not grow once stdout kept up: %d", limit)
	}
}

func TestLimiterAcquireHonoursContext(t *testing.T) {
	l := newLimiter(1)
	if err := l.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if err := l.acquire(ctx); err != context.DeadlineExceeded {
		t.Errorf("acquire at the limit = %v, want the context's error", err)
	}
	if l.waiting != 0 {
		t.Errorf("a cancelled waiter is still counted: %d", l.waiting)
	}
}

// fill takes n slots, then starts one more acquire, which waits; its result
// comes on the channel.
func fill(t *testing.T, l *limiter, n int) chan error {
	t.Helper()
	for range n {
		if err := l.acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return wait(t, l)
}

// wait starts an acquire and returns once it waits.
func wait(t *testing.T, l *limiter) chan error {
	t.Helper()
	got := make(chan error, 1)
	go func() { got <- l.acquire(t.Context()) }()
	waitUntil(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.waiting == 1 })
	return got
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// finalMetrics returns the metrics event written at the stop.
func (h *harness) finalMetrics() map[string]any {
	h.t.Helper()
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	var last map[string]any
	for _, ev := range append(h.sink.flushed, h.sink.pending...) {
		if ev.Sourcetype == MetricsSourcetype {
			last = nil
			if err := json.Unmarshal(ev.Data, &last); err != nil {
				h.t.Fatal(err)
			}
		}
	}
	if last == nil {
		h.t.Fatal("no metrics event")
	}
	return last
}

// sendObjects queues messages of ten log files each, n files in all.
func (h *harness) sendObjects(n int) {
	h.t.Helper()
	for first := 0; first < n; first += 10 {
		var keys []string
		for i := first; i < min(first+10, n); i++ {
			key := logKey(1000 + i)
			h.objects.put("trail-bucket", key, logFile(h.t, "RunInstances"))
			keys = append(keys, key)
		}
		h.send(snsWrap(ctNotification("trail-bucket", keys...)))
	}
}

// ingest60 runs the input with max_workers 8 on 60 log files in 6
// messages until every message is deleted.
func (h *harness) ingest60() {
	h.t.Helper()
	cfg := h.config()
	cfg.MaxWorkers = 8
	h.sendObjects(60)
	h.start(cfg)
	h.waitFor("every message to be deleted", func() bool { return h.deleted() == 6 })
	h.stop()
}

// With stdout keeping up and S3 slow, the limit grows to max_workers.
func TestWorkerLimitGrowsWhenS3IsTheBottleneck(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.delay = 20 * time.Millisecond
	h.ingest60()
	maxOpen := h.objects.mostOpen()
	if maxOpen <= 4 || maxOpen > 8 {
		t.Errorf("objects read at once: at most %d, want more than the initial 4 and at most max_workers 8", maxOpen)
	}
	if got := h.finalMetrics()["workers_limit"]; got != float64(8) {
		t.Errorf("workers_limit %v, want 8", got)
	}
}

// With stdout behind (each Sync slower than reading a file), the limit
// shrinks and never grows, whatever waits.
func TestWorkerLimitShrinksWhenStdoutIsBehind(t *testing.T) {
	h := newHarness(t, nil)
	h.sink.syncDelay = 20 * time.Millisecond
	h.ingest60()
	maxOpen := h.objects.mostOpen()
	if maxOpen > 4 {
		t.Errorf("objects read at once: at most %d, want no more than the initial 4", maxOpen)
	}
	if got, ok := h.finalMetrics()["workers_limit"].(float64); !ok || got >= 4 {
		t.Errorf("workers_limit %v, want cut below 4", got)
	}
	if n := len(h.sink.events()); n != 60 {
		t.Errorf("%d events, want 60", n)
	}
}

// slowStdout is a pipe to a splunkd that reads slowly.
type slowStdout struct {
	mu     sync.Mutex
	events int
}

func (s *slowStdout) Write(p []byte) (int, error) {
	time.Sleep(5 * time.Millisecond)
	s.mu.Lock()
	s.events += bytes.Count(p, []byte("<event "))
	s.mu.Unlock()
	return len(p), nil
}

// The same through the real event writer: the signal is the workers' wait
// for stdout, whatever the writer's queue looks like.
func TestWorkerLimitShrinksBehindARealSlowStdout(t *testing.T) {
	h := newHarness(t, nil)
	out := &slowStdout{}
	w := modinput.NewWriter(out, modinput.WriterOptions{BufferSize: 4 << 10})
	h.events = w
	h.ingest60()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	maxOpen := h.objects.mostOpen()
	if maxOpen > 4 {
		t.Errorf("objects read at once: at most %d, want no more than the initial 4", maxOpen)
	}
	if out.events < 60 {
		t.Errorf("%d events on stdout, want at least the 60 records", out.events)
	}
}
