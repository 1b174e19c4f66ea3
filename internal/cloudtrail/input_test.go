package cloudtrail

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit/sqsfake"
)

type harness struct {
	t       *testing.T
	fake    *sqsfake.Fake
	sqs     *sqs.Client
	url     string
	objects *fakeObjects
	sink    *sink
	events  EventSink // instead of sink when set
	cps     *memCheckpoints
	logs    *syncLog
	cancel  context.CancelFunc
	done    chan error
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newHarness(t *testing.T, queueAttrs map[string]string) *harness {
	fake, client := sqsfake.Start(t)
	attrs := map[string]string{"VisibilityTimeout": "30"}
	for k, v := range queueAttrs {
		attrs[k] = v
	}
	out, err := client.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("acme-cloudtrail"), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, fake: fake, sqs: client, url: aws.ToString(out.QueueUrl), objects: newFakeObjects(),
		sink: &sink{}, cps: newMemCheckpoints(), logs: &syncLog{}}
}

func (h *harness) config() Config {
	return Config{Queue: "acme-cloudtrail", Region: "us-east-1", MaxWorkers: 4, Sourcetype: "aws:cloudtrail",
		Index: "aws", MetricsIndex: "_internal", MetricsInterval: time.Hour, Stanza: "aws_ingest_cloudtrail://test"}
}

func (h *harness) start(cfg Config) {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	log := slog.New(modinput.NewLogHandler(h.logs, slog.LevelDebug))
	go func() {
		var events EventSink = h.sink
		if h.events != nil {
			events = h.events
		}
		h.done <- Run(ctx, cfg, Deps{Queue: h.sqs, Objects: h.objects, Checkpoints: h.cps, Events: events, Log: log})
	}()
}

func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		h.t.Fatal("Run did not return within 5 s of the stop")
	}
}

func (h *harness) send(body string) {
	h.t.Helper()
	if _, err := h.sqs.SendMessage(h.t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(h.url), MessageBody: aws.String(body)}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; log:\n%s", what, h.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) deleted() int { return h.fake.Deleted("acme-cloudtrail") }

func TestEveryRecordOfEveryKeyIsIngestedThenTheMessageDeleted(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.put("trail-bucket", logKey(1), logFile(t, "RunInstances", "DescribeInstances", "CreateUser"))
	h.objects.put("trail-bucket", logKey(2), logFile(t, "ConsoleLogin"))
	h.objects.put("trail-bucket", "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T120000Z.json.gz", []byte("not split"))
	h.start(h.config())
	h.send(snsWrap(ctNotification("trail-bucket", logKey(1), logKey(2),
		"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T120000Z.json.gz")))
	h.waitFor("the message to be deleted", func() bool { return h.deleted() == 1 })
	h.stop()
	events := h.sink.events()
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	sources := map[string]int{}
	for _, ev := range events {
		sources[ev.Source]++
		if ev.Sourcetype != "aws:cloudtrail" || ev.Index != "aws" || ev.Time.IsZero() || !strings.Contains(string(ev.Data), `"eventID"`) {
			t.Errorf("event = %+v", ev)
		}
	}
	if sources["s3://trail-bucket/"+logKey(1)] != 3 || sources["s3://trail-bucket/"+logKey(2)] != 1 {
		t.Errorf("events by source = %v", sources)
	}
	first := events[0]
	if first.Source == "s3://trail-bucket/"+logKey(1) && !first.Time.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("time = %v", first.Time)
	}
}

func TestRedeliveredMessageIsNotIngestedTwice(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.put("b", logKey(1), logFile(t, "A", "B"))
	h.start(h.config())
	h.send(ctNotification("b", logKey(1)))
	h.waitFor("the first delete", func() bool { return h.deleted() == 1 })
	h.send(ctNotification("b", logKey(1))) // SQS at-least-once, or a lost delete
	h.waitFor("the second delete", func() bool { return h.deleted() == 2 })
	h.stop()
	if n := len(h.sink.events()); n != 2 {
		t.Errorf("%d events after a redelivery, want 2 (no duplicates)", n)
	}
}

func TestResumesAfterTheRecordsSplunkAlreadyHas(t *testing.T) {
	h := newHarness(t, nil)
	body := logFile(t, "A", "B", "C", "D", "E")
	h.objects.put("b", logKey(1), body)
	// A crash after two records were flushed and checkpointed.
	_ = h.cps.Progress(checkpoint.ObjectID{Bucket: "b", Key: logKey(1), Version: "etag-" + itoa(len(body))}, 2)
	h.start(h.config())
	h.send(ctNotification("b", logKey(1)))
	h.waitFor("the delete", func() bool { return h.deleted() == 1 })
	h.stop()
	events := h.sink.events()
	if len(events) != 3 || !strings.Contains(string(events[0].Data), `"eventName":"C"`) {
		t.Errorf("resumed events = %d, first %q; want C, D, E", len(events), firstData(events))
	}
}

