// Command aws_ingest_billing is a Splunk modular input (placeholder until wired).
package main

import "os"

var version = "(devel)"

func main() { _ = version; os.Exit(1) }
