package setup

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const fakeAccount = "111122223333"

// fakeAWS is an in-memory account: just enough of STS, EC2, S3, SQS, SNS and
// CloudTrail (and KMS) for setup. calls counts the mutating calls by name.
type fakeAWS struct {
	mu      sync.Mutex
	regions []string
	buckets map[string]string            // name → policy
	queues  map[string]map[string]string // name → attributes
	topics  map[string]map[string]string // ARN → attributes
	subs    map[string][]string          // topic ARN → queue ARNs
	trails  map[string]*cttypes.Trail    // region/name → trail
	logging map[string]bool              // region/name → logging
	calls   map[string]int
	// keyPolicy is the policy of the one key, whatever its id.
	keyPolicy string
}

func newFakeAWS(regions ...string) *fakeAWS {
	return &fakeAWS{regions: regions, buckets: map[string]string{}, queues: map[string]map[string]string{},
		topics: map[string]map[string]string{}, subs: map[string][]string{}, trails: map[string]*cttypes.Trail{},
		logging: map[string]bool{}, calls: map[string]int{},
		keyPolicy: `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + fakeAccount + `:root"},"Action":"kms:*","Resource":"*"}]}`}
}

func (f *fakeAWS) clients() Clients {
	return Clients{Identity: f, Regions: f, Bucket: f, Queue: f, Key: f,
		Topics: func(r string) TopicAPI { return fakeRegion{f, r} },
		Trails: func(r string) TrailAPI { return fakeRegion{f, r} }}
}

func (f *fakeAWS) mutated(op string) { f.calls[op]++ }

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeAWS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(fakeAccount), Arn: aws.String("arn:aws:iam::" + fakeAccount + ":user/admin")}, nil
}

func (f *fakeAWS) DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	out := &ec2.DescribeRegionsOutput{}
	for _, r := range f.regions {
		out.Regions = append(out.Regions, ec2types.Region{RegionName: aws.String(r)})
	}
	return out, nil
}

func (f *fakeAWS) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.buckets[*in.Bucket]; !ok {
		return nil, &s3types.NotFound{}
	}
	return &s3.HeadBucketOutput{}, nil
}

func (f *fakeAWS) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("CreateBucket")
	f.buckets[*in.Bucket] = ""
	return &s3.CreateBucketOutput{}, nil
}

func (f *fakeAWS) PutPublicAccessBlock(context.Context, *s3.PutPublicAccessBlockInput, ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("PutPublicAccessBlock")
	return &s3.PutPublicAccessBlockOutput{}, nil
}

func (f *fakeAWS) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.buckets[*in.Bucket]; p != "" {
		return &s3.GetBucketPolicyOutput{Policy: aws.String(p)}, nil
	}
	return nil, apiErr("NoSuchBucketPolicy")
}

func (f *fakeAWS) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("PutBucketPolicy")
	f.buckets[*in.Bucket] = *in.Policy
	return &s3.PutBucketPolicyOutput{}, nil
}

func (f *fakeAWS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.queues[*in.QueueName]; !ok {
		return nil, &sqstypes.QueueDoesNotExist{}
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://sqs.fake/" + fakeAccount + "/" + *in.QueueName)}, nil
}

func (f *fakeAWS) CreateQueue(_ context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("CreateQueue")
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	f.queues[*in.QueueName] = attrs
	return &sqs.CreateQueueOutput{}, nil
}

func queueName(url string) string { return url[strings.LastIndexByte(url, '/')+1:] }

func (f *fakeAWS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.queues[queueName(*in.QueueUrl)] {
		out[k] = v
	}
	return &sqs.GetQueueAttributesOutput{Attributes: out}, nil
}

func (f *fakeAWS) SetQueueAttributes(_ context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("SetQueueAttributes")
	for k, v := range in.Attributes {
		f.queues[queueName(*in.QueueUrl)][k] = v
	}
	return &sqs.SetQueueAttributesOutput{}, nil
}

// fakeRegion is the SNS and CloudTrail endpoint of one region.
type fakeRegion struct {
	*fakeAWS
	region string
}

func (f fakeRegion) topicARN(name string) string {
	return "arn:aws:sns:" + f.region + ":" + fakeAccount + ":" + name
}

func (f fakeRegion) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("CreateTopic")
	arn := f.topicARN(*in.Name)
	if _, ok := f.topics[arn]; !ok {
		f.topics[arn] = map[string]string{"TopicArn": arn,
			"Policy": `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + arn + `"}]}`}
	}
	return &sns.CreateTopicOutput{TopicArn: &arn}, nil
}

func (f fakeRegion) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	attrs, ok := f.topics[*in.TopicArn]
	if !ok || !strings.Contains(*in.TopicArn, ":"+f.region+":") {
		return nil, &snstypes.NotFoundException{}
	}
	out := map[string]string{}
	for k, v := range attrs {
		out[k] = v
	}
	return &sns.GetTopicAttributesOutput{Attributes: out}, nil
}

