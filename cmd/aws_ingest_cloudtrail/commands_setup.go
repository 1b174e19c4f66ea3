package main

import (
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/setup"
)

// setupCommands are the operator subcommands: set up the AWS side, print the
// reader's policy, and migrate legacy inputs.conf stanzas.
var setupCommands = []cli.Command{
	{Name: "setup", Summary: "create or fix the CloudTrail → SNS → SQS plumbing (--dry-run prints the aws CLI commands)", Run: setup.SetupCommand},
	{Name: "policy", Summary: "print the least-privilege IAM policy for this input", Run: setup.PolicyCommand},
	{Name: "check", Summary: "preflight on the indexer: load the stanzas, try every permission the input needs", Run: setup.CheckCommand},
	{Name: "migrate-inputs", Summary: "rewrite a legacy inputs.conf's aws_cloudtrail stanzas for this input", Run: setup.MigrateInputsCommand},
}
