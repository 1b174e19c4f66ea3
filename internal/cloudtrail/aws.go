package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// QueueAPI is the part of the SQS client the input uses.
type QueueAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// ObjectAPI is the part of the S3 client the input uses.
type ObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	// ListObjectsV2 finds digests that no notification announced
	// (validate_integrity with CloudTrail's own SNS notifications).
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var (
	_ QueueAPI  = (*sqs.Client)(nil)
	_ ObjectAPI = (*s3.Client)(nil)
)

// errorClass sorts AWS errors into what the input does about them.
type errorClass int

const (
	transient errorClass = iota // throttling, 5xx, network: retry later, never delete
	permanent                   // access denied, KMS, corrupt object: leave for the dead-letter queue
	gone                        // the object no longer exists: count it as done
)

func (c errorClass) String() string {
	return [...]string{"transient", "permanent", "gone"}[c]
}

// classify decides what an error from S3 or SQS means.
func classify(err error) errorClass {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch code := ae.ErrorCode(); {
		case code == "NoSuchKey" || code == "NoSuchBucket":
			return gone
		case code == "AccessDenied" || code == "Forbidden" || strings.HasPrefix(code, "KMS") ||
			code == "InvalidObjectState" || code == "AllAccessDisabled" || code == "InvalidAccessKeyId" ||
			code == "SignatureDoesNotMatch" || code == "ExpiredToken" || code == "PermanentRedirect":
			return permanent
		}
	}
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok {
		switch re.HTTPStatusCode() {
		case http.StatusForbidden, http.StatusUnauthorized, http.StatusMovedPermanently:
			return permanent
		case http.StatusNotFound:
			return gone
		}
	}
	return transient
}

// explain adds what a person should do to an error, naming the missing
// permission where AWS tells which.
func explain(err error, action, resource string) error {
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch code := ae.ErrorCode(); {
		case code == "AccessDenied" || code == "Forbidden":
			return fmt.Errorf("%w: allow %s on %s to the input's credentials", err, action, resource)
		case strings.HasPrefix(code, "KMS"):
			return fmt.Errorf("%w: the object is encrypted with KMS; allow kms:Decrypt on its key (CloudTrail's key policy uses the encryption context aws:cloudtrail:arn)", err)
		case code == "PermanentRedirect":
			return fmt.Errorf("%w: the bucket is in another region than the queue", err)
		}
	}
	return err
}