func (f fakeRegion) SetTopicAttributes(_ context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("SetTopicAttributes")
	f.topics[*in.TopicArn][*in.AttributeName] = *in.AttributeValue
	return &sns.SetTopicAttributesOutput{}, nil
}

func (f fakeRegion) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// One subscription per page, to exercise NextToken.
	i := 0
	if in.NextToken != nil {
		i = int((*in.NextToken)[0] - '0')
	}
	subs := f.subs[*in.TopicArn]
	out := &sns.ListSubscriptionsByTopicOutput{}
	if i < len(subs) {
		out.Subscriptions = []snstypes.Subscription{{Protocol: aws.String("sqs"), Endpoint: aws.String(subs[i]), TopicArn: in.TopicArn}}
		if i+1 < len(subs) {
			out.NextToken = aws.String(string(rune('0' + i + 1)))
		}
	}
	return out, nil
}

func (f fakeRegion) Subscribe(_ context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("Subscribe")
	f.subs[*in.TopicArn] = append(f.subs[*in.TopicArn], *in.Endpoint)
	return &sns.SubscribeOutput{}, nil
}

// topicARNOf is what CloudTrail stores for --sns-topic-name: a name is in
// the trail's region.
func (f fakeRegion) topicARNOf(name *string) *string {
	if name == nil || strings.HasPrefix(*name, "arn:") {
		return name
	}
	return aws.String(f.topicARN(*name))
}

func (f fakeRegion) key(name string) string { return f.region + "/" + name }

func (f fakeRegion) GetTrail(_ context.Context, in *cloudtrail.GetTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.trails[f.key(*in.Name)]
	if !ok {
		return nil, &cttypes.TrailNotFoundException{}
	}
	c := *t
	return &cloudtrail.GetTrailOutput{Trail: &c}, nil
}

func (f fakeRegion) CreateTrail(_ context.Context, in *cloudtrail.CreateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("CreateTrail")
	f.trails[f.key(*in.Name)] = &cttypes.Trail{Name: in.Name, S3BucketName: in.S3BucketName, SnsTopicARN: f.topicARNOf(in.SnsTopicName),
		IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
		LogFileValidationEnabled: in.EnableLogFileValidation, KmsKeyId: in.KmsKeyId}
	return &cloudtrail.CreateTrailOutput{}, nil
}

func (f fakeRegion) UpdateTrail(_ context.Context, in *cloudtrail.UpdateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("UpdateTrail")
	f.trails[f.key(*in.Name)] = &cttypes.Trail{Name: in.Name, S3BucketName: in.S3BucketName, SnsTopicARN: f.topicARNOf(in.SnsTopicName),
		IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
		LogFileValidationEnabled: in.EnableLogFileValidation, KmsKeyId: in.KmsKeyId}
	return &cloudtrail.UpdateTrailOutput{}, nil
}

func (f fakeRegion) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(f.logging[f.key(*in.Name)])}, nil
}

func (f fakeRegion) StartLogging(_ context.Context, in *cloudtrail.StartLoggingInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("StartLogging")
	f.logging[f.key(*in.Name)] = true
	return &cloudtrail.StartLoggingOutput{}, nil
}

func (f *fakeAWS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: aws.String("key-" + *in.KeyId)}}, nil
}

func (f *fakeAWS) GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &kms.GetKeyPolicyOutput{Policy: aws.String(f.keyPolicy)}, nil
}

func (f *fakeAWS) PutKeyPolicy(_ context.Context, in *kms.PutKeyPolicyInput, _ ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mutated("PutKeyPolicy")
	f.keyPolicy = *in.Policy
	return &kms.PutKeyPolicyOutput{}, nil
}
