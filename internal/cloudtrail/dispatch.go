package cloudtrail

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// inflight is a received message until it is deleted or released.
type inflight struct {
	id, receipt  string
	receiveCount int

	mu       sync.Mutex
	deadline time.Time // when SQS makes it visible again unless extended
	pending  int       // objects not finished
	worst    *objectError
	deleting bool // handed to the deleter: never release it
}

func newInflight(msg types.Message, deadline time.Time) *inflight {
	rc, _ := strconv.Atoi(msg.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	return &inflight{id: aws.ToString(msg.MessageId), receipt: aws.ToString(msg.ReceiptHandle), receiveCount: rc, deadline: deadline}
}

// task is one object of a message for a worker.
type task struct {
	msg *inflight
	obj message.Object
}

// objectError is why an object could not be ingested.
type objectError struct {
	class errorClass
	err   error
}

// dispatch classifies a message and hands its objects to the workers.
func (in *Input) dispatch(ctx context.Context, m *inflight, body []byte) {
	in.track(m)
	parsed, err := message.Parse(body)
	log := in.log.With("message_id", m.id)
	switch {
	case err != nil:
		// Never dropped: it stays in the queue and, after maxReceiveCount
		// receives, moves to the dead-letter queue for a person to read.
		in.metrics.Unknown.Add(1)
		log.Error("unrecognised message left for the dead-letter queue", "receive_count", m.receiveCount,
			"reason", err, "excerpt", message.Excerpt(body, 200))
		in.keeper.forget(m)
		in.forget(m)
		return
	case parsed.IsTest():
		in.metrics.Tests.Add(1)
		log.Info("deleting a test message", "format", parsed.Format)
		in.del.delete(m)
		return
	case len(parsed.Records) > 0:
		in.ingestDeliveredRecords(ctx, m, parsed.Records)
		return
	case len(parsed.Objects) == 0:
		log.Debug("message names no new object", "format", parsed.Format, "skipped_records", parsed.Skipped)
		in.del.delete(m)
		return
	}
	in.keeper.watch(m)
	m.mu.Lock()
	m.pending = len(parsed.Objects)
	m.mu.Unlock()
	for _, obj := range parsed.Objects {
		select {
		case in.tasks <- task{msg: m, obj: obj}:
		case <-ctx.Done():
			in.finish(m, &objectError{class: transient, err: ctx.Err()})
		}
	}
}

// finish records one object's outcome; the last one decides the message.
func (in *Input) finish(m *inflight, oe *objectError) {
	m.mu.Lock()
	m.pending--
	if oe != nil && (m.worst == nil || oe.class > m.worst.class) {
		m.worst = oe
	}
	done, worst := m.pending == 0, m.worst
	m.mu.Unlock()
	if !done {
		return
	}
	switch {
	case worst == nil:
		in.del.delete(m)
	case worst.class == permanent:
		// Left to expire: after maxReceiveCount receives SQS moves it to the
		// dead-letter queue, where a person can see what failed.
		in.metrics.Failed.Add(1)
		in.keeper.forget(m)
		in.forget(m)
	case in.stopping.Load():
		// Interrupted by the stop: releaseAll makes it visible at once.
	default:
		in.metrics.Released.Add(1)
		in.keeper.release(m, retryDelay(m.receiveCount))
	}
}

// retryDelay spaces out retries of a message that failed for a transient
// reason, so throttling is not answered with more requests.
func retryDelay(receiveCount int) time.Duration {
	d := 15 * time.Second << min(max(receiveCount-1, 0), 6)
	return min(d, 15*time.Minute)
}

// ingestDeliveredRecords writes CloudTrail records that EventBridge put in
// the message itself (no S3 object).
func (in *Input) ingestDeliveredRecords(ctx context.Context, m *inflight, recs [][]byte) {
	events := make([]modinput.Event, 0, len(recs))
	for _, raw := range recs {
		var head struct {
			EventTime time.Time `json:"eventTime"`
			EventName string    `json:"eventName"`
		}
		_ = json.Unmarshal(raw, &head)
		ev, keep := in.event(raw, head.EventTime, head.EventName, in.cfg.Sourcetype, "sqs://"+in.queueURL)
		if keep {
			events = append(events, ev)
		}
	}
	if err := in.deps.Events.Write(ctx, events...); err != nil {
		in.keeper.release(m, 0)
		return
	}
	if err := in.deps.Events.Sync(ctx); err != nil {
		in.keeper.release(m, 0)
		return
	}
	in.metrics.Events.Add(int64(len(events)))
	in.del.delete(m)
}

// event builds the Splunk event of one record, applying the exclusion
// rules; keep is false when the record is dropped.
func (in *Input) event(raw []byte, at time.Time, name, sourcetype, source string) (ev modinput.Event, keep bool) {
	ev = modinput.Event{Time: at, Host: in.cfg.Host, Index: in.cfg.Index, Sourcetype: sourcetype, Source: source, Data: raw}
	if in.cfg.Exclude != nil && in.cfg.Exclude.MatchString(name) {
		if in.cfg.ExcludedIndex == "" {
			in.metrics.Dropped.Add(1)
			return ev, false
		}
		in.metrics.Excluded.Add(1)
		ev.Index = in.cfg.ExcludedIndex
	}
	return ev, true
}
