package appcontent

import (
	"slices"
	"testing"
)

// TestSPLReader keeps the reader honest: what it must find in searches of
// the shapes the app uses.
func TestSPLReader(t *testing.T) {
	macros := map[string]macro{
		"idx":    {definition: "index=main"},
		"st(1)":  {definition: "`idx` sourcetype=$s$", args: []string{"s"}},
		"nested": {definition: "`st(aws:cloudtrail)` [search `idx` sourcetype=aws:billing:version | stats latest(billing_version) AS billing_version by report_key | fields billing_version]"},
	}
	for _, tt := range []struct {
		search            string
		sourcetypes, refs []string
		defs              []string
	}{
		{"`st(aws:cloudtrail)` userIdentity.type=Root NOT eventType=AwsServiceEvent | stats count max(_time) AS last values(src) AS src by user aws_account_id | convert ctime(last)",
			[]string{"aws:cloudtrail"}, []string{"_time", "aws_account_id", "eventType", "last", "src", "user", "userIdentity.type"}, []string{"count", "last", "src"}},
		{"`nested` eventName IN (A, B) | eval x=round(amount * 100, 2), y=if(isnull('a.b'), \"n\", c) | where x > 1 AND z=\"true\" | table x y | sort - x",
			[]string{"aws:billing:version", "aws:cloudtrail"}, []string{"a.b", "amount", "billing_version", "c", "eventName", "report_key", "x", "y", "z"}, []string{"billing_version", "x", "y"}},
		{"sourcetype=aws:ec2:usage | timechart span=1h limit=10 dc(instanceid) AS running by instancetype | rename running AS r",
			[]string{"aws:ec2:usage"}, []string{"instanceid", "instancetype", "running"}, []string{"r", "running"}},
		{"| inputlookup aws_ingest_subaccounts | lookup aws_ingest_account_names accountId AS subaccountid OUTPUT accountName AS name",
			nil, []string{"subaccountid"}, []string{"name"}},
	} {
		expanded, err := expandMacros(tt.search, macros)
		if err != nil {
			t.Fatal(err)
		}
		u := newUse()
		if err := analyze(expanded, u); err != nil {
			t.Fatalf("%s: %v", tt.search, err)
		}
		if got := keys(u.sourcetypes); !slices.Equal(got, tt.sourcetypes) {
			t.Errorf("%s\nsourcetypes %v, want %v", tt.search, got, tt.sourcetypes)
		}
		if got := keys(u.refs); !slices.Equal(got, tt.refs) {
			t.Errorf("%s\nrefs %v, want %v", tt.search, got, tt.refs)
		}
		if got := keys(u.defs); !slices.Equal(got, tt.defs) {
			t.Errorf("%s\ndefs %v, want %v", tt.search, got, tt.defs)
		}
	}
	// Unknown commands are refused rather than skipped.
	if err := analyze("sourcetype=x | transaction user", newUse()); err == nil {
		t.Error("an unknown command was accepted")
	}
}
