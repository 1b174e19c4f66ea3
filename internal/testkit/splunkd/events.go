package splunkd

import (
	"encoding/xml"
	"fmt"
)

// Event is one <event> of a stream, as splunkd reads it.
type Event struct {
	Stanza     string    `xml:"stanza,attr"`
	Unbroken   string    `xml:"unbroken,attr"`
	Time       string    `xml:"time"`
	Source     string    `xml:"source"`
	Sourcetype string    `xml:"sourcetype"`
	Index      string    `xml:"index"`
	Host       string    `xml:"host"`
	Data       string    `xml:"data"`
	Done       *struct{} `xml:"done"`
}

// ParseStream parses a complete event stream (with </stream>). An empty
// stream (no event written) is valid and has no events.
func ParseStream(stdout []byte) ([]Event, error) {
	if len(stdout) == 0 {
		return nil, nil
	}
	var s struct {
		Events []Event `xml:"event"`
	}
	if err := xml.Unmarshal(stdout, &s); err != nil {
		return nil, fmt.Errorf("stdout is not a complete event stream: %w", err)
	}
	return s.Events, nil
}
