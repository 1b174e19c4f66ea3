package report

// Kind is a billing report format. Its values are the report_type choices
// of the aws_ingest_billing scheme (auto aside).
type Kind string

// The report formats; see the package documentation.
const (
	Monthly        Kind = "monthly"         // <payer>-aws-billing-csv-YYYY-MM.csv
	CostAllocation Kind = "cost_allocation" // <payer>-aws-cost-allocation-YYYY-MM.csv
	DBR            Kind = "dbr"             // <payer>-aws-billing-detailed-line-items[-with-resources-and-tags]-YYYY-MM.csv.zip
	CUR            Kind = "cur"             // legacy Cost and Usage Report: manifest + csv.gz/csv.zip parts
	CUR2           Kind = "cur2"            // CUR 2.0 (Data Exports): metadata manifest + data/*.csv.gz
)

// Kinds lists every format, in the order reports are ingested.
var Kinds = []Kind{Monthly, CostAllocation, DBR, CUR, CUR2}

// ParseKind returns the Kind named s.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Sourcetype is the Splunk sourcetype of the line items of the format.
func (k Kind) Sourcetype() string {
	switch k {
	case CUR:
		return "aws:billing:cur"
	case CUR2:
		return "aws:billing:cur2"
	default:
		return "aws:billing"
	}
}

// Manifested reports whether the format is delivered as a manifest that
// lists its parts (CUR, CUR2) rather than as one object.
func (k Kind) Manifested() bool { return k == CUR || k == CUR2 }
