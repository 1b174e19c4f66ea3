package main

import (
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/setup"
)

// setupCommands are the operator subcommands: set up the AWS side, print the
// reader's policy, check a stanza, and migrate legacy inputs.conf stanzas.
var setupCommands = []cli.Command{
	{Name: "setup", Summary: "create or fix the CloudTrail → SNS → SQS plumbing (--dry-run prints the aws CLI commands)", Run: setup.SetupCommand},
	{Name: "policy", Summary: "print the least-privilege IAM policy for this input", Run: setup.PolicyCommand},
	preflight.Command(schemes.CloudTrail, setup.Check),
	{Name: "migrate-inputs", Summary: "rewrite a legacy inputs.conf's aws_cloudtrail stanzas for this input", Run: setup.MigrateInputsCommand},
}
