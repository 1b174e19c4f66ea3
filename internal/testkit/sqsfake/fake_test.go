package sqsfake

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func TestQueueLifecycle(t *testing.T) {
	_, c := Start(t)
	ctx := t.Context()

	url := createQueue(t, c, "events", map[string]string{"VisibilityTimeout": "45"})
	if !strings.HasSuffix(url, "/"+DefaultAccountID+"/events") || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("queue URL = %q, want http://127.0.0.1:PORT/%s/events", url, DefaultAccountID)
	}

	t.Run("create is idempotent with the same attributes", func(t *testing.T) {
		if again := createQueue(t, c, "events", map[string]string{"VisibilityTimeout": "45"}); again != url {
			t.Errorf("second CreateQueue = %q, want %q", again, url)
		}
	})
	t.Run("create with different attributes is QueueNameExists", func(t *testing.T) {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{
			QueueName: aws.String("events"), Attributes: map[string]string{"VisibilityTimeout": "10"},
		})
		if _, ok := errors.AsType[*types.QueueNameExists](err); !ok {
			t.Fatalf("err = %v, want *types.QueueNameExists", err)
		}
	})
	t.Run("GetQueueUrl", func(t *testing.T) {
		out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
		if err != nil || aws.ToString(out.QueueUrl) != url {
			t.Fatalf("GetQueueUrl = %v, %v; want %q", out, err, url)
		}
	})
	t.Run("attributes", func(t *testing.T) {
		attrs := queueAttrs(t, c, url)
		want := map[string]string{
			"VisibilityTimeout":                     "45",
			"QueueArn":                              "arn:aws:sqs:us-east-1:" + DefaultAccountID + ":events",
			"ApproximateNumberOfMessages":           "0",
			"ApproximateNumberOfMessagesNotVisible": "0",
			"ApproximateNumberOfMessagesDelayed":    "0",
			"DelaySeconds":                          "0",
			"ReceiveMessageWaitTimeSeconds":         "0",
			"MaximumMessageSize":                    "1048576",
		}
		for k, v := range want {
			if attrs[k] != v {
				t.Errorf("attribute %s = %q, want %q", k, attrs[k], v)
			}
		}
		if _, ok := attrs["RedrivePolicy"]; ok {
			t.Errorf("RedrivePolicy present without being set: %q", attrs["RedrivePolicy"])
		}

		_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "5", "Policy": "{}"},
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(url),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameVisibilityTimeout, types.QueueAttributeNamePolicy},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Attributes; len(got) != 2 || got["VisibilityTimeout"] != "5" || got["Policy"] != "{}" {
			t.Errorf("attributes after Set = %v", got)
		}
	})
	t.Run("invalid attributes are typed errors and change nothing", func(t *testing.T) {
		_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "7", "Bogus": "1"},
		})
		if _, ok := errors.AsType[*types.InvalidAttributeName](err); !ok {
			t.Errorf("unknown attribute: err = %v, want *types.InvalidAttributeName", err)
		}
		_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "43201"},
		})
		if _, ok := errors.AsType[*types.InvalidAttributeValue](err); !ok {
			t.Errorf("out-of-range value: err = %v, want *types.InvalidAttributeValue", err)
		}
		if got := queueAttrs(t, c, url)["VisibilityTimeout"]; got != "5" {
			t.Errorf("VisibilityTimeout = %s after rejected updates, want 5", got)
		}
	})
	t.Run("FIFO queues are rejected", func(t *testing.T) {
		if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x.fifo")}); err == nil {
			t.Error("CreateQueue(x.fifo) succeeded")
		}
	})
	t.Run("DeleteQueue", func(t *testing.T) {
		tmp := createQueue(t, c, "tmp", nil)
		if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(tmp)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(tmp), MessageBody: aws.String("x")})
		if _, ok := errors.AsType[*types.QueueDoesNotExist](err); !ok {
			t.Errorf("send to deleted queue: err = %v, want *types.QueueDoesNotExist", err)
		}
	})
}

