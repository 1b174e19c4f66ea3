package modinput

import (
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// Server is what splunkd tells every invocation about itself.
type Server struct {
	Host          string
	URI           string
	SessionKey    secret.String
	CheckpointDir string
}

// Stanza is one configured input: its parameters as splunkd passed them
// (all strings, including splunkd's own settings such as index, host,
// interval and disabled).
type Stanza struct {
	Name   string // "scheme://name" in run mode; the item name in validation
	App    string // the app that owns the stanza; empty when splunkd omits it
	Params map[string]string
	Lists  map[string][]string // <param_list> values
}

// Scheme returns the part of Name before "://", or "" when there is none.
func (s Stanza) Scheme() string {
	scheme, _, found := strings.Cut(s.Name, "://")
	if !found {
		return ""
	}
	return scheme
}

// InputName returns the part of Name after "://" (the whole name when there
// is no scheme).
func (s Stanza) InputName() string {
	if _, name, found := strings.Cut(s.Name, "://"); found {
		return name
	}
	return s.Name
}

// Input is the run-mode definition read from stdin.
type Input struct {
	Server
	Stanzas []Stanza
}

// Validation is the --validate-arguments definition read from stdin.
type Validation struct {
	Server
	Item Stanza
}

// ReadInput parses a run-mode <input> document. Errors never quote the
// document, which contains the session key.
func ReadInput(r io.Reader) (*Input, error) {
	root, err := readDocument(r, "input")
	if err != nil {
		return nil, err
	}
	in := &Input{}
	for _, child := range root.ChildElements() {
		if readServerField(&in.Server, child) {
			continue
		}
		if child.Tag != "configuration" {
			continue // splunkd may add metadata; the SDKs ignore it too
		}
		for _, el := range child.ChildElements() {
			if el.Tag != "stanza" {
				return nil, fmt.Errorf("input definition: unexpected <%s> in <configuration>, want <stanza>", el.Tag)
			}
			st, err := readStanza(el)
			if err != nil {
				return nil, err
			}
			in.Stanzas = append(in.Stanzas, st)
		}
	}
	return in, nil
}

// ReadValidation parses a --validate-arguments <items> document.
func ReadValidation(r io.Reader) (*Validation, error) {
	root, err := readDocument(r, "items")
	if err != nil {
		return nil, err
	}
	v := &Validation{}
	items := 0
	for _, child := range root.ChildElements() {
		if readServerField(&v.Server, child) || child.Tag != "item" {
			continue
		}
		items++
		if items > 1 {
			return nil, fmt.Errorf("validation definition: more than one <item>; splunkd sends exactly one")
		}
		st, err := readStanza(child)
		if err != nil {
			return nil, err
		}
		v.Item = st
	}
	if items == 0 {
		return nil, fmt.Errorf("validation definition: no <item>")
	}
	return v, nil
}

func readDocument(r io.Reader, rootTag string) (*etree.Element, error) {
	raw, err := readRoot(r)
	if err != nil {
		return nil, fmt.Errorf("%s definition: %w", rootTag, err)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.CharsetReader = sameCharset
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%s definition: %w", rootTag, syntaxError(err))
	}
	root := doc.Root()
	if root == nil || root.Tag != rootTag {
		got := "nothing"
		if root != nil {
			got = "<" + root.Tag + ">"
		}
		return nil, fmt.Errorf("%s definition: root element is %s, want <%s>", rootTag, got, rootTag)
	}
	return root, nil
}

func readServerField(s *Server, el *etree.Element) bool {
	text := strings.TrimSpace(el.Text())
	switch el.Tag {
	case "server_host":
		s.Host = text
	case "server_uri":
		s.URI = text
	case "session_key":
		s.SessionKey = secret.String(text)
	case "checkpoint_dir":
		s.CheckpointDir = text
	default:
		return false
	}
	return true
}

func readStanza(el *etree.Element) (Stanza, error) {
	st := Stanza{
		Name:   el.SelectAttrValue("name", ""),
		App:    el.SelectAttrValue("app", ""),
		Params: map[string]string{},
		Lists:  map[string][]string{},
	}
	if st.Name == "" {
		return st, fmt.Errorf("<%s> without a name attribute", el.Tag)
	}
	for _, p := range el.ChildElements() {
		name := p.SelectAttrValue("name", "")
		switch p.Tag {
		case "param":
			if name == "" {
				return st, fmt.Errorf("stanza %q: <param> without a name attribute", st.Name)
			}
			st.Params[name] = p.Text()
		case "param_list":
			if name == "" {
				return st, fmt.Errorf("stanza %q: <param_list> without a name attribute", st.Name)
			}
			values := []string{}
			for _, v := range p.ChildElements() {
				if v.Tag != "value" {
					return st, fmt.Errorf("stanza %q: unexpected <%s> in <param_list name=%q>", st.Name, v.Tag, name)
				}
				values = append(values, v.Text())
			}
			st.Lists[name] = values
		default:
			return st, fmt.Errorf("stanza %q: unexpected <%s>; a stanza holds only <param> and <param_list>", st.Name, p.Tag)
		}
	}
	return st, nil
}
