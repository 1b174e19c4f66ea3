package setup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Outcomes of one step.
const (
	Created = "created"
	Exists  = "exists"
	Updated = "updated"
	Started = "started"
)

// step is one resource setup ensures: the aws CLI command that would
// create it (dry-run), and the idempotent function that makes it right.
type step struct {
	What   string   // "sqs queue us-west-2 NAME-cloudtrail"
	CLI    []string // commands printed by --dry-run
	Ensure func(ctx context.Context) (outcome string, detail string, err error)
}

// steps lists, in dependency order, everything setup creates.
func steps(c Clients, o Options, l layout) []step {
	var out []step
	if o.CreateBucket {
		out = append(out, ensureBucket(c.Bucket, l.Bucket, o.GlobalRegion))
	}
	out = append(out, ensureBucketPolicy(c.Bucket, l))
	if o.KMSKeyID != "" {
		out = append(out, ensureKeyPolicy(c.Key, o.GlobalRegion, o.KMSKeyID, l))
	}
	out = append(out,
		ensureQueue(c.Queue, o.QueueRegion, l.DLQ, map[string]string{"MessageRetentionPeriod": retentionSeconds}),
		ensureQueue(c.Queue, o.QueueRegion, l.Queue, queueAttributes(l)),
	)
	for _, t := range l.Trails {
		topics := c.Topics(t.Region)
		out = append(out,
			ensureTopic(topics, t, TopicPolicyStatements(t.TopicARN, []string{t.ARN})),
			ensureSubscription(topics, t, l.QueueARN),
			ensureTrail(c.Trails(t.Region), t, l.Bucket, o.KMSKeyID),
		)
	}
	return out
}

func queueAttributes(l layout) map[string]string {
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": l.DLQARN, "maxReceiveCount": maxReceiveCount})
	return map[string]string{
		"MessageRetentionPeriod":        retentionSeconds,
		"ReceiveMessageWaitTimeSeconds": waitSeconds,
		"VisibilityTimeout":             visibilitySeconds,
		"RedrivePolicy":                 string(redrive),
		"Policy":                        Document{Version: policyVersion, Statement: QueuePolicyStatements(l.QueueARN, l.topicARNs())}.Compact(),
	}
}

// Run makes the plumbing right, printing one line per step, or with
// o.DryRun prints the aws CLI commands and changes nothing.
func Run(ctx context.Context, c Clients, o Options, w io.Writer) error {
	l, err := plan(ctx, c, o)
	if err != nil {
		return err
	}
	all := steps(c, o, l)
	if o.DryRun {
		fmt.Fprintf(w, "# Dry run: the aws CLI commands setup would run for account %s (nothing was changed).\n", l.Account)
		fmt.Fprintln(w, "# setup itself only creates or updates what is missing or different.")
		for _, s := range all {
			fmt.Fprintf(w, "\n# %s\n", s.What)
			for _, cmd := range s.CLI {
				fmt.Fprintln(w, cmd)
			}
		}
		fmt.Fprintln(w)
		return followUp(w, o, l)
	}
	for _, s := range all {
		outcome, detail, err := s.Ensure(ctx)
		if err != nil {
			fmt.Fprintf(w, "%-8s %s\n", "failed", s.What)
			return fmt.Errorf("%s: %w", s.What, err)
		}
		if detail != "" {
			detail = " (" + detail + ")"
		}
		fmt.Fprintf(w, "%-8s %s%s\n", outcome, s.What, detail)
	}
	fmt.Fprintln(w)
	return followUp(w, o, l)
}

// followUp prints the inputs.conf stanza for the new queue and the policy
// of the identity the input runs as.
func followUp(w io.Writer, o Options, l layout) error {
	fmt.Fprintf(w, "# inputs.conf (for example $SPLUNK_HOME/etc/apps/aws_ingest/local/inputs.conf):\n")
	fmt.Fprintf(w, "[%s://%s]\n", schemes.CloudTrail.Name, o.AccountName)
	fmt.Fprintf(w, "%s = %s\n", schemes.SQSQueue, l.Queue)
	fmt.Fprintf(w, "%s = %s\n", schemes.SQSQueueRegion, o.QueueRegion)
	fmt.Fprintf(w, "# Credentials: the instance role by default; or %s = <stored credential>, and/or %s = <role with the policy below>.\n",
		schemes.AWSAccount, schemes.RoleARN)
	fmt.Fprintf(w, "\n# IAM policy for the identity the input runs as:\n")
	_, err := w.Write(ReaderPolicy(ReaderOptions{QueueARN: l.QueueARN, Bucket: l.Bucket, KMSKeyARN: keyARN(o, l)}).JSON())
	return err
}

