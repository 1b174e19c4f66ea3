package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWritable(t *testing.T) {
	dir := t.TempDir()
	lookup := filepath.Join(dir, "subaccounts.csv")
	if err := os.WriteFile(lookup, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
		ok              bool
	}{
		{"existing", dir, dir + " is writable by ", true},
		{"missing", filepath.Join(dir, "new", "lookups"), filepath.Join(dir, "new", "lookups") + " does not exist yet; " + dir + " is writable by ", true},
		{"a file", file, file + " is not a folder", false},
		{"under a file", filepath.Join(file, "lookups"), file + " is not a folder", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			detail, err := Writable(tt.dir)
			got := detail
			if err != nil {
				got = err.Error()
			}
			if (err == nil) != tt.ok || !strings.HasPrefix(got, tt.want) {
				t.Errorf("Writable(%s) = %q, %v; want %q…", tt.dir, detail, err, tt.want)
			}
		})
	}
	// Nothing left behind or created; the lookup untouched.
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the probe left or created something: %v", entries)
	}
	if data, _ := os.ReadFile(lookup); string(data) != "a,b\n" {
		t.Errorf("the lookup changed: %q", data)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := Writable(ro); err == nil || !strings.Contains(err.Error(), "is not writable by") {
			t.Errorf("read-only folder: %v", err)
		}
	}
}
