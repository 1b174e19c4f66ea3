package billing

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// SummarySourcetype is the sourcetype of the per-account spending events
// (get_bill.py's events).
const SummarySourcetype = "aws:billing:summary"

// Lookup file names in lookup_dir.
const (
	SubaccountsFile  = "subaccounts.csv"
	AccountNamesFile = "accountNames.csv"
)

// SubaccountsHeader is the header of subaccounts.csv: the summary's fields,
// one row per linked account of each payer.
var SubaccountsHeader = []string{"masteraccount", "subaccountid", "subaccount", "mlimit", "dlimit", "amount", "mprojection", "currency", "billing_period", "as_of"}

// summaryPreference orders the reports a month's summary is taken from: the
// monthly report, as get_bill.py did, then the others for payers that no
// longer receive it.
var summaryPreference = []report.Kind{report.Monthly, report.CostAllocation, report.DBR, report.CUR2, report.CUR}

// summaryEvent keeps get_bill.py's field names, so the legacy dashboards'
// searches (stats sum(amount), values(mprojection) by subaccount ...) keep
// working.
type summaryEvent struct {
	Master       string   `json:"masteraccount"`
	ID           string   `json:"subaccountid"`
	Name         string   `json:"subaccount"`
	Amount       float64  `json:"amount"`
	Projection   float64  `json:"mprojection"`
	Limit        *float64 `json:"mlimit,omitempty"`
	DayLimit     *float64 `json:"dlimit,omitempty"`
	Currency     string   `json:"currency,omitempty"`
	Period       string   `json:"billing_period"`
	Over         bool     `json:"over_limit"`
	ProjOver     bool     `json:"projected_over_limit"`
	AsOf         string   `json:"as_of,omitempty"`
	Type         string   `json:"billing_type"`
	Report       string   `json:"report_key"`
	DayOfMonth   int      `json:"day_of_month"`
	DaysInPeriod int      `json:"days_in_month"`
}

// summarize writes, for the current month, one aws:billing:summary event
// per linked account, replaces this payer's rows of subaccounts.csv, and
// merges account names into accountNames.csv.
func (c *Collector) summarize(ctx context.Context, cp *checkpoint, em *emitter, current report.Period) error {
	names, err := c.accountNames(cp)
	if err != nil {
		return err
	}
	sources := summarySources(cp, current)
	if len(sources) == 0 {
		c.Log.Info("no report of the current month has account totals yet: no summary events this run", "month", current.String())
		return nil
	}
	now := c.Now().UTC()
	day, days := now.Day(), current.Days()
	var rows [][]string
	var payers []string
	for _, id := range sources {
		st := cp.Reports[id]
		master := cmp.Or(st.Payer, c.Payer)
		payers = append(payers, master)
		for _, a := range st.Accounts {
			ev := summaryEvent{
				Master: master, ID: a.ID, Name: cmp.Or(names[a.ID], a.Name, a.ID),
				Amount: round(a.Amount, 2), Projection: round(a.Amount*float64(days)/float64(day), 2),
				Currency: a.Currency, Period: current.String(), Type: string(st.Kind), Report: id,
				DayOfMonth: day, DaysInPeriod: days,
			}
			if !st.LastModified.IsZero() {
				ev.AsOf = st.LastModified.UTC().Format(time.RFC3339)
			}
			if acct, ok := c.account(a.ID); ok && acct.HasLimit {
				limit := acct.MonthlyLimit
				dlimit := round(limit*float64(day)/float64(days), 2)
				ev.Limit, ev.DayLimit = &limit, &dlimit
				ev.Over, ev.ProjOver = ev.Amount > limit, ev.Projection > limit
			}
			data, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			if err := em.add(ctx, modinput.Event{Time: now, Stanza: c.Stanza, Source: id, Sourcetype: SummarySourcetype},
				func(b []byte) []byte { return append(b, data...) }); err != nil {
				return err
			}
			rows = append(rows, []string{master, a.ID, ev.Name, optNumber(ev.Limit), optNumber(ev.DayLimit),
				number(ev.Amount), number(ev.Projection), a.Currency, ev.Period, ev.AsOf})
		}
	}
	if err := em.sync(ctx); err != nil {
		return err
	}
	if c.LookupDir == "" {
		return nil
	}
	return writeSubaccounts(filepath.Join(c.LookupDir, SubaccountsFile), payers, rows)
}

// summarySources returns, per payer, the current month's report that the
// summary is taken from.
func summarySources(cp *checkpoint, current report.Period) []string {
	best := map[string]string{} // payer → report id
	rank := func(k report.Kind) int { return slices.Index(summaryPreference, k) }
	for id, st := range cp.Reports {
		if st.Period != current.String() || st.Version == "" || len(st.Accounts) == 0 || rank(st.Kind) < 0 {
			continue
		}
		if b, ok := best[st.Payer]; !ok || rank(st.Kind) < rank(cp.Reports[b].Kind) || rank(st.Kind) == rank(cp.Reports[b].Kind) && id < b {
			best[st.Payer] = id
		}
	}
	ids := make([]string, 0, len(best))
	for _, id := range best {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (c *Collector) account(id string) (awsconf.Account, bool) {
	for _, a := range c.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return awsconf.Account{}, false
}

// accountNames merges the names aws.conf and the reports know into
// accountNames.csv (never dropping or renaming a row a person wrote) and
// returns every id → name. Names from aws.conf win over the reports'.
func (c *Collector) accountNames(cp *checkpoint) (map[string]string, error) {
	names := map[string]string{}
	for _, st := range cp.Reports {
		for _, a := range st.Accounts {
			if a.Name != "" {
				names[a.ID] = a.Name
			}
		}
		if st.Payer != "" && st.PayerName != "" {
			names[st.Payer] = st.PayerName
		}
	}
	for _, a := range c.Accounts {
		if a.Name != "" {
			names[a.ID] = a.Name
		}
	}
	if c.LookupDir == "" {
		return names, nil
	}
	merged, err := lookup.MergeAccountNames(filepath.Join(c.LookupDir, AccountNamesFile), names)
	if err != nil {
		return nil, fmt.Errorf("%w; the summary events and lookups are left as they were", err)
	}
	return merged, nil
}

// writeSubaccounts replaces the rows of payers in subaccounts.csv, keeping
// those of other payers (another stanza's).
func writeSubaccounts(path string, payers []string, rows [][]string) error {
	old, err := lookup.Read(path)
	if err != nil {
		return err
	}
	t := lookup.Table{Header: SubaccountsHeader}
	if slices.Equal(old.Header, SubaccountsHeader) {
		for _, r := range old.Rows {
			if !slices.Contains(payers, r[0]) {
				t.Rows = append(t.Rows, r)
			}
		}
	}
	t.Rows = append(t.Rows, rows...)
	slices.SortStableFunc(t.Rows, func(a, b []string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) })
	return lookup.Write(path, t)
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func optNumber(v *float64) string {
	if v == nil {
		return ""
	}
	return number(*v)
}
