package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Modes of setup.
const (
	// MultiRegion is one multi-region trail with global service events in
	// the home (global) region: the modern design.
	MultiRegion = "multi-region"
	// PerRegion is one trail and topic per region, global service events
	// only in the global region: the legacy script's design.
	PerRegion = "per-region"
)

// Queue settings.
const (
	retentionSeconds  = "1209600" // 14 days, the SQS maximum
	maxReceiveCount   = 5
	waitSeconds       = "20"
	visibilitySeconds = "300"
)

// Options are the setup command's flags.
type Options struct {
	AccountName  string   // prefix of every resource name
	Bucket       string   // log bucket
	CreateBucket bool     // create the bucket when it does not exist
	QueueRegion  string   // region of the queue and its DLQ
	Regions      []string // trail regions; nil with AllRegions
	AllRegions   bool     // the regions enabled for the account
	GlobalRegion string   // region that records global service events (and the multi-region trail's home)
	Mode         string   // MultiRegion or PerRegion
	KMSKeyID     string   // optional SSE-KMS key for the log files
	DryRun       bool
}

// trail is one trail setup manages, with its topic.
type trail struct {
	Region, Name, ARN   string
	Global, Multi       bool
	TopicName, TopicARN string
}

// layout is every name and ARN setup works with, computed before any change.
type layout struct {
	Partition, Account string
	Bucket             string
	Queue, QueueARN    string
	DLQ, DLQARN        string
	Trails             []trail
}

func (l layout) trailARNs() []string {
	var out []string
	for _, t := range l.Trails {
		out = append(out, t.ARN)
	}
	return out
}

func (l layout) topicARNs() []string {
	var out []string
	for _, t := range l.Trails {
		out = append(out, t.TopicARN)
	}
	return out
}

// plan resolves the account and the regions (read-only calls) and names
// everything.
func plan(ctx context.Context, c Clients, o Options) (layout, error) {
	id, err := c.Identity.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return layout{}, fmt.Errorf("finding the account (sts:GetCallerIdentity): %w", err)
	}
	l := layout{Partition: "aws", Account: aws.ToString(id.Account), Bucket: o.Bucket}
	if p := strings.Split(aws.ToString(id.Arn), ":"); len(p) > 1 && p[1] != "" {
		l.Partition = p[1]
	}
	regions := o.Regions
	if o.AllRegions {
		out, err := c.Regions.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return layout{}, fmt.Errorf("listing the account's regions (ec2:DescribeRegions): %w", err)
		}
		for _, r := range out.Regions {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	slices.Sort(regions)
	regions = slices.Compact(regions)
	name := o.AccountName + "-cloudtrail"
	arn := func(service, region, resource string) string {
		return "arn:" + l.Partition + ":" + service + ":" + region + ":" + l.Account + ":" + resource
	}
	l.Queue, l.DLQ = name, name+"-dlq"
	l.QueueARN, l.DLQARN = arn("sqs", o.QueueRegion, l.Queue), arn("sqs", o.QueueRegion, l.DLQ)
	switch o.Mode {
	case MultiRegion:
		r := o.GlobalRegion
		l.Trails = []trail{{Region: r, Name: name, ARN: arn("cloudtrail", r, "trail/"+name), Global: true, Multi: true,
			TopicName: name, TopicARN: arn("sns", r, name)}}
	case PerRegion:
		if !slices.Contains(regions, o.GlobalRegion) {
			return layout{}, fmt.Errorf("--global-region %s is not one of the trail regions %s", o.GlobalRegion, strings.Join(regions, ","))
		}
		for _, r := range regions {
			l.Trails = append(l.Trails, trail{Region: r, Name: name, ARN: arn("cloudtrail", r, "trail/"+name), Global: r == o.GlobalRegion,
				TopicName: name, TopicARN: arn("sns", r, name)})
		}
	default:
		return layout{}, errors.New("--mode is per-region or multi-region")
	}
	return l, nil
}
