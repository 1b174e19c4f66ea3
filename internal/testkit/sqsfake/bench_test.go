package sqsfake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// BenchmarkReceiveDeleteBatch measures the consumer's hot path against the
// fake: ReceiveMessage(10) then DeleteMessageBatch of what came back, with
// the queue refilled (untimed) every 1000 messages. "http" goes through an
// httptest.Server like Start; "inmemory" through NewClient.
func BenchmarkReceiveDeleteBatch(b *testing.B) {
	b.Run("http", func(b *testing.B) {
		_, c := Start(b)
		benchReceiveDelete(b, c)
	})
	b.Run("inmemory", func(b *testing.B) {
		benchReceiveDelete(b, New().NewClient())
	})
}

func benchReceiveDelete(b *testing.B, c *sqs.Client) {
	ctx := b.Context()
	url := aws.String(createQueue(b, c, "bench", nil))
	// About the size of an S3 event notification.
	body := aws.String(`{"Records":[{"eventSource":"aws:s3","s3":{"object":{"key":"` + strings.Repeat("k", 400) + `"}}}]}`)
	const fill = 1000
	send := make([]types.SendMessageBatchRequestEntry, 10)
	for i := range send {
		send[i] = types.SendMessageBatchRequestEntry{Id: aws.String("e" + strconv.Itoa(i)), MessageBody: body}
	}
	del := make([]types.DeleteMessageBatchRequestEntry, 0, 10)

	left, received := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if left == 0 {
			b.StopTimer()
			for range fill / len(send) {
				if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: send}); err != nil {
					b.Fatal(err)
				}
			}
			left = fill
			b.StartTimer()
		}
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
		if err != nil {
			b.Fatal(err)
		}
		del = del[:0]
		for i, m := range out.Messages {
			del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(del) == 0 {
			b.Fatal("received nothing from a filled queue")
		}
		res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
		if err != nil || len(res.Failed) > 0 {
			b.Fatalf("DeleteMessageBatch: %v, failed %v", err, res.Failed)
		}
		left -= len(del)
		received += len(del)
	}
	b.ReportMetric(float64(received)/b.Elapsed().Seconds(), "msgs/s")
}
