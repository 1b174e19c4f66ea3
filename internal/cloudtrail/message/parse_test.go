package message

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	ctKey = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/111122223333_CloudTrail_us-east-1_20261125T1915Z_Mu0KsOhtH1ar15ZZ.json.gz"
	bkt   = "trail-bucket"
)

// s3Rec builds one S3 event notification record; object is the inside of
// s3.object (already encoded as S3 would).
func s3Rec(version, name, object string) string {
	return `{"eventVersion":"` + version + `","eventSource":"aws:s3","awsRegion":"us-east-1",` +
		`"eventTime":"2026-11-25T19:15:04.982Z","eventName":"` + name + `",` +
		`"s3":{"s3SchemaVersion":"1.0","configurationId":"c","bucket":{"name":"` + bkt + `","arn":"arn:aws:s3:::` + bkt + `"},` +
		`"object":{` + object + `}}}`
}

func s3Event(recs ...string) string { return `{"Records":[` + strings.Join(recs, ",") + `]}` }

func created(encodedKey string) string {
	return s3Rec("2.1", "ObjectCreated:Put", `"key":"`+encodedKey+`","size":42,"eTag":"e","sequencer":"0A"`)
}

func obj(key string) Object {
	return Object{Bucket: bkt, Key: key, Size: 42, ETag: "e", Sequencer: "0A"}
}

type parseCase struct {
	name string
	body string
	want Message
	err  *wantErr
}

