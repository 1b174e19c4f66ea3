package modinput

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// appendEscaped appends s to dst escaped for XML 1.0 character data, or for
// a double-quoted attribute value when attr is true.
//
// Unlike encoding/xml.EscapeText it leaves quotes, tabs and newlines in
// element text as they are: CloudTrail JSON is full of quotes, and escaping
// them would grow every event by a tenth for nothing. Carriage returns are
// written as references because XML parsers would otherwise normalise them
// away. Bytes that are not valid UTF-8 and characters XML 1.0 forbids
// (most C0 controls, U+FFFE, U+FFFF) become U+FFFD, so the stream always
// parses: one bad record must not make splunkd drop the rest of the stream.
func appendEscaped(dst []byte, s []byte, attr bool) []byte {
	plain := &plainText
	if attr {
		plain = &plainAttr
	}
	start := 0
	for i := 0; i < len(s); {
		// Most bytes are plain ASCII: skip them eight at a time, then the
		// last few with the table.
		for i+8 <= len(s) {
			if stop := specials(binary.LittleEndian.Uint64(s[i:]), attr); stop != 0 {
				i += bits.TrailingZeros64(stop) >> 3
				break
			}
			i += 8
		}
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		var repl string
		width := 1
		switch {
		case c == '&':
			repl = "&amp;"
		case c == '<':
			repl = "&lt;"
		case c == '>':
			repl = "&gt;"
		case c == '"':
			repl = "&quot;"
		case c == '\r':
			repl = "&#xD;"
		case c == '\n' && attr:
			repl = "&#xA;"
		case c == '\t' && attr:
			repl = "&#x9;"
		case c == '\n' || c == '\t':
			i++
			continue
		case c < 0x20:
			repl = "\uFFFD"
		default:
			var rb [utf8.UTFMax]byte
			r, n := utf8.DecodeRune(rb[:copy(rb[:], s[i:])])
			width = n
			if r != utf8.RuneError && r != 0xFFFE && r != 0xFFFF {
				i += n
				continue
			}
			if r == utf8.RuneError && n == 3 {
				// A literal U+FFFD in the input is legal; keep it as it is.
				i += n
				continue
			}
			repl = "\uFFFD"
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, repl...)
		i += width
		start = i
	}
	return append(dst, s[start:]...)
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specials flags (high bit of each byte) the bytes of x, eight bytes of
// text, that are not plain: non-ASCII, C0 controls, & < > and, in an
// attribute, ". Per byte, (v - k) &^ v has its high bit set when v < k,
// for v = x (k = 0x20) and v = x^c (k = 1, i.e. v == c); the xors leave bit
// 7 alone, so one &^ x does for all, and x's own high bits are the
// non-ASCII bytes. A borrow can flag a byte above a match falsely, never
// below, so the lowest flag is exact, and callers use only that one.
func specials(x uint64, attr bool) uint64 {
	t := (x - 0x20*ones) | ((x ^ '&'*ones) - ones) | ((x ^ '<'*ones) - ones) | ((x ^ '>'*ones) - ones)
	if attr {
		t |= (x ^ '"'*ones) - ones
	}
	return (t&^x | x) & highs
}

// appendEscapedString is appendEscaped for a string, read in place.
func appendEscapedString(dst []byte, s string, attr bool) []byte {
	return appendEscaped(dst, unsafe.Slice(unsafe.StringData(s), len(s)), attr)
}

// plainText and plainAttr mark the bytes copied as they are.
var plainText, plainAttr = plainTable(false), plainTable(true)

func plainTable(attr bool) (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '&' && c != '<' && c != '>' && (!attr || c != '"')
	}
	return t
}
