package cloudtrail

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Config is what one stanza asks of the input.
type Config struct {
	Queue             string // name or URL
	Region            string // the queue's region
	Exclude           *regexp.Regexp
	ExcludedIndex     string
	RemoveFiles       bool
	MaxWorkers        int
	VisibilityTimeout time.Duration // 0: the queue's own setting
	ValidateIntegrity bool
	MetricsIndex      string
	MetricsInterval   time.Duration
	// DigestSweepInterval is how often digest folders are listed
	// (validate_integrity).
	DigestSweepInterval time.Duration

	// Splunk settings of the stanza for the events.
	Index, Host, Sourcetype, Stanza string
}

// InsightSourcetype is the sourcetype of CloudTrail Insights records.
const InsightSourcetype = "aws:cloudtrail:insight"

// ConfigFrom reads a checked stanza.
func ConfigFrom(v params.Values, splunk params.Splunk) (Config, error) {
	c := Config{
		Queue:               v.String(schemes.SQSQueue),
		Region:              v.String(schemes.SQSQueueRegion),
		ExcludedIndex:       v.String(schemes.ExcludedEventsIndex),
		RemoveFiles:         v.Bool(schemes.RemoveFilesWhenDone),
		MaxWorkers:          int(v.Int(schemes.MaxWorkers)),
		VisibilityTimeout:   v.Duration(schemes.VisibilityTimeout),
		ValidateIntegrity:   v.Bool(schemes.ValidateIntegrity),
		MetricsIndex:        v.String(schemes.MetricsIndex),
		MetricsInterval:     time.Minute,
		DigestSweepInterval: 15 * time.Minute,
		Index:               splunk.Index,
		Host:                splunk.Host,
		Sourcetype:          splunk.Sourcetype,
		Stanza:              v.Stanza(),
	}
	if c.Sourcetype == "" {
		c.Sourcetype = "aws:cloudtrail"
	}
	if v.Bool(schemes.ExcludeDescribeEvents) {
		c.Exclude = v.Regexp(schemes.Blacklist)
		if c.Exclude == nil {
			c.Exclude = regexp.MustCompile(schemes.DefaultDescribeBlacklist)
		}
	}
	if c.Region == "" {
		region, err := RegionOfQueueURL(c.Queue)
		if err != nil {
			return Config{}, err
		}
		c.Region = region
	}
	return c, nil
}

// RegionOfQueueURL reads the region from an AWS queue URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>).
func RegionOfQueueURL(queue string) (string, error) {
	u, err := url.Parse(queue)
	if err != nil || u.Host == "" {
		return "", errors.New("sqs_queue_region is required when sqs_queue is not a queue URL")
	}
	parts := strings.Split(u.Hostname(), ".")
	for i, p := range parts {
		if p == "sqs" && i+1 < len(parts) {
			return parts[i+1], nil
		}
	}
	return "", fmt.Errorf("cannot tell the region from the queue URL host %q: set sqs_queue_region", u.Hostname())
}
