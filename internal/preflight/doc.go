// Package preflight is the `check` subcommand every binary shares: it loads
// the binary's stanzas from inputs.conf as splunkd layers them, parses them
// with the scheme's table, and prints one table of ✓/✗ rows with the fix for
// each ✗. What to exercise for one stanza (credentials, the queue, the
// bucket ...) is the input's own Check function; this package stays free of
// AWS service clients so that each binary links only the services it uses.
package preflight
