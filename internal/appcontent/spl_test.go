package appcontent

import (
	"fmt"
	"regexp"
	"strings"
)

// This file is a small reader of the SPL the app ships: enough to find the
// sourcetypes a search reads and the fields it uses or makes. It knows the
// commands the app's searches use and refuses others, so that a new command
// gets taught here rather than skipped.

type tokKind int

const (
	tWord  tokKind = iota
	tStr           // "double quoted"
	tField         // 'single quoted' field name
	tOp            // = != < > <= >= == ( ) ,
)

type token struct {
	kind tokKind
	text string // without quotes
}

func (t token) is(op string) bool { return t.kind == tOp && t.text == op }

func (t token) word(w string) bool { return t.kind == tWord && strings.EqualFold(t.text, w) }

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
			k := tStr
			if c == '\'' {
				k = tField
			}
			out = append(out, token{k, b.String()})
			i = j + 1
		case strings.HasPrefix(s[i:], "!=") || strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">=") || strings.HasPrefix(s[i:], "=="):
			out = append(out, token{tOp, s[i : i+2]})
			i += 2
		case strings.IndexByte("=<>(),", c) >= 0:
			out = append(out, token{tOp, s[i : i+1]})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n\"'=<>(),!", s[j]) < 0 {
				j++
			}
			if j == i { // a lone "!"
				j++
			}
			out = append(out, token{tWord, s[i:j]})
			i = j
		}
	}
	return out, nil
}

// splitPipes splits a search into commands at the "|" outside quotes and
// brackets, and takes out each [subsearch].
func splitPipes(s string) (cmds []string, subs []string, err error) {
	var cur strings.Builder
	depth, subStart := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' && i+1 < len(s) {
				if depth == 0 {
					cur.WriteByte(c)
					cur.WriteByte(s[i+1])
				}
				i++
				continue
			}
			if c == quote {
				quote = 0
			}
			if depth == 0 {
				cur.WriteByte(c)
			}
			continue
		}
		switch {
		case c == '"':
			quote = c
		case c == '[':
			if depth == 0 {
				subStart = i + 1
			}
			depth++
			continue
		case c == ']':
			depth--
			if depth < 0 {
				return nil, nil, fmt.Errorf("unbalanced ] in %q", s)
			}
			if depth == 0 {
				subs = append(subs, s[subStart:i])
			}
			continue
		case c == '|' && depth == 0:
			cmds = append(cmds, cur.String())
			cur.Reset()
			continue
		}
		if depth == 0 {
			cur.WriteByte(c)
		}
	}
	if depth != 0 || quote != 0 {
		return nil, nil, fmt.Errorf("unbalanced brackets or quotes in %q", s)
	}
	cmds = append(cmds, cur.String())
	return cmds, subs, nil
}

var macroRef = regexp.MustCompile("`([A-Za-z0-9_]+)(?:\\(([^`]*)\\))?`")

// expandMacros replaces `name` and `name(args)` by the macros' definitions.
func expandMacros(s string, macros map[string]macro) (string, error) {
	for range 10 {
		var err error
		s2 := macroRef.ReplaceAllStringFunc(s, func(m string) string {
			sub := macroRef.FindStringSubmatch(m)
			var args []string
			if strings.Contains(m, "(") {
				args = strings.Split(sub[2], ",")
			}
			key := sub[1]
			if len(args) > 0 {
				key = fmt.Sprintf("%s(%d)", sub[1], len(args))
			}
			mac, ok := macros[key]
			if !ok {
				err = fmt.Errorf("unknown macro %s", key)
				return m
			}
			def := mac.definition
			for i, name := range mac.args {
				def = strings.ReplaceAll(def, "$"+name+"$", strings.TrimSpace(args[i]))
			}
			return def
		})
		if err != nil {
			return "", err
		}
		if s2 == s {
			return s, nil
		}
		s = s2
	}
	return "", fmt.Errorf("macros nest too deep in %q", s)
}

type macro struct {
	definition string
	args       []string
}

// use is what one search reads and makes.
type use struct {
	sourcetypes map[string]bool
	lookups     map[string]bool // lookup names of inputlookup / lookup
	refs        map[string]bool // fields read
	defs        map[string]bool // fields made by the search
	lookupIO    []lookupUse
}

type lookupUse struct {
	name string
	cols []string // lookup columns named
}

func newUse() *use {
	return &use{sourcetypes: map[string]bool{}, lookups: map[string]bool{}, refs: map[string]bool{}, defs: map[string]bool{}}
}

