package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// validationText is the whole body (raw delivery) or SNS Message CloudTrail
// publishes to test a trail's topic. It is not JSON.
const validationText = "CloudTrail validation message."

// fields is the union of the top-level fields of every accepted format.
// Every value is kept raw: a field of an unexpected type is then a reason to
// name in the error, not a failure to decode the whole body, and only the
// fields of the format found are decoded further.
type fields struct {
	// SNS envelope.
	Type      json.RawMessage `json:"Type"`
	TopicArn  json.RawMessage `json:"TopicArn"`
	MessageID json.RawMessage `json:"MessageId"`
	Message   json.RawMessage `json:"Message"`
	// CloudTrail notification.
	S3Bucket    json.RawMessage `json:"s3Bucket"`
	S3ObjectKey json.RawMessage `json:"s3ObjectKey"`
	// AWS Config and CloudWatch Logs payloads: recognised only to say so.
	MessageType json.RawMessage `json:"messageType"`
	// S3 event notification.
	Records json.RawMessage `json:"Records"`
	// s3:TestEvent.
	Event json.RawMessage `json:"Event"`
	// EventBridge.
	Source     json.RawMessage `json:"source"`
	DetailType json.RawMessage `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// Parse classifies one SQS message body, raw or inside an SNS envelope. Every
// error it returns is an *UnknownError. Parse does no I/O and keeps no
// reference to body.
func Parse(body []byte) (Message, error) {
	var p parser
	err := p.parse(body)
	if err != nil {
		return Message{}, err
	}
	return p.m, nil
}

type parser struct {
	m      Message
	format Format // the format being decoded, for errors
	seen   map[objectID]int
}

func (p *parser) fail(format string, args ...any) error {
	r := fmt.Sprintf(format, args...)
	if len(r) > maxReasonLen {
		r = Excerpt([]byte(r), maxReasonLen)
	}
	return &UnknownError{Format: p.format, ViaSNS: p.m.ViaSNS, Reason: r}
}

func (p *parser) parse(body []byte) error {
	body = bytes.TrimSpace(body)
	if string(body) == validationText {
		p.m.Format = FormatValidation
		return nil
	}
	var f fields
	if err := p.decodeObject(body, &f, "body"); err != nil {
		return err
	}
	obj := body
	if msg, ok := snsMessage(&f); ok {
		p.m.ViaSNS = true
		p.m.SNSMessageID, _ = str(f.MessageID)
		inner := bytes.TrimSpace([]byte(msg))
		if string(inner) == validationText {
			p.m.Format = FormatValidation
			return nil
		}
		f = fields{}
		if err := p.decodeObject(inner, &f, "SNS Message"); err != nil {
			return err
		}
		obj = inner
		if _, ok := snsMessage(&f); ok {
			// SNS→SQS wraps once. Twice means something re-published a
			// delivered envelope; that is not an AWS delivery path.
			return p.fail("SNS envelope inside an SNS envelope")
		}
	}
	return p.classify(&f, obj)
}

// decodeObject decodes b, which must be one JSON object, into f. what names b
// in errors.
func (p *parser) decodeObject(b []byte, f *fields, what string) error {
	if len(b) == 0 {
		return p.fail("%s is empty", what)
	}
	if b[0] != '{' {
		if json.Valid(b) {
			return p.fail("%s is a JSON %s, not an object", what, kind(b))
		}
		return p.fail("%s is not JSON (starts with %s)", what, quote(b, 24))
	}
	if err := json.Unmarshal(b, f); err != nil {
		return p.fail("%s is not valid JSON: %s", what, jsonError(err, ""))
	}
	return nil
}

// snsMessage returns the Message of an SNS notification envelope. The three
// fields together are what SNS always sets (Subject and MessageAttributes are
// optional); requiring them all keeps a payload that merely has a "Message"
// from being unwrapped.
func snsMessage(f *fields) (string, bool) {
	typ, ok := str(f.Type)
	if !ok || typ != "Notification" {
		return "", false
	}
	if arn, ok := str(f.TopicArn); !ok || arn == "" {
		return "", false
	}
	return str(f.Message)
}

// classify dispatches on the fields f of a (possibly unwrapped) notification
// obj, in the order of the reference classifier.
func (p *parser) classify(f *fields, obj []byte) error {
	switch {
	case present(f.MessageType):
		// AWS Config delivery notifications also carry s3Bucket/s3ObjectKey
		// (a string); name them rather than call them a broken CloudTrail one.
		t, _ := str(f.MessageType)
		return p.fail("payload with messageType %s (AWS Config or CloudWatch Logs), not a CloudTrail or S3 notification", quote([]byte(t), 48))
	case present(f.S3Bucket) || present(f.S3ObjectKey):
		p.format = FormatCloudTrail
		return p.cloudTrail(f)
	case present(f.Records):
		return p.s3Event(f.Records)
	case present(f.Event):
		ev, _ := str(f.Event)
		if ev != "s3:TestEvent" {
			return p.fail("Event is %s, not \"s3:TestEvent\"", quoteRaw(f.Event, 40))
		}
		p.m.Format = FormatS3TestEvent
		return nil
	case present(f.Source) || present(f.Detail):
		return p.eventBridge(f)
	}
	if typ, ok := str(f.Type); ok && (present(f.TopicArn) || present(f.Message)) {
		switch typ {
		case "SubscriptionConfirmation", "UnsubscribeConfirmation":
			return p.fail("SNS %s: confirm or remove the subscription (SubscribeURL); nothing to ingest", typ)
		}
		return p.fail("SNS-like message of Type %s lacks a TopicArn or a string Message", quote([]byte(typ), 40))
	}
	return p.fail("JSON object with %s matches no known notification", topKeys(obj))
}

// cloudTrail reads CloudTrail's own notification. Its keys are not
// url-encoded and it carries neither size nor ETag.
func (p *parser) cloudTrail(f *fields) error {
	bucket, ok := str(f.S3Bucket)
	switch {
	case !present(f.S3Bucket):
		return p.fail("s3Bucket is missing")
	case !ok:
		return p.fail("s3Bucket is a JSON %s, not a string", kind(f.S3Bucket))
	case bucket == "":
		return p.fail("s3Bucket is empty")
	case !present(f.S3ObjectKey):
		return p.fail("s3ObjectKey is missing")
	case f.S3ObjectKey[0] != '[':
		// AWS Config sends one key as a string; CloudTrail always an array.
		return p.fail("s3ObjectKey is a JSON %s, not an array of strings", kind(f.S3ObjectKey))
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(f.S3ObjectKey, &keys); err != nil {
		return p.fail("%s", jsonError(err, "s3ObjectKey"))
	}
	if len(keys) == 0 {
		return p.fail("s3ObjectKey is an empty array")
	}
	p.m.Format = FormatCloudTrail
	for i, raw := range keys {
		key, ok := str(raw)
		if !ok {
			return p.fail("s3ObjectKey[%d] is a JSON %s, not a string", i, kind(raw))
		}
		if key == "" {
			return p.fail("s3ObjectKey[%d] is empty", i)
		}
		p.add(Object{Bucket: bucket, Key: key, Size: -1})
	}
	return nil
}

// s3Record is the part of an S3 event notification record the input uses.
type s3Record struct {
	EventVersion string `json:"eventVersion"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	S3           struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Size      *int64 `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
			Sequencer string `json:"sequencer"`
		} `json:"object"`
	} `json:"s3"`
}

// s3Event reads an S3 event notification (eventVersion 2.x).
func (p *parser) s3Event(raw json.RawMessage) error {
	if raw[0] != '[' {
		return p.fail("Records is a JSON %s, not an array", kind(raw))
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil {
		return p.fail("%s", jsonError(err, "Records"))
	}
	if len(recs) == 0 {
		return p.fail("Records is an empty array")
	}
	for i, r := range recs {
		if len(r) == 0 || r[0] != '{' {
			return p.fail("Records[%d] is a JSON %s, not an object", i, kind(r))
		}
		var rec s3Record
		// r is valid JSON, so err can only be a field of the wrong type; the
		// other fields are still decoded, and eventSource says whose it is.
		err := json.Unmarshal(r, &rec)
		if rec.EventSource == "aws:s3" {
			p.format = FormatS3Event
		}
		if err != nil {
			return p.fail("%s", jsonError(err, fmt.Sprintf("Records[%d]", i)))
		}
		if rec.EventSource == "" {
			return p.fail("Records[%d] has no eventSource", i)
		}
		if rec.EventSource != "aws:s3" {
			// Other services use the same Records[] shape (a Lambda SQS batch,
			// SES, DynamoDB streams): only S3's records name objects.
			return p.fail("Records[%d].eventSource is %s, not \"aws:s3\"", i, quote([]byte(rec.EventSource), 40))
		}
		if major, _, _ := strings.Cut(rec.EventVersion, "."); major != "2" {
			// A new major version may move or re-encode fields; refuse it
			// rather than guess (Vector does the same).
			return p.fail("Records[%d].eventVersion is %s, want 2.x", i, quote([]byte(rec.EventVersion), 20))
		}
		if rec.EventName == "" {
			return p.fail("Records[%d].eventName is missing or empty", i)
		}
		if !strings.HasPrefix(rec.EventName, "ObjectCreated:") {
			// ObjectRemoved:*, ObjectRestore:*, lifecycle, replication,
			// tagging, ACL: the bucket may be configured for them, they name
			// no new data.
			p.m.Skipped++
			continue
		}
		o := &rec.S3.Object
		if rec.S3.Bucket.Name == "" {
			return p.fail("Records[%d].s3.bucket.name is missing or empty", i)
		}
		if o.Key == "" {
			return p.fail("Records[%d].s3.object.key is missing or empty", i)
		}
		// S3 form-url-encodes the key ("red flower.jpg" arrives as
		// "red+flower.jpg", a literal "+" as "%2B"); moto also encodes "/".
		key, err := url.QueryUnescape(o.Key)
		if err != nil {
			return p.fail("Records[%d].s3.object.key %s is not form-url-encoded", i, quote([]byte(o.Key), 40))
		}
		p.add(Object{
			Bucket:    rec.S3.Bucket.Name,
			Key:       key,
			Size:      size(o.Size),
			ETag:      o.ETag,
			VersionID: o.VersionID,
			Sequencer: o.Sequencer,
		})
	}
	p.m.Format = FormatS3Event
	return nil
}

// ebDetail is what tells the two EventBridge shapes apart: a CloudTrail
// record has eventVersion and eventID, an S3 object event has bucket and
// object. The latter two stay raw so that a CloudTrail record whose fields
// happen to have those names is not a decoding error.
type ebDetail struct {
	EventVersion json.RawMessage `json:"eventVersion"`
	EventID      json.RawMessage `json:"eventID"`
	Bucket       json.RawMessage `json:"bucket"`
	Object       json.RawMessage `json:"object"`
}

type ebBucket struct {
	Name string `json:"name"`
}

type ebObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size"`
	ETag      string `json:"etag"`
	VersionID string `json:"version-id"`
	Sequencer string `json:"sequencer"`
}

