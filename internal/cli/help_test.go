package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/params"
)

// A subcommand asked for help prints its usage and does nothing else (exit
// 0); a bad flag is a usage error (exit 2).
func TestSubcommandHelpAndBadFlag(t *testing.T) {
	ran := false
	p := Program{Table: &params.Table{Name: "demo"}, Commands: []Command{{Name: "do", Run: func(_ context.Context, env *Env, args []string) error {
		fs := Flags(env, "demo", "do", "do [--n N]")
		fs.Int("n", 0, "how many")
		if err := ParseFlags(fs, args); err != nil {
			return err
		}
		ran = true
		return nil
	}}}}
	for _, tc := range []struct {
		args []string
		code int
		ran  bool
	}{
		{[]string{"do", "-h"}, exitOK, false},
		{[]string{"do", "--help"}, exitOK, false},
		{[]string{"do", "--nope"}, exitUsage, false},
		{[]string{"do", "--n", "2"}, exitOK, true},
	} {
		ran = false
		var stdout, stderr bytes.Buffer
		code := Main(t.Context(), p, tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != tc.code || ran != tc.ran {
			t.Errorf("%v: exit %d ran %v, want %d and %v (stderr %q)", tc.args, code, ran, tc.code, tc.ran, stderr.String())
		}
		if !tc.ran && !strings.Contains(stderr.String(), "usage: demo do [--n N]") {
			t.Errorf("%v: no usage on stderr: %q", tc.args, stderr.String())
		}
	}
}
