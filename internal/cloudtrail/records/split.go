package records

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultMaxRecordBytes is the record size limit used when
// Options.MaxRecordBytes is zero. CloudTrail truncates its big fields at
// 100 KB, so a real record stays well below it.
const DefaultMaxRecordBytes = 8 << 20

// Options control Split. The zero value is ready to use.
type Options struct {
	// MaxRecordBytes is the longest record accepted, in bytes; a longer one
	// (or a longer value of another top-level key) stops Split with
	// ErrRecordTooLarge. Zero or less means DefaultMaxRecordBytes. The read
	// buffer grows up to this size when a record needs it, so it is also
	// the bound on Split's memory.
	MaxRecordBytes int
	// Hash, if set, receives exactly the decompressed bytes of the first
	// (and only) gzip member, or every byte of a plain JSON file, in the same
	// pass: the integrity check computes SHA-256 this way. Its sum is
	// meaningful only when Split returns no error.
	Hash hash.Hash
}

// Record is one element of the "Records" array.
type Record struct {
	// Raw holds the record's bytes exactly as in the file: nothing is
	// re-serialised, escapes, non-ASCII text and invalid UTF-8 are kept.
	// It points into Split's buffer and is valid only during the callback;
	// copy it to keep it.
	Raw []byte
	// Index is the 0-based position of the record in the array.
	Index int
	// EventTime is the record's top-level "eventTime", parsed as
	// time.Time.UnmarshalJSON does (RFC 3339, fractional seconds kept). It
	// is the zero time when the field is absent, not a string or not a valid
	// time.
	EventTime time.Time
	// EventName is the record's top-level "eventName" string, unescaped;
	// "" when absent or not a string.
	EventName string
	// EventType is the record's top-level "eventType" string, unescaped
	// (AwsApiCall, AwsCloudTrailInsight, ...); "" when absent or not a string.
	EventType string
	// XMLSafe is true when Raw has no byte XML character data escapes:
	// it is ASCII, without & < > and without whitespace between tokens
	// (CloudTrail writes none). Such a record goes into Splunk's stream as
	// it is (modinput.Event.Verbatim). False proves nothing either way.
	XMLSafe bool
}

// Stats describe what Split read.
type Stats struct {
	Records           int   // records passed to fn
	CompressedBytes   int64 // bytes read from the io.Reader
	DecompressedBytes int64 // bytes of JSON (the first gzip member decompressed, or the plain file)
	Gzip              bool  // the input started with the gzip magic bytes
}

// Split reads a CloudTrail log file and calls fn for each element of its
// top-level "Records" array, in order. The file is gzip-compressed (detected
// by its magic bytes) or plain JSON. It never holds the whole file: memory is
// bounded by the largest record plus fixed buffers.
//
// Split returns fn's error unchanged as soon as fn returns one. Its own
// errors are *Error values wrapping one of the Err* sentinels (or the
// reader's error). Records already passed to fn stay passed: an error after
// them means the file is damaged after that point.
func Split(r io.Reader, opts Options, fn func(Record) error) (Stats, error) {
	return split(r, opts, fn, config{})
}

// config holds the knobs that only tests and benchmarks turn.
type config struct {
	bufSize    int  // initial read buffer size; 0 means defaultBufSize
	stdlibGzip bool // inflate with compress/gzip instead of the default
}

// defaultBufSize is the initial size of the decompressed-data buffer. It is
// big enough for hundreds of typical records (1 to 2 KB each), so the cost
// of rescanning a record cut by a refill is negligible, and small enough
// to stay in the L2 cache.
const defaultBufSize = 256 << 10

// compressedBufSize is the read-ahead buffer on the compressed input.
const compressedBufSize = 64 << 10

// maxInterned bounds the number of distinct eventName/eventType strings
// remembered so that records do not each allocate one.
const maxInterned = 4096

// splitter is the state of one Split call. Splitters are pooled: a
// CloudTrail input splits many small files, and the buffers and the
// inflater are worth reusing.
type splitter struct {
	scanner

	src  io.Reader // the JSON bytes
	hash hash.Hash
	buf  []byte
	pos  int   // next unread byte of buf
	end  int   // end of the valid data in buf
	base int64 // offset of buf[0] in the JSON stream
	rerr error // io.EOF or the error that ended reading, returned once buf is used up
	gzip bool

	maxRec int // record size limit
	maxBuf int // buffer size limit
	record int // index of the record being scanned, -1 outside Records

	in       countingReader
	br       *bufio.Reader
	zr       inflater
	intern   map[string]string
	pooledSz int // size of the buffers worth pooling
}

var splitters = sync.Pool{New: func() any { return new(splitter) }}

