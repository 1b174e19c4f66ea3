package inventory

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Account is one AWS account to poll.
type Account struct {
	ID   string // 12 digits
	Name string // the name shown in events and lookups

	// Regions to collect; nil with AllRegions false means none were
	// configured.
	Regions []string
	// AllRegions asks DescribeRegions (in SeedRegion) for the regions
	// enabled in the account.
	AllRegions bool
	SeedRegion string

	// Origin says where the account comes from, for messages:
	// `aws.conf [keys]`, `aws.conf [account:prod]`, `organization`,
	// `the input's credentials`.
	Origin string
}

// Instance is what the inventory keeps of one EC2 instance: the lookup row
// and what matching needs. What many instances of an account and region
// have in common is one shared Profile, so a pass keeps about 250 bytes per
// instance (200,000 instances: about 50 MB).
type Instance struct {
	*Profile
	ID        string
	PrivateIP string
	PublicIP  string
	Name      string // the Name tag
	Tags      string // JSON object of every tag, keys sorted; "{}" when none
	Launched  int64  // launch time, Unix seconds; 0 when unknown
}

// Profile is what instances of one account and region often share.
type Profile struct {
	AccountID   string
	AccountName string
	Region      string
	AZ          string // availability zone name as the owning account sees it
	AZID        string // availability zone id (use1-az1), the same in every account
	Type        string
	State       string // pending, running, stopped ...
	Lifecycle   string // on-demand, spot, scheduled, capacity-block
	Platform    string // Linux/UNIX, Windows, Red Hat Enterprise Linux ...
	Tenancy     string // default, dedicated, host
	VPCID       string
	SubnetID    string
}

// profiles hands out one *Profile per distinct value (per account and
// region: the map lives as long as one DescribeInstances walk).
type profiles map[Profile]*Profile

func (ps profiles) get(p Profile) *Profile {
	if q, ok := ps[p]; ok {
		return q
	}
	q := &p
	ps[p] = q
	return q
}

// LaunchTime is the launch time in RFC 3339 (UTC), "" when unknown.
func (i *Instance) LaunchTime() string {
	if i.Launched == 0 {
		return ""
	}
	return time.Unix(i.Launched, 0).UTC().Format(time.RFC3339)
}

// Running reports whether the instance is running (the only state the
// legacy app counted and the only one reservations apply to).
func (i *Instance) Running() bool { return i.State == "running" }

// Reservation is one active reserved instance purchase.
type Reservation struct {
	AccountID     string
	AccountName   string
	Region        string
	ID            string
	Type          string
	Count         int
	Scope         string // "Region" or "Availability Zone"
	AZ            string // zonal reservations only
	AZID          string
	Platform      string // ProductDescription without " (Amazon VPC)"
	Product       string // ProductDescription as AWS gives it
	Tenancy       string
	OfferingType  string
	OfferingClass string
	State         string
	Start, End    time.Time
	Duration      int64
	FixedPrice    float64
	UsagePrice    float64
	Currency      string
	Tags          string // JSON object
}

// Zonal reports whether the reservation is for one availability zone.
func (r *Reservation) Zonal() bool { return r.Scope != string(types.ScopeRegional) }

// Linux/UNIX is the only platform whose regional reservations are size
// flexible (with default tenancy).
const linuxUnix = "Linux/UNIX"

