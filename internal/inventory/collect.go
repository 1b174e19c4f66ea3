package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// DefaultMaxConcurrency is the default of max_concurrency.
const DefaultMaxConcurrency = 32

// eventBatch bounds how many events one Write hands to the event writer,
// so that its bounded queue also bounds memory.
const eventBatch = 32

// Collector runs collection passes: every account × region, in parallel
// with a bound, then matching, events and lookups.
type Collector struct {
	Connector Connector
	Events    EventSink
	Log       *slog.Logger

	// MaxConcurrency bounds the accounts (credentials, DescribeRegions) and
	// then the account × region pairs collected at once; 0 means
	// DefaultMaxConcurrency.
	MaxConcurrency int

	// Stanza names the events' input; Source, when set, replaces the
	// per-account-and-region sources of the events.
	Stanza string
	Source string

	// LookupDir is where ec2_instances.csv and instancetype.csv are
	// replaced.
	LookupDir string
	// Types caches DescribeInstanceTypes per region.
	Types *TypeCache

	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Summary counts what a pass did.
type Summary struct {
	Accounts     int // accounts polled
	Targets      int // account × region pairs tried
	Collected    int // pairs whose instances were collected
	Failures     int // failures reported (WARN lines or the ERROR)
	Instances    int
	Running      int
	Reservations int
	Events       int
	Duration     time.Duration
}

// target is one account × region of a pass and what it yielded.
type target struct {
	account *Account
	session Session
	region  string

	instancesOK  bool
	instances    []Instance
	reservations []Reservation
}

// pass is the state of one Run.
type pass struct {
	c      *Collector
	log    *slog.Logger
	start  time.Time
	mu     sync.Mutex
	fails  []failure
	events int
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Run collects every account in accounts and then writes the usage and
// reservation events and the lookups. A failing account or region is a
// WARN and the pass goes on; Run returns an error only when nothing could
// be collected (credentials failing everywhere are that one error), when ctx
// ends, or when a lookup cannot be written.
func (c *Collector) Run(ctx context.Context, accounts []Account) (Summary, error) {
	p := &pass{c: c, log: c.Log, start: c.now()}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	sum := Summary{Accounts: len(accounts)}
	limit := cmp.Or(c.MaxConcurrency, DefaultMaxConcurrency)

	targets := p.connect(ctx, accounts, limit)
	sum.Targets = len(targets)
	g := newGroup(limit)
	for _, t := range targets {
		if !g.Go(ctx, func() { p.collect(ctx, t) }) {
			break
		}
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("pass stopped before it was complete, lookups left as they were: %w", context.Cause(ctx))
	}

	var collected []*target
	ok := map[*Account]bool{}
	for _, t := range targets {
		if t.instancesOK {
			collected = append(collected, t)
			ok[t.account] = true
		}
	}
	sum.Collected = len(collected)
	sum.Failures = len(p.fails)
	if err := p.report(len(collected), ok); err != nil {
		return sum, err
	}
	if err := p.finish(ctx, collected, &sum); err != nil {
		return sum, err
	}
	sum.Events = p.events
	sum.Duration = c.now().Sub(p.start)
	return sum, nil
}

func (p *pass) fail(f failure) {
	p.mu.Lock()
	p.fails = append(p.fails, f)
	p.mu.Unlock()
}

// connect opens every account's session and lists its regions, in
// parallel, and returns the account × region pairs to collect.
func (p *pass) connect(ctx context.Context, accounts []Account, limit int) []*target {
	perAccount := make([][]*target, len(accounts))
	g := newGroup(limit)
	for i := range accounts {
		a := &accounts[i]
		if !g.Go(ctx, func() { perAccount[i] = p.connectAccount(ctx, a) }) {
			break
		}
	}
	g.Wait()
	return slices.Concat(perAccount...)
}

func (p *pass) connectAccount(ctx context.Context, a *Account) []*target {
	s, err := p.c.Connector.Connect(ctx, *a)
	if err != nil {
		if ctx.Err() == nil {
			p.fail(failure{Account: a, API: "credentials", Err: err, Effect: effectStale})
		}
		return nil
	}
	regions := a.Regions
	if a.AllRegions {
		regions, err = enabledRegions(ctx, s.EC2(a.SeedRegion))
		if err != nil {
			if ctx.Err() == nil {
				p.fail(failure{Account: a, API: "DescribeRegions (in " + a.SeedRegion + ")", Err: err, Effect: effectStale})
			}
			return nil
		}
	}
	out := make([]*target, 0, len(regions))
	for _, r := range regions {
		out = append(out, &target{account: a, session: s, region: r})
	}
	return out
}

// enabledRegions lists the regions the account can use: opted in, or not
// needing it.
func enabledRegions(ctx context.Context, client EC2) ([]string, error) {
	out, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions {
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			continue
		}
		if name := aws.ToString(r.RegionName); name != "" {
			regions = append(regions, name)
		}
	}
	slices.Sort(regions)
	return regions, nil
}

func (p *pass) source(t *target, api string) string {
	if p.c.Source != "" {
		return p.c.Source
	}
	return t.account.ID + ":" + t.region + ":" + api
}

// collect runs one account × region: instances (their events go out page
// by page), active reservations, and the region's instance types when the
// cache wants them.
func (p *pass) collect(ctx context.Context, t *target) {
	client := t.session.EC2(t.region)
	if err := p.collectInstances(ctx, t, client); err != nil {
		if ctx.Err() == nil {
			p.fail(failure{Account: t.account, Region: t.region, API: "DescribeInstances", Err: err, Effect: effectStale})
		}
		t.instances = nil
	} else {
		t.instancesOK = true
	}
	if ctx.Err() != nil {
		return
	}
	out, err := client.DescribeReservedInstances(ctx, &ec2.DescribeReservedInstancesInput{
		Filters: []types.Filter{{Name: aws.String("state"), Values: []string{string(types.ReservedInstanceStateActive)}}},
	})
	switch {
	case err != nil:
		if ctx.Err() == nil {
			p.fail(failure{Account: t.account, Region: t.region, API: "DescribeReservedInstances", Err: err, Effect: effectReservations})
		}
	default:
		for i := range out.ReservedInstances {
			r := &out.ReservedInstances[i]
			if r.State != "" && r.State != types.ReservedInstanceStateActive {
				continue // an endpoint that ignores the filter
			}
			t.reservations = append(t.reservations, newReservation(t.account, t.region, r))
		}
	}
	if p.c.Types != nil && ctx.Err() == nil {
		p.c.Types.Refresh(ctx, t.region, client, t.account, p.log)
	}
}

func (p *pass) collectInstances(ctx context.Context, t *target, client EC2) error {
	pages := ec2.NewDescribeInstancesPaginator(client, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)})
	batch := make([]modinput.Event, 0, eventBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := p.c.Events.Write(ctx, batch...)
		p.mu.Lock()
		p.events += len(batch)
		p.mu.Unlock()
		batch = make([]modinput.Event, 0, eventBatch) // the writer owns the events it was given
		return err
	}
	source := p.source(t, "ec2_instances")
	ps := profiles{}
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		now := p.c.now()
		n := 0
		for ri := range out.Reservations {
			n += len(out.Reservations[ri].Instances)
		}
		t.instances = slices.Grow(t.instances, n)
		for ri := range out.Reservations {
			for ii := range out.Reservations[ri].Instances {
				in := &out.Reservations[ri].Instances[ii]
				inst := newInstance(t.account, t.region, in, ps)
				batch = append(batch, modinput.Event{
					Time: now, Stanza: p.c.Stanza, Source: source,
					Sourcetype: SourcetypeInstance, Data: instanceEventJSON(&inst, in),
				})
				t.instances = append(t.instances, inst)
				if len(batch) == eventBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	slices.SortFunc(t.instances, func(a, b Instance) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

// report logs the pass's failures: one WARN per failing account or
// account-region, except that an account whose credentials failed in
// every region is one WARN, and credentials failing for every account are
// the pass's one ERROR (returned). ok holds the accounts with at least one
// region collected.
func (p *pass) report(collected int, ok map[*Account]bool) error {
	if len(p.fails) == 0 {
		return nil
	}
	slices.SortStableFunc(p.fails, func(a, b failure) int {
		return cmp.Or(cmp.Compare(a.Account.ID, b.Account.ID), cmp.Compare(a.Region, b.Region))
	})
	type acctState struct {
		credOnly bool
		n        int
		first    failure
		ok       bool
	}
	accts := map[*Account]*acctState{}
	for _, f := range p.fails {
		s := accts[f.Account]
		if s == nil {
			s = &acctState{credOnly: true, first: f}
			accts[f.Account] = s
		}
		s.n++
		s.credOnly = s.credOnly && isCredentialsError(f.Err)
	}
	allCred := collected == 0
	for _, s := range accts {
		allCred = allCred && s.credOnly
	}
	if allCred {
		f := accts[p.fails[0].Account].first
		return fmt.Errorf("the AWS credentials failed for every account and region (%d account(s), %d failure(s)); nothing was collected and the lookups are left as they were. First failure: %s",
			len(accts), len(p.fails), f.message())
	}
	done := map[*Account]bool{}
	for _, f := range p.fails {
		s := accts[f.Account]
		if s.credOnly && s.n > 1 && !ok[f.Account] {
			if !done[f.Account] {
				done[f.Account] = true
				g := s.first
				p.log.Warn(fmt.Sprintf("account %s: its credentials failed in every region (%d failed calls), first %s in %s: %v; %s",
					accountLabel(g.Account), s.n, g.API, g.Region, g.Err, effectStale), g.attrs()...)
			}
			continue
		}
		p.log.Warn(f.message(), f.attrs()...)
	}
	if collected == 0 {
		return fmt.Errorf("no account and region could be collected (%d failure(s), see the WARN lines); the lookups are left as they were", len(p.fails))
	}
	return nil
}

// finish matches reservations to instances, writes the usage and
// reservation events, and replaces the lookups.
func (p *pass) finish(ctx context.Context, collected []*target, sum *Summary) error {
	c := p.c
	slices.SortFunc(collected, func(a, b *target) int {
		return cmp.Or(cmp.Compare(a.account.ID, b.account.ID), cmp.Compare(a.region, b.region))
	})
	n, nr := 0, 0
	for _, t := range collected {
		n += len(t.instances)
	}
	instances := make([]*Instance, 0, n)
	var reservations []Reservation
	for _, t := range collected {
		for i := range t.instances {
			instances = append(instances, &t.instances[i])
		}
	}
	for _, t := range collected {
		reservations = append(reservations, t.reservations...)
		nr += len(t.reservations)
	}
	slices.SortFunc(reservations, func(a, b Reservation) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
	sum.Instances, sum.Reservations = len(instances), nr

	var apiTypes []InstanceType
	if c.Types != nil {
		apiTypes = c.Types.All()
	}
	factors := normalizationFactors(apiTypes)
	factor := func(t string) float64 {
		if f, ok := factors[t]; ok {
			return f
		}
		_, size := splitType(t)
		return sizeFactor(size)
	}
	m := match(instances, reservations, factor)

	now := c.now()
	batch := make([]modinput.Event, 0, eventBatch)
	emit := func(source, sourcetype string, data []byte) error {
		if c.Source != "" {
			source = c.Source
		}
		batch = append(batch, modinput.Event{Time: now, Stanza: c.Stanza, Source: source, Sourcetype: sourcetype, Data: data})
		if len(batch) < eventBatch {
			return nil
		}
		return flushBatch(ctx, c.Events, &batch, &p.events)
	}
	for i, in := range instances {
		if !in.Running() {
			continue
		}
		sum.Running++
		if err := emit("ec2_usage", SourcetypeUsage, in.usageEvent(m.Instances[i])); err != nil {
			return err
		}
	}
	for i := range reservations {
		r := &reservations[i]
		for range m.Reservations[i].Unused {
			if err := emit("ec2_usage", SourcetypeUsage, r.unusedEvent()); err != nil {
				return err
			}
		}
	}
	for i := range reservations {
		r := &reservations[i]
		if err := emit(r.AccountID+":"+r.Region+":ec2_reserved_instances", SourcetypeReservation, r.event(m.Reservations[i], factor(r.Type))); err != nil {
			return err
		}
	}
	if err := flushBatch(ctx, c.Events, &batch, &p.events); err != nil {
		return err
	}

	if c.LookupDir == "" {
		return nil
	}
	stale := p.staleKeys()
	if err := writeInstancesLookup(filepath.Join(c.LookupDir, InstancesLookup), instances, stale, now); err != nil {
		return err
	}
	if len(apiTypes) > 0 {
		seen := map[string]bool{}
		for _, in := range instances {
			seen[in.Type] = true
		}
		for i := range reservations {
			seen[reservations[i].Type] = true
		}
		if err := writeTypesLookup(filepath.Join(c.LookupDir, TypesLookup), apiTypes, factors, seen); err != nil {
			return err
		}
	} else {
		p.log.Info("instancetype.csv left as it was: no region's instance types are known yet (DescribeInstanceTypes failed and nothing is cached)")
	}
	return nil
}

func flushBatch(ctx context.Context, sink EventSink, batch *[]modinput.Event, count *int) error {
	if len(*batch) == 0 {
		return nil
	}
	err := sink.Write(ctx, *batch...)
	*count += len(*batch)
	*batch = make([]modinput.Event, 0, eventBatch)
	return err
}

// staleKeys are the account/region pairs (region "" for a whole account)
// whose instances this pass could not collect.
func (p *pass) staleKeys() map[staleKey]bool {
	out := map[staleKey]bool{}
	for _, f := range p.fails {
		if f.Effect == effectStale {
			out[staleKey{f.Account.ID, f.Region}] = true
		}
	}
	return out
}

type staleKey struct{ account, region string }

var errNoAccounts = errors.New("no AWS account to poll")
