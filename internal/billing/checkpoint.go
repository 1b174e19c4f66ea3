package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/atomicfile"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
)

const checkpointFormat = 1

// checkpoint is what the input remembers between runs, in one JSON file per
// stanza in checkpoint_dir, replaced atomically.
type checkpoint struct {
	Format  int                     `json:"format"`
	Reports map[string]*reportState `json:"reports"` // by report id: s3://bucket/key of the object or manifest

	path string
}

// reportState is one report (one month of one report type).
type reportState struct {
	Kind   report.Kind `json:"kind"`
	Period string      `json:"period"`
	// ETag is the S3 ETag of the object (legacy reports) or of the manifest
	// (CUR, CUR 2.0) when Version was ingested.
	ETag string `json:"etag"`
	// Version is the billing_version last ingested completely: the ETag
	// of a legacy report, the assemblyId or executionId of a manifest.
	Version      string    `json:"version,omitempty"`
	Rows         int64     `json:"rows,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
	Ingested     time.Time `json:"ingested,omitzero"`
	// What the version added up to, for the summary events and lookups
	// of later runs that do not read the report again.
	Payer     string         `json:"payer,omitempty"`
	PayerName string         `json:"payer_name,omitempty"`
	Accounts  []accountState `json:"accounts,omitempty"`
	// Progress is an ingestion of a newer version that was interrupted;
	// the next run skips the rows it already sent.
	Progress *progress `json:"progress,omitempty"`
}

type accountState struct {
	ID       string  `json:"id"`
	Name     string  `json:"name,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Amount   float64 `json:"amount"`
}

// progress counts what an unfinished ingestion of Version has sent: every
// row of the parts before Part, and Rows rows of part Part.
type progress struct {
	Version string `json:"version"`
	Part    int    `json:"part"`
	Rows    int64  `json:"rows"`
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// stanzaFile names a stanza's file in checkpoint_dir: readable, and unique
// even when two stanza names differ only in characters that are replaced.
func stanzaFile(dir, stanza, suffix string) string {
	sum := sha256.Sum256([]byte(stanza))
	name := unsafeChars.ReplaceAllString(stanza, "_")
	if len(name) > 60 {
		name = name[:60]
	}
	return filepath.Join(dir, fmt.Sprintf("billing_%s_%s%s", name, hex.EncodeToString(sum[:4]), suffix))
}

// loadCheckpoint reads the stanza's checkpoint; a missing file is an empty
// one (first run). A damaged file is an error, not a reason to start over:
// starting over would ingest every report of the window again.
func loadCheckpoint(path string) (*checkpoint, error) {
	cp := &checkpoint{Format: checkpointFormat, Reports: map[string]*reportState{}, path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cp, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the checkpoint %s: %w", path, err)
	}
	if err := json.Unmarshal(data, cp); err != nil || cp.Format != checkpointFormat {
		if err == nil {
			err = fmt.Errorf("format %d, want %d", cp.Format, checkpointFormat)
		}
		return nil, fmt.Errorf("the checkpoint %s is damaged (%v); move it away to ingest the reports of the last months again "+
			"(searches use the latest version of each report, but the version the input was on would be counted twice)", path, err)
	}
	if cp.Reports == nil {
		cp.Reports = map[string]*reportState{}
	}
	return cp, nil
}

// save replaces the file atomically.
func (cp *checkpoint) save() error {
	return atomicfile.Write(cp.path, 0o600, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(cp)
	})
}

// prune forgets reports older than the oldest month kept in sync: they are
// never read again, and the file stays small.
func (cp *checkpoint) prune(oldest report.Period) {
	for _, id := range slices.Collect(maps.Keys(cp.Reports)) {
		p, ok := report.ParsePeriod(cp.Reports[id].Period)
		if ok && p.Before(oldest) {
			delete(cp.Reports, id)
		}
	}
}
