// Package setup implements the operator subcommands of aws_ingest_cloudtrail:
// setup (the CloudTrail → SNS → SQS plumbing, idempotent, with a dry run
// that prints the equivalent aws CLI commands), policy (the reader's
// least-privilege IAM policy), check (a preflight that loads the stanzas as
// splunkd would and exercises each permission) and migrate-inputs (legacy
// aws_cloudtrail stanzas rewritten for aws_ingest_cloudtrail).
//
// setup is a list of steps, each an idempotent ensure function with the CLI
// commands it stands for (ensure.go); the AWS calls go through narrow
// interfaces with the SDK's signatures (aws.go), so the unit tests use
// hand-written fakes (fakes_test.go) and the end-to-end tests moto_server.
package setup
