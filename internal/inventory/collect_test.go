package inventory

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// sink keeps the events of a pass.
type sink struct {
	mu     sync.Mutex
	events []modinput.Event
}

func (s *sink) Write(_ context.Context, events ...modinput.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, events...)
	return nil
}

func (s *sink) of(sourcetype string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		if e.Sourcetype == sourcetype {
			out = append(out, string(e.Data))
		}
	}
	return out
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness runs passes over a fake cloud with the same lookup and
// checkpoint folders, as successive runs of the input do.
type harness struct {
	t         *testing.T
	cloud     *fakeCloud
	accounts  []Account
	dir       string
	clock     *clock
	conc      int
	lastLog   string
	lastSink  *sink
	lastTypes *TypeCache
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, cloud: newFakeCloud(0), dir: t.TempDir(),
		clock: &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}}
}

func (h *harness) pass(ctx context.Context) (Summary, error) {
	var log bytes.Buffer
	h.lastSink = &sink{}
	// A new TypeCache each pass: each run of the input is a new process.
	h.lastTypes = &TypeCache{Dir: filepath.Join(h.dir, "checkpoints"), Now: h.clock.Now}
	c := &Collector{
		Connector: h.cloud, Events: h.lastSink, Log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo)),
		MaxConcurrency: h.conc, Stanza: "aws_ingest_inventory://test", LookupDir: h.dir, Types: h.lastTypes, Now: h.clock.Now,
	}
	sum, err := c.Run(ctx, h.accounts)
	h.lastLog = log.String()
	return sum, err
}

func (h *harness) mustPass() Summary {
	h.t.Helper()
	sum, err := h.pass(context.Background())
	if err != nil {
		h.t.Fatalf("pass failed: %v\nlog:\n%s", err, h.lastLog)
	}
	return sum
}

func (h *harness) lookup(name string) lookup.Table {
	h.t.Helper()
	tab, err := lookup.Read(filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return tab
}

// rows returns "instance_id stale_since" of ec2_instances.csv by account/region.
func (h *harness) rows() map[string][]string {
	tab := h.lookup(InstancesLookup)
	out := map[string][]string{}
	for _, r := range tab.Rows {
		out[r[0]+"/"+r[2]] = append(out[r[0]+"/"+r[2]], strings.TrimSpace(r[4]+" "+r[16]))
	}
	return out
}

func (h *harness) warnings() []string {
	var out []string
	for line := range strings.SplitSeq(h.lastLog, "\n") {
		if strings.HasPrefix(line, "WARN ") {
			out = append(out, line)
		}
	}
	return out
}

// twoAccounts sets up accounts 111111111111 (prod) and 222222222222 (dev),
// each in us-east-1 and eu-west-1 with two instances, one reservation and
// a small type catalogue.
func twoAccounts(h *harness) {
	h.accounts = []Account{
		{ID: "111111111111", Name: "prod", Regions: []string{"us-east-1", "eu-west-1"}},
		{ID: "222222222222", Name: "dev", Regions: []string{"us-east-1", "eu-west-1"}},
	}
	catalogue := []types.InstanceTypeInfo{instanceType("m5.large", 2, 8192), instanceType("m5.xlarge", 4, 16384), instanceType("t3.micro", 2, 1024)}
	for _, a := range []string{"111111111111", "222222222222"} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			r := h.cloud.region(a, region)
			prefix := "i-" + a[:3] + region[:2]
			r.instances = func() []types.Instance {
				return []types.Instance{
					instance(prefix+"1", "m5.large", region+"a", "running", "Name", "web"),
					instance(prefix+"2", "t3.micro", region+"b", "stopped"),
				}
			}
			r.reservations = []types.ReservedInstances{reserved("ri-"+a[:3]+region[:2], "m5.xlarge", "", 1)}
			r.types = catalogue
		}
	}
}

