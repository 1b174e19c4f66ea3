package sqsfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultAccountID is the account in queue URLs and ARNs, the same as moto's.
const DefaultAccountID = "123456789012"

// maxRequestBytes bounds a request body: ten 1 MiB messages plus JSON framing.
const maxRequestBytes = 12 << 20

// Fake is an in-process SQS endpoint. It is an http.Handler; serve it with
// Start (httptest) or NewClient (in memory). All methods are safe for
// concurrent use.
type Fake struct {
	now     func() time.Time
	region  string
	account string

	mu       sync.Mutex
	queues   map[string]*queue // by name
	changed  chan struct{}     // closed and replaced when a long poll may have something to return
	waiters  int               // long polls currently waiting on changed
	closed   bool
	faults   map[string][]Fault // by operation; "*" matches any
	calls    map[string]int     // requests by operation, faulted ones included
	handleNo uint64             // makes every receipt handle unique
}

// Option configures a Fake.
type Option func(*Fake)

// WithClock sets the clock used for visibility timeouts, delays and
// timestamps. A test can pass a manual clock and advance it instead of
// sleeping; see the package documentation for how long polls use time.
func WithClock(now func() time.Time) Option {
	return func(f *Fake) { f.now = now }
}

// WithRegion sets the region used in queue ARNs (default "us-east-1").
func WithRegion(region string) Option {
	return func(f *Fake) { f.region = region }
}

// WithAccountID sets the account used in queue URLs and ARNs
// (default DefaultAccountID).
func WithAccountID(id string) Option {
	return func(f *Fake) { f.account = id }
}

// New returns an empty Fake.
func New(opts ...Option) *Fake {
	f := &Fake{
		now:     time.Now,
		region:  "us-east-1",
		account: DefaultAccountID,
		queues:  make(map[string]*queue),
		changed: make(chan struct{}),
		faults:  make(map[string][]Fault),
		calls:   make(map[string]int),
	}
	for _, opt := range opts {
		opt(f)
	}
	return f
}

// Close makes every waiting long poll return at once, and later long polls
// return without waiting. Start calls it before closing its server, which
// would otherwise wait for those polls to time out.
func (f *Fake) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	f.notifyLocked()
}

// FailNext makes the next request for op (an operation name such as
// "ReceiveMessage", or "*" for whichever comes first) fail with fault before
// it is looked at. Calls queue up: FailNext twice fails the next two requests.
func (f *Fake) FailNext(op string, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[op] = append(f.faults[op], fault)
}

// Calls reports how many requests for op the fake has answered, including
// the ones that failed.
func (f *Fake) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Stats is a snapshot of one queue.
type Stats struct {
	Visible  int // messages a ReceiveMessage would return now
	InFlight int // received and not yet visible again or deleted
	Delayed  int // sent with a delay that has not passed yet

	Sent       int // messages accepted by SendMessage and SendMessageBatch
	Received   int // deliveries by ReceiveMessage; a redelivery counts again
	Deleted    int // messages removed by DeleteMessage and DeleteMessageBatch
	MovedToDLQ int // messages this queue moved to its dead-letter queue
	Purged     int // messages removed by PurgeQueue
}

// Stats returns a snapshot of a queue, given by name or queue URL. An
// unknown queue has zero Stats.
func (f *Fake) Stats(nameOrURL string) Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queues[queueName(nameOrURL)]
	if q == nil {
		return Stats{}
	}
	return q.statsLocked(f.now())
}

// Visible is Stats(nameOrURL).Visible.
func (f *Fake) Visible(nameOrURL string) int { return f.Stats(nameOrURL).Visible }

// InFlight is Stats(nameOrURL).InFlight.
func (f *Fake) InFlight(nameOrURL string) int { return f.Stats(nameOrURL).InFlight }

// Deleted is Stats(nameOrURL).Deleted.
func (f *Fake) Deleted(nameOrURL string) int { return f.Stats(nameOrURL).Deleted }

