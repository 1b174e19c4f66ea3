package records

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzSplit compares Split with encoding/json on {"Records":[ data ]}:
// when encoding/json accepts the document (and it has exactly one
// "Records" key, see oracle), Split must return the same records, byte for
// byte, with the same eventTime, eventName and eventType; when it rejects
// it, Split must fail. Each input is split twice: with the default buffer
// and with a tiny one, so that records straddle refills.
//
//	go test -run '^$' -fuzz FuzzSplit -fuzztime 60s ./internal/cloudtrail/records/
func FuzzSplit(f *testing.F) {
	recs, err := realRecords()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range recs[:168] { // the distinct real records
		f.Add([]byte(r), uint8(0))
	}
	for i, name := range stratusFiles(f) {
		arr, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		arr = bytes.TrimSpace(arr)
		f.Add(arr[1:len(arr)-1], uint8(i)) // pretty-printed records
	}
	for _, s := range []string{
		"", " ", recA, recEscapes, recUnicode, recInsight, recOdd, digest,
		recA + "," + recOdd + "," + recA,
		`1,"x",null,true,false,[],{},-0.5e-3,1E+2,0`,
		`{"eventName":"a` + "\xff" + `b","x":"` + "\xc3\x28\xed\xa0\x80" + `"}`,
		`{"a":"]}\"{[","b":"\\","c":"\\\"","eventName":"\"]"}`,
		`{"event\u0054ime":"2024-08-02T08:23:24.5+01:00","eventTime":"2024-08-02T08:23:24.5+01:00"}`,
		`{"eventTime":"2024-02-30T08:23:24Z"}`, `{"eventTime":" 2024-08-02T08:23:24Z"}`,
		`{"eventName":"\ud800\udc00\ud800"}`, `{"eventType":"\u0000"}`,
		strings.Repeat("[", 50) + strings.Repeat("]", 50),
		strings.Repeat(`{"a":`, 30) + "1" + strings.Repeat("}", 30),
		`1],"Records":[2`, `1]}{"x":[`, `],"x":{"Records":[`, `1],"Rec\u006frds":[2`,
		`{"a":1}]} `, `{"a":1}]}x`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"` + "\x1f" + `"}`,
		`{"a":1,}`, `{,}`, `[,]`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":[1 2]}`, `{"a":}`, `{1:2}`,
		"\t{ \"eventName\" : \"x\" }\r\n", "{\"a\":\"\x7f\u2028\"}",
	} {
		f.Add([]byte(s), uint8(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, small uint8) {
		d := make([]byte, 0, len(data)+16)
		d = append(append(append(d, `{"Records":[`...), data...), `]}`...)
		want, ok := oracle(t, d)
		for _, bs := range []int{0, 1 + int(small%32)} {
			recs, st, err := collect(d, Options{}, config{bufSize: bs})
			if !ok {
				if err == nil {
					t.Fatalf("bufSize %d: accepted a document encoding/json rejects:\n%q", bs, d)
				}
				e, isErr := errors.AsType[*Error](err)
				if !isErr {
					t.Fatalf("bufSize %d: %T is not an *Error: %v", bs, err, err)
				}
				if !isSentinel(e.Err) {
					t.Fatalf("bufSize %d: unexpected error %v", bs, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("bufSize %d: %v\n%q", bs, err, d)
			}
			if diff := same(recs, want); diff != "" {
				t.Fatalf("bufSize %d: %s differs from encoding/json\n%q", bs, diff, d)
			}
			if st.Records != len(want) || st.DecompressedBytes != int64(len(d)) {
				t.Fatalf("bufSize %d: Stats = %+v", bs, st)
			}
		}
	})
}

func isSentinel(err error) bool {
	return slices.Contains([]error{ErrNoRecords, ErrNotArray, ErrDuplicateRecords, ErrSyntax, ErrTruncated, ErrTrailingData, ErrRecordTooLarge, ErrCorrupt}, err)
}
