package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit/sqsfake"
)

// BenchmarkPipeline measures the whole input, SQS receive to the XML
// stream, through the in-process SQS fake and an in-memory S3, with one
// and with many objects in flight:
//
//	go test -run '^$' -bench Pipeline -benchtime 3x ./internal/cloudtrail/
func BenchmarkPipeline(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			const objects, perObject = 200, 500
			body := logFile(b, strings.Split(strings.TrimSuffix(strings.Repeat("RunInstances,", perObject), ","), ",")...)
			var events int64
			start := time.Now()
			for b.Loop() {
				fake := sqsfake.New()
				client := fake.NewClient()
				out, err := client.CreateQueue(b.Context(), &sqs.CreateQueueInput{QueueName: aws.String("q"),
					Attributes: map[string]string{"VisibilityTimeout": "300"}})
				if err != nil {
					b.Fatal(err)
				}
				objs := newFakeObjects()
				for i := range objects {
					objs.put("b", logKey(i), body)
					if _, err := client.SendMessage(b.Context(), &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(ctNotification("b", logKey(i)))}); err != nil {
						b.Fatal(err)
					}
				}
				w := modinput.NewWriter(io.Discard, modinput.WriterOptions{})
				ctx, cancel := context.WithCancel(b.Context())
				done := make(chan error, 1)
				cfg := Config{Queue: "q", Region: "us-east-1", MaxWorkers: workers, Sourcetype: "aws:cloudtrail", MetricsInterval: time.Hour, MetricsIndex: "_internal"}
				go func() {
					done <- Run(ctx, cfg, Deps{Queue: client, Objects: objs, Checkpoints: newMemCheckpoints(), Events: w, Log: slog.New(slog.DiscardHandler)})
				}()
				for fake.Deleted("q") < objects {
					time.Sleep(time.Millisecond)
				}
				cancel()
				<-done
				_ = w.Close()
				fake.Close()
				events += int64(objects * perObject)
			}
			b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
		})
	}
}