func TestQueueDoesNotExist(t *testing.T) {
	_, c := Start(t)
	ctx := t.Context()
	missing := "http://127.0.0.1:1/" + DefaultAccountID + "/missing"

	calls := map[string]func() error{
		"GetQueueUrl": func() error {
			_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
			return err
		},
		"SendMessage": func() error {
			_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(missing), MessageBody: aws.String("x")})
			return err
		},
		"ReceiveMessage": func() error {
			_, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(missing)})
			return err
		},
		"GetQueueAttributes": func() error {
			_, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(missing)})
			return err
		},
		"PurgeQueue": func() error {
			_, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(missing)})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			qdne, ok := errors.AsType[*types.QueueDoesNotExist](err)
			if !ok {
				t.Fatalf("err = %v, want *types.QueueDoesNotExist", err)
			}
			// The SDK takes the code and fault from x-amzn-query-error, as
			// against AWS.
			if got := qdne.ErrorCode(); got != "AWS.SimpleQueueService.NonExistentQueue" {
				t.Errorf("ErrorCode() = %q", got)
			}
			if qdne.ErrorFault() != smithy.FaultClient {
				t.Errorf("ErrorFault() = %v, want client", qdne.ErrorFault())
			}
			if re, ok := errors.AsType[*awshttp.ResponseError](err); !ok || re.HTTPStatusCode() != http.StatusBadRequest {
				t.Errorf("status: %v", err)
			}
		})
	}
}

func TestSendReceiveDelete(t *testing.T) {
	clock := newManualClock()
	f, c := Start(t, WithClock(clock.Now))
	ctx := t.Context()
	url := createQueue(t, c, "q", nil)

	// A body with multi-byte characters: the SDK checks MD5OfMessageBody on
	// send and MD5OfBody on receive over the UTF-8 bytes, and fails the call
	// on a mismatch.
	body := `{"Records":[{"eventName":"PutObject","key":"é/日本/🙂"}]}`
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":   {DataType: aws.String("String"), StringValue: aws.String("cloudtrail")},
			"n":      {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"raw":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xff}},
			"x.tag":  {DataType: aws.String("String.custom"), StringValue: aws.String("v")},
			"other":  {DataType: aws.String("String"), StringValue: aws.String("o")},
			"x.more": {DataType: aws.String("Number.int"), StringValue: aws.String("7")},
		},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if aws.ToString(sent.MD5OfMessageBody) != md5Hex(body) || aws.ToString(sent.MD5OfMessageAttributes) == "" {
		t.Errorf("SendMessage MD5s = %q, %q", aws.ToString(sent.MD5OfMessageBody), aws.ToString(sent.MD5OfMessageAttributes))
	}
	sentAt := clock.Now()
	clock.Advance(3 * time.Second)

	msgs := receive(t, c, url, 10)
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Errorf("message = %q id %s, want %q id %s", aws.ToString(m.Body), aws.ToString(m.MessageId), body, aws.ToString(sent.MessageId))
	}
	if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Errorf("MD5OfMessageAttributes on receive %q != on send %q", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	}
	if got := m.MessageAttributes["raw"].BinaryValue; string(got) != "\x00\x01\x02\xff" {
		t.Errorf("binary attribute = %v", got)
	}
	ms := func(tm time.Time) string { return strconv.FormatInt(tm.UnixMilli(), 10) }
	wantSys := map[string]string{
		"SentTimestamp":                    ms(sentAt),
		"ApproximateFirstReceiveTimestamp": ms(clock.Now()),
		"ApproximateReceiveCount":          "1",
		"SenderId":                         senderID,
	}
	for k, v := range wantSys {
		if m.Attributes[k] != v {
			t.Errorf("system attribute %s = %q, want %q", k, m.Attributes[k], v)
		}
	}
	if st := f.Stats("q"); st.InFlight != 1 || st.Visible != 0 || st.Received != 1 || st.Sent != 1 {
		t.Errorf("Stats after receive = %+v", st)
	}
	attrs := queueAttrs(t, c, url)
	if attrs["ApproximateNumberOfMessagesNotVisible"] != "1" || attrs["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("queue counts = %s visible, %s not visible", attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"])
	}

	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if st := f.Stats(url); st.InFlight != 0 || st.Visible != 0 || st.Deleted != 1 {
		t.Errorf("Stats after delete = %+v", st)
	}
	// Deleting again succeeds and does nothing, as on AWS.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Errorf("second DeleteMessage: %v", err)
	}
	if f.Deleted("q") != 1 {
		t.Errorf("Deleted = %d after deleting twice, want 1", f.Deleted("q"))
	}
}

