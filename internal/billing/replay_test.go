package billing

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

func runReplay(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdout: &stdout, Stderr: &stderr, Log: slog.New(slog.NewTextHandler(&stderr, nil))}
	err := ReplayCommand().Run(t.Context(), env, args)
	return stdout.String(), stderr.String(), err
}

func TestReplayEveryFileForm(t *testing.T) {
	dir := t.TempDir()
	o := monthOptions(40)
	dbr, wdbr := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.DBR(b, o, false, false) })
	monthly, wm := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.Monthly(b, o, true) })
	p1, w1 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 0) })
	p2, w2 := genBytes(t, func(b *bytes.Buffer) (gen.Want, error) { return gen.CUR(b, o, 40) })
	files := map[string][]byte{
		"012345678901-aws-billing-detailed-line-items-2026-11.csv.zip": zipped(t, "012345678901-aws-billing-detailed-line-items-2026-11.csv", dbr),
		"012345678901-aws-cost-allocation-2026-11.csv":                 monthly,
		"report.csv.gz":        gzipped(t, p1),
		"hourly-1.csv.gz":      gzipped(t, p1),
		"hourly-2.csv.gz":      gzipped(t, p2),
		"hourly-Manifest.json": curManifest("asm-9", "cur/hourly/20261101-20261201/asm-9/hourly-1.csv.gz", "cur/hourly/20261101-20261201/asm-9/hourly-2.csv.gz"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file       string
		sourcetype string
		rows       int
		version    string
	}{
		{"012345678901-aws-billing-detailed-line-items-2026-11.csv.zip", "aws:billing", wdbr.Rows, ""},
		{"012345678901-aws-cost-allocation-2026-11.csv", "aws:billing", wm.Rows, ""},
		{"report.csv.gz", "aws:billing:cur", w1.Rows, ""},
		{"hourly-Manifest.json", "aws:billing:cur", w1.Rows + w2.Rows, "asm-9"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, logs, err := runReplay(t, filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatalf("%v\n%s", err, logs)
			}
			events, err := splunkd.ParseStream([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != tt.rows+1 {
				t.Fatalf("%d events, want %d rows and the version event", len(events), tt.rows)
			}
			if events[0].Sourcetype != tt.sourcetype || events[len(events)-1].Sourcetype != VersionSourcetype {
				t.Errorf("sourcetypes %s .. %s", events[0].Sourcetype, events[len(events)-1].Sourcetype)
			}
			var row map[string]any
			if err := json.Unmarshal([]byte(events[0].Data), &row); err != nil {
				t.Fatal(err)
			}
			if tt.version != "" && row["billing_version"] != tt.version || tt.version == "" && !strings.HasPrefix(row["billing_version"].(string), "file-") {
				t.Errorf("billing_version %v", row["billing_version"])
			}
		})
	}

	out, _, err := runReplay(t, "--format", "json", "--version", "v42", filepath.Join(dir, "report.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var hec struct {
		Time       float64        `json:"time"`
		Sourcetype string         `json:"sourcetype"`
		Event      map[string]any `json:"event"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &hec); err != nil || len(lines) != w1.Rows+1 || hec.Event["billing_version"] != "v42" ||
		hec.Sourcetype != "aws:billing:cur" || hec.Time < 1.79e9 {
		t.Errorf("json output: %d lines, first %s (%v)", len(lines), lines[0], err)
	}
}

func TestReplayErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "notes.csv")
	os.WriteFile(bad, []byte("name,age\nbob,3\n"), 0o644)
	manifest := filepath.Join(dir, "x-Manifest.json")
	os.WriteFile(manifest, curManifest("a", "somewhere/x-1.csv.gz"), 0o644)
	for _, tt := range []struct{ file, want string }{
		{bad, "not that of a known billing report"},
		{manifest, "expected next to it"},
		{filepath.Join(dir, "missing.csv"), "no such file"},
	} {
		_, _, err := runReplay(t, tt.file)
		if err == nil || !strings.Contains(err.Error(), tt.file) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v", tt.file, err)
		}
	}
	if _, _, err := runReplay(t); err == nil {
		t.Error("no file accepted")
	}
	if _, _, err := runReplay(t, "--format", "csv", bad); err == nil {
		t.Error("bad format accepted")
	}
}
