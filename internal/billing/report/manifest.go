package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// maxManifestBytes bounds a manifest: the largest seen list 300 columns and
// a few dozen parts, well under a megabyte.
const maxManifestBytes = 16 << 20

// Manifest is what the input needs from a CUR or CUR 2.0 manifest.
type Manifest struct {
	// Version identifies this delivery of the report: the assemblyId of a
	// legacy CUR, the executionId of a CUR 2.0 export. Empty when the
	// manifest has neither; the caller then uses the manifest's ETag.
	Version string
	// Parts are the S3 keys of the data files, in the manifest's order.
	Parts []string
	// Bucket is the bucket the manifest names (parts given as s3://
	// URLs may name theirs).
	Bucket string
	// Period is the billing period's month, when given.
	Period Period
	// Format is contentType/compression or format as written, for checks
	// ("text/csv", "GZIP", "Parquet" ...).
	Format      string
	Compression string
	ReportName  string
}

type rawManifest struct {
	AssemblyID    string          `json:"assemblyId"`
	ExecutionID   string          `json:"executionId"`
	ReportKeys    []string        `json:"reportKeys"`
	DataFiles     []string        `json:"dataFiles"`
	Bucket        string          `json:"bucket"`
	ContentType   string          `json:"contentType"`
	Compression   string          `json:"compression"`
	Format        string          `json:"format"`
	ReportName    string          `json:"reportName"`
	ExportName    string          `json:"exportName"`
	BillingPeriod json.RawMessage `json:"billingPeriod"`
}

// ParseManifest reads a legacy CUR manifest (assemblyId, reportKeys,
// billingPeriod {start, end} as 20170801T000000.000Z) or a CUR 2.0 / Data
// Exports manifest (executionId, dataFiles as s3:// URLs, billingPeriod).
// Unknown fields, such as the column list, are ignored: the parts' own
// header rows are what the rows are keyed by.
func ParseManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("manifest larger than %d bytes", maxManifestBytes)
	}
	var raw rawManifest
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("manifest is not JSON: %w", err)
	}
	m := &Manifest{
		Version: raw.AssemblyID, Bucket: raw.Bucket, Format: raw.ContentType, Compression: raw.Compression,
		ReportName: raw.ReportName,
	}
	if m.Version == "" {
		m.Version = raw.ExecutionID
	}
	if m.Format == "" {
		m.Format = raw.Format
	}
	if m.ReportName == "" {
		m.ReportName = raw.ExportName
	}
	m.Period = parseBillingPeriod(raw.BillingPeriod)
	for _, k := range append(raw.ReportKeys, raw.DataFiles...) {
		key, bucket, err := partKey(k)
		if err != nil {
			return nil, err
		}
		if bucket != "" && m.Bucket == "" {
			m.Bucket = bucket
		}
		m.Parts = append(m.Parts, key)
	}
	if len(raw.ReportKeys) == 0 && len(raw.DataFiles) == 0 && raw.AssemblyID == "" && raw.ExecutionID == "" {
		return nil, errors.New("not a Cost and Usage Report manifest: no assemblyId, executionId, reportKeys or dataFiles")
	}
	if isParquet(m.Format) || isParquet(m.Compression) {
		return m, fmt.Errorf("the report is delivered as Parquet, which this input does not read; "+
			"create a report (or export) with CSV format and GZIP compression (format %q, compression %q)", m.Format, m.Compression)
	}
	return m, nil
}

func isParquet(s string) bool { return strings.Contains(strings.ToLower(s), "parquet") }

// partKey turns a reportKeys entry (a key) or a dataFiles entry (an s3://
// URL or a key) into a key and, for URLs, a bucket.
func partKey(s string) (key, bucket string, err error) {
	if !strings.HasPrefix(s, "s3://") {
		return strings.TrimPrefix(s, "/"), "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("manifest lists a data file that is not an s3:// URL: %q", s)
	}
	return strings.TrimPrefix(u.Path, "/"), u.Host, nil
}

// parseBillingPeriod reads {"start": "..."} in either manifest form.
func parseBillingPeriod(raw json.RawMessage) Period {
	var bp struct {
		Start string `json:"start"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &bp) != nil {
		return Period{}
	}
	if t, ok := ParseTime([]byte(bp.Start)); ok {
		return PeriodOf(t)
	}
	return Period{}
}