func TestMessageAttributeSelection(t *testing.T) {
	_, c := Start(t)
	ctx := t.Context()
	url := createQueue(t, c, "q", nil)
	attrs := map[string]types.MessageAttributeValue{
		"a.one": {DataType: aws.String("String"), StringValue: aws.String("1")},
		"a.two": {DataType: aws.String("String"), StringValue: aws.String("2")},
		"b":     {DataType: aws.String("String"), StringValue: aws.String("3")},
	}
	cases := []struct {
		names []string
		want  []string
	}{
		{nil, nil},
		{[]string{"b"}, []string{"b"}},
		{[]string{"a.*"}, []string{"a.one", "a.two"}},
		{[]string{".*"}, []string{"a.one", "a.two", "b"}},
	}
	for i := range cases {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strconv.Itoa(i)), MessageAttributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range cases {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: tc.names})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("ReceiveMessage(%v) = %v, %v", tc.names, out, err)
		}
		m := out.Messages[0]
		var got []string
		for k := range m.MessageAttributes {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("MessageAttributeNames %v returned %v, want %v", tc.names, got, tc.want)
		}
		if (len(tc.want) == 0) != (m.MD5OfMessageAttributes == nil) {
			t.Errorf("MessageAttributeNames %v: MD5OfMessageAttributes = %v", tc.names, aws.ToString(m.MD5OfMessageAttributes))
		}
	}
}

func TestVisibilityWithInjectedClock(t *testing.T) {
	clock := newManualClock()
	f, c := Start(t, WithClock(clock.Now))
	ctx := t.Context()
	url := createQueue(t, c, "q", map[string]string{"VisibilityTimeout": "30"})
	sendBody(t, c, url, "m1")

	first := receive(t, c, url, 1)
	if len(first) != 1 {
		t.Fatalf("first receive: %d messages", len(first))
	}
	clock.Advance(29 * time.Second)
	if got := receive(t, c, url, 1); len(got) != 0 {
		t.Fatalf("message visible again after 29 s of a 30 s timeout: %v", bodies(got))
	}
	if f.InFlight("q") != 1 || f.Visible("q") != 0 {
		t.Errorf("at 29 s: InFlight=%d Visible=%d, want 1, 0", f.InFlight("q"), f.Visible("q"))
	}
	clock.Advance(time.Second)
	if f.InFlight("q") != 0 || f.Visible("q") != 1 {
		t.Errorf("at 30 s: InFlight=%d Visible=%d, want 0, 1", f.InFlight("q"), f.Visible("q"))
	}
	// The first handle is no longer in flight: changing its visibility is
	// MessageNotInflight, as on AWS.
	_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 60,
	})
	if _, ok := errors.AsType[*types.MessageNotInflight](err); !ok {
		t.Errorf("ChangeMessageVisibility after expiry: err = %v, want *types.MessageNotInflight", err)
	}

	// Redelivery: a new receipt handle and ApproximateReceiveCount 2.
	second := receive(t, c, url, 1)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", second)
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Error("redelivery reused the receipt handle")
	}
	// Deleting with the stale first handle succeeds but deletes nothing.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage with stale handle: %v", err)
	}
	if f.Deleted("q") != 0 || f.InFlight("q") != 1 {
		t.Errorf("stale-handle delete changed the queue: %+v", f.Stats("q"))
	}

	// Extend (keepalive), then let it go with 0.
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 120,
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(100 * time.Second)
	if f.InFlight("q") != 1 {
		t.Errorf("extended message visible after 100 s of 120 s")
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 0,
	}); err != nil {
		t.Fatal(err)
	}
	if f.Visible("q") != 1 {
		t.Errorf("ChangeMessageVisibility(0) did not make the message visible: %+v", f.Stats("q"))
	}

	// A per-receive VisibilityTimeout overrides the queue's.
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 5})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive with VisibilityTimeout 5: %v, %v", out, err)
	}
	clock.Advance(5 * time.Second)
	if f.Visible("q") != 1 {
		t.Errorf("VisibilityTimeout override not applied: %+v", f.Stats("q"))
	}
}