func TestTestMessagesAreDeleted(t *testing.T) {
	h := newHarness(t, nil)
	h.start(h.config())
	h.send(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2014-10-13T15:57:02.089Z","Bucket":"b","RequestId":"1","HostId":"2"}`)
	h.send(snsWrap("CloudTrail validation message."))
	h.waitFor("both deletes", func() bool { return h.deleted() == 2 })
	h.stop()
	if n := len(h.sink.events()); n != 0 {
		t.Errorf("%d events from test messages", n)
	}
	if strings.Count(h.logs.String(), "INFO deleting a test message") != 2 {
		t.Errorf("log:\n%s", h.logs.String())
	}
}

func TestUnknownBodyIsLeftForTheDeadLetterQueue(t *testing.T) {
	h := newHarness(t, map[string]string{"VisibilityTimeout": "1"})
	cfg := h.config()
	h.start(cfg)
	h.send(`{"hello":"world"}`)
	h.waitFor("the ERROR line", func() bool { return strings.Contains(h.logs.String(), "ERROR unrecognised message") })
	h.stop()
	if h.deleted() != 0 {
		t.Error("an unknown message was deleted")
	}
	log := h.logs.String()
	if !strings.Contains(log, "message_id=") || !strings.Contains(log, `{\"hello\":\"world\"}`) {
		t.Errorf("ERROR lacks the message id or excerpt:\n%s", log)
	}
}

func TestExcludedEventsAreRoutedOrDropped(t *testing.T) {
	for _, routed := range []bool{false, true} {
		h := newHarness(t, nil)
		h.objects.put("b", logKey(1), logFile(t, "DescribeInstances", "RunInstances", "ListBuckets", "GetObject"))
		cfg := h.config()
		cfg.Exclude = regexp.MustCompile(`^(?:Describe|List|Get)`)
		if routed {
			cfg.ExcludedIndex = "aws_noise"
		}
		h.start(cfg)
		h.send(ctNotification("b", logKey(1)))
		h.waitFor("the delete", func() bool { return h.deleted() == 1 })
		h.stop()
		byIndex := map[string]int{}
		for _, ev := range h.sink.events() {
			byIndex[ev.Index]++
		}
		want := map[string]int{"aws": 1}
		if routed {
			want["aws_noise"] = 3
		}
		if len(byIndex) != len(want) || byIndex["aws"] != want["aws"] || byIndex["aws_noise"] != want["aws_noise"] {
			t.Errorf("routed=%v: events by index = %v, want %v", routed, byIndex, want)
		}
	}
}

func TestMissingObjectCountsAsDone(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.put("b", logKey(2), logFile(t, "A"))
	h.start(h.config())
	h.send(ctNotification("b", logKey(1), logKey(2)))
	h.waitFor("the delete", func() bool { return h.deleted() == 1 })
	h.stop()
	if n := len(h.sink.events()); n != 1 {
		t.Errorf("%d events", n)
	}
	if !strings.Contains(h.logs.String(), "WARN the object no longer exists") {
		t.Errorf("no WARN for the missing object:\n%s", h.logs.String())
	}
}

func TestAccessDeniedLeavesTheMessageAndNamesThePermission(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.fail["b/"+logKey(1)] = apiError(403, "AccessDenied")
	h.start(h.config())
	h.send(ctNotification("b", logKey(1)))
	h.waitFor("the ERROR", func() bool { return strings.Contains(h.logs.String(), "ERROR reading the object failed") })
	h.stop()
	if h.deleted() != 0 {
		t.Error("a message whose object could not be read was deleted")
	}
	if !strings.Contains(h.logs.String(), "allow s3:GetObject on arn:aws:s3:::b/"+logKey(1)) {
		t.Errorf("the ERROR does not name the permission:\n%s", h.logs.String())
	}
}

func TestCorruptObjectIsLeftForTheDeadLetterQueue(t *testing.T) {
	h := newHarness(t, nil)
	good := logFile(t, "A", "B")
	h.objects.put("b", logKey(1), good[:len(good)-10]) // truncated gzip
	h.start(h.config())
	h.send(ctNotification("b", logKey(1)))
	h.waitFor("the ERROR", func() bool { return strings.Contains(h.logs.String(), "not a readable CloudTrail log file") })
	h.stop()
	if h.deleted() != 0 {
		t.Error("the message of a corrupt object was deleted")
	}
	if !strings.Contains(h.logs.String(), "s3://b/"+logKey(1)) {
		t.Errorf("the ERROR does not name the object:\n%s", h.logs.String())
	}
}

func TestStopReleasesMessagesInFlight(t *testing.T) {
	h := newHarness(t, nil)
	h.objects.put("b", logKey(1), logFile(t, strings.Split(strings.Repeat("A,", 400), ",")...))
	h.objects.block = make(chan struct{}) // the download stalls halfway
	h.start(h.config())
	h.send(ctNotification("b", logKey(1)))
	// Wait until a worker reads the object: a message still on its way in
	// the receive response when the stop cancels it stays hidden until its
	// visibility timeout ends (as on SQS), which is not what this tests.
	h.waitFor("the object being read", func() bool {
		h.objects.mu.Lock()
		defer h.objects.mu.Unlock()
		return h.objects.gets["b/"+logKey(1)] == 1
	})
	start := time.Now()
	h.stop()
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("stop took %s", took)
	}
	// The message is made visible again at once. (A long poll the stop
	// abandoned may still take it on the server side, as on SQS; then it
	// comes back after its visibility timeout. Either way it is not lost.)
	st := h.fake.Stats("acme-cloudtrail")
	if h.deleted() != 0 || st.Visible+st.InFlight != 1 || h.fake.Calls("ChangeMessageVisibilityBatch") != 1 ||
		!strings.Contains(h.logs.String(), "messages_released=1") {
		t.Errorf("after the stop: %+v, %d visibility changes; want the message released and not deleted; log:\n%s",
			st, h.fake.Calls("ChangeMessageVisibilityBatch"), h.logs.String())
	}
}

