package packaging

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// stanza is one block of a Splunk .conf-style file.
type stanza struct {
	name   string
	header bool // false for the settings before the first [header]
	line   int  // line of the header, 0 without one
	keys   []string
}

// scanConf splits a Splunk .conf, .meta or .spec file into stanzas, line by
// line, without interpreting values. Lines whose first non-blank character
// is in comments are comments; "[name]" starts a stanza (the name may be
// empty, as in default.meta's "[]"); "key = value" lines belong to the
// current stanza. A line ending in a backslash continues on the next line.
// Any other line is an error.
//
// gopkg.in/ini.v1 checks the syntax of .conf files; this scanner exists for
// what ini.v1 cannot show: duplicate stanzas (ini.v1 merges them), explicit
// [default] headers, the empty "[]" stanza and the .spec comment syntax.
func scanConf(data []byte, comments string) ([]stanza, error) {
	out := []stanza{{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	continued := false
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if continued {
			continued = strings.HasSuffix(line, `\`)
			continue
		}
		switch {
		case line == "" || strings.ContainsAny(line[:1], comments):
			continued = strings.HasSuffix(line, `\`)
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			out = append(out, stanza{name: line[1 : len(line)-1], header: true, line: n})
		case strings.Contains(line, "="):
			key, _, _ := strings.Cut(line, "=")
			cur := &out[len(out)-1]
			cur.keys = append(cur.keys, strings.TrimSpace(key))
			continued = strings.HasSuffix(line, `\`)
		default:
			return nil, fmt.Errorf("line %d: neither a comment, a [stanza] nor key = value: %q", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func TestScanConf(t *testing.T) {
	const meta = `# comment
[]
access = read : [ * ], write : [ admin ]
export = system

[props/aws:cloudtrail]
export = system
`
	got, err := scanConf([]byte(meta), "#")
	if err != nil {
		t.Fatal(err)
	}
	want := []stanza{
		{},
		{name: "", header: true, line: 2, keys: []string{"access", "export"}},
		{name: "props/aws:cloudtrail", header: true, line: 6, keys: []string{"export"}},
	}
	if !slices.EqualFunc(got, want, func(a, b stanza) bool {
		return a.name == b.name && a.header == b.header && a.line == b.line && slices.Equal(a.keys, b.keys)
	}) {
		t.Errorf("scanConf(meta) = %+v, want %+v", got, want)
	}

	const spec = `[aws_ingest_cloudtrail://<name>]
* Reads CloudTrail logs.
queue_url = <string>
* A long value \
  continued here.
`
	got, err = scanConf([]byte(spec), "#*")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].name != "aws_ingest_cloudtrail://<name>" || !slices.Equal(got[1].keys, []string{"queue_url"}) {
		t.Errorf("scanConf(spec) = %+v", got)
	}

	if _, err := scanConf([]byte("[a]\njust text\n"), "#"); err == nil {
		t.Error("scanConf accepted a line that is neither a comment, a stanza nor a setting")
	}
}
