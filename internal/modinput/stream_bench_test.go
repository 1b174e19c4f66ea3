package modinput

import (
	"io"
	"strings"
	"testing"
	"time"
)

// A CloudTrail-sized record (about 1.2 KB, mostly ASCII with quotes, as the
// real ones are).
var benchRecord = []byte(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:session","arn":"arn:aws:sts::123456789012:assumed-role/Admin/session","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"},"attributes":{"creationDate":"2024-05-01T12:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-01T12:30:45Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}},"responseElements":null,"requestID":"2b7c1a5e-0c1d-4f6e-9a8b-7c6d5e4f3a2b","eventID":"9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}`)

// BenchmarkWriter measures the event stream from Write to the underlying
// writer: go test -run '^$' -bench Writer -benchmem ./internal/modinput/
func BenchmarkWriter(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(map[int]string{1: "one-event-per-write", 100: "100-events-per-write"}[batch], func(b *testing.B) {
			events := make([]Event, batch)
			for i := range events {
				events[i] = Event{
					Time: time.Unix(1714566645, 0), Source: "s3://acme-cloudtrail/AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/file.json.gz",
					Sourcetype: "aws:cloudtrail", Data: benchRecord,
				}
			}
			w := NewWriter(io.Discard, WriterOptions{})
			b.SetBytes(int64(len(benchRecord) * batch))
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				if err := w.Write(b.Context(), events...); err != nil {
					b.Fatal(err)
				}
				n += batch
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		})
	}
}

func BenchmarkEscapeText(b *testing.B) {
	data := []byte(strings.Repeat(string(benchRecord), 4))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	buf := make([]byte, 0, 2*len(data))
	for b.Loop() {
		buf = appendEscaped(buf[:0], data, false)
	}
}

// BenchmarkWriteBatch is the same stream with the events encoded by the
// producer (modinput.Batch), as the CloudTrail input's workers do:
// go test -run '^$' -bench WriteBatch -benchmem ./internal/modinput/
func BenchmarkWriteBatch(b *testing.B) {
	ev := Event{
		Time: time.Unix(1714566645, 0), Source: "s3://acme-cloudtrail/AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/file.json.gz",
		Sourcetype: "aws:cloudtrail", Data: benchRecord,
	}
	const perBatch = 256
	w := NewWriter(io.Discard, WriterOptions{})
	b.SetBytes(int64(len(benchRecord) * perBatch))
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		batch := NewBatch()
		for range perBatch {
			batch.Add(&ev)
		}
		if err := w.WriteBatch(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		n += perBatch
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}
