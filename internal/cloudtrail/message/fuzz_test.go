package message

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// FuzzParse checks what the caller relies on whatever SQS delivers: no
// panic; an error is a short *UnknownError and comes with an empty Message;
// a Message has a format, and every object a bucket and key, once.
func FuzzParse(f *testing.F) {
	for _, c := range sampleCases {
		f.Add(c.body(f))
	}
	for _, c := range parseCases {
		f.Add([]byte(c.body))
	}
	for _, rec := range stratusRecords(f, "testdata/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json") {
		f.Add(eventBridge("aws.cloudtrail", "AWS API Call via CloudTrail", rec))
	}
	f.Add(snsWrap(f, []byte(s3Event(created("a+b%2Fc"), s3Rec("2.1", "ObjectRemoved:Delete", `"key":"x"`))), "id", true))
	f.Add(snsWrap(f, []byte(validationText), "id", false))

	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		m, err := Parse(body)
		if !bytes.Equal(body, orig) {
			t.Fatal("Parse modified its input")
		}
		if err != nil {
			if _, ok := errors.AsType[*UnknownError](err); !ok {
				t.Fatalf("error %T is not *UnknownError: %v", err, err)
			}
			if s := err.Error(); len(s) > 300 || strings.ContainsAny(s, "\n\r") {
				t.Fatalf("error text of %d bytes or on several lines: %q", len(s), s)
			}
			if m.Format != "" || m.Objects != nil || m.Records != nil || m.Skipped != 0 {
				t.Fatalf("error %v with a non-empty Message %+v", err, m)
			}
			return
		}
		if m.Format == "" {
			t.Fatal("no error and no Format")
		}
		if !m.ViaSNS && m.SNSMessageID != "" {
			t.Fatalf("SNSMessageID %q without ViaSNS", m.SNSMessageID)
		}
		seen := map[objectID]bool{}
		for _, o := range m.Objects {
			if o.Bucket == "" || o.Key == "" {
				t.Fatalf("object with empty bucket or key: %+v", o)
			}
			if o.Size < -1 {
				t.Fatalf("object size %d", o.Size)
			}
			id := objectID{o.Bucket, o.Key, o.VersionID}
			if seen[id] {
				t.Fatalf("object listed twice: %+v", o)
			}
			seen[id] = true
			if o.AltKey != "" && (m.Format != FormatEventBridgeObject || o.AltKey == o.Key) {
				t.Fatalf("AltKey %q on a %s object %+v", o.AltKey, m.Format, o)
			}
		}
		switch m.Format {
		case FormatEventBridgeRecord:
			// Raw, the record is a slice of the body, byte for byte.
			if len(m.Records) != 1 || len(m.Objects) != 0 || (!m.ViaSNS && !bytes.Contains(body, m.Records[0])) {
				t.Fatalf("record message %s", show(m))
			}
		case FormatS3TestEvent, FormatValidation:
			if !m.IsTest() || m.Objects != nil || m.Records != nil || m.Skipped != 0 {
				t.Fatalf("test message %s", show(m))
			}
		case FormatCloudTrail:
			if len(m.Objects) == 0 || m.Skipped != 0 || m.Records != nil {
				t.Fatalf("cloudtrail message %s", show(m))
			}
		case FormatS3Event, FormatEventBridgeObject:
			if len(m.Objects)+m.Skipped == 0 || m.Records != nil {
				t.Fatalf("%s message %s", m.Format, show(m))
			}
		default:
			t.Fatalf("unknown Format %q", m.Format)
		}
	})
}

// FuzzClassifyKey checks that a classified key says what its path says, and
// that Other carries nothing else.
func FuzzClassifyKey(f *testing.F) {
	for _, k := range []string{
		"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
		"p/q/AWSLogs/o-abc1234567/123456789012/CloudTrail-Digest/us-east-1/2024/02/29/x_backfill.json.gz",
		"AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2026/11/25/x.json",
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/",
		"AWSLogs/123456789012/Config/us-east-1/2026/11/25/ConfigSnapshot/x.json.gz",
		"", "/", "AWSLogs/",
	} {
		f.Add(k)
	}
	account := regexp.MustCompile(`^\d{12}$`)
	f.Fuzz(func(t *testing.T, key string) {
		k := ClassifyKey(key)
		if k.Kind == Other {
			if k != (Key{}) {
				t.Fatalf("Other with fields: %+v", k)
			}
			return
		}
		if k.Kind != LogFile && k.Kind != Digest && k.Kind != Insight {
			t.Fatalf("kind %v", k.Kind)
		}
		if !account.MatchString(k.AccountID) || k.Region == "" || k.Month < 1 || k.Month > 12 || k.Day < 1 || k.Day > 31 {
			t.Fatalf("bad fields %+v", k)
		}
		if k.Backfill && k.Kind != Digest {
			t.Fatalf("Backfill on %v", k.Kind)
		}
		dir := keyString(k)
		if k.Prefix == "" && strings.HasPrefix(key, "/") {
			dir = "/" + dir // an empty prefix before the slash
		}
		file, ok := strings.CutPrefix(key, dir)
		if !ok || file == "" || strings.Contains(file, "/") {
			t.Fatalf("key %q is not %q + file", key, dir)
		}
		if !strings.HasSuffix(file, ".json.gz") && !strings.HasSuffix(file, ".json") {
			t.Fatalf("file %q", file)
		}
	})
}
