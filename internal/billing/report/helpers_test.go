package report

import (
	"bytes"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
)

var testAccounts = []gen.Account{{ID: "111111111111", Name: "web"}, {ID: "222222222222", Name: "batch"}, {ID: "333333333333", Name: "data lake"}}

func genOptions(rows int) gen.Options {
	return gen.Options{Payer: "012345678901", PayerName: "Acme Payer", Month: Period{2026, 11}.Start(), Accounts: testAccounts,
		Rows: rows, Seed: 7, Tags: []string{"user:Name", "user:Team", "aws:createdBy"}}
}

// sampleDBR is a generated detailed billing report with resources and
// tags.
func sampleDBR(tb testing.TB, rows int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := gen.DBR(&buf, genOptions(rows), true, true); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
