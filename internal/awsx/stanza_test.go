package awsx

import (
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

func TestStanzaOptions(t *testing.T) {
	parsed, err := schemes.CloudTrail.Parse(modinput.Stanza{Name: "aws_ingest_cloudtrail://x", Params: map[string]string{
		"sqs_queue": "q", "sqs_queue_region": "us-west-2", "aws_account": "prod",
		"role_arn": "arn:aws:iam::123456789012:role/Splunk", "external_id": "ext", "sts_endpoint_url": "https://sts.example.com",
	}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := StanzaOptions(parsed.Values, modinput.Server{URI: "https://127.0.0.1:8089", SessionKey: "k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Account != "prod" || o.Store == nil || o.RoleARN != "arn:aws:iam::123456789012:role/Splunk" ||
		o.ExternalID != "ext" || o.STSEndpoint != "https://sts.example.com" || o.RoleSessionName != "aws-ingest" || o.KeyID != "" {
		t.Errorf("options = %+v", o)
	}
}
