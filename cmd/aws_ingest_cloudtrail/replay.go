package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/checkpoint"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

var replayCommand = cli.Command{
	Name:    "replay",
	Summary: "write the events of CloudTrail files, folders or s3://bucket/prefix to stdout (back-fill, demo)",
	Run:     replay,
}

func replay(ctx context.Context, env *cli.Env, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	format := fs.String("format", "xml", "output: xml (Splunk's modular-input stream) or json (one record per line)")
	since := fs.String("since", "", "keep records with eventTime at or after this time (RFC 3339 or YYYY-MM-DD)")
	until := fs.String("until", "", "keep records with eventTime before this time (RFC 3339 or YYYY-MM-DD)")
	region := fs.String("region", os.Getenv("AWS_REGION"), "region of s3:// sources (default $AWS_REGION)")
	checkpointDir := fs.String("checkpoint-dir", "", "for s3:// sources: remember finished objects here, so an interrupted back-fill resumes")
	sourcetype := fs.String("sourcetype", "aws:cloudtrail", "sourcetype of the events")
	parallel := fs.Int("parallel", 8, "for s3:// sources: objects read at once (1: one by one, in listing order)")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: aws_ingest_cloudtrail replay [flags] SOURCE...\n\nSOURCE is a CloudTrail log file (.json.gz or .json), a folder (read recursively) or s3://bucket/prefix.\n\n")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return cli.UsageError(env, fs, "no SOURCE given")
	case *format != "xml" && *format != "json":
		return cli.UsageError(env, fs, "--format %q: want xml or json", *format)
	case *parallel < 1 || *parallel > 64:
		return cli.UsageError(env, fs, "--parallel %d: want 1 to 64", *parallel)
	}
	o := cloudtrail.ReplayOptions{JSON: *format == "json", Sourcetype: *sourcetype, Out: env.Stdout, Log: env.Log, Parallel: *parallel}
	var err error
	if o.Since, err = parseTime(*since); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if o.Until, err = parseTime(*until); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	if needsS3(fs.Args()) {
		cfg, err := awsx.Load(ctx, awsx.Options{Region: *region, Logger: env.Log})
		if err != nil {
			return err
		}
		o.S3 = s3.NewFromConfig(cfg, awsx.S3Options(""), func(so *s3.Options) {
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
			so.DisableLogOutputChecksumValidationSkipped = true
		})
		if *checkpointDir != "" {
			store, err := checkpoint.Open(*checkpointDir, checkpoint.Options{})
			if err != nil {
				return err
			}
			defer store.Close()
			o.Checkpoints = store
		}
	}
	if !o.JSON {
		o.Events = modinput.NewWriter(env.Stdout, modinput.WriterOptions{})
	}
	stats, err := cloudtrail.Replay(ctx, fs.Args(), o)
	if o.Events != nil {
		err = errors.Join(err, o.Events.Close())
	}
	env.Log.Info("replay done", "files", stats.Files, "records", stats.Records, "written", stats.Written)
	return err
}

func needsS3(sources []string) bool {
	for _, s := range sources {
		if strings.HasPrefix(s, "s3://") {
			return true
		}
	}
	return false
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2024-05-01 or 2024-05-01T12:00:00Z)", s)
}
