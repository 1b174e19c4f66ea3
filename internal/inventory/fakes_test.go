package inventory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// fakeCloud is a hand-written fake of every account's EC2 at the level of
// the inventory's own interfaces (Connector, Session, EC2). Each call
// sleeps delay (real time: the benchmark's 50 ms per call) and answers
// from the account's regions. Outputs are built afresh on every call, as
// the SDK's deserializer would, so that memory figures are honest.
type fakeCloud struct {
	delay time.Duration

	mu         sync.Mutex
	accounts   map[string]*fakeAccount
	connectErr map[string]error // account id → Connect error

	calls sync.Map // action → *atomic.Int64

	inflight, maxInflight atomic.Int64
}

type fakeAccount struct {
	regions map[string]*fakeRegion
	// enabled answers DescribeRegions; nil means the keys of regions.
	enabled []string
}

type fakeRegion struct {
	instances    func() []types.Instance
	reservations []types.ReservedInstances
	types        []types.InstanceTypeInfo
	errs         map[string]error // action → error
}

func newFakeCloud(delay time.Duration) *fakeCloud {
	return &fakeCloud{delay: delay, accounts: map[string]*fakeAccount{}, connectErr: map[string]error{}}
}

func (f *fakeCloud) region(account, region string) *fakeRegion {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accounts[account]
	if a == nil {
		a = &fakeAccount{regions: map[string]*fakeRegion{}}
		f.accounts[account] = a
	}
	r := a.regions[region]
	if r == nil {
		r = &fakeRegion{errs: map[string]error{}, instances: func() []types.Instance { return nil }}
		a.regions[region] = r
	}
	return r
}

func (f *fakeCloud) count(action string) int64 {
	v, ok := f.calls.Load(action)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

func (f *fakeCloud) call(ctx context.Context, action string) error {
	v, _ := f.calls.LoadOrStore(action, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	if f.delay == 0 {
		return ctx.Err()
	}
	t := time.NewTimer(f.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeCloud) Connect(ctx context.Context, a Account) (Session, error) {
	if err := f.call(ctx, "Connect"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.connectErr[a.ID]; err != nil {
		return nil, err
	}
	return fakeSession{f: f, account: a.ID}, nil
}

type fakeSession struct {
	f       *fakeCloud
	account string
}

func (s fakeSession) EC2(region string) EC2 {
	return fakeEC2{f: s.f, account: s.account, region: region}
}

type fakeEC2 struct {
	f               *fakeCloud
	account, region string
}

func (e fakeEC2) data(ctx context.Context, action string) (*fakeRegion, error) {
	if err := e.f.call(ctx, action); err != nil {
		return nil, err
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	a := e.f.accounts[e.account]
	if a == nil || a.regions[e.region] == nil {
		return &fakeRegion{instances: func() []types.Instance { return nil }}, nil
	}
	r := a.regions[e.region]
	if err := r.errs[action]; err != nil {
		return nil, err
	}
	return r, nil
}

// pageSize is what the fake returns per DescribeInstances page (AWS's
// maximum; the inventory asks for it).
const pageSize = 1000

func (e fakeEC2) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	r, err := e.data(ctx, "DescribeInstances")
	if err != nil {
		return nil, err
	}
	all := r.instances()
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(start+pageSize, len(all))
	out := &ec2.DescribeInstancesOutput{}
	if start < end {
		out.Reservations = []types.Reservation{{Instances: all[start:end]}}
	}
	if end < len(all) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (e fakeEC2) DescribeReservedInstances(ctx context.Context, _ *ec2.DescribeReservedInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeReservedInstancesOutput, error) {
	r, err := e.data(ctx, "DescribeReservedInstances")
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeReservedInstancesOutput{ReservedInstances: r.reservations}, nil
}

func (e fakeEC2) DescribeInstanceTypes(ctx context.Context, _ *ec2.DescribeInstanceTypesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error) {
	r, err := e.data(ctx, "DescribeInstanceTypes")
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeInstanceTypesOutput{InstanceTypes: r.types}, nil
}

func (e fakeEC2) DescribeRegions(ctx context.Context, _ *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	if err := e.f.call(ctx, "DescribeRegions"); err != nil {
		return nil, err
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	a := e.f.accounts[e.account]
	out := &ec2.DescribeRegionsOutput{}
	if a == nil {
		return out, nil
	}
	names := a.enabled
	if names == nil {
		for r := range a.regions {
			names = append(names, r)
		}
	}
	for _, n := range names {
		out.Regions = append(out.Regions, types.Region{RegionName: aws.String(n), OptInStatus: aws.String("opt-in-not-required")})
	}
	return out, nil
}

// apiError is a smithy.APIError like the SDK's.
func apiError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// instance makes an instance the way DescribeInstances returns it.
func instance(id, typ, az, state string, tags ...string) types.Instance {
	in := types.Instance{
		InstanceId:       aws.String(id),
		InstanceType:     types.InstanceType(typ),
		Placement:        &types.Placement{AvailabilityZone: aws.String(az), Tenancy: types.TenancyDefault},
		State:            &types.InstanceState{Name: types.InstanceStateName(state)},
		PlatformDetails:  aws.String(linuxUnix),
		LaunchTime:       aws.Time(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		PrivateIpAddress: aws.String("10.0.0.1"),
		VpcId:            aws.String("vpc-0123456789abcdef0"),
		SubnetId:         aws.String("subnet-0123456789abcdef0"),
		ImageId:          aws.String("ami-0123456789abcdef0"),
	}
	for i := 0; i+1 < len(tags); i += 2 {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	return in
}

// reserved makes an active reservation; az "" makes it regional.
func reserved(id, typ, az string, count int32) types.ReservedInstances {
	r := types.ReservedInstances{
		ReservedInstancesId: aws.String(id),
		InstanceType:        types.InstanceType(typ),
		InstanceCount:       aws.Int32(count),
		ProductDescription:  types.RIProductDescription(linuxUnix),
		InstanceTenancy:     types.TenancyDefault,
		State:               types.ReservedInstanceStateActive,
		Scope:               types.ScopeRegional,
	}
	if az != "" {
		r.AvailabilityZone = aws.String(az)
		r.Scope = types.ScopeAvailabilityZone
	}
	return r
}

func instanceType(typ string, vcpu int32, mib int64) types.InstanceTypeInfo {
	return types.InstanceTypeInfo{
		InstanceType:                  types.InstanceType(typ),
		VCpuInfo:                      &types.VCpuInfo{DefaultVCpus: aws.Int32(vcpu)},
		MemoryInfo:                    &types.MemoryInfo{SizeInMiB: aws.Int64(mib)},
		ProcessorInfo:                 &types.ProcessorInfo{SupportedArchitectures: []types.ArchitectureType{types.ArchitectureTypeX8664}},
		CurrentGeneration:             aws.Bool(true),
		BurstablePerformanceSupported: aws.Bool(false),
		BareMetal:                     aws.Bool(false),
	}
}
