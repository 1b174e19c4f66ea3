package message

import (
	"strings"
)

// Format names the kind of notification an SQS message body carried.
type Format string

// The formats Parse recognises. The string values are stable: they are meant
// for log lines and metrics.
const (
	// FormatCloudTrail is CloudTrail's own notification
	// {"s3Bucket": "...", "s3ObjectKey": ["...", ...]}.
	FormatCloudTrail Format = "cloudtrail"
	// FormatS3Event is an S3 event notification {"Records": [...]}.
	FormatS3Event Format = "s3-event"
	// FormatEventBridgeObject is an EventBridge S3 "Object Created" event
	// (or Security Lake's variant of it without detail-type).
	FormatEventBridgeObject Format = "eventbridge-object"
	// FormatEventBridgeRecord is a CloudTrail record delivered by EventBridge
	// itself ("AWS API Call via CloudTrail" and the like), not a file in S3.
	FormatEventBridgeRecord Format = "eventbridge-cloudtrail-record"
	// FormatS3TestEvent is the s3:TestEvent S3 sends when a notification
	// configuration is saved.
	FormatS3TestEvent Format = "s3-test-event"
	// FormatValidation is the plain-text "CloudTrail validation message."
	// CloudTrail publishes when a trail's SNS topic is set or changed.
	FormatValidation Format = "cloudtrail-validation"
)

// Message is what one SQS message body asks of the input.
type Message struct {
	Format Format
	// ViaSNS reports that the body was an SNS envelope (Type "Notification",
	// TopicArn and a string Message) and the notification was its Message.
	ViaSNS bool
	// SNSMessageID is the envelope's MessageId ("" unless ViaSNS). SNS keeps it
	// across its own retries, so it can serve as a deduplication key.
	SNSMessageID string
	// Objects are the S3 objects to ingest, in message order, each
	// bucket+key+version once.
	Objects []Object
	// Records are CloudTrail records delivered by EventBridge: the raw bytes
	// of the event's detail, exactly as they were in the body (never
	// re-serialised). Only for FormatEventBridgeRecord.
	Records [][]byte
	// Skipped counts S3 records (or EventBridge S3 events) that announce
	// something other than a created object (ObjectRemoved:*,
	// "Object Deleted", ...): nothing to ingest, and not an error.
	Skipped int
}

// IsTest reports whether the message is a test notification (s3:TestEvent,
// "CloudTrail validation message.") that the caller deletes with an INFO line
// rather than ingests.
func (m Message) IsTest() bool {
	return m.Format == FormatS3TestEvent || m.Format == FormatValidation
}

// Object is one S3 object a notification announces.
type Object struct {
	Bucket string
	// Key is the object key ready for GetObject: form-url-decoded for S3 event
	// notifications (which encode it), verbatim for CloudTrail notifications
	// and EventBridge events (which do not, as far as is known; see AltKey).
	Key string
	// Size in bytes, -1 when the notification does not say.
	Size int64
	// ETag, VersionID and Sequencer are copied from the notification when it
	// carries them ("" otherwise).
	ETag, VersionID, Sequencer string
	// AltKey is set for EventBridge events only, when the form-decoded key
	// differs from Key: AWS does not document whether EventBridge encodes
	// keys, so on NoSuchKey the caller retries once with AltKey.
	AltKey string
}

// maxReasonLen bounds UnknownError.Reason so that an error line stays short
// whatever the body holds.
const maxReasonLen = 200

// UnknownError is the error Parse returns for a body it cannot use: not a
// known format, or a known format with a missing or malformed field. Its text
// never contains more than short, escaped fragments of the body, so the
// caller can log it as is (with the SQS message id and an Excerpt).
type UnknownError struct {
	// Format is the format the body was recognised as before a field turned
	// out to be malformed; "" when no format was recognised.
	Format Format
	// ViaSNS reports that the problem is in the Message of an SNS envelope.
	ViaSNS bool
	// Reason says what is wrong, in a few words.
	Reason string
}

func (e *UnknownError) Error() string {
	var b strings.Builder
	b.WriteString("sqs message body: ")
	if e.Format != "" {
		b.WriteString("malformed ")
		b.WriteString(string(e.Format))
		b.WriteString(" notification")
	} else {
		b.WriteString("unknown format")
	}
	if e.ViaSNS {
		b.WriteString(" (in SNS envelope)")
	}
	b.WriteString(": ")
	r := e.Reason
	if len(r) > maxReasonLen {
		// Reasons are built short; this only guards a caller-made error.
		r = Excerpt([]byte(r), maxReasonLen)
	}
	b.WriteString(r)
	return b.String()
}