func TestPassCollectsEveryAccountAndRegion(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	sum := h.mustPass()
	if sum.Targets != 4 || sum.Collected != 4 || sum.Instances != 8 || sum.Running != 4 || sum.Reservations != 4 || sum.Failures != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if n := len(h.lastSink.of(SourcetypeInstance)); n != 8 {
		t.Errorf("%d instance events, want 8", n)
	}
	usage := h.lastSink.of(SourcetypeUsage)
	// 4 running m5.large, each half of an m5.xlarge reservation of its own
	// account and region: covered, and no reservation is left unused.
	if len(usage) != 4 {
		t.Fatalf("%d usage events, want 4: %q", len(usage), usage)
	}
	for _, u := range usage {
		if !strings.Contains(u, `"running":"Y","reserved":"Y"`) || !strings.Contains(u, `"match":"size-flexible"`) {
			t.Errorf("usage event %s", u)
		}
	}
	if n := len(h.lastSink.of(SourcetypeReservation)); n != 4 {
		t.Errorf("%d reservation events, want 4", n)
	}
	rows := h.rows()
	if len(rows) != 4 || len(rows["111111111111/us-east-1"]) != 2 {
		t.Errorf("ec2_instances.csv rows = %v", rows)
	}
	tab := h.lookup(InstancesLookup)
	if strings.Join(tab.Header, ",") != strings.Join(InstancesHeader, ",") {
		t.Errorf("header = %v", tab.Header)
	}
	if got := h.lookup(TypesLookup); len(got.Rows) != 3 || strings.Join(got.Rows[0], ",") != "m5.large,m5,large,2,8192,x86_64,true,false,4" {
		t.Errorf("instancetype.csv = %v", got)
	}
	if w := h.warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
}

func TestAFailingRegionIsOneWarnAndKeepsItsRows(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.mustPass()
	before := h.rows()

	h.clock.Add(time.Hour)
	failing := h.cloud.region("222222222222", "eu-west-1")
	failing.errs["DescribeInstances"] = apiError("UnauthorizedOperation", "You are not authorized to perform this operation.")
	failing.errs["DescribeReservedInstances"] = apiError("UnauthorizedOperation", "You are not authorized to perform this operation.")
	sum := h.mustPass()
	if sum.Collected != 3 || sum.Failures != 2 {
		t.Errorf("summary = %+v", sum)
	}
	w := h.warnings()
	if len(w) != 2 {
		t.Fatalf("want 2 WARN lines (instances, reservations), got %q", w)
	}
	for _, want := range []string{"account 222222222222 (dev) region eu-west-1: DescribeInstances failed", "UnauthorizedOperation",
		"stale_since", "account_id=222222222222", "region=eu-west-1", "api=DescribeInstances", "error_code=UnauthorizedOperation", "ec2:DescribeInstances"} {
		if !strings.Contains(w[0], want) {
			t.Errorf("WARN line lacks %q: %s", want, w[0])
		}
	}
	if !strings.Contains(w[1], "DescribeReservedInstances failed") {
		t.Errorf("second WARN: %s", w[1])
	}
	rows := h.rows()
	stamp := "2026-11-25T11:00:00Z"
	for _, r := range rows["222222222222/eu-west-1"] {
		if !strings.HasSuffix(r, " "+stamp) {
			t.Errorf("kept row %q lacks stale_since %s", r, stamp)
		}
	}
	if len(rows["222222222222/eu-west-1"]) != len(before["222222222222/eu-west-1"]) {
		t.Errorf("kept rows %v, had %v", rows["222222222222/eu-west-1"], before["222222222222/eu-west-1"])
	}
	for _, k := range []string{"111111111111/us-east-1", "111111111111/eu-west-1", "222222222222/us-east-1"} {
		for _, r := range rows[k] {
			if strings.Contains(r, " ") {
				t.Errorf("fresh row %q is marked stale", r)
			}
		}
	}

	// Failing again: stale_since stays the time it first failed.
	h.clock.Add(time.Hour)
	h.mustPass()
	for _, r := range h.rows()["222222222222/eu-west-1"] {
		if !strings.HasSuffix(r, " "+stamp) {
			t.Errorf("second failure changed stale_since: %q", r)
		}
	}

	// Recovered: fresh rows again.
	clear(failing.errs)
	h.mustPass()
	for _, r := range h.rows()["222222222222/eu-west-1"] {
		if strings.Contains(r, " ") {
			t.Errorf("row %q still stale after recovery", r)
		}
	}
}

