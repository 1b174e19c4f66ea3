// Package schemes holds the parameter table of each input: the single
// source of the scheme XML, README/inputs.conf.spec, default/inputs.conf and
// the checks run by --validate-arguments and at start-up.
package schemes

import "github.com/aws-ingest/aws-ingest/internal/params"

// All lists every scheme in the order the app's files document them.
func All() []*params.Table { return []*params.Table{CloudTrail, Billing, Inventory} }

// ByName returns the table of a scheme.
func ByName(name string) (*params.Table, bool) {
	for _, t := range All() {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}
