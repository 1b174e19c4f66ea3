// Command aws_ingest_cloudtrail is a Splunk modular input (placeholder until wired).
package main

import "os"

var version = "(devel)"

func main() { _ = version; os.Exit(1) }
