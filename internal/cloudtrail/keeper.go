package cloudtrail

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// keeper extends the visibility of messages being worked on at half the
// timeout, so a big file never reappears in the queue (and is never read
// twice) however long it takes.
type keeper struct {
	in      *Input
	mu      sync.Mutex
	watched map[string]*inflight
}

func newKeeper(in *Input) *keeper { return &keeper{in: in, watched: map[string]*inflight{}} }

func (k *keeper) watch(m *inflight) {
	k.mu.Lock()
	k.watched[m.id] = m
	k.mu.Unlock()
}

func (k *keeper) forget(m *inflight) {
	k.mu.Lock()
	delete(k.watched, m.id)
	k.mu.Unlock()
}

// release stops extending a message and makes it visible after delay.
func (k *keeper) release(m *inflight, delay time.Duration) {
	k.forget(m)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k.changeVisibility(ctx, []*inflight{m}, delay)
	k.in.forget(m)
}

func (k *keeper) run(ctx context.Context) {
	period := max(k.in.visibility/10, 200*time.Millisecond)
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			k.extendDue(ctx, now)
		}
	}
}

// extendDue extends every message whose visibility ends within half a
// timeout.
func (k *keeper) extendDue(ctx context.Context, now time.Time) {
	half := k.in.visibility / 2
	var due []*inflight
	k.mu.Lock()
	for _, m := range k.watched {
		m.mu.Lock()
		if m.deadline.Sub(now) <= half {
			due = append(due, m)
		}
		m.mu.Unlock()
	}
	k.mu.Unlock()
	if len(due) == 0 {
		return
	}
	ok := k.changeVisibility(ctx, due, k.in.visibility)
	for _, m := range ok {
		m.mu.Lock()
		m.deadline = now.Add(k.in.visibility)
		m.mu.Unlock()
		k.in.metrics.Extensions.Add(1)
	}
}

// changeVisibility sets the visibility timeout of messages, ten per call,
// and returns those SQS accepted.
func (k *keeper) changeVisibility(ctx context.Context, msgs []*inflight, timeout time.Duration) []*inflight {
	var ok []*inflight
	for start := 0; start < len(msgs); start += receiveBatch {
		batch := msgs[start:min(start+receiveBatch, len(msgs))]
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.receipt), VisibilityTimeout: int32(timeout / time.Second),
			}
		}
		out, err := k.in.deps.Queue.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
			QueueUrl: aws.String(k.in.queueURL), Entries: entries,
		})
		if err != nil {
			k.in.metrics.countError("queue")
			k.in.log.Warn("changing message visibility failed", "messages", len(batch), "err", explainQueue(err, "sqs:ChangeMessageVisibility"))
			continue
		}
		failed := map[string]bool{}
		for _, f := range out.Failed {
			failed[aws.ToString(f.Id)] = true
			k.in.log.Warn("changing message visibility failed", "code", aws.ToString(f.Code), "reason", aws.ToString(f.Message))
		}
		for i, m := range batch {
			if !failed[strconv.Itoa(i)] {
				ok = append(ok, m)
			}
		}
	}
	return ok
}
