package awsconf

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/ini.v1"
)

// This file turns the bytes of one .conf file into a layer: stanzas holding
// settings, each remembering its file and line. ini.v1 does the parsing; a
// line scanner that follows ini.v1's rules finds the line numbers, which
// ini.v1 does not keep, and reports malformed lines without quoting them
// (ini.v1's own errors quote the whole line, which may hold a secret).

// loadOptions make ini.v1 read files the way splunkd does.
var loadOptions = ini.LoadOptions{
	// Splunk has no inline comments: "#" and ";" inside a value belong to it.
	IgnoreInlineComment: true,
	// Splunk keeps quotes: `''` is a value of two characters.
	PreserveSurroundedQuote: true,
	// Only "=" separates a key from its value (ini.v1 also takes ":").
	KeyValueDelimiters: "=",
	// Malformed lines are reported by scanLines, with their line numbers.
	SkipUnrecognizableLines: true,
	// Keys and stanza names are case-sensitive (the zero values say so
	// already; kept explicit because Splunk depends on it).
	Insensitive:         false,
	InsensitiveSections: false,
	InsensitiveKeys:     false,
	// A trailing "\" continues the value on the next line (the default).
	IgnoreContinuation: false,
}

// A setting's value and where it came from.
type value struct {
	text string
	file string
	line int // 0 when unknown
}

func (v value) origin() string {
	if v.line > 0 {
		return v.file + ":" + strconv.Itoa(v.line)
	}
	return v.file
}

type stanza struct {
	name string // trimmed; "default" for settings outside any stanza
	file string // where the stanza first appears
	line int
	keys []string // in file order, the first layer first
	vals map[string]value
}

func (s *stanza) origin() string { return value{file: s.file, line: s.line}.origin() }

type layer struct {
	stanzas []*stanza
	byName  map[string]*stanza
}

func newLayer() *layer { return &layer{byName: map[string]*stanza{}} }

// stanza returns the stanza called name, adding it at (file, line) if new.
func (l *layer) stanza(name, file string, line int) *stanza {
	if s, ok := l.byName[name]; ok {
		return s
	}
	s := &stanza{name: name, file: file, line: line, vals: map[string]value{}}
	l.stanzas = append(l.stanzas, s)
	l.byName[name] = s
	return s
}

func (s *stanza) set(key string, v value) {
	if _, ok := s.vals[key]; !ok {
		s.keys = append(s.keys, key)
	}
	s.vals[key] = v
}

// merge layers files Splunk's way: stanzas from all files, and within a
// stanza key by key, later layers winning.
func merge(layers ...*layer) *layer {
	out := newLayer()
	for _, l := range layers {
		for _, s := range l.stanzas {
			o := out.stanza(s.name, s.file, s.line)
			for _, k := range s.keys {
				o.set(k, s.vals[k])
			}
		}
	}
	return out
}

// stanzaName maps an ini.v1 section name to the name used in messages.
func stanzaName(raw string) string {
	if raw == ini.DefaultSection {
		return "default"
	}
	return strings.TrimSpace(raw)
}

// readLayer parses one file. Problems with single lines are returned and the
// rest of the file is still read.
func readLayer(file string, data []byte) (*layer, []*Error) {
	data = spaceBeforeContinuation(data)
	pos, fatal, problems := scanLines(file, data)
	// Blank the lines ini.v1 would stop at, so that the rest of the file is
	// still read and checked.
	f, err := ini.LoadSources(loadOptions, blankLines(data, fatal))
	if err != nil {
		// scanLines knows every way ini.v1 fails; this is a safety net. The
		// ini.v1 message is not shown: it quotes the line.
		problems = append(problems, &Error{File: file, Msg: "not a valid .conf file (the offending line is not shown because it may hold a secret)"})
		return newLayer(), problems
	}
	l := newLayer()
	for _, sec := range f.Sections() {
		keys := sec.Keys()
		raw := sec.Name()
		if raw == ini.DefaultSection && len(keys) == 0 && pos.headers[raw] == 0 {
			continue // the implicit global stanza ini.v1 always creates
		}
		s := l.stanza(stanzaName(raw), file, pos.headers[raw])
		for _, k := range keys {
			s.set(k.Name(), value{text: k.Value(), file: file, line: pos.keys[raw][k.Name()]})
		}
	}
	return l, problems
}

