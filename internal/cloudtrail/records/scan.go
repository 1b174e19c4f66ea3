package records

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// maxDepth is encoding/json's nesting limit: a document with more than
// 10000 nested objects and arrays is invalid for it, so it is for Split too.
const maxDepth = 10000

// errNeedMore tells the caller that the value does not end before the end
// of the buffer. The caller reads more data and scans the value again from
// its start; with a buffer that at least doubles each time, the rescans of
// a big record cost less than scanning it twice.
var errNeedMore = errors.New("need more data")

// scanError is a syntax error at a position of the buffer being scanned.
type scanError struct {
	pos int
	msg string
}

func (e *scanError) Error() string { return e.msg }

func syntaxError(pos int, format string, args ...any) error {
	return &scanError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// The top-level fields of a record that Split extracts.
const (
	fieldTime = 1 + iota
	fieldName
	fieldType
)

// span is the position of a string value, quotes included. end == 0 means
// that the field is absent or its value is not a string.
type span struct{ start, end int }

// scanner checks the syntax of JSON values and, for records, notes where
// the string values of the wanted top-level fields are.
type scanner struct {
	kinds  [maxDepth]byte // '{' or '[' for each open container
	fields [4]span        // indexed by fieldTime, fieldName, fieldType
	escKey bool           // the record has an escaped top-level key: fields is not filled in
	// special is non-zero when the value may hold a byte XML character
	// data escapes: non-ASCII or & < > (flagged while strings are
	// skipped), or whitespace between tokens (it might be a CR). Zero
	// proves there is none: the value can go into an XML stream as it is.
	special uint64
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// Where an escape in a string goes back to.
const (
	strValue = iota // a value
	strKey          // an object key
)

// The first eight bytes of "eventTime", "eventName" and "eventType", as
// little-endian words.
const (
	wordTim = 'e' | 'v'<<8 | 'e'<<16 | 'n'<<24 | 't'<<32 | 'T'<<40 | 'i'<<48 | 'm'<<56
	wordNam = 'e' | 'v'<<8 | 'e'<<16 | 'n'<<24 | 't'<<32 | 'N'<<40 | 'a'<<48 | 'm'<<56
	wordTyp = 'e' | 'v'<<8 | 'e'<<16 | 'n'<<24 | 't'<<32 | 'T'<<40 | 'y'<<48 | 'p'<<56
)

// scan checks the JSON value that starts at b[i] (which is not whitespace)
// and returns the index just past it. It returns errNeedMore when b ends
// inside the value, including after the last digit of a number, and a
// *scanError when the value is invalid. maxStack is the number of nested
// objects and arrays the value may have. When rec is set, the value is a
// record: the plain keys of its top-level object are compared with the
// wanted field names and s.fields is filled in (last occurrence wins, as with
// encoding/json and a map); if a top-level key has escapes, s.escKey is set
// instead and the caller finds the fields with encoding/json.
//
// The grammar checked is RFC 8259 exactly as encoding/json checks it:
// strings may hold any byte except '"', '\\' and control characters below
// 0x20 (invalid UTF-8 is accepted, as encoding/json accepts it), escapes are
// \" \\ \/ \b \f \n \r \t and \u followed by four hex digits, numbers are
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, literals true, false, null,
// and at most maxStack objects and arrays are open at once.
//
// scan calls no function except to build an error it returns, on purpose:
// in Go every register is saved across a call, and with calls in the loop
// the compiler stored every live variable on each token, which cost more
// than the scanning itself. Hence the gotos.
func (s *scanner) scan(b []byte, i int, maxStack int, rec bool) (int, error) {
	if rec {
		s.fields = [4]span{}
		s.escKey = false
	}
	var (
		kinds = &s.kinds
		depth int  // open containers, their kinds in kinds[:depth]
		c     byte // current byte
		str   int  // what the string being scanned is
		ks    int  // start of the current key
		esc   bool // the current key has escapes
		fld   int  // the wanted field whose value comes next
		vs    int  // start of that value
		sp    uint64
		spc   uint64 // s.special of the value, kept in a register
	)

value:
	if i >= len(b) {
		goto more
	}
	c = b[i]
	if c == '"' {
		vs = i
		i++
		goto valStr
	}
	if c == '{' || c == '[' {
		if depth >= maxStack {
			return 0, syntaxError(i, "exceeded max depth")
		}
		kinds[depth] = c
		depth++
		i++
		if i < len(b) && b[i] <= ' ' {
			i, spc = skipSpace(b, i), highs
		}
		if i >= len(b) {
			goto more
		}
		if b[i] == c+2 { // '{'+2 == '}' and '['+2 == ']'
			i++
			depth--
			goto after
		}
		if c == '{' {
			goto key
		}
		goto value
	}
	if c == 't' {
		if i+4 <= len(b) && b[i+1] == 'r' && b[i+2] == 'u' && b[i+3] == 'e' {
			i += 4
			goto after
		}
		_, err := scanLiteral(b, i, "true") // errNeedMore or a syntax error
		return 0, err
	}
	if c == 'f' {
		if i+5 <= len(b) && b[i+1] == 'a' && b[i+2] == 'l' && b[i+3] == 's' && b[i+4] == 'e' {
			i += 5
			goto after
		}
		_, err := scanLiteral(b, i, "false")
		return 0, err
	}
	if c == 'n' {
		if i+4 <= len(b) && b[i+1] == 'u' && b[i+2] == 'l' && b[i+3] == 'l' {
			i += 4
			goto after
		}
		_, err := scanLiteral(b, i, "null")
		return 0, err
	}
	if c != '-' && c-'0' >= 10 {
		return 0, syntaxError(i, "invalid character %s looking for beginning of value", quoteChar(c))
	}

	// A number; the byte after it tells where it ends.
	if c == '-' {
		i++
		if i >= len(b) {
			goto more
		}
		c = b[i]
	}
	if c == '0' {
		i++
	} else if c-'1' < 9 {
		i++
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
	} else {
		return 0, syntaxError(i, "invalid character %s in numeric literal", quoteChar(c))
	}
	if i >= len(b) {
		goto more
	}
	if b[i] == '.' {
		i++
		if i >= len(b) {
			goto more
		}
		if b[i]-'0' >= 10 {
			return 0, syntaxError(i, "invalid character %s after decimal point in numeric literal", quoteChar(b[i]))
		}
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
		if i >= len(b) {
			goto more
		}
	}
	if b[i] == 'e' || b[i] == 'E' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			goto more
		}
		if b[i]-'0' >= 10 {
			return 0, syntaxError(i, "invalid character %s in exponent of numeric literal", quoteChar(b[i]))
		}
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
		if i >= len(b) {
			goto more
		}
	}

after:
	if depth == 0 {
		s.special = spc
		return i, nil
	}
	if i < len(b) && b[i] <= ' ' {
		i, spc = skipSpace(b, i), highs
	}
	if i >= len(b) {
		goto more
	}
	c = b[i]
	if c == ',' {
		i++
		if i < len(b) && b[i] <= ' ' {
			i, spc = skipSpace(b, i), highs
		}
		if kinds[depth-1] == '[' {
			goto value
		}
		goto key
	}
	if c == kinds[depth-1]+2 {
		i++
		depth--
		goto after
	}
	if kinds[depth-1] == '{' {
		return 0, syntaxError(i, "invalid character %s after object key:value pair", quoteChar(c))
	}
	return 0, syntaxError(i, "invalid character %s after array element", quoteChar(c))

key:
	if i >= len(b) {
		goto more
	}
	if b[i] != '"' {
		return 0, syntaxError(i, "invalid character %s looking for beginning of object key string", quoteChar(b[i]))
	}
	ks = i
	i++
	esc = false
	goto keyStr

keyEnd:
	if rec && depth == 1 {
		// The wanted keys are 9 bytes long: "eventTi" + "me" and so on.
		if i-ks == len(`"eventTime"`) && b[ks+9] == 'e' {
			switch binary.LittleEndian.Uint64(b[ks+1 : ks+9]) {
			case wordTim:
				fld = fieldTime
			case wordNam:
				fld = fieldName
			case wordTyp:
				fld = fieldType
			}
		}
		if esc {
			s.escKey = true
		}
	}
	if i < len(b) && b[i] <= ' ' {
		i, spc = skipSpace(b, i), highs
	}
	if i >= len(b) {
		goto more
	}
	if b[i] != ':' {
		return 0, syntaxError(i, "invalid character %s after object key", quoteChar(b[i]))
	}
	i++
	if i < len(b) && b[i] <= ' ' {
		i, spc = skipSpace(b, i), highs
	}
	if fld != 0 {
		// The value string path notes where the value is.
		if i >= len(b) {
			goto more
		}
		if b[i] != '"' {
			s.fields[fld] = span{}
			fld = 0
		}
	}
	goto value

valStr:
	// i is inside a string value that started at vs. The loop is the same
	// as keyStr's; two copies keep the branch that follows predictable.
	for {
		i, sp = skipPlain(b, i)
		spc |= sp & highs
		if i+8 > len(b) {
			for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
				if xmlSpecial[b[i]] {
					spc = highs
				}
				i++
			}
			if i >= len(b) {
				goto more
			}
		}
		if c = b[i]; c == '"' {
			i++
			break
		}
		str = strValue
		goto escape
	}
	if fld != 0 {
		s.fields[fld] = span{vs, i}
		fld = 0
	}
	goto after

