package report

import (
	"path"
	"regexp"
	"strings"
)

// Object is a report object recognised from its S3 key (or file name).
type Object struct {
	Kind   Kind
	Key    string
	Period Period
	// Payer is the payer account of the legacy reports (from the name).
	Payer string
	// Name is the report or export name of CUR and CUR 2.0 manifests.
	Name string
	// Variant tells the detailed billing reports apart: "" (plain),
	// "with-resources-and-tags" or "with-monitoring".
	Variant string
}

var (
	monthlyKey = regexp.MustCompile(`^(\d{12})-aws-billing-csv-(\d{4}-\d{2})\.csv$`)
	costKey    = regexp.MustCompile(`^(\d{12})-aws-cost-allocation-(\d{4}-\d{2})\.csv$`)
	// China-region DBRs insert an upper-case code before the month
	// (Netflix ice, Teevity/ice #295).
	dbrKey       = regexp.MustCompile(`^(\d{12})-aws-billing-detailed-line-items(?:-(with-resources-and-tags|with-monitoring))?-(?:[A-Z]+-)?(\d{4}-\d{2})\.csv(?:\.zip)?$`)
	curRange     = regexp.MustCompile(`^(\d{8})-\d{8}$`)
	cur2Period   = regexp.MustCompile(`^BILLING_PERIOD=(\d{4}-\d{2})$`)
	manifestName = "-Manifest.json"
)

// ClassifyKey recognises the S3 keys of the reports:
//
//	[prefix/]<payer>-aws-billing-csv-YYYY-MM.csv                                monthly
//	[prefix/]<payer>-aws-cost-allocation-YYYY-MM.csv                            cost allocation
//	[prefix/]<payer>-aws-billing-detailed-line-items[-<variant>]-YYYY-MM.csv.zip detailed billing
//	[prefix/]<name>/yyyymmdd-yyyymmdd/<name>-Manifest.json                       CUR (the current version's manifest)
//	[prefix/]<name>/metadata/BILLING_PERIOD=YYYY-MM/<name>-Manifest.json         CUR 2.0
//
// The per-version copies of a CUR manifest (under .../<assemblyId>/) and the
// data parts are not reports by themselves: the manifests list them.
func ClassifyKey(key string) (Object, bool) {
	dir, base := path.Split(key)
	if m := monthlyKey.FindStringSubmatch(base); m != nil {
		return legacyObject(Monthly, key, m[1], m[2], ""), true
	}
	if m := costKey.FindStringSubmatch(base); m != nil {
		return legacyObject(CostAllocation, key, m[1], m[2], ""), true
	}
	if m := dbrKey.FindStringSubmatch(base); m != nil {
		return legacyObject(DBR, key, m[1], m[3], m[2]), true
	}
	name, ok := strings.CutSuffix(base, manifestName)
	if !ok || name == "" {
		return Object{}, false
	}
	parent := path.Base(strings.TrimSuffix(dir, "/"))
	grand := path.Base(path.Dir(strings.TrimSuffix(dir, "/")))
	if m := curRange.FindStringSubmatch(parent); m != nil && grand == name {
		p, ok := ParsePeriod(m[1][:6])
		if !ok {
			return Object{}, false
		}
		return Object{Kind: CUR, Key: key, Period: p, Name: name}, true
	}
	if m := cur2Period.FindStringSubmatch(parent); m != nil && grand == "metadata" {
		export := path.Base(path.Dir(path.Dir(strings.TrimSuffix(dir, "/"))))
		if export != name {
			return Object{}, false
		}
		p, ok := ParsePeriod(m[1])
		if !ok {
			return Object{}, false
		}
		return Object{Kind: CUR2, Key: key, Period: p, Name: name}, true
	}
	return Object{}, false
}

func legacyObject(k Kind, key, payer, period, variant string) Object {
	p, _ := ParsePeriod(period)
	return Object{Kind: k, Key: key, Period: p, Payer: payer, Variant: variant}
}
