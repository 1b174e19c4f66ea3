// Package preflighttest reads the table the check subcommand prints, for
// the tests of each input's check.
package preflighttest

import "strings"

// HasRow tells whether out has a row with mark, stanza and check whose line
// contains detail ("" matches any).
func HasRow(out, mark, stanza, check, detail string) bool {
	for l := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == mark && f[1] == stanza && f[2] == check && strings.Contains(l, detail) {
			return true
		}
	}
	return false
}
