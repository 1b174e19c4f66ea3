package setup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// TestBinary drives the built aws_ingest_cloudtrail: the subcommands'
// wiring, exit codes, and the SDK's default chain in a child process. It
// skips until main.go lists setupCommands.
func TestBinary(t *testing.T) {
	bin := splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")
	if help := splunkd.Invoke(t, bin, nil, nil, "help"); !strings.Contains(string(help.Stdout), "migrate-inputs") {
		t.Skip("cmd/aws_ingest_cloudtrail/main.go does not list setupCommands yet")
	}
	srv := moto.Require(t)
	env := srv.Env()

	policy := splunkd.Invoke(t, bin, nil, env, "policy", "--queue-arn", "arn:aws:sqs:us-west-2:111122223333:acme-cloudtrail", "--bucket", "acme-trail")
	want, _ := os.ReadFile(filepath.Join("testdata", "policy-minimal.json"))
	if policy.Code != 0 || string(policy.Stdout) != string(want) {
		t.Errorf("policy: exit %d\n%s%s", policy.Code, policy.Stdout, policy.Stderr)
	}
	if r := splunkd.Invoke(t, bin, nil, env, "policy", "--bucket", "b"); r.Code != 2 {
		t.Errorf("policy without --queue-arn: exit %d, want 2 (usage)", r.Code)
	}
	migrated := splunkd.Invoke(t, bin, nil, env, "migrate-inputs", filepath.Join("testdata", "migrate", "developers.conf"))
	want, _ = os.ReadFile(filepath.Join("testdata", "migrate", "developers.conf.golden"))
	if migrated.Code != 0 || string(migrated.Stdout) != string(want) {
		t.Errorf("migrate-inputs: exit %d\n%s%s", migrated.Code, migrated.Stdout, migrated.Stderr)
	}

	args := []string{"setup", "--account-name", "bin", "--bucket", "bin-trail", "--create-bucket", "--queue-region", "us-west-2",
		"--regions", "eu-west-1,us-east-1,us-west-2", "--global-region", "us-east-1", "--mode", PerRegion}
	for i := range 2 {
		r := splunkd.Invoke(t, bin, nil, env, args...)
		if r.Code != 0 {
			t.Fatalf("setup run %d: exit %d\n%s%s", i+1, r.Code, r.Stdout, r.Stderr)
		}
		mark := Created
		if i == 1 {
			mark = Exists
		}
		head, _, _ := strings.Cut(string(r.Stdout), "\n\n")
		for l := range strings.SplitSeq(head, "\n") {
			if !strings.HasPrefix(l, mark+" ") {
				t.Errorf("setup run %d: %q, want %s", i+1, l, mark)
			}
		}
		if !strings.Contains(string(r.Stdout), "[aws_ingest_cloudtrail://bin]\nsqs_queue = bin-cloudtrail\nsqs_queue_region = us-west-2\n") {
			t.Errorf("setup run %d: no inputs.conf stanza:\n%s", i+1, r.Stdout)
		}
	}

	conf := filepath.Join(t.TempDir(), "inputs.conf")
	if err := os.WriteFile(conf, []byte("[aws_ingest_cloudtrail://bin]\nsqs_queue = bin-cloudtrail\nsqs_queue_region = us-west-2\n\n"+
		"[aws_ingest_cloudtrail://gone]\nsqs_queue = gone\nsqs_queue_region = us-west-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := splunkd.Invoke(t, bin, nil, env, "check", "--inputs-conf", conf, "--stanza", "bin"); r.Code != 0 {
		t.Errorf("check healthy: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if r := splunkd.Invoke(t, bin, nil, env, "check", "--inputs-conf", conf); r.Code != 1 || !strings.Contains(string(r.Stdout), "✗  aws_ingest_cloudtrail://gone") {
		t.Errorf("check broken: exit %d, want 1\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}