var parseCases = []parseCase{
	// CloudTrail notifications.
	{name: "cloudtrail several keys, one repeated",
		body: `{"s3Bucket":"` + bkt + `","s3ObjectKey":["a/1.json.gz","a/2.json.gz","a/1.json.gz","a/3.json.gz"]}`,
		want: Message{Format: FormatCloudTrail, Objects: []Object{
			{Bucket: bkt, Key: "a/1.json.gz", Size: -1}, {Bucket: bkt, Key: "a/2.json.gz", Size: -1}, {Bucket: bkt, Key: "a/3.json.gz", Size: -1}}}},
	{name: "cloudtrail keys are verbatim, never decoded",
		body: `{"s3Bucket":"` + bkt + `","s3ObjectKey":["p+q/%2B/%2F/a b/ü.json.gz"],"extra":{"ignored":true}}`,
		want: Message{Format: FormatCloudTrail, Objects: []Object{{Bucket: bkt, Key: "p+q/%2B/%2F/a b/ü.json.gz", Size: -1}}}},
	{name: "cloudtrail key order kept",
		body: `{"s3ObjectKey":["z","a","m"],"s3Bucket":"b"}`,
		want: Message{Format: FormatCloudTrail, Objects: []Object{{Bucket: "b", Key: "z", Size: -1}, {Bucket: "b", Key: "a", Size: -1}, {Bucket: "b", Key: "m", Size: -1}}}},
	{name: "cloudtrail s3ObjectKey a string (AWS Config style)", body: `{"s3Bucket":"b","s3ObjectKey":"k"}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey is a JSON string, not an array of strings"}},
	{name: "cloudtrail s3ObjectKey has a number", body: `{"s3Bucket":"b","s3ObjectKey":["k",7]}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey[1] is a JSON number, not a string"}},
	{name: "cloudtrail s3ObjectKey has null", body: `{"s3Bucket":"b","s3ObjectKey":[null]}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey[0] is a JSON null, not a string"}},
	{name: "cloudtrail s3ObjectKey empty array", body: `{"s3Bucket":"b","s3ObjectKey":[]}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey is an empty array"}},
	{name: "cloudtrail empty key", body: `{"s3Bucket":"b","s3ObjectKey":["k",""]}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey[1] is empty"}},
	{name: "cloudtrail s3ObjectKey missing", body: `{"s3Bucket":"b"}`,
		err: &wantErr{FormatCloudTrail, "s3ObjectKey is missing"}},
	{name: "cloudtrail empty bucket", body: `{"s3Bucket":"","s3ObjectKey":["k"]}`,
		err: &wantErr{FormatCloudTrail, "s3Bucket is empty"}},
	{name: "cloudtrail bucket missing", body: `{"s3ObjectKey":["k"]}`,
		err: &wantErr{FormatCloudTrail, "s3Bucket is missing"}},
	{name: "cloudtrail bucket a number", body: `{"s3Bucket":5,"s3ObjectKey":["k"]}`,
		err: &wantErr{FormatCloudTrail, "s3Bucket is a JSON number, not a string"}},
	{name: "AWS Config delivery notification",
		body: `{"s3ObjectKey":"AWSLogs/111122223333/Config/us-east-1/2026/11/25/ConfigSnapshot/x.json.gz","s3Bucket":"b","notificationCreationTime":"2026-11-25T19:15:04.982Z","messageType":"ConfigurationSnapshotDeliveryCompleted","configSnapshotId":"1"}`,
		err:  &wantErr{"", `messageType "ConfigurationSnapshotDeliveryCompleted" (AWS Config`}},

	// S3 event notifications.
	{name: "s3 two records, one ObjectRemoved",
		body: s3Event(created(ctKey), s3Rec("2.1", "ObjectRemoved:Delete", `"key":"x","sequencer":"0B"`)),
		want: Message{Format: FormatS3Event, Objects: []Object{obj(ctKey)}, Skipped: 1}},
	{name: "s3 only removals is not an error",
		body: s3Event(s3Rec("2.1", "ObjectRemoved:Delete", `"key":"x"`), s3Rec("2.2", "ObjectRemoved:DeleteMarkerCreated", `"key":"y"`),
			s3Rec("2.3", "LifecycleExpiration:Delete", `"key":"z"`)),
		want: Message{Format: FormatS3Event, Skipped: 3}},
	{name: "s3 key + is a space", body: s3Event(created("a+b.json.gz")), want: Message{Format: FormatS3Event, Objects: []Object{obj("a b.json.gz")}}},
	{name: "s3 key %2B is a plus", body: s3Event(created("a%2Bb.json.gz")), want: Message{Format: FormatS3Event, Objects: []Object{obj("a+b.json.gz")}}},
	{name: "s3 key %2F is a slash (moto)", body: s3Event(created("AWSLogs%2F1%2Fx.json.gz")), want: Message{Format: FormatS3Event, Objects: []Object{obj("AWSLogs/1/x.json.gz")}}},
	{name: "s3 key %20 is a space", body: s3Event(created("my%20prefix/x")), want: Message{Format: FormatS3Event, Objects: []Object{obj("my prefix/x")}}},
	{name: "s3 key percent-encoded unicode", body: s3Event(created("%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E2%82%AC")),
		want: Message{Format: FormatS3Event, Objects: []Object{obj("ünïcødé/€")}}},
	{name: "s3 key raw unicode passes", body: s3Event(created("ünï/€+x")), want: Message{Format: FormatS3Event, Objects: []Object{obj("ünï/€ x")}}},
	{name: "s3 key %25 is a percent", body: s3Event(created("100%25.json")), want: Message{Format: FormatS3Event, Objects: []Object{obj("100%.json")}}},
	{name: "s3 other ObjectCreated names",
		body: s3Event(s3Rec("2.1", "ObjectCreated:Copy", `"key":"a","size":0`), s3Rec("2.2", "ObjectCreated:CompleteMultipartUpload", `"key":"b"`),
			s3Rec("2.3", "ObjectCreated:Post", `"key":"c","versionId":"v1"`), s3Rec("2.1", "ObjectRestore:Completed", `"key":"d"`)),
		want: Message{Format: FormatS3Event, Skipped: 1, Objects: []Object{
			{Bucket: bkt, Key: "a", Size: 0}, {Bucket: bkt, Key: "b", Size: -1}, {Bucket: bkt, Key: "c", Size: -1, VersionID: "v1"}}}},
	{name: "s3 repeated key kept once, later sequencer wins (unversioned overwrite)",
		body: s3Event(
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","size":1,"eTag":"old","sequencer":"0055AED6DCD90281E5"`),
			s3Rec("2.1", "ObjectCreated:Put", `"key":"other","size":3`),
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","size":2,"eTag":"new","sequencer":"0055AED6DCD90281E6"`),
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","size":9,"eTag":"older","sequencer":"0055AED6DCD9"`)),
		want: Message{Format: FormatS3Event, Objects: []Object{
			{Bucket: bkt, Key: "k", Size: 2, ETag: "new", Sequencer: "0055AED6DCD90281E6"}, {Bucket: bkt, Key: "other", Size: 3}}}},
	{name: "s3 sequencers of different lengths compare right-padded",
		body: s3Event(
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","eTag":"1","sequencer":"0055AED6DCD9"`),
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","eTag":"2","sequencer":"0055aed6dcd90281e5"`),
			s3Rec("2.1", "ObjectCreated:Put", `"key":"k","eTag":"3"`)),
		want: Message{Format: FormatS3Event, Objects: []Object{{Bucket: bkt, Key: "k", Size: -1, ETag: "2", Sequencer: "0055aed6dcd90281e5"}}}},
	{name: "s3 same key, two versions kept",
		body: s3Event(s3Rec("2.1", "ObjectCreated:Put", `"key":"k","versionId":"v1"`), s3Rec("2.1", "ObjectCreated:Put", `"key":"k","versionId":"v2"`)),
		want: Message{Format: FormatS3Event, Objects: []Object{
			{Bucket: bkt, Key: "k", Size: -1, VersionID: "v1"}, {Bucket: bkt, Key: "k", Size: -1, VersionID: "v2"}}}},
	{name: "s3 encoded and plain spelling of one key are one object",
		body: s3Event(created("a+b"), created("a%20b")),
		want: Message{Format: FormatS3Event, Objects: []Object{obj("a b")}}},
	{name: "s3 moto eventTime without zone is not parsed",
		body: strings.Replace(s3Event(created("k")), "2026-11-25T19:15:04.982Z", "2026-11-25T19:15:04.982083", 1),
		want: Message{Format: FormatS3Event, Objects: []Object{obj("k")}}},
	{name: "s3 eventVersion 1", body: s3Event(s3Rec("1.0", "ObjectCreated:Put", `"key":"k"`)),
		err: &wantErr{FormatS3Event, `Records[0].eventVersion is "1.0", want 2.x`}},
	{name: "s3 eventVersion 3", body: s3Event(created("a"), s3Rec("3.0", "ObjectCreated:Put", `"key":"k"`)),
		err: &wantErr{FormatS3Event, `Records[1].eventVersion is "3.0", want 2.x`}},
	{name: "s3 eventVersion 20.1", body: s3Event(s3Rec("20.1", "ObjectCreated:Put", `"key":"k"`)),
		err: &wantErr{FormatS3Event, `eventVersion is "20.1"`}},
	{name: "s3 eventName missing", body: s3Event(s3Rec("2.1", "", `"key":"k"`)), err: &wantErr{FormatS3Event, "Records[0].eventName is missing or empty"}},
	{name: "s3 bad percent escape", body: s3Event(created("a%zzb")),
		err: &wantErr{FormatS3Event, `Records[0].s3.object.key "a%zzb" is not form-url-encoded`}},
	{name: "s3 empty key", body: s3Event(created("")), err: &wantErr{FormatS3Event, "Records[0].s3.object.key is missing or empty"}},
	{name: "s3 missing bucket", body: `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"object":{"key":"k"}}}]}`,
		err: &wantErr{FormatS3Event, "Records[0].s3.bucket.name is missing or empty"}},
	{name: "s3 size is a string", body: s3Event(s3Rec("2.1", "ObjectCreated:Put", `"key":"k","size":"1024"`)),
		err: &wantErr{FormatS3Event, "Records[0].s3.object.size is a JSON string, want a number"}},
	{name: "s3 second record from another service", body: s3Event(created("a"), `{"eventSource":"aws:sqs"}`),
		err: &wantErr{FormatS3Event, `Records[1].eventSource is "aws:sqs", not "aws:s3"`}},
	{name: "s3 first record from another service", body: `{"Records":[{"eventVersion":"1.0","eventSource":"aws:ses"}]}`,
		err: &wantErr{"", `Records[0].eventSource is "aws:ses", not "aws:s3"`}},
	{name: "s3 record without eventSource", body: `{"Records":[{}]}`, err: &wantErr{"", "Records[0] has no eventSource"}},
	{name: "s3 record not an object", body: `{"Records":["x"]}`, err: &wantErr{"", "Records[0] is a JSON string, not an object"}},
	{name: "s3 Records empty", body: `{"Records":[]}`, err: &wantErr{"", "Records is an empty array"}},
	{name: "s3 Records an object", body: `{"Records":{"eventSource":"aws:s3"}}`, err: &wantErr{"", "Records is a JSON object, not an array"}},

	// s3:TestEvent and the CloudTrail validation message.
	{name: "s3 test event, minimal (moto)", body: `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-26T01:15:07.762315","Bucket":"b"}`,
		want: Message{Format: FormatS3TestEvent}},
	{name: "s3 event other than TestEvent", body: `{"Service":"Amazon S3","Event":"s3:SomethingElse"}`,
		err: &wantErr{"", `Event is "s3:SomethingElse", not "s3:TestEvent"`}},
	{name: "s3 test event with a numeric Event", body: `{"Event":5}`, err: &wantErr{"", `Event is a JSON number, not "s3:TestEvent"`}},
	{name: "validation message", body: "CloudTrail validation message.", want: Message{Format: FormatValidation}},
	{name: "validation message with newline", body: "CloudTrail validation message.\n", want: Message{Format: FormatValidation}},
	{name: "validation message without period", body: "CloudTrail validation message", err: &wantErr{"", `body is not JSON (starts with "CloudTrail validation…")`}},

	// EventBridge S3 object events.
	{name: "eventbridge plus in key kept, decoded as AltKey",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"version":"0","bucket":{"name":"b"},"object":{"key":"my+file.json.gz","size":7,"etag":"e","sequencer":"1"},"reason":"PutObject"}`))),
		want: Message{Format: FormatEventBridgeObject, Objects: []Object{{Bucket: "b", Key: "my+file.json.gz", AltKey: "my file.json.gz", Size: 7, ETag: "e", Sequencer: "1"}}}},
	{name: "eventbridge %2F in key",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":{"name":"b"},"object":{"key":"a%2Fb"}}`))),
		want: Message{Format: FormatEventBridgeObject, Objects: []Object{{Bucket: "b", Key: "a%2Fb", AltKey: "a/b", Size: -1}}}},
	{name: "eventbridge undecodable key has no AltKey",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":{"name":"b"},"object":{"key":"100%"}}`))),
		want: Message{Format: FormatEventBridgeObject, Objects: []Object{{Bucket: "b", Key: "100%", Size: -1}}}},
	{name: "eventbridge Security Lake shape (no detail-type)",
		body: `{"source":"aws.s3","time":"2023-09-16T05:27:07Z","account":"123456789012","region":"us-west-2","resources":["resource_arn"],` +
			`"detail":{"bucket":{"name":"aws-security-data-lake-us-west-2"},"object":{"key":"aws/ROUTE53/1.0/region=us-west-2/x.gz.parquet","size":13176,"etag":"asdfghj567ghwjhhd"},"request-id":"r","requester":"securitylake.amazonaws.com"}}`,
		want: Message{Format: FormatEventBridgeObject, Objects: []Object{{Bucket: "aws-security-data-lake-us-west-2",
			Key: "aws/ROUTE53/1.0/region=us-west-2/x.gz.parquet", Size: 13176, ETag: "asdfghj567ghwjhhd"}}}},
	{name: "eventbridge Object Deleted is skipped",
		body: string(eventBridge("aws.s3", "Object Deleted", []byte(`{"bucket":{"name":"b"},"object":{"key":"k"},"deletion-type":"Permanently Deleted"}`))),
		want: Message{Format: FormatEventBridgeObject, Skipped: 1}},
	{name: "eventbridge Object Created without key",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":{"name":"b"},"object":{"size":1}}`))),
		err:  &wantErr{FormatEventBridgeObject, "detail.object.key is missing or empty"}},
	{name: "eventbridge Object Created with empty bucket",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":{"name":""},"object":{"key":"k"}}`))),
		err:  &wantErr{FormatEventBridgeObject, "detail.bucket.name is missing or empty"}},
	{name: "eventbridge Object Created with size a string",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":{"name":"b"},"object":{"key":"k","size":"5"}}`))),
		err:  &wantErr{FormatEventBridgeObject, "detail.object.size is a JSON string, want a number"}},
	{name: "eventbridge other service",
		body: string(eventBridge("aws.ec2", "EC2 Instance State-change Notification", []byte(`{"instance-id":"i-1","state":"running"}`))),
		err:  &wantErr{"", `EventBridge event (source "aws.ec2", detail-type "EC2 Instance State-change Notification") is neither`}},
	{name: "eventbridge other service without detail-type", body: `{"source":"aws.ec2","detail":{"state":"running"}}`,
		err: &wantErr{"", `(source "aws.ec2", detail-type missing) is neither`}},
	{name: "eventbridge custom source",
		body: string(eventBridge("com.example.app", "Thing", []byte(`{"eventVersion":"1","eventID":"2"}`))),
		err:  &wantErr{"", `source "com.example.app", not an AWS service`}},
	{name: "eventbridge detail not an object",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`"x"`))),
		err:  &wantErr{"", `detail is a JSON string, not an object`}},
	{name: "eventbridge bucket not an object",
		body: string(eventBridge("aws.s3", "Object Created", []byte(`{"bucket":"b","object":{"key":"k"}}`))),
		err:  &wantErr{FormatEventBridgeObject, "detail.bucket is a JSON string, want an object"}},
	{name: "eventbridge detail missing", body: `{"source":"aws.s3","detail-type":"Object Created"}`,
		err: &wantErr{"", `EventBridge event from "aws.s3" without detail`}},

	// EventBridge CloudTrail records (the detail bytes come back as they were).
	{name: "eventbridge console sign-in record",
		body: string(eventBridge("aws.signin", "AWS Console Sign In via CloudTrail", []byte(`{"eventVersion":"1.08","eventID":"e1","eventType":"AwsConsoleSignIn","additionalEventData":{"MFAUsed":"No"}}`))),
		want: Message{Format: FormatEventBridgeRecord, Records: [][]byte{[]byte(`{"eventVersion":"1.08","eventID":"e1","eventType":"AwsConsoleSignIn","additionalEventData":{"MFAUsed":"No"}}`)}}},
	{name: "eventbridge record bytes verbatim (escapes, non-ASCII, exponents, spacing)",
		body: string(eventBridge("aws.iam", "AWS API Call via CloudTrail", []byte("{ \"eventVersion\" : \"1.11\",\n\t\"eventID\":\"e\\u0032\", \"a\":\"\\u00e9\\u2028é\", \"b\":1E3, \"c\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\" }"))),
		want: Message{Format: FormatEventBridgeRecord, Records: [][]byte{[]byte("{ \"eventVersion\" : \"1.11\",\n\t\"eventID\":\"e\\u0032\", \"a\":\"\\u00e9\\u2028é\", \"b\":1E3, \"c\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\" }")}}},
	{name: "eventbridge S3 data event record from aws.s3 is a record, not an object",
		body: string(eventBridge("aws.s3", "AWS API Call via CloudTrail", []byte(`{"eventVersion":"1.09","eventID":"e","eventSource":"s3.amazonaws.com","eventName":"PutObject","requestParameters":{"bucketName":"b","key":"k"}}`))),
		want: Message{Format: FormatEventBridgeRecord, Records: [][]byte{[]byte(`{"eventVersion":"1.09","eventID":"e","eventSource":"s3.amazonaws.com","eventName":"PutObject","requestParameters":{"bucketName":"b","key":"k"}}`)}}},
	{name: "eventbridge insight record",
		body: string(eventBridge("aws.cloudtrail", "AWS Insight via CloudTrail", []byte(`{"eventVersion":"1.08","eventID":"i","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"state":"Start"}}`))),
		want: Message{Format: FormatEventBridgeRecord, Records: [][]byte{[]byte(`{"eventVersion":"1.08","eventID":"i","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"state":"Start"}}`)}}},
	{name: "eventbridge record without eventID",
		body: string(eventBridge("aws.iam", "AWS API Call via CloudTrail", []byte(`{"eventVersion":"1.08"}`))),
		err:  &wantErr{"", "is neither an S3 object event nor a CloudTrail record"}},

	// SNS oddities.
	{name: "sns subscription confirmation",
		body: `{"Type":"SubscriptionConfirmation","MessageId":"m","Token":"t","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"You have chosen to subscribe...","SubscribeURL":"https://sns"}`,
		err:  &wantErr{"", "SNS SubscriptionConfirmation: confirm or remove the subscription"}},
	{name: "sns Notification with an object Message is not an envelope",
		body: `{"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":{"s3Bucket":"b"}}`,
		err:  &wantErr{"", `SNS-like message of Type "Notification" lacks a TopicArn or a string Message`}},
	{name: "sns Notification without TopicArn is not an envelope",
		body: `{"Type":"Notification","Message":"{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\"k\"]}"}`,
		err:  &wantErr{"", `SNS-like message of Type "Notification"`}},

	// Garbage.
	{name: "empty", body: "", err: &wantErr{"", "body is empty"}},
	{name: "whitespace", body: " \n\t ", err: &wantErr{"", "body is empty"}},
	{name: "null", body: "null", err: &wantErr{"", "body is a JSON null, not an object"}},
	{name: "array", body: "[]", err: &wantErr{"", "body is a JSON array, not an object"}},
	{name: "array of notifications", body: `[{"s3Bucket":"b","s3ObjectKey":["k"]}]`, err: &wantErr{"", "body is a JSON array, not an object"}},
	{name: "string", body: `"hello"`, err: &wantErr{"", "body is a JSON string, not an object"}},
	{name: "number", body: `42`, err: &wantErr{"", "body is a JSON number, not an object"}},
	{name: "empty object", body: "{}", err: &wantErr{"", "JSON object with no keys matches no known notification"}},
	{name: "unknown object", body: `{"a":1,"b":[1,2],"c":{"d":null},"e":"","f":true,"g\n":0}`,
		err: &wantErr{"", `JSON object with keys "a", "b", "c", "e", "f" and 1 more matches no known notification`}},
	{name: "all known fields null", body: `{"s3Bucket":null,"Records":null,"Event":null,"source":null,"detail":null,"Message":null}`,
		err: &wantErr{"", "matches no known notification"}},
	{name: "plain text", body: "hello world\nsecond line\nthird", err: &wantErr{"", `body is not JSON (starts with "hello world\nsecond l…")`}},
	{name: "truncated JSON", body: `{"s3Bucket":"b","s3ObjectKey":["AWSLogs/1`, err: &wantErr{"", "body is not valid JSON: unexpected end of JSON input"}},
	{name: "trailing garbage", body: `{"s3Bucket":"b","s3ObjectKey":["k"]} x`, err: &wantErr{"", "body is not valid JSON: invalid character 'x' after top-level value"}},
	{name: "binary", body: "\x1f\x8b\x08\x00\x00\x00", err: &wantErr{"", `body is not JSON (starts with "\x1f\x8b\x08\x00\x00\x00")`}},
	{name: "XML", body: `<?xml version="1.0"?><Notification/>`, err: &wantErr{"", "body is not JSON"}},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			check(t, []byte(c.body), c.want, c.err)
		})
	}
}