// eventBridge reads an EventBridge event: either an S3 object event
// (detail-type "Object Created", or none at all in Security Lake's subscriber
// queue) or a CloudTrail record EventBridge delivered itself.
func (p *parser) eventBridge(f *fields) error {
	source, ok := str(f.Source)
	if !ok || !strings.HasPrefix(source, "aws.") {
		return p.fail("EventBridge-like event with source %s, not an AWS service", quoteRaw(f.Source, 40))
	}
	if !present(f.Detail) {
		return p.fail("EventBridge event from %s without detail", quote([]byte(source), 40))
	}
	if f.Detail[0] != '{' {
		return p.fail("EventBridge event from %s: detail is a JSON %s, not an object", quote([]byte(source), 40), kind(f.Detail))
	}
	var d ebDetail
	if err := json.Unmarshal(f.Detail, &d); err != nil {
		return p.fail("%s", jsonError(err, "detail"))
	}
	detailType, hasType := str(f.DetailType)
	v, _ := str(d.EventVersion)
	id, _ := str(d.EventID)
	if v != "" && id != "" {
		// "AWS API Call via CloudTrail", "AWS Console Sign In via
		// CloudTrail", "AWS Service Event via CloudTrail", "AWS Insight via
		// CloudTrail", ...: the record itself, with no file behind it. Its
		// bytes are forwarded untouched, like records read from files.
		p.m.Format = FormatEventBridgeRecord
		p.m.Records = [][]byte{f.Detail}
		return nil
	}
	if source != "aws.s3" || !present(d.Bucket) || !present(d.Object) {
		return p.fail("EventBridge event (source %s, detail-type %s) is neither an S3 object event nor a CloudTrail record",
			quote([]byte(source), 40), quoteRaw(f.DetailType, 40))
	}
	p.format = FormatEventBridgeObject
	if hasType && detailType != "Object Created" {
		// "Object Deleted", "Object Restore Completed", "Object Tags Added",
		// ...: like ObjectRemoved:* in an S3 event, counted, not ingested.
		p.m.Format = FormatEventBridgeObject
		p.m.Skipped++
		return nil
	}
	var b ebBucket
	var o ebObject
	if err := json.Unmarshal(d.Bucket, &b); err != nil {
		return p.fail("%s", jsonError(err, "detail.bucket"))
	}
	if err := json.Unmarshal(d.Object, &o); err != nil {
		return p.fail("%s", jsonError(err, "detail.object"))
	}
	if b.Name == "" {
		return p.fail("detail.bucket.name is missing or empty")
	}
	if o.Key == "" {
		return p.fail("detail.object.key is missing or empty")
	}
	obj := Object{
		Bucket:    b.Name,
		Key:       o.Key,
		Size:      size(o.Size),
		ETag:      o.ETag,
		VersionID: o.VersionID,
		Sequencer: o.Sequencer,
	}
	if alt, err := url.QueryUnescape(o.Key); err == nil && alt != o.Key && alt != "" {
		obj.AltKey = alt
	}
	p.m.Format = FormatEventBridgeObject
	p.add(obj)
	return nil
}

