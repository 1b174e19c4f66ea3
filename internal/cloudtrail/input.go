package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// EventSink is where events go: the program's single stdout writer.
type EventSink interface {
	Write(ctx context.Context, events ...modinput.Event) error
	// WriteBatch takes events the workers encoded (see modinput.Batch).
	WriteBatch(ctx context.Context, b *modinput.Batch) error
	// Sync returns once everything written before is flushed to stdout.
	Sync(ctx context.Context) error
}

// Checkpoints remember, per S3 object, what is already in Splunk.
type Checkpoints interface {
	Get(id checkpoint.ObjectID) (checkpoint.State, bool)
	Progress(id checkpoint.ObjectID, records int64) error
	Done(id checkpoint.ObjectID, records int64, sha256 []byte) error
}

// Deps are the input's peers, built by the caller (real clients in the
// binary, fakes in tests).
type Deps struct {
	Queue       QueueAPI
	Objects     ObjectAPI
	Checkpoints Checkpoints
	Events      EventSink
	Log         *slog.Logger
	// PublicKeys lists CloudTrail's signing keys (validate_integrity).
	PublicKeys integrity.PublicKeyLister
}

const (
	receiveWait      = 20 // seconds: SQS's longest poll
	receiveBatch     = 10 // SQS's largest batch
	shutdownTimeout  = 2500 * time.Millisecond
	maxReceiveErrors = 30 * time.Second // backoff cap after failed receives
)

// Input is one running aws_ingest_cloudtrail stanza.
type Input struct {
	cfg        Config
	deps       Deps
	log        *slog.Logger
	queueURL   string
	visibility time.Duration // how long a received message stays hidden
	metrics    metrics

	keys    publicKeys
	digests digestDirs
	tasks   chan task
	limit   *limiter // objects read at once
	keeper  *keeper
	del     *deleter

	stopping atomic.Bool // set when the stop begins

	mu       sync.Mutex
	inflight map[string]*inflight // by message id
	room     chan struct{}        // signalled when a message leaves inflight
}

// Run checks the queue, then ingests until ctx is cancelled. It returns nil
// after an orderly stop.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	in := newInput(cfg, deps)
	if err := in.checkQueue(ctx); err != nil {
		return err
	}
	return in.run(ctx)
}

// CheckQueue is the live part of --validate-arguments: the credentials
// work and the queue exists and is readable.
func CheckQueue(ctx context.Context, cfg Config, queue QueueAPI) error {
	return newInput(cfg, Deps{Queue: queue, Log: slog.New(slog.DiscardHandler)}).checkQueue(ctx)
}

func newInput(cfg Config, deps Deps) *Input {
	return &Input{cfg: cfg, deps: deps, log: deps.Log, inflight: map[string]*inflight{}, room: make(chan struct{}, 1),
		keys: publicKeys{api: deps.PublicKeys}, limit: newLimiter(max(cfg.MaxWorkers, 1))}
}

