// Package splunkd runs a modular-input binary the way splunkd does, for
// end-to-end tests: "--scheme", "--validate-arguments" with an <items>
// document on stdin, and run mode with an <input> document on stdin, the
// event stream read from stdout, the log from stderr, and SIGTERM to stop.
package splunkd

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildMu sync.Mutex
	built   = map[string]string{} // package path → binary
	binDir  string
)

// Build compiles a main package (e.g. "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")
// once per test process and returns the binary's path. The binary's name is
// the package's last element, as splunkd requires.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[pkg]; ok {
		return bin
	}
	if binDir == "" {
		dir, err := os.MkdirTemp("", "aws-ingest-bin-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = dir // removed with the OS temp dir; shared by every test of the process
	}
	bin := filepath.Join(binDir, filepath.Base(pkg))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built[pkg] = bin
	return bin
}

// Result is what one invocation left behind.
type Result struct {
	Stdout []byte
	Stderr string
	Code   int
}

// Invoke runs bin with args and stdin to completion (at most a minute).
func Invoke(t testing.TB, bin string, stdin []byte, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running %s %v: %v", filepath.Base(bin), args, err)
		}
		code = ee.ExitCode()
	}
	return Result{Stdout: stdout.Bytes(), Stderr: stderr.String(), Code: code}
}

// Stanza is one input stanza as splunkd passes it.
type Stanza struct {
	Name   string // scheme://name
	App    string
	Params map[string]string
}

// Definition is what splunkd writes on the stdin of run mode.
type Definition struct {
	ServerHost    string
	ServerURI     string
	SessionKey    string
	CheckpointDir string
	Stanzas       []Stanza
}

// InputXML renders the run-mode <input> document. splunkd adds its own
// settings (host, index, interval, disabled ...) to every stanza; pass them
// in Params as a test needs them.
func (d Definition) InputXML() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<input>\n")
	d.writeServer(&b)
	b.WriteString("  <configuration>\n")
	for _, st := range d.Stanzas {
		fmt.Fprintf(&b, "    <stanza name=%q app=%q>\n", esc(st.Name), esc(st.App))
		writeParams(&b, st.Params, "      ")
		b.WriteString("    </stanza>\n")
	}
	b.WriteString("  </configuration>\n</input>\n")
	return b.Bytes()
}

// ItemsXML renders the --validate-arguments <items> document for one stanza.
func (d Definition) ItemsXML(item Stanza) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<items>\n")
	d.writeServer(&b)
	fmt.Fprintf(&b, "  <item name=%q>\n", esc(item.Name))
	writeParams(&b, item.Params, "    ")
	b.WriteString("  </item>\n</items>\n")
	return b.Bytes()
}

func (d Definition) writeServer(b *bytes.Buffer) {
	fmt.Fprintf(b, "  <server_host>%s</server_host>\n  <server_uri>%s</server_uri>\n", esc(d.ServerHost), esc(d.ServerURI))
	fmt.Fprintf(b, "  <session_key>%s</session_key>\n  <checkpoint_dir>%s</checkpoint_dir>\n", esc(d.SessionKey), esc(d.CheckpointDir))
}

func writeParams(b *bytes.Buffer, params map[string]string, indent string) {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(b, "%s<param name=%q>%s</param>\n", indent, esc(k), esc(params[k]))
	}
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Process is a binary running in run mode.
type Process struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// Start runs bin in run mode with def on stdin. Like splunkd, it keeps
// stdin open until the process ends.
func Start(t testing.TB, bin string, input []byte, env []string) *Process {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	p := &Process{t: t, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Write(input); err != nil {
		t.Fatalf("writing the input definition: %v", err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// Stop sends SIGTERM (splunkd's stop) and waits up to timeout for the exit.
func (p *Process) Stop(timeout time.Duration) Result {
	p.t.Helper()
	_ = p.cmd.Process.Signal(terminate)
	return p.Wait(timeout)
}

// Kill ends the process with SIGKILL, as a crash or an OOM kill would, and
// waits for it.
func (p *Process) Kill() {
	p.t.Helper()
	_ = p.cmd.Process.Kill()
	<-p.done
	_ = p.stdin.Close()
}

// Wait waits up to timeout for the process to exit by itself.
func (p *Process) Wait(timeout time.Duration) Result {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s did not exit within %s; stderr:\n%s", filepath.Base(p.cmd.Path), timeout, p.stderr.String())
	}
	_ = p.stdin.Close()
	return Result{Stdout: p.stdout.Bytes(), Stderr: p.stderr.String(), Code: p.cmd.ProcessState.ExitCode()}
}

// Stdout returns what the process wrote to stdout so far.
func (p *Process) Stdout() []byte { return p.stdout.Bytes() }

// Stderr returns what the process logged so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// WaitFor polls until cond holds on the output so far, or fails the test.
func (p *Process) WaitFor(timeout time.Duration, what string, cond func(stdout []byte, stderr string) bool) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(p.stdout.Bytes(), p.stderr.String()) {
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out after %s waiting for %s; stderr:\n%s", timeout, what, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *syncBuffer) String() string { return string(b.Bytes()) }
