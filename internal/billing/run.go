package billing

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws-ingest/aws-ingest/internal/appdir"
	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// OpenBucket returns the S3 client that reads bucket for a stanza. corp is
// aws.conf's [misc] corpkey (nil when unset): the legacy app read the
// billing bucket with it, so it is the credential when the stanza names
// none. The command wires it to internal/awsx.
type OpenBucket func(ctx context.Context, job *cli.Job, bucket string, corp *awsconf.Corp) (Bucket, error)

// Run is the run mode of aws_ingest_billing: one collection pass of the
// stanza, then return (splunkd starts it again after interval).
func Run(ctx context.Context, job *cli.Job, open OpenBucket) error {
	cfg, conf, err := ResolveConfig(job, appdir.Current)
	if err != nil {
		return err
	}
	bucket, err := open(ctx, job, cfg.Bucket, conf.Corp)
	if err != nil {
		return err
	}
	c := &Collector{Config: cfg, S3: bucket, Events: job.Events, Log: job.Log}
	return c.Run(ctx)
}

// ResolveConfig reads the stanza's parameters and aws.conf. findApp locates
// the app folder (appdir.Current), for the layered aws.conf and the default
// lookups/ folder; it is needed only when aws_conf or lookup_dir is unset.
func ResolveConfig(job *cli.Job, findApp func() (string, error)) (Config, *awsconf.Config, error) {
	cfg, conf, err := resolveConfig(job, findApp)
	if err != nil {
		return Config{}, nil, err
	}
	if cfg.CheckpointDir == "" {
		return Config{}, nil, errors.New("splunkd gave no checkpoint_dir; the input needs one to remember which report versions it read")
	}
	return cfg, conf, nil
}

// resolveConfig is ResolveConfig without requiring checkpoint_dir, which the
// check subcommand does not know outside an installed app and reports on
// its own row.
func resolveConfig(job *cli.Job, findApp func() (string, error)) (Config, *awsconf.Config, error) {
	v := job.Params
	app, appErr := "", errors.New("not looked for")
	lookedUp := false
	appDir := func() (string, error) {
		if !lookedUp {
			lookedUp = true
			app, appErr = findApp()
		}
		return app, appErr
	}

	conf := &awsconf.Config{}
	switch {
	case v.IsSet(schemes.AWSConf):
		dir, _ := appDir() // a relative aws_conf is taken from the app folder
		c, err := awsconf.Load(dir, v.String(schemes.AWSConf))
		if err != nil {
			return Config{}, nil, fmt.Errorf("aws_conf: %w", err)
		}
		conf = c
	default:
		if dir, err := appDir(); err == nil {
			c, err := awsconf.Load(dir, "")
			if err != nil {
				return Config{}, nil, fmt.Errorf("aws.conf: %w", err)
			}
			conf = c
		} else {
			job.Log.Debug("no app folder: reading no aws.conf", "err", err)
		}
	}

	cfg := Config{
		Stanza:        job.Stanza,
		Bucket:        firstSet(v.String(schemes.S3Bucket), conf.BillingBucket),
		Payer:         firstSet(v.String(schemes.PayerAccountID), conf.PayerAccount),
		Prefix:        v.String(schemes.ReportPrefix),
		ReportName:    v.String(schemes.ReportName),
		Months:        int(v.Int(schemes.Months)),
		CheckpointDir: job.Server.CheckpointDir,
		Accounts:      conf.Accounts,
	}
	if cfg.Bucket == "" {
		return Config{}, nil, errNoBucket
	}
	if err := schemesBucketName(cfg.Bucket); err != nil {
		return Config{}, nil, fmt.Errorf("aws.conf [misc] s3bucket %q: %w", cfg.Bucket, err)
	}
	switch rt := v.String(schemes.ReportType); rt {
	case "", "auto":
		cfg.Kinds = report.Kinds
	default:
		k, ok := report.ParseKind(rt)
		if !ok {
			return Config{}, nil, fmt.Errorf("report_type %q is not one of auto, monthly, cost_allocation, dbr, cur, cur2", rt)
		}
		cfg.Kinds = []report.Kind{k}
	}
	switch {
	case v.IsSet(schemes.LookupDir):
		cfg.LookupDir = v.String(schemes.LookupDir)
		if !filepath.IsAbs(cfg.LookupDir) {
			if dir, err := appDir(); err == nil {
				cfg.LookupDir = filepath.Join(dir, cfg.LookupDir)
			}
		}
	default:
		if dir, err := appDir(); err == nil {
			cfg.LookupDir = filepath.Join(dir, "lookups")
		} else {
			job.Log.Warn("no app folder found, so subaccounts.csv and accountNames.csv are not written; set lookup_dir on the input", "err", err)
		}
	}
	return cfg, conf, nil
}

var errNoBucket = errors.New("no billing bucket: set s3_bucket on the input, or s3bucket in aws.conf [misc]")

// schemesBucketName checks a bucket name from aws.conf as the scheme checks
// s3_bucket.
func schemesBucketName(name string) error {
	p, _ := schemes.Billing.Param(schemes.S3Bucket)
	return p.Check(name)
}