func TestCredentialsFailingEverywhereAreOneError(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	for _, a := range h.accounts {
		h.cloud.connectErr[a.ID] = &CredentialsError{Err: errors.New("awsx: get AWS credentials from the default credential chain: no EC2 IMDS role found")}
	}
	_, err := h.pass(context.Background())
	if err == nil || !strings.Contains(err.Error(), "credentials failed for every account") || !strings.Contains(err.Error(), "no EC2 IMDS role found") {
		t.Errorf("err = %v", err)
	}
	if h.lastLog != "" {
		t.Errorf("want nothing logged besides the returned error, got:\n%s", h.lastLog)
	}
	if _, statErr := os.Stat(filepath.Join(h.dir, InstancesLookup)); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("ec2_instances.csv written after a pass that collected nothing: %v", statErr)
	}

	// Keys that EC2 rejects in every region are the same single error.
	h.cloud.connectErr = map[string]error{}
	for _, a := range []string{"111111111111", "222222222222"} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			h.cloud.region(a, region).errs["DescribeInstances"] = apiError("AuthFailure", "AWS was not able to validate the provided access credentials")
			h.cloud.region(a, region).errs["DescribeReservedInstances"] = apiError("AuthFailure", "AWS was not able to validate the provided access credentials")
		}
	}
	_, err = h.pass(context.Background())
	if err == nil || !strings.Contains(err.Error(), "credentials failed for every account") || strings.Count(h.lastLog, "WARN") != 0 {
		t.Errorf("err = %v, log:\n%s", err, h.lastLog)
	}
}

func TestAnAccountWhoseCredentialsFailIsOneWarn(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.mustPass()
	h.cloud.connectErr["222222222222"] = &CredentialsError{Err: errors.New("operation error STS: AssumeRole, AccessDenied")}
	h.mustPass()
	w := h.warnings()
	if len(w) != 1 || !strings.Contains(w[0], "account 222222222222 (dev): credentials failed") || !strings.Contains(w[0], "AssumeRole") {
		t.Errorf("warnings = %q", w)
	}
	rows := h.rows()
	if len(rows["222222222222/us-east-1"]) != 2 || !strings.Contains(rows["222222222222/us-east-1"][0], "2026-11-25T10:00:00Z") {
		t.Errorf("the failing account's rows were not kept as stale: %v", rows)
	}

	// Keys rejected in every region of one account: one WARN for the account.
	delete(h.cloud.connectErr, "222222222222")
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		h.cloud.region("222222222222", region).errs["DescribeInstances"] = apiError("AuthFailure", "not valid")
		h.cloud.region("222222222222", region).errs["DescribeReservedInstances"] = apiError("AuthFailure", "not valid")
	}
	h.mustPass()
	w = h.warnings()
	if len(w) != 1 || !strings.Contains(w[0], "account 222222222222 (dev): its credentials failed in every region (4 failed calls)") {
		t.Errorf("warnings = %q", w)
	}
}

func TestAuthFailureInSomeRegionsSaysTheRegionMayBeDisabled(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.cloud.region("111111111111", "eu-west-1").errs["DescribeInstances"] = apiError("AuthFailure", "not valid")
	h.cloud.region("111111111111", "eu-west-1").errs["DescribeReservedInstances"] = apiError("AuthFailure", "not valid")
	h.mustPass()
	w := h.warnings()
	if len(w) != 2 || !strings.Contains(w[0], "region eu-west-1: DescribeInstances failed") || !strings.Contains(w[0], "may not be enabled") {
		t.Errorf("warnings = %q", w)
	}
}

func TestReservationsNotImplementedKeepTheInstances(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.cloud.region("111111111111", "us-east-1").errs["DescribeReservedInstances"] = smithyServerError()
	sum := h.mustPass()
	if sum.Collected != 4 || sum.Reservations != 3 {
		t.Errorf("summary = %+v", sum)
	}
	w := h.warnings()
	if len(w) != 1 || !strings.Contains(w[0], "region us-east-1: DescribeReservedInstances failed") ||
		!strings.Contains(w[0], "does not implement") || !strings.Contains(w[0], "left out of this pass's matching") {
		t.Errorf("warnings = %q", w)
	}
	if rows := h.rows(); strings.Contains(strings.Join(rows["111111111111/us-east-1"], ","), "Z") {
		t.Errorf("rows marked stale: %v", rows)
	}
}