// Received is Stats(nameOrURL).Received.
func (f *Fake) Received(nameOrURL string) int { return f.Stats(nameOrURL).Received }

// notifyLocked wakes every long poll so it looks at the queues again.
func (f *Fake) notifyLocked() {
	if f.waiters == 0 {
		return
	}
	close(f.changed)
	f.changed = make(chan struct{})
}

// request is what an operation needs from the HTTP request.
type request struct {
	ctx  context.Context
	base string // "http://host:port", the prefix of queue URLs
}

func (r *request) queueURL(account, name string) string {
	return r.base + "/" + account + "/" + name
}

type opFunc func(f *Fake, r *request, body []byte) (any, *apiError)

// op adapts a typed operation to opFunc by decoding its JSON input.
func op[In any](fn func(f *Fake, r *request, in *In) (any, *apiError)) opFunc {
	return func(f *Fake, r *request, body []byte) (any, *apiError) {
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, errMalformed("cannot decode request: " + err.Error())
			}
		}
		return fn(f, r, in)
	}
}

var operations = map[string]opFunc{
	"CreateQueue":                  op((*Fake).createQueue),
	"GetQueueUrl":                  op((*Fake).getQueueURL),
	"GetQueueAttributes":           op((*Fake).getQueueAttributes),
	"SetQueueAttributes":           op((*Fake).setQueueAttributes),
	"DeleteQueue":                  op((*Fake).deleteQueue),
	"PurgeQueue":                   op((*Fake).purgeQueue),
	"SendMessage":                  op((*Fake).sendMessage),
	"SendMessageBatch":             op((*Fake).sendMessageBatch),
	"ReceiveMessage":               op((*Fake).receiveMessage),
	"DeleteMessage":                op((*Fake).deleteMessage),
	"DeleteMessageBatch":           op((*Fake).deleteMessageBatch),
	"ChangeMessageVisibility":      op((*Fake).changeMessageVisibility),
	"ChangeMessageVisibilityBatch": op((*Fake).changeMessageVisibilityBatch),
}

// ServeHTTP answers one AWS JSON 1.0 SQS request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newID())
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, errUnknownOperation(r.Method+" "+target))
		return
	}

	f.mu.Lock()
	f.calls[name]++
	fault, faulted := f.takeFaultLocked(name)
	f.mu.Unlock()
	if faulted {
		writeError(w, fault.apiError())
		return
	}

	fn := operations[name]
	if fn == nil {
		writeError(w, errUnknownOperation(target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			writeError(w, errInvalidParameterValue("request body exceeds "+strconv.Itoa(maxRequestBytes)+" bytes"))
			return
		}
		writeError(w, errMalformed("cannot read request: "+err.Error()))
		return
	}

	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	out, aerr := fn(f, &request{ctx: r.Context(), base: scheme + "://" + r.Host}, body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, &apiError{status: http.StatusInternalServerError, typ: "InternalError", msg: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write(b)
}

func (f *Fake) takeFaultLocked(op string) (Fault, bool) {
	for _, key := range [...]string{op, "*"} {
		if q := f.faults[key]; len(q) > 0 {
			f.faults[key] = q[1:]
			return q[0], true
		}
	}
	return Fault{}, false
}

func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("x-amzn-query-error", e.queryCode())
	w.WriteHeader(e.status)
	b, _ := json.Marshal(errorBody{Type: "com.amazonaws.sqs#" + e.typ, Message: e.msg})
	_, _ = w.Write(b)
}

// newID returns a random UUID (version 4), the format of SQS message IDs and
// request IDs.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// queueName extracts the name from a queue URL ("http://h/123456789012/name")
// or returns a bare name unchanged.
func queueName(urlOrName string) string {
	return urlOrName[strings.LastIndexByte(urlOrName, '/')+1:]
}

func itoa(n int) string { return strconv.Itoa(n) }
