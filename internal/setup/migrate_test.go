package setup

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"gopkg.in/ini.v1"
)

// The inputs in testdata/migrate/*.conf; each has a golden *.conf.golden.
func TestMigrateInputsGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/migrate/*.conf")
	if len(files) == 0 {
		t.Fatal("no testdata/migrate/*.conf")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, stderr, err := runCommand(t, MigrateInputsCommand, nil, f)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			golden(t, strings.TrimPrefix(f, "testdata/")+".golden", []byte(out))
			checkMigrated(t, []byte(out))
		})
	}
}

// checkMigrated loads the output as Splunk would and checks every new
// stanza passes the input's own validation.
func checkMigrated(t *testing.T, out []byte) {
	t.Helper()
	f, err := ini.LoadSources(ini.LoadOptions{AllowPythonMultilineValues: false, IgnoreInlineComment: true,
		SpaceBeforeInlineComment: true, AllowShadows: true}, out)
	if err != nil {
		t.Fatalf("output is not a valid .conf file: %v", err)
	}
	for _, sec := range f.Sections() {
		name, ok := strings.CutPrefix(sec.Name(), schemes.CloudTrail.Name+"://")
		if !ok {
			if strings.HasPrefix(sec.Name(), LegacyScheme+"://") {
				t.Errorf("stanza %s was not migrated", sec.Name())
			}
			continue
		}
		params := map[string]string{}
		for _, k := range sec.Keys() {
			params[k.Name()] = k.Value()
		}
		if _, err := schemes.CloudTrail.Parse(modinput.Stanza{Name: sec.Name(), Params: params}); err != nil {
			t.Errorf("migrated stanza %s is not valid for %s: %v", name, schemes.CloudTrail.Name, err)
		}
	}
}

// Everything that is not a legacy stanza's header or one of its noted
// parameters comes out byte for byte.
func TestMigrateInputsKeepsTheRest(t *testing.T) {
	in := "# top\r\n[aws_cloudtrail://a]\r\nkey_id = K\r\nsecret_key = S\r\nsqs_queue = q\r\nsqs_queue_region = us-west-2\r\n" +
		"[other://x]\r\nscript_iterations = 5\r\ninterval = \\\r\n  30\r\n[aws_cloudtrail://b]\nscript_iterations = 7"
	out, res := MigrateInputs([]byte(in))
	if !slices.Equal(res.Stanzas, []string{"a", "b"}) {
		t.Errorf("stanzas %q", res.Stanzas)
	}
	// Removing the added comment lines and the "# " of disabled lines gives back the input
	// with the new scheme name.
	var back []string
	for line := range strings.SplitAfterSeq(string(out), "\n") {
		if strings.HasPrefix(line, "# aws_ingest:") {
			continue
		}
		back = append(back, strings.TrimPrefix(line, "# script_iterations"))
	}
	restored := strings.ReplaceAll(strings.Join(back, ""), "[aws_ingest_cloudtrail://", "[aws_cloudtrail://")
	restored = strings.ReplaceAll(restored, "\n = 7", "\nscript_iterations = 7")
	if restored != in {
		t.Errorf("round trip:\n%q\nwant\n%q", restored, in)
	}
	if !bytes.Contains(out, []byte("# aws_ingest: key_id is deprecated")) || !bytes.Contains(out, []byte("\r\n")) {
		t.Errorf("output:\n%s", out)
	}
	if bytes.Contains(out, []byte("# aws_ingest: script_iterations is ignored: aws_ingest_cloudtrail runs until Splunk stops it\r\n# script_iterations = 5")) {
		t.Error("a stanza of another input was changed")
	}
}

func TestMigrateInputsNoLegacy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "inputs.conf")
	in := "[monitor:///var/log]\nindex = main\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCommand(t, MigrateInputsCommand, nil, path)
	if err != nil || out != in || !strings.Contains(stderr, "no [aws_cloudtrail://") {
		t.Errorf("err %v, out %q, stderr %q", err, out, stderr)
	}
}