// TestParseViaSNS runs every case above again inside an SNS envelope.
func TestParseViaSNS(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			body := snsWrap(t, []byte(c.body), "6b1c3f0e-0000-4000-8000-000000000001", len(c.name)%2 == 0)
			want, wantE := c.want, c.err
			want.ViaSNS = true
			if wantE == nil {
				want.SNSMessageID = "6b1c3f0e-0000-4000-8000-000000000001"
			} else {
				e := *wantE
				e.reason = strings.Replace(e.reason, "body is", "SNS Message is", 1)
				if !utf8.ValidString(c.body) {
					// json.Marshal replaced the invalid bytes with U+FFFD.
					e.reason = "SNS Message is not JSON"
				}
				if strings.HasPrefix(c.name, "sns ") {
					// An envelope-like Message inside an envelope.
					e.reason = ""
				}
				wantE = &e
			}
			check(t, body, want, wantE)
		})
	}
}

// TestParseEventBridgeStratusRecords delivers real CloudTrail records (Stratus
// Red Team detonation logs, pretty-printed as upstream stores them) through
// EventBridge, raw and SNS-wrapped: the record bytes must come back identical.
func TestParseEventBridgeStratusRecords(t *testing.T) {
	files := []string{
		"testdata/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json",
		"testdata/stratus-red-team/aws.persistence.sts-federation-token.json",
	}
	n := 0
	for _, f := range files {
		for i, rec := range stratusRecords(t, f) {
			for _, wrapped := range []bool{false, true} {
				body := eventBridge("aws.cloudtrail", "AWS API Call via CloudTrail", rec)
				if wrapped {
					body = snsWrap(t, body, "id", true)
				}
				m, err := Parse(body)
				if err != nil {
					t.Fatalf("%s record %d (sns %v): %v", f, i, wrapped, err)
				}
				if m.Format != FormatEventBridgeRecord || len(m.Records) != 1 || len(m.Objects) != 0 || m.ViaSNS != wrapped {
					t.Fatalf("%s record %d: got %s", f, i, show(m))
				}
				if !bytes.Equal(m.Records[0], rec) {
					t.Fatalf("%s record %d: detail bytes changed:\n%s\nwant\n%s", f, i, m.Records[0], rec)
				}
				n++
			}
		}
	}
	if n != 6 {
		t.Fatalf("checked %d records, want 6 (3 records × raw/SNS)", n)
	}
}

