package preflight

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Marks of a row.
const (
	Pass = "✓"
	Fail = "✗"
	Skip = "-"
)

// Row is one line of the check table.
type Row struct {
	Stanza, Check, Mark, Detail, Fix string
}

// Report collects the rows of one stanza.
type Report struct {
	Stanza string
	Rows   []Row
}

// Pass records a check that worked; detail says what was found.
func (r *Report) Pass(check, detail string) { r.add(check, Pass, detail, "") }

// Fail records a check that failed and what a person does about it.
func (r *Report) Fail(check, detail, fix string) { r.add(check, Fail, detail, fix) }

// Skip records a check that was not tried, and why.
func (r *Report) Skip(check, detail string) { r.add(check, Skip, detail, "") }

func (r *Report) add(check, mark, detail, fix string) {
	r.Rows = append(r.Rows, Row{Stanza: r.Stanza, Check: check, Mark: mark, Detail: detail, Fix: fix})
}

// Print writes the table and then the fixes of the failed rows, and returns
// how many failed.
func Print(w io.Writer, rows []Row) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	failed := 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Mark, r.Stanza, r.Check, r.Detail)
		if r.Mark == Fail {
			failed++
		}
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintln(w, "\nTo fix:")
		for _, r := range rows {
			if r.Mark == Fail {
				fmt.Fprintf(w, "  %s %s: %s\n", r.Stanza, r.Check, r.Fix)
			}
		}
	}
	return failed
}
