// Package cloudtrail is the aws_ingest_cloudtrail input: it long-polls an
// SQS queue for notifications of new CloudTrail log files (CloudTrail's own
// SNS notifications, S3 event notifications, EventBridge), reads each file
// from S3 as a stream and writes one Splunk event per record.
//
// The pipeline:
//
//	receive loop ──(bounded set of in-flight messages)──▶ object tasks ──▶ max_workers workers
//	     ▲                                                                   │ events
//	     │ room                          keeper: extends visibility          ▼
//	     └─────────── deleter ◀── message done ◀── Sync ◀── modinput.Writer (stdout)
//
// A message is deleted only after every event of every object it names is
// flushed to stdout and recorded in the checkpoint store; an object already
// fully ingested (or partly, after a crash) is skipped (or resumed) when a
// message is delivered again. Transient failures leave the message for a
// later retry; permanent ones (access denied, a corrupt object) leave it for
// the queue's dead-letter queue. Nothing is deleted unread.
package cloudtrail
