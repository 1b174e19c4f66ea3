package message

import (
	"unicode"
	"unicode/utf8"
)

const ellipsis = "…"

// Excerpt returns the start of body as one printable line of at most n bytes,
// for an ERROR line about a body that could not be used. A message body is
// untrusted: printed raw, a newline would start a new splunkd.log entry with
// a level of the sender's choosing, and bidi or zero-width characters would
// make the line lie. So \n, \r and \t are written as such, other control
// bytes and invalid UTF-8 as \xNN, and other non-printable runes (C1
// controls, U+2028, U+202E, U+200B, ...) as \uNNNN; backslashes are left
// alone, so the result is for reading, not for unquoting. The cut falls
// between runes (or escapes) and is marked with a trailing "…", counted in n.
// When n is too small to hold "…", the excerpt is cut without it.
func Excerpt(body []byte, n int) string {
	if n <= 0 || len(body) == 0 {
		return ""
	}
	out := make([]byte, 0, min(n, 2*len(body)))
	fit := 0 // length of out at the last point where "…" still fits in n
	var esc [10]byte
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		piece := body[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = hexByte(esc[:0], 'x', body[i])
		case r == '\n':
			piece = append(esc[:0], `\n`...)
		case r == '\r':
			piece = append(esc[:0], `\r`...)
		case r == '\t':
			piece = append(esc[:0], `\t`...)
		case r < 0x20 || r == 0x7f:
			piece = hexByte(esc[:0], 'x', byte(r))
		case r >= 0x80 && !unicode.IsPrint(r):
			piece = hexRune(esc[:0], r)
		}
		if len(out)+len(piece) > n {
			if n < len(ellipsis) {
				return string(out)
			}
			return string(append(out[:fit], ellipsis...))
		}
		out = append(out, piece...)
		if len(out)+len(ellipsis) <= n {
			fit = len(out)
		}
		i += size
	}
	return string(out)
}

const hexDigits = "0123456789abcdef"

// hexByte appends \<c>NN.
func hexByte(dst []byte, c byte, b byte) []byte {
	return append(dst, '\\', c, hexDigits[b>>4], hexDigits[b&0xf])
}

// hexRune appends \uNNNN or \UNNNNNNNN.
func hexRune(dst []byte, r rune) []byte {
	digits, c := 4, byte('u')
	if r > 0xffff {
		digits, c = 8, 'U'
	}
	dst = append(dst, '\\', c)
	for s := (digits - 1) * 4; s >= 0; s -= 4 {
		dst = append(dst, hexDigits[(r>>s)&0xf])
	}
	return dst
}
