// Package cli is what every aws_ingest_* binary does before and after its
// source runs: it dispatches splunkd's invocations (--scheme,
// --validate-arguments, run mode) and the human subcommands, owns stdout
// through one modinput.Writer, logs to stderr in splunkd's format, and turns
// SIGTERM, SIGINT, a closed stdout or the death of splunkd into one prompt,
// orderly stop.
package cli