func split(r io.Reader, opts Options, fn func(Record) error, cfg config) (Stats, error) {
	s := splitters.Get().(*splitter)
	defer s.release()

	st, err := s.run(r, opts, fn, cfg)
	return st, err
}

func (s *splitter) run(r io.Reader, opts Options, fn func(Record) error, cfg config) (Stats, error) {
	size := cfg.bufSize
	if size <= 0 {
		size = defaultBufSize
	}
	s.maxRec = opts.MaxRecordBytes
	if s.maxRec <= 0 {
		s.maxRec = DefaultMaxRecordBytes
	}
	// The buffer must be able to hold a record of maxRec bytes and one byte
	// more, so that a record that does not fit is always detected.
	s.maxBuf = max(size, s.maxRec+1)
	if len(s.buf) != size {
		s.buf = make([]byte, size)
	}
	s.pooledSz = size
	s.pos, s.end, s.base, s.rerr = 0, 0, 0, nil
	s.hash = opts.Hash
	s.record = -1
	if s.intern == nil {
		s.intern = make(map[string]string)
	}

	s.in = countingReader{r: r}
	if s.br == nil {
		s.br = bufio.NewReaderSize(&s.in, compressedBufSize)
	} else {
		s.br.Reset(&s.in)
	}
	var st Stats
	err := s.open(cfg)
	if err == nil {
		err = s.document(fn, &st)
	}
	if err == nil && s.gzip {
		// The integrity check hashes the first member only, and CloudTrail
		// writes one: anything after it is refused.
		if _, rerr := s.br.ReadByte(); rerr == nil {
			err = s.errorf(s.total(), ErrTrailingData, "bytes after the first gzip member, at compressed offset %d",
				s.in.n-int64(s.br.Buffered())-1)
		} else if rerr != io.EOF {
			err = s.readError(rerr)
		}
	}
	st.CompressedBytes = s.in.n
	st.DecompressedBytes = s.total()
	st.Gzip = s.gzip
	return st, err
}

// open detects gzip and sets s.src.
func (s *splitter) open(cfg config) error {
	magic, err := s.br.Peek(2)
	s.gzip = err == nil && magic[0] == 0x1f && magic[1] == 0x8b
	if !s.gzip {
		if err != nil && err != io.EOF {
			return s.readError(err)
		}
		s.src = s.br
		return nil
	}
	if cfg.stdlibGzip {
		s.src, err = newStdlibInflater(s.br)
	} else {
		if s.zr == nil {
			s.zr = newInflater()
		}
		err = s.zr.Reset(s.br)
		s.zr.Multistream(false)
		s.src = s.zr
	}
	if err != nil {
		return s.readError(err)
	}
	return nil
}

func (s *splitter) release() {
	s.src, s.hash = nil, nil
	s.in = countingReader{}
	s.br.Reset(nil)
	if len(s.buf) != s.pooledSz {
		// Grown for a big record: let it go.
		s.buf = nil
	}
	if len(s.intern) >= maxInterned {
		clear(s.intern)
	}
	splitters.Put(s)
}

// total is the number of JSON bytes read so far.
func (s *splitter) total() int64 { return s.base + int64(s.end) }

// offset converts a buffer index to a stream offset.
func (s *splitter) offset(i int) int64 { return s.base + int64(i) }

func (s *splitter) errorf(off int64, sentinel error, format string, args ...any) *Error {
	return &Error{Offset: off, Record: s.record, Err: sentinel, Msg: fmt.Sprintf(format, args...)}
}

