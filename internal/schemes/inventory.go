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
	Description: "Collects EC2 instances and reserved instances of every account and region in aws.conf and keeps " +
		"the ec2_instances, instancetype and accountNames lookups current.",
	Params: with([]params.Param{
		awsConfParam(),
		{Name: Regions, Title: "Regions", Kind: params.Text, Check: regionList,
			Description: "Comma-separated regions, or all for every region enabled in each account. Default: [regions] in aws.conf."},
		{Name: OrganizationRoleName, Title: "Organization role name", Kind: params.Text,
			Description: "Also list the AWS Organization's accounts and assume this role (e.g. OrganizationAccountAccessRole) in each."},
		{Name: MaxConcurrency, Title: "Maximum concurrency", Kind: params.Integer, Default: "32", Min: 1, Max: 256,
			Description: "How many account and region pairs are collected at once."},
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
