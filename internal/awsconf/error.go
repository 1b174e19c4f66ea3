package awsconf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem found in aws.conf. Parse and Load return every
// problem at once, joined with errors.Join; use errors.AsType[*Error] or
// walk the joined error to get them one by one.
//
// No field ever holds an AWS secret key: values are quoted in messages only
// when they are short and not in a secret position, and every secret found in
// the file is masked as *** before the error is returned.
type Error struct {
	File   string // file name given to Parse, or the path Load read
	Line   int    // 1-based line number; 0 when unknown
	Stanza string // stanza name without brackets; "" for problems with the file itself
	Key    string // setting name; "" for problems with a whole stanza or line
	Msg    string // what is wrong and what is expected

	err error // underlying error (file reading only), for errors.Is
}

// Error formats the problem as "file:line [stanza] key: message", leaving
// out the parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Stanza != "" {
		fmt.Fprintf(&b, " [%s]", e.Stanza)
	}
	if e.Key != "" {
		b.WriteString(" ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the error from reading the file, if any, so that
// errors.Is(err, fs.ErrNotExist) works for a missing explicit file.
func (e *Error) Unwrap() error { return e.err }

// maxShown is the longest value quoted back in a message. AWS secret keys are
// 40 characters, so they never qualify even when a user put one in the
// wrong place.
const maxShown = 32

// show quotes a user value for a message, or only tells its length when it is
// long enough to be a secret pasted into the wrong field.
func show(v string) string {
	if len(v) > maxShown {
		return fmt.Sprintf("a value of %d characters", len(v))
	}
	return fmt.Sprintf("%q", v)
}

// showName is show for setting names, which are printed bare.
func showName(k string) string {
	if len(k) > maxShown {
		return fmt.Sprintf("(a name of %d characters)", len(k))
	}
	return k
}

// minRedact is the shortest secret masked in messages. Shorter tokens are
// rejected as secrets anyway, and masking them would garble line numbers and
// words.
const minRedact = 8

// redact masks every secret in the user-controlled parts of the problems.
// Messages already avoid secret positions; this also covers a secret that
// shows up somewhere else (as a setting name, a region, a limit).
func redact(errs []*Error, secrets []string) {
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return len(s) < minRedact })
	if len(secrets) == 0 {
		return
	}
	// Longest first, so that a secret containing another is masked whole.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	mask := func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "***")
		}
		return s
	}
	for _, e := range errs {
		e.Stanza, e.Key, e.Msg = mask(e.Stanza), mask(e.Key), mask(e.Msg)
	}
}

// sortErrors orders problems by file (in the order the files were read) and
// line, keeping the discovery order otherwise.
func sortErrors(errs []*Error, files []string) {
	rank := func(f string) int {
		if i := slices.Index(files, f); i >= 0 {
			return i
		}
		return -1 // unreadable files come first
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(rank(a.File), rank(b.File)), cmp.Compare(a.Line, b.Line))
	})
}
