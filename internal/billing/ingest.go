package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// VersionSourcetype is the sourcetype of the event that closes each
// ingested report version.
const VersionSourcetype = "aws:billing:version"

// version is one version of one report, to be ingested whole.
type version struct {
	Kind         report.Kind   // from the key or file name; "" when unknown
	ReportID     string        // report_key: s3://bucket/key of the object or manifest, or the file
	Period       report.Period // zero: taken from the first dated row
	ID           string        // billing_version: ETag, assemblyId or executionId
	Previous     string        // the version ingested before, if any
	LastModified time.Time
	Parts        []partSource
}

// partSource is one object or file of a version.
type partSource struct {
	Name string // the events' source: s3://bucket/key or the file path
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// ingester sends the rows of report versions as events.
type ingester struct {
	stanza   string
	spoolDir string
	em       *emitter
	log      *slog.Logger
	now      func() time.Time
	// every is how often the progress of a long ingestion is recorded
	// with onProgress (after the events are synced); nil onProgress
	// records nothing (replay).
	every      time.Duration
	onProgress func(progress) error
}

// result is what a version added up to.
type result struct {
	Kind      report.Kind
	Period    report.Period
	Rows      int64 // data rows of the version
	Sent      int64 // rows sent by this run (fewer after a resume)
	Costs     []namedSum
	Accounts  map[string]*report.Account
	Payer     string
	PayerName string
	Currency  string
	Bad       int64
}

type namedSum struct {
	Name string
	Sum  float64
}

func (r *result) merge(t *report.Totals, l *report.Layout) {
	r.Rows += t.Rows
	r.Bad += t.BadNumbers
	for i, sum := range t.Costs {
		name := l.CostName(i)
		j := slices.IndexFunc(r.Costs, func(c namedSum) bool { return c.Name == name })
		if j < 0 {
			r.Costs = append(r.Costs, namedSum{Name: name})
			j = len(r.Costs) - 1
		}
		r.Costs[j].Sum += sum
	}
	for id, a := range t.Accounts {
		m, ok := r.Accounts[id]
		if !ok {
			m = &report.Account{ID: id}
			r.Accounts[id] = m
		}
		m.Cost += a.Cost
		if a.HasTotal {
			m.Total += a.Total
			m.HasTotal = true
		}
		if m.Name == "" {
			m.Name = a.Name
		}
		if m.Currency == "" {
			m.Currency = a.Currency
		}
	}
	r.Payer = firstSet(r.Payer, t.Payer)
	r.PayerName = firstSet(r.PayerName, t.PayerName)
	r.Currency = firstSet(r.Currency, t.Currency)
}

func firstSet(have, next string) string {
	if have != "" {
		return have
	}
	return next
}

// errStopped wraps the context's error when a run is stopped during an
// ingestion (after its progress was recorded).
var errStopped = errors.New("stopped")

// run sends every row of v, then the version event, and syncs. With resume
// (an interrupted ingestion of the same version) the rows already sent are
// read again, for the totals, but not sent.
func (in *ingester) run(ctx context.Context, v *version, resume *progress) (*result, error) {
	if resume != nil && resume.Version != v.ID {
		resume = nil
	}
	res := &result{Kind: v.Kind, Period: v.Period, Accounts: map[string]*report.Account{}}
	var (
		part     int
		partRows int64
		lastSave = in.now()
	)
	record := func(sync func(context.Context) error) error {
		if in.onProgress == nil {
			return nil
		}
		if err := sync(ctx); err != nil {
			return err
		}
		p := progress{Version: v.ID, Part: part, Rows: partRows}
		if resume != nil && (part < resume.Part || part == resume.Part && partRows < resume.Rows) {
			p = *resume // still re-reading what an earlier run sent
		}
		return in.onProgress(p)
	}
	stopped := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		// Stopped by splunkd: confirm what was written and record it, so
		// the next run goes on from there instead of sending it again.
		if rerr := record(in.em.finalSync); rerr != nil {
			in.log.Warn("could not record how far the report was ingested; the next run sends its rows again", "report", v.ReportID, "err", rerr)
		}
		return fmt.Errorf("%w: %w", errStopped, ctx.Err())
	}
	for part = range v.Parts {
		p := v.Parts[part]
		partRows = 0
		var skip int64
		switch {
		case resume != nil && part < resume.Part:
			skip = math.MaxInt64
		case resume != nil && part == resume.Part:
			skip = resume.Rows
		}
		body, err := p.Open(ctx)
		if err != nil {
			return res, stopped(err)
		}
		err = eachCSV(ctx, p.Name, body, in.spoolDir, func(member string, r io.Reader) error {
			where := p.Name
			if member != "" {
				where += " (zip member " + member + ")"
			}
			rd, err := report.NewReader(r)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			l := rd.Layout()
			if v.Kind != "" && family(l.Kind) != family(v.Kind) {
				in.log.Warn("the report's columns are not those its name says; reading it by its columns", "source", where, "name_says", v.Kind, "columns_say", l.Kind)
			}
			if res.Kind == "" || family(res.Kind) != family(l.Kind) {
				res.Kind = l.Kind
			}
			enc := report.NewEncoder(l, "billing_version", v.ID)
			tot := report.NewTotals(l)
			ev := modinput.Event{Stanza: in.stanza, Source: p.Name, Sourcetype: l.Kind.Sourcetype()}
			for {
				row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					if ctx.Err() != nil {
						return err
					}
					return fmt.Errorf("%s: %w", where, err)
				}
				tot.Add(row)
				partRows++
				if partRows <= skip {
					continue
				}
				t, ok := rd.Time(row)
				if ok && res.Period.IsZero() {
					res.Period = report.PeriodOf(t)
				}
				if !ok {
					t = time.Time{} // no period known: splunkd picks the time
					if !res.Period.IsZero() {
						t = res.Period.Start() // total rows: the billing period
					}
				}
				ev.Time = t
				if err := in.em.add(ctx, ev, func(b []byte) []byte { return enc.Append(b, row) }); err != nil {
					return err
				}
				res.Sent++
				if res.Sent&1023 == 0 && in.onProgress != nil && in.now().Sub(lastSave) >= in.every {
					if err := record(in.em.sync); err != nil {
						return err
					}
					lastSave = in.now()
				}
			}
			res.merge(tot, l)
			return nil
		})
		body.Close()
		if err != nil {
			return res, stopped(err)
		}
	}
	if err := in.em.add(ctx, modinput.Event{Time: in.now(), Stanza: in.stanza, Source: v.ReportID, Sourcetype: VersionSourcetype},
		func(b []byte) []byte { return appendVersionEvent(b, v, res) }); err != nil {
		return res, stopped(err)
	}
	if err := in.em.sync(ctx); err != nil {
		return res, stopped(err)
	}
	return res, nil
}

