package sqsfake

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// senderID is the SenderId system attribute: the IAM user ID of the sender.
const senderID = "AIDASQSFAKE0SENDER0ID"

const maxBatchEntries = 10

var validBatchID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkMessage validates a message body and its attributes as SQS does and
// returns its size as SQS counts it.
func checkMessage(q *queue, body string, attrs map[string]messageAttributeValue) (int, *apiError) {
	if body == "" {
		return 0, senderError("MissingParameter", "", "The request must contain the parameter MessageBody.")
	}
	if bad, ok := invalidRune(body); ok {
		return 0, errInvalidMessageContents("Invalid characters found. Deserialized message body contains " +
			strconv.QuoteRuneToASCII(bad) + ", which is outside the allowed set.")
	}
	size := len(body)
	if len(attrs) > 10 {
		return 0, errInvalidParameterValue("Number of message attributes [" + itoa(len(attrs)) + "] exceeds the allowed maximum [10].")
	}
	for name, v := range attrs {
		if name == "" || len(name) > 256 || strings.HasPrefix(strings.ToLower(name), "aws.") ||
			strings.HasPrefix(strings.ToLower(name), "amazon.") {
			return 0, errInvalidParameterValue("Message attribute name '" + name + "' is invalid.")
		}
		base, _, _ := strings.Cut(v.DataType, ".")
		switch base {
		case "String", "Number":
			if v.StringValue == nil {
				return 0, errInvalidParameterValue("Message attribute '" + name + "' must contain a non-empty value of type '" + base + "'.")
			}
			size += len(*v.StringValue)
		case "Binary":
			if v.BinaryValue == nil {
				return 0, errInvalidParameterValue("Message attribute '" + name + "' must contain a non-empty value of type 'Binary'.")
			}
			size += len(v.BinaryValue)
		default:
			return 0, errInvalidParameterValue("The type of message attribute '" + name + "' is invalid.")
		}
		size += len(name) + len(v.DataType)
	}
	if size > q.maxSize {
		return 0, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than " +
			itoa(q.maxSize) + " bytes.")
	}
	return size, nil
}

// invalidRune returns the first rune SQS does not allow in a message:
// everything but #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD, #x10000–#x10FFFF.
func invalidRune(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, true
			}
		}
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return r, true
		}
	}
	return 0, false
}

func delayFor(q *queue, seconds *int32) (time.Duration, *apiError) {
	if seconds == nil {
		return q.delay, nil
	}
	d := time.Duration(*seconds) * time.Second
	if d < 0 || d > maxDelay {
		return 0, errInvalidParameterValue("Value " + itoa(int(*seconds)) +
			" for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")
	}
	return d, nil
}

// enqueueLocked adds a checked message and wakes long polls.
func (f *Fake) enqueueLocked(q *queue, body string, attrs map[string]messageAttributeValue, delay time.Duration) *message {
	now := f.now()
	m := &message{
		id:        newID(),
		body:      body,
		md5Body:   md5Hex(body),
		attrs:     attrs,
		sentAt:    now,
		visibleAt: now.Add(delay),
	}
	q.add(m)
	q.sent++
	f.notifyLocked()
	return m
}

func (f *Fake) sendMessage(_ *request, in *sendMessageInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if _, err := checkMessage(q, in.MessageBody, in.MessageAttributes); err != nil {
		return nil, err
	}
	delay, err := delayFor(q, in.DelaySeconds)
	if err != nil {
		return nil, err
	}
	m := f.enqueueLocked(q, in.MessageBody, in.MessageAttributes, delay)
	return sendMessageOutput{
		MessageId:              m.id,
		MD5OfMessageBody:       m.md5Body,
		MD5OfMessageAttributes: md5OfAttributes(m.attrs),
	}, nil
}

// checkBatch applies the rules every batch operation shares: 1 to 10
// entries, each with a distinct, well-formed Id.
func checkBatch[E any](entries []E, entryID func(E) string) *apiError {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = entryID(e)
	}
	if len(ids) == 0 {
		return errEmptyBatchRequest()
	}
	if len(ids) > maxBatchEntries {
		return errTooManyEntriesInBatchRequest(len(ids))
	}
	for i, id := range ids {
		if !validBatchID.MatchString(id) {
			return errInvalidBatchEntryID(id)
		}
		if slices.Contains(ids[:i], id) {
			return errBatchEntryIdsNotDistinct(id)
		}
	}
	return nil
}