// objectID is what makes two announcements name the same object.
type objectID struct{ bucket, key, version string }

// add appends o unless the message already named the same object. S3
// delivers at least once and one message may repeat a key; an object is
// fetched once per message. When the repeat has a later sequencer (the same
// key overwritten in an unversioned bucket), its size and ETag replace the
// earlier ones, keeping the first position.
func (p *parser) add(o Object) {
	id := objectID{o.Bucket, o.Key, o.VersionID}
	if i, ok := p.seen[id]; ok {
		if sequencerLater(o.Sequencer, p.m.Objects[i].Sequencer) {
			p.m.Objects[i] = o
		}
		return
	}
	if p.seen == nil {
		p.seen = make(map[objectID]int)
	}
	p.seen[id] = len(p.m.Objects)
	p.m.Objects = append(p.m.Objects, o)
}

// sequencerLater reports whether S3 sequencer a is later than b. Sequencers
// are hexadecimal strings of varying length, compared after right-padding the
// shorter with zeros (S3 event notification documentation). An empty one is
// never later.
func sequencerLater(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if n := max(len(a), len(b)); len(a) < n {
		a += strings.Repeat("0", n-len(a))
	} else if len(b) < n {
		b += strings.Repeat("0", n-len(b))
	}
	return a > b
}

