package iampolicy

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// BillingPolicy is the least-privilege identity policy for
// aws_ingest_billing: list and read the billing bucket (reports may sit
// under any prefix the payer chose), decrypt when the bucket uses SSE-KMS.
func BillingPolicy(partition, bucket, kmsKeyARN string) Document {
	bucketARN := "arn:" + partition + ":s3:::" + bucket
	st := []Statement{
		{Sid: "ListReports", Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resource: bucketARN},
		{Sid: "ReadReports", Effect: "Allow", Action: "s3:GetObject", Resource: bucketARN + "/*"},
	}
	if kmsKeyARN != "" {
		st = append(st, Statement{Sid: "DecryptReports", Effect: "Allow", Action: "kms:Decrypt", Resource: kmsKeyARN})
	}
	return Document{Version: Version, Statement: st}
}

// InventoryPolicy is the least-privilege identity policy for
// aws_ingest_inventory in the account it runs with: the four EC2 reads in
// every region, the account roles it assumes, and the organization's
// account list when organization_role_name is used. Each polled account's
// role needs the EC2 statement too.
func InventoryPolicy(partition, organizationRole string, roleARNs []string) Document {
	st := []Statement{{Sid: "DescribeEC2", Effect: "Allow", Resource: "*",
		Action: []string{"ec2:DescribeInstances", "ec2:DescribeReservedInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeRegions"}}}
	roles := append([]string(nil), roleARNs...)
	if organizationRole != "" {
		roles = append(roles, "arn:"+partition+":iam::*:role/"+organizationRole)
		st = append(st, Statement{Sid: "ListOrganizationAccounts", Effect: "Allow", Action: "organizations:ListAccounts", Resource: "*"})
	}
	if len(roles) > 0 {
		st = append(st, Statement{Sid: "AssumeAccountRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: One(roles)})
	}
	return Document{Version: Version, Statement: st}
}

// BillingPolicyCommand is aws_ingest_billing policy.
func BillingPolicyCommand(_ context.Context, env *cli.Env, args []string) error {
	fs := cli.Flags(env, schemes.Billing.Name, "policy", "policy --bucket BUCKET [--partition aws] [--kms-key-arn ARN]")
	usage := func(format string, args ...any) error { return cli.UsageError(env, fs, format, args...) }
	bucket := fs.String("bucket", "", "the billing bucket (aws.conf [misc] s3bucket)")
	partition := fs.String("partition", "aws", "AWS partition: aws, aws-us-gov, aws-cn")
	kms := fs.String("kms-key-arn", "", "KMS key the reports are encrypted with (SSE-KMS)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *bucket == "":
		return usage("--bucket is required")
	case *kms != "" && !strings.HasPrefix(*kms, "arn:"):
		return usage("--kms-key-arn: want arn:aws:kms:REGION:ACCOUNT:key/ID, got %q", *kms)
	}
	_, err := env.Stdout.Write(BillingPolicy(*partition, *bucket, *kms).JSON())
	return err
}

// InventoryPolicyCommand is aws_ingest_inventory policy.
func InventoryPolicyCommand(_ context.Context, env *cli.Env, args []string) error {
	fs := cli.Flags(env, schemes.Inventory.Name, "policy", "policy [--organization-role-name NAME] [--role-arn ARN]... [--partition aws]")
	usage := func(format string, args ...any) error { return cli.UsageError(env, fs, format, args...) }
	org := fs.String("organization-role-name", "", "the role assumed in each organization account (organization_role_name)")
	partition := fs.String("partition", "aws", "AWS partition: aws, aws-us-gov, aws-cn")
	var roles []string
	fs.Func("role-arn", "a role_arn of an aws.conf [account:<name>] stanza (repeat for each)", func(s string) error {
		if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":role/") {
			return fmt.Errorf("want arn:aws:iam::ACCOUNT:role/NAME, got %q", s)
		}
		roles = append(roles, s)
		return nil
	})
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	_, err := env.Stdout.Write(InventoryPolicy(*partition, *org, roles).JSON())
	return err
}
