package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/params"
)

// Program describes one binary.
type Program struct {
	Table   *params.Table // its scheme; Table.Name is the binary's name
	Version string
	// Run ingests one stanza until ctx is cancelled (long-running inputs) or
	// one pass is done (scheduled inputs).
	Run func(ctx context.Context, job *Job) error
	// Check, when set, runs after the static checks of --validate-arguments
	// (live checks: credentials, the queue). Its error is shown in the UI.
	Check func(ctx context.Context, job *Job) error
	// Commands are the subcommands a person runs (setup, policy, replay ...).
	Commands []Command
}

// Command is a human subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) error
}

// Env is the process's standard streams, for subcommands.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
}

// Job is one configured input as the source sees it.
type Job struct {
	Stanza string // scheme://name
	App    string
	Params params.Values
	Splunk params.Splunk
	Server modinput.Server
	// Events is the only way to write to stdout. Sources acknowledge work
	// (delete an SQS message) only after Events.Sync returns.
	Events *modinput.Writer
	Log    *slog.Logger
}

// NotImplemented is the Run of a source whose issue has not landed yet.
func NotImplemented(context.Context, *Job) error { return errors.New("not implemented yet") }

// Flags returns a FlagSet for a subcommand of binary: its usage goes to
// stderr as "usage: <binary> <synopsis>" and the flags' defaults.
func Flags(env *Env, binary, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: %s %s\n", binary, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// ParseFlags parses args; a bad flag (already reported by fs) is ErrUsage,
// -h (usage printed) is ErrHelp. Either way the command returns the error
// at once.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return ErrUsage
	}
	return nil
}

// UsageError reports a usage problem with the usage text and returns
// ErrUsage (exit code 2).
func UsageError(env *Env, fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(env.Stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return ErrUsage
}
