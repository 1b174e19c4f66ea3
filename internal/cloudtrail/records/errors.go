package records

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Split wraps each of them in an *Error that says where the
// problem is; test for them with errors.Is.
var (
	// ErrNoRecords: the file is not a CloudTrail log file: it is empty, its
	// top-level value is not an object, or the object has no "Records" key
	// (a digest file, for example).
	ErrNoRecords = errors.New(`no "Records" array`)
	// ErrNotArray: the value of "Records" is not an array.
	ErrNotArray = errors.New(`"Records" is not an array`)
	// ErrDuplicateRecords: the top-level object has "Records" twice. It is
	// valid JSON, but a stream reader cannot know which one a
	// map-based decoder (last key wins) would keep, so it is refused.
	ErrDuplicateRecords = errors.New(`"Records" appears twice`)
	// ErrSyntax: the JSON is invalid.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTruncated: the gzip member or the JSON ends too early.
	ErrTruncated = errors.New("truncated")
	// ErrTrailingData: there are bytes after the first gzip member, or
	// something other than JSON whitespace after the top-level object.
	ErrTrailingData = errors.New("trailing data")
	// ErrRecordTooLarge: a record (or another top-level value) is longer
	// than Options.MaxRecordBytes.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrCorrupt: the gzip data is damaged (bad header, bad deflate data,
	// CRC or length mismatch). The gzip package's own error is wrapped too.
	ErrCorrupt = errors.New("corrupt gzip data")
)

// Error is the error Split returns for everything except fn's own errors.
// Err is one of the sentinels above, or, for a failure of the io.Reader
// given to Split, that reader's error.
type Error struct {
	// Offset is the byte offset in the decompressed JSON where the problem
	// was found (for ErrCorrupt and read errors: how many decompressed bytes
	// had been read).
	Offset int64
	// Record is the 0-based index of the record being read (or of the one
	// just read, for a problem between two records), or -1 when the
	// problem is outside the Records array.
	Record int
	Err    error  // sentinel or reader error
	Msg    string // details, may be empty

	cause error // the gzip package's error behind ErrCorrupt
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("cloudtrail records: ")
	if e.Record >= 0 {
		fmt.Fprintf(&b, "record %d, ", e.Record)
	}
	fmt.Fprintf(&b, "byte %d: %v", e.Offset, e.Err)
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

// Unwrap returns Err and, for ErrCorrupt, the gzip package's error.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Err, e.cause}
	}
	return []error{e.Err}
}
