package report

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Encoder writes rows as JSON objects keyed by the report's own column
// names, in header order. Every value is the report's text, as a JSON
// string: numbers in scientific notation (1.81E-8) and ids with leading
// zeros stay exactly as AWS wrote them. Empty cells are left out; a CUR row
// has up to 300 columns, most of them empty, and a missing field and an
// empty one search alike in Splunk. CUR 2.0 map columns (product,
// resource_tags, ...) hold JSON objects and are embedded as objects, so
// that Splunk extracts resource_tags.user_team and the like. Cells beyond
// the header's width are keyed col_<n> (1-based).
type Encoder struct {
	keys  [][]byte // `"name":"` for each column: the key and the value's opening quote
	maps  []bool
	extra []byte // `"k":"v",...` appended to every row, with its leading comma
}

// NewEncoder prepares the keys of l's header. extra are name/value pairs
// added to every row after the report's columns (billing_version).
func NewEncoder(l *Layout, extra ...string) *Encoder {
	e := &Encoder{keys: make([][]byte, len(l.Header)), maps: make([]bool, len(l.Header))}
	for i, h := range l.Header {
		e.keys[i] = append(appendKey(nil, h), '"')
	}
	for _, i := range l.Maps {
		e.maps[i] = true
	}
	for i := 0; i+1 < len(extra); i += 2 {
		e.extra = append(e.extra, ',')
		e.extra = appendKey(e.extra, extra[i])
		e.extra = appendString(e.extra, []byte(extra[i+1]))
	}
	return e
}

func appendKey(b []byte, name string) []byte {
	b = appendString(b, []byte(name))
	return append(b, ':')
}

// Append appends the JSON object of row to dst.
func (e *Encoder) Append(dst []byte, row [][]byte) []byte {
	dst = append(dst, '{')
	first := true
	for i, v := range row {
		if len(v) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if i >= len(e.keys) {
			dst = append(dst, `"col_`...)
			dst = strconv.AppendInt(dst, int64(i+1), 10)
			dst = append(dst, `":`...)
			dst = appendString(dst, v)
			continue
		}
		key := e.keys[i]
		if e.maps[i] && v[0] == '{' && json.Valid(v) {
			dst = append(dst, key[:len(key)-1]...) // without the opening quote
			dst = append(dst, v...)
			continue
		}
		dst = append(dst, key...)
		if plain(v) {
			dst = append(dst, v...)
			dst = append(dst, '"')
		} else {
			dst = appendStringBody(dst, v)
		}
	}
	if first && len(e.extra) > 0 {
		dst = append(dst, e.extra[1:]...)
	} else {
		dst = append(dst, e.extra...)
	}
	return append(dst, '}')
}

// plain reports whether s goes into a JSON string unchanged.
func plain(s []byte) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !plain8(binary.LittleEndian.Uint64(s[i:])) {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || !jsonSafe[c] {
			return false
		}
	}
	return true
}

// jsonSafe marks the ASCII bytes that go into a JSON string unchanged.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Bytes that are not valid UTF-8
// become U+FFFD, so the event is always valid JSON.
func appendString(dst, s []byte) []byte {
	return appendStringBody(append(dst, '"'), s)
}

// appendStringBody appends s escaped and the closing quote.
func appendStringBody(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time: most cells are.
		for i+8 <= len(s) && plain8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain8 reports whether the eight bytes of x are all printable ASCII other
// than '"' and '\\' (bit tricks from "Bit Twiddling Hacks": a byte b < n sets
// the high bit of (x - n) &^ x, and zero bytes of x ^ c mark bytes equal to c).
func plain8(x uint64) bool {
	const (
		lo     = 0x0101010101010101
		hi     = 0x8080808080808080
		quote  = lo * '"'
		bslash = lo * '\\'
	)
	less := (x - lo*0x20) &^ x
	q := x ^ quote
	b := x ^ bslash
	zq := (q - lo) &^ q
	zb := (b - lo) &^ b
	return (less|zq|zb|x)&hi == 0
}
