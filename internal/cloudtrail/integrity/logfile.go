package integrity

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// HashLogFile returns the SHA-256 of a log file's decompressed bytes, the
// first gzip member only, as CloudTrail computes it. Bytes after that member
// are ErrTrailingData; a damaged or non-gzip file is ErrFormat. (An input
// that splits the file with records.Split gets the same sum through
// records.Options.Hash, in the same pass.)
func HashLogFile(r io.Reader) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	br := bufio.NewReaderSize(r, 64<<10)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return sum, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	zr.Multistream(false)
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		return sum, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	if _, err := br.ReadByte(); err == nil {
		return sum, ErrTrailingData
	} else if err != io.EOF {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}

// Check compares sum with the hash the digest lists: nil, or a LogModified
// problem.
func (l LogFile) Check(sum []byte) *Problem {
	if got := hex.EncodeToString(sum); got != l.HashValue {
		return &Problem{Kind: LogModified, URL: l.URL(), Detail: "sha256 " + got + ", digest says " + l.HashValue}
	}
	return nil
}

// Ingested says what an input recorded about a log file while ingesting
// it: the SHA-256 of its decompressed bytes, or ok false when it never
// ingested it.
type Ingested func(bucket, key string) (sum []byte, ok bool)

// HashMap adapts a map from object key to recorded SHA-256 (one bucket).
func HashMap(m map[string][sha256.Size]byte) Ingested {
	return func(_, key string) ([]byte, bool) {
		s, ok := m[key]
		return s[:], ok
	}
}

// CompareLogFiles compares every log file a verified digest lists with
// what the input ingested, with no S3 access: LogModified when the hashes
// differ, LogNotIngested when the input has no record of the file (not yet
// delivered to it, lost, or deleted before it was read; the caller decides
// how long to wait before saying so). It returns how many matched.
func CompareLogFiles(d *Digest, ingested Ingested) (valid int, problems []Problem) {
	for _, l := range d.LogFiles {
		sum, ok := ingested(l.Bucket, l.Object)
		if !ok {
			problems = append(problems, Problem{Kind: LogNotIngested, URL: l.URL(), Digest: d.URL()})
			continue
		}
		if p := l.Check(sum); p != nil {
			p.Digest = d.URL()
			problems = append(problems, *p)
			continue
		}
		valid++
	}
	return valid, problems
}
