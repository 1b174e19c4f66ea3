package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
)

var verifyCommand = cli.Command{
	Name:    "verify",
	Summary: "check CloudTrail digest signatures, digest chains and log file hashes in s3://bucket[/prefix] (like aws cloudtrail validate-logs)",
	Run:     verify,
}

const verifyUsage = `usage: aws_ingest_cloudtrail verify s3://BUCKET[/PREFIX] --account-id ID --region REGION --start TIME [flags]

Walks the CloudTrail digest chain(s) of one account and region over a time
window: verifies each digest's signature (SHA256withRSA, key chosen by
fingerprint), its location and its link to the previous digest, reports
gaps, and checks the SHA-256 of every log file the digests list. PREFIX is
the trail's S3 key prefix (what comes before AWSLogs/). Exit status 0 only
when everything checked is valid, 1 otherwise, 2 on a usage error.

`

// errInvalid is returned when the check found problems: exit status 1.
var errInvalid = errors.New("integrity check failed")

type verifyFlags struct {
	source, accountID, region, bucketRegion string
	start, end                              time.Time
	trail, orgID, publicKeys, format        string
}

func parseVerifyFlags(env *cli.Env, args []string) (verifyFlags, error) {
	var v verifyFlags
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&v.accountID, "account-id", "", "the account whose logs to check (12 digits; required)")
	fs.StringVar(&v.region, "region", "", "the region the digests were delivered from, and where ListPublicKeys is called (required)")
	fs.StringVar(&v.bucketRegion, "bucket-region", "", "the bucket's region, when it is not --region")
	start := fs.String("start", "", "check log files delivered from this time on (RFC 3339 or YYYY-MM-DD; required)")
	end := fs.String("end", "", "... up to this time (default: now)")
	fs.StringVar(&v.trail, "trail", "", "check only this trail's digests (default: every trail found)")
	fs.StringVar(&v.orgID, "organization-id", "", "the organization id (o-…) of an organization trail")
	fs.StringVar(&v.publicKeys, "public-keys", "", `JSON file shaped like the ListPublicKeys response ({"PublicKeyList":[{"Value":"<base64 DER>",…}]}) instead of calling the API`)
	fs.StringVar(&v.format, "format", "text", "output: text (one line per problem and a summary) or json")
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, verifyUsage)
		fs.PrintDefaults()
	}
	// The source may come before, between or after the flags.
	var positional []string
	for {
		if err := cli.ParseFlags(fs, args); err != nil {
			return v, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	var problems []string
	if len(positional) != 1 || !strings.HasPrefix(positional[0], "s3://") || len(positional[0]) <= len("s3://") {
		problems = append(problems, "give one s3://BUCKET[/PREFIX]")
	} else {
		v.source = positional[0]
	}
	if len(v.accountID) != 12 || strings.Trim(v.accountID, "0123456789") != "" {
		problems = append(problems, "--account-id must be 12 digits")
	}
	if v.region == "" {
		problems = append(problems, "--region is required")
	}
	if v.orgID != "" && !strings.HasPrefix(v.orgID, "o-") {
		problems = append(problems, "--organization-id looks like o-xxxxxxxxxx")
	}
	if v.format != "text" && v.format != "json" {
		problems = append(problems, "--format is text or json")
	}
	var err error
	if *start == "" {
		problems = append(problems, "--start is required")
	} else if v.start, err = parseVerifyTime(*start); err != nil {
		problems = append(problems, "--start: "+err.Error())
	}
	if *end != "" {
		if v.end, err = parseVerifyTime(*end); err != nil {
			problems = append(problems, "--end: "+err.Error())
		} else if !v.start.IsZero() && v.end.Before(v.start) {
			problems = append(problems, "--end is before --start")
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(env.Stderr, "verify: "+p)
		}
		fs.Usage()
		return v, cli.ErrUsage
	}
	return v, nil
}

func parseVerifyTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2024-05-01 or 2024-05-01T12:00:00Z)", s)
}

