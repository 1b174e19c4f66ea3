package setup

import (
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/iampolicy"
)

// Document and Statement are IAM policy documents (internal/iampolicy).
type (
	Document  = iampolicy.Document
	Statement = iampolicy.Statement
)

const policyVersion = iampolicy.Version

// Sids of the statements setup owns. Statements with other Sids in an
// existing policy are kept as they are.
const (
	sidBucketACL   = "AWSCloudTrailAclCheck20150319"
	sidBucketWrite = "AWSCloudTrailWrite20150319"
	sidTopic       = "AWSCloudTrailSNSPolicy20150319"
	sidQueue       = "AWSIngestSNSToSQS"
	sidKeyEncrypt  = "AWSCloudTrailEncryptLogs"
	sidKeyDescribe = "AWSCloudTrailDescribeKey"
)

// BucketPolicyStatements allow CloudTrail, for exactly these trails, to
// check the bucket ACL and write log files under AWSLogs/<account>/.
func BucketPolicyStatements(partition, bucket, account string, trailARNs []string) []Statement {
	src := map[string]any{"aws:SourceArn": iampolicy.One(trailARNs)}
	return []Statement{
		{Sid: sidBucketACL, Effect: "Allow", Principal: map[string]string{"Service": "cloudtrail.amazonaws.com"},
			Action: "s3:GetBucketAcl", Resource: "arn:" + partition + ":s3:::" + bucket,
			Condition: map[string]map[string]any{"StringEquals": src}},
		{Sid: sidBucketWrite, Effect: "Allow", Principal: map[string]string{"Service": "cloudtrail.amazonaws.com"},
			Action: "s3:PutObject", Resource: "arn:" + partition + ":s3:::" + bucket + "/AWSLogs/" + account + "/*",
			Condition: map[string]map[string]any{"StringEquals": {
				"s3:x-amz-acl":  "bucket-owner-full-control",
				"aws:SourceArn": iampolicy.One(trailARNs),
			}}},
	}
}

// TopicPolicyStatements allow CloudTrail, for these trails, to publish to
// the topic.
func TopicPolicyStatements(topicARN string, trailARNs []string) []Statement {
	return []Statement{{Sid: sidTopic, Effect: "Allow", Principal: map[string]string{"Service": "cloudtrail.amazonaws.com"},
		Action: "SNS:Publish", Resource: topicARN,
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceArn": iampolicy.One(trailARNs)}}}}
}

// QueuePolicyStatements allow exactly these topics to send to the queue.
func QueuePolicyStatements(queueARN string, topicARNs []string) []Statement {
	return []Statement{{Sid: sidQueue, Effect: "Allow", Principal: map[string]string{"Service": "sns.amazonaws.com"},
		Action: "sqs:SendMessage", Resource: queueARN,
		Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": iampolicy.One(topicARNs)}}}}
}

// KeyPolicyStatements let CloudTrail, for these trails, encrypt log files
// with the key and describe it.
func KeyPolicyStatements(partition, account string, trailARNs []string) []Statement {
	ct := map[string]string{"Service": "cloudtrail.amazonaws.com"}
	src := map[string]any{"aws:SourceArn": iampolicy.One(trailARNs)}
	return []Statement{
		{Sid: sidKeyEncrypt, Effect: "Allow", Principal: ct, Action: "kms:GenerateDataKey*", Resource: "*",
			Condition: map[string]map[string]any{
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:" + partition + ":cloudtrail:*:" + account + ":trail/*"},
				"StringEquals": src,
			}},
		{Sid: sidKeyDescribe, Effect: "Allow", Principal: ct, Action: "kms:DescribeKey", Resource: "*",
			Condition: map[string]map[string]any{"StringEquals": src}},
	}
}

// ReaderOptions describe what the aws_ingest_cloudtrail input is set to do.
type ReaderOptions struct {
	QueueARN string
	Bucket   string
	// KMSKeyARN is the key CloudTrail encrypts log files with (SSE-KMS).
	KMSKeyARN string
	// RemoveFiles is remove_files_when_done = 1: the input deletes log files.
	RemoveFiles bool
	// Validate is validate_integrity = 1: digest files and public keys.
	Validate bool
}

// ReaderPolicy is the least-privilege identity policy for the input.
func ReaderPolicy(o ReaderOptions) Document {
	partition := "aws"
	if p := strings.Split(o.QueueARN, ":"); len(p) > 1 && p[1] != "" {
		partition = p[1]
	}
	bucketARN := "arn:" + partition + ":s3:::" + o.Bucket
	st := []Statement{
		{Sid: "ReadQueue", Effect: "Allow",
			Action:   []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
			Resource: o.QueueARN},
		{Sid: "ReadLogFiles", Effect: "Allow", Action: "s3:GetObject", Resource: bucketARN + "/AWSLogs/*"},
		// The bucket's region, for CloudTrail notifications that do not carry it.
		{Sid: "LocateBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucketARN},
	}
	if o.RemoveFiles {
		st = append(st, Statement{Sid: "RemoveFilesWhenDone", Effect: "Allow", Action: "s3:DeleteObject", Resource: bucketARN + "/AWSLogs/*"})
	}
	if o.Validate {
		st = append(st,
			Statement{Sid: "ListDigests", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketARN},
			Statement{Sid: "ValidateIntegrity", Effect: "Allow", Action: "cloudtrail:ListPublicKeys", Resource: "*"})
	}
	if o.KMSKeyARN != "" {
		st = append(st, Statement{Sid: "DecryptLogFiles", Effect: "Allow", Action: "kms:Decrypt", Resource: o.KMSKeyARN,
			Condition: map[string]map[string]any{"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}})
	}
	return Document{Version: policyVersion, Statement: st}
}
