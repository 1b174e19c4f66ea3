package testkit

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
// The HTTP client is the SDK's default one behind SafeBodyClient, which
// works around a race that makes a fast local server's replies fail now and
// then; see SafeBodyClient.
func AWSConfig(endpoint, region string) aws.Config {
	if region == "" {
		region = DefaultRegion
	}
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       SafeBodyClient(awshttp.NewBuildableClient()),
	}
}

// SafeBodyClient wraps an HTTP client so that request bodies reach net/http
// without an io.WriterTo method.
//
// Why: smithy-go (v1.28.9) wraps every request body in a "safe" closer whose
// WriteTo returns io.EOF once the body has been closed, and the SDK closes the
// body as soon as client.Do returns, that is, as soon as the response
// headers are in. net/http's transport writes a body of known length and
// then copies "whatever is left" with io.Copy(io.Discard, body), which calls
// WriteTo. When the server answers before that last copy runs (a local fake
// or moto answers within microseconds), the copy fails with io.EOF, the
// transport treats it as a write error and closes the connection while the
// response body is still being read: the call fails with "deserialization
// failed ... use of closed network connection". Against sqsfake over
// loopback this hit about one request in a few thousand. Without WriteTo,
// io.Copy uses Read, which returns a clean io.EOF after Close.
func SafeBodyClient(next aws.HTTPClient) aws.HTTPClient {
	return safeBodyClient{next: next}
}

type safeBodyClient struct{ next aws.HTTPClient }

func (c safeBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloserOnly{req.Body}
	}
	return c.next.Do(req)
}

// readCloserOnly hides every method of the body but Read and Close.
type readCloserOnly struct{ io.ReadCloser }
