package schemes

import (
	"errors"
	"strconv"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/params"
)

// Parameter names of aws_ingest_inventory.
const (
	Regions              = "regions"
	OrganizationRoleName = "organization_role_name"
	MaxConcurrency       = "max_concurrency"
)

// Inventory is the aws_ingest_inventory scheme.
var Inventory = &params.Table{
	Name:  "aws_ingest_inventory",
	Title: "AWS EC2 inventory",
	Description: "Collects EC2 instances and reserved instances of every account and region in aws.conf (and of an AWS " +
		"Organization), matches reservations to running instances, and keeps the ec2_instances, instancetype and " +
		"accountNames lookups current. One collection pass per run.",
	Params: with([]params.Param{
		awsConfParam(),
		{Name: Regions, Title: "Regions", Kind: params.Text, Check: regionList,
			Description: "Comma-separated regions, or all for every region enabled in each account (asked with ec2:DescribeRegions). " +
				"Default: an [account:<name>] stanza's own regions, else [regions] in aws.conf, else AWS_REGION of splunkd."},
		{Name: OrganizationRoleName, Title: "Organization role name", Kind: params.Text,
			Description: "Also poll every active account of the AWS Organization (organizations:ListAccounts with the input's " +
				"credentials) by assuming this role (e.g. OrganizationAccountAccessRole) in each; accounts in aws.conf keep their own keys or role."},
		{Name: MaxConcurrency, Title: "Maximum concurrency", Kind: params.Integer, Default: "32", Min: 1, Max: 256,
			Description: "How many account and region pairs are collected at once. Lower it if AWS throttles the calls."},
		lookupDirParam(),
		endpointParam(EC2EndpointURL, "EC2"),
	}, credentialParams()),
	Rules: []params.Rule{credentialRules},
	Settings: []params.Setting{
		startByShell,
		{Name: "interval", Value: "3600", Comment: "One collection pass per run."},
		{Name: "sourcetype", Value: "aws:ec2:instance"},
	},
}

func regionList(s string) error {
	if s == "all" {
		return nil
	}
	var bad []string
	for r := range strings.SplitSeq(s, ",") {
		if r = strings.TrimSpace(r); !awsname.Region(r) {
			bad = append(bad, strconv.Quote(r))
		}
	}
	if len(bad) > 0 {
		return errors.New("not region names: " + strings.Join(bad, ", ") + " (use names like us-west-2, or all)")
	}
	return nil
}
