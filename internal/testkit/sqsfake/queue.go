package sqsfake

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Limits and defaults of a standard queue, as documented by AWS.
const (
	defaultVisibility  = 30 * time.Second
	maxVisibility      = 12 * time.Hour
	maxDelay           = 15 * time.Minute
	maxWait            = 20 * time.Second
	defaultMaxSize     = 1 << 20 // MaximumMessageSize; moto and AWS (since 2025) default to 1 MiB
	minMaxSize         = 1024
	defaultRetention   = 4 * 24 * time.Hour
	minRetention       = time.Minute
	maxRetention       = 14 * 24 * time.Hour
	maxReceiveCountMax = 1000
)

// message is one message in a queue.
type message struct {
	id        string
	body      string
	md5Body   string
	attrs     map[string]messageAttributeValue
	sentAt    time.Time
	visibleAt time.Time // not deliverable before this: the send delay, then the visibility timeout
	receives  int
	firstRecv time.Time
	handle    string // receipt handle of the latest receive; "" before the first
	dlqSource string // ARN of the queue it was moved from, if any
	deleted   bool
}

// inFlight reports whether m has been received and is still hidden.
func (m *message) inFlight(now time.Time) bool { return m.receives > 0 && now.Before(m.visibleAt) }

type redrivePolicy struct {
	TargetARN       string `json:"deadLetterTargetArn"`
	MaxReceiveCount int    `json:"maxReceiveCount"`
}

// settings are the attributes a client can set, already validated.
type settings struct {
	visibility time.Duration
	delay      time.Duration
	wait       time.Duration
	maxSize    int
	retention  time.Duration
	redrive    *redrivePolicy
	other      map[string]string // settable attributes the fake stores but ignores
}

type queue struct {
	name     string
	arn      string
	created  time.Time
	modified time.Time
	settings

	msgs     []*message // in send order; deleted entries linger until compaction
	byID     map[string]*message
	ndeleted int // deleted entries still in msgs

	sent, received, deletedCount, movedToDLQ, purged int
}

func (q *queue) add(m *message) {
	q.msgs = append(q.msgs, m)
	q.byID[m.id] = m
}

// remove takes m out of the queue. msgs is compacted once deleted entries
// are the majority, which keeps receives from scanning a long dead prefix.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.byID, m.id)
	q.ndeleted++
	if q.ndeleted > 32 && 2*q.ndeleted > len(q.msgs) {
		live := q.msgs[:0]
		for _, m := range q.msgs {
			if !m.deleted {
				live = append(live, m)
			}
		}
		clear(q.msgs[len(live):])
		q.msgs = live
		q.ndeleted = 0
	}
}

func (q *queue) statsLocked(now time.Time) Stats {
	s := Stats{
		Sent: q.sent, Received: q.received, Deleted: q.deletedCount,
		MovedToDLQ: q.movedToDLQ, Purged: q.purged,
	}
	for _, m := range q.msgs {
		switch {
		case m.deleted:
		case !now.Before(m.visibleAt):
			s.Visible++
		case m.receives > 0:
			s.InFlight++
		default:
			s.Delayed++
		}
	}
	return s
}

// nextVisible returns how long until the next hidden message becomes
// visible, and false when no message is hidden.
func (q *queue) nextVisible(now time.Time) (time.Duration, bool) {
	var next time.Duration
	found := false
	for _, m := range q.msgs {
		if m.deleted || !now.Before(m.visibleAt) {
			continue
		}
		if d := m.visibleAt.Sub(now); !found || d < next {
			next, found = d, true
		}
	}
	return next, found
}

// Queue attributes.
const (
	attrVisibilityTimeout  = "VisibilityTimeout"
	attrDelaySeconds       = "DelaySeconds"
	attrWaitTimeSeconds    = "ReceiveMessageWaitTimeSeconds"
	attrMaximumMessageSize = "MaximumMessageSize"
	attrRetentionPeriod    = "MessageRetentionPeriod"
	attrRedrivePolicy      = "RedrivePolicy"
	attrQueueArn           = "QueueArn"
	attrCreated            = "CreatedTimestamp"
	attrModified           = "LastModifiedTimestamp"
	attrNumMessages        = "ApproximateNumberOfMessages"
	attrNumNotVisible      = "ApproximateNumberOfMessagesNotVisible"
	attrNumDelayed         = "ApproximateNumberOfMessagesDelayed"
)

// storedAttributes can be set; the fake keeps them and otherwise ignores them.
var storedAttributes = []string{
	"Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
}

// readableAttributes is what GetQueueAttributes "All" returns, in order.
var readableAttributes = []string{
	attrQueueArn, attrNumMessages, attrNumNotVisible, attrNumDelayed, attrCreated, attrModified,
	attrVisibilityTimeout, attrDelaySeconds, attrWaitTimeSeconds, attrMaximumMessageSize, attrRetentionPeriod,
	attrRedrivePolicy,
}

