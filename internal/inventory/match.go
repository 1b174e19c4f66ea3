package inventory

import (
	"cmp"
	"math"
	"slices"
)

// Match kinds, as the usage events' match field shows them.
const (
	matchZonal        = "zonal"
	matchRegional     = "regional"
	matchSizeFlexible = "size-flexible"
)

// eps absorbs float rounding in normalized units (factors are multiples of
// 0.25, so sums are exact in practice).
const eps = 1e-9

// instanceMatch is what matching decided for one instance.
type instanceMatch struct {
	Coverage      float64 // 0..1: the share of the instance's hours a reservation pays for
	ReservationID string  // the (first) reservation that covers it
	Kind          string  // matchZonal, matchRegional, matchSizeFlexible, or ""
}

// Reserved reports full coverage, the legacy reserved=Y.
func (m instanceMatch) Reserved() bool { return m.Coverage >= 1-eps }

// reservationMatch is what matching decided for one reservation.
type reservationMatch struct {
	Used   float64 // instances of the reservation's own size it pays for
	Unused int     // whole instances of its size left unused
}

// key groups instances: type and zone, type and region, family and region.
type key struct{ a, b string }

// matches is the outcome of matching: indexed like the inputs.
type matches struct {
	Instances    []instanceMatch
	Reservations []reservationMatch
}

