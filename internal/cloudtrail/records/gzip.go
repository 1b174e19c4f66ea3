package records

import (
	"compress/gzip"
	"io"

	kgzip "github.com/klauspost/compress/gzip"
)

// inflater is what Split needs from a gzip reader.
type inflater interface {
	io.Reader
	Reset(r io.Reader) error
	Multistream(ok bool)
}

// newInflater returns the gzip reader Split uses: klauspost/compress
// inflates CloudTrail files markedly faster than compress/gzip and does not
// allocate per deflate block (see BenchmarkSplit, stdlib-gzip variant).
func newInflater() inflater { return new(kgzip.Reader) }

// newStdlibInflater returns a compress/gzip reader for one member of r, for
// the benchmarks that compare inflaters.
func newStdlibInflater(r io.Reader) (io.Reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	return zr, nil
}
