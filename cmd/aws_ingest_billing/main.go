// Command aws_ingest_billing is the Splunk modular input of the same name; see
// the app's README/inputs.conf.spec for its parameters.
package main

import (
	"context"
	"os"

	"github.com/aws-ingest/aws-ingest/internal/billing"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/iampolicy"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// version is set by package.sh with -ldflags "-X main.version=...".
var version = "(devel)"

func main() {
	ctx, stop := cli.Signals()
	code := cli.Main(ctx, program(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func program() cli.Program {
	return cli.Program{
		Table:   schemes.Billing,
		Version: version,
		Run:     func(ctx context.Context, job *cli.Job) error { return billing.Run(ctx, job, openBucket) },
		Commands: []cli.Command{billing.ReplayCommand(),
			{Name: "policy", Summary: "print the least-privilege IAM policy for this input", Run: iampolicy.BillingPolicyCommand},
			preflight.Command(schemes.Billing, billing.Check(connect))},
	}
}
