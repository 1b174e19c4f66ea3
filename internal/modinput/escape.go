package modinput

import (
	"unicode/utf8"
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
func appendEscaped[T string | []byte](dst []byte, s T, attr bool) []byte {
	plain := &plainText
	if attr {
		plain = &plainAttr
	}
	start := 0
	for i := 0; i < len(s); {
		// Most bytes are plain ASCII: skip runs of them with one table
		// lookup per byte, unrolled by four.
		for i+4 <= len(s) && plain[s[i]] && plain[s[i+1]] && plain[s[i+2]] && plain[s[i+3]] {
			i += 4
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

// plainText and plainAttr mark the bytes copied as they are.
var plainText, plainAttr = plainTable(false), plainTable(true)

func plainTable(attr bool) (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '&' && c != '<' && c != '>' && (!attr || c != '"')
	}
	return t
}
