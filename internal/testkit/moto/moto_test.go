package moto_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/sqsfake"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// TestEndToEnd drives SQS and S3 in moto with the real SDK clients, then
// checks that Reset wipes both.
func TestEndToEnd(t *testing.T) {
	srv := moto.Require(t)
	ctx := t.Context()
	cfg := srv.Config("us-east-1")
	sqsc := sqs.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.DisableLogOutputChecksumValidationSkipped = true
	})

	// SQS: create, send with attributes, receive, delete.
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("e2e-events")})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	queueURL := aws.ToString(q.QueueUrl)
	if !strings.HasPrefix(queueURL, srv.URL+"/") {
		t.Errorf("queue URL %q is not under %s", queueURL, srv.URL)
	}
	attrs := map[string]sqstypes.MessageAttributeValue{
		"kind": {DataType: aws.String("String"), StringValue: aws.String("cloudtrail")},
		"n":    {DataType: aws.String("Number"), StringValue: aws.String("42")},
		"raw":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xff}},
	}
	body := `{"Records":[{"s3":{"object":{"key":"AWSLogs/é.json.gz"}}}]}`
	sent, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body), MessageAttributes: attrs})
	if err != nil {
		t.Fatalf("SendMessage: %v", err) // includes the SDK's MD5OfMessageBody check
	}
	got, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    q.QueueUrl,
		MaxNumberOfMessages:         10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != body {
		t.Fatalf("ReceiveMessage returned %d messages: %+v", len(got.Messages), got.Messages)
	}
	if rc := got.Messages[0].Attributes["ApproximateReceiveCount"]; rc != "1" {
		t.Errorf("ApproximateReceiveCount = %q, want 1", rc)
	}

	// The in-process fake must agree with moto on MD5OfMessageAttributes,
	// which the SDK does not check.
	_, fakeClient := sqsfake.Start(t)
	fq, err := fakeClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("e2e-events")})
	if err != nil {
		t.Fatal(err)
	}
	fakeSent, err := fakeClient.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fq.QueueUrl, MessageBody: aws.String(body), MessageAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if m, f := aws.ToString(sent.MD5OfMessageAttributes), aws.ToString(fakeSent.MD5OfMessageAttributes); m != f || m == "" {
		t.Errorf("MD5OfMessageAttributes: moto %q, sqsfake %q", m, f)
	}

	if _, err := sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}

	// S3: a gzip object round-trips byte for byte. Over plain HTTP the SDK
	// needs a seekable body, hence bytes.Reader.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = io.WriteString(zw, `{"Records":[]}`)
	_ = zw.Close()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("e2e-trail")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	key := aws.String("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz")
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("e2e-trail"), Key: key, Body: bytes.NewReader(gz.Bytes()),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("e2e-trail"), Key: key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	data, err := io.ReadAll(obj.Body)
	_ = obj.Body.Close()
	if err != nil || !bytes.Equal(data, gz.Bytes()) {
		t.Fatalf("GetObject returned %d bytes (err %v), want the %d stored", len(data), err, gz.Len())
	}

	// Reset wipes both.
	if err := srv.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = sqsc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("e2e-events")})
	if _, ok := errors.AsType[*sqstypes.QueueDoesNotExist](err); !ok {
		t.Errorf("GetQueueUrl after Reset: err = %v, want *types.QueueDoesNotExist", err)
	}
	_, err = s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("e2e-trail")})
	if _, ok := errors.AsType[*s3types.NotFound](err); !ok {
		t.Errorf("HeadBucket after Reset: err = %v, want *types.NotFound", err)
	}
}

// TestEnvForChildProcesses loads the SDK's default config from exactly the
// variables Env gives a child process and checks that it reaches moto.
func TestEnvForChildProcesses(t *testing.T) {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatalf("LoadDefaultConfig with moto.Env: %v", err)
	}
	if cfg.Region != "us-east-1" {
		t.Errorf("Region = %q", cfg.Region)
	}
	c := sqs.NewFromConfig(cfg)
	if _, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("child")}); err != nil {
		t.Fatalf("CreateQueue through the default chain: %v", err)
	}
	out, err := c.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	if err != nil || len(out.QueueUrls) != 1 || !strings.HasPrefix(out.QueueUrls[0], srv.URL) {
		t.Errorf("ListQueues = %v, %v; want one queue at %s", out, err, srv.URL)
	}
}

// TestRequireResets: state from earlier tests is gone when Require returns.
func TestRequireResets(t *testing.T) {
	srv := moto.Require(t)
	out, err := sqs.NewFromConfig(srv.Config("us-east-1")).ListQueues(t.Context(), &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueueUrls) != 0 {
		t.Errorf("queues left from earlier tests: %v", out.QueueUrls)
	}
}

// The tests below do not need moto and run whether or not it is installed.

func TestConfigIsHermetic(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://192.0.2.1:1")
	t.Setenv("AWS_REGION", "ap-south-1")
	srv := &moto.Server{URL: "http://127.0.0.1:5999"}
	cfg := srv.Config("eu-west-1")
	if cfg.Region != "eu-west-1" || aws.ToString(cfg.BaseEndpoint) != srv.URL {
		t.Errorf("Config = region %q endpoint %q", cfg.Region, aws.ToString(cfg.BaseEndpoint))
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "test" || creds.SecretAccessKey != "test" {
		t.Errorf("credentials = %+v, %v", creds, err)
	}
	if cfg.RetryMaxAttempts != 1 {
		t.Errorf("RetryMaxAttempts = %d", cfg.RetryMaxAttempts)
	}
}

func TestEnv(t *testing.T) {
	srv := &moto.Server{URL: "http://127.0.0.1:5999"}
	env := srv.Env()
	for _, want := range []string{
		"AWS_ENDPOINT_URL=http://127.0.0.1:5999",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	} {
		if !slices.Contains(env, want) {
			t.Errorf("Env() lacks %s: %v", want, env)
		}
	}
}

// A plain HTTP check that moto's root answers once Require returns, with no
// SDK in between: the readiness probe's contract.
func TestReadyWhenRequired(t *testing.T) {
	srv := moto.Require(t)
	resp, err := http.Get(srv.URL + "/moto-api/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /moto-api/ = %s", resp.Status)
	}
}
