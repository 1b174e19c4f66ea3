package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func readAll(t testing.TB, in string) ([][]string, error) {
	t.Helper()
	rr := newRecordReader(strings.NewReader(in))
	var out [][]string
	for {
		rec, err := rr.read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		row := make([]string, len(rec))
		for i, f := range rec {
			row[i] = string(f)
		}
		out = append(out, row)
	}
}

func TestRecordReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
		err  bool
	}{
		{name: "bare", in: "a,b,c\n1,2,3\n", want: [][]string{{"a", "b", "c"}, {"1", "2", "3"}}},
		{name: "quoted with bare empties", in: `"x","",,"y"` + "\n", want: [][]string{{"x", "", "", "y"}}},
		{name: "comma and escaped quote", in: `"First 1,000,000 ""free""",2` + "\n", want: [][]string{{`First 1,000,000 "free"`, "2"}}},
		{name: "crlf", in: "a,\"b\"\r\nc,d\r\n", want: [][]string{{"a", "b"}, {"c", "d"}}},
		{name: "no final newline", in: "a,b", want: [][]string{{"a", "b"}}},
		{name: "trailing cr at eof", in: "a,b\r", want: [][]string{{"a", "b"}}},
		{name: "newline in quotes", in: "\"line1\r\nline2\",x\ny\n", want: [][]string{{"line1\nline2", "x"}, {"y"}}},
		{name: "empty lines skipped", in: "\n\na\n\r\nb\n", want: [][]string{{"a"}, {"b"}}},
		{name: "trailing empty field", in: "a,\n", want: [][]string{{"a", ""}}},
		{name: "empty quoted last", in: "a,\"\"\n", want: [][]string{{"a", ""}}},
		{name: "bom dropped", in: "\xef\xbb\xbfa,b\n", want: [][]string{{"a", "b"}}},
		{name: "lazy quote in bare field", in: `5" disk,x` + "\n", want: [][]string{{`5" disk`, "x"}}},
		{name: "text after closing quote", in: `"a"b,c` + "\n", want: [][]string{{"ab", "c"}}},
		{name: "unterminated", in: "\"abc\nx", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %t", err, tt.err)
			}
			if !tt.err && !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecordReaderLongRecordsAcrossBufferBoundaries(t *testing.T) {
	long := strings.Repeat("x", 300<<10) // longer than the bufio buffer
	in := `"` + long + `",` + long + "\n" + `"a""` + long + `"` + "\n"
	got, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{long, long}, {`a"` + long}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("long records differ")
	}
}

func TestUnterminatedQuoteIsBounded(t *testing.T) {
	in := "h\n\"" + strings.Repeat("x\n", maxRecordBytes/2+10)
	_, err := readAll(t, in)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !errors.Is(err, errUnterminated) {
		t.Fatalf("err = %v, want a ParseError on line 2", err)
	}
}

// Where encoding/csv accepts the input, the fast reader must return the
// same records.
func FuzzRecordsMatchEncodingCSV(f *testing.F) {
	for _, s := range []string{"a,b\n", `"a""b",c` + "\r\n", "\"x\ny\",z\n\n", `"",,""` + "\n", "a,b\r", "\"a\r\nb\"\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := readAll(t, in)
		if strings.HasPrefix(in, "\xef\xbb\xbf") {
			return // we drop a BOM; encoding/csv keeps it
		}
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		want, werr := cr.ReadAll()
		if werr != nil {
			return // lenient where encoding/csv is strict: nothing to compare
		}
		if err != nil {
			t.Fatalf("%q: encoding/csv reads it, we fail: %v", in, err)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%q:\n got %q\nwant %q", in, got, want)
		}
	})
}

func BenchmarkRecordReader(b *testing.B) {
	data := sampleDBR(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rr := newRecordReader(bytes.NewReader(data))
		for {
			if _, err := rr.read(); err != nil {
				break
			}
		}
	}
}

func BenchmarkEncodingCSV(b *testing.B) {
	data := sampleDBR(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		for {
			if _, err := cr.Read(); err != nil {
				break
			}
		}
	}
}
