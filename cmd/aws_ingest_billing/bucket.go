package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

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

// openBucket builds the S3 client of the billing bucket: the stanza's
// credentials (internal/awsx), else aws.conf's corpkey as the legacy app
// used, else the SDK's default chain; role_arn on top of any of them. The
// region is s3_bucket_region, else the bucket's own as HeadBucket reports
// it.
func openBucket(ctx context.Context, job *cli.Job, bucket string, corp *awsconf.Corp) (billing.Bucket, error) {
	o, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err != nil {
		return nil, err
	}
	if o.KeyID == "" && o.Account == "" && corp != nil && corp.HasKeys() {
		o.KeyID, o.SecretKey = corp.KeyID, corp.SecretKey
		o.KeysFrom = "aws.conf [misc] corpkey"
	}
	region := job.Params.String(schemes.S3BucketRegion)
	o.Region = region
	if o.Region == "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		o.Region = defaultRegion
	}
	cfg, err := awsx.Load(ctx, o)
	if err != nil {
		return nil, err
	}
	endpoint := job.Params.String(schemes.S3EndpointURL)
	quiet := func(so *s3.Options) { so.DisableLogOutputChecksumValidationSkipped = true }
	client := s3.NewFromConfig(cfg, awsx.S3Options(endpoint), quiet)
	if region != "" || endpoint != "" {
		return client, nil
	}
	if r := bucketRegion(ctx, client, bucket); r != "" && r != cfg.Region {
		job.Log.Debug("the billing bucket is in another region", "bucket", bucket, "region", r)
		cfg.Region = r
		client = s3.NewFromConfig(cfg, awsx.S3Options(endpoint), quiet)
	}
	return client, nil
}

// bucketRegion asks S3 where the bucket is. It returns "" when S3 does not
// say; the listing then fails with an error that names the bucket.
func bucketRegion(ctx context.Context, client *s3.Client, bucket string) string {
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return aws.ToString(out.BucketRegion)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}
