package schemes

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/ini.v1"

	"github.com/aws-ingest/aws-ingest/internal/params"
)

var update = flag.Bool("update", false, "rewrite app/README/inputs.conf.spec and app/default/inputs.conf from the tables")

// The app's spec and defaults are generated from the tables; this test
// fails when they drift (run go test ./internal/schemes -update).
func TestAppFilesMatchTables(t *testing.T) {
	files := map[string]func(*bytes.Buffer) error{
		"../../app/README/inputs.conf.spec": func(b *bytes.Buffer) error { return params.WriteSpec(b, All()...) },
		"../../app/default/inputs.conf":     func(b *bytes.Buffer) error { return params.WriteDefaults(b, All()...) },
	}
	for path, write := range files {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./internal/schemes -update creates it)", err)
		}
		if !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s is not what the tables generate; run go test ./internal/schemes -update", path)
		}
	}
}

// Independently of the generator, read the files back as Splunk would and
// check that they list exactly the tables' parameters and defaults.
func TestAppFilesListEveryParameter(t *testing.T) {
	spec := loadConf(t, "../../app/README/inputs.conf.spec")
	defaults := loadConf(t, "../../app/default/inputs.conf")
	for _, table := range All() {
		var want []string
		wantDefaults := map[string]string{}
		for _, p := range table.Params {
			want = append(want, p.Name)
			want = append(want, p.Aliases...)
			if p.Default != "" {
				wantDefaults[p.Name] = p.Default
			}
		}
		for _, s := range table.Settings {
			wantDefaults[s.Name] = s.Value
		}
		got := spec.Section(table.Name + "://<name>").KeyStrings()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("spec [%s://<name>] lists %v, want %v", table.Name, got, want)
		}
		gotDefaults := defaults.Section(table.Name).KeysHash()
		if len(gotDefaults) != len(wantDefaults) {
			t.Errorf("default/inputs.conf [%s] = %v, want %v", table.Name, gotDefaults, wantDefaults)
		}
		for k, v := range wantDefaults {
			if gotDefaults[k] != v {
				t.Errorf("default/inputs.conf [%s] %s = %q, want %q", table.Name, k, gotDefaults[k], v)
			}
		}
		if gotDefaults["start_by_shell"] != "false" {
			t.Errorf("[%s] must set start_by_shell = false", table.Name)
		}
		args := table.Scheme().Args
		if len(args) != len(want) {
			t.Errorf("%s scheme declares %d args, spec %d", table.Name, len(args), len(want))
		}
	}
}

func loadConf(t *testing.T, path string) *ini.File {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string // spec files comment with "*" bullets, which ini does not know
	for line := range strings.Lines(string(raw)) {
		if !strings.HasPrefix(line, "*") {
			kept = append(kept, line)
		}
	}
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, KeyValueDelimiters: "="}, []byte(strings.Join(kept, "")))
	if err != nil {
		t.Fatalf("%s does not parse as a .conf file: %v", path, err)
	}
	return f
}
