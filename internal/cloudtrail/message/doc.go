// Package message decides what one SQS message body asks the CloudTrail input
// to do (Parse), and what an object key in a CloudTrail bucket is
// (ClassifyKey). It is pure: bytes in, values out, no I/O, so every format
// and every oddity is covered by table and fuzz tests without AWS.
//
// # Why one classifier for many formats
//
// Peers each understand one or two shapes of notification and fail on the
// others: Falco wants an SNS envelope, Logstash's input did not know
// CloudTrail's own notification, Vector wants S3 events, and test events left
// several of them looping. Users wire the queue in whichever way their
// organisation already does, so Parse accepts every shape AWS produces for
// "a CloudTrail file is in S3", raw or wrapped by SNS, and names anything
// else precisely instead of guessing.
//
// # SNS envelope
//
// With raw message delivery off (the default), SNS wraps what it received:
//
//	{"Type":"Notification","MessageId":"…","TopicArn":"…","Subject":"…","Message":"<string>",…}
//
// A body is an envelope when Type is "Notification" and TopicArn and a
// string Message are present: all three are always set by SNS, and demanding
// them keeps any other payload with a "Message" from being unwrapped. Subject
// and MessageAttributes are optional and ignored; signatures are not checked
// (the queue policy already decides who may send). The Message is parsed
// again, once, as any of the formats below; the envelope's MessageId is kept
// because SNS reuses it when it retries. SubscriptionConfirmation messages
// (cross-account subscriptions) are reported as such.
//
// # Formats
//
// CloudTrail notification (FormatCloudTrail), what a trail with an SNS topic
// publishes:
//
//	{"s3Bucket":"bucket","s3ObjectKey":["AWSLogs/…json.gz", …]}
//
// s3ObjectKey is an array and every key in it is a file: the legacy Splunk
// input read only the last one and lost data. Keys are used verbatim, as AWS
// CPL does; the notification has no size or ETag (Size is -1). AWS Config
// sends a similar notification with one key as a string and a messageType:
// it is reported as AWS Config, not taken for a broken CloudTrail one.
//
// S3 event notification (FormatS3Event), from the bucket's own notification
// configuration, directly or through SNS:
//
//	{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
//	  "s3":{"bucket":{"name":…},"object":{"key":…,"size":…,"eTag":…,"versionId":…,"sequencer":…}}}]}
//
// Every record must come from aws:s3 (the same Records[] shape is used by
// Lambda's SQS batches, SES and others) with eventVersion 2.x (a new major
// version may change fields; refusing it is safer than guessing). Only
// eventName "ObjectCreated:*" names data to read; other events (ObjectRemoved,
// restores, lifecycle, tagging) are counted in Skipped, so a bucket also
// configured for deletions neither errors nor loses data. Keys are
// form-url-encoded by S3 ("+" is a space, "%2B" a plus) and decoded with
// url.QueryUnescape; moto, the test peer, also encodes "/" as %2F, which the
// same decoding handles. eventTime is not read at all: moto writes it
// without a zone, and the input does not need it.
//
// EventBridge "Object Created" (FormatEventBridgeObject), from a rule on a
// bucket with EventBridge notifications enabled:
//
//	{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":…},
//	  "object":{"key":…,"size":…,"etag":…,"version-id":…,"sequencer":…}}}
//
// Security Lake's subscriber queue sends the same event without detail-type,
// so the event is recognised by source "aws.s3" with detail.bucket.name and
// detail.object.key; a detail-type other than "Object Created" ("Object
// Deleted", …) is counted in Skipped. Whether EventBridge encodes keys is not
// documented: the key is used verbatim and, when form-decoding changes it,
// the decoded form is offered as Object.AltKey for a retry on NoSuchKey.
//
// CloudTrail record via EventBridge (FormatEventBridgeRecord): a rule on
// "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail",
// "AWS Service Event via CloudTrail", "AWS Insight via CloudTrail", … sends
// the record itself, with no file in S3. Any source "aws.*" whose detail has
// eventVersion and eventID is one; the detail bytes are returned exactly as
// they were in the body (Message.Records), never re-serialised, like records
// read from files.
//
// Test notifications (Message.IsTest): S3's {"Event":"s3:TestEvent",…}
// (FormatS3TestEvent), sent when a notification configuration is saved, and
// the plain text "CloudTrail validation message." (FormatValidation), sent
// when a trail's topic is set, as the whole body with raw delivery or as the
// SNS Message. Both are recognised after SNS unwrapping too (a peer's first
// fix only looked at raw bodies) so the caller can delete them with an INFO
// line instead of letting them loop until they expire.
//
// Within a message each bucket+key+version is listed once, in message order:
// S3 delivers at least once and may repeat itself. If a repeat has a later
// sequencer (an unversioned key overwritten), its size and ETag win.
//
// # Errors
//
// Everything else (not JSON, not an object, an unknown object, a known
// format with a missing or mistyped field) is an *UnknownError whose Reason
// names the field or the format seen, e.g. "s3ObjectKey[1] is a JSON number,
// not a string" or "Records[0].eventSource is "aws:sqs", not "aws:s3"". Values
// quoted from the body are short and pass through Excerpt, so the text is one
// line of at most a few hundred bytes: the caller logs it at ERROR with the
// SQS message id and an Excerpt of the body, and leaves the message to the
// queue's dead-letter policy.
//
// JSON field names are matched the way encoding/json matches them (exact
// first, then case-insensitively); values are compared exactly.
//
// # Keys
//
// ClassifyKey reads the layout CloudTrail writes,
//
//	[prefix/]AWSLogs/[o-orgid/]account/CloudTrail|CloudTrail-Digest|CloudTrail-Insight/region/YYYY/MM/DD/file
//
// from "AWSLogs/" rightwards, so prefixes with slashes and organization
// trails (whose extra o-… level broke several peers) work. Digests are no
// Records file (they broke Filebeat, Logstash and Wazuh parsers) and
// Insights records need their own sourcetype, so the caller branches on
// Kind; folder markers, AWS Config files and other services' logs in the same
// bucket are Other, to skip and count.
package message
