package setup

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	cloudtrailinput "github.com/aws-ingest/aws-ingest/internal/cloudtrail"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Check is the cloudtrail input's part of the `check` subcommand
// (internal/preflight): credentials, the queue and each permission the
// input uses, tried without changing anything.
func Check(ctx context.Context, job *cli.Job, r *preflight.Report) {
	cfg, err := cloudtrailinput.ConfigFrom(job.Params, job.Splunk)
	if err != nil {
		r.Fail("parameters", err.Error(), "correct the stanza")
		return
	}
	opts, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err == nil {
		opts.Region, opts.MaxAttempts = cfg.Region, 2
		var awsCfg aws.Config
		if awsCfg, err = awsx.Load(ctx, opts); err == nil {
			checkAWS(ctx, r, cfg, job.Params, awsCfg)
			return
		}
	}
	r.Fail("credentials", err.Error(), preflight.CredentialsFix(job, opts.Account))
}

func checkAWS(ctx context.Context, r *preflight.Report, cfg cloudtrailinput.Config, v params.Values, awsCfg aws.Config) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	id, err := sts.NewFromConfig(awsCfg, func(o *sts.Options) {
		if u := v.String(schemes.STSEndpointURL); u != "" {
			o.BaseEndpoint = &u
		}
	}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r.Fail("credentials", preflight.Short(err), "give the input working credentials (instance role, aws_account, key_id/secret_key) and check role_arn's trust policy")
		return
	}
	r.Pass("credentials", aws.ToString(id.Arn))

	q := sqs.NewFromConfig(awsCfg, awsx.SQSOptions(v.String(schemes.SQSEndpointURL)))
	if err := cloudtrailinput.CheckQueue(ctx, cfg, q); err != nil {
		fix := "check sqs_queue and sqs_queue_region, or create the queue (setup subcommand)"
		if preflight.Denied(err) {
			fix = "allow sqs:GetQueueUrl and sqs:GetQueueAttributes on the queue (the policy subcommand prints the whole policy)"
		}
		r.Fail("queue", preflight.Short(err), fix)
		return
	}
	url := cfg.Queue
	if !strings.Contains(url, "://") {
		out, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &cfg.Queue})
		if err != nil {
			r.Fail("queue", preflight.Short(err), "allow sqs:GetQueueUrl on the queue")
			return
		}
		url = aws.ToString(out.QueueUrl)
	}
	r.Pass("queue", url)

	// VisibilityTimeout 0 leaves a received message visible to the input;
	// only its receive count goes up by one.
	recv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 1, WaitTimeSeconds: 0, VisibilityTimeout: 0})
	if err != nil {
		r.Fail("sqs:ReceiveMessage", preflight.Short(err), "allow sqs:ReceiveMessage on the queue")
		return
	}
	var msg *sqstypes.Message
	if len(recv.Messages) > 0 {
		msg = &recv.Messages[0]
		r.Pass("sqs:ReceiveMessage", "a message is waiting")
		_, err := q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: msg.ReceiptHandle, VisibilityTimeout: 0})
		if err != nil {
			r.Fail("sqs:ChangeMessageVisibility", preflight.Short(err), "allow sqs:ChangeMessageVisibility on the queue")
		} else {
			r.Pass("sqs:ChangeMessageVisibility", "")
		}
	} else {
		r.Pass("sqs:ReceiveMessage", "the queue is empty")
		r.Skip("sqs:ChangeMessageVisibility", "no message to try it on")
	}
	// A made-up receipt handle: denied when the permission is missing,
	// ReceiptHandleIsInvalid otherwise; nothing is deleted.
	_, err = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("aws-ingest-check-not-a-receipt-handle")})
	switch {
	case err == nil || preflight.HasCode(err, "ReceiptHandleIsInvalid", "InvalidParameterValue"):
		r.Pass("sqs:DeleteMessage", "probed with an invalid receipt handle")
	case preflight.Denied(err):
		r.Fail("sqs:DeleteMessage", preflight.Short(err), "allow sqs:DeleteMessage on the queue")
	default:
		r.Skip("sqs:DeleteMessage", "could not tell: "+preflight.Short(err))
	}

	objects := []message.Object(nil)
	if msg != nil {
		if m, err := message.Parse([]byte(aws.ToString(msg.Body))); err == nil {
			objects = m.Objects
		}
	}
	s3c := s3.NewFromConfig(awsCfg, awsx.S3Options(v.String(schemes.S3EndpointURL)), func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if len(objects) == 0 {
		r.Skip("s3:GetObject", "no waiting message names a log file")
	} else {
		obj := objects[0]
		_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &obj.Bucket, Key: &obj.Key})
		switch {
		case err == nil:
			r.Pass("s3:GetObject", "s3://"+obj.Bucket+"/"+obj.Key)
		case notFound(err):
			r.Fail("s3:GetObject", "s3://"+obj.Bucket+"/"+obj.Key+" does not exist", "check that nothing else deletes the log files (a lifecycle rule, another consumer with remove_files_when_done)")
		default:
			r.Fail("s3:GetObject", "s3://"+obj.Bucket+"/"+obj.Key+": "+preflight.Short(err), "allow s3:GetObject on arn:aws:s3:::"+obj.Bucket+"/AWSLogs/* (and kms:Decrypt if the bucket uses SSE-KMS)")
		}
	}
	if cfg.RemoveFiles {
		r.Skip("s3:DeleteObject", "not tried: it would delete a log file")
	}
	if cfg.ValidateIntegrity {
		ct := cloudtrail.NewFromConfig(awsCfg)
		now := time.Now()
		if _, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: &now}); err != nil {
			r.Fail("cloudtrail:ListPublicKeys", preflight.Short(err), "allow cloudtrail:ListPublicKeys (validate_integrity = 1)")
		} else {
			r.Pass("cloudtrail:ListPublicKeys", "")
		}
	}
}