func TestVisibilityIsExtendedWhileAnObjectIsRead(t *testing.T) {
	h := newHarness(t, map[string]string{"VisibilityTimeout": "2"})
	h.objects.put("b", logKey(1), logFile(t, "A", "B", "C"))
	h.objects.block = make(chan struct{})
	cfg := h.config()
	h.start(cfg)
	h.send(ctNotification("b", logKey(1)))
	h.waitFor("two extensions", func() bool { return h.fake.Calls("ChangeMessageVisibilityBatch") >= 2 })
	if h.fake.Visible("acme-cloudtrail") != 0 {
		t.Error("the message became visible while it was being read")
	}
	close(h.objects.block)
	h.waitFor("the delete", func() bool { return h.deleted() == 1 })
	h.stop()
	if n := len(h.sink.events()); n != 3 {
		t.Errorf("%d events", n)
	}
}

func firstData(events []modinput.Event) string {
	if len(events) == 0 {
		return ""
	}
	return string(events[0].Data)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestInsightsAndEventBridgeRecords(t *testing.T) {
	h := newHarness(t, nil)
	insight := "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2024/05/01/123456789012_CloudTrail-Insight_us-east-1_20240501T1200Z_abcdefghijklmnop.json.gz"
	h.objects.put("b", insight, logFile(t, "RunInstances"))
	h.start(h.config())
	h.send(ctNotification("b", insight))
	// A CloudTrail record that EventBridge put in the message itself.
	h.send(`{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"123456789012",` +
		`"time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],` +
		`"detail":{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:07Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"eb-1"}}`)
	h.waitFor("both deletes", func() bool { return h.deleted() == 2 })
	h.stop()
	bySourcetype := map[string]string{}
	for _, ev := range h.sink.events() {
		bySourcetype[ev.Sourcetype] = string(ev.Data)
		if ev.Time.IsZero() {
			t.Errorf("event without time: %+v", ev)
		}
	}
	if !strings.Contains(bySourcetype[InsightSourcetype], `"eventName":"RunInstances"`) {
		t.Errorf("no insight event: %v", bySourcetype)
	}
	if bySourcetype["aws:cloudtrail"] != `{"eventVersion":"1.08","eventTime":"2024-05-01T12:00:07Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"eb-1"}` {
		t.Errorf("the EventBridge record was not forwarded unchanged: %q", bySourcetype["aws:cloudtrail"])
	}
}

func TestMetricsReportTheQueueBacklog(t *testing.T) {
	h := newHarness(t, nil)
	cfg := h.config()
	cfg.MetricsInterval = 50 * time.Millisecond
	h.send(`not a notification`) // stays: visible or in flight
	h.start(cfg)
	h.waitFor("a metrics line with the backlog", func() bool {
		return strings.Contains(h.logs.String(), "queue_in_flight=1")
	})
	h.stop()
	found := false
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	for _, ev := range append(h.sink.flushed, h.sink.pending...) {
		if ev.Sourcetype == MetricsSourcetype && ev.Index == "_internal" && strings.Contains(string(ev.Data), `"queue_in_flight":1`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no aws_ingest:metrics event with the backlog")
	}
}
