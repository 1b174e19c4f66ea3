package params

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// Values are a stanza's parameters, checked and with defaults applied.
type Values struct {
	stanza string
	values map[string]string // by canonical name, defaults included
	set    map[string]bool   // given in the stanza (not a default)
	secret map[string]bool
}

// Splunk is what splunkd's own settings mean for the events of a stanza.
type Splunk struct {
	Index      string
	Host       string // "" when splunkd left it to decide ($decideOnStartup)
	Source     string
	Sourcetype string
	Interval   string
}

// Parsed is the result of reading one stanza.
type Parsed struct {
	Values Values
	Splunk Splunk
	// Warnings are worth a WARN line but do not stop the input: unknown
	// parameters, ignored legacy ones.
	Warnings []string
}

// splunkdSettings are parameters splunkd passes to every modular input
// stanza; they are not ours to declare or reject.
var splunkdSettings = []string{
	"host", "index", "source", "sourcetype", "interval", "disabled", "start_by_shell",
	"python.version", "python.required", "run_introspection", "queueSize", "persistentQueueSize",
	"passAuth", "send_index_as_argument_for_path", "crcSalt", "_rcvbuf", "_meta",
	"_TCP_ROUTING", "_SYSLOG_ROUTING", "_INDEX_AND_FORWARD_ROUTING", "_raw", "_time",
}

// IsSplunkdSetting reports whether name belongs to splunkd rather than to
// the input.
func IsSplunkdSetting(name string) bool {
	return slices.Contains(splunkdSettings, name) || strings.HasPrefix(name, "_")
}

// Parse checks a stanza against the table and reports every problem at
// once, each naming the stanza and the parameter.
func (t *Table) Parse(st modinput.Stanza) (Parsed, error) {
	v := Values{stanza: st.Name, values: map[string]string{}, set: map[string]bool{}, secret: map[string]bool{}}
	out := Parsed{Splunk: splunkFrom(st.Params)}
	var errs []error
	fail := func(param, format string, args ...any) {
		errs = append(errs, fmt.Errorf("stanza %q, parameter %s: %s", st.Name, param, fmt.Sprintf(format, args...)))
	}
	from := map[string]string{} // canonical name → the name that set it
	names := make([]string, 0, len(st.Params))
	for name := range st.Params {
		names = append(names, name)
	}
	slices.Sort(names) // report in a stable order
	for _, name := range names {
		raw := strings.TrimSpace(st.Params[name])
		p, ok := t.Param(name)
		switch {
		case !ok && IsSplunkdSetting(name):
			continue
		case !ok:
			out.Warnings = append(out.Warnings, fmt.Sprintf("stanza %q: unknown parameter %s is ignored; check its spelling against README/inputs.conf.spec", st.Name, name))
			continue
		case p.Ignored != "":
			out.Warnings = append(out.Warnings, fmt.Sprintf("stanza %q: parameter %s is ignored: %s", st.Name, name, p.Ignored))
			continue
		}
		if other, dup := from[p.Name]; dup {
			if v.values[p.Name] != raw {
				fail(name, "conflicts with %s = %q; set only %s", other, v.values[p.Name], p.Name)
			}
			continue
		}
		if raw == "" {
			continue // an empty value means "not set" in Splunk .conf files
		}
		if err := p.check(raw); err != nil {
			if p.Secret {
				fail(name, "%v", err)
			} else {
				fail(name, "%q: %v", raw, err)
			}
			continue
		}
		v.values[p.Name] = raw
		v.set[p.Name] = true
		from[p.Name] = name
	}
	for _, p := range t.Params {
		v.secret[p.Name] = p.Secret
		if _, ok := v.values[p.Name]; ok {
			continue
		}
		if p.Required {
			fail(p.Name, "is required: %s", p.Description)
			continue
		}
		if p.Default != "" {
			v.values[p.Name] = p.Default
		}
	}
	if len(errs) == 0 {
		for _, rule := range t.Rules {
			for _, err := range rule(v) {
				errs = append(errs, fmt.Errorf("stanza %q: %w", st.Name, err))
			}
		}
	}
	out.Values = v
	return out, errors.Join(errs...)
}

func splunkFrom(params map[string]string) Splunk {
	s := Splunk{
		Index:      params["index"],
		Host:       params["host"],
		Source:     params["source"],
		Sourcetype: params["sourcetype"],
		Interval:   params["interval"],
	}
	if strings.HasPrefix(s.Host, "$") {
		s.Host = "" // $decideOnStartup: splunkd fills in its own host name
	}
	if s.Index == "default" {
		s.Index = "" // the SDK fixtures' "default" means splunkd's default index
	}
	return s
}

// Stanza is the name of the stanza the values came from.
func (v Values) Stanza() string { return v.stanza }

// IsSet reports whether the stanza gave the parameter (not a default).
func (v Values) IsSet(name string) bool { return v.set[v.must(name)] }

// String returns the value as text ("" when unset without default).
func (v Values) String(name string) string { return v.values[v.must(name)] }

// Secret returns a secret parameter.
func (v Values) Secret(name string) secret.String { return secret.String(v.values[v.must(name)]) }

// Int returns an Integer or Seconds parameter (0 when unset).
func (v Values) Int(name string) int64 {
	n, _ := strconv.ParseInt(v.values[v.must(name)], 10, 64) // checked by Parse
	return n
}

// Duration returns a Seconds parameter.
func (v Values) Duration(name string) time.Duration { return time.Duration(v.Int(name)) * time.Second }

// Bool returns a Bool parameter (false when unset).
func (v Values) Bool(name string) bool {
	b, _ := modinput.ParseBool(v.values[v.must(name)]) // checked by Parse
	return b
}

// Regexp returns a Regex parameter, or nil when unset.
func (v Values) Regexp(name string) *regexp.Regexp {
	s := v.values[v.must(name)]
	if s == "" {
		return nil
	}
	return regexp.MustCompile(s) // compiled once already by Parse
}

// List returns a comma-separated parameter as trimmed, non-empty items.
func (v Values) List(name string) []string {
	var out []string
	for item := range strings.SplitSeq(v.values[v.must(name)], ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// must panics on a name the table does not have: that is a programming
// error caught by the first test that reads it, not bad input.
func (v Values) must(name string) string {
	if _, ok := v.secret[name]; !ok {
		panic(fmt.Sprintf("params: no parameter %q in the table", name))
	}
	return name
}
