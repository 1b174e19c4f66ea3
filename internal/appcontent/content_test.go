package appcontent

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/ini.v1"

	"github.com/aws-ingest/aws-ingest/internal/billing"
	"github.com/aws-ingest/aws-ingest/internal/inventory"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
)

const appDir = "../../app"

// confOptions read values as splunkd does: no inline comments.
var confOptions = ini.LoadOptions{IgnoreInlineComment: true}

// inputLookups are the lookup files the inputs write into the app's lookups
// folder, with their headers and who writes them. No lookup file ships.
var inputLookups = map[string]struct {
	header  []string
	writers string
}{
	inventory.AccountNamesLookup: {lookup.AccountNamesHeader, "aws_ingest_billing, aws_ingest_inventory"},
	billing.SubaccountsFile:      {billing.SubaccountsHeader, "aws_ingest_billing"},
	inventory.InstancesLookup:    {inventory.InstancesHeader, "aws_ingest_inventory"},
	inventory.TypesLookup:        {inventory.TypesHeader, "aws_ingest_inventory"},
}

// defaultFields are fields every Splunk event has.
var defaultFields = map[string]bool{"_time": true, "_raw": true, "host": true, "source": true, "sourcetype": true, "index": true,
	"linecount": true, "splunk_server": true, "_indextime": true, "eventtype": true, "tag": true, "punct": true}

// splunkSourcetypes are Splunk's own, read by the health dashboard, with
// the fields used from them.
var splunkSourcetypes = map[string][]string{"splunkd": {"component", "log_level", "event_message"}}

// sameEvents maps a sourcetype to the one whose events it has.
var sameEvents = map[string]string{"aws-cloudtrail": "aws:cloudtrail"}

type app struct {
	props, transforms *conf
	macros            map[string]macro
	fromProps         map[string]map[string]bool // sourcetype: fields made by props.conf
}

// headerOf returns the columns of a lookup definition's file.
func (a *app) headerOf(name string) ([]string, error) {
	sec, err := a.transforms.GetSection(name)
	if err != nil {
		// inputlookup also takes a file name.
		if l, ok := inputLookups[name]; ok {
			return l.header, nil
		}
		return nil, fmt.Errorf("no lookup definition [%s] in transforms.conf", name)
	}
	file := sec.Key("filename").String()
	l, ok := inputLookups[file]
	if !ok {
		if _, err := os.Stat(filepath.Join(appDir, "lookups", file)); err != nil {
			return nil, fmt.Errorf("[%s] filename = %s: neither shipped in app/lookups nor written by an input", name, file)
		}
		data, err := os.ReadFile(filepath.Join(appDir, "lookups", file))
		if err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(string(data), "\n")
		return strings.Split(strings.TrimSpace(first), ","), nil
	}
	return l.header, nil
}

func loadApp(t *testing.T) *app {
	t.Helper()
	a := &app{props: loadConf(t, "props.conf"), transforms: loadConf(t, "transforms.conf"), macros: map[string]macro{}, fromProps: map[string]map[string]bool{}}
	for _, sec := range loadConf(t, "macros.conf").Sections() {
		m := macro{definition: sec.Key("definition").String()}
		if args := sec.Key("args").String(); args != "" {
			for _, arg := range strings.Split(args, ",") {
				m.args = append(m.args, strings.TrimSpace(arg))
			}
		}
		a.macros[sec.Name()] = m
	}
	return a
}

var asPair = regexp.MustCompile(`(?i)(\S+)\s+AS\s+(\S+)`)