// checkQueue resolves the queue URL and reads its settings; it fails with
// a message naming the permission when the queue cannot be used.
func (in *Input) checkQueue(ctx context.Context) error {
	in.queueURL = in.cfg.Queue
	if !isQueueURL(in.cfg.Queue) {
		out, err := in.deps.Queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(in.cfg.Queue)})
		if err != nil {
			return fmt.Errorf("queue %s in %s: %w", in.cfg.Queue, in.cfg.Region, explainQueue(err, "sqs:GetQueueUrl"))
		}
		in.queueURL = aws.ToString(out.QueueUrl)
	}
	out, err := in.deps.Queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(in.queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		return fmt.Errorf("queue %s: %w", in.queueURL, explainQueue(err, "sqs:GetQueueAttributes"))
	}
	attrs := out.Attributes
	queueVT, _ := strconv.Atoi(attrs[string(types.QueueAttributeNameVisibilityTimeout)])
	in.visibility = in.cfg.VisibilityTimeout
	if in.visibility == 0 {
		in.visibility = time.Duration(queueVT) * time.Second
	}
	if in.visibility < 2*time.Second {
		in.visibility = 30 * time.Second // too short to extend in time; ask for more on every receive
		in.cfg.VisibilityTimeout = in.visibility
	}
	if attrs[string(types.QueueAttributeNameRedrivePolicy)] == "" {
		in.log.Warn("the queue has no dead-letter queue (RedrivePolicy): a message that can never be processed is retried forever; add one with maxReceiveCount 5 or more", "queue", in.queueURL)
	}
	in.log.Info("queue ready", "queue", in.queueURL, "visibility_timeout", in.visibility,
		"messages", attrs[string(types.QueueAttributeNameApproximateNumberOfMessages)],
		"in_flight", attrs[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return nil
}

func explainQueue(err error, action string) error {
	if _, ok := errors.AsType[*types.QueueDoesNotExist](err); ok {
		return fmt.Errorf("%w: the queue does not exist in this region (check sqs_queue and sqs_queue_region)", err)
	}
	return explain(err, action, "the queue")
}

func isQueueURL(s string) bool {
	return len(s) > 8 && (s[:7] == "http://" || s[:8] == "https://")
}

// capacity bounds the messages being worked on: enough to keep the
// workers the limiter allows busy with one message's objects while the next
// are received. Under backpressure it shrinks with the limit, leaving
// messages in the queue for other consumers, but never below one receive
// batch: messages waiting for their batched delete count too, and fewer
// would leave the workers idle while the deleter gathers a batch.
func (in *Input) capacity() int {
	limit, _ := in.limit.current()
	return max(receiveBatch, 2*limit)
}

func (in *Input) run(ctx context.Context) error {
	in.tasks = make(chan task, max(receiveBatch, 2*in.cfg.MaxWorkers))
	in.keeper = newKeeper(in)
	in.del = newDeleter(in)

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var workers sync.WaitGroup
	for range in.cfg.MaxWorkers {
		workers.Go(func() { in.work(ctx, workCtx) })
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Go(func() { in.keeper.run(bg) })
	background.Go(func() { in.del.run(bg) })
	if in.cfg.ValidateIntegrity {
		background.Go(func() { in.sweepDigests(bg, in.cfg.DigestSweepInterval) })
	}
	metricsCtx, stopMetrics := context.WithCancel(context.WithoutCancel(ctx))
	var metricsDone sync.WaitGroup
	metricsDone.Go(func() {
		in.metrics.report(metricsCtx, in.cfg.MetricsInterval, in.log, func() { in.sample(metricsCtx) }, in.emitMetrics)
	})

	in.receiveLoop(ctx)
	in.stopping.Store(true)

	// Stop: no more receives. Workers stop reading at the next record,
	// record their progress and report their objects as interrupted.
	close(in.tasks)
	stopWork()
	workers.Wait()
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	in.releaseAll(cleanup)
	in.del.flush(cleanup)
	stopBG()
	background.Wait()
	stopMetrics()
	metricsDone.Wait()
	return nil
}

// sample reads the worker limit and the queue's backlog for the metrics.
func (in *Input) sample(ctx context.Context) {
	limit, active := in.limit.current()
	in.metrics.WorkersLimit.Store(int64(limit))
	in.metrics.WorkersActive.Store(int64(active))
	if ctx.Err() != nil {
		return // the final report: keep the last backlog seen
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	in.metrics.QueueMessages.Store(-1)
	in.metrics.QueueInFlight.Store(-1)
	out, err := in.deps.Queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(in.queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		return
	}
	if n, err := strconv.ParseInt(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)], 10, 64); err == nil {
		in.metrics.QueueMessages.Store(n)
	}
	if n, err := strconv.ParseInt(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)], 10, 64); err == nil {
		in.metrics.QueueInFlight.Store(n)
	}
}

func (in *Input) emitMetrics(ev modinput.Event) {
	ev.Index = in.cfg.MetricsIndex
	ev.Host = in.cfg.Host
	ev.Source = "aws_ingest_cloudtrail:" + in.cfg.Stanza
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = in.deps.Events.Write(ctx, ev)
}

// receiveLoop long-polls while there is room for more messages.
func (in *Input) receiveLoop(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		room := in.capacity() - in.inflightCount()
		if room <= 0 {
			select {
			case <-in.room:
			case <-ctx.Done():
			}
			continue
		}
		input := &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(in.queueURL),
			MaxNumberOfMessages: int32(min(receiveBatch, room)),
			WaitTimeSeconds:     receiveWait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{
				types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp,
			},
		}
		if in.cfg.VisibilityTimeout > 0 {
			input.VisibilityTimeout = int32(in.cfg.VisibilityTimeout / time.Second)
		}
		out, err := in.deps.Queue.ReceiveMessage(ctx, input)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			in.metrics.countError("queue")
			in.log.Warn("receiving from the queue failed; retrying", "queue", in.queueURL, "retry_in", backoff, "err", explainQueue(err, "sqs:ReceiveMessage"))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, maxReceiveErrors)
			continue
		}
		backoff = time.Second
		now := time.Now()
		for _, msg := range out.Messages {
			in.metrics.Received.Add(1)
			if sent, err := strconv.ParseInt(msg.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
				in.metrics.observeLag(now.Sub(time.UnixMilli(sent)))
			}
			in.dispatch(ctx, newInflight(msg, now.Add(in.visibility)), []byte(aws.ToString(msg.Body)))
		}
	}
}

func (in *Input) inflightCount() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.inflight)
}

func (in *Input) track(m *inflight) {
	in.mu.Lock()
	in.inflight[m.id] = m
	in.mu.Unlock()
}

// forget removes a message from the in-flight set: it was deleted,
// released, or left to expire.
func (in *Input) forget(m *inflight) {
	in.mu.Lock()
	delete(in.inflight, m.id)
	in.mu.Unlock()
	select {
	case in.room <- struct{}{}:
	default:
	}
}

// releaseAll makes every message still in flight visible again at once, so
// another consumer (or the next run) takes it without waiting.
func (in *Input) releaseAll(ctx context.Context) {
	in.mu.Lock()
	var left []*inflight
	for _, m := range in.inflight {
		if !m.deleting {
			left = append(left, m)
		}
	}
	in.mu.Unlock()
	in.keeper.changeVisibility(ctx, left, 0)
	for _, m := range left {
		in.metrics.Released.Add(1)
		in.forget(m)
	}
}
