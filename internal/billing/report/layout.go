package report

import (
	"fmt"
	"strings"
)

// Layout says where the columns that the input interprets are in a
// report's header. Every other column is passed through by name. Indexes
// are -1 when the report lacks the column.
type Layout struct {
	Kind   Kind
	Header []string

	Time        int // usage start: UsageStartDate, lineItem/UsageStartDate, line_item_usage_start_date
	PeriodStart int // billing period start (monthly, CUR, CUR2)
	Account     int // linked / usage account id
	AccountName int // linked / usage account name (monthly, cost allocation, CUR2)
	Payer       int
	PayerName   int
	RecordType  int // RecordType, lineItem/LineItemType, line_item_line_item_type
	Currency    int
	// Costs are the cost columns summed into a version's totals; Costs[0]
	// is the one per-account amounts are taken from (the unblended cost,
	// or TotalCost in the monthly reports).
	Costs []int

	// Maps are the CUR 2.0 map columns (product, resource_tags,
	// cost_category, discount), whose cells are JSON objects.
	Maps []int
}

// columns names the interpreted columns of each format, matched without
// regard to case. Each entry lists alternatives; the first present wins.
type columns struct {
	time, period, account, accountName, payer, payerName, recordType, currency []string
	costs                                                                      [][]string
	maps                                                                       []string
}

var (
	legacyMonthly = columns{
		time: []string{"UsageStartDate"}, period: []string{"BillingPeriodStartDate"},
		account: []string{"LinkedAccountId"}, accountName: []string{"LinkedAccountName"},
		payer: []string{"PayerAccountId"}, payerName: []string{"PayerAccountName"},
		recordType: []string{"RecordType"}, currency: []string{"CurrencyCode"},
		costs: [][]string{{"TotalCost"}, {"CostBeforeTax"}},
	}
	legacyDBR = columns{
		time: []string{"UsageStartDate"}, account: []string{"LinkedAccountId"},
		payer: []string{"PayerAccountId"}, recordType: []string{"RecordType"},
		// A consolidated DBR has Blended/UnBlended pairs, a single account's
		// has Rate/Cost.
		costs: [][]string{{"UnBlendedCost", "Cost"}, {"BlendedCost"}},
	}
	curColumns = columns{
		time: []string{"lineItem/UsageStartDate"}, period: []string{"bill/BillingPeriodStartDate"},
		account: []string{"lineItem/UsageAccountId"}, payer: []string{"bill/PayerAccountId"},
		recordType: []string{"lineItem/LineItemType"}, currency: []string{"lineItem/CurrencyCode"},
		costs: [][]string{{"lineItem/UnblendedCost"}, {"lineItem/BlendedCost"}, {"lineItem/NetUnblendedCost"}},
	}
	cur2Columns = columns{
		time: []string{"line_item_usage_start_date"}, period: []string{"bill_billing_period_start_date"},
		account: []string{"line_item_usage_account_id"}, accountName: []string{"line_item_usage_account_name"},
		payer: []string{"bill_payer_account_id"}, payerName: []string{"bill_payer_account_name"},
		recordType: []string{"line_item_line_item_type"}, currency: []string{"line_item_currency_code"},
		costs: [][]string{{"line_item_unblended_cost"}, {"line_item_blended_cost"}, {"line_item_net_unblended_cost"}},
		maps:  []string{"product", "resource_tags", "cost_category", "discount"},
	}
)

// DetectLayout recognises a report from its header row. Reports are told
// apart by their columns, not by file names, so that a renamed file or a
// month with new columns still parses:
//
//   - CUR 2.0: snake_case line_item_* / identity_* columns;
//   - legacy CUR: category/Name columns (identity/LineItemId, lineItem/...);
//   - monthly and cost allocation: RecordType, BillingPeriodStartDate and
//     TotalCost; cost allocation also has AvailabilityZone (and user:
//     tags);
//   - detailed billing (DBR, DBR with resources and tags): RecordType and
//     UsageStartDate without TotalCost.
func DetectLayout(header []string) (Layout, error) {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := idx[k]; !dup {
			idx[k] = i
		}
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := idx[strings.ToLower(n)]; !ok {
				return false
			}
		}
		return true
	}
	var kind Kind
	var cols columns
	switch {
	case has("line_item_usage_start_date") || has("identity_line_item_id") || has("line_item_unblended_cost"):
		kind, cols = CUR2, cur2Columns
	case has("lineItem/UsageStartDate") || has("identity/LineItemId") || has("lineItem/UnblendedCost"):
		kind, cols = CUR, curColumns
	case has("RecordType", "BillingPeriodStartDate", "TotalCost"):
		kind, cols = Monthly, legacyMonthly
		if has("AvailabilityZone") || hasPrefix(header, "user:") {
			kind = CostAllocation
		}
	case has("RecordType", "UsageStartDate"):
		kind, cols = DBR, legacyDBR
	default:
		return Layout{}, fmt.Errorf("the header is not that of a known billing report (monthly, cost allocation, detailed billing, CUR, CUR 2.0); it starts %s", headStart(header))
	}
	find := func(alts []string) int {
		for _, a := range alts {
			if i, ok := idx[strings.ToLower(a)]; ok {
				return i
			}
		}
		return -1
	}
	l := Layout{
		Kind: kind, Header: header,
		Time: find(cols.time), PeriodStart: find(cols.period),
		Account: find(cols.account), AccountName: find(cols.accountName),
		Payer: find(cols.payer), PayerName: find(cols.payerName),
		RecordType: find(cols.recordType), Currency: find(cols.currency),
	}
	for _, alts := range cols.costs {
		if i := find(alts); i >= 0 {
			l.Costs = append(l.Costs, i)
		}
	}
	for _, m := range cols.maps {
		if i := find([]string{m}); i >= 0 {
			l.Maps = append(l.Maps, i)
		}
	}
	return l, nil
}

func hasPrefix(header []string, prefix string) bool {
	for _, h := range header {
		if strings.HasPrefix(h, prefix) {
			return true
		}
	}
	return false
}

// headStart quotes the first columns of a header for messages.
func headStart(header []string) string {
	const n = 4
	if len(header) > n {
		return fmt.Sprintf("%q...", header[:n])
	}
	return fmt.Sprintf("%q", header)
}

// CostName returns the header name of Costs[i].
func (l *Layout) CostName(i int) string { return l.Header[l.Costs[i]] }

// field returns the cell of column i, or nil.
func field(fields [][]byte, i int) []byte {
	if i < 0 || i >= len(fields) {
		return nil
	}
	return fields[i]
}
