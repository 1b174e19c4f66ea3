package billing

import (
	"time"

	"github.com/aws-ingest/aws-ingest/internal/billing/gen"
)

var testAccounts = []gen.Account{{ID: "111111111111", Name: "web"}, {ID: "222222222222", Name: "batch"}, {ID: "333333333333", Name: "data lake"}}

func testGenOptions(rows int) gen.Options {
	return gen.Options{Payer: "012345678901", PayerName: "Acme Payer", Month: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Accounts: testAccounts, Rows: rows, Seed: 7, Tags: []string{"user:Name", "user:Team", "aws:createdBy"}}
}
