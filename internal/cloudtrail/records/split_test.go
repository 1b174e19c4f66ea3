package records

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// bufSizes are the initial buffer sizes every table case runs with: tiny
// ones make records straddle refills and exercise the rescans.
var bufSizes = []int{0, 1, 13, 4096}

type splitCase struct {
	name  string
	input []byte  // what Split reads
	doc   []byte  // the plain JSON document, when input is gzip; nil: input
	opts  Options // MaxRecordBytes
	// For failures:
	err       error // sentinel wanted; nil means success as the oracle says
	records   int   // records passed before the error (-1: do not check)
	errRecord int   // *Error.Record wanted (-2: do not check)
}

// A record with the fields Split extracts and others around them.
const recA = `{"eventVersion":"1.08","eventTime":"2024-08-02T08:23:24Z","eventSource":"ssm.amazonaws.com","eventName":"SendCommand","awsRegion":"us-east-1","eventType":"AwsApiCall","requestParameters":{"eventName":"nested","eventTime":"2020-01-01T00:00:00Z","list":[1,2.5,-3e+2,true,false,null,"]}"]}}`

// A record with escapes of every kind, in values and in a key.
const recEscapes = `{"eventTime":"2024-08-02T08:23:24.123Z","event\u004eame":"Get\"Obj\\ect\u00e9\ud83d\ude00\/","eventType":"Aws\u0041piCall","x":"\b\f\n\r\t\\\"","y":"\\"}`

// Literal non-ASCII text, and a lone surrogate escape.
const recUnicode = `{"eventName":"Überprüfung-日本語-🙂","userAgent":"ü","eventType":"\udc00","eventTime":"2024-08-02T10:23:24+02:00"}`

// An Insights record: no eventName at the top level.
const recInsight = `{"eventVersion":"1.08","eventTime":"2024-08-02T08:00:00Z","awsRegion":"us-east-1","eventID":"0b0b0b0b-1111-2222-3333-444444444444","eventType":"AwsCloudTrailInsight","recipientAccountId":"111122223333","sharedEventID":"5c5c5c5c-1111-2222-3333-444444444444","insightDetails":{"state":"Start","eventSource":"ssm.amazonaws.com","eventName":"SendCommand","insightType":"ApiCallRateInsight","insightContext":{"statistics":{"baseline":{"average":0.1},"insight":{"average":4.5}},"attributions":[]}},"eventCategory":"Insight"}`

// Fields that are absent, repeated (the last wins) or not strings.
const recOdd = `{"eventName":"first","eventName":"second","eventTime":"2024-08-02T08:23:24Z","eventTime":null,"eventType":7}`

// A digest file, shaped as in cloudtrail-ingestion.md §4.1 (values made up).
const digest = `{"awsAccountId":"111122223333","digestStartTime":"2024-08-02T07:36:49Z","digestEndTime":"2024-08-02T08:36:49Z","digestS3Bucket":"example-trail-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/08/02/111122223333_CloudTrail-Digest_us-east-1_example_us-east-1_20240802T083649Z.json.gz","digestPublicKeyFingerprint":"00112233445566778899aabbccddeeff","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[{"s3Bucket":"example-trail-bucket","s3Object":"AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/02/111122223333_CloudTrail_us-east-1_20240802T0830Z_AbCdEfGhIjKlMnOp.json.gz","hashValue":"00","hashAlgorithm":"SHA-256","newestEventTime":"2024-08-02T08:26:24Z","oldestEventTime":"2024-08-02T08:26:24Z"}]}`