// applyBatch runs apply on every entry and reports each one's outcome, as
// SQS does: one entry's failure does not fail the call.
func applyBatch[E any](entries []E, entryID func(E) string, apply func(E) *apiError) batchOutput {
	out := batchOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	for _, e := range entries {
		if err := apply(e); err != nil {
			out.Failed = append(out.Failed, batchFailure(entryID(e), err))
			continue
		}
		out.Successful = append(out.Successful, batchIDEntry{Id: entryID(e)})
	}
	return out
}

func batchFailure(id string, e *apiError) batchResultErrorEntry {
	code := e.code
	if code == "" {
		code = e.typ
	}
	return batchResultErrorEntry{Id: id, Code: code, Message: e.msg, SenderFault: e.status < 500}
}

func (f *Fake) sendMessageBatch(_ *request, in *sendMessageBatchInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(in.Entries, func(e sendMessageBatchEntry) string { return e.Id }); err != nil {
		return nil, err
	}
	total := 0
	for _, e := range in.Entries {
		total += len(e.MessageBody)
		for name, v := range e.MessageAttributes {
			total += len(name) + len(v.DataType) + len(deref(v.StringValue)) + len(v.BinaryValue)
		}
	}
	if total > q.maxSize {
		return nil, errBatchRequestTooLong(total, q.maxSize)
	}
	out := sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	for _, e := range in.Entries {
		if _, err := checkMessage(q, e.MessageBody, e.MessageAttributes); err != nil {
			out.Failed = append(out.Failed, batchFailure(e.Id, err))
			continue
		}
		delay, err := delayFor(q, e.DelaySeconds)
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(e.Id, err))
			continue
		}
		m := f.enqueueLocked(q, e.MessageBody, e.MessageAttributes, delay)
		out.Successful = append(out.Successful, sendMessageBatchResultEntry{
			Id:                     e.Id,
			MessageId:              m.id,
			MD5OfMessageBody:       m.md5Body,
			MD5OfMessageAttributes: md5OfAttributes(m.attrs),
		})
	}
	return out, nil
}

// selection says which attributes a ReceiveMessage asked for.
type selection struct {
	system []string // system attribute names; "All" means all
	user   []string // message attribute names; "All", ".*" and "prefix.*" are patterns
}

func (s selection) wantSystem(name string) bool {
	return slices.Contains(s.system, "All") || slices.Contains(s.system, name)
}

func (s selection) wantUser(name string) bool {
	for _, pat := range s.user {
		if pat == "All" || pat == ".*" || pat == name {
			return true
		}
		if prefix, ok := strings.CutSuffix(pat, ".*"); ok && strings.HasPrefix(name, prefix+".") {
			return true
		}
	}
	return false
}

