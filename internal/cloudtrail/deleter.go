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

// deleteDelay bounds how long a finished message waits for nine others to
// share one DeleteMessageBatch call.
const deleteDelay = 50 * time.Millisecond

// deleter deletes finished messages in batches of up to ten. Every message
// it gets has all its events flushed and checkpointed.
type deleter struct {
	in      *Input
	mu      sync.Mutex
	pending []*inflight
	kick    chan struct{}
}

func newDeleter(in *Input) *deleter {
	return &deleter{in: in, kick: make(chan struct{}, 1)}
}

func (d *deleter) delete(m *inflight) {
	m.mu.Lock()
	m.deleting = true
	m.mu.Unlock()
	d.in.keeper.forget(m)
	d.mu.Lock()
	d.pending = append(d.pending, m)
	full := len(d.pending) >= receiveBatch
	d.mu.Unlock()
	if full {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
}

func (d *deleter) run(ctx context.Context) {
	tick := time.NewTicker(deleteDelay)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.kick:
		}
		d.flush(ctx)
	}
}

func (d *deleter) flush(ctx context.Context) {
	for {
		d.mu.Lock()
		n := min(len(d.pending), receiveBatch)
		batch := d.pending[:n:n]
		d.pending = d.pending[n:]
		d.mu.Unlock()
		if n == 0 {
			return
		}
		d.deleteBatch(ctx, batch)
	}
}

func (d *deleter) deleteBatch(ctx context.Context, batch []*inflight) {
	entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
	for i, m := range batch {
		entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.receipt)}
	}
	out, err := d.in.deps.Queue.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(d.in.queueURL), Entries: entries})
	if err != nil {
		// The events are in Splunk and checkpointed: if the message comes
		// back, its objects are skipped, so nothing is duplicated.
		d.in.metrics.countError("queue")
		d.in.log.Warn("deleting messages failed; they will come back and be skipped as already ingested",
			"messages", len(batch), "err", explainQueue(err, "sqs:DeleteMessage"))
	} else {
		for _, f := range out.Failed {
			d.in.log.Warn("deleting a message failed; it will come back and be skipped as already ingested",
				"code", aws.ToString(f.Code), "reason", aws.ToString(f.Message))
		}
		d.in.metrics.Deleted.Add(int64(len(out.Successful)))
	}
	for _, m := range batch {
		d.in.forget(m)
	}
}
