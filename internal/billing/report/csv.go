package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRecordBytes bounds one CSV record (a row, possibly spanning lines
// inside quotes). A wide CUR row is a few kilobytes; a record this large
// means an unterminated quote, and reading on would swallow the file.
const maxRecordBytes = 4 << 20

// errUnterminated is wrapped in a *ParseError when the input ends, or the
// record grows past maxRecordBytes, inside a quoted field.
var errUnterminated = errors.New("quoted field is not terminated")

// ParseError locates a problem in a report. Line is 1-based and is the line
// where the record starts.
type ParseError struct {
	Line int
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *ParseError) Unwrap() error { return e.Err }

// recordReader splits RFC 4180 CSV into records without allocating per row.
//
// It reads what encoding/csv reads for the same input when that succeeds
// (checked by FuzzRecordsMatchEncodingCSV), but it is several times faster
// on billing reports, where every field is quoted: the closing quote of a
// field is found with bytes.IndexByte instead of rune by rune, and fields
// are returned as slices of one reused buffer. Differences, all lenient:
// a quote inside an unquoted field is kept as text (LazyQuotes), text after
// a closing quote is kept, and a UTF-8 byte order mark at the start is
// dropped.
type recordReader struct {
	r   *bufio.Reader
	rec []byte // the current record, unescaped in place
	// rec is the bufio.Reader's own buffer (no copy) when the record is
	// one line that fits in it; owned is where rec is copied to before a
	// record needs a second line (reading it would overwrite the first).
	owned  []byte
	inBuf  bool
	bounds []int    // start, end pairs into rec
	fields [][]byte // slices of rec; valid until the next read
	line   int      // lines consumed so far
	start  int      // line where the current record starts
	bom    bool     // the BOM check is done
}

func newRecordReader(r io.Reader) *recordReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &recordReader{r: br}
}

// readFirstLine starts a record with the next line. A whole line in the
// buffer is used in place.
func (rr *recordReader) readFirstLine() error {
	chunk, err := rr.r.ReadSlice('\n')
	if err == nil {
		rr.line++
		rr.rec, rr.inBuf = chunk, true
		return nil
	}
	rr.rec, rr.inBuf = rr.owned[:0], false
	rr.rec = append(rr.rec, chunk...)
	if errors.Is(err, bufio.ErrBufferFull) {
		return rr.readLine()
	}
	if errors.Is(err, io.EOF) {
		if len(rr.rec) == 0 {
			return io.EOF
		}
		rr.line++
		return nil
	}
	return err
}

// readLine appends the next line, '\n' included when present, to rr.rec.
// It returns io.EOF only when nothing was read.
func (rr *recordReader) readLine() error {
	if rr.inBuf { // the next read reuses the buffer: copy the record out
		rr.owned = append(rr.owned[:0], rr.rec...)
		rr.rec, rr.inBuf = rr.owned, false
	}
	defer func() { rr.owned = rr.rec }()
	n := len(rr.rec)
	for {
		chunk, err := rr.r.ReadSlice('\n')
		rr.rec = append(rr.rec, chunk...)
		if len(rr.rec) > maxRecordBytes {
			return &ParseError{Line: rr.start, Err: fmt.Errorf("record longer than %d bytes: %w", maxRecordBytes, errUnterminated)}
		}
		switch {
		case err == nil:
			rr.line++
			return nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(rr.rec) > n {
				rr.line++
				return nil
			}
			return io.EOF
		default:
			return err
		}
	}
}

// read returns the next record's fields. Empty lines are skipped, as
// encoding/csv does. The slices are valid until the next call.
func (rr *recordReader) read() ([][]byte, error) {
	for {
		rr.start = rr.line + 1
		if err := rr.readFirstLine(); err != nil {
			return nil, err
		}
		if !rr.bom {
			rr.bom = true
			rr.rec = bytes.TrimPrefix(rr.rec, []byte("\xef\xbb\xbf"))
		}
		if isBlankLine(rr.rec) {
			continue
		}
		if err := rr.split(); err != nil {
			return nil, err
		}
		rr.fields = rr.fields[:0]
		for i := 0; i < len(rr.bounds); i += 2 {
			rr.fields = append(rr.fields, rr.rec[rr.bounds[i]:rr.bounds[i+1]:rr.bounds[i+1]])
		}
		return rr.fields, nil
	}
}

