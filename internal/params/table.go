package params

import (
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// Kind says how a value is checked and which data type splunkd shows.
type Kind int

// The kinds of parameter.
const (
	Text      Kind = iota // any text; Check may restrict it
	Integer               // whole number within Min..Max
	Bool                  // true/false, 1/0, yes/no ...
	Seconds               // whole seconds within Min..Max
	Regex                 // a Go (RE2) regular expression
	URL                   // an absolute http(s) URL (endpoints)
	Region                // an AWS region name such as us-west-2
	RoleARN               // arn:aws:iam::<account>:role/<name>
	AccountID             // a 12-digit AWS account id
	Choice                // one of Choices
	Index                 // a Splunk index name
	Path                  // a file or directory path
)

// Param is one stanza parameter.
type Param struct {
	Name        string
	Title       string // shown in Settings → Data Inputs
	Description string // one or more sentences; also the spec file text
	Kind        Kind
	Default     string // as written in inputs.conf; "" means none
	Required    bool
	Min, Max    int64    // Integer and Seconds; Max 0 means no upper bound
	Choices     []string // Choice
	Aliases     []string // older names that mean the same (legacy inputs.conf)
	Secret      bool     // never logged; prefer a stored credential
	Ignored     string   // accepted for compatibility and ignored; says why
	Check       func(string) error
}

// Rule checks several parameters together (mutually exclusive options,
// pairs that go together). It returns one error per problem.
type Rule func(Values) []error

// Table is every parameter of one scheme.
type Table struct {
	Name        string // the scheme name, also the binary's name
	Title       string
	Description string
	Params      []Param
	Rules       []Rule
	// Defaults for splunkd's own settings, written to the [scheme] stanza
	// of default/inputs.conf (interval, sourcetype, start_by_shell ...).
	Settings []Setting
}

// Setting is a splunkd setting with its default for a scheme.
type Setting struct{ Name, Value, Comment string }

// Param returns the parameter called name (or one of its aliases).
func (t *Table) Param(name string) (*Param, bool) {
	for i := range t.Params {
		p := &t.Params[i]
		if p.Name == name {
			return p, true
		}
		for _, a := range p.Aliases {
			if a == name {
				return p, true
			}
		}
	}
	return nil, false
}

// Scheme is the table as splunkd's --scheme document.
func (t *Table) Scheme() modinput.Scheme {
	s := modinput.Scheme{
		Title:                 t.Title,
		Description:           t.Description,
		UseExternalValidation: true,
		StreamingMode:         modinput.XML,
	}
	// Legacy names and ignored parameters are declared too: splunkd only
	// passes and shows what the scheme declares, and a Puppet-managed stanza
	// written for the legacy app must keep working unchanged.
	for _, p := range t.Params {
		s.Args = append(s.Args, modinput.Arg{
			Name:             p.Name,
			Title:            p.Title,
			Description:      p.Description,
			DataType:         p.Kind.dataType(),
			RequiredOnCreate: p.Required,
		})
		for _, alias := range p.Aliases {
			s.Args = append(s.Args, modinput.Arg{
				Name:        alias,
				Title:       p.Title + " (legacy name)",
				Description: "Legacy name of " + p.Name + ". " + p.Description,
				DataType:    p.Kind.dataType(),
			})
		}
	}
	return s
}

func (k Kind) dataType() modinput.DataType {
	switch k {
	case Integer, Seconds:
		return modinput.Number
	case Bool:
		return modinput.Boolean
	}
	return modinput.String
}
