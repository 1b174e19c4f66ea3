package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// readReport parses a whole report into JSON lines, times and totals.
func readReport(t testing.TB, r io.Reader) (*Reader, []string, []time.Time, *Totals) {
	t.Helper()
	rd, err := NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	enc := NewEncoder(rd.Layout(), "billing_version", "v1")
	tot := NewTotals(rd.Layout())
	var lines []string
	var times []time.Time
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tot.Add(row)
		js := enc.Append(nil, row)
		if !json.Valid(js) {
			t.Fatalf("line %d: invalid JSON %s", rd.Line(), js)
		}
		lines = append(lines, string(js))
		tm, _ := rd.Time(row)
		times = append(times, tm)
	}
	return rd, lines, times, tot
}

func TestSampleDBRWithResourcesAndTags(t *testing.T) {
	f, err := os.Open("testdata/detailed_with_tags.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, lines, times, tot := readReport(t, f)
	l := rd.Layout()
	if l.Kind != DBR || l.CostName(0) != "UnBlendedCost" || l.CostName(1) != "BlendedCost" {
		t.Fatalf("layout = %s %v", l.Kind, l.Costs)
	}
	if len(lines) != 8 || tot.Rows != 8 {
		t.Fatalf("%d rows", len(lines))
	}
	for _, tm := range times {
		if !tm.Equal(time.Date(2014, 9, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("time %v", tm)
		}
	}
	// 0.044 * 2 + 0.00000019 + 0.00000121 + 0.00000324 + 0.000035 + 0.00002
	if want := 0.08805964; math.Abs(tot.Costs[0]-want) > 1e-12 {
		t.Errorf("unblended total %v, want %v", tot.Costs[0], want)
	}
	golden(t, "testdata/detailed_with_tags.golden", strings.Join(lines, "\n")+"\n")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s", filepath.Base(path), got)
	}
}

func TestGeneratedReportsOfEveryKind(t *testing.T) {
	o := genOptions(500)
	type writeFn func(io.Writer) (gen.Want, error)
	tests := []struct {
		name      string
		kind      Kind
		write     writeFn
		firstCost string
		sumTotals bool // AccountTotal rows give the per-account amounts
	}{
		{"dbr with resources and tags", DBR, func(w io.Writer) (gen.Want, error) { return gen.DBR(w, o, true, true) }, "UnBlendedCost", true},
		{"plain dbr with Rate and Cost", DBR, func(w io.Writer) (gen.Want, error) { return gen.DBR(w, o, false, false) }, "Cost", true},
		{"monthly", Monthly, func(w io.Writer) (gen.Want, error) { return gen.Monthly(w, o, false) }, "TotalCost", true},
		{"cost allocation with its note line", CostAllocation, func(w io.Writer) (gen.Want, error) { return gen.Monthly(w, o, true) }, "TotalCost", true},
		{"cur with scientific notation", CUR, func(w io.Writer) (gen.Want, error) { return gen.CUR(w, o, 0) }, "lineItem/UnblendedCost", false},
		{"cur2 with map columns", CUR2, func(w io.Writer) (gen.Want, error) { return gen.CUR2(w, o, 0) }, "line_item_unblended_cost", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			want, err := tt.write(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rd, lines, times, tot := readReport(t, &buf)
			if k := rd.Layout().Kind; k != tt.kind {
				t.Fatalf("kind %s, want %s", k, tt.kind)
			}
			if rd.Layout().CostName(0) != tt.firstCost {
				t.Errorf("first cost column %s, want %s", rd.Layout().CostName(0), tt.firstCost)
			}
			if len(lines) != want.Rows || int(tot.Rows) != want.Rows {
				t.Errorf("%d rows, want %d", len(lines), want.Rows)
			}
			if math.Abs(tot.Costs[0]-want.Total) > 1e-6 {
				t.Errorf("total %v, want %v", tot.Costs[0], want.Total)
			}
			if len(tot.Accounts) != len(testAccounts) {
				t.Errorf("accounts %v", tot.Accounts)
			}
			for id, amount := range want.Accounts {
				a := tot.Accounts[id]
				if a == nil || math.Abs(a.Amount()-amount) > 1e-6 || a.HasTotal != tt.sumTotals {
					t.Errorf("account %s = %+v, want amount %v", id, a, amount)
				}
			}
			for i, tm := range times {
				if tm.IsZero() && tt.kind == DBR && i >= want.Items {
					continue // the total rows have no date: the collector uses the period
				}
				if PeriodOf(tm) != (Period{2026, 11}) {
					t.Fatalf("row %d: time %v outside the billing period", i+1, tm)
				}
			}
			if tot.BadNumbers != 0 {
				t.Errorf("%d bad numbers", tot.BadNumbers)
			}
			var first map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
				t.Fatal(err)
			}
			if first["billing_version"] != "v1" {
				t.Errorf("no billing_version: %s", lines[0])
			}
			if tt.kind == CUR2 {
				tags, ok := first["resource_tags"].(map[string]any)
				if !ok || tags["user_team"] == nil {
					t.Errorf("resource_tags not embedded as an object: %s", lines[0])
				}
			}
			if tt.kind == CUR && !strings.Contains(buf.String()+strings.Join(lines, ""), "E-") {
				t.Errorf("no scientific notation kept: %s", lines[0])
			}
		})
	}
}

