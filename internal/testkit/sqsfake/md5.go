package sqsfake

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
)

// md5Hex is MD5OfMessageBody / MD5OfBody: the hex MD5 of the body's UTF-8
// bytes. The SDK recomputes it and fails the call on a mismatch.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is MD5OfMessageAttributes as SQS defines it: for each
// attribute in ascending name order, the name, the data type, a transport
// byte (1 for String/Number, 2 for Binary) and the value, each variable-length
// part prefixed by its length as a 4-byte big-endian integer. It returns ""
// for no attributes, which is when AWS omits the member.
func md5OfAttributes(attrs map[string]messageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	h := md5.New()
	for _, name := range names {
		v := attrs[name]
		writeLenPrefixed(h, []byte(name))
		writeLenPrefixed(h, []byte(v.DataType))
		if isBinaryType(v.DataType) {
			h.Write([]byte{2})
			writeLenPrefixed(h, v.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeLenPrefixed(h, []byte(deref(v.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLenPrefixed(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b))) // bounded by the request size limit
	h.Write(n[:])
	h.Write(b)
}

// isBinaryType reports whether a DataType ("Binary" or "Binary.<label>")
// carries its value in BinaryValue.
func isBinaryType(dataType string) bool {
	return dataType == "Binary" || strings.HasPrefix(dataType, "Binary.")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
