package billing

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// Bucket is what the collector needs from S3: listing the report keys and
// reading objects. *s3.Client satisfies it; tests use a hand-written fake.
type Bucket interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ Bucket = (*s3.Client)(nil)

// EventWriter is the event stream. *modinput.Writer satisfies it: Write
// blocks while splunkd is slow (backpressure), and Sync returns once
// everything written before has reached stdout.
type EventWriter interface {
	Write(ctx context.Context, events ...modinput.Event) error
	Sync(ctx context.Context) error
}

var _ EventWriter = (*modinput.Writer)(nil)