// newInstance converts one DescribeInstances instance.
func newInstance(acct *Account, region string, in *types.Instance, ps profiles) Instance {
	p := Profile{
		AccountID:   acct.ID,
		AccountName: acct.Name,
		Region:      region,
		Type:        string(in.InstanceType),
		Lifecycle:   cmpOr(string(in.InstanceLifecycle), "on-demand"),
		Platform:    instancePlatform(in),
		VPCID:       aws.ToString(in.VpcId),
		SubnetID:    aws.ToString(in.SubnetId),
		Tenancy:     "default",
	}
	if in.State != nil {
		p.State = string(in.State.Name)
	}
	if pl := in.Placement; pl != nil {
		p.AZ = aws.ToString(pl.AvailabilityZone)
		p.AZID = aws.ToString(pl.AvailabilityZoneId)
		p.Tenancy = cmpOr(string(pl.Tenancy), "default")
	}
	i := Instance{
		Profile:   ps.get(p),
		ID:        aws.ToString(in.InstanceId),
		PrivateIP: aws.ToString(in.PrivateIpAddress),
		PublicIP:  aws.ToString(in.PublicIpAddress),
	}
	if in.LaunchTime != nil {
		i.Launched = in.LaunchTime.Unix()
	}
	i.Name, i.Tags = tagsJSON(in.Tags)
	return i
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// instancePlatform is PlatformDetails ("Linux/UNIX", "Red Hat Enterprise
// Linux", "Windows with SQL Server Standard" ...), the value reservations
// are sold for. Without it (old API data, some emulators) it falls back to
// Platform, where only Windows is named.
func instancePlatform(in *types.Instance) string {
	if d := aws.ToString(in.PlatformDetails); d != "" {
		return d
	}
	if in.Platform == types.PlatformValuesWindows {
		return "Windows"
	}
	return linuxUnix
}

// newReservation converts one DescribeReservedInstances entry.
func newReservation(acct *Account, region string, r *types.ReservedInstances) Reservation {
	out := Reservation{
		AccountID:     acct.ID,
		AccountName:   acct.Name,
		Region:        region,
		ID:            aws.ToString(r.ReservedInstancesId),
		Type:          string(r.InstanceType),
		Count:         int(aws.ToInt32(r.InstanceCount)),
		Scope:         string(r.Scope),
		AZ:            aws.ToString(r.AvailabilityZone),
		AZID:          aws.ToString(r.AvailabilityZoneId),
		Product:       string(r.ProductDescription),
		Tenancy:       string(r.InstanceTenancy),
		OfferingType:  string(r.OfferingType),
		OfferingClass: string(r.OfferingClass),
		State:         string(r.State),
		Duration:      aws.ToInt64(r.Duration),
		FixedPrice:    float64(aws.ToFloat32(r.FixedPrice)),
		UsagePrice:    float64(aws.ToFloat32(r.UsagePrice)),
		Currency:      string(r.CurrencyCode),
	}
	if out.Scope == "" {
		// Before regional reservations existed every reservation named its
		// zone; an entry without Scope is zonal when it has a zone.
		out.Scope = string(types.ScopeAvailabilityZone)
		if out.AZ == "" && out.AZID == "" {
			out.Scope = string(types.ScopeRegional)
		}
	}
	if out.Tenancy == "" {
		out.Tenancy = "default"
	}
	out.Platform = strings.TrimSuffix(out.Product, " (Amazon VPC)")
	if r.Start != nil {
		out.Start = r.Start.UTC()
	}
	if r.End != nil {
		out.End = r.End.UTC()
	}
	_, out.Tags = tagsJSON(r.Tags)
	return out
}

// InstanceType is one row of instancetype.csv.
type InstanceType struct {
	Type              string `json:"instance_type"`
	VCPU              int    `json:"vcpu"`
	MemoryMiB         int64  `json:"memory_mib"`
	Architecture      string `json:"architecture"`
	CurrentGeneration bool   `json:"current_generation"`
	Burstable         bool   `json:"burstable"`
	BareMetal         bool   `json:"bare_metal"`
}

// newInstanceType converts one DescribeInstanceTypes entry.
func newInstanceType(t *types.InstanceTypeInfo) InstanceType {
	out := InstanceType{
		Type:              string(t.InstanceType),
		CurrentGeneration: aws.ToBool(t.CurrentGeneration),
		Burstable:         aws.ToBool(t.BurstablePerformanceSupported),
		BareMetal:         aws.ToBool(t.BareMetal),
	}
	if t.VCpuInfo != nil {
		out.VCPU = int(aws.ToInt32(t.VCpuInfo.DefaultVCpus))
	}
	if t.MemoryInfo != nil {
		out.MemoryMiB = aws.ToInt64(t.MemoryInfo.SizeInMiB)
	}
	if t.ProcessorInfo != nil {
		out.Architecture = primaryArchitecture(t.ProcessorInfo.SupportedArchitectures)
	}
	return out
}

// primaryArchitecture picks the one architecture worth a lookup column:
// i386 is only ever listed next to x86_64.
func primaryArchitecture(archs []types.ArchitectureType) string {
	for _, want := range []types.ArchitectureType{
		types.ArchitectureTypeArm64Mac, types.ArchitectureTypeX8664Mac,
		types.ArchitectureTypeArm64, types.ArchitectureTypeX8664, types.ArchitectureTypeI386,
	} {
		if slices.Contains(archs, want) {
			return string(want)
		}
	}
	if len(archs) > 0 {
		return string(archs[0])
	}
	return ""
}
