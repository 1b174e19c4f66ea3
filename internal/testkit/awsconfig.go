package testkit

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
)

// DefaultRegion is the region the fakes and moto use when a test does not care.
const DefaultRegion = "us-east-1"

// Static credentials every fake and moto accept. They are not secret.
const (
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// AWSConfig returns an aws.Config that talks to endpoint (for example
// "http://127.0.0.1:8080") in region with static test credentials, and that
// reads nothing from the environment or the file system.
//
// RetryMaxAttempts is 1 so an injected fault reaches the code under test
// instead of being hidden by the SDK's retries; a test that wants the SDK to
// retry sets the client option itself, e.g.
// sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.RetryMaxAttempts = 3 }).
// Clients for S3 must also set UsePathStyle (see testkit/s3fake).
//
// The HTTP client is the SDK's default one behind awsx.SafeBodyClient, which
// works around a race that makes a fast local server's replies fail now and
// then; see awsx.SafeBodyClient.
func AWSConfig(endpoint, region string) aws.Config {
	if region == "" {
		region = DefaultRegion
	}
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       awsx.SafeBodyClient(awshttp.NewBuildableClient()),
	}
}
