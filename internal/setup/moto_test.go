package setup

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

const motoAccount = "123456789012"

// setupMoto runs the setup command in-process against moto through the
// SDK's default chain (awsx.Load), as a person would run it.
func setupMoto(t *testing.T, args ...string) []string {
	t.Helper()
	out, stderr, err := runCommand(t, SetupCommand, nil, args...)
	if err != nil {
		t.Fatalf("setup %q: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, stderr)
	}
	head, _, _ := strings.Cut(out, "\n\n")
	var lines []string
	for l := range strings.SplitSeq(head, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return lines
}

func TestSetupAgainstMoto(t *testing.T) {
	regions := []string{"eu-west-1", "us-east-1", "us-west-2"}
	for _, mode := range []string{PerRegion, MultiRegion} {
		t.Run(mode, func(t *testing.T) {
			srv := moto.Require(t)
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			args := []string{"--account-name", "acme", "--bucket", "acme-trail-" + mode, "--create-bucket",
				"--queue-region", "us-west-2", "--regions", strings.Join(regions, ","), "--global-region", "us-east-1", "--mode", mode}
			var keyID string
			if mode == MultiRegion {
				key, err := kms.NewFromConfig(srv.Config("us-east-1")).CreateKey(t.Context(), &kms.CreateKeyInput{})
				if err != nil {
					t.Fatal(err)
				}
				keyID = aws.ToString(key.KeyMetadata.KeyId)
				args = append(args, "--kms-key-id", keyID)
			}
			first := setupMoto(t, args...)
			if n := outcomes(first); n[Created]+n[Updated] != len(first) || (keyID != "") != (n[Updated] == 1) {
				t.Errorf("first run: want everything created (the key's policy updated):\n%s", strings.Join(first, "\n"))
			}
			if keyID != "" {
				pol, err := kms.NewFromConfig(srv.Config("us-east-1")).GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: &keyID, PolicyName: aws.String("default")})
				if err != nil {
					t.Fatal(err)
				}
				want := KeyPolicyStatements("aws", motoAccount, []string{"arn:aws:cloudtrail:us-east-1:" + motoAccount + ":trail/acme-cloudtrail"})
				checkStatement(t, aws.ToString(pol.Policy), sidKeyEncrypt, want[0])
				checkStatement(t, aws.ToString(pol.Policy), sidKeyDescribe, want[1])
				if !strings.Contains(aws.ToString(pol.Policy), ":root") {
					t.Errorf("the key's own statement was dropped: %s", aws.ToString(pol.Policy))
				}
				tr, _ := cloudtrail.NewFromConfig(srv.Config("us-east-1")).GetTrail(t.Context(), &cloudtrail.GetTrailInput{Name: aws.String("acme-cloudtrail")})
				if tr == nil || !sameKey(aws.ToString(tr.Trail.KmsKeyId), keyID) {
					t.Errorf("trail key: %+v", tr)
				}
			}
			trailRegions := regions
			if mode == MultiRegion {
				trailRegions = []string{"us-east-1"}
			}
			verifyMoto(t, srv, mode, "acme-trail-"+mode, trailRegions)

			second := setupMoto(t, args...)
			if n := outcomes(second); n[Exists] != len(second) || len(second) != len(first) {
				t.Errorf("second run: want everything to exist:\n%s", strings.Join(second, "\n"))
			}

			// Drift: unsubscribe the queue from the us-east-1 topic.
			topics := sns.NewFromConfig(srv.Config("us-east-1"))
			topicARN := "arn:aws:sns:us-east-1:" + motoAccount + ":acme-cloudtrail"
			subs, err := topics.ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
			if err != nil || len(subs.Subscriptions) != 1 {
				t.Fatalf("subscriptions %v, %v", subs, err)
			}
			if _, err := topics.Unsubscribe(t.Context(), &sns.UnsubscribeInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn}); err != nil {
				t.Fatal(err)
			}
			third := setupMoto(t, args...)
			var changed []string
			for _, l := range third {
				if !strings.HasPrefix(l, Exists+" ") {
					changed = append(changed, l)
				}
			}
			want := "created sns subscription us-east-1 acme-cloudtrail -> arn:aws:sqs:us-west-2:" + motoAccount + ":acme-cloudtrail"
			if len(changed) != 1 || changed[0] != want {
				t.Errorf("drift run changed:\n%s\nwant only:\n%s", strings.Join(changed, "\n"), want)
			}
			verifyMoto(t, srv, mode, "acme-trail-"+mode, trailRegions)
		})
	}
}

func TestSetupDryRunAgainstMotoChangesNothing(t *testing.T) {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	out, stderr, err := runCommand(t, SetupCommand, nil, "--account-name", "acme", "--bucket", "b-dry", "--create-bucket",
		"--queue-region", "us-west-2", "--mode", PerRegion, "--regions", "all", "--global-region", "us-east-1", "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "aws cloudtrail create-trail --region eu-west-1 ") {
		t.Errorf("--regions all did not list the account's regions:\n%.2000s", out)
	}
	q := sqs.NewFromConfig(srv.Config("us-west-2"))
	if l, err := q.ListQueues(t.Context(), &sqs.ListQueuesInput{}); err != nil || len(l.QueueUrls) != 0 {
		t.Errorf("queues after a dry run: %v %v", l, err)
	}
	b := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if l, err := b.ListBuckets(t.Context(), &s3.ListBucketsInput{}); err != nil || len(l.Buckets) != 0 {
		t.Errorf("buckets after a dry run: %v %v", l, err)
	}
}

