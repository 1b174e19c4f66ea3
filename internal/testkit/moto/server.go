package moto

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

// Binary is the command Start runs, looked up in PATH.
const Binary = "moto_server"

// Timeouts of the process lifecycle.
const (
	readyTimeout = 15 * time.Second // from exec to a 200 on /moto-api/
	stopTimeout  = 5 * time.Second  // from SIGTERM to exit, before Kill
	probeEvery   = 50 * time.Millisecond
	logTail      = 64 << 10
)

// ErrNotInstalled means moto_server is not on PATH. Start wraps it; Require
// turns it into a skip (or, under CI=true, a failure).
var ErrNotInstalled = errors.New("moto_server not installed")

// running matches werkzeug's start-up line, " * Running on http://127.0.0.1:PORT".
var running = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// Server is a running moto_server process.
type Server struct {
	// URL is moto's base URL, "http://127.0.0.1:PORT". Every service is
	// served there.
	URL string

	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has been waited for
	http   *http.Client
	log    tail

	stopOnce sync.Once
	stopErr  error
}

// Start launches moto_server on a free port of 127.0.0.1 and returns once it
// answers requests. ctx bounds the start only: the process runs until Stop.
// If moto_server is not on PATH the error wraps ErrNotInstalled.
func Start(ctx context.Context) (*Server, error) {
	bin, err := exec.LookPath(Binary)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotInstalled, err)
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	// Not exec.CommandContext: the process must outlive ctx.
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", "0")
	cmd.Env = environWithout("MOTO_PORT")
	setProcAttr(cmd)
	// A plain pipe handed to the child: no os/exec copying goroutine for Wait
	// to wait on, and we alone decide how long to read it (until EOF).
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("moto: pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	_ = pw.Close() // the child has its own copy
	if err != nil {
		_ = pr.Close()
		return nil, fmt.Errorf("moto: start %s: %w", bin, err)
	}

	s := &Server{
		cmd:    cmd,
		exited: make(chan struct{}),
		// 127.0.0.1 only, never through a proxy.
		http: &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 5 * time.Second},
	}
	urls := make(chan string, 1)
	go s.drain(pr, urls)
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()

	fail := func(format string, args ...any) (*Server, error) {
		_ = s.Stop()
		return nil, fmt.Errorf("moto: "+format+"\n--- moto_server output ---\n%s", append(args, s.Logs())...)
	}
	select {
	case s.URL = <-urls:
	case <-s.exited:
		return fail("%s exited before it was ready", bin)
	case <-ctx.Done():
		return fail("no %q line from %s: %w", "Running on", bin, ctx.Err())
	}
	for {
		if s.ping(ctx) == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			return fail("%s exited before it was ready", bin)
		case <-ctx.Done():
			return fail("%s/moto-api/ did not answer: %w", s.URL, ctx.Err())
		case <-time.After(probeEvery):
		}
	}
}

// environWithout returns the process environment without the variable
// name. moto's server.py reads int(os.environ.get("MOTO_PORT", 5000)), so an
// inherited MOTO_PORT="" would crash it.
func environWithout(name string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, name+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// drain reads moto's output until EOF, keeps its tail and reports the URL
// from the first "Running on" line. It never stops early: a child writing to
// a pipe nobody reads would block once the pipe buffer is full.
func (s *Server) drain(r *os.File, urls chan<- string) {
	defer r.Close()
	br := bufio.NewReader(r)
	found := false
	for {
		// ReadLine hands over long lines in pieces instead of failing on them.
		line, isPrefix, err := br.ReadLine()
		if len(line) > 0 || (err == nil && !isPrefix) {
			s.log.write(line, !isPrefix)
		}
		if !found {
			if m := running.FindSubmatch(line); m != nil {
				urls <- string(m[1])
				found = true
			}
		}
		if err != nil {
			return
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /moto-api/: %s", resp.Status)
	}
	return nil
}

// Reset wipes all of moto's state: every bucket, queue, topic, trail,
// instance, user and role, in every account and region.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("moto: reset: %w", err)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("moto: reset: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto: reset: %s: %s", resp.Status, body)
	}
	return nil
}

// Exited reports whether the moto_server process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Stop ends moto_server: SIGTERM, up to 5 s to exit, then SIGKILL. It is safe
// to call more than once; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	if s.Exited() {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		// Signals other than Kill are not available everywhere (Windows).
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("moto: kill pid %d: %w", s.cmd.Process.Pid, err)
	}
	select {
	case <-s.exited:
		return fmt.Errorf("moto: pid %d ignored SIGTERM for %v and was killed", s.cmd.Process.Pid, stopTimeout)
	case <-time.After(stopTimeout):
		return fmt.Errorf("moto: pid %d did not exit after SIGKILL", s.cmd.Process.Pid)
	}
}

// Logs returns the last 64 KiB of moto_server's output (stdout and stderr),
// for failure messages.
func (s *Server) Logs() string { return s.log.String() }

// Config returns a hermetic aws.Config for moto in region: static
// credentials "test"/"test", BaseEndpoint = URL, RetryMaxAttempts 1, nothing
// read from the environment or ~/.aws. S3 clients must also set
// UsePathStyle.
func (s *Server) Config(region string) aws.Config {
	return testkit.AWSConfig(s.URL, region)
}

// Env returns the environment variables a child process needs to reach this
// moto through the SDK's default configuration chain, in region
// testkit.DefaultRegion. Append them to the parent's environment; os/exec
// uses the last value of a duplicated key, so these win:
//
//	cmd.Env = append(os.Environ(), srv.Env()...)
//
// To use another region, append "AWS_REGION=<region>" after them.
// Service-specific endpoint variables inherited from the parent (such as
// AWS_ENDPOINT_URL_S3) still take precedence over AWS_ENDPOINT_URL.
// AWS_CA_BUNDLE is left as it is, so a binary that mishandles it fails here
// as it would in production.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + testkit.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + testkit.SecretAccessKey,
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_REGION=" + testkit.DefaultRegion,
		"AWS_DEFAULT_REGION=" + testkit.DefaultRegion,
		"AWS_EC2_METADATA_DISABLED=true",
		// Empty files: ~/.aws/config and ~/.aws/credentials are ignored.
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
}

// tail keeps the last logTail bytes written to it, as lines.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) write(line []byte, eol bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, line...)
	if eol {
		t.buf = append(t.buf, '\n')
	}
	if over := len(t.buf) - logTail; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