func TestDelaySeconds(t *testing.T) {
	clock := newManualClock()
	f, c := Start(t, WithClock(clock.Now))
	ctx := t.Context()
	url := createQueue(t, c, "q", map[string]string{"DelaySeconds": "10"})
	sendBody(t, c, url, "queue delay")
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("own delay"), DelaySeconds: 2}); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats("q"); st.Delayed != 2 || st.Visible != 0 {
		t.Fatalf("Stats = %+v, want 2 delayed", st)
	}
	clock.Advance(2 * time.Second)
	if got := bodies(receive(t, c, url, 10)); !slices.Equal(got, []string{"own delay"}) {
		t.Errorf("after 2 s received %v", got)
	}
	clock.Advance(8 * time.Second)
	if got := bodies(receive(t, c, url, 10)); !slices.Equal(got, []string{"queue delay"}) {
		t.Errorf("after 10 s received %v", got)
	}
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), DelaySeconds: 901})
	if err == nil {
		t.Error("DelaySeconds 901 accepted")
	}
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	f, c := Start(t)
	ctx := t.Context()
	dlqURL := createQueue(t, c, "events-dlq", nil)
	dlqARN := queueAttrs(t, c, dlqURL)["QueueArn"]

	// maxReceiveCount as a string, the way the console and most IaC write it.
	policy := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlqARN)
	url := createQueue(t, c, "events", map[string]string{"RedrivePolicy": policy})
	srcARN := queueAttrs(t, c, url)["QueueArn"]
	if got := queueAttrs(t, c, url)["RedrivePolicy"]; got != fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, dlqARN) {
		t.Errorf("RedrivePolicy read back as %s", got)
	}
	sendBody(t, c, url, "poison")

	// Receive and give the message back twice (a failing consumer).
	for i := range 2 {
		msgs := receive(t, c, url, 1)
		if len(msgs) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(msgs))
		}
		if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0,
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The third receive finds the message over the limit and moves it.
	if got := receive(t, c, url, 1); len(got) != 0 {
		t.Fatalf("third receive delivered %v, want the message moved to the DLQ", bodies(got))
	}
	if st := f.Stats("events"); st.MovedToDLQ != 1 || st.Visible+st.InFlight+st.Delayed != 0 {
		t.Errorf("source Stats = %+v", st)
	}
	msgs := receive(t, c, dlqURL, 1)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "poison" {
		t.Fatalf("DLQ received %v", bodies(msgs))
	}
	// Like moto and AWS, the receive count carries over into the DLQ.
	if got := msgs[0].Attributes["ApproximateReceiveCount"]; got != "3" {
		t.Errorf("ApproximateReceiveCount in the DLQ = %s, want 3", got)
	}
	if got := msgs[0].Attributes["DeadLetterQueueSourceArn"]; got != srcARN {
		t.Errorf("DeadLetterQueueSourceArn = %q, want %q", got, srcARN)
	}

	t.Run("a policy naming a missing queue is rejected", func(t *testing.T) {
		_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
			QueueUrl:   aws.String(url),
			Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:nope","maxReceiveCount":1}`},
		})
		if _, ok := errors.AsType[*types.InvalidAttributeValue](err); !ok {
			t.Errorf("err = %v, want *types.InvalidAttributeValue", err)
		}
	})
}

