package checkpoint

import "io"

// damage is a stretch of the log that holds no valid record.
type damage struct {
	off, n int64
}

// replayResult says what reading the log found.
type replayResult struct {
	end     int64    // offset just after the last valid record
	size    int64    // bytes read
	corrupt []damage // damaged stretches followed by valid records
	records int64    // valid records read
}

// tail is the damaged end of the log (a torn write): the bytes after the
// last valid record.
func (r replayResult) tail() int64 { return r.size - r.end }

// replay reads records from r, whose first byte is at offset base of the
// file, and calls fn for each valid one in order. Where a record is not
// valid it tries every following offset until a valid record starts: that
// stretch is reported as damage when valid records follow it, and as the
// tail otherwise. A checksum over 32 bits makes a false match on garbage
// about one in four billion per offset tried, and a false match yields an
// entry under a random key that no object hashes to.
func replay(r io.Reader, base int64, fn func(*record)) (replayResult, error) {
	res := replayResult{end: base}
	buf := make([]byte, 0, 1<<20)
	off := base // file offset of buf[0]
	pos := 0
	eof := false
	fill := func() error {
		if eof || len(buf)-pos >= maxRecSize {
			return nil
		}
		n := copy(buf, buf[pos:])
		off += int64(pos)
		buf, pos = buf[:n], 0
		for len(buf) < cap(buf) {
			m, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			if err == io.EOF {
				eof = true
				return nil
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	bad := int64(-1) // start of the damaged stretch being skipped
	for {
		if err := fill(); err != nil {
			return res, err
		}
		if pos == len(buf) {
			break
		}
		rec, n, ok := decodeRecord(buf[pos:])
		if !ok {
			if bad < 0 {
				bad = off + int64(pos)
			}
			pos++
			continue
		}
		if bad >= 0 {
			res.corrupt = append(res.corrupt, damage{off: bad, n: off + int64(pos) - bad})
			bad = -1
		}
		fn(&rec)
		res.records++
		pos += n
		res.end = off + int64(pos)
	}
	res.size = off + int64(len(buf))
	return res, nil
}