// match applies reservations to running instances the way EC2 billing
// does, as far as an inventory can tell:
//
//  1. Zonal reservations cover running instances of the same type, zone,
//     platform and tenancy. Zones are compared by zone id (use1-az1) when
//     both sides have one, because zone names are shuffled per account;
//     otherwise by name, as the legacy app did.
//  2. Regional reservations cover instances of the same type, region,
//     platform and tenancy.
//  3. What regional Linux/UNIX reservations with default tenancy have left
//     covers other sizes of the same family in the region, in normalized
//     units (factor(size) × count): smallest instances first, and an
//     instance may be covered in part.
//
// The three steps run first for each reservation's own account, then again
// for every other polled account with what is left, as reservation sharing
// does in an organization. Only running on-demand instances are covered
// (not spot, scheduled, capacity blocks or dedicated hosts). Among equal
// candidates, instances go by account id and instance id, and reservations
// by account id, region and reservation id, so the result is stable.
//
// factor returns an instance type's normalization factor, 0 when unknown
// (no size flexibility for it).
func match(instances []*Instance, reservations []Reservation, factor func(string) float64) matches {
	m := matches{
		Instances:    make([]instanceMatch, len(instances)),
		Reservations: make([]reservationMatch, len(reservations)),
	}
	var eligible []int32
	for i, in := range instances {
		if in.Running() && in.Lifecycle == "on-demand" && in.Tenancy != "host" {
			eligible = append(eligible, int32(i))
		}
	}
	slices.SortFunc(eligible, func(a, b int32) int {
		x, y := instances[a], instances[b]
		return cmp.Or(cmp.Compare(x.AccountID, y.AccountID), cmp.Compare(x.Region, y.Region), cmp.Compare(x.ID, y.ID))
	})
	order := make([]int, len(reservations))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := &reservations[a], &reservations[b]
		return cmp.Or(cmp.Compare(x.AccountID, y.AccountID), cmp.Compare(x.Region, y.Region), cmp.Compare(x.ID, y.ID))
	})
	// Each reservation's capacity, in normalized units of its size (size 1
	// when its factor is unknown).
	rf := make([]float64, len(reservations))
	units := make([]float64, len(reservations))
	for i := range reservations {
		rf[i] = factor(reservations[i].Type)
		if rf[i] == 0 {
			rf[i] = 1
		}
		units[i] = float64(max(reservations[i].Count, 0)) * rf[i]
	}
	covered := func(c int32) bool { return m.Instances[c].Coverage > 0 }

	// assign gives whole instances from cands to reservation r (own
	// account's or the others', per own) and drops covered instances from
	// cands.
	assign := func(r int, cands []int32, own bool, kind string) []int32 {
		res := &reservations[r]
		scan := cands
		if own {
			// cands are sorted by account: the owner's are one run of them.
			lo, _ := slices.BinarySearchFunc(cands, res.AccountID, func(c int32, id string) int { return cmp.Compare(instances[c].AccountID, id) })
			hi := lo
			for hi < len(cands) && instances[cands[hi]].AccountID == res.AccountID {
				hi++
			}
			scan = cands[lo:hi]
		}
		for _, c := range scan {
			if units[r] < rf[r]-eps {
				break
			}
			in := instances[c]
			if covered(c) || (in.AccountID == res.AccountID) != own || in.Platform != res.Platform || in.Tenancy != res.Tenancy {
				continue
			}
			m.Instances[c] = instanceMatch{Coverage: 1, ReservationID: res.ID, Kind: kind}
			units[r] -= rf[r]
		}
		return slices.DeleteFunc(cands, covered)
	}

	byZoneID := map[key][]int32{}
	byZoneName := map[key][]int32{}
	byType := map[key][]int32{}
	byFamily := map[key][]int32{}
	for _, c := range eligible {
		in := instances[c]
		if in.AZID != "" {
			k := key{in.Type, in.AZID}
			byZoneID[k] = append(byZoneID[k], c)
		}
		k := key{in.Type, in.AZ}
		byZoneName[k] = append(byZoneName[k], c)
		k = key{in.Type, in.Region}
		byType[k] = append(byType[k], c)
		if in.Platform == linuxUnix && in.Tenancy == "default" && factor(in.Type) > 0 {
			family, _ := splitType(in.Type)
			k := key{family, in.Region}
			byFamily[k] = append(byFamily[k], c)
		}
	}
	for k, cands := range byFamily {
		slices.SortStableFunc(cands, func(a, b int32) int { // smallest first; ties keep account/id order
			return cmp.Compare(factor(instances[a].Type), factor(instances[b].Type))
		})
		byFamily[k] = cands
	}

	for _, own := range []bool{true, false} {
		// 1. Zonal.
		for _, r := range order {
			res := &reservations[r]
			if !res.Zonal() {
				continue
			}
			if res.AZID != "" {
				k := key{res.Type, res.AZID}
				byZoneID[k] = assign(r, byZoneID[k], own, matchZonal)
				// Instances reported without a zone id can only be matched by name.
				var noID []int32
				for _, c := range byZoneName[key{res.Type, res.AZ}] {
					if instances[c].AZID == "" {
						noID = append(noID, c)
					}
				}
				assign(r, noID, own, matchZonal)
			} else {
				k := key{res.Type, res.AZ}
				byZoneName[k] = assign(r, byZoneName[k], own, matchZonal)
			}
		}
		// 2. Regional, same type.
		for _, r := range order {
			res := &reservations[r]
			if !res.Zonal() {
				k := key{res.Type, res.Region}
				byType[k] = assign(r, byType[k], own, matchRegional)
			}
		}
		// 3. Size flexibility: regional Linux/UNIX, default tenancy.
		for _, r := range order {
			res := &reservations[r]
			if res.Zonal() || units[r] <= eps || res.Platform != linuxUnix || res.Tenancy != "default" || factor(res.Type) == 0 {
				continue
			}
			family, _ := splitType(res.Type)
			k := key{family, res.Region}
			for _, c := range byFamily[k] {
				if units[r] <= eps {
					break
				}
				in := instances[c]
				im := &m.Instances[c]
				if (in.AccountID == res.AccountID) != own || im.Reserved() {
					continue
				}
				f := factor(in.Type)
				take := min((1-im.Coverage)*f, units[r])
				im.Coverage += take / f
				units[r] -= take
				if im.ReservationID == "" {
					im.ReservationID, im.Kind = res.ID, matchSizeFlexible
				}
			}
			byFamily[k] = slices.DeleteFunc(byFamily[k], func(c int32) bool { return m.Instances[c].Reserved() })
		}
	}

	for r := range reservations {
		count := float64(max(reservations[r].Count, 0))
		left := units[r] / rf[r]
		m.Reservations[r].Used = count - left
		m.Reservations[r].Unused = max(0, int(math.Floor(left+eps)))
	}
	return m
}
