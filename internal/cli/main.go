package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// shutdownGrace bounds how long a source may take to stop after a signal
// before the program closes the stream and exits anyway; splunkd kills
// inputs that outlive its own grace period.
const shutdownGrace = 4 * time.Second

// Main runs the program with the given arguments (without the program name)
// and returns the exit code. ctx is cancelled on SIGTERM/SIGINT by the
// caller (see Signals).
func Main(ctx context.Context, p Program, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return p.runMode(ctx, stdin, stdout, stderr)
	}
	switch strings.ToLower(args[0]) {
	case "--scheme":
		return p.scheme(stdout, stderr)
	case "--validate-arguments":
		return p.validate(ctx, stdin, stdout)
	case "version", "--version":
		fmt.Fprintf(stdout, "%s %s\n", p.Table.Name, p.version())
		return exitOK
	case "help", "-h", "--help":
		p.usage(stdout)
		return exitOK
	}
	for _, c := range p.Commands {
		if c.Name == args[0] {
			log := slog.New(modinput.NewLogHandler(stderr, logLevel()))
			env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Log: log}
			if err := c.Run(ctx, env, args[1:]); err != nil {
				if errors.Is(err, ErrHelp) {
					return exitOK
				}
				if errors.Is(err, ErrUsage) {
					return exitUsage
				}
				fmt.Fprintf(stderr, "%s %s: %v\n", p.Table.Name, c.Name, err)
				return exitError
			}
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "ERROR %s: unknown argument %q; run %s help\n", p.Table.Name, args[0], p.Table.Name)
	return exitUsage
}

// ErrUsage reports a usage error the command has already explained.
var ErrUsage = errors.New("usage")

// ErrHelp reports that the command printed its usage because it was asked
// to (-h, --help): nothing else is done, and the exit code is 0.
var ErrHelp = errors.New("help shown")

func (p Program) usage(w io.Writer) {
	fmt.Fprintf(w, "%s %s: %s.\n\n", p.Table.Name, p.version(), p.Table.Title)
	fmt.Fprintf(w, "splunkd runs it as a modular input:\n")
	fmt.Fprintf(w, "  %s                       read the input definition on stdin, stream events on stdout\n", p.Table.Name)
	fmt.Fprintf(w, "  %s --scheme              print the scheme\n", p.Table.Name)
	fmt.Fprintf(w, "  %s --validate-arguments  check an input definition read on stdin\n\n", p.Table.Name)
	fmt.Fprintf(w, "Commands:\n")
	width := len("version")
	for _, c := range p.Commands {
		width = max(width, len(c.Name))
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "version", "print the version")
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "print this help")
	for _, c := range p.Commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nParameters are documented in the app's README/inputs.conf.spec.\n")
}

func (p Program) version() string {
	if p.Version != "" && p.Version != "(devel)" {
		return p.Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func (p Program) scheme(stdout, stderr io.Writer) int {
	if _, err := p.Table.Scheme().WriteTo(stdout); err != nil {
		fmt.Fprintf(stderr, "ERROR writing the scheme: %v\n", err)
		return exitError
	}
	return exitOK
}

// validate answers --validate-arguments: nothing and exit 0, or one
// <error><message> naming every problem and exit 1. Nothing goes to stderr.
func (p Program) validate(ctx context.Context, stdin io.Reader, stdout io.Writer) int {
	reject := func(msg string) int {
		_ = modinput.WriteValidationError(stdout, msg)
		return exitError
	}
	def, err := modinput.ReadValidation(stdin)
	if err != nil {
		return reject(err.Error())
	}
	parsed, err := p.Table.Parse(def.Item)
	var problems []string
	if err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	problems = append(problems, parsed.Warnings...) // a typo in the UI is worth stopping for
	if len(problems) > 0 {
		return reject(strings.Join(problems, "; "))
	}
	if p.Check != nil {
		job := &Job{Stanza: def.Item.Name, App: def.Item.App, Params: parsed.Values, Splunk: parsed.Splunk,
			Server: def.Server, Log: slog.New(slog.DiscardHandler)}
		if err := p.Check(ctx, job); err != nil {
			return reject(err.Error())
		}
	}
	return exitOK
}

func logLevel() slog.Level {
	if strings.EqualFold(os.Getenv("AWS_INGEST_LOG_LEVEL"), "debug") {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// runMode reads the input definition and runs the source until it returns
// or the program is told to stop.
func (p Program) runMode(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) int {
	log := slog.New(modinput.NewLogHandler(stderr, logLevel()))
	def, err := modinput.ReadInput(stdin)
	if err != nil {
		log.Error(err.Error())
		return exitError
	}
	if len(def.Stanzas) != 1 {
		log.Error(fmt.Sprintf("input definition has %d stanzas; %s runs one stanza per process (use_single_instance = false)", len(def.Stanzas), p.Table.Name))
		return exitError
	}
	st := def.Stanzas[0]
	log = log.With("stanza", st.Name)
	if st.Scheme() != p.Table.Name {
		log.Error(fmt.Sprintf("stanza belongs to scheme %q, not %s", st.Scheme(), p.Table.Name))
		return exitError
	}
	parsed, err := p.Table.Parse(st)
	for _, w := range parsed.Warnings {
		log.Warn(w)
	}
	if err != nil {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			log.Error(line)
		}
		return exitError
	}
	log.Info("starting", "version", p.version())

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go watchParent(ctx, cancel)
	events := modinput.NewWriter(stdout, modinput.WriterOptions{OnError: func(err error) { cancel(fmt.Errorf("stdout: %w", err)) }})
	job := &Job{Stanza: st.Name, App: st.App, Params: parsed.Values, Splunk: parsed.Splunk, Server: def.Server, Events: events, Log: log}

	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, job) }()
	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
		select {
		case runErr = <-done:
		case <-time.After(shutdownGrace):
			runErr = fmt.Errorf("the source did not stop within %s of %v", shutdownGrace, context.Cause(ctx))
		}
	}
	closeErr := events.Close()
	return exitCode(ctx, log, runErr, closeErr)
}

// exitCode logs how the run ended and picks the exit code: a stop asked for
// (signal, splunkd gone, stdout closed) is a normal end.
func exitCode(ctx context.Context, log *slog.Logger, runErr, closeErr error) int {
	cause := context.Cause(ctx)
	if errors.Is(closeErr, syscall.EPIPE) || errors.Is(cause, syscall.EPIPE) {
		return exitOK // splunkd closed our stdout: nobody is listening, nothing to report
	}
	if runErr != nil && !(ctx.Err() != nil && errors.Is(runErr, context.Canceled)) {
		log.Error(runErr.Error())
		return exitError
	}
	if closeErr != nil {
		log.Error("writing events: " + closeErr.Error())
		return exitError
	}
	if ctx.Err() != nil {
		log.Info("stopped", "reason", cause)
	}
	return exitOK
}

// watchParent stops the program when splunkd dies: the process is then
// re-parented and would otherwise run on as an orphan.
func watchParent(ctx context.Context, cancel context.CancelCauseFunc) {
	parent := os.Getppid()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if os.Getppid() != parent {
				cancel(errors.New("splunkd (the parent process) exited"))
				return
			}
		}
	}
}
