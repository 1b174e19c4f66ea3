package preflight

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/preflight/preflighttest"
)

const conf = `[default]
host = idx01

[demo]
index = aws

[demo://healthy]
thing = ok

[demo://broken]
thing = broken

[demo://invalid]
thing = ok
nonsense_that_is_fine = 1
size = not-a-number

[demo://off]
thing = ok
disabled = 1

[monitor:///var/log]
index = os
`

var demo = &params.Table{Name: "demo", Params: []params.Param{
	{Name: "thing", Kind: params.Text},
	{Name: "size", Kind: params.Integer},
}}

// demoCheck passes or fails on the stanza's thing, and records what the job
// looked like.
func demoCheck(jobs *[]*cli.Job) Check {
	return func(_ context.Context, job *cli.Job, r *Report) {
		*jobs = append(*jobs, job)
		if job.Params.String("thing") == "broken" {
			r.Fail("thing", "it is broken", "mend the thing")
			return
		}
		r.Pass("thing", "index "+job.Splunk.Index)
	}
}

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "inputs.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCheck(t *testing.T, check Check, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr}
	err := Command(demo, check).Run(t.Context(), env, args)
	return stdout.String(), stderr.String(), err
}

func TestCommandAllStanzas(t *testing.T) {
	var jobs []*cli.Job
	out, _, err := runCheck(t, demoCheck(&jobs), "", "--inputs-conf", writeConf(t, conf))
	if err == nil || err.Error() != "2 check(s) failed" {
		t.Errorf("err = %v, want 2 failures\n%s", err, out)
	}
	for _, want := range []struct{ mark, stanza, check string }{
		{Pass, "demo://healthy", "parameters"},
		{Pass, "demo://healthy", "thing"},
		{Fail, "demo://broken", "thing"},
		{Fail, "demo://invalid", "parameters"},
		{Skip, "demo://off", "stanza"},
	} {
		if !preflighttest.HasRow(out, want.mark, want.stanza, want.check, "") {
			t.Errorf("no row %v in\n%s", want, out)
		}
	}
	if !strings.Contains(out, "To fix:\n  demo://broken thing: mend the thing\n  demo://invalid parameters: correct the stanza") {
		t.Errorf("fixes:\n%s", out)
	}
	if !strings.Contains(out, "size") {
		t.Errorf("the parameter problem does not name the parameter:\n%s", out)
	}
	// Only stanzas whose parameters parse reach the input's check, with
	// [default] and [demo] applied.
	if len(jobs) != 2 || jobs[0].Stanza != "demo://healthy" || jobs[0].Splunk.Index != "aws" || jobs[0].Splunk.Host != "idx01" {
		t.Fatalf("jobs %+v", jobs)
	}
	if jobs[0].Events != nil || !jobs[0].Server.SessionKey.IsZero() {
		t.Errorf("a check job must not write events nor hold a session: %+v", jobs[0])
	}
}

func TestCommandOneStanza(t *testing.T) {
	path := writeConf(t, conf)
	var jobs []*cli.Job
	for _, name := range []string{"off", "demo://off"} {
		jobs = nil
		out, _, err := runCheck(t, demoCheck(&jobs), "", "--inputs-conf", path, "--stanza", name)
		if err != nil || !preflighttest.HasRow(out, Pass, "demo://off", "thing", "") || len(jobs) != 1 {
			t.Errorf("--stanza %s (disabled, named): %v\n%s", name, err, out)
		}
	}
	_, _, err := runCheck(t, demoCheck(&jobs), "", "--inputs-conf", path, "--stanza", "nope")
	if err == nil || !strings.Contains(err.Error(), "no stanza [demo://nope]") {
		t.Errorf("unknown stanza: %v", err)
	}
	_, _, err = runCheck(t, demoCheck(&jobs), "", "--inputs-conf", writeConf(t, "[monitor:///x]\n"))
	if err == nil || !strings.Contains(err.Error(), "no [demo://...] stanza") {
		t.Errorf("no stanza: %v", err)
	}
	_, _, err = runCheck(t, demoCheck(&jobs), "", "--inputs-conf", path, "extra")
	if err == nil {
		t.Error("an extra argument was accepted")
	}
}