func TestScientificNotationIsKeptAsText(t *testing.T) {
	in := "identity/LineItemId,lineItem/UsageStartDate,lineItem/UnblendedCost\nx,2023-11-04T23:00:00.000Z,1.81E-8\n"
	_, lines, times, tot := readReport(t, strings.NewReader(in))
	if lines[0] != `{"identity/LineItemId":"x","lineItem/UsageStartDate":"2023-11-04T23:00:00.000Z","lineItem/UnblendedCost":"1.81E-8","billing_version":"v1"}` {
		t.Errorf("got %s", lines[0])
	}
	if tot.Costs[0] != 1.81e-8 || !times[0].Equal(time.Date(2023, 11, 4, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("total %v time %v", tot.Costs[0], times[0])
	}
}

func TestTotalRowsAreNotCountedTwice(t *testing.T) {
	in := `InvoiceID,PayerAccountId,LinkedAccountId,RecordType,RecordId,UsageStartDate,Rate,Cost
"1","012345678901","111111111111","LineItem","1","2016-09-01 00:00:00","0.1","2.50"
"1","012345678901","111111111111","LineItem","2","","0.1","1.50"
"","012345678901","111111111111","AccountTotal","","","","4.00"
"1","012345678901","","InvoiceTotal","","","","4.00"
"","012345678901","","StatementTotal","","","","4.00"
`
	_, _, times, tot := readReport(t, strings.NewReader(in))
	if tot.Costs[0] != 4 || tot.Rows != 5 {
		t.Errorf("total %v over %d rows, want 4 over 5", tot.Costs[0], tot.Rows)
	}
	a := tot.Accounts["111111111111"]
	if a == nil || !a.HasTotal || a.Total != 4 || a.Cost != 4 {
		t.Errorf("account %+v", a)
	}
	if !times[1].IsZero() {
		t.Errorf("an RI fee row without a date has time %v; the caller picks the period", times[1])
	}
}

func TestNoteLineAnywhereIsSkipped(t *testing.T) {
	in := gen.TagsNote + "\nInvoiceID,PayerAccountId,LinkedAccountId,RecordType,RecordID,BillingPeriodStartDate,AvailabilityZone,TotalCost\n" +
		`"Estimated","1","2","LinkedLineItem","x","2017/05/01 00:00:00","","1.5"` + "\n" + gen.TagsNote + "\n"
	rd, lines, _, _ := readReport(t, strings.NewReader(in))
	if rd.Layout().Kind != CostAllocation || len(lines) != 1 || rd.noteLines != 2 {
		t.Errorf("kind %s, %d rows, %d notes", rd.Layout().Kind, len(lines), rd.noteLines)
	}
}

func TestUnknownHeaderIsNamed(t *testing.T) {
	_, err := NewReader(strings.NewReader("name,age\nbob,3\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 1 || !strings.Contains(err.Error(), `["name" "age"]`) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewReader(strings.NewReader("")); err == nil {
		t.Error("empty report accepted")
	}
}

func TestEncoder(t *testing.T) {
	l := Layout{Header: []string{"a", `q"k`, "product"}, Maps: []int{2}}
	enc := NewEncoder(&l, "billing_version", "e\"tag")
	tests := []struct {
		row  []string
		want string
	}{
		{[]string{"1", "", "{\"x\":1}"}, `{"a":"1","product":{"x":1},"billing_version":"e\"tag"}`},
		{[]string{"", "", ""}, `{"billing_version":"e\"tag"}`},
		{[]string{"tab\there\n\x01\\", "\xff", "{not json"}, `{"a":"tab\there\n\u0001\\","q\"k":"` + "\uFFFD" + `","product":"{not json","billing_version":"e\"tag"}`},
		{[]string{"1", "2", "", "extra"}, `{"a":"1","q\"k":"2","col_4":"extra","billing_version":"e\"tag"}`},
		{[]string{"ü€"}, `{"a":"ü€","billing_version":"e\"tag"}`},
	}
	for _, tt := range tests {
		row := make([][]byte, len(tt.row))
		for i, s := range tt.row {
			row[i] = []byte(s)
		}
		if got := string(enc.Append(nil, row)); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.row, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2016-09-30 23:00:00", utc(2016, 9, 30, 23, 0, 0, 0), true},
		{"2017/05/01 00:00:00", utc(2017, 5, 1, 0, 0, 0, 0), true},
		{"2023-11-04T23:00:00.000Z", utc(2023, 11, 4, 23, 0, 0, 0), true},
		{"2023-11-04T23:00:00Z", utc(2023, 11, 4, 23, 0, 0, 0), true},
		{"2023-11-04T23:00:00.5", utc(2023, 11, 4, 23, 0, 0, 5e8), true},
		{"2023-11-04T23:00:00+01:00", utc(2023, 11, 4, 22, 0, 0, 0), true},
		{"2023-11-04", utc(2023, 11, 4, 0, 0, 0, 0), true},
		{"20170801T000000.000Z", utc(2017, 8, 1, 0, 0, 0, 0), true},
		{"", time.Time{}, false},
		{"Estimated", time.Time{}, false},
		{"2023-13-04", time.Time{}, false},
		{"2023-11-04 25:00", time.Time{}, false},
		{"2023-11-04T23:00:00.", time.Time{}, false},
		{"2023-11-04T23:00:00 PST", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTime([]byte(tt.in))
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPeriod(t *testing.T) {
	p, ok := ParsePeriod("2024-02")
	if !ok || p.Days() != 29 || p.String() != "2024-02" || p.AddMonths(-2).String() != "2023-12" || !p.AddMonths(-1).Before(p) {
		t.Errorf("period %v", p)
	}
	for _, bad := range []string{"2024-13", "24-02", "2024/02", ""} {
		if _, ok := ParsePeriod(bad); ok {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestClassifyKey(t *testing.T) {
	tests := []struct {
		key  string
		want Object
		ok   bool
	}{
		{"012345678901-aws-billing-csv-2026-11.csv", Object{Kind: Monthly, Period: Period{2026, 11}, Payer: "012345678901"}, true},
		{"bills/012345678901-aws-cost-allocation-2026-10.csv", Object{Kind: CostAllocation, Period: Period{2026, 10}, Payer: "012345678901"}, true},
		{"012345678901-aws-billing-detailed-line-items-2016-09.csv.zip", Object{Kind: DBR, Period: Period{2016, 9}, Payer: "012345678901"}, true},
		{"012345678901-aws-billing-detailed-line-items-with-resources-and-tags-2016-09.csv.zip", Object{Kind: DBR, Period: Period{2016, 9}, Payer: "012345678901", Variant: "with-resources-and-tags"}, true},
		{"012345678901-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-2016-09.csv.zip", Object{Kind: DBR, Period: Period{2016, 9}, Payer: "012345678901", Variant: "with-resources-and-tags"}, true},
		{"hourly/hourly-cost-and-usage/20170801-20170901/hourly-cost-and-usage-Manifest.json", Object{Kind: CUR, Period: Period{2017, 8}, Name: "hourly-cost-and-usage"}, true},
		{"cur/20170801-20170901/cur-Manifest.json", Object{Kind: CUR, Period: Period{2017, 8}, Name: "cur"}, true},
		{"exports/acme/metadata/BILLING_PERIOD=2023-11/acme-Manifest.json", Object{Kind: CUR2, Period: Period{2023, 11}, Name: "acme"}, true},
		// Not reports by themselves:
		{"hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d/hourly-cost-and-usage-Manifest.json", Object{}, false},
		{"hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d/hourly-cost-and-usage-1.csv.gz", Object{}, false},
		{"exports/acme/data/BILLING_PERIOD=2023-11/acme-00001.csv.gz", Object{}, false},
		{"exports/acme/metadata/BILLING_PERIOD=2023-11/other-Manifest.json", Object{}, false},
		{"12345-aws-billing-csv-2026-11.csv", Object{}, false},
		{"012345678901-aws-billing-csv-2026-11.csv.bak", Object{}, false},
	}
	for _, tt := range tests {
		got, ok := ClassifyKey(tt.key)
		if ok {
			tt.want.Key = tt.key
		}
		if ok != tt.ok || got != tt.want {
			t.Errorf("ClassifyKey(%q) = %+v, %t; want %+v, %t", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseManifestSamples(t *testing.T) {
	f, err := os.Open("testdata/manifestTest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseManifest(f)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "abcdefgh-e98d-48d6-86b4-29967358fe6c" || len(m.Parts) != 2 || m.Period != (Period{2017, 8}) ||
		m.Bucket != "cost-and-usage-reports" || m.Parts[1] != "hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d-48d6-86b4-29967358fe6c/hourly-cost-and-usage-02.csv.gz" {
		t.Errorf("manifest = %+v", m)
	}
	for _, name := range []string{"LineItemTest-Manifest.json", "manifest-2019-12.json"} {
		f, err := os.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseManifest(f)
		f.Close()
		if err != nil || m.Version == "" || m.Period.IsZero() {
			t.Errorf("%s: %+v, %v", name, m, err)
		}
	}
}

func TestParseManifestCUR2AndErrors(t *testing.T) {
	m, err := ParseManifest(strings.NewReader(`{"executionId":"exec-1","exportName":"acme","billingPeriod":{"start":"2023-11-01T00:00:00.000Z","end":"2023-12-01T00:00:00.000Z"},
		"dataFiles":["s3://bills/exports/acme/data/BILLING_PERIOD=2023-11/acme-00001.csv.gz","s3://bills/exports/acme/data/BILLING_PERIOD=2023-11/acme-00002.csv.gz"]}`))
	if err != nil || m.Version != "exec-1" || m.Bucket != "bills" || m.Period != (Period{2023, 11}) || m.ReportName != "acme" ||
		len(m.Parts) != 2 || m.Parts[0] != "exports/acme/data/BILLING_PERIOD=2023-11/acme-00001.csv.gz" {
		t.Errorf("%+v, %v", m, err)
	}
	for _, bad := range []string{`{}`, `[`, `{"assemblyId":"a","reportKeys":["k"],"contentType":"Parquet"}`} {
		if _, err := ParseManifest(strings.NewReader(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzReader(f *testing.F) {
	sample, err := os.ReadFile("testdata/detailed_with_tags.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(gen.TagsNote + "\nRecordType,BillingPeriodStartDate,TotalCost,LinkedAccountId\n\"AccountTotal\",\"2017/05/01 00:00:00\",\"1e3\",\"1\"\n"))
	f.Add([]byte("line_item_usage_start_date,product,line_item_unblended_cost\n2023-11-04T23:00:00.000Z,\"{\"\"a\"\":1}\",1.81E-8\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		enc := NewEncoder(rd.Layout(), "billing_version", "v")
		tot := NewTotals(rd.Layout())
		for {
			row, err := rd.Next()
			if err != nil {
				return
			}
			tot.Add(row)
			rd.Time(row)
			if js := enc.Append(nil, row); !json.Valid(js) {
				t.Fatalf("invalid JSON %q from %q", js, data)
			}
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	for _, name := range []string{"manifestTest.json", "LineItemTest-Manifest.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"executionId":"e","dataFiles":["s3://b/k"],"billingPeriod":{"start":"2023-11-01T00:00:00.000Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(bytes.NewReader(data))
		if err == nil && m == nil {
			t.Fatal("nil manifest without error")
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2016-09-30 23:00:00", "2017/05/01 00:00:00", "2023-11-04T23:00:00.000Z", "20170801T000000.000Z", "2023-11-04T23:00:00+01:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseTime([]byte(s))
		if !ok {
			return
		}
		// Whatever we accept, time.Parse reads the same instant in one of
		// the layouts.
		for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07:00", "2006/01/02 15:04:05.999999999Z07:00",
			"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02", "20060102T150405.000Z", "20060102T150405Z",
			"2006-01-02 15:04:05.999999999", "2006/01/02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if want, err := time.Parse(layout, s); err == nil {
				if !want.Equal(got) {
					t.Fatalf("ParseTime(%q) = %v, time.Parse = %v", s, got, want)
				}
				return
			}
		}
	})
}

func TestPlain8(t *testing.T) {
	for c := range 256 {
		want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
		for pos := range 8 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			if got := plain8(binary.LittleEndian.Uint64(b)); got != want {
				t.Fatalf("byte %#x at %d: plain8 = %t", c, pos, got)
			}
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0.04400000", "-1.5", "123", ".5", "5.", "0.0000000000", "1.81E-8", "9007199254740993"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDecimal([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || got != want {
			t.Fatalf("parseDecimal(%q) = %v, ParseFloat = %v, %v", s, got, want, err)
		}
	})
}
