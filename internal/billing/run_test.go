package billing

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

func testJob(t *testing.T, params map[string]string) *cli.Job {
	t.Helper()
	parsed, err := schemes.Billing.Parse(modinput.Stanza{Name: "aws_ingest_billing://t", Params: params})
	if err != nil {
		t.Fatal(err)
	}
	return &cli.Job{Stanza: "aws_ingest_billing://t", Params: parsed.Values, Server: modinput.Server{CheckpointDir: t.TempDir()},
		Log: slog.New(slog.DiscardHandler)}
}

func TestResolveConfigFromLegacyAWSConf(t *testing.T) {
	app := t.TempDir()
	if err := os.MkdirAll(filepath.Join(app, "local"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "local", "aws.conf"), []byte(legacyConf), 0o600); err != nil {
		t.Fatal(err)
	}
	findApp := func() (string, error) { return app, nil }
	cfg, conf, err := ResolveConfig(testJob(t, nil), findApp)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bucket != "acme-billing" || cfg.Payer != testPayer || cfg.LookupDir != filepath.Join(app, "lookups") ||
		cfg.Months != 2 || !slices.Equal(cfg.Kinds, report.Kinds) || len(cfg.Accounts) != 4 || conf.Corp == nil || !conf.Corp.HasKeys() {
		t.Errorf("cfg = %+v", cfg)
	}
	cfg, _, err = ResolveConfig(testJob(t, map[string]string{"s3_bucket": "other-bucket", "payer_account_id": "999999999999",
		"report_type": "cur", "lookup_dir": "mine", "months": "6"}), findApp)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bucket != "other-bucket" || cfg.Payer != "999999999999" || !slices.Equal(cfg.Kinds, []report.Kind{report.CUR}) ||
		cfg.LookupDir != filepath.Join(app, "mine") || cfg.Months != 6 {
		t.Errorf("stanza settings do not win: %+v", cfg)
	}
}

func TestResolveConfigErrors(t *testing.T) {
	noApp := func() (string, error) { return "", errors.New("no app folder") }
	_, _, err := ResolveConfig(testJob(t, nil), noApp)
	if err == nil || !strings.Contains(err.Error(), "set s3_bucket") {
		t.Errorf("no bucket: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "aws.conf")
	os.WriteFile(bad, []byte("[keys]\n123456789012 = web AKIAIOSFODNN7EXAMPLE\n"), 0o600)
	_, _, err = ResolveConfig(testJob(t, map[string]string{"aws_conf": bad}), noApp)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad aws.conf: %v", err)
	}
	job := testJob(t, map[string]string{"s3_bucket": "b-bucket"})
	job.Server.CheckpointDir = ""
	if _, _, err = ResolveConfig(job, noApp); err == nil || !strings.Contains(err.Error(), "checkpoint_dir") {
		t.Errorf("no checkpoint_dir: %v", err)
	}
	cfg, _, err := ResolveConfig(testJob(t, map[string]string{"s3_bucket": "b-bucket"}), noApp)
	if err != nil || cfg.LookupDir != "" {
		t.Errorf("without app folder or lookup_dir, no lookups: %+v %v", cfg, err)
	}
}
