package message

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// sampleCase is one real message body in testdata/ with what Parse must
// make of it.
type sampleCase struct {
	file string
	// lambda: the file is a Lambda-style SQS batch; the case is about the
	// body of its first record (the file itself is tested as an error below).
	lambda bool
	want   Message
	err    *wantErr
}

const (
	docsKey1 = "AWSLogs/123456789012/CloudTrail/us-east-2/2016/08/11/123456789012_CloudTrail_us-east-2_20160811T2215Z_kpaMYavMQA9Ahp7L.json.gz"
	docsKey2 = "AWSLogs/123456789012/CloudTrail/us-east-2/2016/08/11/123456789012_CloudTrail_us-east-2_20160811T2210Z_zqDkyQv3TK8ZdLr0.json.gz"
	docsKey3 = "AWSLogs/123456789012/CloudTrail/us-east-2/2016/08/11/123456789012_CloudTrail_us-east-2_20160811T2205Z_jaMVRa6JfdLCJYHP.json.gz"
	motoKey1 = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/123456789012_CloudTrail_us-east-1_20261125T1915Z_Mu0KsOhtH1ar15ZZ.json.gz"
	motoKey2 = "my prefix/a+b %41/AWSLogs/o-abc1234567/123456789012/CloudTrail/eu-west-1/2026/11/25/123456789012_CloudTrail_eu-west-1_20261125T1920Z_ünïcødé+x.json.gz"
)

