package modinput

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// canonical renders an XML document the way the Splunk SDK tests compare
// them: children in order, attributes in any order, whitespace-only text
// ignored, other text exact.
func canonical(t *testing.T, doc []byte) string {
	t.Helper()
	d := etree.NewDocument()
	d.ReadSettings.CharsetReader = sameCharset
	raw, err := readRoot(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("reading XML: %v", err)
	}
	if err := d.ReadFromBytes(raw); err != nil {
		t.Fatalf("parsing XML: %v", err)
	}
	var b strings.Builder
	writeCanonical(&b, d.Root())
	return b.String()
}

func writeCanonical(b *strings.Builder, e *etree.Element) {
	attrs := []string{}
	for _, a := range e.Attr {
		if a.Space == "xmlns" || a.Key == "xmlns" {
			continue
		}
		attrs = append(attrs, fmt.Sprintf("%s=%q", a.Key, a.Value))
	}
	slices.Sort(attrs)
	fmt.Fprintf(b, "<%s %s>", e.Tag, strings.Join(attrs, " "))
	if text := e.Text(); strings.TrimSpace(text) != "" {
		fmt.Fprintf(b, "%q", text)
	}
	for _, c := range e.ChildElements() {
		writeCanonical(b, c)
	}
	fmt.Fprintf(b, "</%s>", e.Tag)
}

func assertXMLEqual(t *testing.T, got, want []byte) {
	t.Helper()
	if g, w := canonical(t, got), canonical(t, want); g != w {
		t.Errorf("XML differs\n got: %s\nwant: %s", g, w)
	}
}
