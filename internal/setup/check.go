package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"gopkg.in/ini.v1"

	"github.com/aws-ingest/aws-ingest/internal/appdir"
	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	cloudtrailinput "github.com/aws-ingest/aws-ingest/internal/cloudtrail"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/message"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Result marks of a check row.
const (
	pass = "✓"
	fail = "✗"
	skip = "-"
)

// row is one line of the check table.
type row struct {
	Stanza, Check, Mark, Detail, Fix string
}

// CheckCommand is the preflight a person runs on the indexer: it loads the
// stanzas as splunkd would and exercises every permission the input needs.
func CheckCommand(ctx context.Context, env *cli.Env, args []string) error {
	fs := flags(env, "check", "check [--inputs-conf FILE] [--stanza NAME]")
	var conf, only string
	fs.StringVar(&conf, "inputs-conf", "", "inputs.conf to read (default: the app's default/inputs.conf under local/inputs.conf)")
	fs.StringVar(&only, "stanza", "", "check only this stanza (NAME or "+schemes.CloudTrail.Name+"://NAME), even when disabled")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "unexpected argument %q", fs.Arg(0))
	}
	files := []string{conf}
	if conf == "" {
		app, err := appdir.Current()
		if err != nil {
			return fmt.Errorf("%w (or pass --inputs-conf)", err)
		}
		files = []string{filepath.Join(app, "default", "inputs.conf"), filepath.Join(app, "local", "inputs.conf")}
	}
	stanzas, err := LoadStanzas(files...)
	if err != nil {
		return err
	}
	if only != "" && !strings.Contains(only, "://") {
		only = schemes.CloudTrail.Name + "://" + only
	}
	var rows []row
	for _, st := range stanzas {
		switch {
		case only != "" && st.Name != only:
			continue
		case only == "" && splunkTrue(st.Params["disabled"]):
			rows = append(rows, row{Stanza: st.Name, Check: "stanza", Mark: skip, Detail: "disabled (name it with --stanza to check it)"})
			continue
		}
		rows = append(rows, checkStanza(ctx, st, env.Log)...)
	}
	if len(rows) == 0 {
		if only != "" {
			return fmt.Errorf("no stanza [%s] in %s", only, strings.Join(files, ", "))
		}
		return fmt.Errorf("no [%s://...] stanza in %s", schemes.CloudTrail.Name, strings.Join(files, ", "))
	}
	failed := printRows(env.Stdout, rows)
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

// LoadStanzas reads inputs.conf layers (later files win, key by key) and
// returns the input's stanzas with [default] and [aws_ingest_cloudtrail]
// settings applied under their own, as splunkd does. Missing files are
// skipped.
func LoadStanzas(files ...string) ([]modinput.Stanza, error) {
	var sources []any
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			sources = append(sources, f)
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("none of %s exists", strings.Join(files, ", "))
	}
	cfg, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true, AllowNonUniqueSections: false,
		PreserveSurroundedQuote: true, SkipUnrecognizableLines: false}, sources[0], sources[1:]...)
	if err != nil {
		return nil, err
	}
	base := map[string]string{}
	for _, name := range []string{ini.DefaultSection, "default", schemes.CloudTrail.Name} {
		if sec, err := cfg.GetSection(name); err == nil {
			for _, k := range sec.Keys() {
				base[k.Name()] = k.Value()
			}
		}
	}
	var out []modinput.Stanza
	for _, sec := range cfg.Sections() {
		if !strings.HasPrefix(sec.Name(), schemes.CloudTrail.Name+"://") {
			continue
		}
		p := map[string]string{}
		for k, v := range base {
			p[k] = v
		}
		for _, k := range sec.Keys() {
			p[k.Name()] = k.Value()
		}
		out = append(out, modinput.Stanza{Name: sec.Name(), Params: p})
	}
	return out, nil
}