// family groups the formats whose names and columns may disagree without
// harm (a monthly report read as cost allocation).
func family(k report.Kind) string {
	switch k {
	case report.CUR, report.CUR2:
		return string(k)
	default:
		return "legacy"
	}
}

// versionEvent is the aws:billing:version event: it closes a version, so
// searches can tell a complete version from one still being sent, and pick
// the latest version of each report (see the app's README).
type versionEvent struct {
	Version      string             `json:"billing_version"`
	Type         report.Kind        `json:"billing_type"`
	Period       string             `json:"billing_period"`
	Report       string             `json:"report_key"`
	Previous     string             `json:"previous_version,omitempty"`
	Rows         int64              `json:"rows"`
	Sent         int64              `json:"rows_sent"`
	Parts        int                `json:"parts"`
	LastModified string             `json:"last_modified,omitempty"`
	Payer        string             `json:"payer_account_id,omitempty"`
	Currency     string             `json:"currency,omitempty"`
	Totals       map[string]float64 `json:"totals"`
	BadNumbers   int64              `json:"unparsed_costs,omitempty"`
	Accounts     []versionAccount   `json:"accounts,omitempty"`
}

type versionAccount struct {
	ID     string  `json:"id"`
	Name   string  `json:"name,omitempty"`
	Cost   float64 `json:"cost"`
	Amount float64 `json:"amount"`
}

func appendVersionEvent(b []byte, v *version, res *result) []byte {
	e := versionEvent{
		Version: v.ID, Type: res.Kind, Period: res.Period.String(), Report: v.ReportID, Previous: v.Previous,
		Rows: res.Rows, Sent: res.Sent, Parts: len(v.Parts), Payer: res.Payer, Currency: res.Currency,
		Totals: map[string]float64{}, BadNumbers: res.Bad,
	}
	if !v.LastModified.IsZero() {
		e.LastModified = v.LastModified.UTC().Format(time.RFC3339)
	}
	for _, c := range res.Costs {
		e.Totals[c.Name] = round(c.Sum, 10)
	}
	for _, a := range sortedAccounts(res.Accounts) {
		e.Accounts = append(e.Accounts, versionAccount{ID: a.ID, Name: a.Name, Cost: round(a.Cost, 10), Amount: round(a.Amount(), 10)})
	}
	data, err := json.Marshal(e)
	if err != nil { // cannot happen: plain strings and finite numbers
		panic(err)
	}
	return append(b, data...)
}

func sortedAccounts(m map[string]*report.Account) []*report.Account {
	out := make([]*report.Account, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *report.Account) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func round(v float64, places int) float64 {
	p := math.Pow10(places)
	r := math.Round(v*p) / p
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return v
	}
	return r
}
