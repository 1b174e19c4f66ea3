package modinput

import (
	"encoding/binary"
	"testing"
)

// specials must flag exactly the first byte the table calls not plain, for
// every byte value at every position of a word of otherwise plain bytes.
func TestSpecialsAgreesWithTable(t *testing.T) {
	for _, attr := range []bool{false, true} {
		plain := &plainText
		if attr {
			plain = &plainAttr
		}
		for c := range 256 {
			for pos := range 8 {
				for _, filler := range []byte{'a', ' ', '~', '%', '='} {
					var w [8]byte
					for k := range w {
						w[k] = filler
					}
					w[pos] = byte(c)
					stop := specials(binary.LittleEndian.Uint64(w[:]), attr)
					want := -1
					if !plain[c] {
						want = pos
					}
					got := -1
					if stop != 0 {
						got = 0
						for stop&0x80 == 0 {
							stop >>= 8
							got++
						}
					}
					if got != want {
						t.Fatalf("attr=%v byte %#x at %d (filler %q): first special %d, want %d", attr, c, pos, filler, got, want)
					}
				}
			}
		}
	}
}