// verifyMoto checks every resource and policy setup made.
func verifyMoto(t *testing.T, srv *moto.Server, mode, bucket string, trailRegions []string) {
	t.Helper()
	ctx := t.Context()
	queueARN := "arn:aws:sqs:us-west-2:" + motoAccount + ":acme-cloudtrail"
	var trailARNs, topicARNs []string
	for _, r := range trailRegions {
		trailARN := "arn:aws:cloudtrail:" + r + ":" + motoAccount + ":trail/acme-cloudtrail"
		topicARN := "arn:aws:sns:" + r + ":" + motoAccount + ":acme-cloudtrail"
		trailARNs, topicARNs = append(trailARNs, trailARN), append(topicARNs, topicARN)

		ct := cloudtrail.NewFromConfig(srv.Config(r))
		got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("acme-cloudtrail")})
		if err != nil {
			t.Fatalf("trail in %s: %v", r, err)
		}
		tr := got.Trail
		if aws.ToString(tr.S3BucketName) != bucket || aws.ToString(tr.SnsTopicARN) != topicARN ||
			!aws.ToBool(tr.LogFileValidationEnabled) || aws.ToBool(tr.IsMultiRegionTrail) != (mode == MultiRegion) ||
			aws.ToBool(tr.IncludeGlobalServiceEvents) != (r == "us-east-1") || (tr.HomeRegion != nil && *tr.HomeRegion != r) { // moto leaves HomeRegion out
			t.Errorf("trail in %s: bucket %s topic %s validation %v multi %v global %v home %s", r,
				aws.ToString(tr.S3BucketName), aws.ToString(tr.SnsTopicARN), aws.ToBool(tr.LogFileValidationEnabled),
				aws.ToBool(tr.IsMultiRegionTrail), aws.ToBool(tr.IncludeGlobalServiceEvents), aws.ToString(tr.HomeRegion))
		}
		if st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("acme-cloudtrail")}); err != nil || !aws.ToBool(st.IsLogging) {
			t.Errorf("trail in %s is not logging: %v", r, err)
		}

		topics := sns.NewFromConfig(srv.Config(r))
		attrs, err := topics.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topicARN})
		if err != nil {
			t.Fatalf("topic in %s: %v", r, err)
		}
		checkStatement(t, attrs.Attributes["Policy"], sidTopic, TopicPolicyStatements(topicARN, []string{trailARN})[0])
		subs, err := topics.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
		if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != queueARN ||
			aws.ToString(subs.Subscriptions[0].Protocol) != "sqs" {
			t.Errorf("subscriptions of %s: %+v %v", topicARN, subs, err)
		}
	}
	if mode == PerRegion {
		// No trail where it should not be.
		ct := cloudtrail.NewFromConfig(srv.Config("ap-southeast-2"))
		if l, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); err != nil || len(l.TrailList) != 0 {
			t.Errorf("trails in ap-southeast-2: %+v %v", l, err)
		}
	}

	b := s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	pol, err := b.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("bucket policy: %v", err)
	}
	want := BucketPolicyStatements("aws", bucket, motoAccount, trailARNs)
	checkStatement(t, aws.ToString(pol.Policy), sidBucketACL, want[0])
	checkStatement(t, aws.ToString(pol.Policy), sidBucketWrite, want[1])

	q := sqs.NewFromConfig(srv.Config("us-west-2"))
	attrs := func(name string) map[string]string {
		u, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
		if err != nil {
			t.Fatalf("queue %s: %v", name, err)
		}
		a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Attributes
	}
	dlq := attrs("acme-cloudtrail-dlq")
	main := attrs("acme-cloudtrail")
	if dlq["MessageRetentionPeriod"] != "1209600" || main["MessageRetentionPeriod"] != "1209600" ||
		main["ReceiveMessageWaitTimeSeconds"] != "20" || main["VisibilityTimeout"] != "300" {
		t.Errorf("queue attributes: dlq %v, queue %v", dlq, main)
	}
	var redrive map[string]any
	_ = json.Unmarshal([]byte(main["RedrivePolicy"]), &redrive)
	if redrive["deadLetterTargetArn"] != dlq["QueueArn"] || (redrive["maxReceiveCount"] != 5.0 && redrive["maxReceiveCount"] != "5") {
		t.Errorf("redrive policy %s (dlq %s)", main["RedrivePolicy"], dlq["QueueArn"])
	}
	slices.Sort(topicARNs)
	checkStatement(t, main["Policy"], sidQueue, QueuePolicyStatements(queueARN, topicARNs)[0])
}

// checkStatement finds the statement sid in the policy document doc and
// compares it with want.
func checkStatement(t *testing.T, doc, sid string, want Statement) {
	t.Helper()
	if u, err := url.QueryUnescape(doc); err == nil && strings.HasPrefix(doc, "%7B") {
		doc = u
	}
	var d struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Errorf("policy %q: %v", doc, err)
		return
	}
	wantJSON, _ := json.Marshal(want)
	for _, raw := range d.Statement {
		var id struct{ Sid string }
		_ = json.Unmarshal(raw, &id)
		if id.Sid != sid {
			continue
		}
		if same, err := samePolicy(string(raw), string(wantJSON)); err != nil || !same {
			t.Errorf("statement %s:\n%s\nwant\n%s", sid, raw, wantJSON)
		}
		return
	}
	t.Errorf("no statement %s in %s", sid, doc)
}