func TestCommandLogsInForAWSAccount(t *testing.T) {
	const password, key = "pw-from-stdin", "session-key-123"
	splunkd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services/auth/login" || r.FormValue("username") != "admin" || r.FormValue("password") != password {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"sessionKey":"`+key+`"}`)
	}))
	t.Cleanup(splunkd.Close)
	path := writeConf(t, conf)
	var jobs []*cli.Job
	_, stderr, err := runCheck(t, demoCheck(&jobs), password+"\n", "--inputs-conf", path, "--stanza", "healthy",
		"--splunk-user", "admin", "--splunkd-uri", splunkd.URL)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("err %v, jobs %d, stderr %s", err, len(jobs), stderr)
	}
	if s := jobs[0].Server; s.URI != splunkd.URL || s.SessionKey.Reveal() != key {
		t.Errorf("server %q, key %q", s.URI, s.SessionKey.Reveal())
	}
	if strings.Contains(stderr, password) {
		t.Error("the password was echoed")
	}

	t.Setenv("SPLUNK_PASSWORD", "wrong")
	_, _, err = runCheck(t, demoCheck(&jobs), password+"\n", "--inputs-conf", path, "--splunk-user", "admin", "--splunkd-uri", splunkd.URL)
	if err == nil || !strings.Contains(err.Error(), "wrong user or password") {
		t.Errorf("$SPLUNK_PASSWORD is not preferred to stdin: %v", err)
	}
}

func TestLoadStanzasLayers(t *testing.T) {
	def := writeConf(t, conf)
	local := writeConf(t, "[demo://healthy]\nthing = changed\n\n[demo]\nindex = local-index\n")
	st, err := LoadStanzas("demo", def, local, filepath.Join(t.TempDir(), "missing.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 4 || st[0].Name != "demo://healthy" {
		t.Fatalf("stanzas %+v", st)
	}
	p := st[0].Params
	if p["thing"] != "changed" || p["host"] != "idx01" || p["index"] != "local-index" {
		t.Errorf("layered params %v", p)
	}
	if _, err := LoadStanzas("demo", filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Error("no file at all is not an error")
	}
}

func TestInputsLayersOrder(t *testing.T) {
	etc := t.TempDir()
	for _, app := range []string{"A_puppet", "aws_ingest", "search"} {
		if err := os.MkdirAll(filepath.Join(etc, "apps", app, "local"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A stray file among the apps is no app.
	if err := os.WriteFile(filepath.Join(etc, "apps", "README"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := inputsLayers(etc)
	rel := make([]string, len(got))
	for i, f := range got {
		rel[i], _ = filepath.Rel(etc, f)
	}
	want := []string{"system/default/inputs.conf",
		"apps/search/default/inputs.conf", "apps/aws_ingest/default/inputs.conf", "apps/A_puppet/default/inputs.conf",
		"apps/search/local/inputs.conf", "apps/aws_ingest/local/inputs.conf", "apps/A_puppet/local/inputs.conf",
		"system/local/inputs.conf"}
	if strings.Join(rel, " ") != filepath.FromSlash(strings.Join(want, " ")) {
		t.Errorf("layers\n got %v\nwant %v", rel, want)
	}
}

// A layer that exists but cannot be read is an error, not a layer skipped:
// splunkd, running as another user, would apply it.
func TestLoadStanzasUnreadableLayer(t *testing.T) {
	dir := t.TempDir()
	notDir := writeConf(t, "x")
	if _, err := LoadStanzas("demo", writeConf(t, conf), filepath.Join(notDir, "inputs.conf")); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("a layer under a file: err = %v", err)
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	layer := filepath.Join(locked, "inputs.conf")
	if err := os.WriteFile(layer, []byte("[demo://x]\ndisabled = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(locked, 0o700) })
	if _, err := LoadStanzas("demo", writeConf(t, conf), layer); err == nil || !strings.Contains(err.Error(), "cannot read "+layer) {
		t.Errorf("unreadable layer: err = %v", err)
	}
}
