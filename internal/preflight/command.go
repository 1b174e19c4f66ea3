package preflight

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/appdir"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/secret"
	"github.com/aws-ingest/aws-ingest/internal/splunkrest"
)

// Check exercises what the input needs for one stanza and records a row per
// step in r. job is the stanza as the input would see it; it has no Events
// (a check writes nothing to Splunk) and a Server only when the person
// logged in to splunkd (--splunk-user).
type Check func(ctx context.Context, job *cli.Job, r *Report)

// Command is the `check` subcommand of the binary whose scheme is table.
func Command(table *params.Table, check Check) cli.Command {
	return cli.Command{
		Name:    "check",
		Summary: "preflight: load the stanzas as splunkd would and try every permission the input needs",
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			return run(ctx, env, args, table, check)
		},
	}
}

func run(ctx context.Context, env *cli.Env, args []string, table *params.Table, check Check) error {
	fs := cli.Flags(env, table.Name, "check", "check [--inputs-conf FILE] [--stanza NAME] [--splunk-user USER [--splunkd-uri URI]]")
	var conf, only, user, uri string
	fs.StringVar(&conf, "inputs-conf", "", "inputs.conf to read (default: every inputs.conf of this Splunk installation, layered as splunkd does)")
	fs.StringVar(&only, "stanza", "", "check only this stanza (NAME or "+table.Name+"://NAME), even when disabled")
	fs.StringVar(&user, "splunk-user", "", "log in to splunkd as USER (password from $SPLUNK_PASSWORD or the first line of a piped stdin) to read aws_account credentials")
	fs.StringVar(&uri, "splunkd-uri", "https://127.0.0.1:8089", "splunkd's management URI, with --splunk-user")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.UsageError(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	var server modinput.Server
	files := []string{conf}
	if app, err := appdir.Current(); err == nil {
		home := filepath.Dir(filepath.Dir(filepath.Dir(app))) // <home>/etc/apps/<app>
		server.CheckpointDir = filepath.Join(home, "var", "lib", "splunk", "modinputs", table.Name)
		if conf == "" {
			files = inputsLayers(filepath.Join(home, "etc"))
		}
	} else if conf == "" {
		return fmt.Errorf("%w (or pass --inputs-conf)", err)
	}
	if user != "" {
		key, err := login(ctx, env, uri, user)
		if err != nil {
			return err
		}
		server.URI, server.SessionKey = uri, key
	}

	stanzas, err := LoadStanzas(table.Name, files...)
	if err != nil {
		return err
	}
	if only != "" && !strings.Contains(only, "://") {
		only = table.Name + "://" + only
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var rows []Row
	for _, st := range stanzas {
		r := Report{Stanza: st.Name}
		switch {
		case only != "" && st.Name != only:
			continue
		case only == "" && splunkTrue(st.Params["disabled"]):
			r.Skip("stanza", "disabled (name it with --stanza to check it)")
		default:
			checkStanza(ctx, table, st, server, log, check, &r)
		}
		rows = append(rows, r.Rows...)
	}
	if len(rows) == 0 {
		if only != "" {
			return fmt.Errorf("no stanza [%s] in %s", only, strings.Join(files, ", "))
		}
		return fmt.Errorf("no [%s://...] stanza in %s", table.Name, strings.Join(files, ", "))
	}
	if failed := Print(env.Stdout, rows); failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

func checkStanza(ctx context.Context, table *params.Table, st modinput.Stanza, server modinput.Server, log *slog.Logger, check Check, r *Report) {
	parsed, err := table.Parse(st)
	if err != nil {
		r.Fail("parameters", OneLine(err.Error()), "correct the stanza (see README/inputs.conf.spec)")
		return
	}
	r.Pass("parameters", OneLine(strings.Join(parsed.Warnings, "; ")))
	job := &cli.Job{Stanza: st.Name, App: appdir.ID, Params: parsed.Values, Splunk: parsed.Splunk, Server: server,
		Log: log.With("stanza", st.Name)}
	check(ctx, job, r)
}

// CredentialsFix is the fix of a failed credentials row of job.
func CredentialsFix(job *cli.Job, account string) string {
	if account != "" && job.Server.SessionKey.IsZero() {
		return "aws_account is read from splunkd's storage/passwords: run check with --splunk-user (a user with list_storage_passwords)"
	}
	return "give the input credentials: an instance role, aws_account (a stored credential) or key_id/secret_key; role_arn must trust them"
}

// login asks splunkd for a session key with the password of
// $SPLUNK_PASSWORD or the first line of a piped stdin: never a flag (flags
// show in ps and shell history), never typed on a terminal (which would
// show it; no dependency to turn echo off is worth that).
func login(ctx context.Context, env *cli.Env, uri, user string) (secret.String, error) {
	pw := secret.String(os.Getenv("SPLUNK_PASSWORD"))
	if pw.IsZero() {
		if f, ok := env.Stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				return "", fmt.Errorf("--splunk-user %s: stdin is a terminal, which would show the password; "+
					"set it without echo (read -rs SPLUNK_PASSWORD; export SPLUNK_PASSWORD) or pipe it on stdin", user)
			}
		}
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", fmt.Errorf("--splunk-user %s: no password in $SPLUNK_PASSWORD or on stdin", user)
		}
		pw = secret.String(strings.TrimRight(line, "\r\n"))
	}
	return splunkrest.Login(ctx, uri, user, pw)
}

// inputsLayers lists the inputs.conf files of a Splunk installation from
// lowest to highest precedence, as splunkd merges them for inputs (global
// context): system/default, the apps' default then local folders (an app
// whose folder name sorts first wins), system/local.
func inputsLayers(etc string) []string {
	var apps []string
	entries, _ := os.ReadDir(filepath.Join(etc, "apps"))
	for _, e := range entries {
		if e.IsDir() {
			apps = append(apps, filepath.Join(etc, "apps", e.Name()))
		}
	}
	slices.Sort(apps)
	slices.Reverse(apps)
	files := []string{filepath.Join(etc, "system", "default", "inputs.conf")}
	for _, layer := range []string{"default", "local"} {
		for _, a := range apps {
			files = append(files, filepath.Join(a, layer, "inputs.conf"))
		}
	}
	return append(files, filepath.Join(etc, "system", "local", "inputs.conf"))
}

// OneLine puts a multi-line message on one row.
func OneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }
