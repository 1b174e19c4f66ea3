package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

// TestCheckSubcommand runs `aws_ingest_inventory check` as a person would
// (in process: cli.Main with program()) against moto: the subcommand is
// wired, it exits 0 for a working stanza, and no secret is printed. The
// rows themselves are tested in internal/inventory.
func TestCheckSubcommand(t *testing.T) {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	const stanzaSecret, confSecret = "stanzaSECRETstanzaSECRETstanzaSECRET0001", "confSECRETconfSECRETconfSECRETconfSECR02"
	dir := t.TempDir()
	awsConf := filepath.Join(dir, "aws.conf")
	inputs := filepath.Join(dir, "inputs.conf")
	lookups := filepath.Join(dir, "lookups")
	for name, text := range map[string]string{
		awsConf: "[keys]\n" + mainAccount + " = main AKIAIOSFODNN7EXAMPLE " + confSecret + "\n\n[account:second]\naccount_id = " + secondAccount +
			"\nrole_arn = arn:aws:iam::" + secondAccount + ":role/inventory\n",
		inputs: "[aws_ingest_inventory://e2e]\naws_conf = " + awsConf + "\nlookup_dir = " + lookups + "\nregions = us-west-2\n" +
			"key_id = AKIAIOSFODNN7EXAMPLE\nsecret_key = " + stanzaSecret + "\n",
	} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(t.Context(), program(), []string{"check", "--inputs-conf", inputs}, strings.NewReader(""), &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr.String())
	}
	passed := map[string]bool{}
	for l := range strings.SplitSeq(out, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "✓" && f[1] == "aws_ingest_inventory://e2e" {
			passed[f[2]] = true
		}
	}
	for _, row := range []string{"parameters", "aws.conf", "lookup_dir", "credentials", "accounts", "account:" + mainAccount, "account:" + secondAccount} {
		if !passed[row] {
			t.Errorf("no ✓ %s row:\n%s", row, out)
		}
	}
	for _, s := range []string{stanzaSecret, confSecret, "AKIAIOSFODNN7EXAMPLE"} {
		if strings.Contains(out+stderr.String(), s) {
			t.Errorf("a secret (%.4s...) was printed:\n%s\n%s", s, out, stderr.String())
		}
	}
	if _, err := os.Stat(lookups); !os.IsNotExist(err) {
		t.Errorf("check created lookup_dir: %v", err)
	}
}
