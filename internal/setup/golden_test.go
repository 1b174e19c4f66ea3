package setup

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// runCommand runs a subcommand in-process and returns stdout and stderr.
func runCommand(t *testing.T, cmd func(context.Context, *cli.Env, []string) error, stdin []byte, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: bytes.NewReader(stdin), Stdout: &stdout, Stderr: &stderr}
	err := cmd(t.Context(), env, args)
	return stdout.String(), stderr.String(), err
}
