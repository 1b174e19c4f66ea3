package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cloudtrailapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
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
	c, err := newClients(ctx, job, 0)
	if err != nil {
		return err
	}
	dir := filepath.Join(job.Server.CheckpointDir, safeName(c.cfg.Stanza))
	store, err := checkpoint.Open(dir, checkpoint.Options{Logger: job.Log})
	if err != nil {
		return err
	}
	defer store.Close()
	deps := cloudtrail.Deps{Queue: c.sqs, Objects: c.s3, Checkpoints: store, Events: job.Events, Log: job.Log}
	if c.cfg.ValidateIntegrity {
		deps.PublicKeys = cloudtrailapi.NewFromConfig(c.aws)
	}
	return cloudtrail.Run(ctx, c.cfg, deps)
}

// check is the live validation: credentials and the queue. splunkd waits
// for it while a person saves the input, so it gives up quickly.
func check(ctx context.Context, job *cli.Job) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	c, err := newClients(ctx, job, 2)
	if err != nil {
		return err
	}
	return cloudtrail.CheckQueue(ctx, c.cfg, c.sqs)
}

const checkTimeout = 15 * time.Second

// clients are a stanza's settings and AWS clients.
type clients struct {
	cfg cloudtrail.Config
	aws aws.Config
	sqs *sqs.Client
	s3  *s3.Client
}

// newClients reads the stanza and builds its AWS clients; maxAttempts 0
// keeps the default retries.
func newClients(ctx context.Context, job *cli.Job, maxAttempts int) (clients, error) {
	var c clients
	var err error
	if c.cfg, err = cloudtrail.ConfigFrom(job.Params, job.Splunk); err != nil {
		return c, err
	}
	opts, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err != nil {
		return c, err
	}
	opts.Region = c.cfg.Region
	opts.MaxAttempts = maxAttempts
	if c.aws, err = awsx.Load(ctx, opts); err != nil {
		return c, err
	}
	c.sqs = sqs.NewFromConfig(c.aws, awsx.SQSOptions(job.Params.String(schemes.SQSEndpointURL)))
	c.s3 = s3.NewFromConfig(c.aws, awsx.S3Options(job.Params.String(schemes.S3EndpointURL)), func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return c, nil
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
