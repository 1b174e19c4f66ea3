package message

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	cases := []struct {
		name string
		body string
		n    int
		want string
	}{
		{"short", `{"a":1}`, 100, `{"a":1}`},
		{"exact fit", "abcdef", 6, "abcdef"},
		{"cut", "abcdefg", 6, "abc…"},
		{"empty", "", 10, ""},
		{"n zero", "abc", 0, ""},
		{"n negative", "abc", -5, ""},
		{"n too small for the ellipsis", "abcdef", 2, "ab"},
		{"n is the ellipsis", "abcdef", 3, "…"},
		{"newline, CR, tab", "a\nb\r\nc\td", 100, `a\nb\r\nc\td`},
		{"control bytes", "\x00\x01\x1b[31m\x7f", 100, `\x00\x01\x1b[31m\x7f`},
		{"invalid UTF-8", "a\xffb\xc3", 100, `a\xffb\xc3`},
		{"C1 control, line separator, bidi override, zero width, BOM", "\u0085\u2028\u202e\u200b\ufeff", 100, `\u0085\u2028\u202e\u200b\ufeff`},
		{"non-BMP non-printable", "\U000e0001", 100, `\U000e0001`},
		{"printable unicode kept", "ünïcødé € 😀 \ufffd", 100, "ünïcødé € 😀 \ufffd"},
		{"backslashes and quotes kept", `{"Message":"{\"a\":1}"}`, 100, `{"Message":"{\"a\":1}"}`},
		{"multibyte not split", "aé€😀", 7, "aé…"},         // a(1) é(2) = 3, € would make 6+3 > 7
		{"multibyte exact", "aé€😀", 10, "aé€😀"},           // 1+2+3+4
		{"multibyte one short", "aé€😀", 9, "aé€…"},        // 1+2+3 + 3
		{"escape not split", "ab\n\ncd", 6, "ab…"},        // ab\n is 4, +… = 7 > 6
		{"escape at the end fits", "ab\n", 4, `ab\n`},     // no cut, no ellipsis
		{"escape fits exactly", "ab\nc", 5, `ab\nc`},      // a, b, \n (2 bytes), c
		{"escape pushes over", "ab\ncd", 5, "ab…"},        // 6 bytes; "…" fits only after "ab"
		{"hex escape not split", "abc\x00def", 6, "abc…"}, // \x00 is 4 bytes
	}
	for _, c := range cases {
		got := Excerpt([]byte(c.body), c.n)
		if got != c.want {
			t.Errorf("%s: Excerpt(%q, %d) = %q, want %q", c.name, c.body, c.n, got, c.want)
		}
	}
}

func TestExcerptLong(t *testing.T) {
	body := strings.Repeat("ab\ncé\x00", 100_000)
	for _, n := range []int{1, 3, 4, 5, 80, 200, 4096} {
		got := Excerpt([]byte(body), n)
		if len(got) > n || !utf8.ValidString(got) || strings.ContainsAny(got, "\n\x00") {
			t.Errorf("Excerpt(long, %d) = %q (%d bytes)", n, got, len(got))
		}
		if n >= 3 && !strings.HasSuffix(got, "…") {
			t.Errorf("Excerpt(long, %d) = %q: want a trailing …", n, got)
		}
	}
}
