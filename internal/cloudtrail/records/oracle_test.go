package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"
)

// got is what a test keeps of a Record.
type got struct {
	Raw       string
	EventTime time.Time
	EventName string
	EventType string
}

// collect splits data and keeps copies of the records.
func collect(data []byte, opts Options, cfg config) ([]got, Stats, error) {
	var recs []got
	st, err := split(bytes.NewReader(data), opts, func(r Record) error {
		if r.Index != len(recs) {
			return errors.New("wrong Index")
		}
		if r.XMLSafe && needsXMLEscape(r.Raw) {
			return fmt.Errorf("record %d is XMLSafe but holds a byte XML escapes: %q", r.Index, r.Raw)
		}
		recs = append(recs, got{string(r.Raw), r.EventTime, r.EventName, r.EventType})
		return nil
	}, cfg)
	return recs, st, err
}

// needsXMLEscape is the reference for Record.XMLSafe, written
// independently of the scanner: a byte that is not ASCII, one of & < >, or
// a control character other than tab and line feed.
func needsXMLEscape(raw []byte) bool {
	for _, c := range raw {
		if c >= 0x80 || c == '&' || c == '<' || c == '>' || (c < 0x20 && c != '\t' && c != '\n') {
			return true
		}
	}
	return false
}

// oracle is what encoding/json says Split must return for the plain JSON
// document doc: ok is false when Split must fail. The document must be
// valid JSON (json.Valid), its top-level value an object with exactly one
// key that unescapes to "Records" and whose value is an array; the records
// are the array's elements as json.RawMessage, and the fields come from
// unmarshalling each object record into map[string]json.RawMessage (last
// duplicate wins), then its eventTime into time.Time and its eventName and
// eventType into string (zero values on failure).
func oracle(tb testing.TB, doc []byte) (want []got, ok bool) {
	tb.Helper()
	if !json.Valid(doc) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var arr json.RawMessage
	n := 0
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			tb.Fatalf("valid JSON, but Token: %v", err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("valid JSON, but Decode: %v", err)
		}
		if k == "Records" {
			n++
			arr = v
		}
	}
	if n != 1 || arr[0] != '[' {
		return nil, false
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(arr, &elems); err != nil {
		tb.Fatalf("valid JSON, but Unmarshal: %v", err)
	}
	want = []got{}
	for _, e := range elems {
		g := got{Raw: string(e)}
		var m map[string]json.RawMessage
		if json.Unmarshal(e, &m) == nil {
			if v, ok := m["eventTime"]; ok && g.EventTime.UnmarshalJSON(v) != nil {
				g.EventTime = time.Time{}
			}
			if json.Unmarshal(m["eventName"], &g.EventName) != nil {
				g.EventName = ""
			}
			if json.Unmarshal(m["eventType"], &g.EventType) != nil {
				g.EventType = ""
			}
		}
		want = append(want, g)
	}
	return want, true
}

// same reports the first difference between two record lists, or "".
func same(a, b []got) string {
	if len(a) != len(b) {
		return "different numbers of records"
	}
	for i := range a {
		switch {
		case a[i].Raw != b[i].Raw:
			return "Raw of record " + strconv.Itoa(i)
		case !a[i].EventTime.Equal(b[i].EventTime) || a[i].EventTime.Location().String() != b[i].EventTime.Location().String():
			return "EventTime of record " + strconv.Itoa(i)
		case a[i].EventName != b[i].EventName:
			return "EventName of record " + strconv.Itoa(i)
		case a[i].EventType != b[i].EventType:
			return "EventType of record " + strconv.Itoa(i)
		}
	}
	return ""
}

// errReader fails after its data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = e.err
	}
	return n, err
}
