package message

import "testing"

func BenchmarkParse(b *testing.B) {
	recs := stratusRecords(b, "testdata/stratus-red-team/aws.persistence.sts-federation-token.json")
	bodies := []struct {
		name string
		body []byte
	}{
		{"cloudtrail", readFile(b, "testdata/aws-docs/cloudtrail-sns-message-multi.json")},
		{"sns-cloudtrail", readFile(b, "testdata/aws-docs/sns-wrapped-cloudtrail-notification.issue75.json")},
		{"s3-event", readFile(b, "testdata/aws-docs/s3-event-objectcreated-put.json")},
		{"sns-s3-event", readFile(b, "testdata/moto/sns-s3-event-put-escaped-key.json")},
		{"eventbridge-object", readFile(b, "testdata/aws-docs/eventbridge-object-created.json")},
		{"eventbridge-record", eventBridge("aws.sts", "AWS API Call via CloudTrail", recs[0])},
	}
	for _, c := range bodies {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := Parse(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
