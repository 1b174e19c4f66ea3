package awsx

import (
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// S3Options returns S3 client options for a stanza's S3 endpoint. A
// non-empty endpoint replaces BaseEndpoint; an empty one leaves what the SDK
// resolved (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, shared config) alone.
//
// Path-style addressing is turned on when the effective endpoint's host is
// an IP address or localhost (MinIO, moto, gofakes3 ...), where
// bucket.host virtual-host names cannot resolve. The effective endpoint is
// endpoint, else the BaseEndpoint the SDK resolved, else
// AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. UsePathStyle is never turned
// off. Check endpoint with awsname.Endpoint first.
func S3Options(endpoint string) func(*s3.Options) {
	return func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		if needsPathStyle(effectiveS3Endpoint(endpoint, o.BaseEndpoint)) {
			o.UsePathStyle = true
		}
	}
}

// SQSOptions returns SQS client options for a stanza's SQS endpoint: a
// non-empty endpoint replaces BaseEndpoint, an empty one changes nothing.
// Check endpoint with awsname.Endpoint first.
func SQSOptions(endpoint string) func(*sqs.Options) {
	return func(o *sqs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}
}

func effectiveS3Endpoint(endpoint string, base *string) string {
	switch {
	case endpoint != "":
		return endpoint
	case base != nil && *base != "":
		return *base
	case strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true"):
		return ""
	case os.Getenv("AWS_ENDPOINT_URL_S3") != "":
		return os.Getenv("AWS_ENDPOINT_URL_S3")
	default:
		return os.Getenv("AWS_ENDPOINT_URL")
	}
}

// needsPathStyle reports whether the endpoint's host is an IP address or
// localhost.
func needsPathStyle(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}