// keyARN is --kms-key-id as a key ARN for an IAM policy. An alias cannot
// name a key in a policy, so it gives "*" (the condition still limits
// decryption to CloudTrail's encryption context).
func keyARN(o Options, l layout) string {
	switch k := o.KMSKeyID; {
	case k == "":
		return ""
	case strings.HasPrefix(k, "arn:") && !strings.Contains(k, ":alias/"):
		return k
	case strings.HasPrefix(k, "alias/") || strings.Contains(k, ":alias/"):
		return "*"
	default:
		return "arn:" + l.Partition + ":kms:" + o.GlobalRegion + ":" + l.Account + ":key/" + k
	}
}

func ensureBucket(api BucketAPI, bucket, region string) step {
	create := []string{"aws", "s3api", "create-bucket", "--region", region, "--bucket", bucket}
	if region != "us-east-1" {
		create = append(create, "--create-bucket-configuration", "LocationConstraint="+region)
	}
	pab := &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	return step{
		What: "s3 bucket " + bucket,
		CLI: []string{shell(create...), shell("aws", "s3api", "put-public-access-block", "--bucket", bucket,
			"--public-access-block-configuration", "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")},
		Ensure: func(ctx context.Context) (string, string, error) {
			if _, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}); err == nil {
				return Exists, "", nil
			} else if !notFound(err) {
				return "", "", err
			}
			in := &s3.CreateBucketInput{Bucket: &bucket}
			if region != "us-east-1" {
				in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
			}
			if _, err := api.CreateBucket(ctx, in); err != nil {
				return "", "", err
			}
			if _, err := api.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &bucket, PublicAccessBlockConfiguration: pab}); err != nil {
				return "", "", fmt.Errorf("blocking public access: %w", err)
			}
			return Created, "public access blocked", nil
		},
	}
}

func ensureBucketPolicy(api BucketAPI, l layout) step {
	ours := BucketPolicyStatements(l.Partition, l.Bucket, l.Account, l.trailARNs())
	return step{
		What: "s3 bucket policy " + l.Bucket,
		CLI: []string{shell("aws", "s3api", "put-bucket-policy", "--bucket", l.Bucket, "--policy",
			Document{Version: policyVersion, Statement: ours}.Compact())},
		Ensure: func(ctx context.Context) (string, string, error) {
			if _, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &l.Bucket}); err != nil {
				if notFound(err) {
					return "", "", fmt.Errorf("bucket %s does not exist: create it or pass --create-bucket", l.Bucket)
				}
				return "", "", err
			}
			existing := ""
			out, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &l.Bucket})
			switch {
			case err == nil:
				existing = aws.ToString(out.Policy)
			case !preflight.HasCode(err, "NoSuchBucketPolicy"):
				return "", "", err
			}
			doc, changed, err := mergePolicy(existing, ours)
			if err != nil || !changed {
				return Exists, "", err
			}
			if _, err := api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &l.Bucket, Policy: &doc}); err != nil {
				return "", "", err
			}
			if existing == "" {
				return Created, "", nil
			}
			return Updated, "CloudTrail statements", nil
		},
	}
}

// ensureKeyPolicy merges CloudTrail's statements into the key's policy.
// The dry run prints them as a comment: put-key-policy replaces the whole
// policy, and the key's own statements must stay.
func ensureKeyPolicy(api KeyAPI, region, keyID string, l layout) step {
	ours := KeyPolicyStatements(l.Partition, l.Account, l.trailARNs())
	return step{
		What: "kms key policy " + region + " " + keyID,
		CLI: []string{
			"# merge these statements into the key's policy (put-key-policy replaces the whole policy):",
			"# " + Document{Version: policyVersion, Statement: ours}.Compact(),
			shell("aws", "kms", "get-key-policy", "--region", region, "--key-id", keyID, "--policy-name", "default", "--query", "Policy", "--output", "text"),
			shell("aws", "kms", "put-key-policy", "--region", region, "--key-id", keyID, "--policy-name", "default", "--policy", "file://key-policy.json"),
		},
		Ensure: func(ctx context.Context) (string, string, error) {
			key, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
			if err != nil {
				return "", "", err
			}
			id := key.KeyMetadata.KeyId
			got, err := api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")})
			if err != nil {
				return "", "", err
			}
			doc, changed, err := mergePolicy(aws.ToString(got.Policy), ours)
			if err != nil || !changed {
				return Exists, "", err
			}
			if _, err := api.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: &doc}); err != nil {
				return "", "", err
			}
			return Updated, "CloudTrail statements", nil
		},
	}
}

