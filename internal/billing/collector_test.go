package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

const (
	testBucket = "acme-billing"
	testPayer  = "012345678901"
)

// now is the 10th of a 30-day month.
var testNow = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)

// legacyConf is a legacy aws.conf: one account with keys, one with ”
// placeholders and a limit, one without limit.
const legacyConf = `
[keys]
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

type env struct {
	t       *testing.T
	bucket  *fakeBucket
	events  *recorder
	cfg     Config
	lookups string
	logs    *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	conf, err := awsconf.Parse("aws.conf", strings.NewReader(legacyConf))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &env{t: t, bucket: newFakeBucket(), events: &recorder{}, lookups: filepath.Join(dir, "lookups"), logs: &bytes.Buffer{}}
	e.cfg = Config{Stanza: "aws_ingest_billing://acme", Bucket: testBucket, Payer: testPayer, Kinds: report.Kinds, Months: 2,
		CheckpointDir: filepath.Join(dir, "checkpoints"), LookupDir: e.lookups, Accounts: conf.Accounts}
	return e
}

func (e *env) run(ctx context.Context) error {
	e.t.Helper()
	c := &Collector{Config: e.cfg, S3: e.bucket, Events: e.events, Now: func() time.Time { return testNow },
		Log: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	return c.Run(ctx)
}

func (e *env) mustRun() {
	e.t.Helper()
	if err := e.run(e.t.Context()); err != nil {
		e.t.Fatalf("run: %v\nlog:\n%s", err, e.logs)
	}
}

func decode(t *testing.T, ev modinput.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		t.Fatalf("event is not JSON: %v: %s", err, ev.Data)
	}
	return m
}

func genBytes(t *testing.T, f func(*bytes.Buffer) (gen.Want, error)) ([]byte, gen.Want) {
	t.Helper()
	var buf bytes.Buffer
	want, err := f(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), want
}

func monthOptions(rows int) gen.Options {
	o := testGenOptions(rows)
	o.Month = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return o
}

func TestMonthlyReportGivesSummaryEventsAndLookups(t *testing.T) {
	e := newEnv(t)
	data, want := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, monthOptions(60), false) })
	key := testPayer + "-aws-billing-csv-2026-11.csv"
	e.bucket.put(key, data)
	// A person's rows in accountNames.csv: one extra account, and a
	// different name for web.
	if err := os.MkdirAll(e.lookups, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := lookup.Write(filepath.Join(e.lookups, AccountNamesFile), lookup.Table{Header: lookup.AccountNamesHeader,
		Rows: [][]string{{"111111111111", "Web shop"}, {"999999999999", "added by hand"}}}); err != nil {
		t.Fatal(err)
	}
	e.mustRun()

	rows := e.events.bySourcetype("aws:billing")
	if len(rows) != want.Rows {
		t.Fatalf("%d row events, want %d", len(rows), want.Rows)
	}
	first := decode(t, rows[0])
	if first["RecordType"] != "LinkedLineItem" || first["billing_version"] == "" || rows[0].Source != "s3://acme-billing/"+key ||
		!rows[0].Time.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || rows[0].Stanza != e.cfg.Stanza {
		t.Errorf("first row %+v: %v", rows[0], first)
	}

	sums := e.events.bySourcetype(SummarySourcetype)
	if len(sums) != 3 {
		t.Fatalf("%d summary events, want 3", len(sums))
	}
	byID := map[string]map[string]any{}
	for _, ev := range sums {
		m := decode(t, ev)
		byID[m["subaccountid"].(string)] = m
		if !ev.Time.Equal(testNow) {
			t.Errorf("summary time %v", ev.Time)
		}
	}
	web := byID["111111111111"]
	amount := math.Round(want.Accounts["111111111111"]*100) / 100
	if web["masteraccount"] != testPayer || web["subaccount"] != "Web shop" || web["amount"] != amount ||
		web["mprojection"] != math.Round(amount*30/10*100)/100 || web["mlimit"] != 1000.0 || web["dlimit"] != math.Round(1000.0*10/30*100)/100 ||
		web["currency"] != "USD" || web["billing_period"] != "2026-11" || web["billing_type"] != "monthly" {
		t.Errorf("web summary = %v (amount want %v)", web, amount)
	}
	if web["over_limit"] != (amount > 1000) || web["projected_over_limit"] != (amount*3 > 1000) {
		t.Errorf("web limits = %v", web)
	}
	if batch := byID["222222222222"]; batch["subaccount"] != "batch" || batch["over_limit"] != true {
		t.Errorf("batch summary = %v", batch)
	}
	if lake := byID["333333333333"]; lake["subaccount"] != "lake" || lake["mlimit"] != nil || lake["over_limit"] != false {
		t.Errorf("an account without limit: %v", lake)
	}

	sub, err := lookup.Read(filepath.Join(e.lookups, SubaccountsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Rows) != 3 || sub.Rows[0][1] != "111111111111" || sub.Rows[0][2] != "Web shop" || sub.Rows[0][3] != "1000" ||
		sub.Rows[2][3] != "" || sub.Rows[0][9] != "2026-11-09T08:00:00Z" {
		t.Errorf("subaccounts.csv = %v", sub)
	}
	names, err := lookup.Read(filepath.Join(e.lookups, AccountNamesFile))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range names.Rows {
		got[r[0]] = r[1]
	}
	wantNames := map[string]string{testPayer: "payer", "111111111111": "Web shop", "222222222222": "batch", "333333333333": "lake", "999999999999": "added by hand"}
	for id, n := range wantNames {
		if got[id] != n {
			t.Errorf("accountNames.csv %s = %q, want %q (all: %v)", id, got[id], n, got)
		}
	}
}

func TestUnchangedReportIsNotReadAgainButSummaryGoesOn(t *testing.T) {
	e := newEnv(t)
	data, _ := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, monthOptions(20), false) })
	key := testPayer + "-aws-billing-csv-2026-11.csv"
	e.bucket.put(key, data)
	e.mustRun()
	e.events.reset()
	e.mustRun()
	if n := e.bucket.getCount(key); n != 1 {
		t.Errorf("the unchanged report was read %d times", n)
	}
	if n := len(e.events.bySourcetype("aws:billing")); n != 0 {
		t.Errorf("%d rows sent again", n)
	}
	if n := len(e.events.bySourcetype(SummarySourcetype)); n != 3 {
		t.Errorf("%d summary events on the second run, want 3 (from the checkpoint)", n)
	}
}

func TestRewrittenDBRIsIngestedAsANewVersion(t *testing.T) {
	e := newEnv(t)
	key := testPayer + "-aws-billing-detailed-line-items-with-resources-and-tags-2026-11.csv.zip"
	o := monthOptions(300)
	csv1, want1 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, o, true, true) })
	etag1 := e.bucket.put(key, zipped(t, strings.TrimSuffix(key, ".zip"), csv1))
	// The plain DBR of the same month is left alone: same line items.
	e.bucket.put(testPayer+"-aws-billing-detailed-line-items-2026-11.csv.zip", zipped(t, "x.csv", csv1))
	e.mustRun()

	rows := e.events.bySourcetype("aws:billing")
	if len(rows) != want1.Rows {
		t.Fatalf("%d rows, want %d", len(rows), want1.Rows)
	}
	if v := decode(t, rows[0])["billing_version"]; v != etag1 {
		t.Errorf("billing_version %v, want the ETag %s", v, etag1)
	}
	// The total rows have no date: they get the billing period.
	if last := rows[len(rows)-1]; !last.Time.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || decode(t, last)["RecordType"] != "StatementTotal" {
		t.Errorf("last row %v %s", last.Time, last.Data)
	}
	vs := e.events.bySourcetype(VersionSourcetype)
	if len(vs) != 1 {
		t.Fatalf("%d version events", len(vs))
	}
	v1 := decode(t, vs[0])
	totals := v1["totals"].(map[string]any)
	if v1["billing_version"] != etag1 || v1["rows"] != float64(want1.Rows) || v1["billing_type"] != "dbr" || v1["billing_period"] != "2026-11" ||
		math.Abs(totals["UnBlendedCost"].(float64)-want1.Total) > 1e-6 || v1["previous_version"] != nil {
		t.Errorf("version event %v", v1)
	}
	spools, _ := filepath.Glob(filepath.Join(e.cfg.CheckpointDir, spoolPrefix+"*"))
	if len(spools) != 0 {
		t.Errorf("spooled archives left behind: %v", spools)
	}

	// Unchanged: skipped.
	e.events.reset()
	e.mustRun()
	if n := len(e.events.bySourcetype("aws:billing")); n != 0 {
		t.Errorf("unchanged DBR sent %d rows again", n)
	}

	// AWS rewrites it: a new version, whole, with a new billing_version.
	o.Version = 1
	o.Rows = 350
	csv2, want2 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, o, true, true) })
	etag2 := e.bucket.put(key, zipped(t, strings.TrimSuffix(key, ".zip"), csv2))
	e.events.reset()
	e.mustRun()
	rows = e.events.bySourcetype("aws:billing")
	if len(rows) != want2.Rows || decode(t, rows[0])["billing_version"] != etag2 {
		t.Fatalf("second version: %d rows, version %v", len(rows), decode(t, rows[0])["billing_version"])
	}
	v2 := decode(t, e.events.bySourcetype(VersionSourcetype)[0])
	if v2["previous_version"] != etag1 || v2["billing_version"] != etag2 {
		t.Errorf("second version event %v", v2)
	}
	// The summary of a month without monthly report comes from the DBR's
	// AccountTotal rows.
	sums := e.events.bySourcetype(SummarySourcetype)
	if len(sums) != 3 || decode(t, sums[0])["billing_type"] != "dbr" {
		t.Errorf("summary from the DBR: %d events", len(sums))
	}
}

func curManifest(assembly string, keys ...string) []byte {
	m := map[string]any{"assemblyId": assembly, "account": testPayer, "compression": "GZIP", "contentType": "text/csv",
		"reportName": "hourly", "billingPeriod": map[string]string{"start": "20261101T000000.000Z", "end": "20261201T000000.000Z"},
		"bucket": testBucket, "reportKeys": keys}
	b, _ := json.Marshal(m)
	return b
}

func TestCURManifestWithTwoParts(t *testing.T) {
	e := newEnv(t)
	o := monthOptions(150)
	part1, w1 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 0) })
	part2, w2 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 150) })
	dir := "cur/hourly/20261101-20261201/"
	k1, k2 := dir+"asm-1/hourly-1.csv.gz", dir+"asm-1/hourly-2.csv.zip"
	e.bucket.put(k1, gzipped(t, part1))
	e.bucket.put(k2, zipped(t, "hourly-2.csv", part2))
	e.bucket.put(dir+"asm-1/hourly-Manifest.json", curManifest("asm-1", k1, k2)) // the per-version copy: not a report
	e.bucket.put(dir+"hourly-Manifest.json", curManifest("asm-1", k1, k2))
	e.mustRun()

	rows := e.events.bySourcetype("aws:billing:cur")
	if len(rows) != w1.Rows+w2.Rows {
		t.Fatalf("%d rows, want %d", len(rows), w1.Rows+w2.Rows)
	}
	if rows[0].Source != "s3://acme-billing/"+k1 || rows[len(rows)-1].Source != "s3://acme-billing/"+k2 || decode(t, rows[0])["billing_version"] != "asm-1" {
		t.Errorf("sources %s .. %s", rows[0].Source, rows[len(rows)-1].Source)
	}
	v := decode(t, e.events.bySourcetype(VersionSourcetype)[0])
	if v["billing_version"] != "asm-1" || v["parts"] != 2.0 || v["report_key"] != "s3://acme-billing/"+dir+"hourly-Manifest.json" ||
		math.Abs(v["totals"].(map[string]any)["lineItem/UnblendedCost"].(float64)-(w1.Total+w2.Total)) > 1e-9 {
		t.Errorf("version event %v", v)
	}

	// The manifest is rewritten with the same assembly: nothing to do.
	e.bucket.put(dir+"hourly-Manifest.json", append(curManifest("asm-1", k1, k2), '\n'))
	e.events.reset()
	e.mustRun()
	if n := len(e.events.bySourcetype("aws:billing:cur")); n != 0 || e.bucket.getCount(k1) != 1 {
		t.Errorf("same assembly read again: %d rows, %d gets", n, e.bucket.getCount(k1))
	}
}

func TestCUR2Export(t *testing.T) {
	e := newEnv(t)
	e.cfg.Kinds, e.cfg.Prefix, e.cfg.ReportName = []report.Kind{report.CUR2}, "exports", "acme"
	o := monthOptions(80)
	data, w := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR2(b, o, 0) })
	dk := "exports/acme/data/BILLING_PERIOD=2026-11/acme-00001.csv.gz"
	e.bucket.put(dk, gzipped(t, data))
	m, _ := json.Marshal(map[string]any{"executionId": "exec-7", "exportName": "acme", "dataFiles": []string{"s3://" + testBucket + "/" + dk},
		"billingPeriod": map[string]string{"start": "2026-11-01T00:00:00.000Z", "end": "2026-12-01T00:00:00.000Z"}})
	e.bucket.put("exports/acme/metadata/BILLING_PERIOD=2026-11/acme-Manifest.json", m)
	e.bucket.put("elsewhere/other/metadata/BILLING_PERIOD=2026-11/other-Manifest.json", m)
	e.mustRun()
	rows := e.events.bySourcetype("aws:billing:cur2")
	if len(rows) != w.Rows {
		t.Fatalf("%d rows, want %d", len(rows), w.Rows)
	}
	r := decode(t, rows[0])
	if r["billing_version"] != "exec-7" || r["resource_tags"].(map[string]any)["user_team"] == nil {
		t.Errorf("row %v", r)
	}
	sums := e.events.bySourcetype(SummarySourcetype)
	if len(sums) != 3 || decode(t, sums[0])["subaccount"] != "web" {
		t.Errorf("summary from CUR 2.0: %d events", len(sums))
	}
}

func TestFailedReportKeepsCheckpointsAndLookups(t *testing.T) {
	e := newEnv(t)
	monthly, _ := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, monthOptions(20), false) })
	mkey := testPayer + "-aws-billing-csv-2026-11.csv"
	e.bucket.put(mkey, monthly)
	e.mustRun()
	subPath := filepath.Join(e.lookups, SubaccountsFile)
	before, err := os.ReadFile(subPath)
	if err != nil {
		t.Fatal(err)
	}
	cpPath := stanzaFile(e.cfg.CheckpointDir, e.cfg.Stanza, ".json")
	cpBefore, _ := os.ReadFile(cpPath)

	// AWS rewrites the monthly report, but reading it fails.
	o := monthOptions(25)
	o.Version = 2
	monthly2, _ := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, o, false) })
	e.bucket.put(mkey, monthly2)
	e.bucket.failGet[mkey] = errors.New("AccessDenied: Access Denied")
	e.events.reset()
	err = e.run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "s3://acme-billing/"+mkey) || !strings.Contains(err.Error(), "s3:GetObject") {
		t.Fatalf("err = %v; want it to name the key and the permission", err)
	}
	after, _ := os.ReadFile(subPath)
	if !bytes.Equal(before, after) {
		t.Error("subaccounts.csv changed after a failed pass")
	}
	cpAfter, _ := os.ReadFile(cpPath)
	var a, b checkpoint
	json.Unmarshal(cpBefore, &a)
	json.Unmarshal(cpAfter, &b)
	id := "s3://acme-billing/" + mkey
	if a.Reports[id].Version != b.Reports[id].Version || a.Reports[id].ETag != b.Reports[id].ETag {
		t.Errorf("checkpoint moved on after a failure: %+v -> %+v", a.Reports[id], b.Reports[id])
	}
	if n := len(e.events.bySourcetype(SummarySourcetype)); n != 0 {
		t.Errorf("%d summary events from a failed pass", n)
	}
	// Fixed: the next run reads the new version.
	delete(e.bucket.failGet, mkey)
	e.events.reset()
	e.mustRun()
	if n := len(e.events.bySourcetype("aws:billing")); n != 25+3+1 {
		t.Errorf("%d rows after the fix", n)
	}
}

func TestInterruptedIngestionGoesOnWhereItStopped(t *testing.T) {
	e := newEnv(t)
	key := testPayer + "-aws-billing-detailed-line-items-with-resources-and-tags-2026-11.csv.zip"
	data, want := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, monthOptions(5000), true, true) })
	e.bucket.put(key, zipped(t, "dbr.csv", data))
	ctx, cancel := context.WithCancel(t.Context())
	e.events.stopAfter, e.events.stop = 1800, cancel
	err := e.run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the run stopped", err)
	}
	first := len(e.events.bySourcetype("aws:billing"))
	if first < 1800 || first >= want.Rows {
		t.Fatalf("%d rows before the stop", first)
	}
	e.events.stopAfter = 0
	seen := map[string]int{}
	for _, ev := range e.events.bySourcetype("aws:billing") {
		seen[string(ev.Data)]++
	}
	e.events.reset()
	e.mustRun()
	rows := e.events.bySourcetype("aws:billing")
	for _, ev := range rows {
		seen[string(ev.Data)]++
	}
	if first+len(rows) != want.Rows || len(seen) != want.Rows {
		t.Errorf("%d + %d rows sent, %d distinct; want %d exactly once", first, len(rows), len(seen), want.Rows)
	}
	v := decode(t, e.events.bySourcetype(VersionSourcetype)[0])
	if v["rows"] != float64(want.Rows) || v["rows_sent"] != float64(len(rows)) ||
		math.Abs(v["totals"].(map[string]any)["UnBlendedCost"].(float64)-want.Total) > 1e-6 {
		t.Errorf("version event after the resume: %v", v)
	}
}

func TestMonthsWindowAndPayerFilter(t *testing.T) {
	e := newEnv(t)
	e.cfg.Months = 2
	small, _ := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, monthOptions(2), false) })
	for _, k := range []string{
		testPayer + "-aws-billing-csv-2026-11.csv",
		testPayer + "-aws-billing-csv-2026-10.csv",
		testPayer + "-aws-billing-csv-2026-09.csv", // outside the window
		"999999999999-aws-billing-csv-2026-11.csv", // another payer
	} {
		e.bucket.put(k, small)
	}
	e.mustRun()
	got := map[string]bool{}
	for _, ev := range e.events.bySourcetype(VersionSourcetype) {
		got[ev.Source] = true
	}
	if len(got) != 2 || !got["s3://acme-billing/"+testPayer+"-aws-billing-csv-2026-10.csv"] {
		t.Errorf("ingested %v", got)
	}
}

func TestDamagedCheckpointIsAnError(t *testing.T) {
	e := newEnv(t)
	if err := os.MkdirAll(e.cfg.CheckpointDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := stanzaFile(e.cfg.CheckpointDir, e.cfg.Stanza, ".json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := e.run(t.Context())
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("err = %v", err)
	}
}

func TestStaleSpoolsAreRemoved(t *testing.T) {
	e := newEnv(t)
	if err := os.MkdirAll(e.cfg.CheckpointDir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(e.cfg.CheckpointDir, spoolPrefix+"1.zip")
	young := filepath.Join(e.cfg.CheckpointDir, spoolPrefix+"2.zip")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(old, testNow.Add(-48*time.Hour), testNow.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(young, testNow.Add(-time.Hour), testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.mustRun()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("a day-old spool is still there")
	}
	if _, err := os.Stat(young); err != nil {
		t.Error("a recent spool (maybe another run's) was removed")
	}
}

func TestListPrefix(t *testing.T) {
	tests := []struct {
		kinds        []report.Kind
		prefix, name string
		payer, want  string
	}{
		{report.Kinds, "", "", testPayer, ""},
		{[]report.Kind{report.DBR}, "", "", testPayer, testPayer + "-aws-"},
		{[]report.Kind{report.Monthly}, "bills", "", testPayer, "bills/" + testPayer + "-aws-"},
		{[]report.Kind{report.CUR}, "cur", "hourly", "", "cur/hourly/"},
		{[]report.Kind{report.CUR2}, "", "acme", "", "acme/"},
		{[]report.Kind{report.CUR}, "cur/", "", "", "cur/"},
	}
	for _, tt := range tests {
		c := &Collector{Config: Config{Kinds: tt.kinds, Prefix: tt.prefix, ReportName: tt.name, Payer: tt.payer}}
		if got := c.listPrefix(); got != tt.want {
			t.Errorf("%v %q %q: %q, want %q", tt.kinds, tt.prefix, tt.name, got, tt.want)
		}
	}
}

func TestCUR2ManifestWithoutDataFilesReadsTheDataFolder(t *testing.T) {
	e := newEnv(t)
	e.cfg.Kinds = []report.Kind{report.CUR2}
	data, w := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR2(b, monthOptions(30), 0) })
	e.bucket.put("acme/data/BILLING_PERIOD=2026-11/acme-00001.csv.gz", gzipped(t, data))
	e.bucket.put("acme/data/BILLING_PERIOD=2026-10/acme-00001.csv.gz", gzipped(t, data))
	e.bucket.put("acme/metadata/BILLING_PERIOD=2026-11/acme-Manifest.json", []byte(`{"executionId":"x1","billingPeriod":{"start":"2026-11-01T00:00:00.000Z"}}`))
	e.mustRun()
	if n := len(e.events.bySourcetype("aws:billing:cur2")); n != w.Rows {
		t.Errorf("%d rows, want %d", n, w.Rows)
	}
}
