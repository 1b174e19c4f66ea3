package s3fake

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/rclone/gofakes3"
	"github.com/rclone/gofakes3/s3mem"

	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

// Start serves an empty in-memory S3 until the test ends and returns a
// client for it and its base URL (for code under test that builds its own
// client, e.g. from testkit.AWSConfig(url, region)).
func Start(t testing.TB) (*s3.Client, string) {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	return NewClient(srv.URL), srv.URL
}

// NewClient returns an S3 client for the S3 endpoint at url, with
// path-style addressing (http://host/bucket/key; virtual-host style would
// need DNS for bucket.127.0.0.1) and a hermetic config.
func NewClient(url string, optFns ...func(*s3.Options)) *s3.Client {
	opts := append([]func(*s3.Options){func(o *s3.Options) {
		o.UsePathStyle = true
		// The fakes return no checksums; do not log about it.
		o.DisableLogOutputChecksumValidationSkipped = true
	}}, optFns...)
	return s3.NewFromConfig(testkit.AWSConfig(url, testkit.DefaultRegion), opts...)
}

// Put stores body at s3://bucket/key, creating the bucket first if it does
// not exist. It fails the test on any error.
func Put(t testing.TB, client *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	ctx := t.Context()
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		if _, notFound := errors.AsType[*types.NotFound](err); !notFound {
			t.Fatalf("s3fake.Put: HeadBucket %s: %v", bucket, err)
		}
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatalf("s3fake.Put: CreateBucket %s: %v", bucket, err)
		}
	}
	// A bytes.Reader, not any io.Reader: over plain HTTP the SDK needs a
	// seekable body to compute the payload hash up front.
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
		Body:   bytes.NewReader(body),
	}); err != nil {
		t.Fatalf("s3fake.Put: PutObject s3://%s/%s: %v", bucket, key, err)
	}
}
