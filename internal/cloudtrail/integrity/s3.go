package integrity

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3API is the part of the S3 client that S3Store uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// S3Store is a Store over S3.
type S3Store struct{ API S3API }

var _ Store = S3Store{}

// List implements Store.
func (s S3Store) List(ctx context.Context, bucket, prefix, startAfter string, fn func(string) bool) error {
	p := s3.NewListObjectsV2Paginator(s.API, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), StartAfter: aws.String(startAfter)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if !fn(aws.ToString(o.Key)) {
				return nil
			}
		}
	}
	return nil
}

// Get implements Store. Digests are small; the body is bounded anyway.
func (s S3Store) Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error) {
	out, err := s.API.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, nil, notFound(err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, MaxDigestBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(body) > MaxDigestBytes {
		return nil, nil, fmt.Errorf("%w: object larger than %d bytes", ErrFormat, MaxDigestBytes)
	}
	return body, out.Metadata, nil
}

// Open implements Store.
func (s S3Store) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := s.API.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, notFound(err)
	}
	return out.Body, nil
}

// notFound maps S3's answers for a missing object (NoSuchKey; a bucket
// that no longer exists) to ErrNotFound, keeping the original.
func notFound(err error) error {
	if _, ok := errors.AsType[*types.NoSuchKey](err); ok {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchBucket":
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	return err
}
