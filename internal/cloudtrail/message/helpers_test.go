package message

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// snsWrap returns body as the Message of an SNS notification envelope, the
// way SNS delivers to SQS with raw message delivery off. withExtras adds the
// optional Subject and MessageAttributes.
func snsWrap(t testing.TB, body []byte, id string, withExtras bool) []byte {
	t.Helper()
	type attr struct {
		Type  string `json:"Type"`
		Value string `json:"Value"`
	}
	env := struct {
		Type              string          `json:"Type"`
		MessageID         string          `json:"MessageId"`
		TopicArn          string          `json:"TopicArn"`
		Subject           string          `json:"Subject,omitempty"`
		Message           string          `json:"Message"`
		Timestamp         string          `json:"Timestamp"`
		SignatureVersion  string          `json:"SignatureVersion"`
		Signature         string          `json:"Signature"`
		SigningCertURL    string          `json:"SigningCertURL"`
		UnsubscribeURL    string          `json:"UnsubscribeURL"`
		MessageAttributes map[string]attr `json:"MessageAttributes,omitempty"`
	}{
		Type:             "Notification",
		MessageID:        id,
		TopicArn:         "arn:aws:sns:us-east-1:123456789012:trail-topic",
		Message:          string(body),
		Timestamp:        "2026-11-25T19:15:03.881Z",
		SignatureVersion: "1",
		Signature:        "c2lnbmF0dXJl",
		SigningCertURL:   "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
		UnsubscribeURL:   "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
	}
	if withExtras {
		env.Subject = "Amazon S3 Notification"
		env.MessageAttributes = map[string]attr{"kind": {Type: "String", Value: "test"}}
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventBridge returns an EventBridge event around a raw detail, spliced in
// as bytes so that the test can check they come back unchanged.
func eventBridge(source, detailType string, detail []byte) []byte {
	head := `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",`
	if detailType != "" {
		head += `"detail-type":` + jsonString(detailType) + `,`
	}
	head += `"source":` + jsonString(source) + `,"account":"111122223333","time":"2026-11-25T19:15:03Z",` +
		`"region":"us-east-1","resources":[],"detail":`
	return append(append([]byte(head), detail...), '}')
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lambdaBody returns Records[i].body of a Lambda-style SQS event batch: the
// SQS message body itself.
func lambdaBody(t testing.TB, batch []byte, i int) []byte {
	t.Helper()
	var ev struct {
		Records []struct {
			Body string `json:"body"`
		}
	}
	if err := json.Unmarshal(batch, &ev); err != nil || len(ev.Records) <= i {
		t.Fatalf("not a Lambda SQS batch with %d records: %v", i+1, err)
	}
	return []byte(ev.Records[i].Body)
}

// stratusRecords returns the raw bytes of every record of a Stratus Red Team
// detonation log (a bare JSON array of CloudTrail records).
func stratusRecords(t testing.TB, path string) []json.RawMessage {
	t.Helper()
	var recs []json.RawMessage
	if err := json.Unmarshal(readFile(t, path), &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// wantErr describes an expected *UnknownError.
type wantErr struct {
	format Format
	reason string // substring of Reason
}

// check runs Parse on body and compares with want or wantE.
func check(t *testing.T, body []byte, want Message, wantE *wantErr) {
	t.Helper()
	got, err := Parse(body)
	if wantE != nil {
		if err == nil {
			t.Fatalf("Parse = %+v, want error containing %q", got, wantE.reason)
		}
		ue, ok := errors.AsType[*UnknownError](err)
		if !ok {
			t.Fatalf("error %T %v is not *UnknownError", err, err)
		}
		if ue.Format != wantE.format || ue.ViaSNS != want.ViaSNS || !strings.Contains(ue.Reason, wantE.reason) {
			t.Fatalf("error = %#v (%v)\nwant Format %q, ViaSNS %v, Reason containing %q", ue, err, wantE.format, want.ViaSNS, wantE.reason)
		}
		if len(err.Error()) > 300 {
			t.Fatalf("error text is %d bytes: %s", len(err.Error()), err)
		}
		if !reflect.DeepEqual(got, Message{}) {
			t.Fatalf("Parse returned %+v with its error", got)
		}
		return
	}
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse =\n%s\nwant\n%s", show(got), show(want))
	}
}

func show(m Message) string {
	recs := make([]string, len(m.Records))
	for i, r := range m.Records {
		recs[i] = string(r)
	}
	c := m
	c.Records = nil
	b, _ := json.MarshalIndent(struct {
		Message
		Records []string
	}{c, recs}, "", "  ")
	return string(b)
}
