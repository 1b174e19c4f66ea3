package setup

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
)

func TestPolicyCommand(t *testing.T) {
	const queue = "arn:aws:sqs:us-west-2:111122223333:acme-cloudtrail"
	tests := []struct {
		name string
		args []string
	}{
		{"policy-minimal.json", []string{"--queue-arn", queue, "--bucket", "acme-trail"}},
		{"policy-all.json", []string{"--queue-arn", queue, "--bucket", "acme-trail",
			"--kms-key-arn", "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"--remove-files-when-done", "--validate-integrity"}},
		{"policy-govcloud.json", []string{"--queue-arn", "arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q", "--bucket", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runCommand(t, PolicyCommand, nil, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			var d Document
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			golden(t, tt.name, []byte(out))
		})
	}
}

func TestPolicyCommandUsage(t *testing.T) {
	tests := [][]string{
		{},
		{"--bucket", "b"},
		{"--queue-arn", "arn:aws:sns:us-west-2:111122223333:t", "--bucket", "b"},
		{"--queue-arn", "arn:aws:sqs:us-west-2:111122223333:q"},
		{"--queue-arn", "arn:aws:sqs:us-west-2:111122223333:q", "--bucket", "b", "--kms-key-arn", "alias/x"},
		{"--queue-arn", "arn:aws:sqs:us-west-2:111122223333:q", "--bucket", "b", "extra"},
		{"--nope"},
	}
	for _, args := range tests {
		out, stderr, err := runCommand(t, PolicyCommand, nil, args...)
		if !errors.Is(err, cli.ErrUsage) || out != "" || stderr == "" {
			t.Errorf("%q: err %v, stdout %q, stderr %q; want a usage error on stderr", args, err, out, stderr)
		}
	}
}

func TestSetupCommandUsage(t *testing.T) {
	ok := []string{"--account-name", "acme", "--bucket", "b", "--queue-region", "us-west-2"}
	tests := [][]string{
		{"--bucket", "b", "--queue-region", "us-west-2"},
		{"--account-name", "a b", "--bucket", "b", "--queue-region", "us-west-2"},
		{"--account-name", "acme", "--queue-region", "us-west-2"},
		{"--account-name", "acme", "--bucket", "b"},
		append(ok, "--mode", "both"),
		append(ok, "--mode", "per-region", "--regions", ","),
		append(ok, "extra"),
	}
	for _, args := range tests {
		out, stderr, err := runCommand(t, SetupCommand, nil, args...)
		if !errors.Is(err, cli.ErrUsage) || out != "" || stderr == "" {
			t.Errorf("%q: err %v, stdout %q, stderr %q; want a usage error on stderr", args, err, out, stderr)
		}
	}
}