// ensureQueue makes the queue exist with want's attributes; a Policy
// attribute is merged into the queue's policy rather than replacing it.
func ensureQueue(api QueueAPI, region, name string, want map[string]string) step {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	attrs, _ := json.Marshal(want)
	return step{
		What: "sqs queue " + region + " " + name,
		CLI:  []string{shell("aws", "sqs", "create-queue", "--region", region, "--queue-name", name, "--attributes", string(attrs))},
		Ensure: func(ctx context.Context) (string, string, error) {
			url, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
			if err != nil {
				var missing *sqstypes.QueueDoesNotExist
				if !errors.As(err, &missing) && !preflight.HasCode(err, "AWS.SimpleQueueService.NonExistentQueue") {
					return "", "", err
				}
				if _, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: want}); err != nil {
					return "", "", err
				}
				return Created, "", nil
			}
			got, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl,
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
			if err != nil {
				return "", "", err
			}
			set := map[string]string{}
			for _, k := range keys {
				have := got.Attributes[k]
				switch k {
				case "Policy":
					doc, changed, err := mergePolicy(have, policyStatements(want[k]))
					if err != nil {
						return "", "", err
					}
					if changed {
						set[k] = doc
					}
				case "RedrivePolicy":
					if same, _ := samePolicy(orEmpty(have), want[k]); !same {
						set[k] = want[k]
					}
				default:
					if have != want[k] {
						set[k] = want[k]
					}
				}
			}
			if len(set) == 0 {
				return Exists, "", nil
			}
			if _, err := api.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url.QueueUrl, Attributes: set}); err != nil {
				return "", "", err
			}
			return Updated, strings.Join(sortedKeys(set), ", "), nil
		},
	}
}

func ensureTopic(api TopicAPI, t trail, ours []Statement) step {
	policy := Document{Version: policyVersion, Statement: ours}.Compact()
	return step{
		What: "sns topic " + t.Region + " " + t.TopicName,
		CLI: []string{
			shell("aws", "sns", "create-topic", "--region", t.Region, "--name", t.TopicName),
			shell("aws", "sns", "set-topic-attributes", "--region", t.Region, "--topic-arn", t.TopicARN,
				"--attribute-name", "Policy", "--attribute-value", policy),
		},
		Ensure: func(ctx context.Context) (string, string, error) {
			outcome := Exists
			got, err := api.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &t.TopicARN})
			if err != nil {
				var missing *snstypes.NotFoundException
				if !errors.As(err, &missing) && !preflight.HasCode(err, "NotFound") {
					return "", "", err
				}
				if _, err := api.CreateTopic(ctx, &sns.CreateTopicInput{Name: &t.TopicName}); err != nil {
					return "", "", err
				}
				if got, err = api.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &t.TopicARN}); err != nil {
					return "", "", err
				}
				outcome = Created
			}
			doc, changed, err := mergePolicy(got.Attributes["Policy"], ours)
			if err != nil || !changed {
				return outcome, "", err
			}
			if _, err := api.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &t.TopicARN,
				AttributeName: aws.String("Policy"), AttributeValue: &doc}); err != nil {
				return "", "", err
			}
			if outcome == Created {
				return Created, "", nil
			}
			return Updated, "CloudTrail publish statement", nil
		},
	}
}

func ensureSubscription(api TopicAPI, t trail, queueARN string) step {
	return step{
		What: "sns subscription " + t.Region + " " + t.TopicName + " -> " + queueARN,
		CLI: []string{shell("aws", "sns", "subscribe", "--region", t.Region, "--topic-arn", t.TopicARN,
			"--protocol", "sqs", "--notification-endpoint", queueARN)},
		Ensure: func(ctx context.Context) (string, string, error) {
			var token *string
			for {
				out, err := api.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &t.TopicARN, NextToken: token})
				if err != nil {
					return "", "", err
				}
				for _, s := range out.Subscriptions {
					if aws.ToString(s.Protocol) == "sqs" && aws.ToString(s.Endpoint) == queueARN {
						return Exists, "", nil
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					break
				}
			}
			if _, err := api.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &t.TopicARN, Protocol: aws.String("sqs"),
				Endpoint: &queueARN, ReturnSubscriptionArn: true}); err != nil {
				return "", "", err
			}
			return Created, "", nil
		},
	}
}

