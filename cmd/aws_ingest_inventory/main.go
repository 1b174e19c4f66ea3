// Command aws_ingest_inventory is the Splunk modular input of the same name; see
// the app's README/inputs.conf.spec for its parameters.
package main

import (
	"os"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/iampolicy"
	"github.com/aws-ingest/aws-ingest/internal/inventory"
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
	return cli.Program{Table: schemes.Inventory, Version: version, Run: inventory.Run, Check: inventory.Check,
		Commands: []cli.Command{
			{Name: "policy", Summary: "print the least-privilege IAM policy for this input", Run: iampolicy.InventoryPolicyCommand},
			preflight.Command(schemes.Inventory, inventory.Preflight),
		}}
}
