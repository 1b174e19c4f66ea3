package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/preflight/preflighttest"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

// The check subcommand, run in-process as the binary runs it, against
// moto_server.

const checkConf = `[aws_ingest_billing]
index = billing

[aws_ingest_billing://healthy]
s3_bucket = acme-billing
lookup_dir = @LOOKUPS@

[aws_ingest_billing://legacy]
aws_conf = @AWSCONF@
lookup_dir = @NEWLOOKUPS@

[aws_ingest_billing://elsewhere]
s3_bucket = acme-billing-eu
report_type = monthly
lookup_dir = @LOOKUPS@

[aws_ingest_billing://missing]
s3_bucket = no-such-billing-bucket
lookup_dir = @LOOKUPS@

[aws_ingest_billing://empty]
s3_bucket = empty-billing
lookup_dir = @LOOKUPS@

[aws_ingest_billing://othername]
s3_bucket = acme-billing
report_type = cur
report_prefix = cur
report_name = hourly
lookup_dir = @LOOKUPS@

[aws_ingest_billing://invalid]
s3_bucket = acme-billing
months = 0
`

type checkFixture struct {
	t       *testing.T
	s3      *s3.Client
	dir     string
	lookups string // exists, with a lookup in it
	conf    string // inputs.conf
}

// newCheckFixture makes the buckets: acme-billing (us-east-1) and
// acme-billing-eu (eu-west-1) with this month's monthly report, and
// empty-billing with nothing. SPLUNK_HOME is a fake installation, so the
// check knows a checkpoint_dir as it does in an installed app.
func newCheckFixture(t *testing.T) *checkFixture {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	home := t.TempDir()
	app := filepath.Join(home, "etc", "apps", "aws_ingest")
	if err := os.MkdirAll(filepath.Join(app, "default"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "default", "app.conf"), []byte("[launcher]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SPLUNK_HOME", home)

	f := &checkFixture{t: t, dir: t.TempDir()}
	f.s3 = s3.NewFromConfig(srv.Config("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := t.Context()
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var report bytes.Buffer
	if _, err := gen.Monthly(&report, gen.Options{Payer: payer, PayerName: "Acme", Month: month, Accounts: accounts, Rows: 20, Seed: 5}, false); err != nil {
		t.Fatal(err)
	}
	key := payer + "-aws-billing-csv-" + month.Format("2006-01") + ".csv"
	for _, b := range []struct{ name, region string }{{"acme-billing", ""}, {"acme-billing-eu", "eu-west-1"}, {"empty-billing", ""}} {
		in := &s3.CreateBucketInput{Bucket: aws.String(b.name)}
		if b.region != "" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.region)}
		}
		if _, err := f.s3.CreateBucket(ctx, in); err != nil {
			t.Fatal(err)
		}
		if b.name == "empty-billing" {
			continue
		}
		c := f.s3
		if b.region != "" {
			c = s3.NewFromConfig(srv.Config(b.region), func(o *s3.Options) { o.UsePathStyle = true })
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.name), Key: aws.String(key), Body: bytes.NewReader(report.Bytes())}); err != nil {
			t.Fatal(err)
		}
	}

	f.lookups = filepath.Join(f.dir, "lookups")
	if err := os.MkdirAll(f.lookups, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.lookups, "subaccounts.csv"), []byte("masteraccount,subaccountid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	awsConf := filepath.Join(f.dir, "aws.conf")
	if err := os.WriteFile(awsConf, []byte(legacyConf), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer("@LOOKUPS@", f.lookups, "@AWSCONF@", awsConf, "@NEWLOOKUPS@", filepath.Join(f.dir, "new", "lookups")).Replace(checkConf)
	f.conf = filepath.Join(f.dir, "inputs.conf")
	if err := os.WriteFile(f.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// check runs `aws_ingest_billing check` as wired in program().
func (f *checkFixture) check(args ...string) (string, string, error) {
	f.t.Helper()
	i := slices.IndexFunc(program().Commands, func(c cli.Command) bool { return c.Name == "check" })
	if i < 0 {
		f.t.Fatal("no check command")
	}
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Log: slog.New(modinput.NewLogHandler(&stderr, slog.LevelDebug))}
	err := program().Commands[i].Run(f.t.Context(), env, append([]string{"--inputs-conf", f.conf}, args...))
	return stdout.String(), stderr.String(), err
}

// state is what the check must not change: every bucket's objects and the
// lookup folders.
func (f *checkFixture) state() string {
	f.t.Helper()
	var b strings.Builder
	ctx := f.t.Context()
	buckets, err := f.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, bk := range buckets.Buckets {
		b.WriteString("bucket " + aws.ToString(bk.Name) + "\n")
		out, err := f.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk.Name})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, o := range out.Contents {
			b.WriteString(aws.ToString(o.Key) + " " + aws.ToString(o.ETag) + " " + aws.ToTime(o.LastModified).String() + "\n")
		}
	}
	err = filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Not its mtime: probing a folder with a temporary file
			// changes that, and nothing else.
			b.WriteString(p + " " + info.Mode().String() + "\n")
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b.WriteString(p + " " + info.Mode().String() + " " + info.ModTime().String() + " " + string(data) + "\n")
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return b.String()
}