func TestBatches(t *testing.T) {
	f, c := Start(t)
	ctx := t.Context()
	url := createQueue(t, c, "q", nil)

	entries := make([]types.SendMessageBatchRequestEntry, 0, 10)
	for i := range 9 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("m" + strconv.Itoa(i)), MessageBody: aws.String("body " + strconv.Itoa(i))})
	}
	// One entry SQS refuses (U+0000 is outside the allowed characters).
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("nul \x00 here")})
	sent, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(sent.Successful) != 9 || len(sent.Failed) != 1 {
		t.Fatalf("SendMessageBatch: %d ok, %d failed", len(sent.Successful), len(sent.Failed))
	}
	if fe := sent.Failed[0]; aws.ToString(fe.Id) != "bad" || aws.ToString(fe.Code) != "InvalidMessageContents" || !fe.SenderFault {
		t.Errorf("failed entry = %+v", fe)
	}

	msgs := receive(t, c, url, 10)
	if len(msgs) != 9 {
		t.Fatalf("received %d, want 9", len(msgs))
	}

	t.Run("DeleteMessageBatch with an invalid handle fails only that entry", func(t *testing.T) {
		del := []types.DeleteMessageBatchRequestEntry{
			{Id: aws.String("ok0"), ReceiptHandle: msgs[0].ReceiptHandle},
			{Id: aws.String("ok1"), ReceiptHandle: msgs[1].ReceiptHandle},
			{Id: aws.String("garbage"), ReceiptHandle: aws.String("not-a-receipt-handle")},
		}
		out, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
		if err != nil {
			t.Fatalf("DeleteMessageBatch: %v", err)
		}
		if len(out.Successful) != 2 || len(out.Failed) != 1 {
			t.Fatalf("%d ok, %d failed; want 2, 1", len(out.Successful), len(out.Failed))
		}
		fe := out.Failed[0]
		if aws.ToString(fe.Id) != "garbage" || aws.ToString(fe.Code) != "ReceiptHandleIsInvalid" || !fe.SenderFault {
			t.Errorf("failed entry = {Id:%s Code:%s SenderFault:%v}", aws.ToString(fe.Id), aws.ToString(fe.Code), fe.SenderFault)
		}
		if f.Deleted("q") != 2 {
			t.Errorf("Deleted = %d, want 2", f.Deleted("q"))
		}
	})

	t.Run("ChangeMessageVisibilityBatch", func(t *testing.T) {
		out, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
			QueueUrl: aws.String(url),
			Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
				{Id: aws.String("a"), ReceiptHandle: msgs[2].ReceiptHandle, VisibilityTimeout: 0},
				{Id: aws.String("b"), ReceiptHandle: msgs[3].ReceiptHandle, VisibilityTimeout: 0},
				{Id: aws.String("deleted"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "AWS.SimpleQueueService.MessageNotInflight" {
			t.Errorf("ChangeMessageVisibilityBatch = %d ok, failed %+v", len(out.Successful), out.Failed)
		}
		if f.Visible("q") != 2 {
			t.Errorf("Visible = %d, want 2", f.Visible("q"))
		}
	})

	t.Run("whole-batch errors are typed", func(t *testing.T) {
		eleven := make([]types.DeleteMessageBatchRequestEntry, 11)
		for i := range eleven {
			eleven[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String("e" + strconv.Itoa(i)), ReceiptHandle: msgs[0].ReceiptHandle}
		}
		_, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: eleven})
		if _, ok := errors.AsType[*types.TooManyEntriesInBatchRequest](err); !ok {
			t.Errorf("11 entries: err = %v", err)
		}
		_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{}})
		if _, ok := errors.AsType[*types.EmptyBatchRequest](err); !ok {
			t.Errorf("0 entries: err = %v", err)
		}
		_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("same"), MessageBody: aws.String("1")},
			{Id: aws.String("same"), MessageBody: aws.String("2")},
		}})
		if _, ok := errors.AsType[*types.BatchEntryIdsNotDistinct](err); !ok {
			t.Errorf("duplicate ids: err = %v", err)
		}
		_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("has space"), MessageBody: aws.String("1")},
		}})
		if _, ok := errors.AsType[*types.InvalidBatchEntryId](err); !ok {
			t.Errorf("bad id: err = %v", err)
		}
	})
}

func TestReceiptHandleIsInvalid(t *testing.T) {
	_, c := Start(t)
	ctx := t.Context()
	a := createQueue(t, c, "a", nil)
	b := createQueue(t, c, "b", nil)
	sendBody(t, c, a, "x")
	msgs := receive(t, c, a, 1)

	for name, handle := range map[string]string{
		"garbage":            "garbage!",
		"other queue's":      aws.ToString(msgs[0].ReceiptHandle),
		"well-formed base64": "YWJj",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(b), ReceiptHandle: aws.String(handle)})
			e, ok := errors.AsType[*types.ReceiptHandleIsInvalid](err)
			if !ok {
				t.Fatalf("DeleteMessage: err = %v, want *types.ReceiptHandleIsInvalid", err)
			}
			if e.ErrorCode() != "ReceiptHandleIsInvalid" {
				t.Errorf("ErrorCode() = %q", e.ErrorCode())
			}
			_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(b), ReceiptHandle: aws.String(handle)})
			if _, ok := errors.AsType[*types.ReceiptHandleIsInvalid](err); !ok {
				t.Errorf("ChangeMessageVisibility: err = %v, want *types.ReceiptHandleIsInvalid", err)
			}
		})
	}
}