// checkStanza runs every check of one stanza; a failed prerequisite skips
// the checks that depend on it.
func checkStanza(ctx context.Context, st modinput.Stanza, log *slog.Logger) []row {
	var rows []row
	add := func(check, mark, detail, fix string) {
		rows = append(rows, row{Stanza: st.Name, Check: check, Mark: mark, Detail: detail, Fix: fix})
	}
	parsed, err := schemes.CloudTrail.Parse(st)
	if err != nil {
		add("parameters", fail, strings.ReplaceAll(err.Error(), "\n", "; "), "correct the stanza (see README/inputs.conf.spec)")
		return rows
	}
	detail := ""
	if len(parsed.Warnings) > 0 {
		detail = strings.ReplaceAll(strings.Join(parsed.Warnings, "; "), "\n", "; ")
	}
	add("parameters", pass, detail, "")
	cfg, err := cloudtrailinput.ConfigFrom(parsed.Values, parsed.Splunk)
	if err != nil {
		add("parameters", fail, err.Error(), "correct the stanza")
		return rows
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts, err := awsx.StanzaOptions(parsed.Values, modinput.Server{}, log)
	if err == nil {
		opts.Region, opts.MaxAttempts = cfg.Region, 2
		var awsCfg aws.Config
		if awsCfg, err = awsx.Load(ctx, opts); err == nil {
			return append(rows, checkAWS(ctx, st.Name, cfg, parsed.Values, awsCfg)...)
		}
	}
	fix := "give the input credentials: an instance role, aws_account (a stored credential) or key_id/secret_key; role_arn must trust them"
	if parsed.Values.IsSet(schemes.AWSAccount) {
		fix = "aws_account is read from splunkd's storage/passwords, which check cannot reach; check with the same keys in the environment (AWS_ACCESS_KEY_ID ...) instead"
	}
	add("credentials", fail, err.Error(), fix)
	return rows
}

func checkAWS(ctx context.Context, stanza string, cfg cloudtrailinput.Config, v params.Values, awsCfg aws.Config) []row {
	var rows []row
	add := func(check, mark, detail, fix string) {
		rows = append(rows, row{Stanza: stanza, Check: check, Mark: mark, Detail: detail, Fix: fix})
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	id, err := sts.NewFromConfig(awsCfg, func(o *sts.Options) {
		if u := v.String(schemes.STSEndpointURL); u != "" {
			o.BaseEndpoint = &u
		}
	}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		add("credentials", fail, short(err), "give the input working credentials (instance role, aws_account, key_id/secret_key) and check role_arn's trust policy")
		return rows
	}
	add("credentials", pass, aws.ToString(id.Arn), "")

	q := sqs.NewFromConfig(awsCfg, awsx.SQSOptions(v.String(schemes.SQSEndpointURL)))
	if err := cloudtrailinput.CheckQueue(ctx, cfg, q); err != nil {
		fix := "check sqs_queue and sqs_queue_region, or create the queue (setup subcommand)"
		if denied(err) {
			fix = "allow sqs:GetQueueUrl and sqs:GetQueueAttributes on the queue (the policy subcommand prints the whole policy)"
		}
		add("queue", fail, short(err), fix)
		return rows
	}
	url := cfg.Queue
	if !strings.Contains(url, "://") {
		out, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &cfg.Queue})
		if err != nil {
			add("queue", fail, short(err), "allow sqs:GetQueueUrl on the queue")
			return rows
		}
		url = aws.ToString(out.QueueUrl)
	}
	add("queue", pass, url, "")

	// VisibilityTimeout 0 leaves a received message visible to the input;
	// only its receive count goes up by one.
	recv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 1, WaitTimeSeconds: 0, VisibilityTimeout: 0})
	if err != nil {
		add("sqs:ReceiveMessage", fail, short(err), "allow sqs:ReceiveMessage on the queue")
		return rows
	}
	var msg *sqstypes.Message
	if len(recv.Messages) > 0 {
		msg = &recv.Messages[0]
		add("sqs:ReceiveMessage", pass, "a message is waiting", "")
		_, err := q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: msg.ReceiptHandle, VisibilityTimeout: 0})
		if err != nil {
			add("sqs:ChangeMessageVisibility", fail, short(err), "allow sqs:ChangeMessageVisibility on the queue")
		} else {
			add("sqs:ChangeMessageVisibility", pass, "", "")
		}
	} else {
		add("sqs:ReceiveMessage", pass, "the queue is empty", "")
		add("sqs:ChangeMessageVisibility", skip, "no message to try it on", "")
	}
	// A made-up receipt handle: denied when the permission is missing,
	// ReceiptHandleIsInvalid otherwise; nothing is deleted.
	_, err = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("aws-ingest-check-not-a-receipt-handle")})
	switch {
	case err == nil || hasCode(err, "ReceiptHandleIsInvalid") || hasCode(err, "InvalidParameterValue"):
		add("sqs:DeleteMessage", pass, "probed with an invalid receipt handle", "")
	case denied(err):
		add("sqs:DeleteMessage", fail, short(err), "allow sqs:DeleteMessage on the queue")
	default:
		add("sqs:DeleteMessage", skip, "could not tell: "+short(err), "")
	}

	objects := []message.Object(nil)
	if msg != nil {
		if m, err := message.Parse([]byte(aws.ToString(msg.Body))); err == nil {
			objects = m.Objects
		}
	}
	s3c := s3.NewFromConfig(awsCfg, awsx.S3Options(v.String(schemes.S3EndpointURL)), func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if len(objects) == 0 {
		add("s3:GetObject", skip, "no waiting message names a log file", "")
	} else {
		obj := objects[0]
		_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &obj.Bucket, Key: &obj.Key})
		switch {
		case err == nil:
			add("s3:GetObject", pass, "s3://"+obj.Bucket+"/"+obj.Key, "")
		case notFound(err):
			add("s3:GetObject", fail, "s3://"+obj.Bucket+"/"+obj.Key+" does not exist", "check that nothing else deletes the log files (a lifecycle rule, another consumer with remove_files_when_done)")
		default:
			add("s3:GetObject", fail, "s3://"+obj.Bucket+"/"+obj.Key+": "+short(err), "allow s3:GetObject on arn:aws:s3:::"+obj.Bucket+"/AWSLogs/* (and kms:Decrypt if the bucket uses SSE-KMS)")
		}
	}
	if cfg.RemoveFiles {
		add("s3:DeleteObject", skip, "not tried: it would delete a log file", "")
	}
	if cfg.ValidateIntegrity {
		ct := cloudtrail.NewFromConfig(awsCfg)
		now := time.Now()
		if _, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: &now}); err != nil {
			add("cloudtrail:ListPublicKeys", fail, short(err), "allow cloudtrail:ListPublicKeys (validate_integrity = 1)")
		} else {
			add("cloudtrail:ListPublicKeys", pass, "", "")
		}
	}
	return rows
}

func denied(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden {
		return true
	}
	return hasCode(err, "AccessDenied") || hasCode(err, "AccessDeniedException")
}

// short drops the SDK's "operation error X: Y, https response error ..."
// framing down to what a person needs.
func short(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "api error "); i >= 0 {
		s = s[i+len("api error "):]
	} else if i := strings.LastIndex(s, "RequestID: "); i >= 0 {
		if j := strings.Index(s[i:], ", "); j >= 0 {
			s = s[i+j+2:]
		}
	}
	return strings.ReplaceAll(s, "\n", "; ")
}

// printRows prints the table and the fixes, and returns the failures.
func printRows(w io.Writer, rows []row) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	failed := 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Mark, r.Stanza, r.Check, r.Detail)
		if r.Mark == fail {
			failed++
		}
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintln(w, "\nTo fix:")
		for _, r := range rows {
			if r.Mark == fail {
				fmt.Fprintf(w, "  %s %s: %s\n", r.Stanza, r.Check, r.Fix)
			}
		}
	}
	return failed
}

// splunkTrue is how .conf files spell true.
func splunkTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true
	}
	return false
}