// propsFields reads what props.conf makes per sourcetype and checks each
// alias, calculated field and automatic lookup against the events.
func (a *app) propsFields(t *testing.T, events fieldSet) {
	for _, sec := range a.props.Sections() {
		st := sec.Name()
		made := map[string]bool{}
		a.fromProps[st] = made
		evSt := st
		if s, ok := sameEvents[st]; ok {
			evSt = s
		}
		have := events[evSt]
		exists := func(f string) bool { return have[f] || made[f] || defaultFields[f] }
		for _, key := range sec.Keys() {
			name, value := key.Name(), key.String()
			switch {
			case strings.HasPrefix(name, "FIELDALIAS-"):
				pairs := asPair.FindAllStringSubmatch(value, -1)
				if len(pairs) == 0 {
					t.Errorf("props [%s] %s: no \"field AS alias\"", st, name)
				}
				for _, p := range pairs {
					if have != nil && !exists(p[1]) {
						t.Errorf("props [%s] %s: %s is in no %s event", st, name, p[1], evSt)
					}
					made[p[2]] = true
				}
			case strings.HasPrefix(name, "EVAL-"):
				u := newUse()
				toks, err := tokenize(value)
				if err != nil {
					t.Errorf("props [%s] %s: %v", st, name, err)
					continue
				}
				expression(toks, u)
				if have != nil && len(u.refs) > 0 {
					found := false
					for f := range u.refs {
						found = found || exists(f)
					}
					if !found {
						t.Errorf("props [%s] %s: none of %v is in a %s event", st, name, keys(u.refs), evSt)
					}
				}
				made[strings.TrimPrefix(name, "EVAL-")] = true
			case strings.HasPrefix(name, "LOOKUP-"):
				toks, err := tokenize(value)
				if err != nil || len(toks) < 2 {
					t.Errorf("props [%s] %s: %q", st, name, value)
					continue
				}
				u := newUse()
				if err := command("lookup", toks, u); err != nil {
					t.Errorf("props [%s] %s: %v", st, name, err)
					continue
				}
				a.checkLookupColumns(t, fmt.Sprintf("props [%s] %s", st, name), u)
				for f := range u.refs {
					if have != nil && !exists(f) {
						t.Errorf("props [%s] %s: input field %s is in no %s event nor made by props", st, name, f, evSt)
					}
				}
				for f := range u.defs {
					made[f] = true
				}
			}
		}
	}
}

