package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/billing"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// defaultRegion is where the bucket's region is asked for when neither the
// stanza nor the environment names one: S3 answers HeadBucket from any
// region with the bucket's own.
const defaultRegion = "us-east-1"

// checkAttempts bounds the retries of the check's AWS calls: a person is
// waiting, and a failure is an answer.
const checkAttempts = 2

// openBucket builds the S3 client of the billing bucket for a run. The
// region is s3_bucket_region, else the bucket's own as HeadBucket reports
// it.
func openBucket(ctx context.Context, job *cli.Job, bucket string, corp *awsconf.Corp) (billing.Bucket, error) {
	a, err := newAccess(ctx, job, corp, 0)
	if err != nil {
		return nil, err
	}
	if a.pinned {
		return a.client(a.cfg.Region), nil
	}
	// A HeadBucket failure is left to the listing, whose error names the
	// bucket and what to check.
	loc, _ := a.Locate(ctx, bucket)
	return loc.Bucket, nil
}

// connect is the check's billing.Connect: the credentials of a run, with
// fewer retries.
func connect(ctx context.Context, job *cli.Job, corp *awsconf.Corp) (billing.Access, error) {
	a, err := newAccess(ctx, job, corp, checkAttempts)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// access is a stanza's AWS configuration, shared by openBucket and the check
// so that the check tries exactly the credentials and region a run uses.
type access struct {
	cfg aws.Config
	// pinned: s3_bucket_region or s3_endpoint_url is set, so the client's
	// region is not changed to the bucket's.
	pinned      bool
	endpoint    string // s3_endpoint_url
	stsEndpoint string // sts_endpoint_url
	creds       string // where the credentials come from (billing.Access.Credentials)
	chain       bool   // creds is the SDK's default chain, without role_arn
	log         *slog.Logger
}

var _ billing.Access = (*access)(nil)

// newAccess resolves the stanza's credentials (internal/awsx), else
// aws.conf's corpkey as the legacy app used, else the SDK's default chain;
// role_arn on top of any of them. attempts is per AWS call, 0 for awsx's
// default.
func newAccess(ctx context.Context, job *cli.Job, corp *awsconf.Corp, attempts int) (*access, error) {
	o, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err != nil {
		return nil, err
	}
	if o.KeyID == "" && o.Account == "" && corp != nil && corp.HasKeys() {
		o.KeyID, o.SecretKey = corp.KeyID, corp.SecretKey
		o.KeysFrom = "aws.conf [misc] corpkey"
	}
	a := &access{endpoint: job.Params.String(schemes.S3EndpointURL), stsEndpoint: o.STSEndpoint, log: job.Log}
	switch {
	case o.KeyID != "":
		a.creds = o.KeysFrom
		if a.creds == "" {
			a.creds = "the stanza's key_id/secret_key"
		}
	case o.Account != "":
		a.creds = fmt.Sprintf("aws_account %q", o.Account)
	default:
		a.creds, a.chain = "the default credential chain", o.RoleARN == ""
	}
	if o.RoleARN != "" {
		a.creds = "role_arn " + o.RoleARN + " assumed with " + a.creds
	}
	o.Region = job.Params.String(schemes.S3BucketRegion)
	a.pinned = o.Region != "" || a.endpoint != ""
	if o.Region == "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		o.Region = defaultRegion
	}
	o.MaxAttempts = attempts
	if a.cfg, err = awsx.Load(ctx, o); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *access) client(region string) *s3.Client {
	cfg := a.cfg.Copy()
	cfg.Region = region
	return s3.NewFromConfig(cfg, awsx.S3Options(a.endpoint), func(so *s3.Options) {
		so.DisableLogOutputChecksumValidationSkipped = true
	})
}

func (a *access) Credentials() string { return a.creds }

// Identity calls sts:GetCallerIdentity, through sts_endpoint_url when set,
// as role_arn's AssumeRole does.
func (a *access) Identity(ctx context.Context) (billing.Caller, error) {
	out, err := sts.NewFromConfig(a.cfg, func(o *sts.Options) {
		if a.stsEndpoint != "" {
			o.BaseEndpoint = aws.String(a.stsEndpoint)
		}
	}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return billing.Caller{}, err
	}
	c := billing.Caller{ARN: aws.ToString(out.Arn)}
	if a.chain {
		// Cached by now: no second lookup.
		if creds, err := a.cfg.Credentials.Retrieve(ctx); err == nil {
			c.Provider = creds.Source
		}
	}
	return c, nil
}

// Locate asks S3 where the bucket is and returns the client in that region
// (unless pinned). When the bucket is elsewhere and the first answer was an
// error (S3's 301 from the wrong region), HeadBucket is sent again from the
// bucket's region, so the error returned is the one a run would meet.
func (a *access) Locate(ctx context.Context, bucket string) (billing.Location, error) {
	client := a.client(a.cfg.Region)
	loc := billing.Location{From: a.cfg.Region, Bucket: client}
	region, err := bucketRegion(ctx, client, bucket)
	loc.Region = region
	if a.pinned || region == "" || region == a.cfg.Region {
		return loc, err
	}
	a.log.Debug("the billing bucket is in another region", "bucket", bucket, "region", region)
	regional := a.client(region)
	loc.Bucket = regional
	if err != nil {
		_, err = bucketRegion(ctx, regional, bucket)
	}
	return loc, err
}

// bucketRegion sends HeadBucket and returns the bucket's region, "" when S3
// does not say, with HeadBucket's error.
func bucketRegion(ctx context.Context, client *s3.Client, bucket string) (string, error) {
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return aws.ToString(out.BucketRegion), nil
	}
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region"), err
	}
	return "", err
}
