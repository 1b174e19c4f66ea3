package inventory

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/atomicfile"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
)

// Lookup file names in lookup_dir.
const (
	InstancesLookup    = "ec2_instances.csv"
	TypesLookup        = "instancetype.csv"
	AccountNamesLookup = "accountNames.csv"
)

// InstancesHeader is the header of ec2_instances.csv. stale_since is empty
// on rows of this pass; on rows kept from an earlier pass because their
// account or region failed, it is when they stopped being refreshed.
var InstancesHeader = []string{
	"account_id", "account_name", "region", "availability_zone", "instance_id", "instance_type", "state",
	"lifecycle", "platform", "launch_time", "private_ip", "public_ip", "vpc_id", "subnet_id", "name", "tags",
	"stale_since",
}

// TypesHeader is the header of instancetype.csv.
var TypesHeader = []string{
	"instance_type", "family", "size", "vcpu", "memory_mib", "architecture", "current_generation", "burstable",
	"normalization_factor",
}

func (i *Instance) row() []string {
	return []string{i.AccountID, i.AccountName, i.Region, i.AZ, i.ID, i.Type, i.State, i.Lifecycle, i.Platform,
		i.LaunchTime(), i.PrivateIP, i.PublicIP, i.VPCID, i.SubnetID, i.Name, i.Tags, ""}
}

// writeInstancesLookup replaces ec2_instances.csv with instances (sorted by
// account, region and instance id) and, for the account/region pairs in
// stale (region "" = the whole account), the rows the previous file had,
// with stale_since set to now unless it already was.
func writeInstancesLookup(path string, instances []*Instance, stale map[staleKey]bool, now time.Time) error {
	var kept [][]string
	if len(stale) > 0 {
		var err error
		if kept, err = staleRows(path, stale, now); err != nil {
			return err
		}
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(InstancesHeader); err != nil {
			return err
		}
		// Both lists are sorted by account, region, instance id and never
		// share an account/region pair: merge them.
		less := func(a []string, b *Instance) bool {
			return a[0] < b.AccountID || (a[0] == b.AccountID && (a[2] < b.Region || (a[2] == b.Region && a[4] < b.ID)))
		}
		k := 0
		for i := range instances {
			for k < len(kept) && less(kept[k], instances[i]) {
				if err := cw.Write(kept[k]); err != nil {
					return err
				}
				k++
			}
			if err := cw.Write(instances[i].row()); err != nil {
				return err
			}
		}
		for ; k < len(kept); k++ {
			if err := cw.Write(kept[k]); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// staleRows reads the previous ec2_instances.csv (streaming: it may be
// large) and returns its rows of the stale pairs in the current header's
// column order, sorted.
func staleRows(path string, stale map[staleKey]bool, now time.Time) ([][]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", path, err)
	}
	header = slices.Clone(header)
	cols := make([]int, len(InstancesHeader)) // our column → the old file's, -1 when missing
	for i, name := range InstancesHeader {
		cols[i] = slices.Index(header, name)
	}
	if cols[0] < 0 || cols[2] < 0 {
		return nil, nil // not a file this input wrote: nothing to keep
	}
	stamp := now.UTC().Format(time.RFC3339)
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", path, err)
		}
		get := func(col int) string {
			if col < 0 || col >= len(rec) {
				return ""
			}
			return rec[col]
		}
		acct, region := get(cols[0]), get(cols[2])
		if !stale[staleKey{acct, region}] && !stale[staleKey{acct, ""}] {
			continue
		}
		row := make([]string, len(InstancesHeader))
		for i, col := range cols {
			row[i] = strings.Clone(get(col))
		}
		if row[len(row)-1] == "" {
			row[len(row)-1] = stamp
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b []string) int {
		for _, c := range []int{0, 2, 4} {
			if d := strings.Compare(a[c], b[c]); d != 0 {
				return d
			}
		}
		return 0
	})
	return out, nil
}

// writeTypesLookup replaces instancetype.csv with one row per type AWS
// returned, plus every row of the previous file for a type AWS did not
// return (a person's rows), plus a row with what the name tells for types
// seen in instances or reservations but known to neither. Columns a person
// added are kept, after ours; a legacy file keyed by "instancetype" keeps
// that column too. The file is left alone when nothing changed.
func writeTypesLookup(path string, api []InstanceType, factors map[string]float64, seen map[string]bool) error {
	old, err := lookup.Read(path)
	if err != nil {
		return err
	}
	key := slices.Index(old.Header, "instance_type")
	if key < 0 {
		key = slices.Index(old.Header, "instancetype")
	}
	header := slices.Clone(TypesHeader)
	var extras []int // old columns that are not ours
	for i, name := range old.Header {
		if !slices.Contains(TypesHeader, name) && name != "" {
			extras = append(extras, i)
			header = append(header, name)
		}
	}
	oldRows := map[string][]string{}
	if key >= 0 {
		for _, row := range old.Rows {
			if row[key] != "" {
				oldRows[row[key]] = row
			}
		}
	}
	withExtras := func(row []string, typ string) []string {
		prev := oldRows[typ]
		for _, col := range extras {
			v := ""
			if prev != nil {
				v = prev[col]
			}
			if old.Header[col] == "instancetype" {
				v = typ
			}
			row = append(row, v)
		}
		return row
	}
	var rows [][]string
	done := map[string]bool{}
	for _, t := range api {
		family, size := splitType(t.Type)
		rows = append(rows, withExtras([]string{
			t.Type, family, size, itoa(t.VCPU), strconv.FormatInt(t.MemoryMiB, 10), t.Architecture,
			strconv.FormatBool(t.CurrentGeneration), strconv.FormatBool(t.Burstable), factorString(factors[t.Type]),
		}, t.Type))
		done[t.Type] = true
	}
	for typ, prev := range oldRows {
		if done[typ] {
			continue
		}
		row := make([]string, len(TypesHeader))
		for i, name := range TypesHeader {
			if col := slices.Index(old.Header, name); col >= 0 {
				row[i] = prev[col]
			}
		}
		row[0] = typ
		rows = append(rows, withExtras(row, typ))
		done[typ] = true
	}
	for typ := range seen {
		if done[typ] || typ == "" {
			continue
		}
		family, size := splitType(typ)
		rows = append(rows, withExtras([]string{typ, family, size, "", "", "", "", "", factorString(sizeFactor(size))}, typ))
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if slices.Equal(old.Header, header) && slices.EqualFunc(old.Rows, rows, slices.Equal) {
		return nil
	}
	return lookup.Write(path, lookup.Table{Header: header, Rows: rows})
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func factorString(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