// fill keeps buf[keep:end], moved to the front of the buffer, and reads
// more data after it until the buffer is full or the input ends. The buffer
// doubles when the kept bytes fill more than half of it. fill returns
// io.EOF when no byte could be added because the input has ended. A read
// error is returned once the data read before it has been used, so that
// every complete record before a damaged spot is passed to fn, whatever the
// buffer size.
func (s *splitter) fill(keep int) error {
	if s.rerr != nil {
		return s.readErr()
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.pos -= keep
		s.end = n
	}
	if s.end > len(s.buf)/2 && len(s.buf) < s.maxBuf {
		nb := make([]byte, min(2*len(s.buf), s.maxBuf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	start := s.end
	var err error
	for empty := 0; s.end < len(s.buf); {
		var n int
		n, err = s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			break
		}
		if n == 0 {
			if empty++; empty == 100 {
				err = io.ErrNoProgress
				break
			}
		}
	}
	if s.hash != nil {
		s.hash.Write(s.buf[start:s.end])
	}
	switch {
	case err == io.EOF:
		s.rerr = io.EOF
	case err != nil:
		s.rerr = s.readError(err)
	}
	if s.end == start {
		return s.readErr()
	}
	return nil
}

// readErr returns the error that ended reading, saying which record was
// being read when it is returned.
func (s *splitter) readErr() error {
	if e, ok := s.rerr.(*Error); ok {
		e.Record = s.record
	}
	return s.rerr
}

// readError classifies an error from s.src.
func (s *splitter) readError(err error) error {
	e := &Error{Offset: s.total(), Record: s.record, Err: err}
	switch {
	case s.gzip && err != s.in.err && err == io.ErrUnexpectedEOF:
		e.Err, e.Msg, e.cause = ErrTruncated, "the gzip data ends early", err
	case s.gzip && err != s.in.err:
		e.Err, e.Msg, e.cause = ErrCorrupt, err.Error(), err
	case err == io.ErrUnexpectedEOF:
		e.Err, e.cause = ErrTruncated, err
	}
	return e
}

// peek skips whitespace and returns the next byte without consuming it.
// At the end of the input it returns io.EOF.
func (s *splitter) peek() (byte, error) {
	for {
		for s.pos < s.end {
			if c := s.buf[s.pos]; !isSpace(c) {
				return c, nil
			}
			s.pos++
		}
		if err := s.fill(s.pos); err != nil {
			return 0, err
		}
	}
}

// peekMore is peek where the end of the input means truncation.
func (s *splitter) peekMore() (byte, error) {
	c, err := s.peek()
	if err == io.EOF {
		return 0, s.errorf(s.total(), ErrTruncated, "the JSON ends early")
	}
	return c, err
}

// value scans the JSON value at s.pos (not whitespace) and returns its
// start and end in s.buf, refilling the buffer as needed.
func (s *splitter) value(maxStack int, rec bool) (int, int, error) {
	for {
		start := s.pos
		end, err := s.scan(s.buf[:s.end], start, maxStack, rec)
		if err == nil {
			if end-start > s.maxRec {
				return 0, 0, s.tooLarge(start)
			}
			return start, end, nil
		}
		if err != errNeedMore {
			se := err.(*scanError)
			return 0, 0, s.errorf(s.offset(se.pos), ErrSyntax, "%s", se.msg)
		}
		if s.end-start > s.maxRec {
			return 0, 0, s.tooLarge(start)
		}
		if err := s.fill(start); err != nil {
			if err == io.EOF {
				return 0, 0, s.errorf(s.total(), ErrTruncated, "the JSON ends early")
			}
			return 0, 0, err
		}
	}
}

func (s *splitter) tooLarge(start int) error {
	what := "a top-level value"
	if s.record >= 0 {
		what = "the record"
	}
	return s.errorf(s.offset(start), ErrRecordTooLarge, "%s starting here is longer than %d bytes", what, s.maxRec)
}

// document reads the top-level object.
func (s *splitter) document(fn func(Record) error, st *Stats) error {
	c, err := s.peek()
	if err == io.EOF {
		return s.errorf(s.total(), ErrNoRecords, "the file is empty")
	}
	if err != nil {
		return err
	}
	if c != '{' {
		switch {
		case c == '[' || c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || c-'0' < 10:
			return s.errorf(s.offset(s.pos), ErrNoRecords, "the top-level value is not an object")
		}
		return s.errorf(s.offset(s.pos), ErrSyntax, "invalid character %s looking for beginning of value", quoteChar(c))
	}
	s.pos++
	seen := false
	if c, err = s.peekMore(); err != nil {
		return err
	}
	if c == '}' {
		s.pos++
	} else {
		for {
			if c != '"' {
				return s.errorf(s.offset(s.pos), ErrSyntax, "invalid character %s looking for beginning of object key string", quoteChar(c))
			}
			ks, ke, err := s.value(1, false)
			if err != nil {
				return err
			}
			isRecords := isRecordsKey(s.buf[ks:ke])
			s.pos = ke
			if c, err = s.peekMore(); err != nil {
				return err
			}
			if c != ':' {
				return s.errorf(s.offset(s.pos), ErrSyntax, "invalid character %s after object key", quoteChar(c))
			}
			s.pos++
			if c, err = s.peekMore(); err != nil {
				return err
			}
			switch {
			case isRecords && seen:
				return s.errorf(s.offset(s.pos), ErrDuplicateRecords, "second \"Records\" key")
			case isRecords && c != '[':
				return s.errorf(s.offset(s.pos), ErrNotArray, "found %s", quoteChar(c))
			case isRecords:
				seen = true
				if err := s.records(fn, st); err != nil {
					return err
				}
				s.record = -1
			default:
				_, end, err := s.value(maxDepth-1, false)
				if err != nil {
					return err
				}
				s.pos = end
			}
			if c, err = s.peekMore(); err != nil {
				return err
			}
			if c == '}' {
				s.pos++
				break
			}
			if c != ',' {
				return s.errorf(s.offset(s.pos), ErrSyntax, "invalid character %s after object key:value pair", quoteChar(c))
			}
			s.pos++
			if c, err = s.peekMore(); err != nil {
				return err
			}
		}
	}
	if !seen {
		return s.errorf(s.offset(s.pos), ErrNoRecords, "the top-level object has no \"Records\" key")
	}
	c, err = s.peek()
	if err == nil {
		return s.errorf(s.offset(s.pos), ErrTrailingData, "%s after the top-level object", quoteChar(c))
	}
	if err != io.EOF {
		return err
	}
	return nil
}

// isRecordsKey reports whether the quoted key q is "Records".
func isRecordsKey(q []byte) bool {
	if string(q) == `"Records"` {
		return true
	}
	if len(q) <= len(`"Records"`) || bytes.IndexByte(q, '\\') < 0 {
		return false
	}
	var k string
	return json.Unmarshal(q, &k) == nil && k == "Records"
}

// records reads the Records array; s.pos is at its '['.
func (s *splitter) records(fn func(Record) error, st *Stats) error {
	s.pos++
	c, err := s.peekMore()
	if err != nil {
		return err
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		s.record = i
		start, end, err := s.value(maxDepth-2, true)
		if err != nil {
			return err
		}
		rec := Record{Raw: s.buf[start:end:end], Index: i, XMLSafe: s.special == 0}
		s.decodeFields(&rec)
		st.Records++
		if err := fn(rec); err != nil {
			return err
		}
		s.pos = end
		// Fast path: minified files have ',' or ']' right after a record
		// and the next record right after the ','.
		if s.pos+1 < s.end && s.buf[s.pos] == ',' && !isSpace(s.buf[s.pos+1]) {
			s.pos++
			continue
		}
		if c, err = s.peekMore(); err != nil {
			return err
		}
		if c == ']' {
			s.pos++
			return nil
		}
		if c != ',' {
			return s.errorf(s.offset(s.pos), ErrSyntax, "invalid character %s after array element", quoteChar(c))
		}
		s.pos++
		s.record = i + 1
		if _, err = s.peekMore(); err != nil {
			return err
		}
	}
}

// decodeFields sets the EventTime, EventName and EventType of r from the
// spans the scanner noted.
func (s *splitter) decodeFields(r *Record) {
	if s.escKey {
		decodeFieldsSlow(r)
		return
	}
	if sp := s.fields[fieldTime]; sp.end != 0 {
		var t time.Time
		if t.UnmarshalJSON(s.buf[sp.start:sp.end]) == nil {
			r.EventTime = t
		}
	}
	r.EventName = s.str(s.fields[fieldName])
	r.EventType = s.str(s.fields[fieldType])
}

// decodeFieldsSlow sets the fields of a record with an escaped top-level
// key (such as "event\u004eame", which CloudTrail does not write) with
// encoding/json: a map, where the last duplicate key wins, as the scanner
// does for plain keys.
func decodeFieldsSlow(r *Record) {
	var m map[string]json.RawMessage
	if json.Unmarshal(r.Raw, &m) != nil {
		return
	}
	if v, ok := m["eventTime"]; ok {
		var t time.Time
		if t.UnmarshalJSON(v) == nil {
			r.EventTime = t
		}
	}
	for _, f := range []struct {
		key string
		v   *string
	}{{"eventName", &r.EventName}, {"eventType", &r.EventType}} {
		var v string
		if json.Unmarshal(m[f.key], &v) == nil {
			*f.v = v
		}
	}
}

// str returns the unescaped string at sp. The values of eventName and
// eventType repeat a lot, so plain ones are interned: records do not
// allocate.
func (s *splitter) str(sp span) string {
	if sp.end == 0 {
		return ""
	}
	raw := s.buf[sp.start+1 : sp.end-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		if v, ok := s.intern[string(raw)]; ok {
			return v
		}
		v := string(raw)
		if len(s.intern) < maxInterned && len(v) <= 128 {
			s.intern[v] = v
		}
		return v
	}
	// Escapes or invalid UTF-8: encoding/json's rules (invalid UTF-8 and
	// lone surrogates become U+FFFD).
	var v string
	if json.Unmarshal(s.buf[sp.start:sp.end], &v) != nil {
		return ""
	}
	return v
}

// countingReader counts the bytes read from the caller's reader and
// remembers its last error, so that a reader failure is not mistaken for
// corrupt gzip data.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}
