package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// End-to-end: the built binary, run as splunkd runs it, against moto_server's
// S3.

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const (
	bucket = "acme-billing"
	payer  = "012345678901"
)

// The legacy app's aws.conf, with ” placeholders for accounts without keys.
const legacyConf = `[keys]
012345678901 = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 200000
111111111111 = web '' '' 1000
222222222222 = batch '' '' 50
333333333333 = lake

[regions]
rgn1 = us-east-1

[misc]
corpkey = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
acno = 012345678901
s3bucket = acme-billing
`

var accounts = []gen.Account{{ID: "111111111111", Name: "Web"}, {ID: "222222222222", Name: "Batch jobs"}, {ID: "333333333333", Name: "Data lake"}}

type fixture struct {
	t          *testing.T
	srv        *moto.Server
	s3         *s3.Client
	bin        string
	dir        string
	checkpoint string
	lookups    string
	month      time.Time
}

func newFixture(t *testing.T) *fixture {
	if testing.Short() {
		t.Skip("builds the binary and runs moto_server")
	}
	srv := moto.Require(t)
	f := &fixture{t: t, srv: srv, bin: splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_billing"), dir: t.TempDir()}
	f.s3 = s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := f.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	f.checkpoint = filepath.Join(f.dir, "modinputs", "aws_ingest_billing")
	f.lookups = filepath.Join(f.dir, "lookups")
	now := time.Now().UTC()
	f.month = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := os.WriteFile(filepath.Join(f.dir, "aws.conf"), []byte(legacyConf), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) put(key string, data []byte) string {
	f.t.Helper()
	out, err := f.s3.PutObject(f.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// run runs one collection pass and returns its events by sourcetype.
func (f *fixture) run(params map[string]string, env ...string) map[string][]map[string]any {
	f.t.Helper()
	p := map[string]string{"aws_conf": filepath.Join(f.dir, "aws.conf"), "lookup_dir": f.lookups,
		"host": "$decideOnStartup", "index": "billing", "interval": "3600", "disabled": "0", "start_by_shell": "false"}
	for k, v := range params {
		p[k] = v
	}
	def := splunkd.Definition{ServerHost: "sh1", ServerURI: "https://127.0.0.1:8089", SessionKey: "SESSION-KEY-SECRET", CheckpointDir: f.checkpoint,
		Stanzas: []splunkd.Stanza{{Name: "aws_ingest_billing://acme", App: "aws_ingest", Params: p}}}
	proc := splunkd.Start(f.t, f.bin, def.InputXML(), append(f.srv.Env(), env...))
	res := proc.Wait(2 * time.Minute)
	if res.Code != 0 {
		f.t.Fatalf("exit %d\nstderr:\n%s", res.Code, res.Stderr)
	}
	for _, secret := range []string{"SESSION-KEY-SECRET", "wJalrXUtnFEMI"} {
		if strings.Contains(res.Stderr, secret) {
			f.t.Errorf("the log shows a secret: %s", res.Stderr)
		}
	}
	events, err := splunkd.ParseStream(res.Stdout)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, ev := range events {
		var m map[string]any
		if err := json.Unmarshal([]byte(ev.Data), &m); err != nil {
			f.t.Fatalf("event data is not JSON: %v: %s", err, ev.Data)
		}
		if ev.Stanza != "aws_ingest_billing://acme" || ev.Time == "" {
			f.t.Fatalf("event without stanza or time: %+v", ev)
		}
		m["_source"] = ev.Source
		out[ev.Sourcetype] = append(out[ev.Sourcetype], m)
	}
	return out
}

func generate(t *testing.T, write func(*bytes.Buffer) (gen.Want, error)) ([]byte, gen.Want) {
	t.Helper()
	var buf bytes.Buffer
	want, err := write(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), want
}

func (f *fixture) options(rows int) gen.Options {
	return gen.Options{Payer: payer, PayerName: "Acme", Month: f.month, Accounts: accounts, Rows: rows, Seed: 3,
		Tags: []string{"user:Name", "user:Team"}}
}

func TestLegacyAWSConfAndMonthlyReportGiveSummaryAndSubaccounts(t *testing.T) {
	f := newFixture(t)
	data, want := generate(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, f.options(30), false) })
	key := payer + "-aws-billing-csv-" + f.month.Format("2006-01") + ".csv"
	f.put(key, data)

	// No stanza credential and no s3_bucket: aws.conf's corpkey, acno and
	// s3bucket are used, as get_bill.py did.
	events := f.run(nil)
	if n := len(events["aws:billing"]); n != want.Rows {
		t.Errorf("%d rows, want %d", n, want.Rows)
	}
	sums := events["aws:billing:summary"]
	if len(sums) != 3 {
		t.Fatalf("%d summary events, want 3: %v", len(sums), events)
	}
	for _, s := range sums {
		id := s["subaccountid"].(string)
		amount := math.Round(want.Accounts[id]*100) / 100
		day, days := s["day_of_month"].(float64), s["days_in_month"].(float64)
		if s["masteraccount"] != payer || s["amount"] != amount || s["mprojection"] != math.Round(amount*days/day*100)/100 ||
			s["billing_period"] != f.month.Format("2006-01") || s["_source"] != "s3://"+bucket+"/"+key {
			t.Errorf("summary %v (amount want %v)", s, amount)
		}
		switch id {
		case "111111111111":
			if s["subaccount"] != "web" || s["mlimit"] != 1000.0 || s["dlimit"] != math.Round(1000*day/days*100)/100 {
				t.Errorf("web: %v", s)
			}
		case "333333333333":
			if s["subaccount"] != "lake" || s["mlimit"] != nil {
				t.Errorf("lake: %v", s)
			}
		}
	}
	sub, err := lookup.Read(filepath.Join(f.lookups, "subaccounts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Rows) != 3 || sub.Header[0] != "masteraccount" || sub.Rows[0][0] != payer || sub.Rows[0][1] != "111111111111" {
		t.Errorf("subaccounts.csv = %v", sub)
	}
	names, err := lookup.Read(filepath.Join(f.lookups, "accountNames.csv"))
	if err != nil || len(names.Rows) != 4 || names.Header[0] != "accountId" {
		t.Errorf("accountNames.csv = %v, %v", names, err)
	}
}

func zipOf(t *testing.T, name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRewrittenDBRIsASecondVersionAndAnUnchangedOneIsSkipped(t *testing.T) {
	f := newFixture(t)
	key := payer + "-aws-billing-detailed-line-items-with-resources-and-tags-" + f.month.Format("2006-01") + ".csv.zip"
	o := f.options(400)
	v1, w1 := generate(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, o, true, true) })
	etag1 := f.put(key, zipOf(t, strings.TrimSuffix(key, ".zip"), v1))
	params := map[string]string{"report_type": "dbr", "s3_endpoint_url": f.srv.URL}

	events := f.run(params)
	if len(events["aws:billing"]) != w1.Rows || events["aws:billing"][0]["billing_version"] != etag1 {
		t.Fatalf("first version: %d rows, want %d", len(events["aws:billing"]), w1.Rows)
	}
	ver := events["aws:billing:version"]
	if len(ver) != 1 || ver[0]["billing_version"] != etag1 || ver[0]["rows"] != float64(w1.Rows) {
		t.Fatalf("version events %v", ver)
	}
	spools, _ := filepath.Glob(filepath.Join(f.checkpoint, "billing_spool_*"))
	if len(spools) != 0 {
		t.Errorf("spooled zip left behind: %v", spools)
	}

	events = f.run(params)
	if n := len(events["aws:billing"]) + len(events["aws:billing:version"]); n != 0 {
		t.Errorf("the unchanged DBR was ingested again (%d events)", n)
	}

	o.Version, o.Rows = 1, 450
	v2, w2 := generate(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, o, true, true) })
	etag2 := f.put(key, zipOf(t, strings.TrimSuffix(key, ".zip"), v2))
	events = f.run(params)
	rows := events["aws:billing"]
	if len(rows) != w2.Rows || rows[0]["billing_version"] != etag2 || etag2 == etag1 {
		t.Fatalf("second version: %d rows (want %d), version %v", len(rows), w2.Rows, rows[0]["billing_version"])
	}
	ver = events["aws:billing:version"]
	if len(ver) != 1 || ver[0]["previous_version"] != etag1 || math.Abs(ver[0]["totals"].(map[string]any)["UnBlendedCost"].(float64)-w2.Total) > 1e-6 {
		t.Errorf("second version event %v", ver)
	}
}

