package params

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

const generated = "# Generated from the parameter tables in internal/schemes; do not edit.\n" +
	"# go test ./internal/schemes -update rewrites it.\n"

// WriteSpec writes README/inputs.conf.spec: one [scheme://<name>] stanza
// per table documenting every parameter.
func WriteSpec(w io.Writer, tables ...*Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(generated)
	for _, t := range tables {
		fmt.Fprintf(bw, "\n[%s://<name>]\n", t.Name)
		bullet(bw, t.Title+". "+t.Description)
		for _, p := range t.Params {
			fmt.Fprintf(bw, "\n%s = %s\n", p.Name, p.Kind.placeholder(p.Choices))
			bullet(bw, p.specText())
			for _, a := range p.Aliases {
				fmt.Fprintf(bw, "\n%s = %s\n", a, p.Kind.placeholder(p.Choices))
				bullet(bw, "Legacy name of "+p.Name+", accepted so that existing inputs.conf stanzas keep working.")
			}
		}
	}
	return bw.Flush()
}

func (p *Param) specText() string {
	var parts []string
	if p.Ignored != "" {
		parts = append(parts, "Accepted and ignored: "+p.Ignored+".")
	}
	if p.Required {
		parts = append(parts, "Required.")
	}
	parts = append(parts, p.Description)
	switch {
	case p.Kind == Choice:
		parts = append(parts, "One of: "+strings.Join(p.Choices, ", ")+".")
	case (p.Kind == Integer || p.Kind == Seconds) && p.Max != 0:
		parts = append(parts, fmt.Sprintf("Between %d and %d.", p.Min, p.Max))
	}
	if p.Default != "" {
		parts = append(parts, "Default: "+p.Default+".")
	}
	if p.Secret {
		parts = append(parts, "Secret: never logged.")
	}
	return strings.Join(parts, " ")
}

func (k Kind) placeholder(choices []string) string {
	switch k {
	case Integer:
		return "<integer>"
	case Seconds:
		return "<seconds>"
	case Bool:
		return "<boolean>"
	case Regex:
		return "<regular expression>"
	case URL:
		return "<url>"
	case Region:
		return "<aws region>"
	case RoleARN:
		return "<iam role arn>"
	case AccountID:
		return "<aws account id>"
	case Choice:
		return "<" + strings.Join(choices, "|") + ">"
	case Index:
		return "<index>"
	case Path:
		return "<path>"
	}
	return "<string>"
}

// bullet writes text as "* " lines wrapped near 100 columns, the spec
// files' comment style.
func bullet(w *bufio.Writer, text string) {
	line := "*"
	for word := range strings.FieldsSeq(text) {
		if len(line)+1+len(word) > 100 && line != "*" {
			w.WriteString(line + "\n")
			line = "*"
		}
		line += " " + word
	}
	w.WriteString(line + "\n")
}

// WriteDefaults writes default/inputs.conf: per scheme a [scheme] stanza
// with splunkd's settings and every parameter default. splunkd passes these
// to each stanza of the scheme, so Puppet-managed stanzas need only what
// differs.
func WriteDefaults(w io.Writer, tables ...*Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(generated)
	for _, t := range tables {
		fmt.Fprintf(bw, "\n[%s]\n", t.Name)
		for _, s := range t.Settings {
			if s.Comment != "" {
				fmt.Fprintf(bw, "# %s\n", s.Comment)
			}
			fmt.Fprintf(bw, "%s = %s\n", s.Name, s.Value)
		}
		for _, p := range t.Params {
			if p.Default != "" {
				fmt.Fprintf(bw, "%s = %s\n", p.Name, p.Default)
			}
		}
	}
	return bw.Flush()
}
