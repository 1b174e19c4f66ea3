package modinput

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDefinitionBytes bounds what is read from stdin: a definition is a few
// kilobytes; anything this large is not from splunkd.
const maxDefinitionBytes = 8 << 20

// readRoot returns the bytes of the first XML document on r, as UTF-8, up to
// the end tag of its root element. It never waits for EOF: splunkd (and the
// Java and JavaScript SDKs' test harnesses) may keep stdin open.
func readRoot(r io.Reader) ([]byte, error) {
	utf8r, err := toUTF8(bufio.NewReader(io.LimitReader(r, maxDefinitionBytes)))
	if err != nil {
		return nil, err
	}
	var seen bytes.Buffer
	dec := xml.NewDecoder(io.TeeReader(utf8r, &seen))
	dec.CharsetReader = sameCharset
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if depth == 0 {
					return nil, errors.New("stdin is empty: no XML document")
				}
				return nil, errors.New("stdin ended before the root element was closed")
			}
			return nil, syntaxError(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				return seen.Bytes()[:dec.InputOffset()], nil
			}
		}
	}
}

// syntaxError keeps the position of an XML error but never the document
// text, which holds the session key.
func syntaxError(err error) error {
	if se, ok := errors.AsType[*xml.SyntaxError](err); ok {
		return fmt.Errorf("malformed XML on line %d", se.Line)
	}
	return fmt.Errorf("reading stdin: %w", err)
}

// sameCharset accepts the encoding labels splunkd and the SDK fixtures use.
// toUTF8 has already transcoded UTF-16, so the bytes are UTF-8 whatever the
// declaration says; the JavaScript SDK's fixtures even label UTF-8 as utf-16.
func sameCharset(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "utf-16", "utf16", "utf-16be", "utf-16le", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q: splunkd writes UTF-8", label)
}

// toUTF8 sniffs a byte-order mark (or the UTF-16 form of "<") and returns a
// reader of UTF-8 bytes.
func toUTF8(br *bufio.Reader) (io.Reader, error) {
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		_, _ = br.Discard(2)
		return &utf16Reader{src: br, bigEndian: true}, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		_, _ = br.Discard(2)
		return &utf16Reader{src: br}, nil
	case bytes.HasPrefix(head, []byte{0, '<'}):
		return &utf16Reader{src: br, bigEndian: true}, nil
	case bytes.HasPrefix(head, []byte{'<', 0}):
		return &utf16Reader{src: br}, nil
	}
	return br, nil
}

// utf16Reader transcodes UTF-16 to UTF-8 as it reads.
type utf16Reader struct {
	src       *bufio.Reader
	bigEndian bool
	pending   []byte // encoded UTF-8 not yet returned
	err       error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.pending) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		r, err := u.next()
		if err != nil {
			u.err = err
			continue
		}
		u.pending = utf8.AppendRune(u.pending[:0], r)
	}
	n := copy(p, u.pending)
	u.pending = u.pending[n:]
	return n, nil
}

func (u *utf16Reader) unit() (uint16, error) {
	var b [2]byte
	if _, err := io.ReadFull(u.src, b[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, errors.New("stdin: UTF-16 text ends in the middle of a character")
		}
		return 0, err
	}
	if u.bigEndian {
		return uint16(b[0])<<8 | uint16(b[1]), nil
	}
	return uint16(b[1])<<8 | uint16(b[0]), nil
}

func (u *utf16Reader) next() (rune, error) {
	hi, err := u.unit()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(rune(hi)) {
		return rune(hi), nil
	}
	lo, err := u.unit()
	if err != nil {
		return 0, err
	}
	return utf16.DecodeRune(rune(hi), rune(lo)), nil
}
