package schemes

import (
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

func stanza(name string, kv ...string) modinput.Stanza {
	st := modinput.Stanza{Name: name, Params: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		st.Params[kv[i]] = kv[i+1]
	}
	return st
}

// The legacy app's Puppet-managed stanza (DEVELOPERS.md) works after only
// the scheme name changes.
func TestLegacyCloudTrailStanza(t *testing.T) {
	st := stanza("aws_ingest_cloudtrail://accountname",
		"exclude_describe_events", "0", "index", "aws-cloudtrail", "interval", "30",
		"remove_files_when_done", "0", "key_id", "AKIAIOSFODNN7EXAMPLE", "secret_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"sqs_queue", "accountname-cloudtrail", "sqs_queue_region", "us-west-2", "sourcetype", "aws-cloudtrail",
		"script_iterations", "1000000", "host", "$decideOnStartup", "disabled", "0")
	got, err := CloudTrail.Parse(st)
	if err != nil {
		t.Fatal(err)
	}
	v := got.Values
	if v.String(SQSQueue) != "accountname-cloudtrail" || v.String(SQSQueueRegion) != "us-west-2" || v.Bool(ExcludeDescribeEvents) {
		t.Errorf("values = %+v", v)
	}
	if v.Secret(SecretKey).Reveal() != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Error("secret_key not kept")
	}
	if got.Splunk.Index != "aws-cloudtrail" || got.Splunk.Sourcetype != "aws-cloudtrail" || got.Splunk.Host != "" {
		t.Errorf("splunkd settings = %+v", got.Splunk)
	}
	if v.Int(MaxWorkers) != 8 || v.String(MetricsIndex) != "_internal" || v.String(RoleSessionName) != "aws-ingest" {
		t.Errorf("defaults not applied: workers %d metrics %q", v.Int(MaxWorkers), v.String(MetricsIndex))
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "script_iterations is ignored") {
		t.Errorf("warnings = %q, want one about script_iterations", got.Warnings)
	}
}

func TestLegacyRegionAlias(t *testing.T) {
	got, err := CloudTrail.Parse(stanza("aws_ingest_cloudtrail://a", "sqs_queue", "q", "aws_region", "eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Values.String(SQSQueueRegion) != "eu-west-1" {
		t.Errorf("aws_region did not set sqs_queue_region")
	}
	_, err = CloudTrail.Parse(stanza("aws_ingest_cloudtrail://a", "sqs_queue", "q", "aws_region", "eu-west-1", "sqs_queue_region", "us-east-1"))
	if err == nil || !strings.Contains(err.Error(), "conflicts with") {
		t.Errorf("conflicting alias error = %v", err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	st := stanza("aws_ingest_cloudtrail://bad",
		"sqs_queue", "has space", "sqs_queue_region", "us-west", "max_workers", "500",
		"visibility_timeout", "ten", "blacklist", "([", "exclude_describe_events", "maybe",
		"role_arn", "arn:aws:iam::123:user/x", "sqs_endpoint_url", "ftp://x", "secret_key", "TOPSECRETVALUE")
	_, err := CloudTrail.Parse(st)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, p := range []string{"sqs_queue:", "sqs_queue_region:", "max_workers:", "visibility_timeout:", "blacklist:",
		"exclude_describe_events:", "role_arn:", "sqs_endpoint_url:"} {
		if !strings.Contains(msg, "parameter "+p) {
			t.Errorf("error does not name %s:\n%s", p, msg)
		}
	}
	if !strings.Contains(msg, `stanza "aws_ingest_cloudtrail://bad"`) {
		t.Errorf("error does not name the stanza:\n%s", msg)
	}
	if strings.Contains(msg, "TOPSECRETVALUE") {
		t.Errorf("error leaks the secret:\n%s", msg)
	}
}

func TestRules(t *testing.T) {
	cases := []struct {
		name string
		kv   []string
		want string // substring of the error; "" for none
	}{
		{"queue name needs a region", []string{"sqs_queue", "q"}, "sqs_queue_region is required"},
		{"queue URL carries it", []string{"sqs_queue", "https://sqs.us-west-2.amazonaws.com/123456789012/q"}, ""},
		{"malformed queue URL", []string{"sqs_queue", "https://sqs.us-west-2.amazonaws.com/q"}, "a queue URL looks like"},
		{"key without secret", []string{"sqs_queue", "q", "sqs_queue_region", "us-west-2", "key_id", "AKIAIOSFODNN7EXAMPLE"}, "key_id and secret_key go together"},
		{"keys and stored credential", []string{"sqs_queue", "q", "sqs_queue_region", "us-west-2", "key_id", "AKIAIOSFODNN7EXAMPLE", "secret_key", "s", "aws_account", "prod"}, "either aws_account"},
		{"external id alone", []string{"sqs_queue", "q", "sqs_queue_region", "us-west-2", "external_id", "x"}, "only used with role_arn"},
		{"blacklist without exclusion", []string{"sqs_queue", "q", "sqs_queue_region", "us-west-2", "blacklist", "^Get"}, "only applied with exclude_describe_events"},
		{"missing queue", []string{"sqs_queue_region", "us-west-2"}, "sqs_queue: is required"},
		{"role with external id", []string{"sqs_queue", "q", "sqs_queue_region", "us-west-2", "role_arn", "arn:aws:iam::123456789012:role/Splunk", "external_id", "x"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CloudTrail.Parse(stanza("aws_ingest_cloudtrail://x", c.kv...))
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestTypedValues(t *testing.T) {
	got, err := CloudTrail.Parse(stanza("aws_ingest_cloudtrail://x", "sqs_queue", "q", "sqs_queue_region", "us-west-2",
		"visibility_timeout", "600", "exclude_describe_events", "yes", "blacklist", "^Describe", "unknown_thing", "1"))
	if err != nil {
		t.Fatal(err)
	}
	v := got.Values
	if v.Duration(VisibilityTimeout) != 10*time.Minute || !v.Bool(ExcludeDescribeEvents) || !v.Regexp(Blacklist).MatchString("DescribeInstances") {
		t.Errorf("typed values wrong")
	}
	if v.IsSet(MaxWorkers) || !v.IsSet(VisibilityTimeout) {
		t.Errorf("IsSet confuses defaults with given values")
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "unknown parameter unknown_thing") {
		t.Errorf("warnings = %q", got.Warnings)
	}
	inv, err := Inventory.Parse(stanza("aws_ingest_inventory://x", "regions", "us-east-1, eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	if l := inv.Values.List(Regions); len(l) != 2 || l[1] != "eu-west-1" {
		t.Errorf("List = %q", l)
	}
	if _, err := Inventory.Parse(stanza("aws_ingest_inventory://x", "regions", "us-east-1,mars-1")); err == nil || !strings.Contains(err.Error(), `"mars-1"`) {
		t.Errorf("bad region error = %v", err)
	}
	if _, err := Billing.Parse(stanza("aws_ingest_billing://x", "report_type", "weekly", "s3_bucket", "Bad_Bucket", "payer_account_id", "12")); err == nil ||
		!strings.Contains(err.Error(), "report_type") || !strings.Contains(err.Error(), "s3_bucket") || !strings.Contains(err.Error(), "payer_account_id") {
		t.Errorf("billing errors = %v", err)
	}
}