var sampleCases = []sampleCase{
	// AWS documentation examples (testdata/aws-docs).
	{file: "aws-docs/cloudtrail-sns-message-single.json", want: Message{Format: FormatCloudTrail, Objects: []Object{
		{Bucket: "your-bucket-name", Key: "AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/123456789012_CloudTrail_us-west-2_20131213T1920Z_LnPgDQnpkSKEsppV.json.gz", Size: -1},
	}}},
	{file: "aws-docs/cloudtrail-sns-message-multi.json", want: Message{Format: FormatCloudTrail, Objects: []Object{
		{Bucket: "your-bucket-name", Key: docsKey1, Size: -1},
		{Bucket: "your-bucket-name", Key: docsKey2, Size: -1},
		{Bucket: "your-bucket-name", Key: docsKey3, Size: -1},
	}}},
	{file: "aws-docs/s3-event-objectcreated-put.json", want: Message{Format: FormatS3Event, Objects: []Object{
		{Bucket: "mybucket", Key: "HappyFace.jpg", Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e",
			VersionID: "096fKKXTRTtl3on89fVO.nfljtsv6qko", Sequencer: "0055AED6DCD90281E5"},
	}}},
	{file: "aws-docs/s3-test-event.json", want: Message{Format: FormatS3TestEvent}},
	{file: "aws-docs/eventbridge-object-created.json", want: Message{Format: FormatEventBridgeObject, Objects: []Object{
		{Bucket: "DOC-EXAMPLE-BUCKET1", Key: "example-key", Size: 5, ETag: "b1946ac92492d2347c6235b4d2611184",
			VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", Sequencer: "617f08299329d189"},
	}}},
	// The SNS documentation's envelope: a valid envelope around a Message
	// that is neither JSON nor the validation text.
	{file: "aws-docs/sns-envelope-raw-delivery-disabled.json", want: Message{ViaSNS: true},
		err: &wantErr{reason: `SNS Message is not JSON (starts with "This is a test message.")`}},
	// Real messages from public issues: the key's "OurData" folder is the
	// poster's redaction of "CloudTrail"; Parse passes keys through.
	{file: "aws-docs/sns-wrapped-cloudtrail-notification.issue75.json", want: Message{
		Format: FormatCloudTrail, ViaSNS: true, SNSMessageID: "60f54901-ec39-5276-1111-12922b37c1f0",
		Objects: []Object{{Bucket: "<bucket_name>", Size: -1,
			Key: "AWSLogs/123456789012/OurData/eu-west-1/2022/09/08/123456789012_OurData_eu-west-1_20220908T1030Z_3QtNPaSXCXLrHaxo.json.gz"}},
	}},
	{file: "aws-docs/sns-wrapped-s3-testevent.issue45.json", want: Message{
		Format: FormatS3TestEvent, ViaSNS: true, SNSMessageID: "450ec42d-4b69-506a-86ae-9cc2e72da847"}},

	// DataDog forwarder fixtures: Lambda SQS batches and a CloudWatch Logs
	// payload. As whole files they are not SQS bodies; their record bodies are.
	{file: "datadog-forwarder/sqs_s3.json", err: &wantErr{reason: `Records[0].eventSource is "aws:sqs", not "aws:s3"`}},
	{file: "datadog-forwarder/sqs_s3.json", lambda: true, want: Message{Format: FormatS3Event, Objects: []Object{
		{Bucket: "my-bucket", Key: "my-key.log", Size: 1234}}}},
	{file: "datadog-forwarder/sqs_sns_s3.json", err: &wantErr{reason: `Records[0].eventSource is "aws:sqs", not "aws:s3"`}},
	{file: "datadog-forwarder/sqs_sns_s3.json", lambda: true, want: Message{
		Format: FormatS3Event, ViaSNS: true, SNSMessageID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
		Objects: []Object{{Bucket: "my-bucket", Key: "my-key.log", Size: 1234}}}},
	{file: "datadog-forwarder/cloudwatch_log_cloudtrail.json", err: &wantErr{reason: `messageType "DATA_MESSAGE"`}},

	// Bodies moto 5.2.1 delivered (testdata/moto/README.md): keys encoded with
	// quote_plus, eventTime without a zone, no sequencer, no Subject.
	{file: "moto/s3-test-event.json", want: Message{Format: FormatS3TestEvent}},
	{file: "moto/s3-event-put.json", want: Message{Format: FormatS3Event, Objects: []Object{
		{Bucket: "trail-bucket", Key: motoKey1, Size: 10, ETag: "336311a016184326ddbdd61edd4eeb52"}}}},
	{file: "moto/s3-event-put-escaped-key.json", want: Message{Format: FormatS3Event, Objects: []Object{
		{Bucket: "trail-bucket", Key: motoKey2, Size: 20, ETag: "abc161961f913fc9f32975a02320f6f9"}}}},
	{file: "moto/s3-event-delete.json", want: Message{Format: FormatS3Event, Skipped: 1}},
	{file: "moto/sns-s3-test-event.json", want: Message{Format: FormatS3TestEvent, ViaSNS: true,
		SNSMessageID: "5a840904-833f-4fb3-b9c5-22b28925a6f2"}},
	{file: "moto/sns-s3-event-put.json", want: Message{Format: FormatS3Event, ViaSNS: true,
		SNSMessageID: "ed9c2a6a-3e09-4bad-a1a6-c75fcade2bd0", Objects: []Object{
			{Bucket: "trail-bucket", Key: motoKey1, Size: 10, ETag: "336311a016184326ddbdd61edd4eeb52"}}}},
	{file: "moto/sns-s3-event-put-escaped-key.json", want: Message{Format: FormatS3Event, ViaSNS: true,
		SNSMessageID: "b5befd34-fd23-4e97-b8ff-ae83a25b3303", Objects: []Object{
			{Bucket: "trail-bucket", Key: motoKey2, Size: 20, ETag: "abc161961f913fc9f32975a02320f6f9"}}}},
}

func (c sampleCase) name() string {
	if c.lambda {
		return c.file + "/Records[0].body"
	}
	return c.file
}

func (c sampleCase) body(t testing.TB) []byte {
	b := readFile(t, "testdata/"+c.file)
	if c.lambda {
		b = lambdaBody(t, b, 0)
	}
	return b
}

func TestParseSamples(t *testing.T) {
	for _, c := range sampleCases {
		t.Run(c.name(), func(t *testing.T) {
			check(t, c.body(t), c.want, c.err)
		})
	}
}

// TestSamplesAllCovered keeps the table above in step with the sample
// folders: a sample added without an expectation fails here.
func TestSamplesAllCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range sampleCases {
		covered[c.file] = true
	}
	for _, dir := range []string{"aws-docs", "datadog-forwarder", "moto"} {
		err := filepath.WalkDir(filepath.Join("testdata", dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			rel := filepath.ToSlash(strings.TrimPrefix(path, "testdata"+string(filepath.Separator)))
			if !covered[rel] {
				t.Errorf("sample %s has no case in sampleCases", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestParseSamplesViaSNS wraps every raw sample in an SNS envelope: the
// result must be the same, marked ViaSNS with the envelope's MessageId.
func TestParseSamplesViaSNS(t *testing.T) {
	for _, c := range sampleCases {
		if c.want.ViaSNS {
			continue // already an envelope
		}
		t.Run(c.name(), func(t *testing.T) {
			for _, extras := range []bool{false, true} {
				want := c.want
				want.ViaSNS = true
				if c.err == nil {
					want.SNSMessageID = "11111111-2222-3333-4444-555555555555"
				}
				check(t, snsWrap(t, c.body(t), "11111111-2222-3333-4444-555555555555", extras), want, c.err)
			}
		})
	}
}
