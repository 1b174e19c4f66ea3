package appcontent

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conf is a Splunk .conf file read as splunkd reads it: values verbatim.
// (gopkg.in/ini.v1, which checks the syntax, reads a value that starts with
// a backtick or is surrounded by quotes as a quoted string, so searches
// that start with a macro and EVALs of a string constant come out
// changed.)
type conf struct{ sections []*section }

type section struct {
	name string
	keys []kv
}

type kv struct{ name, value string }

func (k kv) Name() string   { return k.name }
func (k kv) String() string { return k.value }

func (s *section) Name() string { return s.name }
func (s *section) Keys() []kv   { return s.keys }

func (s *section) Key(name string) kv {
	for _, k := range s.keys {
		if k.name == name {
			return k
		}
	}
	return kv{name: name}
}

func (c *conf) Sections() []*section { return c.sections }

func (c *conf) GetSection(name string) (*section, error) {
	for _, s := range c.sections {
		if s.name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("no [%s]", name)
}

func parseConf(data []byte) (*conf, error) {
	c := &conf{}
	var cur *section
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur = &section{name: line[1 : len(line)-1]}
			c.sections = append(c.sections, cur)
		case strings.Contains(line, "="):
			if cur == nil {
				return nil, fmt.Errorf("line %d: setting before the first stanza", n)
			}
			k, v, _ := strings.Cut(line, "=")
			cur.keys = append(cur.keys, kv{strings.TrimSpace(k), strings.TrimSpace(v)})
		default:
			return nil, fmt.Errorf("line %d: %q", n, line)
		}
	}
	return c, sc.Err()
}

func loadConf(t *testing.T, name string) *conf {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(appDir, "default", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseConf(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}
