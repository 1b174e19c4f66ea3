// Package secret holds values that must never reach a log line, an error
// message or an event: AWS secret keys, session tokens and the Splunk session
// key. Every way Go prints a value (fmt verbs, slog, JSON) shows "***".
package secret

import (
	"fmt"
	"log/slog"
)

// String is a secret text. Use Reveal to get the value where it is needed
// (signing a request, an Authorization header), never to print it.
type String string

const mask = "***"

// Reveal returns the secret value. Callers must not log or wrap it in errors.
func (s String) Reveal() string { return string(s) }

// IsZero reports whether no secret was given.
func (s String) IsZero() bool { return s == "" }

// String implements fmt.Stringer so %s and %v print the mask.
func (s String) String() string { return mask }

// GoString implements fmt.GoStringer so %#v prints the mask.
func (s String) GoString() string { return mask }

// Format covers every other verb (%q, %x, %d ...), which would otherwise
// bypass String and print the raw bytes.
func (s String) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(mask)) }

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(mask) }

// MarshalText makes encoding/json, encoding/xml and friends print the mask.
func (s String) MarshalText() ([]byte, error) { return []byte(mask), nil }
