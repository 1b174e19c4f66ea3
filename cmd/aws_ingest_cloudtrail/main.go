// Command aws_ingest_cloudtrail is the Splunk modular input of the same name; see
// the app's README/inputs.conf.spec for its parameters.
package main

import (
	"os"

	"github.com/aws-ingest/aws-ingest/internal/cli"
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
	return cli.Program{Table: schemes.CloudTrail, Version: version, Run: run, Check: check,
		Commands: append([]cli.Command{replayCommand, verifyCommand}, setupCommands...)}
}
