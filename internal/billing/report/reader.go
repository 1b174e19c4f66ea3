package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// maxHeaderSearch is how many leading records may come before the header:
// the cost allocation report puts a one-cell note on line 1.
const maxHeaderSearch = 3

// tagsNote starts the note line of the cost allocation report ("Don't see
// your tags in the report? New tags are excluded by default - go to ...").
var tagsNote = []byte("Don't see your tags")

// Reader streams the rows of one report CSV (already decompressed).
type Reader struct {
	rr     *recordReader
	layout Layout

	// The last parsed usage start, for rows that share it (hourly line
	// items come in runs with the same start).
	lastText []byte
	lastTime time.Time
	lastOK   bool

	noteLines int
}

// NewReader reads the header, skipping the note line of the cost
// allocation report, and detects the report's format (DetectLayout).
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{rr: newRecordReader(r)}
	for range maxHeaderSearch {
		rec, err := rd.rr.read()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the report is empty: no header row")
		}
		if err != nil {
			return nil, err
		}
		if isNote(rec) {
			rd.noteLines++
			continue
		}
		header := make([]string, len(rec))
		for i, f := range rec {
			header[i] = string(f)
		}
		l, err := DetectLayout(header)
		if err != nil {
			return nil, &ParseError{Line: rd.rr.start, Err: err}
		}
		rd.layout = l
		return rd, nil
	}
	return nil, &ParseError{Line: rd.rr.start, Err: fmt.Errorf("no header row in the first %d lines", maxHeaderSearch)}
}

func isNote(rec [][]byte) bool {
	return len(rec) == 1 && bytes.HasPrefix(bytes.TrimSpace(rec[0]), tagsNote)
}

// Layout is the report's header and format.
func (r *Reader) Layout() *Layout { return &r.layout }

// Next returns the next data row. The cells are valid until the next call;
// a row may have fewer or more cells than the header. The note line of
// the cost allocation report is skipped wherever it appears. Next returns
// io.EOF after the last row and a *ParseError for malformed CSV.
func (r *Reader) Next() ([][]byte, error) {
	for {
		rec, err := r.rr.read()
		if err != nil {
			return nil, err
		}
		if isNote(rec) {
			r.noteLines++
			continue
		}
		return rec, nil
	}
}

// Line is the line where the last row returned by Next starts.
func (r *Reader) Line() int { return r.rr.start }

// Time returns the usage start of a row, else the billing period start it
// carries; ok is false when the row has neither (total rows of the
// detailed billing report), and the caller uses its own period.
func (r *Reader) Time(row [][]byte) (t time.Time, ok bool) {
	b := field(row, r.layout.Time)
	if len(b) == 0 {
		b = field(row, r.layout.PeriodStart)
	}
	if len(b) == 0 {
		return time.Time{}, false
	}
	if bytes.Equal(b, r.lastText) {
		return r.lastTime, r.lastOK
	}
	r.lastText = append(r.lastText[:0], b...)
	r.lastTime, r.lastOK = ParseTime(b)
	return r.lastTime, r.lastOK
}