func (a *app) checkLookupColumns(t reporter, where string, u *use) {
	t.Helper()
	for _, lu := range u.lookupIO {
		header, err := a.headerOf(lu.name)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		for _, c := range lu.cols {
			if !slices.Contains(header, c) {
				t.Errorf("%s: lookup %s has no column %s (header %v)", where, lu.name, c, header)
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// reporter is the part of *testing.T the checks use; errorList collects
// what they report, for tests of the checks themselves.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type errorList []string

func (e *errorList) Helper() {}

func (e *errorList) Errorf(format string, args ...any) { *e = append(*e, fmt.Sprintf(format, args...)) }

// checkSearch expands, reads and checks one search: every sourcetype it
// names is one the inputs emit (props.conf has it), and every field it reads
// is in those sourcetypes' events, made by props.conf, or made by the search.
func (a *app) checkSearch(t reporter, where, search string, events fieldSet, extra map[string]bool) *use {
	t.Helper()
	expanded, err := expandMacros(search, a.macros)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return nil
	}
	u := newUse()
	if err := analyze(expanded, u); err != nil {
		t.Errorf("%s: %v", where, err)
		return nil
	}
	if len(u.sourcetypes) == 0 && len(u.lookups) == 0 {
		t.Errorf("%s: names no sourcetype and reads no lookup: %s", where, expanded)
	}
	a.checkLookupColumns(t, where, u)
	scope := map[string]bool{}
	for st := range u.sourcetypes {
		if fields, ok := splunkSourcetypes[st]; ok {
			for _, f := range fields {
				scope[f] = true
			}
			continue
		}
		if _, err := a.props.GetSection(st); err != nil {
			t.Errorf("%s: sourcetype %s has no props.conf stanza", where, st)
		}
		evSt := st
		if s, ok := sameEvents[st]; ok {
			evSt = s
		}
		if events[evSt] == nil {
			t.Errorf("%s: no generated event has sourcetype %s", where, st)
		}
		for f := range events[evSt] {
			scope[f] = true
		}
		for f := range a.fromProps[st] {
			scope[f] = true
		}
	}
	for name := range u.lookups {
		header, err := a.headerOf(name)
		if err == nil {
			for _, c := range header {
				scope[c] = true
			}
		}
	}
	for f := range u.refs {
		if !scope[f] && !u.defs[f] && !defaultFields[f] && !extra[f] {
			t.Errorf("%s: field %s is in no event of %v, nor made by props.conf or the search", where, f, keys(u.sourcetypes))
		}
	}
	return u
}

func TestConfFilesParseWithoutDefaultStanza(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(appDir, "default", "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conf files: %v", err)
	}
	files = append(files, filepath.Join(appDir, "metadata", "default.meta"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(appDir, file)
		if filepath.Ext(file) == ".conf" {
			cfg, err := ini.LoadSources(confOptions, data)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
			} else if k := cfg.Section(ini.DefaultSection).KeyStrings(); len(k) > 0 {
				t.Errorf("%s: settings %v before the first stanza", rel, k)
			}
		}
		seen := map[string]int{}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || line[0] == '#' {
				continue
			}
			if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				name := line[1 : len(line)-1]
				if strings.EqualFold(name, "default") {
					t.Errorf("%s line %d: [default] stanza (AppInspect check_no_default_stanzas)", rel, n)
				}
				if first, dup := seen[name]; dup {
					t.Errorf("%s line %d: [%s] repeats line %d", rel, n, name, first)
				}
				seen[name] = n
				continue
			}
			if !strings.Contains(line, "=") {
				t.Errorf("%s line %d: neither a comment, a stanza nor key = value: %q", rel, n, line)
			}
			if strings.HasSuffix(line, `\`) {
				t.Errorf("%s line %d: continued line; keep each setting on one line", rel, n)
			}
		}
	}
}

func TestLookupsShipOrAreWrittenByAnInput(t *testing.T) {
	a := loadApp(t)
	for _, sec := range a.transforms.Sections() {
		file := sec.Key("filename").String()
		if file == "" {
			continue
		}
		if l, ok := inputLookups[file]; ok {
			t.Logf("[%s] %s: written by %s", sec.Name(), file, l.writers)
			if _, err := os.Stat(filepath.Join(appDir, "lookups", file)); err == nil {
				t.Errorf("app/lookups/%s ships, but %s writes it: an upgrade would overwrite the input's file", file, l.writers)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(appDir, "lookups", file)); err != nil {
			t.Errorf("[%s] filename = %s: not in app/lookups and written by no input", sec.Name(), file)
		}
	}
}

func TestPropsFieldsComeFromEvents(t *testing.T) {
	a := loadApp(t)
	a.propsFields(t, generatedEvents(t))
}

func TestEventTypesUseFieldsOfRealEvents(t *testing.T) {
	a := loadApp(t)
	events := generatedEvents(t)
	a.propsFields(t, events)
	types := map[string]bool{}
	for _, sec := range loadConf(t, "eventtypes.conf").Sections() {
		types[sec.Name()] = true
		search := sec.Key("search").String()
		if search == "" || strings.Contains(search, "|") {
			t.Errorf("eventtypes.conf [%s]: search %q, want a search without pipes", sec.Name(), search)
			continue
		}
		a.checkSearch(t, "eventtypes.conf ["+sec.Name()+"]", search, events, nil)
	}
	for _, sec := range loadConf(t, "tags.conf").Sections() {
		name, ok := strings.CutPrefix(sec.Name(), "eventtype=")
		if !ok || !types[name] {
			t.Errorf("tags.conf [%s]: not an event type of eventtypes.conf", sec.Name())
		}
		for _, k := range sec.Keys() {
			if k.String() != "enabled" && k.String() != "disabled" {
				t.Errorf("tags.conf [%s] %s = %s, want enabled or disabled", sec.Name(), k.Name(), k.String())
			}
		}
	}
}

func TestSavedSearchesUseFieldsOfRealEvents(t *testing.T) {
	a := loadApp(t)
	events := generatedEvents(t)
	a.propsFields(t, events)
	saved := loadConf(t, "savedsearches.conf")
	n := 0
	for _, sec := range saved.Sections() {
		n++
		search := sec.Key("search").String()
		if search == "" {
			t.Errorf("[%s]: no search", sec.Name())
			continue
		}
		a.checkSearch(t, "savedsearches.conf ["+sec.Name()+"]", search, events, nil)
		if sec.Key("enableSched").String() == "1" && sec.Key("disabled").String() != "1" {
			t.Errorf("[%s]: a scheduled search must ship disabled = 1", sec.Name())
		}
		if strings.Contains(sec.Name(), "Alert") && (sec.Key("cron_schedule").String() == "" || sec.Key("disabled").String() != "1") {
			t.Errorf("[%s]: an alert needs a cron_schedule and disabled = 1", sec.Name())
		}
	}
	if n == 0 {
		t.Error("savedsearches.conf has no search")
	}
}

// Simple XML, the parts the test reads.
type dashboard struct {
	XMLName  xml.Name
	Version  string     `xml:"version,attr"`
	Label    string     `xml:"label"`
	Fieldset []input    `xml:"fieldset>input"`
	Searches []xmlQuery `xml:"search"`
	Rows     []struct {
		Panels []struct {
			Title    string `xml:"title"`
			Elements []struct {
				XMLName xml.Name
				Title   string     `xml:"title"`
				Search  []xmlQuery `xml:"search"`
			} `xml:",any"`
		} `xml:"panel"`
	} `xml:"row"`
}

type input struct {
	Type           string     `xml:"type,attr"`
	Token          string     `xml:"token,attr"`
	Default        string     `xml:"default"`
	FieldForLabel  string     `xml:"fieldForLabel"`
	FieldForValue  string     `xml:"fieldForValue"`
	Search         []xmlQuery `xml:"search"`
	InitialDefault string     `xml:"initialValue"`
	Choices        []struct {
		Value string `xml:"value,attr"`
	} `xml:"choice"`
}

type xmlQuery struct {
	ID    string `xml:"id,attr"`
	Base  string `xml:"base,attr"`
	Query string `xml:"query"`
}

var tokenRef = regexp.MustCompile(`\$([A-Za-z0-9_.]+)\$`)

func TestDashboardsAreValidAndUseFieldsOfRealEvents(t *testing.T) {
	a := loadApp(t)
	events := generatedEvents(t)
	a.propsFields(t, events)
	views, err := filepath.Glob(filepath.Join(appDir, "default", "data", "ui", "views", "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, view := range views {
		name := filepath.Base(view)
		data, err := os.ReadFile(view)
		if err != nil {
			t.Fatal(err)
		}
		if err := wellFormed(data); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var d dashboard
		if err := xml.Unmarshal(data, &d); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if root := d.XMLName.Local; root != "dashboard" && root != "form" {
			t.Errorf("%s: root <%s>, want <dashboard> or <form>", name, root)
		}
		if d.Version != "1.1" {
			t.Errorf("%s: version=%q, want 1.1 (jQuery 3.5 dashboards)", name, d.Version)
		}
		if d.Label == "" {
			t.Errorf("%s: no <label>", name)
		}
		if len(d.Fieldset) > 0 && d.XMLName.Local != "form" {
			t.Errorf("%s: inputs need a <form> root", name)
		}
		// Tokens take their input's default (or "*") in the searches.
		tokens := map[string]string{}
		for _, in := range d.Fieldset {
			v := in.Default
			if v == "" {
				v = "*"
			}
			tokens[in.Token] = v
		}
		subst := func(q string) string {
			return tokenRef.ReplaceAllStringFunc(q, func(m string) string {
				k := m[1 : len(m)-1]
				if v, ok := tokens[k]; ok {
					return v
				}
				if strings.HasSuffix(k, ".earliest") || strings.HasSuffix(k, ".latest") {
					return ""
				}
				t.Errorf("%s: token %s is set by no input", name, m)
				return "*"
			})
		}
		base := map[string]string{}
		var queries []xmlQuery
		queries = append(queries, d.Searches...)
		for _, in := range d.Fieldset {
			for _, s := range in.Search {
				if s.Query == "" {
					continue
				}
				u := a.checkSearch(t, name+" input "+in.Token, subst(s.Query), events, nil)
				for _, f := range []string{in.FieldForLabel, in.FieldForValue} {
					if u != nil && f != "" && !u.defs[f] && !u.refs[f] {
						t.Errorf("%s input %s: field %s is neither read nor made by its search", name, in.Token, f)
					}
				}
			}
		}
		panels := 0
		for _, r := range d.Rows {
			for _, p := range r.Panels {
				for _, e := range p.Elements {
					if e.XMLName.Local == "title" || e.XMLName.Local == "html" || e.XMLName.Local == "input" {
						continue
					}
					panels++
					for _, s := range e.Search {
						s.ID = cmp.Or(e.Title, p.Title)
						queries = append(queries, s)
					}
					if len(e.Search) == 0 {
						t.Errorf("%s: panel element <%s> %q has no search", name, e.XMLName.Local, e.Title)
					}
				}
			}
		}
		if panels == 0 {
			t.Errorf("%s: no panels", name)
		}
		for _, s := range d.Searches {
			if s.ID != "" {
				base[s.ID] = s.Query
			}
		}
		for _, s := range queries {
			q := s.Query
			if s.Base != "" {
				b, ok := base[s.Base]
				if !ok {
					t.Errorf("%s: search base=%q is not defined", name, s.Base)
					continue
				}
				q = b + " " + q
			}
			if strings.TrimSpace(q) == "" {
				if s.Base == "" && s.ID != "" && base[s.ID] != "" {
					continue
				}
				t.Errorf("%s: empty query (%s)", name, s.ID)
				continue
			}
			a.checkSearch(t, fmt.Sprintf("%s %q", name, s.ID), subst(q), events, nil)
			// Every other choice of a dropdown whose token the search uses.
			for _, in := range d.Fieldset {
				if !strings.Contains(q, "$"+in.Token+"$") {
					continue
				}
				for _, c := range in.Choices {
					if c.Value == "*" || c.Value == tokens[in.Token] {
						continue
					}
					v := strings.ReplaceAll(q, "$"+in.Token+"$", c.Value)
					a.checkSearch(t, fmt.Sprintf("%s %q with %s=%s", name, s.ID, in.Token, c.Value), subst(v), events, nil)
				}
			}
		}
	}
	if len(views) == 0 {
		t.Log("no dashboards yet")
	}
}

func wellFormed(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestNavNamesExistingViews(t *testing.T) {
	nav := filepath.Join(appDir, "default", "data", "ui", "nav", "default.xml")
	data, err := os.ReadFile(nav)
	if os.IsNotExist(err) {
		t.Skip("no navigation yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := wellFormed(data); err != nil {
		t.Fatalf("nav: %v", err)
	}
	var doc struct {
		XMLName xml.Name
		Default string `xml:"-"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil || doc.XMLName.Local != "nav" {
		t.Fatalf("nav: root %q, %v", doc.XMLName.Local, err)
	}
	builtin := map[string]bool{"search": true, "reports": true, "alerts": true, "dashboards": true, "datasets": true, "analytics_workspace": true}
	dec := xml.NewDecoder(bytes.NewReader(data))
	views := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "view" {
			continue
		}
		for _, at := range se.Attr {
			if at.Name.Local != "name" {
				continue
			}
			views++
			if builtin[at.Value] {
				continue
			}
			if _, err := os.Stat(filepath.Join(appDir, "default", "data", "ui", "views", at.Value+".xml")); err != nil {
				t.Errorf("nav names view %q, which app/default/data/ui/views lacks", at.Value)
			}
		}
	}
	if views == 0 {
		t.Error("nav names no view")
	}
}

// TestSearchCheckCatchesMistakes makes sure the search check fails on the
// mistakes it is there for.
func TestSearchCheckCatchesMistakes(t *testing.T) {
	a := loadApp(t)
	events := generatedEvents(t)
	a.propsFields(t, events)
	for search, want := range map[string]string{
		"`aws_ingest_cloudtrail` | stats count by eventname":                                                               "field eventname",
		"`aws_ingest_cloudtrail_index` sourcetype=aws:cloudtrails | stats count":                                           "sourcetype aws:cloudtrails has no props.conf stanza",
		"`aws_ingest_billing_index` sourcetype=aws:billing:summary | table amount limit":                                   "field limit",
		"`aws_ingest_cur_items(aws:billing:cur)` | stats sum(line_item_unblended_cost)":                                    "field line_item_unblended_cost",
		"`aws_ingest_inventory_index` sourcetype=aws:ec2:usage | lookup aws_ingest_instancetypes instancetype OUTPUT vcpu": "no column instancetype",
		"`no_such_macro` | stats count":                                                                                    "unknown macro",
		"`aws_ingest_cloudtrail` | stats count AS n by user | where n > 3 | transaction user":                              "not known",
	} {
		var errs errorList
		a.checkSearch(&errs, "test", search, events, nil)
		if !strings.Contains(strings.Join(errs, "\n"), want) {
			t.Errorf("%s: errors %q, want one with %q", search, errs, want)
		}
	}
	var errs errorList
	a.checkSearch(&errs, "test", "`aws_ingest_cloudtrail` eventName=ConsoleLogin | stats count by user src account_name", events, nil)
	if len(errs) > 0 {
		t.Errorf("a good search fails: %q", errs)
	}
}
