package cloudtrail

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// MetricsSourcetype is the sourcetype of the input's own metrics events.
const MetricsSourcetype = "aws_ingest:metrics"

// metrics are the input's counters. Every interval they are logged as one
// INFO line and written as an aws_ingest:metrics event.
type metrics struct {
	Received, Deleted, Released, Failed, Tests, Unknown atomic.Int64
	Objects, SkippedObjects, DuplicateObjects, Digests  atomic.Int64
	Bytes, Events, Excluded, Dropped                    atomic.Int64
	Extensions                                          atomic.Int64
	maxLagMillis                                        atomic.Int64
	// The queue backlog, sampled before each report (-1: unknown).
	QueueMessages, QueueInFlight atomic.Int64
	// The adaptive worker limit and the objects being read, sampled too.
	WorkersLimit, WorkersActive atomic.Int64

	mu     sync.Mutex
	errors map[string]int64 // by class: transient, permanent, gone, queue
}

func (m *metrics) countError(class string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.errors == nil {
		m.errors = map[string]int64{}
	}
	m.errors[class]++
}

func (m *metrics) observeLag(lag time.Duration) {
	ms := lag.Milliseconds()
	for {
		cur := m.maxLagMillis.Load()
		if ms <= cur || m.maxLagMillis.CompareAndSwap(cur, ms) {
			return
		}
	}
}

// snapshot returns the counters and resets the lag, which is per interval.
func (m *metrics) snapshot() map[string]any {
	m.mu.Lock()
	errs := map[string]int64{}
	for k, v := range m.errors {
		errs[k] = v
	}
	m.mu.Unlock()
	return map[string]any{
		"messages_received": m.Received.Load(), "messages_deleted": m.Deleted.Load(),
		"messages_released": m.Released.Load(), "messages_failed": m.Failed.Load(),
		"messages_test": m.Tests.Load(), "messages_unknown": m.Unknown.Load(),
		"objects": m.Objects.Load(), "objects_skipped": m.SkippedObjects.Load(),
		"objects_already_ingested": m.DuplicateObjects.Load(), "digests": m.Digests.Load(),
		"bytes": m.Bytes.Load(), "events": m.Events.Load(),
		"events_excluded": m.Excluded.Load(), "events_dropped": m.Dropped.Load(),
		"visibility_extensions": m.Extensions.Load(),
		"queue_messages":        m.QueueMessages.Load(), "queue_in_flight": m.QueueInFlight.Load(),
		"workers_limit": m.WorkersLimit.Load(), "workers_active": m.WorkersActive.Load(),
		"lag_seconds": float64(m.maxLagMillis.Swap(0)) / 1000,
		"errors":      errs,
	}
}

// report logs and emits the counters every interval until ctx ends, and
// once more at the end; sample refreshes the gauges first.
func (m *metrics) report(ctx context.Context, interval time.Duration, log *slog.Logger, sample func(), emit func(modinput.Event)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			sample()
			m.emitOnce(log, emit)
			return
		case <-tick.C:
			sample()
			m.emitOnce(log, emit)
		}
	}
}

func (m *metrics) emitOnce(log *slog.Logger, emit func(modinput.Event)) {
	snap := m.snapshot()
	args := make([]any, 0, 2*len(snap))
	for _, k := range metricOrder {
		args = append(args, k, snap[k])
	}
	log.Info("metrics", args...)
	data, _ := json.Marshal(snap)
	emit(modinput.Event{Time: time.Now(), Sourcetype: MetricsSourcetype, Data: data})
}

var metricOrder = []string{
	"messages_received", "messages_deleted", "messages_released", "messages_failed", "messages_test", "messages_unknown",
	"objects", "objects_skipped", "objects_already_ingested", "digests", "bytes", "events", "events_excluded", "events_dropped",
	"visibility_extensions", "queue_messages", "queue_in_flight", "workers_limit", "workers_active", "lag_seconds", "errors",
}
