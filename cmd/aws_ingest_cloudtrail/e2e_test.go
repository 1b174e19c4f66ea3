package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// End-to-end: the real binary, driven as splunkd drives it, against
// moto_server's S3, SQS and SNS.

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const (
	region = "us-east-1"
	bucket = "acme-cloudtrail-logs"
	queue  = "acme-cloudtrail"
)

type world struct {
	t   *testing.T
	srv *moto.Server
	s3  *s3.Client
	sqs *sqs.Client
	sns *sns.Client
	url string // the queue
	bin string
}

func newWorld(t *testing.T) *world {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := moto.Require(t)
	cfg := srv.Config(region)
	w := &world{t: t, srv: srv, s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg),
		bin: splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")}
	ctx := t.Context()
	must(t, func() error {
		_, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		return err
	})
	dlq, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue + "-dlq")})
	must(t, func() error { return err })
	dlqArn, err := w.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	must(t, func() error { return err })
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlqArn.Attributes["QueueArn"])
	q, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue),
		Attributes: map[string]string{"VisibilityTimeout": "30", "RedrivePolicy": redrive}})
	must(t, func() error { return err })
	w.url = aws.ToString(q.QueueUrl)
	return w
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func (w *world) put(key string, body []byte) {
	w.t.Helper()
	must(w.t, func() error {
		_, err := w.s3.PutObject(w.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	})
}

func (w *world) send(body string) {
	w.t.Helper()
	must(w.t, func() error {
		_, err := w.sqs.SendMessage(w.t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(w.url), MessageBody: aws.String(body)})
		return err
	})
}

// queueDepth returns visible + in-flight messages.
func (w *world) queueDepth(url string) int {
	out, err := w.sqs.GetQueueAttributes(w.t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		w.t.Fatal(err)
	}
	var a, b int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &a)
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &b)
	return a + b
}

func (w *world) definition(checkpointDir string, extra map[string]string) []byte {
	params := map[string]string{"sqs_queue": queue, "sqs_queue_region": region, "index": "aws", "host": "$decideOnStartup",
		"interval": "60", "disabled": "0", "sourcetype": "aws:cloudtrail", "max_workers": "4"}
	for k, v := range extra {
		params[k] = v
	}
	return splunkd.Definition{ServerHost: "idx1", ServerURI: "https://127.0.0.1:8089", SessionKey: "SESSION-KEY-e2e",
		CheckpointDir: checkpointDir, Stanzas: []splunkd.Stanza{{Name: "aws_ingest_cloudtrail://e2e", App: "aws_ingest", Params: params}}}.InputXML()
}

func (w *world) start(checkpointDir string, extra map[string]string) *splunkd.Process {
	return splunkd.Start(w.t, w.bin, w.definition(checkpointDir, extra), w.srv.Env())
}

