package report

import (
	"bytes"
	"math"
	"strconv"
)

// Totals accumulates what a report version adds up to: rows, the sum of
// each cost column over line items (rows whose record type does not end in
// "Total", so that the InvoiceTotal, AccountTotal and StatementTotal rows of
// the legacy reports are not counted twice), and per account the sum of the
// first cost column plus, in the legacy reports, the AccountTotal row.
type Totals struct {
	Rows     int64
	Costs    []float64 // by Layout.Costs
	Accounts map[string]*Account
	// BadNumbers counts cost cells that are not numbers (left out of the
	// sums).
	BadNumbers int64

	Payer     string
	PayerName string
	Currency  string

	layout *Layout
	last   *Account // the previous row's account: rows come in runs
}

// Account is one linked (usage) account of a report.
type Account struct {
	ID       string
	Name     string // LinkedAccountName, line_item_usage_account_name, or from the AccountTotal description
	Currency string
	Cost     float64 // sum of the first cost column over the account's line items
	// Total is the amount of the account's AccountTotal row (monthly, cost
	// allocation and detailed billing reports), when HasTotal.
	Total    float64
	HasTotal bool
}

// Amount is what the account spent: its AccountTotal row when the report
// has one, else the sum of its line items.
func (a *Account) Amount() float64 {
	if a.HasTotal {
		return a.Total
	}
	return a.Cost
}

// NewTotals starts the totals of a report with layout l.
func NewTotals(l *Layout) *Totals {
	return &Totals{Costs: make([]float64, len(l.Costs)), Accounts: map[string]*Account{}, layout: l}
}

var totalSuffix = []byte("total")

// Add counts one data row.
func (t *Totals) Add(row [][]byte) {
	l := t.layout
	t.Rows++
	if t.Payer == "" {
		if p := field(row, l.Payer); len(p) > 0 {
			t.Payer = string(p)
		}
	}
	if t.PayerName == "" {
		if p := field(row, l.PayerName); len(p) > 0 {
			t.PayerName = string(p)
		}
	}
	if c := field(row, l.Currency); len(c) > 0 && string(c) != t.Currency {
		t.Currency = string(c)
	}
	rt := field(row, l.RecordType)
	isTotal := len(rt) >= len(totalSuffix) && bytes.EqualFold(rt[len(rt)-len(totalSuffix):], totalSuffix)
	acct := t.account(field(row, l.Account))
	if acct != nil {
		if acct.Name == "" {
			if n := field(row, l.AccountName); len(n) > 0 {
				acct.Name = string(n)
			}
		}
		if c := field(row, l.Currency); len(c) > 0 && acct.Currency == "" {
			acct.Currency = string(c)
		}
	}
	if isTotal {
		if acct != nil && bytes.EqualFold(rt, []byte("AccountTotal")) && len(l.Costs) > 0 {
			if v, ok := t.number(field(row, l.Costs[0])); ok {
				acct.Total, acct.HasTotal = v, true
			}
		}
		return
	}
	for i, col := range l.Costs {
		v, ok := t.number(field(row, col))
		if !ok {
			continue
		}
		t.Costs[i] += v
		if i == 0 && acct != nil {
			acct.Cost += v
		}
	}
}

func (t *Totals) account(id []byte) *Account {
	if len(id) == 0 {
		return nil
	}
	if t.last != nil && t.last.ID == string(id) {
		return t.last
	}
	a, ok := t.Accounts[string(id)]
	if !ok {
		a = &Account{ID: string(id)}
		t.Accounts[a.ID] = a
	}
	t.last = a
	return a
}

func (t *Totals) number(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if v, ok := parseDecimal(b); ok {
		return v, true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		t.BadNumbers++
		return 0, false
	}
	return v, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal reads the common [-]digits[.digits] costs exactly and fast:
// a mantissa below 2^53 divided by a power of ten up to 1e22 is correctly
// rounded (Clinger's fast path, as strconv uses it). Anything else
// (exponents, long mantissas) is left to strconv.ParseFloat.
func parseDecimal(b []byte) (float64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var mant uint64
	digits, frac := 0, -1
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0:
			frac = i
		default:
			return 0, false
		}
	}
	if digits == 0 || mant >= 1<<53 {
		return 0, false
	}
	exp := 0
	if frac >= 0 {
		exp = len(b) - frac - 1
	}
	if exp >= len(pow10) {
		return 0, false
	}
	v := float64(mant) / pow10[exp]
	if neg {
		v = -v
	}
	return v, true
}
