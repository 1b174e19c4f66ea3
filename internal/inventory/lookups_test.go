package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/lookup"
)

func TestTypesLookupKeepsPeoplesRowsAndColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), TypesLookup)
	// A legacy hand-made file: keyed by "instancetype", with a price column,
	// a type AWS no longer lists and a type AWS lists (updated below).
	legacy := "instancetype,hourly_price\nm1.small,0.044\nm5.large,0.096\n"
	if err := os.WriteFile(path, []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	api := []InstanceType{
		{Type: "m5.large", VCPU: 2, MemoryMiB: 8192, Architecture: "x86_64", CurrentGeneration: true},
		{Type: "m5.metal", VCPU: 96, MemoryMiB: 393216, Architecture: "x86_64", CurrentGeneration: true, BareMetal: true},
		{Type: "t3.micro", VCPU: 2, MemoryMiB: 1024, Architecture: "x86_64", CurrentGeneration: true, Burstable: true},
	}
	factors := map[string]float64{"m5.large": 4, "m5.metal": 192, "t3.micro": 0.5}
	seen := map[string]bool{"m5.large": true, "x9.huge": true}
	if err := writeTypesLookup(path, api, factors, seen); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := `instance_type,family,size,vcpu,memory_mib,architecture,current_generation,burstable,normalization_factor,instancetype,hourly_price
m1.small,,,,,,,,,m1.small,0.044
m5.large,m5,large,2,8192,x86_64,true,false,4,m5.large,0.096
m5.metal,m5,metal,96,393216,x86_64,true,false,192,m5.metal,
t3.micro,t3,micro,2,1024,x86_64,true,true,0.5,t3.micro,
x9.huge,x9,huge,,,,,,,x9.huge,
`
	if string(got) != want {
		t.Errorf("instancetype.csv:\n%s\nwant:\n%s", got, want)
	}

	// Nothing new: the file is not rewritten (its mtime stays).
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := writeTypesLookup(path, api, factors, seen); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(old) {
		t.Errorf("an unchanged instancetype.csv was rewritten")
	}

	// A person's row for a type the API does not return survives the next
	// generation, with every column.
	tab, _ := lookup.Read(path)
	tab.Rows = append(tab.Rows, []string{"z1d.custom", "z1d", "custom", "4", "", "", "", "", "", "", "1.5"})
	if err := lookup.Write(path, tab); err != nil {
		t.Fatal(err)
	}
	if err := writeTypesLookup(path, api, factors, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if !strings.Contains(string(got), "\nz1d.custom,z1d,custom,4,,,,,,z1d.custom,1.5\n") || !strings.Contains(string(got), "\nx9.huge,") {
		t.Errorf("a person's or a seen type's row was lost:\n%s", got)
	}
}

func TestInstancesLookupIgnoresForeignFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), InstancesLookup)
	if err := os.WriteFile(path, []byte("something,else\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := map[staleKey]bool{{"111111111111", ""}: true}
	if err := writeInstancesLookup(path, nil, stale, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != strings.Join(InstancesHeader, ",")+"\n" {
		t.Errorf("got %q", got)
	}
}