// TestParseDoesNotAlias checks that a Message does not share memory with the
// body (the caller reuses receive buffers).
func TestParseDoesNotAlias(t *testing.T) {
	detail := []byte(`{"eventVersion":"1.08","eventID":"e"}`)
	body := eventBridge("aws.iam", "AWS API Call via CloudTrail", detail)
	m, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = 'X'
	}
	if !bytes.Equal(m.Records[0], detail) {
		t.Fatalf("record changed with the body: %s", m.Records[0])
	}
}

func TestIsTest(t *testing.T) {
	for _, f := range []Format{FormatCloudTrail, FormatS3Event, FormatEventBridgeObject, FormatEventBridgeRecord, FormatS3TestEvent, FormatValidation, ""} {
		want := f == FormatS3TestEvent || f == FormatValidation
		if got := (Message{Format: f}).IsTest(); got != want {
			t.Errorf("Message{Format: %q}.IsTest() = %v, want %v", f, got, want)
		}
	}
}

// TestParseLargeBodies checks the 256 KiB bodies SQS allows: a notification
// with thousands of keys, and errors that stay short whatever the body.
func TestParseLargeBodies(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"s3Bucket":"b","s3ObjectKey":[`)
	const n = 2000
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/f%d.json.gz"`, i%(n/2)) // every key twice
	}
	b.WriteString(`]}`)
	m, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Objects) != n/2 || m.Objects[0].Key != "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/25/f0.json.gz" {
		t.Fatalf("got %d objects, first %+v", len(m.Objects), m.Objects[0])
	}

	long := strings.Repeat("\u202e\n", 100_000)
	for _, body := range []string{
		long,
		`{"` + long + `":1}`,
		`{"Records":[{"eventSource":"` + long + `"}]}`,
		`{"s3Bucket":"b","s3ObjectKey":["` + strings.Repeat("x", 1<<18) + `%"],"messageType":"` + long + `"}`,
		`{"source":"aws.` + long + `","detail":{}}`,
		string(eventBridge("aws.ec2", long, []byte(`{"bucket":"b","object":{}}`))),
	} {
		_, err := Parse([]byte(body))
		if err == nil {
			t.Errorf("Parse(%.40q…) succeeded", body)
			continue
		}
		if len(err.Error()) > 300 || strings.ContainsAny(err.Error(), "\n\u202e") {
			t.Errorf("error %q (%d bytes): want one short escaped line", err, len(err.Error()))
		}
	}
}

func TestParseNestedSNS(t *testing.T) {
	inner := snsWrap(t, []byte(`{"s3Bucket":"b","s3ObjectKey":["k"]}`), "inner", false)
	check(t, snsWrap(t, inner, "outer", true), Message{ViaSNS: true}, &wantErr{"", "SNS envelope inside an SNS envelope"})
}
