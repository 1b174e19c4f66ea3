package modinput

import (
	"io"
	"strconv"

	"github.com/beevik/etree"
)

// DataType is the type splunkd shows for an argument in Settings → Data Inputs.
type DataType string

// The data types splunkd knows.
const (
	String  DataType = "string"
	Number  DataType = "number"
	Boolean DataType = "boolean"
)

// StreamingMode says how events are written on stdout.
type StreamingMode string

// The streaming modes splunkd knows.
const (
	XML    StreamingMode = "xml"
	Simple StreamingMode = "simple"
)

// Arg is one <arg> of a scheme's endpoint.
type Arg struct {
	Name             string
	Title            string // omitted when empty
	Description      string // omitted when empty
	Validation       string // splunkd's own validation expression; omitted when empty
	DataType         DataType
	RequiredOnEdit   bool
	RequiredOnCreate bool
}

// Scheme is what "--scheme" prints.
type Scheme struct {
	Title                 string
	Description           string // omitted when empty
	UseExternalValidation bool
	UseSingleInstance     bool
	StreamingMode         StreamingMode
	Args                  []Arg
}

// Document builds the scheme XML. Children are in the order the Splunk SDKs
// write them, which their conformance tests compare.
func (s Scheme) Document() *etree.Document {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("scheme")
	root.CreateElement("title").SetText(s.Title)
	if s.Description != "" {
		root.CreateElement("description").SetText(s.Description)
	}
	root.CreateElement("use_external_validation").SetText(strconv.FormatBool(s.UseExternalValidation))
	root.CreateElement("use_single_instance").SetText(strconv.FormatBool(s.UseSingleInstance))
	mode := s.StreamingMode
	if mode == "" {
		mode = XML
	}
	root.CreateElement("streaming_mode").SetText(string(mode))
	args := root.CreateElement("endpoint").CreateElement("args")
	for _, a := range s.Args {
		a.addTo(args)
	}
	return doc
}

func (a Arg) addTo(parent *etree.Element) {
	el := parent.CreateElement("arg")
	el.CreateAttr("name", a.Name)
	if a.Title != "" {
		el.CreateElement("title").SetText(a.Title)
	}
	if a.Description != "" {
		el.CreateElement("description").SetText(a.Description)
	}
	if a.Validation != "" {
		el.CreateElement("validation").SetText(a.Validation)
	}
	dt := a.DataType
	if dt == "" {
		dt = String
	}
	el.CreateElement("data_type").SetText(string(dt))
	el.CreateElement("required_on_edit").SetText(strconv.FormatBool(a.RequiredOnEdit))
	el.CreateElement("required_on_create").SetText(strconv.FormatBool(a.RequiredOnCreate))
}

// WriteTo writes the scheme as an indented UTF-8 XML document.
func (s Scheme) WriteTo(w io.Writer) (int64, error) {
	doc := s.Document()
	doc.Indent(4)
	return doc.WriteTo(w)
}