func size(n *int64) int64 {
	if n == nil || *n < 0 {
		return -1
	}
	return *n
}

// present reports whether a raw field was in the object with a non-null
// value (null is how many producers write "absent").
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// str returns raw as a Go string when it is a JSON string.
func str(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// kind names the JSON type of a valid JSON value.
func kind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// quote returns b as a short double-quoted, escaped fragment for an error.
func quote(b []byte, n int) string {
	return `"` + Excerpt(b, n) + `"`
}

// quoteRaw quotes a raw optional string field: its value when it is a
// string, its kind otherwise.
func quoteRaw(raw json.RawMessage, n int) string {
	if s, ok := str(raw); ok {
		return quote([]byte(s), n)
	}
	if len(raw) == 0 {
		return "missing"
	}
	return "a JSON " + kind(raw)
}

// jsonError rewords an encoding/json error for the value at path (a JSON
// path such as "Records[0]", "" for the whole body) without Go type names:
// the field and what it should have been.
func jsonError(err error, path string) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		s := fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
		if path != "" {
			s = path + ": " + s
		}
		return s
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := path
		switch {
		case te.Field != "" && path != "":
			field = path + "." + te.Field
		case te.Field != "":
			field = te.Field
		case path == "":
			field = "value"
		}
		return fmt.Sprintf("%s is a JSON %s, want %s", Excerpt([]byte(field), 60), te.Value, goKind(te.Type.Kind().String()))
	}
	return Excerpt([]byte(err.Error()), 80)
}

// goKind turns a Go kind into the JSON type a field wants.
func goKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int64", "int", "float64":
		return "a number"
	case "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	}
	return k
}

// topKeys lists the first few top-level keys of an unrecognised object, to
// help whoever set up the notification see what arrived. It runs on the error
// path only, so reading the object a second time does not matter.
func topKeys(b []byte) string {
	const show = 5
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "no keys"
	}
	var keys []string
	n := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		k, _ := t.(string)
		if n++; len(keys) < show {
			keys = append(keys, quote([]byte(k), 24))
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			break
		}
	}
	if n == 0 {
		return "no keys"
	}
	s := "keys " + strings.Join(keys, ", ")
	if n > len(keys) {
		s += fmt.Sprintf(" and %d more", n-len(keys))
	}
	return s
}
