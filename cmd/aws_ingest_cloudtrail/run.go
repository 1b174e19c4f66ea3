package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// run builds the input's AWS clients and checkpoint store from the stanza
// and runs it until splunkd stops it.
func run(ctx context.Context, job *cli.Job) error {
	cfg, sqsClient, s3Client, err := clients(ctx, job, 0)
	if err != nil {
		return err
	}
	dir := filepath.Join(job.Server.CheckpointDir, safeName(cfg.Stanza))
	store, err := checkpoint.Open(dir, checkpoint.Options{Logger: job.Log})
	if err != nil {
		return err
	}
	defer store.Close()
	return cloudtrail.Run(ctx, cfg, cloudtrail.Deps{
		Queue: sqsClient, Objects: s3Client, Checkpoints: store, Events: job.Events, Log: job.Log,
	})
}

// check is the live validation: credentials and the queue. splunkd waits
// for it while a person saves the input, so it gives up quickly.
func check(ctx context.Context, job *cli.Job) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	cfg, sqsClient, _, err := clients(ctx, job, 2)
	if err != nil {
		return err
	}
	return cloudtrail.CheckQueue(ctx, cfg, sqsClient)
}

const checkTimeout = 15 * time.Second

// clients reads the stanza and builds its AWS clients; maxAttempts 0 keeps
// the default retries.
func clients(ctx context.Context, job *cli.Job, maxAttempts int) (cloudtrail.Config, *sqs.Client, *s3.Client, error) {
	cfg, err := cloudtrail.ConfigFrom(job.Params, job.Splunk)
	if err != nil {
		return cfg, nil, nil, err
	}
	opts, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err != nil {
		return cfg, nil, nil, err
	}
	opts.Region = cfg.Region
	opts.MaxAttempts = maxAttempts
	awsCfg, err := awsx.Load(ctx, opts)
	if err != nil {
		return cfg, nil, nil, err
	}
	sqsClient := sqs.NewFromConfig(awsCfg, awsx.SQSOptions(job.Params.String(schemes.SQSEndpointURL)))
	s3Client := s3.NewFromConfig(awsCfg, awsx.S3Options(job.Params.String(schemes.S3EndpointURL)), func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return cfg, sqsClient, s3Client, nil
}

// safeName turns a stanza name into a folder name valid on every platform:
// letters, digits, '.', '-' and '_' stay, everything else becomes _XX.
func safeName(stanza string) string {
	_, name, found := strings.Cut(stanza, "://")
	if !found {
		name = stanza
	}
	var b strings.Builder
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}
