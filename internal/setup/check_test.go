package setup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/preflight/preflighttest"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

const checkConf = `[default]
host = idx01

[aws_ingest_cloudtrail]
index = aws

[aws_ingest_cloudtrail://healthy]
sqs_queue = healthy-q
sqs_queue_region = us-west-2

[aws_ingest_cloudtrail://broken]
sqs_queue = missing-q
sqs_queue_region = us-west-2

[aws_ingest_cloudtrail://invalid]
sqs_queue = not a queue name

[aws_ingest_cloudtrail://off]
sqs_queue = whatever
disabled = 1

[monitor:///var/log]
index = os
`

func TestCheckAgainstMoto(t *testing.T) {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx := t.Context()
	b := s3.NewFromConfig(srv.Config("us-west-2"), func(o *s3.Options) { o.UsePathStyle = true })
	key := "AWSLogs/" + motoAccount + "/CloudTrail/us-west-2/2026/11/26/" + motoAccount + "_CloudTrail_us-west-2_20261126T0000Z_abc.json.gz"
	if _, err := b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ct-logs"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ct-logs"), Key: &key, Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(srv.Config("us-west-2"))
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("healthy-q")})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"s3Bucket":"ct-logs","s3ObjectKey":["` + key + `"]}`
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: &body}); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "inputs.conf")
	if err := os.WriteFile(conf, []byte(checkConf), 0o644); err != nil {
		t.Fatal(err)
	}

	out, stderr, err := runCommand(t, checkCommand, nil, "--inputs-conf", conf, "--stanza", "healthy")
	if err != nil {
		t.Fatalf("healthy: %v\n%s\n%s", err, out, stderr)
	}
	for _, want := range []string{"credentials", "queue", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "s3:GetObject"} {
		if !preflighttest.HasRow(out, preflight.Pass, "aws_ingest_cloudtrail://healthy", want, "") {
			t.Errorf("healthy: no ✓ %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, preflight.Fail) {
		t.Errorf("healthy: a check failed:\n%s", out)
	}
	t.Logf("healthy:\n%s", out)
	// The message is still there for the input.
	recv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(recv.Messages) != 1 {
		t.Errorf("after check: %d messages, %v", len(recv.Messages), err)
	}

	out, _, err = runCommand(t, checkCommand, nil, "--inputs-conf", conf)
	if err == nil || !strings.Contains(err.Error(), "2 check(s) failed") {
		t.Errorf("all stanzas: err %v\n%s", err, out)
	}
	t.Logf("all:\n%s", out)
	if !preflighttest.HasRow(out, preflight.Fail, "aws_ingest_cloudtrail://broken", "queue", "") || !preflighttest.HasRow(out, preflight.Fail, "aws_ingest_cloudtrail://invalid", "parameters", "") ||
		!preflighttest.HasRow(out, preflight.Skip, "aws_ingest_cloudtrail://off", "stanza", "") || !strings.Contains(out, "To fix:\n  aws_ingest_cloudtrail://broken queue: ") {
		t.Errorf("all stanzas:\n%s", out)
	}
	if _, _, err := runCommand(t, checkCommand, nil, "--inputs-conf", conf, "--stanza", "nope"); err == nil || !strings.Contains(err.Error(), "no stanza") {
		t.Errorf("unknown stanza: %v", err)
	}
}

var checkCommand = preflight.Command(schemes.CloudTrail, Check).Run