// analyze reads one expanded search (and its subsearches) into u.
func analyze(search string, u *use) error {
	search = strings.TrimSpace(search)
	cmds, subs, err := splitPipes(search)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		sub = strings.TrimSpace(sub)
		if rest, ok := strings.CutPrefix(sub, "search "); ok {
			sub = rest
		}
		if err := analyze(sub, u); err != nil {
			return err
		}
	}
	for i, cmd := range cmds {
		cmd = strings.TrimSpace(cmd)
		if cmd == "" {
			if i == 0 {
				continue
			}
			return fmt.Errorf("empty command in %q", search)
		}
		toks, err := tokenize(cmd)
		if err != nil {
			return err
		}
		name := "search"
		if i > 0 || toks[0].word("inputlookup") {
			name = strings.ToLower(toks[0].text)
			toks = toks[1:]
		}
		if err := command(name, toks, u); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	return nil
}

var ident = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.{}/:]*$`)

var notFields = map[string]bool{"and": true, "or": true, "not": true, "like": true, "in": true, "true": true, "false": true,
	"null": true, "as": true, "by": true, "xor": true}

// searchTerms: field=value terms, field IN (...), free text.
func searchTerms(toks []token, u *use) error {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tWord || i+1 >= len(toks) {
			continue
		}
		next := toks[i+1]
		isCmp := next.kind == tOp && next.text != "(" && next.text != ")" && next.text != ","
		isIn := next.word("IN") && i+2 < len(toks) && toks[i+2].is("(")
		if !isCmp && !isIn {
			continue
		}
		field := t.text
		switch field { // field names are case-sensitive: eventType is not eventtype
		case "sourcetype":
			if !isCmp || i+2 >= len(toks) {
				return fmt.Errorf("sourcetype without a value")
			}
			u.sourcetypes[toks[i+2].text] = true
		case "index", "source", "host", "earliest", "latest", "_index_earliest", "_index_latest", "eventtype", "tag", "splunk_server":
		default:
			u.refs[field] = true
		}
		if isIn {
			for i += 3; i < len(toks) && !toks[i].is(")"); i++ {
			}
		} else {
			i += 2
		}
	}
	return nil
}

// expression reads the fields of an eval/where expression.
func expression(toks []token, u *use) {
	for i, t := range toks {
		switch t.kind {
		case tField:
			u.refs[t.text] = true
		case tWord:
			if i+1 < len(toks) && toks[i+1].is("(") {
				continue // a function
			}
			w := t.text
			if notFields[strings.ToLower(w)] || !ident.MatchString(w) {
				continue
			}
			u.refs[w] = true
		}
	}
}

func splitCommas(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.is("("):
			depth++
		case t.is(")"):
			depth--
		case t.is(",") && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// fieldList: plain field names (wildcards and "-"/"+" signs skipped).
func fieldList(toks []token, u *use, define bool) {
	for _, t := range toks {
		if t.kind != tWord && t.kind != tStr && t.kind != tField {
			continue
		}
		w := strings.TrimLeft(t.text, "+-")
		if w == "" || strings.Contains(w, "*") || !ident.MatchString(w) {
			continue
		}
		if define {
			u.defs[w] = true
		} else {
			u.refs[w] = true
		}
	}
}

// dropOptions removes leading and embedded option=value pairs of the
// given names.
func dropOptions(toks []token, names ...string) (rest []token, opts map[string]string) {
	opts = map[string]string{}
	for i := 0; i < len(toks); i++ {
		if toks[i].kind == tWord && i+2 < len(toks) && toks[i+1].is("=") {
			for _, n := range names {
				if strings.EqualFold(toks[i].text, n) {
					opts[strings.ToLower(n)] = toks[i+2].text
					i += 2
					goto next
				}
			}
		}
		rest = append(rest, toks[i])
	next:
	}
	return rest, opts
}

// statsLike reads stats/chart/timechart arguments: fn(field) [AS name],
// bare count, BY/OVER fields.
func statsLike(toks []token, u *use) error {
	toks, _ = dropOptions(toks, "span", "limit", "useother", "usenull", "partial", "bins", "cont", "fixedrange", "minspan",
		"allnum", "delim", "window", "current", "global", "agg", "sep", "format", "otherstr", "nullstr")
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.word("by") || t.word("over"):
			fieldList(toks[i+1:], u, false)
			return nil
		case t.kind == tWord && i+1 < len(toks) && toks[i+1].is("("):
			end := i + 2
			for depth := 1; end < len(toks); end++ {
				if toks[end].is("(") {
					depth++
				} else if toks[end].is(")") {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if end >= len(toks) {
				return fmt.Errorf("unbalanced parenthesis")
			}
			args := toks[i+2 : end]
			if len(args) > 0 && args[0].word("eval") {
				expression(args, u)
			} else {
				fieldList(args, u, false)
			}
			i = end
			if i+2 < len(toks) && toks[i+1].word("as") {
				u.defs[toks[i+2].text] = true
				i += 2
			}
		case t.word("count") || t.word("c"):
			u.defs["count"] = true
			if i+2 < len(toks) && toks[i+1].word("as") {
				u.defs[toks[i+2].text] = true
				i += 2
			}
		case t.is(","):
		default:
			return fmt.Errorf("unexpected %q", t.text)
		}
	}
	return nil
}

func command(name string, toks []token, u *use) error {
	switch name {
	case "search":
		return searchTerms(toks, u)
	case "where":
		expression(toks, u)
	case "eval", "fieldformat":
		for _, part := range splitCommas(toks) {
			if len(part) < 3 || part[0].kind != tWord || !part[1].is("=") {
				return fmt.Errorf("eval part %v", part)
			}
			u.defs[part[0].text] = true
			expression(part[2:], u)
		}
	case "stats", "eventstats", "streamstats", "chart", "timechart":
		return statsLike(toks, u)
	case "top", "rare":
		rest, _ := dropOptions(toks, "limit", "countfield", "percentfield", "showcount", "showperc", "useother", "otherstr")
		fieldList(rest, u, false)
		u.defs["count"], u.defs["percent"] = true, true
	case "table", "fields", "dedup", "sort", "mvexpand", "makemv", "nomv", "xyseries":
		rest, _ := dropOptions(toks, "keepempty", "consecutive", "sortby", "delim", "limit")
		var list []token
		for _, t := range rest {
			if t.word("num") || t.word("str") || t.word("ip") || t.word("auto") { // sort num(x)
				continue
			}
			list = append(list, t)
		}
		fieldList(list, u, false)
	case "rename":
		for _, part := range splitCommas(toks) {
			if len(part) != 3 || !part[1].word("as") {
				return fmt.Errorf("rename %v", part)
			}
			fieldList(part[:1], u, false)
			fieldList(part[2:], u, true)
		}
	case "convert":
		rest, _ := dropOptions(toks, "timeformat")
		for i := 0; i < len(rest); i++ {
			if rest[i].kind == tWord && i+3 < len(rest) && rest[i+1].is("(") && rest[i+3].is(")") {
				u.refs[rest[i+2].text] = true
				i += 3
				if i+2 < len(rest) && rest[i+1].word("as") {
					u.defs[rest[i+2].text] = true
					i += 2
				}
			}
		}
	case "fillnull":
		rest, _ := dropOptions(toks, "value")
		fieldList(rest, u, true)
	case "bin", "bucket":
		rest, _ := dropOptions(toks, "span", "bins", "minspan", "start", "end", "aligntime")
		fieldList(rest, u, false)
	case "head", "tail", "reverse", "append", "appendcols", "addcoltotals":
		// fields only in subsearches (handled) or none
	case "addtotals":
		_, opts := dropOptions(toks, "fieldname", "row", "col", "labelfield", "label")
		if f := opts["fieldname"]; f != "" {
			u.defs[f] = true
		} else {
			u.defs["Total"] = true
		}
	case "inputlookup":
		rest, _ := dropOptions(toks, "append", "start", "max")
		if len(rest) < 1 {
			return fmt.Errorf("inputlookup without a lookup")
		}
		u.lookups[rest[0].text] = true
		u.lookupIO = append(u.lookupIO, lookupUse{name: rest[0].text})
	case "lookup":
		rest, _ := dropOptions(toks, "local", "update", "event_time_field")
		if len(rest) < 2 {
			return fmt.Errorf("lookup without fields")
		}
		lu := lookupUse{name: rest[0].text}
		u.lookups[lu.name] = true
		output := false
		for i := 1; i < len(rest); i++ {
			t := rest[i]
			if t.word("output") || t.word("outputnew") {
				output = true
				continue
			}
			if t.is(",") {
				continue
			}
			col, field := t.text, t.text
			if i+2 < len(rest) && rest[i+1].word("as") {
				field = rest[i+2].text
				i += 2
			}
			lu.cols = append(lu.cols, col)
			if output {
				u.defs[field] = true
			} else {
				u.refs[field] = true
			}
		}
		u.lookupIO = append(u.lookupIO, lu)
	default:
		return fmt.Errorf("command %q is not known to this test's SPL reader: teach spl_test.go", name)
	}
	return nil
}