func (f *Fake) receiveMessage(r *request, in *receiveMessageInput) (any, *apiError) {
	limit := 1
	if in.MaxNumberOfMessages != nil {
		limit = int(*in.MaxNumberOfMessages)
		if limit < 1 || limit > maxBatchEntries {
			return nil, errInvalidParameterValue("Value " + itoa(limit) +
				" for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
		}
	}
	sel := selection{
		system: append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...),
		user:   in.MessageAttributeNames,
	}

	f.mu.Lock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		f.mu.Unlock()
		return nil, err
	}
	visibility := q.visibility
	if in.VisibilityTimeout != nil {
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
		if visibility < 0 || visibility > maxVisibility {
			f.mu.Unlock()
			return nil, errInvalidParameterValue("Value " + itoa(int(*in.VisibilityTimeout)) +
				" for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.")
		}
	}
	wait := q.wait
	if in.WaitTimeSeconds != nil {
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
		if wait < 0 || wait > maxWait {
			f.mu.Unlock()
			return nil, errInvalidParameterValue("Value " + itoa(int(*in.WaitTimeSeconds)) +
				" for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")
		}
	}

	// Long poll: look, and if there is nothing, sleep until a send or
	// visibility change wakes us, a hidden message is due, the wait is over
	// or the client goes away. Timers are real (or synctest's fake) time;
	// due dates come from the injected clock.
	var deadline *time.Timer
	for {
		out := f.collectLocked(q, limit, visibility, sel)
		if len(out.Messages) > 0 || wait <= 0 || f.closed || f.queues[q.name] != q {
			f.mu.Unlock()
			if deadline != nil {
				deadline.Stop()
			}
			return out, nil
		}
		if deadline == nil {
			deadline = time.NewTimer(wait)
		}
		var due <-chan time.Time
		var dueTimer *time.Timer
		if d, ok := q.nextVisible(f.now()); ok {
			dueTimer = time.NewTimer(d)
			due = dueTimer.C
		}
		changed := f.changed
		f.waiters++
		f.mu.Unlock()

		select {
		case <-changed:
		case <-due:
		case <-deadline.C:
			wait = 0 // one last look, then return what there is
		case <-r.ctx.Done():
			// The client went away: taking messages now would hide them
			// from everyone until their visibility timeout ends.
			if dueTimer != nil {
				dueTimer.Stop()
			}
			deadline.Stop()
			f.mu.Lock()
			f.waiters--
			f.mu.Unlock()
			return receiveMessageOutput{}, nil
		}
		if dueTimer != nil {
			dueTimer.Stop()
		}
		f.mu.Lock()
		f.waiters--
		if r.ctx.Err() != nil {
			// Woken and abandoned at once (select picks at random).
			f.mu.Unlock()
			deadline.Stop()
			return receiveMessageOutput{}, nil
		}
	}
}

// collectLocked receives up to limit visible messages from q, applying the
// redrive policy, and builds the reply.
func (f *Fake) collectLocked(q *queue, limit int, visibility time.Duration, sel selection) receiveMessageOutput {
	var out receiveMessageOutput
	now := f.now()
	var dlq *queue
	if q.redrive != nil {
		if dlq = f.queueByARNLocked(q.redrive.TargetARN); dlq == q {
			dlq = nil
		}
	}
	var toDLQ []*message
	for _, m := range q.msgs {
		if len(out.Messages) == limit {
			break
		}
		if m.deleted || now.Before(m.visibleAt) {
			continue
		}
		if dlq != nil && m.receives >= q.redrive.MaxReceiveCount {
			// Received maxReceiveCount times and visible again: it goes to
			// the dead-letter queue instead of to this receiver.
			toDLQ = append(toDLQ, m)
			continue
		}
		f.handleNo++
		m.receives++
		if m.receives == 1 {
			m.firstRecv = now
		}
		m.handle = makeHandle(q.name, m.id, f.handleNo)
		m.visibleAt = now.Add(visibility)
		q.received++
		out.Messages = append(out.Messages, f.wireMessage(m, sel))
	}
	for _, m := range toDLQ {
		q.remove(m)
		moved := *m // keeps ID, body, SentTimestamp and receive count
		moved.deleted = false
		moved.handle = ""
		moved.visibleAt = now
		moved.dlqSource = q.arn
		dlq.add(&moved)
		q.movedToDLQ++
	}
	if len(toDLQ) > 0 {
		f.notifyLocked() // long polls on the dead-letter queue
	}
	return out
}

func (f *Fake) wireMessage(m *message, sel selection) wireMessage {
	wm := wireMessage{MessageId: m.id, ReceiptHandle: m.handle, MD5OfBody: m.md5Body, Body: m.body}
	millis := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	sys := map[string]string{}
	if sel.wantSystem("SenderId") {
		sys["SenderId"] = senderID
	}
	if sel.wantSystem("SentTimestamp") {
		sys["SentTimestamp"] = millis(m.sentAt)
	}
	if sel.wantSystem("ApproximateReceiveCount") {
		sys["ApproximateReceiveCount"] = strconv.Itoa(m.receives)
	}
	if sel.wantSystem("ApproximateFirstReceiveTimestamp") {
		sys["ApproximateFirstReceiveTimestamp"] = millis(m.firstRecv)
	}
	if m.dlqSource != "" && sel.wantSystem("DeadLetterQueueSourceArn") {
		sys["DeadLetterQueueSourceArn"] = m.dlqSource
	}
	if len(sys) > 0 {
		wm.Attributes = sys
	}
	var user map[string]messageAttributeValue
	for name, v := range m.attrs {
		if sel.wantUser(name) {
			if user == nil {
				user = map[string]messageAttributeValue{}
			}
			user[name] = v
		}
	}
	wm.MessageAttributes = user
	wm.MD5OfMessageAttributes = md5OfAttributes(user)
	return wm
}

