package setup

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

func flags(env *cli.Env, name, synopsis string) *flag.FlagSet {
	return cli.Flags(env, schemes.CloudTrail.Name, name, synopsis)
}

func usageError(env *cli.Env, fs *flag.FlagSet, format string, args ...any) error {
	return cli.UsageError(env, fs, format, args...)
}

// PolicyCommand prints the reader's least-privilege IAM policy.
func PolicyCommand(_ context.Context, env *cli.Env, args []string) error {
	fs := flags(env, "policy", "policy --queue-arn ARN --bucket BUCKET [--kms-key-arn ARN] [--remove-files-when-done] [--validate-integrity]")
	var o ReaderOptions
	fs.StringVar(&o.QueueARN, "queue-arn", "", "ARN of the queue the input reads (arn:aws:sqs:REGION:ACCOUNT:NAME)")
	fs.StringVar(&o.Bucket, "bucket", "", "bucket CloudTrail writes the log files to")
	fs.StringVar(&o.KMSKeyARN, "kms-key-arn", "", "KMS key the log files are encrypted with (SSE-KMS)")
	fs.BoolVar(&o.RemoveFiles, "remove-files-when-done", false, "the input deletes log files (remove_files_when_done = 1)")
	fs.BoolVar(&o.Validate, "validate-integrity", false, "the input validates digests (validate_integrity = 1)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	if p := strings.Split(o.QueueARN, ":"); len(p) != 6 || p[0] != "arn" || p[2] != "sqs" || !awsname.QueueName(p[5]) {
		return usageError(env, fs, "--queue-arn: want arn:aws:sqs:REGION:ACCOUNT:NAME, got %q", o.QueueARN)
	}
	if o.Bucket == "" {
		return usageError(env, fs, "--bucket is required")
	}
	if o.KMSKeyARN != "" && !strings.HasPrefix(o.KMSKeyARN, "arn:") {
		return usageError(env, fs, "--kms-key-arn: want arn:aws:kms:REGION:ACCOUNT:key/ID, got %q", o.KMSKeyARN)
	}
	_, err := env.Stdout.Write(ReaderPolicy(o).JSON())
	return err
}

// MigrateInputsCommand prints a legacy inputs.conf with its aws_cloudtrail
// stanzas rewritten.
func MigrateInputsCommand(_ context.Context, env *cli.Env, args []string) error {
	fs := flags(env, "migrate-inputs", "migrate-inputs FILE   (- for stdin)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(env, fs, "want one inputs.conf file")
	}
	var in []byte
	var err error
	if fs.Arg(0) == "-" {
		in, err = io.ReadAll(env.Stdin)
	} else {
		in, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return err
	}
	out, res := MigrateInputs(in)
	if _, err := env.Stdout.Write(out); err != nil {
		return err
	}
	if len(res.Stanzas) == 0 {
		fmt.Fprintf(env.Stderr, "migrate-inputs: no [%s://...] stanza found; the file is printed unchanged\n", LegacyScheme)
		return nil
	}
	fmt.Fprintf(env.Stderr, "migrate-inputs: rewrote %d stanza(s): %s. Disable the legacy app's inputs before enabling these, or both will index the same events.\n",
		len(res.Stanzas), strings.Join(res.Stanzas, ", "))
	return nil
}

// SetupCommand creates or fixes the CloudTrail → SNS → SQS plumbing.
func SetupCommand(ctx context.Context, env *cli.Env, args []string) error {
	fs := flags(env, "setup", "setup --account-name NAME --bucket BUCKET [--create-bucket] --queue-region REGION "+
		"[--regions all|r1,r2,...] [--global-region REGION] [--mode per-region|multi-region] [--kms-key-id KEY] [--dry-run]")
	var o Options
	var regions string
	fs.StringVar(&o.AccountName, "account-name", "", "prefix of every resource name (NAME-cloudtrail ...)")
	fs.StringVar(&o.Bucket, "bucket", "", "S3 bucket for the log files")
	fs.BoolVar(&o.CreateBucket, "create-bucket", false, "create the bucket (in --global-region) if it does not exist")
	fs.StringVar(&o.QueueRegion, "queue-region", "", "region of the SQS queue and its dead-letter queue")
	fs.StringVar(&regions, "regions", "all", "trail regions for per-region mode: all (the account's enabled regions) or r1,r2,...")
	fs.StringVar(&o.GlobalRegion, "global-region", "", "region recording global service events, home of the multi-region trail (default: --queue-region)")
	fs.StringVar(&o.Mode, "mode", MultiRegion, "multi-region (one trail) or per-region (legacy: one trail per region)")
	fs.StringVar(&o.KMSKeyID, "kms-key-id", "", "KMS key (id, ARN or alias) CloudTrail encrypts log files with; its key policy must allow CloudTrail")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the equivalent aws CLI commands and change nothing")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.AccountName == "":
		return usageError(env, fs, "--account-name is required")
	case !awsname.QueueName(o.AccountName + "-cloudtrail-dlq"):
		return usageError(env, fs, "--account-name: want letters, digits, - and _ (up to 63), got %q", o.AccountName)
	case o.Bucket == "":
		return usageError(env, fs, "--bucket is required")
	case o.QueueRegion == "":
		return usageError(env, fs, "--queue-region is required")
	case o.Mode != MultiRegion && o.Mode != PerRegion:
		return usageError(env, fs, "--mode: want per-region or multi-region, got %q", o.Mode)
	}
	if o.GlobalRegion == "" {
		o.GlobalRegion = o.QueueRegion
	}
	if regions == "all" {
		o.AllRegions = o.Mode == PerRegion
	} else {
		for r := range strings.SplitSeq(regions, ",") {
			if r = strings.TrimSpace(r); r != "" {
				o.Regions = append(o.Regions, r)
			}
		}
		if o.Mode == PerRegion && len(o.Regions) == 0 {
			return usageError(env, fs, "--regions: want all or a list of regions")
		}
		if o.Mode == MultiRegion && !slices.Equal(o.Regions, []string{o.GlobalRegion}) && len(o.Regions) > 0 {
			fmt.Fprintln(env.Stderr, "setup: --regions is ignored in multi-region mode: the trail records every region")
		}
	}
	cfg, err := awsx.Load(ctx, awsx.Options{Region: o.QueueRegion})
	if err != nil {
		return err
	}
	return Run(ctx, NewClients(cfg, o), o, env.Stdout)
}

// NewClients returns the SDK clients for cfg: the queue in o.QueueRegion,
// the bucket in o.GlobalRegion, topics and trails in their own regions.
func NewClients(cfg aws.Config, o Options) Clients {
	at := func(region string) aws.Config { c := cfg.Copy(); c.Region = region; return c }
	return Clients{
		Identity: sts.NewFromConfig(cfg),
		Regions:  ec2.NewFromConfig(cfg),
		Bucket: s3.NewFromConfig(at(o.GlobalRegion), func(opt *s3.Options) {
			opt.UsePathStyle = cfg.BaseEndpoint != nil
		}),
		Key:    kms.NewFromConfig(at(o.GlobalRegion)),
		Queue:  sqs.NewFromConfig(at(o.QueueRegion)),
		Topics: func(r string) TopicAPI { return sns.NewFromConfig(at(r)) },
		Trails: func(r string) TrailAPI { return cloudtrail.NewFromConfig(at(r)) },
	}
}
