// Package records streams a CloudTrail log file into its records: [Split]
// reads {"Records":[{...},{...}]} (gzip-compressed or plain) and calls a
// function for each record, with the record's original bytes and its
// eventTime, eventName and eventType, without ever holding the file.
//
// # Input
//
// A CloudTrail log file is one gzip member holding one JSON object whose
// "Records" key is an array of event objects (cloudtrail-ingestion.md §1.g).
// Split accepts:
//
//   - gzip, detected by its magic bytes 1f 8b, or plain JSON;
//   - a top-level object with exactly one "Records" key (compared after
//     unescaping, case-sensitively), anywhere among other keys whose values
//     can be any JSON: they are checked and skipped;
//   - any JSON values as the elements of "Records" (CloudTrail writes
//     objects; other values are passed on too, with empty fields), and an
//     empty array;
//   - JSON whitespace anywhere JSON allows it, including after the object.
//
// Record.Raw is each element exactly as in the file, without the whitespace
// around it: encoding/json's json.RawMessage for the same element has the
// same bytes. Escapes, non-ASCII text and invalid UTF-8 are kept as they
// are. EventTime, EventName and EventType come from the record's own
// top-level keys only (not from nested objects such as insightDetails); for
// keys given twice the last one wins. EventTime is what
// time.Time.UnmarshalJSON makes of the raw value (RFC 3339, fractional
// seconds kept, zero when absent or invalid); EventName and EventType are
// unescaped as encoding/json does (invalid UTF-8 and lone surrogates become
// U+FFFD), "" when absent or not strings.
//
// # Validation
//
// Split checks the whole document as strictly as encoding/json's json.Valid:
// string escapes (including the four hex digits of \u), control characters
// in strings, number syntax, literals, commas, colons, bracket matching,
// and encoding/json's nesting limit of 10000. Like encoding/json it accepts
// invalid UTF-8 inside strings. FuzzSplit checks this against encoding/json.
// On top of that it refuses what is valid JSON but not a CloudTrail log
// file:
//
//	ErrNoRecords         empty input, a top-level value that is not an object,
//	                     or no "Records" key (a digest file, for example)
//	ErrNotArray          "Records" is not an array
//	ErrDuplicateRecords  "Records" appears twice
//	ErrTrailingData      anything but whitespace after the object, or any
//	                     byte after the first gzip member (CloudTrail writes
//	                     one member, and the integrity check hashes only the
//	                     first one)
//	ErrRecordTooLarge    a record, or another top-level value, longer than
//	                     Options.MaxRecordBytes (8 MiB by default)
//
// and reports damage as ErrSyntax (invalid JSON), ErrTruncated (the gzip
// data or the JSON ends early) and ErrCorrupt (bad gzip header, deflate
// data, CRC-32 or length). Every such error is an *Error with the offset in
// the decompressed JSON and the index of the record, if any; errors.Is finds
// the sentinel. Because Split streams, the records before the damage have
// already been passed to fn when it returns the error; they are exactly the
// complete records before it, whatever the buffer size. A failing reader's
// error is wrapped unchanged (io.ErrUnexpectedEOF from the reader, a body
// cut short, also counts as ErrTruncated), and fn's error is returned as is.
//
// # Memory
//
// Split decompresses into a 256 KiB buffer and scans each record in place,
// so Record.Raw points into that buffer: it is valid only during the call
// of fn. A record that does not fit makes the buffer double until it does,
// up to MaxRecordBytes+1. Memory is therefore bounded by the largest record
// plus fixed buffers (the 256 KiB buffer, 64 KiB of compressed read-ahead,
// the inflater's 32 KiB window and tables), never by the file. Buffers and
// inflaters are pooled between calls, and fn's records cost no allocation:
// eventName and eventType strings are interned.
//
// TestMemoryBounded checks that the heap does not grow while 200 MB go
// through; TestBigFileRSS splits a 1 GB file generated on the fly from the
// real records and gzipped into a pipe, and reports the peak RSS:
//
//	CLOUDTRAIL_BIG=1 go test -run TestBigFileRSS -v ./internal/cloudtrail/records/
//
// measured a peak RSS of 8 MB for the whole test process, 5 MB of it before
// splitting (1 GiB of JSON, 863,520 records, 153 MB of gzip, 9 s).
//
// # Speed
//
// The scanner is hand-written: it skips eight plain string bytes at a
// time with word-wide bit tests, and its main loop calls no function (see
// scanner.scan for why). Inflating is done by github.com/klauspost/compress,
// which inflates CloudTrail files faster than compress/gzip and allocates
// nothing per deflate block. One goroutine, 2-core AMD EPYC (shared with
// other work, so wall-clock figures vary; MB/cpu-s is per CPU second of the
// process):
//
//	go test -run '^$' -bench . -benchmem ./internal/cloudtrail/records/
//
// Median of 5 runs (range of MB/s in brackets); allocs are per file, not
// per record; derived is testdata/derived (5,000 records, 6.2 MB of JSON),
// generated the same records repeated to 60,000 (75 MB, built by the
// benchmark); default is Split as shipped, stdlib-gzip the same with
// compress/gzip, plain the decompressed file (the splitter alone):
//
//	benchmark                            MB/s            records/s  MB/cpu-s  allocs
//	Split/derived/default                371 [248-383]     298,620       370       3
//	Split/derived/default+sha256         232 [217-302]     186,403       233       5
//	Split/derived/stdlib-gzip            239 [190-292]     192,079       245     488
//	Split/derived/plain                  917 [845-1159]    737,088       914       1
//	BaselineStdlib/derived                31 [26-44]        25,017        30  57,825
//	Split/generated/default              352 [287-380]     283,204       356      26
//	Split/generated/default+sha256       261 [241-275]     209,805       260      32
//	Split/generated/stdlib-gzip          264 [217-316]     212,589       263   6,667
//	Split/generated/plain                903 [755-1295]    725,847      1039       3
//	BaselineStdlib/generated              32 [27-41]        25,849        38 694,362
//
// BaselineStdlib is the straightforward standard-library splitter
// (compress/gzip, json.Decoder Token/More, Decode into json.RawMessage per
// record, json.Unmarshal of the record for the same three fields): Split is
// about 11 times faster. Inflating takes about two thirds of Split's time
// on a gzip file; the plain rows show the splitter alone.
package records
