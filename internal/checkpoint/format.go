package checkpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"math"
	"strings"
)

// The layout is described in doc.go; the constants below are its numbers.
const (
	logName  = "checkpoint.log"
	lockName = "checkpoint.lock"
	tmpGlob  = "." + logName + ".tmp-*" // compactions in progress

	magic         = "AWSICKPT"
	formatVersion = 1
	saltSize      = 32
	headerSize    = len(magic) + 4 + saltSize + 4 // magic, version, salt, crc

	recHeader  = 4 + 2 // crc, payload length
	payloadLen = 1 + keySize + 4 + 8
	payloadSHA = payloadLen + sha256.Size
	recSize    = recHeader + payloadLen // a Progress or Done record: 35 bytes
	recSizeSHA = recHeader + payloadSHA // a Done record with a SHA-256: 67 bytes
	maxRecSize = recSizeSHA

	keySize = 16

	// maxRecords is the largest record count the in-memory entry can hold
	// (62 bits); no S3 object comes anywhere near it.
	maxRecords = 1<<62 - 1
)

// Record kinds.
const (
	kindProgress byte = 1
	kindDone     byte = 2
	kindDoneSHA  byte = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// key is what the store keeps instead of bucket, key and version: the first
// 16 bytes of SHA-256(salt ‖ bucket ‖ key ‖ version), see objectKey.
type key [keySize]byte

// record is one update, as written to and read from the log.
type record struct {
	kind    byte
	key     key
	updated uint32 // Unix seconds
	records int64
	sha     [sha256.Size]byte // kindDoneSHA only
}

// objectKey hashes an object's identity with the store's random salt. Each
// field is length-prefixed so that ("ab", "c") and ("a", "bc") differ.
// Surrounding quotes of an ETag are dropped: S3 event notifications carry
// the ETag bare, GetObject and HeadObject return it quoted.
func objectKey(salt *[saltSize]byte, id ObjectID) key {
	var buf [256]byte
	b := append(buf[:0], salt[:]...)
	b = appendField(b, id.Bucket)
	b = appendField(b, id.Key)
	b = appendField(b, normalizeVersion(id.Version))
	sum := sha256.Sum256(b)
	return key(sum[:keySize])
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func normalizeVersion(v string) string {
	if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
		return v[1 : len(v)-1]
	}
	return v
}

// appendHeader appends the file header.
func appendHeader(b []byte, salt *[saltSize]byte) []byte {
	start := len(b)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	b = append(b, salt[:]...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// headerProblem is why a header cannot be used.
type headerProblem int

const (
	headerOK headerProblem = iota
	headerShort
	headerNotOurs
	headerDamaged
	headerNewer
)

// parseHeader checks a header and returns its salt.
func parseHeader(b []byte) (salt [saltSize]byte, version uint32, problem headerProblem) {
	if len(b) < headerSize {
		return salt, 0, headerShort
	}
	if string(b[:len(magic)]) != magic {
		return salt, 0, headerNotOurs
	}
	if crc32.Checksum(b[:headerSize-4], castagnoli) != binary.LittleEndian.Uint32(b[headerSize-4:]) {
		return salt, 0, headerDamaged
	}
	version = binary.LittleEndian.Uint32(b[len(magic):])
	if version != formatVersion {
		return salt, version, headerNewer
	}
	copy(salt[:], b[len(magic)+4:])
	return salt, version, headerOK
}

// appendRecord appends r in its on-disk form.
func appendRecord(b []byte, r *record) []byte {
	n := payloadLen
	if r.kind == kindDoneSHA {
		n = payloadSHA
	}
	start := len(b)
	b = append(b, 0, 0, 0, 0) // crc, filled in below
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = append(b, r.kind)
	b = append(b, r.key[:]...)
	b = binary.LittleEndian.AppendUint32(b, r.updated)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.records))
	if r.kind == kindDoneSHA {
		b = append(b, r.sha[:]...)
	}
	binary.LittleEndian.PutUint32(b[start:], crc32.Checksum(b[start+4:], castagnoli))
	return b
}

// decodeRecord reads the record at the start of b. ok is false when b does
// not start with a whole, intact record: too short, a length or kind that
// does not exist, a checksum mismatch.
func decodeRecord(b []byte) (r record, size int, ok bool) {
	if len(b) < recHeader {
		return r, 0, false
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	if n != payloadLen && n != payloadSHA || len(b) < recHeader+n {
		return r, 0, false
	}
	if crc32.Checksum(b[4:recHeader+n], castagnoli) != binary.LittleEndian.Uint32(b) {
		return r, 0, false
	}
	p := b[recHeader : recHeader+n]
	r.kind = p[0]
	switch {
	case (r.kind == kindProgress || r.kind == kindDone) && n == payloadLen:
	case r.kind == kindDoneSHA && n == payloadSHA:
		copy(r.sha[:], p[payloadLen:])
	default:
		return r, 0, false
	}
	copy(r.key[:], p[1:])
	r.updated = binary.LittleEndian.Uint32(p[1+keySize:])
	recs := binary.LittleEndian.Uint64(p[1+keySize+4:])
	if recs > maxRecords {
		return r, 0, false
	}
	r.records = int64(recs)
	return r, recHeader + n, true
}

// unixSeconds is the update time kept per entry: Unix seconds in 32 bits,
// good until 2106.
func unixSeconds(sec int64) uint32 {
	return uint32(min(max(sec, 0), math.MaxUint32))
}
