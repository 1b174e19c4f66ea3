package schemes

import (
	"errors"
	"net/url"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/params"
)

// Parameter names of aws_ingest_cloudtrail.
const (
	SQSQueue              = "sqs_queue"
	SQSQueueRegion        = "sqs_queue_region"
	ExcludeDescribeEvents = "exclude_describe_events"
	Blacklist             = "blacklist"
	ExcludedEventsIndex   = "excluded_events_index"
	RemoveFilesWhenDone   = "remove_files_when_done"
	ScriptIterations      = "script_iterations"
	MaxWorkers            = "max_workers"
	VisibilityTimeout     = "visibility_timeout"
	ValidateIntegrity     = "validate_integrity"
	MetricsIndex          = "metrics_index"
)

// DefaultDescribeBlacklist is what exclude_describe_events = 1 drops when no
// blacklist is given: the read-only calls that make most of the volume.
const DefaultDescribeBlacklist = `^(?:Describe|List|Get)`

// CloudTrail is the aws_ingest_cloudtrail scheme.
var CloudTrail = &params.Table{
	Name:  "aws_ingest_cloudtrail",
	Title: "AWS CloudTrail (SQS and S3)",
	Description: "Indexes CloudTrail log files announced on an SQS queue (by CloudTrail through SNS, by S3 event " +
		"notifications or by EventBridge), one event per API call, without loss or duplicates.",
	Params: with([]params.Param{
		{Name: SQSQueue, Title: "SQS queue", Kind: params.Text, Required: true, Check: queueNameOrURL,
			Description: "Name or URL of the SQS queue that receives the CloudTrail notifications."},
		{Name: SQSQueueRegion, Title: "SQS queue region", Kind: params.Region, Aliases: []string{"aws_region"},
			Description: "Region of the queue (us-west-2 ...). Not needed when sqs_queue is an AWS queue URL."},
		{Name: ExcludeDescribeEvents, Title: "Exclude read-only events", Kind: params.Bool, Default: "0",
			Description: "Drop events whose eventName matches blacklist, or " + DefaultDescribeBlacklist + " when no blacklist is set."},
		{Name: Blacklist, Title: "Event name blacklist", Kind: params.Regex,
			Description: "Regular expression on eventName of the events to exclude when exclude_describe_events = 1."},
		{Name: ExcludedEventsIndex, Title: "Index for excluded events", Kind: params.Index,
			Description: "Send excluded events to this index instead of dropping them."},
		{Name: RemoveFilesWhenDone, Title: "Delete S3 objects when done", Kind: params.Bool, Default: "0",
			Description: "Delete each log file from S3 once all its events are in Splunk (needs s3:DeleteObject)."},
		{Name: ScriptIterations, Kind: params.Integer, Ignored: "this input runs until Splunk stops it",
			Description: "Legacy: how many polls the old script made before exiting."},
		{Name: MaxWorkers, Title: "Maximum parallel downloads", Kind: params.Integer, Default: "8", Min: 1, Max: 64,
			Description: "Upper bound on S3 objects read at once; the input adapts below it when Splunk applies backpressure."},
		{Name: VisibilityTimeout, Title: "Visibility timeout", Kind: params.Seconds, Min: 30, Max: 43200,
			Description: "How long a received message stays hidden from other consumers; the input extends it while it works. Default: the queue's own setting."},
		{Name: ValidateIntegrity, Title: "Validate log file integrity", Kind: params.Bool, Default: "0",
			Description: "Check CloudTrail's signed digest files against the ingested log files and report tampering as aws:cloudtrail:integrity events."},
		{Name: MetricsIndex, Title: "Metrics index", Kind: params.Index, Default: "_internal",
			Description: "Index for the input's own aws_ingest:metrics events (throughput, lag, errors), written every 60 seconds."},
		endpointParam(SQSEndpointURL, "SQS"),
		endpointParam(S3EndpointURL, "S3"),
	}, credentialParams()),
	Rules: []params.Rule{credentialRules, cloudTrailRules},
	Settings: []params.Setting{
		startByShell,
		{Name: "interval", Value: "60", Comment: "The input runs until Splunk stops it; if it ever exits, splunkd restarts it after this many seconds."},
		{Name: "sourcetype", Value: "aws:cloudtrail"},
	},
}

func cloudTrailRules(v params.Values) []error {
	var errs []error
	queue := v.String(SQSQueue)
	if !isURL(queue) && !v.IsSet(SQSQueueRegion) {
		errs = append(errs, errors.New("sqs_queue_region is required when sqs_queue is a queue name; or give the queue URL"))
	}
	if v.IsSet(Blacklist) && !v.Bool(ExcludeDescribeEvents) {
		errs = append(errs, errors.New("blacklist is only applied with exclude_describe_events = 1"))
	}
	return errs
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

func queueNameOrURL(s string) error {
	if isURL(s) {
		if err := awsname.Endpoint(s); err != nil {
			return err
		}
		u, _ := url.Parse(s)
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) != 2 || !awsname.AccountID(parts[0]) || !awsname.QueueName(parts[1]) {
			return errors.New("a queue URL looks like https://sqs.<region>.amazonaws.com/<account id>/<queue name>")
		}
		return nil
	}
	if !awsname.QueueName(s) {
		return errors.New("not a queue name (up to 80 letters, digits, - and _) or a queue URL")
	}
	return nil
}