// A receipt handle names the queue, the message and the receive, so the
// fake can tell a handle it never issued (ReceiptHandleIsInvalid) from a
// stale one (the message was received again, or is gone).
func makeHandle(qname, msgID string, n uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(qname + "/" + msgID + "/" + strconv.FormatUint(n, 10)))
}

// messageFor resolves a receipt handle in q. It returns (nil, nil) for a
// well-formed handle whose message is gone, and the message with
// current=false when the handle is not its latest.
func messageFor(q *queue, handle string) (m *message, current bool, err *apiError) {
	raw, derr := base64.RawURLEncoding.DecodeString(handle)
	parts := strings.Split(string(raw), "/")
	if derr != nil || len(parts) != 3 || parts[0] != q.name {
		return nil, false, errReceiptHandleIsInvalid(handle)
	}
	m = q.byID[parts[1]]
	if m == nil {
		return nil, false, nil
	}
	return m, m.handle == handle, nil
}

// deleteLocked deletes the message behind handle. As on AWS, deleting with a
// stale handle or deleting twice succeeds and does nothing.
func (f *Fake) deleteLocked(q *queue, handle string) *apiError {
	m, current, err := messageFor(q, handle)
	if err != nil {
		return err
	}
	if m != nil && current {
		q.remove(m)
		q.deletedCount++
	}
	return nil
}

func (f *Fake) deleteMessage(_ *request, in *deleteMessageInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := f.deleteLocked(q, in.ReceiptHandle); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (f *Fake) deleteMessageBatch(_ *request, in *deleteMessageBatchInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(in.Entries, func(e deleteMessageBatchEntry) string { return e.Id }); err != nil {
		return nil, err
	}
	return applyBatch(in.Entries, func(e deleteMessageBatchEntry) string { return e.Id },
		func(e deleteMessageBatchEntry) *apiError { return f.deleteLocked(q, e.ReceiptHandle) }), nil
}

// changeVisibilityLocked sets a new visibility timeout, counted from now, on
// an in-flight message.
func (f *Fake) changeVisibilityLocked(q *queue, handle string, seconds *int32) *apiError {
	if seconds == nil {
		return senderError("MissingParameter", "", "The request must contain the parameter VisibilityTimeout.")
	}
	d := time.Duration(*seconds) * time.Second
	if d < 0 || d > maxVisibility {
		return errInvalidParameterValue("Value " + itoa(int(*seconds)) +
			" for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.")
	}
	m, current, err := messageFor(q, handle)
	if err != nil {
		return err
	}
	now := f.now()
	if m == nil || !current || !m.inFlight(now) {
		return errMessageNotInflight()
	}
	m.visibleAt = now.Add(d)
	f.notifyLocked() // a long poll may be waiting for this message
	return nil
}

func (f *Fake) changeMessageVisibility(_ *request, in *changeMessageVisibilityInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := f.changeVisibilityLocked(q, in.ReceiptHandle, in.VisibilityTimeout); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (f *Fake) changeMessageVisibilityBatch(_ *request, in *changeMessageVisibilityBatchInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(in.Entries, func(e changeMessageVisibilityBatchEntry) string { return e.Id }); err != nil {
		return nil, err
	}
	return applyBatch(in.Entries, func(e changeMessageVisibilityBatchEntry) string { return e.Id },
		func(e changeMessageVisibilityBatchEntry) *apiError {
			return f.changeVisibilityLocked(q, e.ReceiptHandle, e.VisibilityTimeout)
		}), nil
}
