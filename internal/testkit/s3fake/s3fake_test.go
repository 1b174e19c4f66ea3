package s3fake

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipRoundTrip(t *testing.T) {
	client, url := Start(t)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("url = %q", url)
	}
	const records = `{"Records":[{"eventVersion":"1.08","eventName":"ConsoleLogin"}]}`
	body := gzipped(t, records)
	key := "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/trail.json.gz"
	Put(t, client, "trail-bucket", key, body)

	out, err := client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The bytes come back as stored: the SDK does not gunzip them.
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject returned %d bytes, want the %d gzip bytes stored", len(got), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != records {
		t.Errorf("gunzipped = %q, %v", plain, err)
	}
}

func TestPutCreatesBucketOnce(t *testing.T) {
	client, _ := Start(t)
	Put(t, client, "bkt", "one", []byte("1"))
	Put(t, client, "bkt", "two", []byte("2")) // the bucket exists now
	out, err := client.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if strings.Join(keys, ",") != "one,two" {
		t.Errorf("keys = %v", keys)
	}
}

func TestTypedErrors(t *testing.T) {
	client, _ := Start(t)
	ctx := t.Context()
	Put(t, client, "bkt", "exists", []byte("x"))

	_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
	if _, ok := errors.AsType[*types.NoSuchKey](err); !ok {
		t.Errorf("GetObject of a missing key: err = %v, want *types.NoSuchKey", err)
	}
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
	if _, ok := errors.AsType[*types.NotFound](err); !ok {
		t.Errorf("HeadObject of a missing key: err = %v, want *types.NotFound", err)
	}
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	// The S3 model lists NoSuchBucket only for a few operations (not
	// GetObject), so here it is a generic API error with that code.
	if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "NoSuchBucket" {
		t.Errorf("GetObject from a missing bucket: err = %v, want code NoSuchBucket", err)
	}
}