func TestCURManifestWithTwoParts(t *testing.T) {
	f := newFixture(t)
	o := f.options(200)
	p1, w1 := generate(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 0) })
	p2, w2 := generate(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 200) })
	rng := f.month.Format("20060102") + "-" + f.month.AddDate(0, 1, 0).Format("20060102")
	dir := "cur/hourly/" + rng + "/"
	k1, k2 := dir+"asm-42/hourly-1.csv.gz", dir+"asm-42/hourly-2.csv.gz"
	f.put(k1, gzipOf(t, p1))
	f.put(k2, gzipOf(t, p2))
	manifest, _ := json.Marshal(map[string]any{"assemblyId": "asm-42", "account": payer, "reportName": "hourly", "compression": "GZIP",
		"contentType": "text/csv", "bucket": bucket, "reportKeys": []string{k1, k2},
		"billingPeriod": map[string]string{"start": f.month.Format("20060102T150405.000Z"), "end": f.month.AddDate(0, 1, 0).Format("20060102T150405.000Z")}})
	f.put(dir+"asm-42/hourly-Manifest.json", manifest)
	f.put(dir+"hourly-Manifest.json", manifest)

	events := f.run(map[string]string{"report_type": "cur", "report_prefix": "cur", "report_name": "hourly"})
	rows := events["aws:billing:cur"]
	if len(rows) != w1.Rows+w2.Rows {
		t.Fatalf("%d rows, want %d", len(rows), w1.Rows+w2.Rows)
	}
	if rows[0]["_source"] != "s3://"+bucket+"/"+k1 || rows[len(rows)-1]["_source"] != "s3://"+bucket+"/"+k2 || rows[0]["billing_version"] != "asm-42" {
		t.Errorf("rows from %v to %v", rows[0]["_source"], rows[len(rows)-1]["_source"])
	}
	ver := events["aws:billing:version"]
	if len(ver) != 1 || ver[0]["parts"] != 2.0 || ver[0]["billing_version"] != "asm-42" || ver[0]["billing_type"] != "cur" {
		t.Errorf("version %v", ver)
	}
	// The CUR has no monthly report beside it: the summary comes from it.
	if n := len(events["aws:billing:summary"]); n != 3 {
		t.Errorf("%d summary events from the CUR", n)
	}
}