func TestCheckAgainstMoto(t *testing.T) {
	f := newCheckFixture(t)
	before := f.state()

	for _, name := range []string{"healthy", "legacy", "elsewhere"} {
		stanza := "aws_ingest_billing://" + name
		out, stderr, err := f.check("--stanza", name)
		if err != nil {
			t.Errorf("%s: %v\n%s\n%s", name, err, out, stderr)
		}
		for _, row := range []string{"parameters", "configuration", "credentials", "bucket", "s3:ListBucket", "s3:GetObject", "checkpoint_dir", "lookup_dir"} {
			if !preflighttest.HasRow(out, preflight.Pass, stanza, row, "") {
				t.Errorf("%s: no ✓ %s:\n%s", name, row, out)
			}
		}
		if strings.Contains(out, preflight.Fail) || strings.Contains(out, " "+preflight.Skip+" ") {
			t.Errorf("%s: a row is not ✓:\n%s", name, out)
		}
		t.Logf("%s:\n%s", name, out)
	}

	out, stderr, err := f.check()
	t.Logf("all:\n%s", out)
	if err == nil || err.Error() != "4 check(s) failed" {
		t.Errorf("all stanzas: err %v, want 4 failures\n%s\n%s", err, out, stderr)
	}
	for _, want := range []struct {
		stanza, row string
		in          []string // in the row's line or its fix
	}{
		{"healthy", "credentials", []string{"the default credential chain (EnvConfigCredentials)", "arn:aws:"}},
		{"healthy", "s3:ListBucket", []string{"1 report under s3://acme-billing/ since ", "(1 monthly)"}},
		{"healthy", "s3:GetObject", []string{"read the first byte of s3://acme-billing/" + payer + "-aws-billing-csv-"}},
		{"legacy", "configuration", []string{"s3://acme-billing (aws.conf [misc] s3bucket)", "payer " + payer}},
		{"legacy", "credentials", []string{"from aws.conf [misc] corpkey"}},
		{"legacy", "lookup_dir", []string{"does not exist yet"}},
		{"elsewhere", "bucket", []string{"s3://acme-billing-eu in eu-west-1, not us-east-1 where the requests start"}},
		{"missing", "bucket", []string{"s3://no-such-billing-bucket does not exist", "correct s3_bucket to the bucket"}},
		{"empty", "s3:ListBucket", []string{"no object under s3://empty-billing/", "deliver billing reports to s3://empty-billing"}},
		{"othername", "s3:ListBucket", []string{"no object under s3://acme-billing/cur/hourly/", "report_prefix = cur, report_name = hourly"}},
		{"invalid", "parameters", []string{"months"}},
	} {
		stanza := "aws_ingest_billing://" + want.stanza
		mark := preflight.Pass
		if want.stanza == "missing" || want.stanza == "empty" || want.stanza == "othername" || want.stanza == "invalid" {
			mark = preflight.Fail
		}
		if !preflighttest.HasRow(out, mark, stanza, want.row, "") {
			t.Errorf("no %s %s %s", mark, stanza, want.row)
			continue
		}
		text := rowText(out, stanza, want.row)
		for _, s := range want.in {
			if !strings.Contains(text, s) {
				t.Errorf("%s %s: %q not in %q", stanza, want.row, s, text)
			}
		}
	}
	// A failed step ends the stanza's AWS rows; the local folders are still
	// checked.
	if preflighttest.HasRow(out, preflight.Fail, "aws_ingest_billing://missing", "s3:ListBucket", "") || !preflighttest.HasRow(out, preflight.Pass, "aws_ingest_billing://missing", "lookup_dir", "") {
		t.Errorf("missing bucket rows:\n%s", out)
	}

	if after := f.state(); after != before {
		t.Errorf("the check changed something:\nbefore\n%s\nafter\n%s", before, after)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "new")); !os.IsNotExist(err) {
		t.Errorf("the check created the missing lookup_dir: %v", err)
	}
}