func ensureTrail(api TrailAPI, t trail, bucket, kmsKey string) step {
	create := []string{"aws", "cloudtrail", "create-trail", "--region", t.Region, "--name", t.Name,
		"--s3-bucket-name", bucket, "--sns-topic-name", t.TopicName, "--enable-log-file-validation"}
	if t.Multi {
		create = append(create, "--is-multi-region-trail")
	}
	if t.Global {
		create = append(create, "--include-global-service-events")
	} else {
		create = append(create, "--no-include-global-service-events")
	}
	if kmsKey != "" {
		create = append(create, "--kms-key-id", kmsKey)
	}
	return step{
		What: "cloudtrail trail " + t.Region + " " + t.Name,
		CLI:  []string{shell(create...), shell("aws", "cloudtrail", "start-logging", "--region", t.Region, "--name", t.Name)},
		Ensure: func(ctx context.Context) (string, string, error) {
			outcome, detail := Exists, ""
			got, err := api.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &t.Name})
			var missing *cttypes.TrailNotFoundException
			switch {
			case err != nil && (errors.As(err, &missing) || preflight.HasCode(err, "TrailNotFoundException")):
				in := &cloudtrail.CreateTrailInput{Name: &t.Name, S3BucketName: &bucket, SnsTopicName: &t.TopicName,
					EnableLogFileValidation: aws.Bool(true), IsMultiRegionTrail: aws.Bool(t.Multi),
					IncludeGlobalServiceEvents: aws.Bool(t.Global)}
				if kmsKey != "" {
					in.KmsKeyId = &kmsKey
				}
				if _, err := api.CreateTrail(ctx, in); err != nil {
					return "", "", err
				}
				outcome = Created
			case err != nil:
				return "", "", err
			default:
				tr := got.Trail
				var drift []string
				if aws.ToString(tr.S3BucketName) != bucket {
					drift = append(drift, "bucket")
				}
				if aws.ToString(tr.SnsTopicARN) != t.TopicARN {
					drift = append(drift, "topic")
				}
				if !aws.ToBool(tr.LogFileValidationEnabled) {
					drift = append(drift, "log file validation")
				}
				if aws.ToBool(tr.IsMultiRegionTrail) != t.Multi {
					drift = append(drift, "multi-region")
				}
				if aws.ToBool(tr.IncludeGlobalServiceEvents) != t.Global {
					drift = append(drift, "global service events")
				}
				if kmsKey != "" && !sameKey(aws.ToString(tr.KmsKeyId), kmsKey) {
					drift = append(drift, "kms key")
				}
				if len(drift) > 0 {
					in := &cloudtrail.UpdateTrailInput{Name: &t.Name, S3BucketName: &bucket, SnsTopicName: &t.TopicName,
						EnableLogFileValidation: aws.Bool(true), IsMultiRegionTrail: aws.Bool(t.Multi),
						IncludeGlobalServiceEvents: aws.Bool(t.Global)}
					if kmsKey != "" {
						in.KmsKeyId = &kmsKey
					}
					if _, err := api.UpdateTrail(ctx, in); err != nil {
						return "", "", err
					}
					outcome, detail = Updated, strings.Join(drift, ", ")
				}
			}
			status, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &t.Name})
			if err != nil {
				return "", "", err
			}
			if !aws.ToBool(status.IsLogging) {
				if _, err := api.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: &t.Name}); err != nil {
					return "", "", err
				}
				if outcome == Exists {
					outcome = Started
				} else if detail == "" {
					detail = "logging started"
				} else {
					detail += "; logging started"
				}
			}
			return outcome, detail, nil
		},
	}
}

// sameKey compares a trail's key ARN with --kms-key-id, which may be an ARN,
// a key id or an alias.
func sameKey(have, want string) bool {
	return have == want || strings.HasSuffix(have, "/"+want) || strings.HasSuffix(have, ":"+want)
}

func policyStatements(doc string) []Statement {
	var d Document
	_ = json.Unmarshal([]byte(doc), &d)
	return d.Statement
}

func orEmpty(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// notFound reports a 404 from S3 HeadBucket.
func notFound(err error) bool {
	var nf *s3types.NotFound
	var nsb *s3types.NoSuchBucket
	return errors.As(err, &nf) || errors.As(err, &nsb) || preflight.HasCode(err, "NotFound") || preflight.HasCode(err, "NoSuchBucket")
}

// shell joins args into a command line a POSIX shell reads back as args.
func shell(args ...string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+") == "" {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
