package cloudtrail

import (
	"context"
	"sync"
	"time"
)

// minCongestion is the shortest wait for stdout that counts as congestion:
// below it, scheduling noise would decide.
const minCongestion = 5 * time.Millisecond

// cutInterval spaces out cuts of the limit: one congested moment is seen
// by every worker writing at that time, and should cut once.
const cutInterval = time.Second

// limiter bounds how many objects are read at once, between 1 and
// max_workers, by additive increase and multiplicative decrease (as TCP's
// window). When a worker waits for its batch to reach stdout longer than it
// took to produce the batch (read from S3, split, encode), splunkd reads
// stdout slower than the workers produce: more objects in flight would only
// hold SQS messages (and memory, and visibility extensions) that another
// forwarder on the same queue could take, so the limit is cut by a quarter.
// When an object finishes while every slot was taken and another waited,
// the workers are the bottleneck (S3 latency, not stdout), so the limit
// grows by one.
type limiter struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when a slot may have opened
	limit   int
	active  int
	waiting int
	max     int
	// lastCut is when the limit was last cut; lastCongested when stdout
	// was last seen behind. The limit grows only a cutInterval after that.
	lastCut, lastCongested time.Time
	now                    func() time.Time
}

func newLimiter(maxWorkers int) *limiter {
	return &limiter{changed: make(chan struct{}), limit: min(maxWorkers, 4), max: maxWorkers, now: time.Now}
}

// acquire waits for a slot.
func (l *limiter) acquire(ctx context.Context) error {
	l.mu.Lock()
	for l.active >= l.limit {
		ch := l.changed
		l.waiting++
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			l.mu.Lock()
			l.waiting--
			l.mu.Unlock()
			return ctx.Err()
		}
		l.mu.Lock()
		l.waiting--
	}
	l.active++
	l.mu.Unlock()
	return nil
}

// release frees a slot, and grows the limit when work was waiting for one
// and stdout has kept up for a while.
func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Only a release from a full limit grows it: two releases before a
	// waiter runs grow it once.
	full := l.active >= l.limit
	l.active--
	if full && l.waiting > 0 && l.limit < l.max && l.now().Sub(l.lastCongested) >= cutInterval {
		l.limit++
	}
	l.wake()
}

// observe takes whether a worker waited for stdout longer than it
// produced, and cuts the limit when it did. Objects already being read
// finish; the cut applies to the next ones.
func (l *limiter) observe(congested bool) {
	if !congested {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.lastCongested = now
	if now.Sub(l.lastCut) >= cutInterval {
		l.limit = max(1, l.limit*3/4)
		l.lastCut = now
	}
}

// current returns the limit and the objects being read.
func (l *limiter) current() (limit, active int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit, l.active
}

func (l *limiter) wake() {
	close(l.changed)
	l.changed = make(chan struct{})
}
