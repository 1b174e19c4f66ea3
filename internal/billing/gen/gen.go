package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Account is a linked account of a generated report.
type Account struct{ ID, Name string }

// Options shape a generated report.
type Options struct {
	Payer     string // 12 digits
	PayerName string
	Month     time.Time // first instant of the billing month, UTC
	Accounts  []Account // linked accounts; rows are spread over them
	Rows      int       // line items (total rows come on top)
	Seed      uint64
	Tags      []string // tag columns, e.g. "user:Name"
	// Bytes, when set, replaces Rows: line items are written until about
	// this many bytes.
	Bytes int64
	// Version changes some amounts, as a rewrite by AWS would.
	Version int
}

// Want is what a generated report adds up to.
type Want struct {
	Rows     int // data rows including total rows
	Items    int // line items
	Accounts map[string]float64
	Total    float64 // sum of the first cost column over line items
}

type writer struct {
	w   *bufio.Writer
	rng *rand.Rand
	buf []byte
}

func newWriter(w io.Writer, seed uint64) *writer {
	return &writer{w: bufio.NewWriterSize(w, 256<<10), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// row writes cells, quoting each non-empty one and, like AWS, leaving empty
// cells either quoted ("") or bare.
func (g *writer) row(cells []string, bareEmpty bool) {
	b := g.buf[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		if c == "" && bareEmpty {
			continue
		}
		b = append(b, '"')
		b = append(b, strings.ReplaceAll(c, `"`, `""`)...)
		b = append(b, '"')
	}
	b = append(b, '\n')
	g.buf = b
	g.w.Write(b)
}

func (g *writer) header(cols []string) {
	g.w.WriteString(strings.Join(cols, ","))
	g.w.WriteString("\n")
}

func money(v float64) string { return strconv.FormatFloat(v, 'f', 8, 64) }

var products = []struct{ name, usage, op, desc string }{
	{"Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "RunInstances", "$0.096 per On Demand Linux m5.large Instance Hour"},
	{"Amazon Simple Storage Service", "Requests-Tier1", "PutObject", "$0.005 per 1,000 PUT, COPY, POST, or LIST requests"},
	{"Amazon Elastic Compute Cloud", "DataTransfer-Out-Bytes", "RunInstances", "$0.090 per GB - first 10 TB / month data transfer out"},
	{"Amazon Simple Queue Service", "Requests-Tier1", "ReceiveMessage", "First 1,000,000 Amazon SQS Requests per month are free"},
	{"Amazon Relational Database Service", "InstanceUsage:db.t3.medium", "CreateDBInstance:0002", `$0.068 per RDS db.t3.medium instance hour (or partial hour) running MySQL, "Single-AZ"`},
}

var zones = []string{"us-east-1a", "us-east-1b", "", "eu-west-1c"}

// DBRHeader is the header of a detailed billing report. consolidated picks
// Blended/UnBlended columns over Rate/Cost; resources adds ResourceId and
// the tag columns.
func DBRHeader(consolidated, resources bool, tags []string) []string {
	h := []string{"InvoiceID", "PayerAccountId", "LinkedAccountId", "RecordType", "RecordId", "ProductName", "RateId",
		"SubscriptionId", "PricingPlanId", "UsageType", "Operation", "AvailabilityZone", "ReservedInstance",
		"ItemDescription", "UsageStartDate", "UsageEndDate", "UsageQuantity"}
	if consolidated {
		h = append(h, "BlendedRate", "BlendedCost", "UnBlendedRate", "UnBlendedCost")
	} else {
		h = append(h, "Rate", "Cost")
	}
	if resources {
		h = append(h, "ResourceId")
		h = append(h, tags...)
	}
	return h
}

// DBR writes a detailed billing report CSV (uncompressed): line items over
// the month's hours, then a rounding row, the invoice total, one
// AccountTotal per account and the statement total.
func DBR(w io.Writer, o Options, consolidated, resources bool) (Want, error) {
	g := newWriter(w, o.Seed)
	h := DBRHeader(consolidated, resources, o.Tags)
	g.header(h)
	want := Want{Accounts: map[string]float64{}}
	start := o.Month
	hours := days(o.Month) * 24
	cells := make([]string, len(h))
	var written int64
	invoice := "Estimated"
	if o.Version > 0 {
		invoice = strconv.Itoa(81400000 + o.Version)
	}
	for i := 0; o.Bytes > 0 && written < o.Bytes || o.Bytes == 0 && i < o.Rows; i++ {
		a := o.Accounts[i%len(o.Accounts)]
		p := products[g.rng.IntN(len(products))]
		t := start.Add(time.Duration((i/len(o.Accounts))%hours) * time.Hour)
		qty := float64(g.rng.IntN(100000)) / 1000
		rate := 0.005 + float64(g.rng.IntN(1000))/10000
		cost := round8(qty * rate * (1 + float64(o.Version)/10))
		cells = cells[:0]
		cells = append(cells, invoice, o.Payer, a.ID, "LineItem", strconv.FormatUint(25470304986286315+uint64(i), 10)+"974946822",
			p.name, strconv.Itoa(2435338+i%97), "38800708", "455297", p.usage, p.op, zones[i%len(zones)], "N", p.desc,
			t.Format("2006-01-02 15:04:05"), t.Add(time.Hour).Format("2006-01-02 15:04:05"), money(qty))
		if consolidated {
			cells = append(cells, strconv.FormatFloat(rate, 'f', 10, 64), money(cost), strconv.FormatFloat(rate, 'f', 10, 64), money(cost))
		} else {
			cells = append(cells, strconv.FormatFloat(rate, 'f', 10, 64), money(cost))
		}
		if resources {
			cells = append(cells, fmt.Sprintf("i-%08x%d", g.rng.Uint32(), i%10))
			for j := range o.Tags {
				if (i+j)%3 == 0 {
					cells = append(cells, "")
				} else {
					cells = append(cells, fmt.Sprintf("team-%d", (i+j)%7))
				}
			}
		}
		g.row(cells, true)
		written += int64(len(g.buf))
		want.Items++
		want.Accounts[a.ID] += mustParse(money(cost))
		want.Total += mustParse(money(cost))
	}
	// Total rows, as the real report ends.
	blank := func() []string { return make([]string, len(h)) }
	costCol := len(h) - 1
	if resources {
		costCol = len(h) - 2 - len(o.Tags)
	}
	set := func(r []string, cost string) {
		r[costCol] = cost
		if consolidated {
			r[costCol-2] = cost
		}
	}
	r := blank()
	r[0], r[1], r[3], r[13] = invoice, o.Payer, "Rounding", "This line contains rounding error due to the consolidated billing and hourly line item calculation processes."
	set(r, "0.00000000")
	g.row(r, false)
	r = blank()
	r[0], r[1], r[3], r[13] = invoice, o.Payer, "InvoiceTotal", "Total amount for invoice "+invoice
	set(r, money(want.Total))
	g.row(r, false)
	for _, a := range o.Accounts {
		r = blank()
		r[1], r[2], r[3], r[13] = o.Payer, a.ID, "AccountTotal", "Total for linked account# "+a.ID
		set(r, money(want.Accounts[a.ID]))
		g.row(r, false)
	}
	r = blank()
	end := start.AddDate(0, 1, 0).Add(-time.Second)
	r[1], r[3], r[13] = o.Payer, "StatementTotal", "Total statement amount for period "+start.Format("2006-01-02 15:04:05")+" - "+end.Format("2006-01-02 15:04:05")
	set(r, money(want.Total))
	g.row(r, false)
	want.Rows = want.Items + 3 + len(o.Accounts)
	return want, g.w.Flush()
}

// MonthlyHeader is the header of the monthly report, or of the cost
// allocation report (AvailabilityZone and tag columns added).
func MonthlyHeader(costAllocation bool, tags []string) []string {
	h := []string{"InvoiceID", "PayerAccountId", "LinkedAccountId", "RecordType", "RecordID", "BillingPeriodStartDate",
		"BillingPeriodEndDate", "InvoiceDate", "PayerAccountName", "LinkedAccountName", "TaxationAddress", "PayerPONumber",
		"ProductCode", "ProductName", "SellerOfRecord", "UsageType", "Operation"}
	if costAllocation {
		h = append(h, "AvailabilityZone")
	}
	h = append(h, "RateId", "ItemDescription", "UsageStartDate", "UsageEndDate", "UsageQuantity", "BlendedRate",
		"CurrencyCode", "CostBeforeTax", "Credits", "TaxAmount", "TaxType", "TotalCost")
	if costAllocation {
		h = append(h, tags...)
	}
	return h
}

// TagsNote is the first line of the cost allocation report.
const TagsNote = `"Don't see your tags in the report? New tags are excluded by default - go to https://console.aws.amazon.com/billing/home#/preferences/tags to update your cost allocation keys."`

// Monthly writes a monthly report (or, with costAllocation, a cost
// allocation report with its note line): LinkedLineItem rows, one
// AccountTotal per account and the InvoiceTotal, dates as YYYY/MM/DD.
func Monthly(w io.Writer, o Options, costAllocation bool) (Want, error) {
	g := newWriter(w, o.Seed)
	if costAllocation {
		g.w.WriteString(TagsNote + "\n")
	}
	h := MonthlyHeader(costAllocation, o.Tags)
	g.header(h)
	col := map[string]int{}
	for i, c := range h {
		col[c] = i
	}
	want := Want{Accounts: map[string]float64{}}
	start := o.Month
	end := start.AddDate(0, 1, 0).Add(-time.Second)
	const df = "2006/01/02 15:04:05"
	for i := 0; i < o.Rows; i++ {
		a := o.Accounts[i%len(o.Accounts)]
		p := products[i%len(products)]
		cost := round6(float64(1+g.rng.IntN(100000))/100*(1+float64(o.Version)/10)) + float64(i%len(o.Accounts))
		r := make([]string, len(h))
		r[col["InvoiceID"]], r[col["PayerAccountId"]], r[col["LinkedAccountId"]] = "Estimated", o.Payer, a.ID
		r[col["RecordType"]], r[col["RecordID"]] = "LinkedLineItem", strconv.Itoa(3600000000614116491+i)
		r[col["BillingPeriodStartDate"]], r[col["BillingPeriodEndDate"]] = start.Format(df), end.Format(df)
		r[col["InvoiceDate"]], r[col["PayerAccountName"]], r[col["LinkedAccountName"]] = start.AddDate(0, 0, 11).Format(df), o.PayerName, a.Name
		r[col["ProductCode"]], r[col["ProductName"]], r[col["SellerOfRecord"]] = "AmazonEC2", p.name, "Amazon Web Services, Inc."
		r[col["UsageType"]], r[col["Operation"]], r[col["RateId"]], r[col["ItemDescription"]] = p.usage, p.op, "23712747", p.desc
		r[col["UsageStartDate"]], r[col["UsageEndDate"]] = start.Format(df), end.Format(df)
		r[col["UsageQuantity"]], r[col["BlendedRate"]], r[col["CurrencyCode"]] = "4.20741252", "0.022999884", "USD"
		r[col["CostBeforeTax"]], r[col["Credits"]], r[col["TaxAmount"]], r[col["TaxType"]], r[col["TotalCost"]] =
			strconv.FormatFloat(cost, 'f', 6, 64), "0.0", "0.000000", "None", strconv.FormatFloat(cost, 'f', 6, 64)
		if costAllocation {
			r[col["AvailabilityZone"]] = zones[i%len(zones)]
			for j, t := range o.Tags {
				if (i+j)%2 == 0 {
					r[col[t]] = fmt.Sprintf("value-%d", i%5)
				}
			}
		}
		g.row(r, false)
		want.Items++
		want.Accounts[a.ID] += cost
		want.Total += cost
	}
	for _, a := range o.Accounts {
		r := make([]string, len(h))
		r[col["PayerAccountId"]], r[col["LinkedAccountId"]], r[col["RecordType"]] = o.Payer, a.ID, "AccountTotal"
		r[col["RecordID"]] = "AccountTotal:" + a.ID
		r[col["BillingPeriodStartDate"]], r[col["BillingPeriodEndDate"]] = start.Format(df), end.Format(df)
		r[col["PayerAccountName"]], r[col["LinkedAccountName"]] = o.PayerName, a.Name
		r[col["ItemDescription"]] = "Total for linked account# " + a.ID + " (" + a.Name + ")"
		r[col["CurrencyCode"]], r[col["CostBeforeTax"]], r[col["Credits"]], r[col["TaxAmount"]] = "USD", strconv.FormatFloat(want.Accounts[a.ID], 'f', 6, 64), "0.0", "0.000000"
		r[col["TotalCost"]] = strconv.FormatFloat(want.Accounts[a.ID], 'f', 6, 64)
		g.row(r, false)
	}
	r := make([]string, len(h))
	r[col["InvoiceID"]], r[col["PayerAccountId"]], r[col["RecordType"]], r[col["RecordID"]] = "Estimated", o.Payer, "InvoiceTotal", "InvoiceTotal:Estimated"
	r[col["BillingPeriodStartDate"]], r[col["BillingPeriodEndDate"]] = start.Format(df), end.Format(df)
	r[col["PayerAccountName"]], r[col["ItemDescription"]] = o.PayerName, "Total amount for invoice Estimated"
	r[col["CurrencyCode"]], r[col["TotalCost"]] = "USD", strconv.FormatFloat(want.Total, 'f', 6, 64)
	g.row(r, false)
	want.Rows = want.Items + len(o.Accounts) + 1
	return want, g.w.Flush()
}

// CURHeader is a legacy CUR header (category/Name columns); CUR2Header the
// CUR 2.0 one (snake_case, with map columns).
var (
	CURHeader = []string{"identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/BillType", "bill/PayerAccountId",
		"bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType",
		"lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
		"lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
		"lineItem/BlendedRate", "lineItem/BlendedCost", "lineItem/LineItemDescription", "product/ProductName",
		"pricing/term", "pricing/unit", "resourceTags/user:Environment"}
	CUR2Header = []string{"bill_bill_type", "bill_billing_period_end_date", "bill_billing_period_start_date", "bill_invoice_id",
		"bill_payer_account_id", "bill_payer_account_name", "cost_category", "identity_line_item_id", "identity_time_interval",
		"line_item_currency_code", "line_item_line_item_description", "line_item_line_item_type", "line_item_net_unblended_cost",
		"line_item_operation", "line_item_product_code", "line_item_unblended_cost", "line_item_unblended_rate",
		"line_item_usage_account_id", "line_item_usage_account_name", "line_item_usage_amount", "line_item_usage_end_date",
		"line_item_usage_start_date", "line_item_usage_type", "pricing_term", "product", "resource_tags"}
)

// CUR writes one part of a legacy CUR (uncompressed CSV): rows first..
// first+o.Rows-1 of the report. Costs are written in scientific notation
// now and then, as AWS does.
func CUR(w io.Writer, o Options, first int) (Want, error) {
	g := newWriter(w, o.Seed+uint64(first))
	g.header(CURHeader)
	want := Want{Accounts: map[string]float64{}}
	start := o.Month
	end := start.AddDate(0, 1, 0)
	for i := first; i < first+o.Rows; i++ {
		a := o.Accounts[i%len(o.Accounts)]
		p := products[i%len(products)]
		t := start.Add(time.Duration(i%(days(o.Month)*24)) * time.Hour)
		cost, text := curCost(g, i, o.Version)
		env := ""
		if i%2 == 0 {
			env = "production"
		}
		g.row([]string{fmt.Sprintf("lid%06d", i), t.Format("2006-01-02T15:04:05Z") + "/" + t.Add(time.Hour).Format("2006-01-02T15:04:05Z"),
			"", "Anniversary", o.Payer, start.Format("2006-01-02T15:04:05Z"), end.Format("2006-01-02T15:04:05Z"), a.ID, "Usage",
			t.Format("2006-01-02T15:04:05Z"), t.Add(time.Hour).Format("2006-01-02T15:04:05Z"), "AmazonEC2", p.usage, p.op,
			"1.0000000000", "USD", "0.0960000000", text, "0.0960000000", text, p.desc, p.name, "OnDemand", "Hrs", env}, true)
		want.Items++
		want.Accounts[a.ID] += cost
		want.Total += cost
	}
	want.Rows = want.Items
	return want, g.w.Flush()
}

func curCost(g *writer, i, version int) (float64, string) {
	cost := float64(1+g.rng.IntN(99999)) / 1e6 * float64(1+version)
	if i%4 == 0 {
		cost /= 1e4 // tiny amounts are written as 1.81E-8
		text := strings.ToUpper(strconv.FormatFloat(cost, 'E', -1, 64))
		v, _ := strconv.ParseFloat(text, 64)
		return v, text
	}
	text := strconv.FormatFloat(cost, 'f', 10, 64)
	v, _ := strconv.ParseFloat(text, 64)
	return v, text
}

// CUR2 writes one CUR 2.0 data file (uncompressed CSV) with JSON map
// columns.
func CUR2(w io.Writer, o Options, first int) (Want, error) {
	g := newWriter(w, o.Seed+uint64(first))
	g.header(CUR2Header)
	want := Want{Accounts: map[string]float64{}}
	start := o.Month
	end := start.AddDate(0, 1, 0)
	const df = "2006-01-02T15:04:05.000Z"
	for i := first; i < first+o.Rows; i++ {
		a := o.Accounts[i%len(o.Accounts)]
		p := products[i%len(products)]
		t := start.Add(time.Duration(i%(days(o.Month)*24)) * time.Hour)
		cost, text := curCost(g, i, o.Version)
		g.row([]string{"Anniversary", end.Format(df), start.Format(df), "", o.Payer, o.PayerName, "{}",
			fmt.Sprintf("lid%06d", i), t.Format("2006-01-02T15:04:05Z") + "/" + t.Add(time.Hour).Format("2006-01-02T15:04:05Z"),
			"USD", p.desc, "Usage", text, p.op, "AmazonEC2", text, "0.096", a.ID, a.Name, "1.0", t.Add(time.Hour).Format(df),
			t.Format(df), p.usage, "OnDemand", `{"product_name":"` + p.name + `","region":"us-east-1"}`,
			fmt.Sprintf(`{"user_team":"team-%d"}`, i%3)}, false)
		want.Items++
		want.Accounts[a.ID] += cost
		want.Total += cost
	}
	want.Rows = want.Items
	return want, g.w.Flush()
}

func round8(v float64) float64 { return mustParse(strconv.FormatFloat(v, 'f', 8, 64)) }
func round6(v float64) float64 { return mustParse(strconv.FormatFloat(v, 'f', 6, 64)) }

func mustParse(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func days(month time.Time) int { return month.AddDate(0, 1, -1).Day() }