func TestMessageValidation(t *testing.T) {
	_, c := Start(t)
	ctx := t.Context()
	url := createQueue(t, c, "small", map[string]string{"MaximumMessageSize": "1024"})

	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 1025))})
	if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("oversized message: err = %v, want InvalidParameterValue", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bell \a")})
	if _, ok := errors.AsType[*types.InvalidMessageContents](err); !ok {
		t.Errorf("control character: err = %v, want *types.InvalidMessageContents", err)
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("MaxNumberOfMessages 11: err = %v", err)
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("WaitTimeSeconds 21: err = %v", err)
	}
}

func TestPurgeQueue(t *testing.T) {
	f, c := Start(t)
	ctx := t.Context()
	url := createQueue(t, c, "q", nil)
	for i := range 5 {
		sendBody(t, c, url, strconv.Itoa(i))
	}
	receive(t, c, url, 2)
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats("q"); st.Visible+st.InFlight+st.Delayed != 0 || st.Purged != 5 {
		t.Errorf("Stats after purge = %+v", st)
	}
	sendBody(t, c, url, "after")
	if got := bodies(receive(t, c, url, 10)); !slices.Equal(got, []string{"after"}) {
		t.Errorf("after purge received %v", got)
	}
}

func TestFailNext(t *testing.T) {
	f, c := Start(t)
	ctx := t.Context()
	url := createQueue(t, c, "q", nil)
	recv := func(c *sqs.Client) error {
		_, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
		return err
	}

	t.Run("Throttling", func(t *testing.T) {
		f.FailNext("ReceiveMessage", Throttling)
		err := recv(c)
		ae, ok := errors.AsType[smithy.APIError](err)
		if !ok || ae.ErrorCode() != "ThrottlingException" {
			t.Fatalf("err = %v, want ThrottlingException", err)
		}
		if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
			t.Error("the SDK does not classify the fault as throttling")
		}
		if err := recv(c); err != nil {
			t.Errorf("the fault applied twice: %v", err)
		}
	})
	t.Run("RequestThrottled is typed", func(t *testing.T) {
		f.FailNext("ReceiveMessage", RequestThrottled)
		if _, ok := errors.AsType[*types.RequestThrottled](recv(c)); !ok {
			t.Error("want *types.RequestThrottled")
		}
	})
	t.Run("InternalError is a 500 server fault", func(t *testing.T) {
		f.FailNext("*", InternalError)
		err := recv(c)
		re, ok := errors.AsType[*awshttp.ResponseError](err)
		if !ok || re.HTTPStatusCode() != http.StatusInternalServerError {
			t.Fatalf("err = %v, want HTTP 500", err)
		}
		if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorFault() != smithy.FaultServer {
			t.Errorf("fault = %v, want server", err)
		}
	})
	t.Run("faults only hit their operation", func(t *testing.T) {
		f.FailNext("DeleteMessage", Throttling)
		if err := recv(c); err != nil {
			t.Errorf("ReceiveMessage failed with DeleteMessage's fault: %v", err)
		}
		_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("x")})
		if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "ThrottlingException" {
			t.Errorf("DeleteMessage: err = %v", err)
		}
	})
	t.Run("a retrying client recovers", func(t *testing.T) {
		retrying := sqs.New(c.Options(), func(o *sqs.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = 3
				so.RateLimiter = ratelimit.None
				so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
			o.RetryMaxAttempts = 0
		})
		before := f.Calls("ReceiveMessage")
		f.FailNext("ReceiveMessage", Throttling)
		f.FailNext("ReceiveMessage", InternalError)
		if err := recv(retrying); err != nil {
			t.Fatalf("err = %v after two faults and three attempts", err)
		}
		if got := f.Calls("ReceiveMessage") - before; got != 3 {
			t.Errorf("ReceiveMessage calls = %d, want 3", got)
		}
	})
}

func TestUnknownOperation(t *testing.T) {
	_, c := Start(t)
	_, err := c.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	ae, ok := errors.AsType[smithy.APIError](err)
	if !ok || ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), "ListQueues") {
		t.Errorf("err = %v, want UnknownOperationException naming ListQueues", err)
	}
}
