package appdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	app := filepath.Join(root, "etc", "apps", ID)
	for _, dir := range []string{"default", "bin", "linux_x86_64/bin"} {
		if err := os.MkdirAll(filepath.Join(app, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(app, "default", "app.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, exe := range []string{"linux_x86_64/bin/aws_ingest_billing", "bin/aws_ingest_billing"} {
		got, err := Find(filepath.Join(app, exe))
		if err != nil || got != app {
			t.Errorf("Find(%s) = %q, %v; want %q", exe, got, err, app)
		}
	}
	t.Setenv("SPLUNK_HOME", root)
	if got, err := Find("/usr/local/bin/aws_ingest_billing"); err != nil || got != app {
		t.Errorf("fallback to SPLUNK_HOME = %q, %v", got, err)
	}
	t.Setenv("SPLUNK_HOME", "")
	if _, err := Find("/usr/local/bin/aws_ingest_billing"); err == nil {
		t.Error("no error outside an app")
	}
}
