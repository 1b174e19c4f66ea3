// Package sqsfake is an in-process Amazon SQS fake for unit tests and
// benchmarks. It speaks the AWS JSON 1.0 protocol that aws-sdk-go-v2's sqs
// client uses (sqs ≥ v1.27), so the code under test runs with the real
// *sqs.Client, its serializers, its error types and its MD5 checks.
//
// Why it exists: moto_server is a faithful SQS peer but costs ~2 ms per call
// and O(queue depth) per operation (about 34 msg/s at 1000 messages), and it
// keeps visibility timeouts in real time. No Go library speaks SQS-JSON
// (goaws only speaks the Query protocol). This fake is fast (tens of thousands
// of messages per second), runs visibility on an injectable clock, and can
// fail on demand. Use moto (testkit/moto) for end-to-end behaviour that this
// fake does not model.
//
// # Wire protocol
//
// Every request is a POST whose X-Amz-Target header is "AmazonSQS.<Operation>"
// and whose body is a JSON object with the operation's input members. Replies
// carry Content-Type application/x-amz-json-1.0 and x-amzn-RequestId. Errors
// are HTTP 400 (sender) or 5xx (receiver) with a body such as
//
//	{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."}
//
// and the header "x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender".
// The SDK maps __type to its typed errors (*types.QueueDoesNotExist,
// *types.ReceiptHandleIsInvalid, ...) and, because SQS is marked
// query-compatible, takes ErrorCode() and the fault from x-amzn-query-error,
// as it does against AWS.
//
// # What is modelled
//
// CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes,
// DeleteQueue, SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage,
// DeleteMessageBatch, ChangeMessageVisibility, ChangeMessageVisibilityBatch
// and PurgeQueue, with:
//
//   - visibility timeouts (queue default, per-receive override, per-message
//     change), DelaySeconds, and long polls that return as soon as a message is
//     sent or becomes visible;
//   - system attributes SenderId, SentTimestamp, ApproximateReceiveCount,
//     ApproximateFirstReceiveTimestamp and DeadLetterQueueSourceArn;
//   - message attributes (String, Number, Binary) with MD5OfMessageAttributes;
//   - RedrivePolicy: a message already received maxReceiveCount times moves to
//     the dead-letter queue on the next receive, keeping its receive count
//     (moto and AWS do the same);
//   - receipt handles as AWS treats them: a garbage handle is
//     ReceiptHandleIsInvalid; deleting with a stale handle (the message was
//     received again since) or an already-deleted message succeeds and does
//     nothing; changing visibility of a message that is not in flight is
//     MessageNotInflight.
//
// Not modelled: FIFO queues (rejected), message retention, the in-flight
// limit, the 60-second PurgeQueue rate limit, permissions, tags, message move
// tasks. Messages are returned in send order, which a real standard queue
// does not promise; code under test must not depend on it.
//
// # Time
//
// Visibility, delays and timestamps use the clock given with WithClock
// (time.Now by default). Long polls wait on real timers (time.NewTimer),
// which testing/synctest replaces with fake time. To run a test inside a
// synctest bubble, create the Fake inside the bubble and use NewClient,
// whose in-memory transport keeps every wait durably blocking; an
// httptest.Server (Start) does not, because goroutines blocked on a socket
// are not durably blocked.
//
// # Inspection and faults
//
// Stats, Visible, InFlight, Deleted and Calls expose what happened, so tests
// assert outcomes rather than calls. FailNext makes the next call to an
// operation fail with a Fault such as Throttling, RequestThrottled or
// InternalError.
package sqsfake