// spaceBeforeContinuation puts a space before every line-ending "\". ini.v1
// joins continued lines without a separator ("a\" + "b" gives "ab") whereas
// splunkd keeps the line break, so a value split over lines keeps its words
// apart, as in splunkd.
func spaceBeforeContinuation(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\`)) {
		return data
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, ln := range lines {
		t := bytes.TrimRightFunc(ln, unicode.IsSpace)
		if len(t) > 0 && t[len(t)-1] == '\\' {
			fixed := make([]byte, 0, len(ln)+1)
			fixed = append(fixed, t[:len(t)-1]...)
			fixed = append(fixed, ' ', '\\')
			lines[i] = append(fixed, ln[len(t):]...)
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// blankLines empties the given 1-based line ranges, keeping the line count.
func blankLines(data []byte, ranges [][2]int) []byte {
	if len(ranges) == 0 {
		return data
	}
	lines := bytes.Split(trimBOM(data), []byte("\n"))
	for _, r := range ranges {
		for n := r[0]; n <= r[1] && n <= len(lines); n++ {
			lines[n-1] = nil
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// positions maps ini.v1 section names (untrimmed) to line numbers.
type positions struct {
	headers map[string]int            // first "[stanza]" line
	keys    map[string]map[string]int // last line setting the key
}

// scanLines walks the file with ini.v1's line rules (see its parser.go:
// comments, section headers, "key = value", quoted keys and values,
// "\" continuation, the "-" auto-increment key) to learn where each stanza
// and key is, and reports lines ini.v1 would skip or fail on. fatal lists
// the line ranges ini.v1 would fail on: blanking them lets ini.v1 read the
// rest of the file the way scanLines did.
func scanLines(file string, data []byte) (pos positions, fatal [][2]int, problems []*Error) {
	pos = positions{headers: map[string]int{}, keys: map[string]map[string]int{}}
	section := ini.DefaultSection
	bad := func(line int, msg string) {
		problems = append(problems, &Error{File: file, Line: line, Stanza: stanzaName(section), Msg: msg})
	}
	stop := func(from, to int, msg string) {
		bad(from, msg)
		fatal = append(fatal, [2]int{from, to})
	}

	data = trimBOM(data)
	// Like ini.v1's ReadBytes('\n') loop, the last chunk is the one read at
	// end of file (empty when the file ends with a newline).
	chunks := strings.Split(string(data), "\n")
	autoKey := 1 // ini.v1 names "-" keys "#1", "#2", ... per section
	for i := 0; i < len(chunks); {
		n := i + 1 // line number of this chunk
		line := strings.TrimLeftFunc(chunks[i], unicode.IsSpace)
		i++
		// ini.v1 sees each line with its "\n", which counts in its
		// length tests; nl is that newline's length.
		nl := 0
		if i < len(chunks) {
			nl = 1
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.LastIndexByte(line, ']')
			switch {
			case end < 0:
				stop(n, n, "stanza header has no closing ]; want [<name>]")
			case end == 1:
				stop(n, n, "stanza header has no name; want [<name>]")
			default:
				section = line[1:end]
				if pos.headers[section] == 0 {
					pos.headers[section] = n
				}
				autoKey = 1
			}
			continue
		}

		key, rest, ok, fails := splitKey(line, nl)
		switch {
		case !ok && fails:
			stop(n, n, key) // key holds the problem
			continue
		case !ok:
			bad(n, key) // ini.v1 skips the line
			continue
		}
		if key == "-" {
			key = "#" + strconv.Itoa(autoKey)
			autoKey++
		}
		// The value: one starting with a backtick or with three double
		// quotes runs to the last matching quote, maybe lines later (an
		// ini.v1 rule splunkd does not have); other values end at the end
		// of the line unless it ends with "\".
		v := strings.TrimLeftFunc(rest, unicode.IsSpace)
		q := ""
		switch {
		case len(v)+nl > 3 && strings.HasPrefix(v, `"""`):
			q = `"""`
		case v != "" && v[0] == '`':
			q = "`"
		}
		switch {
		case q != "":
			if strings.Contains(v[len(q):], q) {
				break
			}
			closed := false
			for i < len(chunks) {
				next := chunks[i]
				last := i == len(chunks)-1
				i++
				if p := strings.LastIndex(next, q); p >= 0 {
					after := strings.TrimRight(next[p+len(q):], "\r\n")
					if strings.HasSuffix(strings.TrimSpace(after), `\`) {
						continue
					}
					closed = true
					break
				}
				if last {
					break
				}
			}
			if !closed {
				// ini.v1 read up to the end of the file.
				stop(n, len(chunks), "value starts with "+q+" but the quote is never closed")
				continue
			}
		default:
			t := strings.TrimSpace(v)
			if t == "" || t[len(t)-1] != '\\' {
				break
			}
			for i < len(chunks) {
				next := strings.TrimSpace(chunks[i])
				i++
				if next == "" || next[len(next)-1] != '\\' {
					break
				}
			}
		}
		if pos.keys[section] == nil {
			pos.keys[section] = map[string]int{}
		}
		pos.keys[section][key] = n
	}
	return pos, fatal, problems
}

// splitKey splits "key = value" the way ini.v1's readKeyName does, with "="
// as the only delimiter. When ok is false, key is the problem to report and
// fails tells whether ini.v1 fails on the line (rather than skipping it).
func splitKey(line string, nl int) (key, rest string, ok, fails bool) {
	const noDelim = `want "<key> = <value>", a comment starting with # or a [stanza] header`
	var quote string
	switch {
	case line[0] == '"' && len(line)+nl > 6 && strings.HasPrefix(line, `"""`):
		quote = `"""`
	case line[0] == '"':
		quote = `"`
	case line[0] == '`':
		quote = "`"
	}
	if quote != "" {
		start := len(quote)
		p := strings.Index(line[start:], quote)
		if p < 0 {
			return "key starts with " + quote + " but the quote is never closed", "", false, true
		}
		p += start
		// ini.v1 looks for "=" from p+len(quote), i.e. after the closing quote.
		d := strings.IndexByte(line[p+start:], '=')
		if d < 0 {
			return noDelim, "", false, false
		}
		key = strings.TrimSpace(line[start:p])
		if key == "" {
			return "setting has an empty name", "", false, true
		}
		return key, line[p+d+start+1:], true, false
	}
	d := strings.IndexByte(line, '=')
	switch {
	case d < 0:
		return noDelim, "", false, false
	case d == 0:
		return "setting has an empty name before =", "", false, false
	}
	return strings.TrimSpace(line[:d]), line[d+1:], true, false
}

// trimBOM drops the byte-order marks ini.v1 drops.
func trimBOM(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return b[3:]
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return b[2:]
	}
	return b
}
