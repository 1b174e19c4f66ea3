package inventory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

func job(t *testing.T, params map[string]string) *cli.Job {
	t.Helper()
	parsed, err := schemes.Inventory.Parse(modinput.Stanza{Name: "aws_ingest_inventory://t", Params: params})
	if err != nil {
		t.Fatal(err)
	}
	return &cli.Job{Stanza: "aws_ingest_inventory://t", Params: parsed.Values}
}

func TestCheckReportsAWSConfProblems(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "aws.conf")
	if err := os.WriteFile(bad, []byte("[keys]\n123456789012 = only two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Check(context.Background(), job(t, map[string]string{"aws_conf": bad}))
	if err == nil || !strings.Contains(err.Error(), "aws.conf:2 [keys] 123456789012") {
		t.Errorf("err = %v", err)
	}
	good := filepath.Join(dir, "good.conf")
	if err := os.WriteFile(good, []byte("[regions]\nrgn1 = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Check(context.Background(), job(t, map[string]string{"aws_conf": good})); err != nil {
		t.Errorf("good aws.conf: %v", err)
	}
	// The test binary is not in an installed app: nothing to check.
	if err := Check(context.Background(), job(t, map[string]string{})); err != nil {
		t.Errorf("no app folder: %v", err)
	}
	if err := Check(context.Background(), job(t, map[string]string{"aws_conf": "relative/aws.conf"})); err == nil {
		t.Error("a relative aws_conf without an app folder was accepted")
	}
}