keyStr:
	// i is inside a key that started at ks.
	for {
		i, sp = skipPlain(b, i)
		spc |= sp & highs
		if i+8 > len(b) {
			for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
				if xmlSpecial[b[i]] {
					spc = highs
				}
				i++
			}
			if i >= len(b) {
				goto more
			}
		}
		if c = b[i]; c == '"' {
			i++
			break
		}
		str = strKey
		esc = true
		goto escape
	}
	goto keyEnd

escape:
	// b[i] is a backslash or a control character in a string.
	if c != '\\' {
		return 0, syntaxError(i, "invalid character %s in string literal", quoteChar(c))
	}
	if i+1 >= len(b) {
		goto more
	}
	switch c = b[i+1]; c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		i += 2
	case 'u':
		for k := i + 2; k < i+6; k++ {
			if k >= len(b) {
				goto more
			}
			if !isHex(b[k]) {
				return 0, syntaxError(k, "invalid character %s in \\u hexadecimal character escape", quoteChar(b[k]))
			}
		}
		i += 6
	default:
		return 0, syntaxError(i+1, "invalid character %s in string escape code", quoteChar(c))
	}
	if str == strKey {
		goto keyStr
	}
	goto valStr

more:
	return 0, errNeedMore
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipPlain returns the index of the first byte at or after i that is '"',
// '\\' or below 0x20, looking at eight bytes at a time; when fewer than
// eight bytes are left, it returns where it stopped. It also returns,
// non-zero, whether a byte it looked at may need XML escaping (non-ASCII,
// & < >); the bytes of the last word past the stop count too, which can
// only flag a byte that is in the buffer, so a zero is exact. It is small
// enough to be inlined.
//
// Per byte, (v - k) &^ v has its high bit set when v < k, for v = x (k =
// 0x20), v = x^'"' and v = x^'\\' (k = 1, i.e. v == 0). The high bit of
// ^v is the same for the three (the xors do not touch bit 7), so one &^ x
// does for all. A borrow can flag a byte above a match falsely, never
// below, so the lowest flagged byte is exact, and it is the one returned.
// The XML test is the same with & and with < and > at once ('<'|2 ==
// '>'), plus x's own high bits; callers keep the high bits of the result.
func skipPlain(b []byte, i int) (n int, special uint64) {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		special |= (x | 2*ones) ^ '>'*ones - ones | (x ^ '&'*ones - ones) | x
		if t := ((x - 0x20*ones) | ((x ^ '"'*ones) - ones) | ((x ^ '\\'*ones) - ones)) &^ x & highs; t != 0 {
			return i + bits.TrailingZeros64(t)>>3, special
		}
	}
	return i, special
}

// xmlSpecial marks the bytes XML character data escapes or checks, among
// those JSON allows in strings: non-ASCII (checked as UTF-8) and & < >.
var xmlSpecial = func() (t [256]bool) {
	for c := 0x80; c < 256; c++ {
		t[c] = true
	}
	t['&'], t['<'], t['>'] = true, true, true
	return t
}()

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

// scanLiteral checks true, false or null at b[i], whose first byte has
// been checked.
func scanLiteral(b []byte, i int, lit string) (int, error) {
	for k := 1; k < len(lit); k++ {
		if i+k >= len(b) {
			return 0, errNeedMore
		}
		if b[i+k] != lit[k] {
			return 0, syntaxError(i+k, "invalid character %s in literal %s (expecting %s)", quoteChar(b[i+k]), lit, quoteChar(lit[k]))
		}
	}
	return i + len(lit), nil
}

// quoteChar formats c for an error message, as encoding/json does.
func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return "'" + string(rune(c)) + "'"
}
