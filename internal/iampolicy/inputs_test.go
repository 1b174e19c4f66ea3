package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
)

func TestInputPolicies(t *testing.T) {
	var out bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &bytes.Buffer{}}
	if err := BillingPolicyCommand(t.Context(), env, []string{"--bucket", "acme-billing", "--kms-key-arn", "arn:aws:kms:us-east-1:123456789012:key/k"}); err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{`"arn:aws:s3:::acme-billing"`, `"arn:aws:s3:::acme-billing/*"`, `"s3:ListBucket"`, `"s3:GetObject"`, `"kms:Decrypt"`} {
		if !strings.Contains(got, want) {
			t.Errorf("billing policy lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3:PutObject") || strings.Contains(got, "s3:DeleteObject") {
		t.Errorf("billing policy allows writing:\n%s", got)
	}

	out.Reset()
	if err := InventoryPolicyCommand(t.Context(), env, []string{"--organization-role-name", "OrganizationAccountAccessRole",
		"--role-arn", "arn:aws:iam::210987654321:role/SplunkReadOnly"}); err != nil {
		t.Fatal(err)
	}
	got = out.String()
	for _, want := range []string{`"ec2:DescribeInstances"`, `"ec2:DescribeReservedInstances"`, `"ec2:DescribeInstanceTypes"`, `"ec2:DescribeRegions"`,
		`"organizations:ListAccounts"`, `"arn:aws:iam::*:role/OrganizationAccountAccessRole"`, `"arn:aws:iam::210987654321:role/SplunkReadOnly"`} {
		if !strings.Contains(got, want) {
			t.Errorf("inventory policy lacks %s:\n%s", want, got)
		}
	}
	out.Reset()
	if err := InventoryPolicyCommand(t.Context(), env, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "sts:AssumeRole") || strings.Contains(out.String(), "organizations:") {
		t.Errorf("a single-account inventory policy grants more than EC2 reads:\n%s", out.String())
	}

	for _, args := range [][]string{{}, {"--bucket", "b", "extra"}, {"--bucket", "b", "--kms-key-arn", "k"}} {
		if err := BillingPolicyCommand(t.Context(), env, args); !errors.Is(err, cli.ErrUsage) {
			t.Errorf("billing policy %q: err = %v, want a usage error", args, err)
		}
	}
	if err := InventoryPolicyCommand(t.Context(), env, []string{"--role-arn", "nope"}); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("inventory policy with a bad role: err = %v", err)
	}
}