// logFile is a gzip CloudTrail file of n records with ids prefix-0..n-1.
func logFile(prefix string, n int) []byte {
	var recs []string
	for i := range n {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","eventTime":"2024-05-01T12:%02d:%02dZ","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","eventID":"%s-%d","requestParameters":{"userName":"zoë <&> \"q\""}}`, i/60%60, i%60, prefix, i))
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintf(zw, `{"Records":[%s]}`, strings.Join(recs, ","))
	zw.Close()
	return buf.Bytes()
}

func key(n int) string {
	return fmt.Sprintf("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/123456789012_CloudTrail_us-east-1_20240501T12%02dZ_abcdefghijklmn%02d.json.gz", n%60, n%100)
}

func ctMessage(keys ...string) string {
	b, _ := json.Marshal(map[string]any{"s3Bucket": bucket, "s3ObjectKey": keys})
	return string(b)
}

// eventIDs counts the events per CloudTrail eventID in a stream.
func eventIDs(t *testing.T, stdout []byte) map[string]int {
	t.Helper()
	events, err := splunkd.ParseStream(stdout)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, ev := range events {
		if ev.Sourcetype == "aws_ingest:metrics" {
			continue
		}
		var rec struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &rec); err != nil {
			t.Fatalf("event data is not the JSON record: %v: %q", err, ev.Data)
		}
		ids[rec.EventID]++
	}
	return ids
}

func countEvents(stdout []byte) int { return bytes.Count(stdout, []byte(`"eventID"`)) }

func TestEveryMessageFormatEndToEnd(t *testing.T) {
	w := newWorld(t)
	w.put(key(1), logFile("ct", 3))
	w.put(key(2), logFile("multi", 2))
	w.put("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/with space+plus.json.gz", logFile("s3event", 2))
	w.put("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_acme_us-east-1_20240501T120000Z.json.gz", []byte(`{"logFiles":[]}`))

	// CloudTrail's own notification through SNS (moto delivers the envelope).
	topic, err := w.sns.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("acme-cloudtrail")})
	must(t, func() error { return err })
	qarn, _ := w.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(w.url), AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	_, err = w.sns.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qarn.Attributes["QueueArn"])})
	must(t, func() error { return err })
	_, err = w.sns.Publish(t.Context(), &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(ctMessage(key(1), key(2)))})
	must(t, func() error { return err })
	_, err = w.sns.Publish(t.Context(), &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("CloudTrail validation message.")})
	must(t, func() error { return err })
	// A raw S3 event notification with an encoded key, a digest, a test event, garbage.
	w.send(fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":%q},"object":{"key":"AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/with+space%%2Bplus.json.gz","size":10}}}]}`, bucket))
	w.send(ctMessage("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_acme_us-east-1_20240501T120000Z.json.gz"))
	w.send(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-05-01T12:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}`)
	w.send("this is not a notification")

	p := w.start(t.TempDir(), nil)
	p.WaitFor(30*time.Second, "7 events and an empty queue but for the garbage", func(stdout []byte, _ string) bool {
		return countEvents(stdout) >= 7 && w.queueDepth(w.url) == 1
	})
	res := p.Stop(5 * time.Second)
	if res.Code != 0 {
		t.Errorf("exit %d after SIGTERM; stderr:\n%s", res.Code, res.Stderr)
	}
	ids := eventIDs(t, res.Stdout)
	for _, id := range []string{"ct-0", "ct-1", "ct-2", "multi-0", "multi-1", "s3event-0", "s3event-1"} {
		if ids[id] != 1 {
			t.Errorf("event %s seen %d times, want once", id, ids[id])
		}
	}
	if len(ids) != 7 {
		t.Errorf("%d distinct events, want 7: %v", len(ids), ids)
	}
	for _, want := range []string{"INFO deleting a test message", "ERROR unrecognised message", `excerpt="this is not a notification"`} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
	if strings.Contains(res.Stderr, "SESSION-KEY-e2e") {
		t.Error("stderr leaks the session key")
	}
	events, _ := splunkd.ParseStream(res.Stdout)
	for _, ev := range events {
		if ev.Sourcetype == "aws:cloudtrail" && (ev.Index != "aws" || !strings.HasPrefix(ev.Source, "s3://"+bucket+"/") || ev.Time == "") {
			t.Errorf("event metadata = %+v", ev)
		}
		if strings.Contains(ev.Data, "zoë") == false && ev.Sourcetype == "aws:cloudtrail" {
			t.Errorf("the record was not forwarded unchanged: %q", ev.Data)
		}
	}
}

func TestS3NotificationsThroughMoto(t *testing.T) {
	w := newWorld(t)
	qarn, _ := w.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(w.url), AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	_, err := w.s3.PutBucketNotificationConfiguration(t.Context(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(qarn.Attributes["QueueArn"]), Events: []s3types.Event{"s3:ObjectCreated:*"},
		}}},
	})
	must(t, func() error { return err })
	for i := range 5 {
		w.put(key(i), logFile(fmt.Sprintf("n%d", i), 10))
	}
	p := w.start(t.TempDir(), nil)
	p.WaitFor(30*time.Second, "50 events and an empty queue", func(stdout []byte, _ string) bool {
		return countEvents(stdout) >= 50 && w.queueDepth(w.url) == 0
	})
	res := p.Stop(5 * time.Second)
	ids := eventIDs(t, res.Stdout)
	if len(ids) != 50 {
		t.Errorf("%d distinct events, want 50", len(ids))
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("event %s seen %d times", id, n)
		}
	}
}

func TestTwoConsumersShareOneQueue(t *testing.T) {
	w := newWorld(t)
	const objects = 40
	for i := range objects {
		w.put(key(i), logFile(fmt.Sprintf("o%d", i), 20))
		w.send(ctMessage(key(i)))
	}
	a := w.start(t.TempDir(), nil)
	b := w.start(t.TempDir(), nil)
	deadline := time.Now().Add(60 * time.Second)
	for countEvents(a.Stdout())+countEvents(b.Stdout()) < objects*20 || w.queueDepth(w.url) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %d events; stderr a:\n%s\nb:\n%s", countEvents(a.Stdout())+countEvents(b.Stdout()), a.Stderr(), b.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
	ra, rb := a.Stop(5*time.Second), b.Stop(5*time.Second)
	ids := eventIDs(t, ra.Stdout)
	for id, n := range eventIDs(t, rb.Stdout) {
		ids[id] += n
	}
	// No event is lost. Duplicates can only come from the queue handing
	// one message to both consumers (SQS is at-least-once, and moto's
	// threaded server does it now and then): then a whole object comes
	// twice, never a part of one.
	perObject := map[string]int{}
	dups := 0
	for id, n := range ids {
		perObject[id[:strings.LastIndex(id, "-")]] += n
		dups += n - 1
	}
	if len(ids) != objects*20 {
		t.Errorf("%d distinct events, want %d", len(ids), objects*20)
	}
	for obj, n := range perObject {
		if n%20 != 0 {
			t.Errorf("object %s: %d events, not a whole number of copies of its 20", obj, n)
		}
	}
	t.Logf("consumer a: %d events, b: %d, duplicates %d", countEvents(ra.Stdout), countEvents(rb.Stdout), dups)
}

func TestCrashAndRestartLosesNothing(t *testing.T) {
	w := newWorld(t)
	const objects, perObject = 30, 400
	for i := range objects {
		w.put(key(i), logFile(fmt.Sprintf("c%d", i), perObject))
		w.send(ctMessage(key(i)))
	}
	dir := t.TempDir()
	// Short visibility so that what the killed process held comes back soon.
	extra := map[string]string{"visibility_timeout": "30"}
	first := w.start(dir, extra)
	first.WaitFor(30*time.Second, "some events", func(stdout []byte, _ string) bool { return countEvents(stdout) >= perObject*3 })
	first.Kill()
	var all bytes.Buffer
	all.Write(completeEvents(first.Stdout()))
	// Make what the dead process held visible again, as the visibility
	// timeout would after 30 s.
	w.releaseAll()
	second := w.start(dir, extra)
	second.WaitFor(60*time.Second, "the queue to drain", func(stdout []byte, _ string) bool {
		return w.queueDepth(w.url) == 0
	})
	res := second.Stop(5 * time.Second)
	all.Write(res.Stdout)
	ids := map[string]int{}
	for _, chunk := range [][]byte{completeEvents(first.Stdout()), res.Stdout} {
		for id, n := range eventIDs(t, chunk) {
			ids[id] += n
		}
	}
	dups := 0
	for _, n := range ids {
		dups += n - 1
	}
	t.Logf("after kill -9 and restart: %d distinct events of %d, %d duplicates", len(ids), objects*perObject, dups)
	if len(ids) != objects*perObject {
		t.Errorf("lost events: %d distinct, want %d", len(ids), objects*perObject)
	}
	// kill -9 gives no chance to record how far the last flushed batch of
	// each object in flight got: bytes on stdout cannot be acknowledged.
	// At most one batch (256 events) per worker can come again.
	if limit := 4 * 256; dups > limit {
		t.Errorf("%d duplicates, want at most one batch per worker (%d)", dups, limit)
	}
}

// completeEvents cuts a killed process's stdout after its last complete
// event and closes the stream, as splunkd would read it.
func completeEvents(stdout []byte) []byte {
	end := bytes.LastIndex(stdout, []byte("</event>\n"))
	if end < 0 {
		return nil
	}
	return append(bytes.Clone(stdout[:end+len("</event>\n")]), "</stream>\n"...)
}

// releaseAll receives every in-flight message once it is visible again and
// makes it visible at once: what SQS does when a dead consumer's visibility
// timeout ends.
func (w *world) releaseAll() {
	w.t.Helper()
	// moto has no API to end another consumer's visibility early; wait for it.
	deadline := time.Now().Add(40 * time.Second)
	for {
		out, err := w.sqs.GetQueueAttributes(w.t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(w.url),
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			w.t.Fatal(err)
		}
		if out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" || time.Now().After(deadline) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSIGTERMMidStreamThenRestart(t *testing.T) {
	w := newWorld(t)
	const objects, perObject = 20, 500
	for i := range objects {
		w.put(key(i), logFile(fmt.Sprintf("s%d", i), perObject))
		w.send(ctMessage(key(i)))
	}
	dir := t.TempDir()
	first := w.start(dir, nil)
	first.WaitFor(30*time.Second, "some events", func(stdout []byte, _ string) bool { return countEvents(stdout) >= perObject*2 })
	start := time.Now()
	r1 := first.Stop(5 * time.Second)
	if r1.Code != 0 || time.Since(start) > 5*time.Second {
		t.Errorf("SIGTERM: exit %d after %s; stderr:\n%s", r1.Code, time.Since(start), r1.Stderr)
	}
	// Released messages are visible at once: the next run needs no wait.
	second := w.start(dir, nil)
	second.WaitFor(60*time.Second, "the queue to drain", func([]byte, string) bool { return w.queueDepth(w.url) == 0 })
	r2 := second.Stop(5 * time.Second)
	ids := eventIDs(t, r1.Stdout)
	for id, n := range eventIDs(t, r2.Stdout) {
		ids[id] += n
	}
	dups := 0
	for _, n := range ids {
		dups += n - 1
	}
	t.Logf("SIGTERM after %d events, restart: %d distinct of %d, %d duplicates", countEvents(r1.Stdout), len(ids), objects*perObject, dups)
	if len(ids) != objects*perObject || dups != 0 {
		t.Errorf("%d distinct events (want %d), %d duplicates (want 0)", len(ids), objects*perObject, dups)
	}
}

func TestGarbageMovesToTheDeadLetterQueue(t *testing.T) {
	w := newWorld(t)
	// A short queue visibility so the redrive happens within the test.
	_, err := w.sqs.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(w.url), Attributes: map[string]string{"VisibilityTimeout": "2"}})
	must(t, func() error { return err })
	w.send(`{"not":"a notification"}`)
	dlq, err := w.sqs.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(queue + "-dlq")})
	must(t, func() error { return err })
	p := w.start(t.TempDir(), nil)
	p.WaitFor(30*time.Second, "the message in the dead-letter queue", func([]byte, string) bool {
		return w.queueDepth(aws.ToString(dlq.QueueUrl)) == 1
	})
	res := p.Stop(5 * time.Second)
	if n := strings.Count(res.Stderr, "ERROR unrecognised message"); n < 2 {
		t.Errorf("%d ERROR lines for the garbage message, want one per receive (2):\n%s", n, res.Stderr)
	}
	if w.queueDepth(w.url) != 0 {
		t.Error("the garbage message is still in the source queue")
	}
}

func TestSafeName(t *testing.T) {
	cases := map[string]string{"aws_ingest_cloudtrail://prod": "prod", "aws_ingest_cloudtrail://a b/c:d_e": "a_20b_2fc_3ad_5fe", "x": "x"}
	for in, want := range cases {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateArgumentsChecksTheQueueLive(t *testing.T) {
	w := newWorld(t)
	items := func(q string) []byte {
		return splunkd.Definition{ServerHost: "idx1", ServerURI: "https://127.0.0.1:8089", SessionKey: "k", CheckpointDir: t.TempDir()}.
			ItemsXML(splunkd.Stanza{Name: "e2e", Params: map[string]string{"sqs_queue": q, "sqs_queue_region": region}})
	}
	res := splunkd.Invoke(t, w.bin, items(queue), w.srv.Env(), "--validate-arguments")
	if res.Code != 0 || len(res.Stdout) != 0 || res.Stderr != "" {
		t.Errorf("existing queue: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	res = splunkd.Invoke(t, w.bin, items("no-such-queue"), w.srv.Env(), "--validate-arguments")
	if res.Code == 0 || res.Stderr != "" || !strings.Contains(string(res.Stdout), "no-such-queue") ||
		!strings.Contains(string(res.Stdout), "does not exist") {
		t.Errorf("missing queue: exit %d, stdout %q, stderr %q; want an <error> naming the queue", res.Code, res.Stdout, res.Stderr)
	}
}

func TestReplayBackfillsFromS3AndResumes(t *testing.T) {
	w := newWorld(t)
	for i := range 3 {
		w.put(key(i), logFile(fmt.Sprintf("r%d", i), 5))
	}
	w.put("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_acme_us-east-1_20240501T120000Z.json.gz", []byte("{}"))
	dir := t.TempDir()
	args := []string{"replay", "--format", "json", "--checkpoint-dir", dir, "s3://" + bucket + "/AWSLogs/"}
	res := splunkd.Invoke(t, w.bin, nil, w.srv.Env(), args...)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	if n := strings.Count(string(res.Stdout), "\n"); n != 15 {
		t.Errorf("%d JSON lines, want 15:\n%s", n, res.Stdout)
	}
	// An interrupted or repeated back-fill skips what it already wrote.
	w.put(key(3), logFile("r3", 5))
	res = splunkd.Invoke(t, w.bin, nil, w.srv.Env(), args...)
	if n := strings.Count(string(res.Stdout), "\n"); res.Code != 0 || n != 5 || !strings.Contains(string(res.Stdout), `"r3-0"`) {
		t.Errorf("second run: exit %d, %d lines (want only the 5 new ones): %s", res.Code, n, res.Stderr)
	}
}
