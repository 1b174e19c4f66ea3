package inventory

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// in makes a running on-demand Linux/UNIX instance with default tenancy;
// mods adjust it.
func in(acct, az, id, typ string, mods ...func(*Profile)) *Instance {
	p := &Profile{AccountID: acct, AccountName: "n" + acct, Region: az[:len(az)-1], AZ: az, Type: typ,
		State: "running", Lifecycle: "on-demand", Platform: linuxUnix, Tenancy: "default"}
	for _, m := range mods {
		m(p)
	}
	return &Instance{Profile: p, ID: id, Tags: "{}"}
}

func zoneID(id string) func(*Profile)       { return func(p *Profile) { p.AZID = id } }
func state(s string) func(*Profile)         { return func(p *Profile) { p.State = s } }
func lifecycle(s string) func(*Profile)     { return func(p *Profile) { p.Lifecycle = s } }
func platform(s string) func(*Profile)      { return func(p *Profile) { p.Platform = s } }
func tenancy(s string) func(*Profile)       { return func(p *Profile) { p.Tenancy = s } }
func inRegion(r string) func(*Profile)      { return func(p *Profile) { p.Region = r } }
func withZone(az, id string) func(*Profile) { return func(p *Profile) { p.AZ, p.AZID = az, id } }

// ri makes an active Linux/UNIX default-tenancy reservation; a zone name
// makes it zonal.
func ri(acct, region, zone, id, typ string, count int, mods ...func(*Reservation)) Reservation {
	r := Reservation{AccountID: acct, AccountName: "n" + acct, Region: region, ID: id, Type: typ, Count: count,
		Scope: "Region", Platform: linuxUnix, Product: linuxUnix, Tenancy: "default", State: "active", Tags: "{}"}
	if zone != "" {
		r.Scope, r.AZ = "Availability Zone", zone
	}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func riZoneID(id string) func(*Reservation) { return func(r *Reservation) { r.AZID = id } }
func riPlatform(p string) func(*Reservation) {
	return func(r *Reservation) { r.Platform, r.Product = p, p }
}
func riTenancy(t string) func(*Reservation) { return func(r *Reservation) { r.Tenancy = t } }

func TestMatch(t *testing.T) {
	type want struct {
		covered map[string]string // instance id → "kind reservation coverage" (absent: not covered)
		ris     map[string]string // reservation id → "used unused"
	}
	tests := []struct {
		name string
		ins  []*Instance
		ris  []Reservation
		want want
	}{
		{
			name: "zonal reservation covers as many instances of its type and zone as it counts",
			ins: []*Instance{in("111111111111", "us-east-1e", "i-1", "t2.micro"), in("111111111111", "us-east-1e", "i-2", "t2.micro"),
				in("111111111111", "us-east-1a", "i-3", "t2.micro")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "us-east-1e", "r-z", "t2.micro", 1)},
			want: want{covered: map[string]string{"i-1": "zonal r-z 1"}, ris: map[string]string{"r-z": "1 0"}},
		},
		{
			name: "unused zonal reservations are counted",
			ins:  []*Instance{in("111111111111", "us-west-1c", "i-1", "m3.medium")},
			ris:  []Reservation{ri("111111111111", "us-west-1", "us-west-1c", "r-z", "m3.medium", 3)},
			want: want{covered: map[string]string{"i-1": "zonal r-z 1"}, ris: map[string]string{"r-z": "1 2"}},
		},
		{
			name: "zones are compared by zone id across accounts when both sides have one",
			ins: []*Instance{
				in("222222222222", "us-east-1b", "i-same-zone", "m5.large", zoneID("use1-az1")),
				in("222222222222", "us-east-1a", "i-same-name-other-zone", "m5.large", zoneID("use1-az4")),
			},
			ris:  []Reservation{ri("111111111111", "us-east-1", "us-east-1a", "r-z", "m5.large", 2, riZoneID("use1-az1"))},
			want: want{covered: map[string]string{"i-same-zone": "zonal r-z 1"}, ris: map[string]string{"r-z": "1 1"}},
		},
		{
			name: "without zone ids, zone names are compared as the legacy app did",
			ins:  []*Instance{in("222222222222", "us-east-1a", "i-1", "m5.large")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "us-east-1a", "r-z", "m5.large", 1, riZoneID("use1-az1"))},
			want: want{covered: map[string]string{"i-1": "zonal r-z 1"}, ris: map[string]string{"r-z": "1 0"}},
		},
		{
			name: "a reservation covers its own account's instances first",
			ins:  []*Instance{in("111111111111", "eu-west-1a", "i-other", "c5.large"), in("999999999999", "eu-west-1b", "i-own", "c5.large")},
			ris:  []Reservation{ri("999999999999", "eu-west-1", "", "r-reg", "c5.large", 1)},
			want: want{covered: map[string]string{"i-own": "regional r-reg 1"}, ris: map[string]string{"r-reg": "1 0"}},
		},
		{
			name: "every reservation covers its own account before any is shared",
			ins:  []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large"), in("222222222222", "us-east-1a", "i-2", "m5.large")},
			ris: []Reservation{ri("111111111111", "us-east-1", "", "r-1", "m5.xlarge", 1),
				ri("222222222222", "us-east-1", "", "r-2", "m5.xlarge", 1)},
			want: want{covered: map[string]string{"i-1": "size-flexible r-1 1", "i-2": "size-flexible r-2 1"},
				ris: map[string]string{"r-1": "0.5 0", "r-2": "0.5 0"}},
		},
		{
			name: "what is left is shared with the other accounts",
			ins: []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large"), in("222222222222", "us-east-1a", "i-2", "m5.large"),
				in("222222222222", "us-east-1a", "i-3", "m5.large")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "", "r-1", "m5.large", 2)},
			want: want{covered: map[string]string{"i-1": "regional r-1 1", "i-2": "regional r-1 1"}, ris: map[string]string{"r-1": "2 0"}},
		},
		{
			name: "regional reservation covers any zone of its region, not other regions",
			ins: []*Instance{in("111111111111", "eu-west-1a", "i-a", "c5.large"), in("111111111111", "eu-west-1c", "i-c", "c5.large"),
				in("111111111111", "eu-central-1a", "i-other-region", "c5.large")},
			ris:  []Reservation{ri("111111111111", "eu-west-1", "", "r-reg", "c5.large", 5)},
			want: want{covered: map[string]string{"i-a": "regional r-reg 1", "i-c": "regional r-reg 1"}, ris: map[string]string{"r-reg": "2 3"}},
		},
		{
			name: "platform, tenancy, state and lifecycle must fit",
			ins: []*Instance{
				in("111111111111", "eu-west-1a", "i-windows", "c5.large", platform("Windows")),
				in("111111111111", "eu-west-1a", "i-dedicated", "c5.large", tenancy("dedicated")),
				in("111111111111", "eu-west-1a", "i-host", "c5.large", tenancy("host")),
				in("111111111111", "eu-west-1a", "i-stopped", "c5.large", state("stopped")),
				in("111111111111", "eu-west-1a", "i-spot", "c5.large", lifecycle("spot")),
				in("111111111111", "eu-west-1a", "i-win-ok", "c5.large", platform("Windows")),
			},
			ris: []Reservation{
				ri("111111111111", "eu-west-1", "", "r-linux", "c5.large", 4),
				ri("111111111111", "eu-west-1", "", "r-windows", "c5.large", 1, riPlatform("Windows (Amazon VPC)"), func(r *Reservation) { r.Platform = "Windows" }),
				ri("111111111111", "eu-west-1", "", "r-dedicated", "c5.large", 1, riTenancy("dedicated")),
			},
			want: want{
				covered: map[string]string{"i-win-ok": "regional r-windows 1", "i-dedicated": "regional r-dedicated 1"}, // instance ids decide among equals
				ris:     map[string]string{"r-linux": "0 4", "r-windows": "1 0", "r-dedicated": "1 0"},
			},
		},
		{
			name: "size flexibility: one xlarge reservation covers two large instances",
			ins:  []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large"), in("111111111111", "us-east-1b", "i-2", "m5.large")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "", "r-xl", "m5.xlarge", 1)},
			want: want{covered: map[string]string{"i-1": "size-flexible r-xl 1", "i-2": "size-flexible r-xl 1"}, ris: map[string]string{"r-xl": "1 0"}},
		},
		{
			name: "size flexibility: a large reservation pays for half an xlarge",
			ins:  []*Instance{in("111111111111", "us-east-1a", "i-xl", "m5.xlarge")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "", "r-l", "m5.large", 1)},
			want: want{covered: map[string]string{"i-xl": "size-flexible r-l 0.5"}, ris: map[string]string{"r-l": "1 0"}},
		},
		{
			name: "size flexibility: exact matches first, the rest in normalized units, smallest instances first",
			ins: []*Instance{
				in("111111111111", "us-east-1a", "i-8xl", "m5.8xlarge"),
				in("111111111111", "us-east-1a", "i-2xl", "m5.2xlarge"),
				in("111111111111", "us-east-1a", "i-l1", "m5.large"),
				in("111111111111", "us-east-1a", "i-l2", "m5.large"),
				in("111111111111", "us-east-1a", "i-xl", "m5.xlarge"),
				in("111111111111", "us-east-1a", "i-4xl", "m5.4xlarge"),
			},
			ris: []Reservation{ri("111111111111", "us-east-1", "", "r-4xl", "m5.4xlarge", 2)},
			// exact: i-4xl; then 32 units: large 4 + large 4 + xlarge 8 + 2xlarge 16.
			want: want{covered: map[string]string{"i-4xl": "regional r-4xl 1", "i-l1": "size-flexible r-4xl 1", "i-l2": "size-flexible r-4xl 1",
				"i-xl": "size-flexible r-4xl 1", "i-2xl": "size-flexible r-4xl 1"}, ris: map[string]string{"r-4xl": "2 0"}},
		},
		{
			name: "size flexibility: unused units become unused reservations of the reservation's size",
			ins:  []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large")},
			ris:  []Reservation{ri("111111111111", "us-east-1", "", "r-2xl", "m5.2xlarge", 3)},
			want: want{covered: map[string]string{"i-1": "size-flexible r-2xl 1"}, ris: map[string]string{"r-2xl": "0.25 2"}},
		},
		{
			name: "no size flexibility for zonal, Windows or dedicated reservations, nor across families",
			ins: []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large"), in("111111111111", "us-east-1a", "i-2", "c5.large"),
				in("111111111111", "us-east-1a", "i-3", "m5.large", platform("Windows"))},
			ris: []Reservation{
				ri("111111111111", "us-east-1", "us-east-1a", "r-zonal", "m5.xlarge", 1),
				ri("111111111111", "us-east-1", "", "r-win", "m5.xlarge", 1, func(r *Reservation) { r.Platform = "Windows" }),
				ri("111111111111", "us-east-1", "", "r-ded", "m5.xlarge", 1, riTenancy("dedicated")),
				ri("111111111111", "us-east-1", "", "r-c6", "c6i.xlarge", 1),
			},
			want: want{covered: map[string]string{}, ris: map[string]string{"r-zonal": "0 1", "r-win": "0 1", "r-ded": "0 1", "r-c6": "0 1"}},
		},
		{
			name: "zonal reservations go before regional ones",
			ins:  []*Instance{in("111111111111", "us-east-1a", "i-1", "m5.large")},
			ris: []Reservation{ri("111111111111", "us-east-1", "", "r-0-regional", "m5.large", 1),
				ri("111111111111", "us-east-1", "us-east-1a", "r-1-zonal", "m5.large", 1)},
			want: want{covered: map[string]string{"i-1": "zonal r-1-zonal 1"}, ris: map[string]string{"r-0-regional": "0 1", "r-1-zonal": "1 0"}},
		},
	}
	factor := func(typ string) float64 {
		_, size := splitType(typ)
		return sizeFactor(size)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := match(tt.ins, tt.ris, factor)
			got := want{covered: map[string]string{}, ris: map[string]string{}}
			for i, im := range m.Instances {
				if im.Coverage > 0 {
					got.covered[tt.ins[i].ID] = fmt.Sprintf("%s %s %g", im.Kind, im.ReservationID, round4(im.Coverage))
				}
			}
			for i, rm := range m.Reservations {
				got.ris[tt.ris[i].ID] = fmt.Sprintf("%g %d", round4(rm.Used), rm.Unused)
			}
			if !maps.Equal(got.covered, tt.want.covered) {
				t.Errorf("covered instances:\n got %v\nwant %v", sorted(got.covered), sorted(tt.want.covered))
			}
			if !maps.Equal(got.ris, tt.want.ris) {
				t.Errorf("reservations (used unused):\n got %v\nwant %v", sorted(got.ris), sorted(tt.want.ris))
			}
		})
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

func TestSizeFactor(t *testing.T) {
	for size, want := range map[string]float64{
		"nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8, "2xlarge": 16, "3xlarge": 24,
		"24xlarge": 192, "112xlarge": 896, "metal-24xl": 192, "metal-48xl": 384, "metal": 0, "": 0, "huge": 0, "0xlarge": 0,
	} {
		if got := sizeFactor(size); got != want {
			t.Errorf("sizeFactor(%q) = %g, want %g", size, got, want)
		}
	}
}

func TestNormalizationFactorsOfMetalSizes(t *testing.T) {
	got := normalizationFactors([]InstanceType{
		{Type: "m5.large", VCPU: 2}, {Type: "m5.24xlarge", VCPU: 96}, {Type: "m5.metal", VCPU: 96},
		{Type: "i3.metal", VCPU: 72}, // no i3 size with 72 vCPUs listed: unknown
		{Type: "c7i.metal-24xl", VCPU: 96},
	})
	want := map[string]float64{"m5.large": 4, "m5.24xlarge": 192, "m5.metal": 192, "c7i.metal-24xl": 192}
	if !maps.Equal(got, want) {
		t.Errorf("normalizationFactors = %v, want %v", got, want)
	}
}
