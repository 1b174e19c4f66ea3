package sqsfake

import (
	"regexp"
	"slices"
	"strings"
)

var validQueueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (f *Fake) lookupLocked(queueURL string) (*queue, *apiError) {
	q := f.queues[queueName(queueURL)]
	if q == nil || queueURL == "" {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

func (f *Fake) createQueue(r *request, in *createQueueInput) (any, *apiError) {
	if strings.HasSuffix(in.QueueName, ".fifo") {
		return nil, errInvalidParameterValue("sqsfake does not support FIFO queues: " + in.QueueName)
	}
	if !validQueueName.MatchString(in.QueueName) {
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if q := f.queues[in.QueueName]; q != nil {
		// Creating an existing queue is idempotent unless an attribute differs.
		// Compare what the attributes would become, so "30" and a
		// reformatted RedrivePolicy count as unchanged.
		s, err := f.withAttributes(q.settings, in.Attributes)
		if err != nil {
			return nil, err
		}
		for name := range in.Attributes {
			was, _ := q.attribute(name, now)
			if got, _ := (&queue{settings: s}).attribute(name, now); got != was {
				return nil, errQueueNameExists(in.QueueName)
			}
		}
		return queueURLOutput{QueueUrl: r.queueURL(f.account, q.name)}, nil
	}
	s, err := f.withAttributes(defaultSettings(), in.Attributes)
	if err != nil {
		return nil, err
	}
	f.queues[in.QueueName] = &queue{
		name:     in.QueueName,
		arn:      "arn:aws:sqs:" + f.region + ":" + f.account + ":" + in.QueueName,
		created:  now,
		modified: now,
		settings: s,
		byID:     make(map[string]*message),
	}
	return queueURLOutput{QueueUrl: r.queueURL(f.account, in.QueueName)}, nil
}

func (f *Fake) getQueueURL(r *request, in *getQueueURLInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queues[in.QueueName] == nil {
		return nil, errQueueDoesNotExist()
	}
	return queueURLOutput{QueueUrl: r.queueURL(f.account, in.QueueName)}, nil
}

func (f *Fake) getQueueAttributes(_ *request, in *getQueueAttributesInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := f.now()
	out := attributesOutput{Attributes: map[string]string{}}
	for _, name := range in.AttributeNames {
		names := []string{name}
		if name == "All" {
			names = append(slices.Clone(readableAttributes), storedAttributes...)
		} else if !slices.Contains(readableAttributes, name) && !slices.Contains(storedAttributes, name) {
			return nil, errInvalidAttributeName(name)
		}
		for _, n := range names {
			if v, ok := q.attribute(n, now); ok {
				out.Attributes[n] = v
			}
		}
	}
	return out, nil
}

func (f *Fake) setQueueAttributes(_ *request, in *setQueueAttributesInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	s, err := f.withAttributes(q.settings, in.Attributes)
	if err != nil {
		return nil, err
	}
	q.settings = s
	q.modified = f.now()
	return struct{}{}, nil
}

func (f *Fake) deleteQueue(_ *request, in *queueInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delete(f.queues, q.name)
	f.notifyLocked() // long polls on q return empty
	return struct{}{}, nil
}

func (f *Fake) purgeQueue(_ *request, in *queueInput) (any, *apiError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := f.lookupLocked(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	for _, m := range q.msgs {
		if !m.deleted {
			m.deleted = true
			q.purged++
		}
	}
	clear(q.msgs)
	q.msgs = q.msgs[:0]
	clear(q.byID)
	q.ndeleted = 0
	return struct{}{}, nil
}