func verify(ctx context.Context, env *cli.Env, args []string) error {
	v, err := parseVerifyFlags(env, args)
	if err != nil {
		return err
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(v.source, "s3://"), "/")
	prefix = strings.Trim(prefix, "/")
	if v.end.IsZero() {
		v.end = time.Now().UTC()
	}

	var keys integrity.KeySource
	if v.publicKeys != "" {
		f, err := os.Open(v.publicKeys)
		if err != nil {
			return err
		}
		set, err := integrity.ReadKeys(f)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", v.publicKeys, err)
		}
		keys = set
	}
	cfg, err := awsx.Load(ctx, awsx.Options{Region: v.region, Logger: env.Log})
	if err != nil {
		return err
	}
	if keys == nil {
		keys = &integrity.APIKeys{API: cloudtrail.NewFromConfig(cfg)}
	}
	s3cfg := cfg.Copy()
	if v.bucketRegion != "" {
		s3cfg.Region = v.bucketRegion
	}
	client := s3.NewFromConfig(s3cfg, awsx.S3Options(""), func(o *s3.Options) {
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.DisableLogOutputChecksumValidationSkipped = true
	})

	text := v.format == "text"
	opts := integrity.WalkOptions{Bucket: bucket, Prefix: prefix, OrgID: v.orgID, AccountID: v.accountID,
		Region: v.region, Trail: v.trail, Start: v.start, End: v.end,
		Store: integrity.S3Store{API: client}, Keys: keys}
	if text {
		fmt.Fprintf(env.Stdout, "Validating log files of account %s, region %s, in s3://%s from %s to %s\n",
			v.accountID, v.region, opts.Bucket+"/"+integrity.DigestDir(prefix, v.orgID, v.accountID, v.region),
			v.start.Format(time.RFC3339), v.end.Format(time.RFC3339))
		opts.OnProblem = func(p integrity.Problem) { fmt.Fprintln(env.Stdout, p.Line()) }
	}
	rep, err := integrity.Walk(ctx, opts)
	if err != nil {
		return err
	}
	if text {
		writeVerifyText(env.Stdout, rep)
	} else if err := writeVerifyJSON(env.Stdout, v, rep); err != nil {
		return err
	}
	switch {
	case rep.Digests.Checked == 0:
		return fmt.Errorf("%w: no digest file found for this account, region and window (is log file validation enabled on the trail?)", errInvalid)
	case !rep.OK():
		return fmt.Errorf("%w: %d problem(s)", errInvalid, len(rep.Problems))
	}
	return nil
}

func writeVerifyText(w io.Writer, rep *integrity.Report) {
	c := func(name string, n integrity.Counts) {
		fmt.Fprintf(w, "%-10s %d checked, %d valid, %d invalid, %d missing\n", name, n.Checked, n.Valid, n.Invalid, n.Missing)
	}
	c("Digests:", rep.Digests)
	c("Log files:", rep.LogFiles)
	fmt.Fprintf(w, "%-10s %d\n", "Gaps:", rep.Gaps)
	if rep.OK() && rep.Digests.Checked > 0 {
		fmt.Fprintln(w, "All digests and log files checked are valid.")
	}
}

func writeVerifyJSON(w io.Writer, v verifyFlags, rep *integrity.Report) error {
	doc := struct {
		Valid     bool   `json:"valid"`
		Source    string `json:"source"`
		AccountID string `json:"accountId"`
		Region    string `json:"region"`
		Start     string `json:"start"`
		End       string `json:"end"`
		*integrity.Report
	}{rep.OK() && rep.Digests.Checked > 0, v.source, v.accountID, v.region, v.start.Format(time.RFC3339), v.end.Format(time.RFC3339), rep}
	enc := json.NewEncoder(w)
	return enc.Encode(doc)
}
