package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// LoadStanzas reads inputs.conf layers (later files win, key by key) and
// returns scheme's stanzas with the [default] and [<scheme>] settings
// applied under their own, as splunkd does. Missing files are skipped; at
// least one must exist. A file that exists but cannot be read is an error:
// skipping it would check a configuration splunkd does not use.
func LoadStanzas(scheme string, files ...string) ([]modinput.Stanza, error) {
	var sources []any
	for _, f := range files {
		switch _, err := os.Stat(f); {
		case err == nil:
			sources = append(sources, f)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("cannot read %s: %w; run check as the user splunkd runs as", f, err)
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("none of %s exists", strings.Join(files, ", "))
	}
	cfg, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, PreserveSurroundedQuote: true}, sources[0], sources[1:]...)
	if err != nil {
		return nil, err
	}
	base := map[string]string{}
	for _, name := range []string{ini.DefaultSection, "default", scheme} {
		if sec, err := cfg.GetSection(name); err == nil {
			for _, k := range sec.Keys() {
				base[k.Name()] = k.Value()
			}
		}
	}
	var out []modinput.Stanza
	for _, sec := range cfg.Sections() {
		if !strings.HasPrefix(sec.Name(), scheme+"://") {
			continue
		}
		p := maps.Clone(base)
		for _, k := range sec.Keys() {
			p[k.Name()] = k.Value()
		}
		out = append(out, modinput.Stanza{Name: sec.Name(), Params: p})
	}
	return out, nil
}

// splunkTrue is how .conf files spell true.
func splunkTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true
	}
	return false
}