func TestInstanceTypesAreAskedOncePerRegionAndDay(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.mustPass()
	if n := h.cloud.count("DescribeInstanceTypes"); n != 2 {
		t.Errorf("first pass: %d DescribeInstanceTypes calls, want one per region (2)", n)
	}
	h.clock.Add(23 * time.Hour)
	h.mustPass()
	if n := h.cloud.count("DescribeInstanceTypes"); n != 2 {
		t.Errorf("a pass within a day called DescribeInstanceTypes: %d calls in all", n)
	}
	if got := h.lookup(TypesLookup); len(got.Rows) != 3 {
		t.Errorf("instancetype.csv from the cache = %v", got.Rows)
	}
	h.clock.Add(2 * time.Hour)
	h.mustPass()
	if n := h.cloud.count("DescribeInstanceTypes"); n != 4 {
		t.Errorf("after a day: %d calls in all, want 4", n)
	}
}

func TestInstanceTypesFromAnotherAccountWhenOneLacksThePermission(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.conc = 1 // accounts in order: 111111111111 fails first
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		h.cloud.region("111111111111", region).errs["DescribeInstanceTypes"] = apiError("UnauthorizedOperation", "no")
	}
	h.mustPass()
	if got := h.lookup(TypesLookup); len(got.Rows) != 3 {
		t.Errorf("instancetype.csv = %v", got.Rows)
	}
	if w := h.warnings(); len(w) != 2 || !strings.Contains(w[0], "DescribeInstanceTypes failed") || !strings.Contains(w[0], "another account will try") {
		t.Errorf("warnings = %q", w)
	}
}

func TestAllRegionsAsksEachAccount(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.cloud.accounts["222222222222"].enabled = []string{"us-east-1"}
	for i := range h.accounts {
		h.accounts[i].Regions, h.accounts[i].AllRegions, h.accounts[i].SeedRegion = nil, true, "us-east-1"
	}
	sum := h.mustPass()
	if sum.Targets != 3 || h.cloud.count("DescribeRegions") != 2 {
		t.Errorf("summary = %+v, DescribeRegions calls = %d", sum, h.cloud.count("DescribeRegions"))
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	h := newHarness(t)
	h.cloud = newFakeCloud(5 * time.Millisecond)
	var regions []string
	for r := range 10 {
		regions = append(regions, "xx-test-"+string(rune('0'+r)))
	}
	for a := range 6 {
		h.accounts = append(h.accounts, Account{ID: strings.Repeat(string(rune('1'+a)), 12), Name: "a", Regions: regions})
	}
	h.conc = 4
	sum := h.mustPass()
	if sum.Targets != 60 {
		t.Errorf("targets = %d", sum.Targets)
	}
	if m := h.cloud.maxInflight.Load(); m > 4 || m < 2 {
		t.Errorf("at most %d calls were in flight, want 2..4", m)
	}
}

func TestACancelledPassLeavesTheLookups(t *testing.T) {
	h := newHarness(t)
	twoAccounts(h)
	h.mustPass()
	before, _ := os.ReadFile(filepath.Join(h.dir, InstancesLookup))
	h.cloud.delay = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.pass(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("the pass took %v to stop", d)
	}
	after, _ := os.ReadFile(filepath.Join(h.dir, InstancesLookup))
	if !bytes.Equal(before, after) {
		t.Error("a cancelled pass rewrote ec2_instances.csv")
	}
	if w := h.warnings(); len(w) != 0 {
		t.Errorf("a cancelled pass logged %q", w)
	}
}

// smithyServerError is what the SDK returns for an endpoint's 500 (moto's
// answer to DescribeReservedInstances).
func smithyServerError() error {
	return &smithy.GenericAPIError{Code: "InternalError", Message: "not implemented", Fault: smithy.FaultServer}
}
