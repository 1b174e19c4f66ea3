// Package lookup reads and atomically replaces the app's CSV lookup files,
// and merges accountNames.csv, which both the billing and the inventory
// inputs maintain next to the rows people add by hand.
package lookup

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/atomicfile"
)

// Table is a CSV file: a header and rows of the same width.
type Table struct {
	Header []string
	Rows   [][]string
}

// Read loads a lookup file. A missing file is an empty table.
func Read(path string) (Table, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Table{}, nil
	}
	if err != nil {
		return Table{}, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // hand-edited files may have ragged rows; pad them below
	records, err := r.ReadAll()
	if err != nil {
		return Table{}, fmt.Errorf("lookup %s: %w", path, err)
	}
	if len(records) == 0 {
		return Table{}, nil
	}
	t := Table{Header: records[0]}
	for _, row := range records[1:] {
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		for len(row) < len(t.Header) {
			row = append(row, "")
		}
		t.Rows = append(t.Rows, row[:len(t.Header)])
	}
	return t, nil
}

// Write replaces the lookup file atomically: Splunk never reads half of it.
func Write(path string, t Table) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(t.Header); err != nil {
			return err
		}
		if err := cw.WriteAll(t.Rows); err != nil {
			return err
		}
		return cw.Error()
	})
}

// AccountNamesHeader is the legacy app's header of accountNames.csv.
var AccountNamesHeader = []string{"accountId", "accountName"}

// MergeAccountNames adds to accountNames.csv the accounts of names (id →
// name) that it does not list yet, and returns every id → name the file
// then holds. Rows already in the file are never dropped or renamed: a
// person may have added or corrected them. Rows are kept sorted by id.
func MergeAccountNames(path string, names map[string]string) (map[string]string, error) {
	t, err := Read(path)
	if err != nil {
		return nil, err
	}
	if len(t.Header) == 0 {
		t.Header = AccountNamesHeader
	}
	idCol, nameCol := slices.Index(t.Header, "accountId"), slices.Index(t.Header, "accountName")
	if idCol < 0 || nameCol < 0 {
		return nil, fmt.Errorf("lookup %s: header %q lacks accountId or accountName; fix or remove the file", path, t.Header)
	}
	merged := map[string]string{}
	for _, row := range t.Rows {
		merged[row[idCol]] = row[nameCol]
	}
	added := false
	for id, name := range names {
		if _, ok := merged[id]; ok || id == "" {
			continue
		}
		merged[id] = name
		row := make([]string, len(t.Header))
		row[idCol], row[nameCol] = id, name
		t.Rows = append(t.Rows, row)
		added = true
	}
	if !added {
		return merged, nil // nothing new: leave the file (and its mtime) alone
	}
	slices.SortStableFunc(t.Rows, func(a, b []string) int { return strings.Compare(a[idCol], b[idCol]) })
	return merged, Write(path, t)
}
