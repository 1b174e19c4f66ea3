package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// The test binary doubles as a modular input (CLI_TEST_SOURCE=<behaviour>)
// so that signals and pipes are tested on a real process.
func TestMain(m *testing.M) {
	if behaviour := os.Getenv("CLI_TEST_SOURCE"); behaviour != "" {
		ctx, stop := cli.Signals()
		code := cli.Main(ctx, cli.Program{Table: schemes.CloudTrail, Version: "test", Run: sources[behaviour]}, nil, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

var sources = map[string]func(context.Context, *cli.Job) error{
	// streams an event every 5 ms until told to stop, then syncs: a
	// well-behaved long-running source.
	"streams": func(ctx context.Context, job *cli.Job) error {
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
			if err := job.Events.Write(ctx, modinput.Event{Data: fmt.Appendf(nil, `{"n":%d}`, i)}); err != nil {
				return err
			}
		}
	},
	// ignores cancellation: the program must still exit.
	"stuck": func(ctx context.Context, job *cli.Job) error {
		_ = job.Events.Write(ctx, modinput.Event{Data: []byte("one")})
		select {}
	},
}

func startSource(t *testing.T, behaviour string) *splunkd.Process {
	def := server
	def.Stanzas = []splunkd.Stanza{{Name: "aws_ingest_cloudtrail://t", Params: map[string]string{"sqs_queue": "q", "sqs_queue_region": "us-east-1"}}}
	return splunkd.Start(t, os.Args[0], def.InputXML(), []string{"CLI_TEST_SOURCE=" + behaviour})
}

func TestSIGTERMClosesTheStreamAndExitsZero(t *testing.T) {
	p := startSource(t, "streams")
	p.WaitFor(10*time.Second, "a few events", func(out []byte, _ string) bool { return strings.Count(string(out), "<done/>") >= 3 })
	start := time.Now()
	res := p.Stop(5 * time.Second)
	if res.Code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0; stderr:\n%s", res.Code, res.Stderr)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s to stop", took)
	}
	events, err := splunkd.ParseStream(res.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 3 || events[0].Data != `{"n":0}` {
		t.Errorf("events = %+v", events)
	}
	if !strings.Contains(res.Stderr, "INFO stopped") {
		t.Errorf("no stop line: %s", res.Stderr)
	}
}

func TestStuckSourceStillExits(t *testing.T) {
	p := startSource(t, "stuck")
	p.WaitFor(10*time.Second, "the start line", func(_ []byte, stderr string) bool { return strings.Contains(stderr, "INFO starting") })
	res := p.Stop(8 * time.Second)
	if res.Code != 1 || !strings.Contains(res.Stderr, "did not stop within") {
		t.Errorf("exit %d, stderr %s; want 1 and an ERROR saying the source did not stop", res.Code, res.Stderr)
	}
	if _, err := splunkd.ParseStream(res.Stdout); err != nil {
		t.Errorf("stream not closed: %v", err)
	}
}

func TestClosedStdoutEndsQuietly(t *testing.T) {
	def := server
	def.Stanzas = []splunkd.Stanza{{Name: "aws_ingest_cloudtrail://t", Params: map[string]string{"sqs_queue": "q", "sqs_queue_region": "us-east-1"}}}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "CLI_TEST_SOURCE=streams")
	cmd.Stdin = strings.NewReader(string(def.InputXML()))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil { // "<stream>"
		t.Fatal(err)
	}
	stdout.Close() // splunkd went away
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v, want 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the input kept running with nobody reading its stdout")
	}
	if strings.Contains(stderr.String(), "ERROR") {
		t.Errorf("a closed stdout is not an error worth logging: %s", stderr.String())
	}
}
