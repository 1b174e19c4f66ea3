// Package iampolicy writes IAM policy documents: the least-privilege
// policies each binary's policy subcommand prints and the resource policies
// setup applies. It has no AWS SDK imports, so every binary can use it.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Version is the policy language version.
const Version = "2012-10-17"

// Document is an IAM/resource policy document. Field order is the order
// AWS shows them in, so printed policies read like the documentation's.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Action and Resource hold a string or a
// []string; Condition is operator → key → value (string or []string).
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]string         `json:"Principal,omitempty"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// One returns a single value as a string, several as a list: the shape the
// AWS documentation uses.
func One(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// JSON renders d indented, with a final newline; HTML characters are not
// escaped, so the output pastes into the console unchanged.
func (d Document) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		panic(err) // only strings, lists and maps of them
	}
	return b.Bytes()
}

// Compact renders d on one line, as policies are stored in attributes.
func (d Document) Compact() string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