func isBlankLine(b []byte) bool {
	return lineEnd(b) == 0
}

// lineEnd returns the index of the line terminator of the line that ends
// rr.rec ('\r' of "\r\n", '\n', or len when the input ended without one).
func lineEnd(b []byte) int {
	n := len(b)
	switch {
	case n > 0 && b[n-1] == '\n':
		n--
		if n > 0 && b[n-1] == '\r' {
			n--
		}
	case n > 0 && b[n-1] == '\r': // "\r" before EOF, dropped as encoding/csv does
		n--
	}
	return n
}

// split finds the fields of the record in rr.rec, reading more lines while
// a quoted field is open, and unescapes quoted fields in place.
func (rr *recordReader) split() error {
	rr.bounds = rr.bounds[:0]
	pos := 0
	for {
		end := lineEnd(rr.rec)
		if pos < end && rr.rec[pos] == '"' {
			var err error
			if pos, err = rr.quoted(pos); err != nil {
				return err
			}
		} else {
			i := bytes.IndexByte(rr.rec[pos:end], ',')
			if i < 0 {
				rr.bounds = append(rr.bounds, pos, end)
				return nil
			}
			rr.bounds = append(rr.bounds, pos, pos+i)
			pos += i + 1
			continue
		}
		// After a quoted field: a comma, or the end of the record.
		end = lineEnd(rr.rec)
		if pos >= end {
			return nil
		}
		pos++ // the comma (quoted() stops on it)
	}
}

// quoted reads the quoted field starting at rr.rec[pos] == '"'. It records
// the field's bounds and returns the index of what follows it: a comma or
// the line end. Escaped quotes ("") and the "\r\n" inside the field become
// '"' and '\n' (as encoding/csv does); text between the closing quote and
// the next comma is kept.
func (rr *recordReader) quoted(pos int) (int, error) {
	start := pos + 1
	w := start // write cursor of the unescaped field
	i := start // read cursor
	for {
		j := bytes.IndexByte(rr.rec[i:], '"')
		if j < 0 {
			// The field goes on past this line.
			w = rr.keep(w, i, len(rr.rec))
			i = len(rr.rec)
			if err := rr.readLine(); err != nil {
				if errors.Is(err, io.EOF) {
					return 0, &ParseError{Line: rr.start, Err: errUnterminated}
				}
				return 0, err
			}
			continue
		}
		w = rr.move(w, i, i+j)
		i += j + 1
		if i < len(rr.rec) && rr.rec[i] == '"' { // "" is one quote
			rr.rec[w] = '"'
			w++
			i++
			continue
		}
		break
	}
	// Lenient: text after the closing quote, up to the next comma, is part
	// of the field.
	end := lineEnd(rr.rec)
	if i < end && rr.rec[i] != ',' {
		k := bytes.IndexByte(rr.rec[i:end], ',')
		if k < 0 {
			k = end - i
		}
		w = rr.move(w, i, i+k)
		i += k
	}
	rr.bounds = append(rr.bounds, start, w)
	return i, nil
}

// move moves rr.rec[from:to], a piece of one line without its terminator,
// to the write cursor w and returns the new cursor.
func (rr *recordReader) move(w, from, to int) int {
	if w == from {
		return to // nothing unescaped yet: the common case
	}
	return w + copy(rr.rec[w:], rr.rec[from:to])
}

// keep moves rr.rec[from:to], the rest of a line inside a quoted field, to
// the write cursor w, turning its "\r\n" into "\n" as encoding/csv does, and
// returns the new cursor.
func (rr *recordReader) keep(w, from, to int) int {
	seg := rr.rec[from:to]
	for {
		k := bytes.Index(seg, []byte("\r\n"))
		if k < 0 {
			break
		}
		w += copy(rr.rec[w:], seg[:k])
		seg = seg[k+1:] // drop the '\r'
	}
	if w == from && len(seg) == to-from {
		return to // nothing moved: the common case
	}
	return w + copy(rr.rec[w:], seg)
}