// TestCheckNeverShowsSecrets runs the check as main does, at debug level,
// on stanzas with plaintext keys (the stanza's, aws.conf's corpkey, a bad
// stanza, role_arn on top) and looks for the secrets in everything it
// printed.
func TestCheckNeverShowsSecrets(t *testing.T) {
	f := newCheckFixture(t)
	t.Setenv("AWS_INGEST_LOG_LEVEL", "debug")
	const secretKey = "s3cr3t/CheckMustNeverPrintThis+0123456789"
	corpSecret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // in legacyConf
	conf := `[aws_ingest_billing://keys]
s3_bucket = acme-billing
key_id = AKIAIOSFODNN7CHECKXX
secret_key = ` + secretKey + `
lookup_dir = ` + f.lookups + `

[aws_ingest_billing://role]
s3_bucket = acme-billing
key_id = AKIAIOSFODNN7CHECKXX
secret_key = ` + secretKey + `
role_arn = arn:aws:iam::123456789012:role/billing-reader
lookup_dir = ` + f.lookups + `

[aws_ingest_billing://bad]
s3_bucket = acme-billing
secret_key = ` + secretKey + `

[aws_ingest_billing://corp]
aws_conf = ` + filepath.Join(f.dir, "aws.conf") + `
s3_bucket = no-such-billing-bucket
lookup_dir = ` + f.lookups + `
`
	if err := os.WriteFile(f.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(t.Context(), program(), []string{"check", "--inputs-conf", f.conf}, strings.NewReader(""), &stdout, &stderr)
	out := stdout.String()
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	if code != 1 {
		t.Errorf("exit code %d, want 1 (two stanzas fail)", code)
	}
	if !preflighttest.HasRow(out, preflight.Pass, "aws_ingest_billing://keys", "credentials", "") || !strings.Contains(rowText(out, "aws_ingest_billing://keys", "credentials"), "the stanza's key_id/secret_key") ||
		!strings.Contains(rowText(out, "aws_ingest_billing://role", "credentials"), "assumed-role/billing-reader") ||
		!preflighttest.HasRow(out, preflight.Fail, "aws_ingest_billing://bad", "parameters", "") ||
		!preflighttest.HasRow(out, preflight.Fail, "aws_ingest_billing://corp", "bucket", "") {
		t.Errorf("unexpected rows:\n%s", out)
	}
	for _, s := range []string{secretKey, corpSecret, "s3cr3t", "wJalrXUtnFEMI", "AKIAIOSFODNN7CHECKXX"} {
		if strings.Contains(out, s) || strings.Contains(stderr.String(), s) {
			t.Errorf("a secret (%.6s...) was printed", s)
		}
	}
}

// rowText is the stanza's row line and its fix line, if any.
func rowText(out, stanza, check string) string {
	var b strings.Builder
	for l := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[1] == stanza && f[2] == check || strings.HasPrefix(strings.TrimSpace(l), stanza+" "+check+":") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