func doc(recs ...string) []byte {
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

func splitCases(t *testing.T) []splitCase {
	t.Helper()
	var cases []splitCase
	for _, name := range stratusFiles(t) {
		arr, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		d := []byte(`{"Records":` + string(arr) + "}\n")
		cases = append(cases, splitCase{name: "stratus/" + filepath.Base(name), input: gzipBytes(t, d), doc: d})
	}
	derivedGz, err := os.ReadFile(derivedLarge)
	if err != nil {
		t.Fatal(err)
	}
	derived, err := derivedJSON()
	if err != nil {
		t.Fatal(err)
	}
	real := mustRealRecords(t)
	rec0, rec1 := string(real[0]), string(real[1])

	big := strings.Repeat("A", 100<<10)
	jsonInString, _ := json.Marshal(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"` + big[:90<<10] + `"}]}`)
	rec100k := `{"eventTime":"2024-08-02T08:23:24Z","eventName":"PutRolePolicy","requestParameters":{"policyDocument":` + string(jsonInString) + `,"blob":"` + big + `"},"responseElements":null}`

	twoMembers := append(gzipBytes(t, doc(rec0)), gzipBytes(t, doc(rec1))...)

	corrupt := append([]byte(nil), derivedGz...)
	corrupt[len(corrupt)-6] ^= 0xff // in the CRC-32

	cases = append(cases,
		splitCase{name: "derived-large gzip", input: derivedGz, doc: derived},
		splitCase{name: "derived-large plain", input: derived},
		splitCase{name: "Records not first, other keys before and after", input: []byte(
			`{"eventVersion":"x","meta":{"a":[1,{"b":"]}\"{["}],"c":null,"d":{"e":{"f":[[[]]]}}},"n":-0.5E-7,` +
				`"Records":[` + rec0 + `,` + recA + `],"after":[[],{},"x",-1.5e3,true,false,null,{"Records":5}],"z":"}"}`)},
		splitCase{name: "whitespace everywhere", input: []byte(" \t\r\n{ \"Records\" :\n[\n " + recA + " ,\r\n\t" + rec1 + "\n]\n,\"x\" : [ 1 , { } ]\n}\n\t \r\n")},
		splitCase{name: "empty array", input: []byte(`{"Records":[]}`)},
		splitCase{name: "empty array with spaces and gzip", input: gzipBytes(t, []byte(`{ "Records" : [ ] }`)), doc: []byte(`{ "Records" : [ ] }`)},
		splitCase{name: "100 KB fields", input: gzipBytes(t, doc(rec0, rec100k, rec1)), doc: doc(rec0, rec100k, rec1)},
		splitCase{name: "escapes", input: doc(recEscapes, `{"eventName":"\\\"\\"}`)},
		splitCase{name: "non-ASCII and lone surrogate", input: doc(recUnicode)},
		splitCase{name: "invalid UTF-8", input: doc(`{"eventName":"a` + "\xff" + `b","x":"` + "\xc3\x28\xed\xa0\x80" + `","eventType":"` + "\xf0\x9f\x99" + `"}`)},
		splitCase{name: "insights record", input: doc(recInsight)},
		splitCase{name: "duplicate and non-string fields", input: doc(recOdd)},
		splitCase{name: "non-object elements", input: doc(`1`, `"s"`, `[{"eventName":"x"}]`, `null`, `{}`, `-0`, `true`)},
		splitCase{name: "escaped Records key", input: []byte(`{"Rec\u006frds":[` + recA + `]}`)},
		splitCase{name: "record of exactly MaxRecordBytes", input: doc(rec0), opts: Options{MaxRecordBytes: len(rec0)}},
		splitCase{name: "trailing whitespace", input: append(doc(recA), " \n\r\t"...)},
		splitCase{name: "deep nesting at the limit", input: []byte(`{"Records":[` + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + `]}`)},

		splitCase{name: "digest file", input: gzipBytes(t, []byte(digest)), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "empty file", input: nil, err: ErrNoRecords, errRecord: -1},
		splitCase{name: "whitespace only", input: []byte(" \n"), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "empty gzip", input: gzipBytes(t, nil), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "empty object", input: []byte(`{}`), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "bare array", input: []byte(`[` + recA + `]`), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "lower-case records", input: []byte(`{"records":[` + recA + `]}`), err: ErrNoRecords, errRecord: -1},
		splitCase{name: "Records is an object", input: []byte(`{"Records":{"a":1}}`), err: ErrNotArray, errRecord: -1},
		splitCase{name: "Records is null", input: []byte(`{"Records":null}`), err: ErrNotArray, errRecord: -1},
		splitCase{name: "Records twice", input: []byte(`{"Records":[` + recA + `],"Records":[]}`), err: ErrDuplicateRecords, records: 1, errRecord: -1},
		splitCase{name: "truncated gzip", input: derivedGz[:len(derivedGz)/2], err: ErrTruncated, records: -1, errRecord: -2},
		splitCase{name: "truncated gzip trailer", input: derivedGz[:len(derivedGz)-3], err: ErrTruncated, records: 5000, errRecord: -1},
		splitCase{name: "truncated gzip header", input: derivedGz[:5], err: ErrTruncated, errRecord: -1},
		splitCase{name: "corrupt gzip CRC", input: corrupt, err: ErrCorrupt, records: 5000, errRecord: -1},
		splitCase{name: "truncated JSON in a complete gzip member", input: gzipBytes(t, derived[:len(derived)/3]), err: ErrTruncated, records: -1, errRecord: -2},
		splitCase{name: "truncated JSON", input: derived[:len(derived)-2], err: ErrTruncated, records: 5000, errRecord: 4999},
		splitCase{name: "two gzip members", input: twoMembers, err: ErrTrailingData, records: 1, errRecord: -1},
		splitCase{name: "zeros after the gzip member", input: append(gzipBytes(t, doc(rec0)), 0, 0, 0, 0), err: ErrTrailingData, records: 1, errRecord: -1},
		splitCase{name: "garbage after the object", input: append(doc(rec0), " x"...), err: ErrTrailingData, records: 1, errRecord: -1},
		splitCase{name: "second object", input: append(doc(rec0), "{}"...), err: ErrTrailingData, records: 1, errRecord: -1},
		splitCase{name: "garbage after the object in gzip", input: gzipBytes(t, append(doc(rec0), "\n]"...)), err: ErrTrailingData, records: 1, errRecord: -1},
		splitCase{name: "record over MaxRecordBytes", input: doc(rec0, rec100k, rec1), opts: Options{MaxRecordBytes: 100 << 10}, err: ErrRecordTooLarge, records: 1, errRecord: 1},
		splitCase{name: "record one byte over MaxRecordBytes", input: doc(rec0), opts: Options{MaxRecordBytes: len(rec0) - 1}, err: ErrRecordTooLarge, records: 0, errRecord: 0},
		splitCase{name: "top-level value over MaxRecordBytes", input: []byte(`{"x":"` + big + `","Records":[]}`), opts: Options{MaxRecordBytes: 1000}, err: ErrRecordTooLarge, errRecord: -1},
		splitCase{name: "invalid literal in a record", input: doc(rec0, `{"readOnly":tru}`), err: ErrSyntax, records: 1, errRecord: 1},
		splitCase{name: "unescaped quote in a record", input: doc(recA, `{"a":"b"c"}`), err: ErrSyntax, records: 1, errRecord: 1},
		splitCase{name: "bad escape", input: doc(`{"a":"\x"}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "bad unicode escape", input: doc(`{"a":"\u12G4"}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "control character in a string", input: doc(`{"a":"` + "\n" + `"}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "leading zero", input: doc(`{"a":01}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "trailing comma in a record", input: doc(`{"a":1,}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "trailing comma in Records", input: []byte(`{"Records":[` + recA + `,]}`), err: ErrSyntax, records: 1, errRecord: 1},
		splitCase{name: "missing comma between records", input: []byte(`{"Records":[` + recA + recA + `]}`), err: ErrSyntax, records: 1, errRecord: 0},
		splitCase{name: "mismatched brackets", input: doc(`{"a":[1}}`), err: ErrSyntax, records: 0, errRecord: 0},
		splitCase{name: "single-quoted key", input: []byte(`{'Records':[]}`), err: ErrSyntax, errRecord: -1},
		splitCase{name: "byte order mark", input: append([]byte("\xef\xbb\xbf"), doc(recA)...), err: ErrSyntax, errRecord: -1},
		splitCase{name: "invalid JSON after Records", input: []byte(`{"Records":[` + recA + `],"x":[1,]}`), err: ErrSyntax, records: 1, errRecord: -1},
		splitCase{name: "nesting over the limit", input: []byte(`{"Records":[` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `]}`), err: ErrSyntax, records: 0, errRecord: 0},
	)
	return cases
}

func TestSplit(t *testing.T) {
	for _, tc := range splitCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			plain := tc.doc
			if plain == nil {
				plain = tc.input
			}
			want, ok := oracle(t, plain)
			if tc.err == nil && !ok {
				t.Fatal("test case: encoding/json rejects the document")
			}
			for _, bs := range bufSizes {
				h := sha256.New()
				opts := tc.opts
				opts.Hash = h
				recs, st, err := collect(tc.input, opts, config{bufSize: bs})
				if tc.err != nil {
					checkError(t, bs, tc, recs, err)
					continue
				}
				if err != nil {
					t.Fatalf("bufSize %d: %v", bs, err)
				}
				if d := same(recs, want); d != "" {
					t.Fatalf("bufSize %d: %s differs from encoding/json", bs, d)
				}
				wantSt := Stats{Records: len(want), CompressedBytes: int64(len(tc.input)), DecompressedBytes: int64(len(plain)), Gzip: tc.doc != nil}
				if st != wantSt {
					t.Errorf("bufSize %d: Stats = %+v, want %+v", bs, st, wantSt)
				}
				if sum := sha256.Sum256(plain); !bytes.Equal(h.Sum(nil), sum[:]) {
					t.Errorf("bufSize %d: Hash is not the SHA-256 of the JSON", bs)
				}
			}
		})
	}
}

func checkError(t *testing.T, bs int, tc splitCase, recs []got, err error) {
	t.Helper()
	if !errors.Is(err, tc.err) {
		t.Fatalf("bufSize %d: err = %v, want %v", bs, err, tc.err)
	}
	e, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("bufSize %d: %T is not an *Error", bs, err)
	}
	if tc.errRecord != -2 && e.Record != tc.errRecord {
		t.Errorf("bufSize %d: Record = %d, want %d (%v)", bs, e.Record, tc.errRecord, err)
	}
	if tc.records >= 0 && len(recs) != tc.records {
		t.Errorf("bufSize %d: %d records before the error, want %d", bs, len(recs), tc.records)
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprintf("byte %d", e.Offset)) || (e.Record >= 0 && !strings.Contains(msg, fmt.Sprintf("record %d,", e.Record))) {
		t.Errorf("message does not say where: %q", msg)
	}
}

// TestSplitDerived checks the numbers of the derived-large file.
func TestSplitDerived(t *testing.T) {
	gz, err := os.ReadFile(derivedLarge)
	if err != nil {
		t.Fatal(err)
	}
	recs, st, err := collect(gz, Options{}, config{})
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{Records: 5000, CompressedBytes: 930297, DecompressedBytes: 6218381, Gzip: true}) {
		t.Errorf("Stats = %+v", st)
	}
	for i, r := range recs {
		if r.EventTime.IsZero() || r.EventTime.Location() != time.UTC || r.EventName == "" || r.EventType != "AwsApiCall" {
			t.Fatalf("record %d: %v %q %q", i, r.EventTime, r.EventName, r.EventType)
		}
	}
	if want := time.Date(2024, 8, 2, 8, 23, 24, 0, time.UTC); !recs[0].EventTime.Equal(want) || recs[0].EventName != "SendCommand" {
		t.Errorf("record 0: %v %q", recs[0].EventTime, recs[0].EventName)
	}
}

// TestEventTimeMilliseconds: fractional seconds are kept.
func TestEventTimeMilliseconds(t *testing.T) {
	recs, _, err := collect(doc(recEscapes), Options{}, config{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 8, 2, 8, 23, 24, 123e6, time.UTC); !recs[0].EventTime.Equal(want) {
		t.Errorf("EventTime = %v, want %v", recs[0].EventTime, want)
	}
	if recs[0].EventName != "Get\"Obj\\ecté😀/" {
		t.Errorf("EventName = %q", recs[0].EventName)
	}
}

// TestTruncatedEverywhere cuts a document at every byte: each proper
// prefix is truncated JSON.
func TestTruncatedEverywhere(t *testing.T) {
	d := []byte(`{"a":[1,-2.5e+3,"x\"y\u00e9",true,false,null,{}],"Records":[` + recEscapes + `,` + recOdd + `,[],7,-0.1],"z":{"q":[]}}`)
	if _, ok := oracle(t, d); !ok {
		t.Fatal("test document rejected by encoding/json")
	}
	for n := 1; n < len(d); n++ {
		for _, bs := range []int{0, 3} {
			_, _, err := collect(d[:n], Options{}, config{bufSize: bs})
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("cut at %d (%q), bufSize %d: err = %v, want ErrTruncated", n, d[n-5:n], bs, err)
			}
		}
	}
}

// TestTruncatedGzipEverywhere cuts a gzip file at many places.
func TestTruncatedGzipEverywhere(t *testing.T) {
	gz := gzipBytes(t, doc(recA, recEscapes, recUnicode))
	for n := 2; n < len(gz); n++ {
		_, _, err := collect(gz[:n], Options{}, config{})
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d of %d: err = %v, want ErrTruncated", n, len(gz), err)
		}
	}
}

// TestTwoMembersHash: the hash covers the first member only.
func TestTwoMembersHash(t *testing.T) {
	first := doc(recA)
	input := append(gzipBytes(t, first), gzipBytes(t, doc(recOdd))...)
	h := sha256.New()
	var names []string
	_, err := Split(bytes.NewReader(input), Options{Hash: h}, func(r Record) error {
		names = append(names, r.EventName)
		return nil
	})
	if !errors.Is(err, ErrTrailingData) {
		t.Fatalf("err = %v, want ErrTrailingData", err)
	}
	if sum := sha256.Sum256(first); !bytes.Equal(h.Sum(nil), sum[:]) {
		t.Error("Hash is not the SHA-256 of the first member")
	}
	if len(names) != 1 || names[0] != "SendCommand" {
		t.Errorf("records = %q", names)
	}
}

// TestCallbackError: fn's error stops Split and comes back as is.
func TestCallbackError(t *testing.T) {
	stop := errors.New("stop")
	gz, err := os.ReadFile(derivedLarge)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	st, err := Split(bytes.NewReader(gz), Options{}, func(r Record) error {
		if n++; r.Index == 41 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("err = %v, want %v itself", err, stop)
	}
	if n != 42 || st.Records != 42 {
		t.Errorf("fn called %d times, Stats.Records = %d, want 42", n, st.Records)
	}
}

// TestReaderError: a failing reader is reported as itself, not as corrupt
// or truncated data.
func TestReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	gz, err := os.ReadFile(derivedLarge)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := derivedJSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"gzip": gz, "plain": plain} {
		r := &errReader{r: bytes.NewReader(data[:len(data)/2]), err: boom}
		_, err := Split(r, Options{}, func(Record) error { return nil })
		if !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTruncated) {
			t.Errorf("%s: err = %v, want %v", name, err, boom)
		}
		// io.ErrUnexpectedEOF from the reader (a body cut short) is truncation.
		r = &errReader{r: bytes.NewReader(data[:len(data)/2]), err: io.ErrUnexpectedEOF}
		_, err = Split(r, Options{}, func(Record) error { return nil })
		if !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: err = %v, want ErrTruncated", name, err)
		}
	}
}

// TestSmallReads: a reader returning one byte at a time changes nothing.
func TestSmallReads(t *testing.T) {
	d := doc(recA, recEscapes, recUnicode, recInsight, recOdd)
	want, _ := oracle(t, d)
	for name, data := range map[string][]byte{"gzip": gzipBytes(t, d), "plain": d} {
		var recs []got
		_, err := Split(iotest.OneByteReader(bytes.NewReader(data)), Options{}, func(r Record) error {
			recs = append(recs, got{string(r.Raw), r.EventTime, r.EventName, r.EventType})
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := same(recs, want); diff != "" {
			t.Errorf("%s: %s differs", name, diff)
		}
	}
}

// TestRawCapacity: appending to Raw cannot overwrite the next record.
func TestRawCapacity(t *testing.T) {
	_, err := Split(bytes.NewReader(doc(recA, recOdd)), Options{}, func(r Record) error {
		if cap(r.Raw) != len(r.Raw) {
			t.Errorf("record %d: cap(Raw) = %d, len %d", r.Index, cap(r.Raw), len(r.Raw))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReuse: pooled splitters carry nothing from one file to the next,
// including after a failure and after growing for a big record.
func TestReuse(t *testing.T) {
	big := `{"eventName":"Big","x":"` + strings.Repeat("x", 1<<20) + `"}`
	inputs := [][]byte{doc(recA), []byte(`{"Records":[{"a":`), doc(big, recOdd), gzipBytes(t, doc(recInsight)), doc(recA)}
	for range 3 {
		for i, in := range inputs {
			want, ok := oracle(t, in)
			if i == 3 {
				want, ok = oracle(t, doc(recInsight))
			}
			recs, _, err := collect(in, Options{}, config{})
			if ok != (err == nil) {
				t.Fatalf("input %d: err = %v", i, err)
			}
			if ok && same(recs, want) != "" {
				t.Fatalf("input %d: records differ", i)
			}
		}
	}
}

func ExampleSplit() {
	file := gzipExample(`{"Records":[
		{"eventVersion":"1.08","eventTime":"2024-08-02T08:23:24Z","eventName":"SendCommand","eventType":"AwsApiCall"},
		{"eventVersion":"1.08","eventTime":"2024-08-02T08:23:25.250Z","eventName":"StopLogging","eventType":"AwsApiCall"}
	]}`)
	st, err := Split(bytes.NewReader(file), Options{}, func(r Record) error {
		fmt.Println(r.Index, r.EventTime.Format(time.RFC3339Nano), r.EventName, len(r.Raw))
		return nil
	})
	fmt.Println(st.Records, st.Gzip, err)
	// Output:
	// 0 2024-08-02T08:23:24Z SendCommand 109
	// 1 2024-08-02T08:23:25.25Z StopLogging 113
	// 2 true <nil>
}

func gzipExample(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// XMLSafe must be exact enough to matter: plain records are marked, and a
// record with a byte XML escapes never is, at every buffer size (the scanner
// checks the last bytes of its buffer one at a time).
func TestXMLSafe(t *testing.T) {
	cases := []struct {
		rec  string
		safe bool
	}{
		{recA, true},
		{`{"eventName":"a<b"}`, false},
		{`{"a":"x","eventName":"R&D"}`, false},
		{`{"eventName":"x>"}`, false},
		{`{"eventName":"caf` + "\xc3\xa9" + `"}`, false},
		{`{"eventName":"` + "\xff" + `"}`, false},
		{`{"a<b":1}`, false},
		{`{"eventName":"\u003c"}`, true}, // escaped in JSON: plain bytes
		{"{\"a\":1,\r\n\"b\":2}", false},
		{`{"a":[1,true,null,-2.5e3,{"b":"c"}]}`, true},
	}
	for _, tc := range cases {
		for _, bs := range []int{0, 1, 3, 7, 9, 17} {
			doc := []byte(`{"Records":[` + tc.rec + `]}`)
			var got []bool
			_, err := split(bytes.NewReader(doc), Options{}, func(r Record) error {
				got = append(got, r.XMLSafe)
				return nil
			}, config{bufSize: bs})
			if err != nil {
				t.Fatalf("%q: %v", tc.rec, err)
			}
			if len(got) != 1 || got[0] != tc.safe {
				t.Errorf("%q (buffer %d): XMLSafe %v, want %v", tc.rec, bs, got, tc.safe)
			}
		}
	}
}

// Nearly every real record takes the fast path.
func TestXMLSafeRealRecords(t *testing.T) {
	recs, err := realRecords()
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			doc = append(doc, ',')
		}
		doc = append(doc, r...)
	}
	doc = append(doc, "]}"...)
	safe, total := 0, 0
	if _, err := Split(bytes.NewReader(doc), Options{}, func(r Record) error {
		total++
		if r.XMLSafe {
			safe++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d real records are XMLSafe", safe, total)
	if safe < total*8/10 {
		t.Errorf("only %d of %d real records are XMLSafe", safe, total)
	}
}