func defaultSettings() settings {
	return settings{
		visibility: defaultVisibility,
		maxSize:    defaultMaxSize,
		retention:  defaultRetention,
		other:      map[string]string{},
	}
}

// withAttributes returns s with attrs applied, or the first invalid one.
// s itself is not changed, so a rejected request changes nothing.
func (f *Fake) withAttributes(s settings, attrs map[string]string) (settings, *apiError) {
	s.other = maps.Clone(s.other)
	if s.other == nil {
		s.other = map[string]string{}
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names) // report the same error every time
	for _, name := range names {
		v := attrs[name]
		var err *apiError
		switch name {
		case attrVisibilityTimeout:
			s.visibility, err = parseSeconds(name, v, 0, maxVisibility)
		case attrDelaySeconds:
			s.delay, err = parseSeconds(name, v, 0, maxDelay)
		case attrWaitTimeSeconds:
			s.wait, err = parseSeconds(name, v, 0, maxWait)
		case attrRetentionPeriod:
			s.retention, err = parseSeconds(name, v, minRetention, maxRetention)
		case attrMaximumMessageSize:
			n, perr := strconv.Atoi(v)
			if perr != nil || n < minMaxSize || n > defaultMaxSize {
				err = errInvalidAttributeValue("Invalid value for the parameter " + name + ".")
			}
			s.maxSize = n
		case attrRedrivePolicy:
			s.redrive, err = f.parseRedrive(v)
		case "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
			err = errInvalidAttributeName(name + " (sqsfake does not support FIFO queues)")
		default:
			if !slices.Contains(storedAttributes, name) {
				err = errInvalidAttributeName(name)
				break
			}
			s.other[name] = v
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

func parseSeconds(name, v string, lo, hi time.Duration) (time.Duration, *apiError) {
	n, err := strconv.Atoi(v)
	d := time.Duration(n) * time.Second
	if err != nil || d < lo || d > hi {
		return 0, errInvalidAttributeValue("Invalid value for the parameter " + name + ".")
	}
	return d, nil
}

// parseRedrive validates a RedrivePolicy. AWS accepts maxReceiveCount as a
// number or a string, and "" removes the policy.
func (f *Fake) parseRedrive(v string) (*redrivePolicy, *apiError) {
	if v == "" {
		return nil, nil
	}
	var raw struct {
		TargetARN       string          `json:"deadLetterTargetArn"`
		MaxReceiveCount json.RawMessage `json:"maxReceiveCount"`
	}
	invalid := func(reason string) *apiError {
		return errInvalidAttributeValue("Value " + v + " for parameter RedrivePolicy is invalid. Reason: " + reason)
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, invalid("Redrive policy is not a valid JSON map.")
	}
	count := string(raw.MaxReceiveCount)
	if unq, err := strconv.Unquote(count); err == nil {
		count = unq
	}
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 || n > maxReceiveCountMax {
		return nil, invalid("Invalid value for maxReceiveCount: " + string(raw.MaxReceiveCount) + ", valid values are from 1 to 1000 both inclusive.")
	}
	if f.queueByARNLocked(raw.TargetARN) == nil {
		return nil, invalid("Dead letter target does not exist.")
	}
	return &redrivePolicy{TargetARN: raw.TargetARN, MaxReceiveCount: n}, nil
}

func (f *Fake) queueByARNLocked(arn string) *queue {
	for _, q := range f.queues {
		if q.arn == arn {
			return q
		}
	}
	return nil
}

// attribute returns the value of a readable attribute.
func (q *queue) attribute(name string, now time.Time) (string, bool) {
	secs := func(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
	switch name {
	case attrVisibilityTimeout:
		return secs(q.visibility), true
	case attrDelaySeconds:
		return secs(q.delay), true
	case attrWaitTimeSeconds:
		return secs(q.wait), true
	case attrRetentionPeriod:
		return secs(q.retention), true
	case attrMaximumMessageSize:
		return strconv.Itoa(q.maxSize), true
	case attrQueueArn:
		return q.arn, true
	case attrCreated:
		return strconv.FormatInt(q.created.Unix(), 10), true
	case attrModified:
		return strconv.FormatInt(q.modified.Unix(), 10), true
	case attrNumMessages:
		return strconv.Itoa(q.statsLocked(now).Visible), true
	case attrNumNotVisible:
		return strconv.Itoa(q.statsLocked(now).InFlight), true
	case attrNumDelayed:
		return strconv.Itoa(q.statsLocked(now).Delayed), true
	case attrRedrivePolicy:
		if q.redrive == nil {
			return "", false
		}
		b, _ := json.Marshal(q.redrive)
		return string(b), true
	}
	v, ok := q.other[name]
	return v, ok
}
