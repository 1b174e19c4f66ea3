package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/appdir"
	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Connect resolves a stanza's AWS credentials exactly as the OpenBucket of
// a run does (corp is aws.conf's [misc] corpkey, nil when unset). The
// command wires it to internal/awsx, as it wires OpenBucket.
type Connect func(ctx context.Context, job *cli.Job, corp *awsconf.Corp) (Access, error)

// Access is what the check asks of the stanza's AWS side.
type Access interface {
	// Credentials says where the credentials come from: the stanza's
	// key_id/secret_key, aws_account, aws.conf's corpkey or the default
	// chain, and role_arn on top. It never holds a secret.
	Credentials() string
	// Identity asks sts:GetCallerIdentity who the credentials are.
	Identity(ctx context.Context) (Caller, error)
	// Locate sends HeadBucket for bucket. Its Location is filled as far as
	// S3 answered, also when it returns HeadBucket's error.
	Locate(ctx context.Context, bucket string) (Location, error)
}

// Caller is who the credentials are.
type Caller struct {
	ARN string
	// Provider is the SDK provider of the default chain that gave the
	// credentials (EnvConfigCredentials, EC2RoleProvider ...); "" for the
	// other sources, which Access.Credentials names already.
	Provider string
}

// Location is what HeadBucket told about the billing bucket.
type Location struct {
	// Region is the bucket's region as S3 reported it (403 and 301
	// answers carry it too); "" when S3 did not say.
	Region string
	// From is the region the requests started in: s3_bucket_region, else
	// AWS_REGION, else us-east-1.
	From string
	// Bucket reads the bucket as a run does: in Region, unless
	// s3_bucket_region or s3_endpoint_url pin the client.
	Bucket Bucket
}

// checkTimeout bounds the AWS calls of one stanza: a check is something a
// person waits for, and a hanging endpoint is itself the finding.
const checkTimeout = time.Minute

// Check is the billing input's part of the `check` subcommand
// (internal/preflight): the configuration, the credentials, the bucket, the
// listing and a read of the newest report, then the folders the input
// writes to, each tried without changing anything.
func Check(connect Connect) preflight.Check {
	return func(ctx context.Context, job *cli.Job, r *preflight.Report) {
		check(ctx, job, r, connect, appdir.Current, time.Now())
	}
}

func check(ctx context.Context, job *cli.Job, r *preflight.Report, connect Connect, findApp func() (string, error), now time.Time) {
	cfg, conf, err := resolveConfig(job, findApp)
	if err != nil {
		fix := "correct the stanza or aws.conf as the message says (see README/inputs.conf.spec)"
		if errors.Is(err, errNoBucket) {
			fix = "set s3_bucket on the stanza, or s3bucket in aws.conf [misc] (and aws_conf when the app folder is not found)"
		}
		r.Fail("configuration", preflight.OneLine(err.Error()), fix)
		return
	}
	r.Pass("configuration", describeConfig(job, cfg, conf))
	actx, cancel := context.WithTimeout(ctx, checkTimeout)
	checkAWS(actx, job, r, cfg, conf.Corp, connect, now)
	cancel()
	// The folders are local: worth knowing even when AWS failed.
	checkFolders(r, cfg)
}

func describeConfig(job *cli.Job, cfg Config, conf *awsconf.Config) string {
	parts := []string{"s3://" + cfg.Bucket + " (" + bucketFrom(job) + ")"}
	if slices.Equal(cfg.Kinds, report.Kinds) {
		parts = append(parts, "report_type auto")
	} else {
		parts = append(parts, "report_type "+string(cfg.Kinds[0]))
	}
	if cfg.Payer != "" {
		parts = append(parts, "payer "+cfg.Payer)
	}
	if len(conf.Files) > 0 {
		parts = append(parts, "aws.conf "+strings.Join(conf.Files, " + "))
	} else {
		parts = append(parts, "no aws.conf read")
	}
	return strings.Join(parts, ", ")
}

func bucketFrom(job *cli.Job) string {
	if job.Params.IsSet(schemes.S3Bucket) {
		return "s3_bucket"
	}
	return "aws.conf [misc] s3bucket"
}

func checkAWS(ctx context.Context, job *cli.Job, r *preflight.Report, cfg Config, corp *awsconf.Corp, connect Connect, now time.Time) {
	fix := preflight.CredentialsFix(job, job.Params.String(schemes.AWSAccount))
	acc, err := connect(ctx, job, corp)
	if err != nil {
		r.Fail("credentials", preflight.OneLine(err.Error()), fix)
		return
	}
	caller, err := acc.Identity(ctx)
	if err != nil {
		r.Fail("credentials", acc.Credentials()+": "+preflight.Short(err), fix)
		return
	}
	from := acc.Credentials()
	if caller.Provider != "" {
		from += " (" + caller.Provider + ")"
	}
	r.Pass("credentials", caller.ARN+" from "+from)

	loc, err := acc.Locate(ctx, cfg.Bucket)
	if !checkBucket(r, job, cfg.Bucket, loc, err) {
		return
	}
	c := &Collector{Config: cfg, S3: loc.Bucket, Log: job.Log}
	newest, ok := checkListing(ctx, r, c, now)
	if !ok {
		return
	}
	checkRead(ctx, r, c, newest)
}

// checkBucket records the bucket row and tells whether the bucket can be
// listed next.
func checkBucket(r *preflight.Report, job *cli.Job, bucket string, loc Location, err error) bool {
	name := "s3://" + bucket
	pinned := job.Params.String(schemes.S3BucketRegion)
	elsewhere := loc.Region != "" && loc.Region != loc.From
	switch {
	case err == nil:
		detail := name + " in " + cmp.Or(loc.Region, loc.From)
		switch {
		case elsewhere && pinned != "":
			detail += ", not s3_bucket_region " + pinned + " (S3 answered there all the same)"
		case elsewhere:
			detail += ", not " + loc.From + " where the requests start; the input follows it"
		}
		r.Pass("bucket", detail)
		return true
	case elsewhere && pinned != "":
		r.Fail("bucket", name+" is in "+loc.Region+", not s3_bucket_region "+pinned,
			"set s3_bucket_region = "+loc.Region+", or remove it: the input then finds the bucket's region itself")
	case httpStatus(err) == http.StatusNotFound || preflight.HasCode(err, "NotFound", "NoSuchBucket"):
		r.Fail("bucket", name+" does not exist",
			"correct "+bucketFrom(job)+" to the bucket the billing reports are delivered to (and s3_endpoint_url, if set)")
	case preflight.Denied(err):
		r.Fail("bucket", name+": access denied to HeadBucket",
			"allow s3:ListBucket on arn:aws:s3:::"+bucket+" to these credentials (HeadBucket needs it), and check the bucket policy")
	default:
		r.Fail("bucket", name+": "+preflight.Short(err), "check s3_bucket, s3_bucket_region and s3_endpoint_url, and that S3 is reachable from this host")
	}
	return false
}

// checkListing lists the bucket as a run does and records what it found. It
// returns the newest report of the months a run reads.
func checkListing(ctx context.Context, r *preflight.Report, c *Collector, now time.Time) (object, bool) {
	prefix := c.listPrefix()
	where := "s3://" + c.Bucket + "/" + prefix
	found, listed, err := c.listReports(ctx, prefix)
	if err != nil {
		fix := "check s3_bucket_region and s3_endpoint_url"
		if preflight.Denied(err) {
			fix = "allow s3:ListBucket on arn:aws:s3:::" + c.Bucket + " to these credentials (and in the bucket policy)"
		}
		r.Fail("s3:ListBucket", where+": "+preflight.Short(err), fix)
		return object{}, false
	}
	oldest := report.PeriodOf(now).AddMonths(-(max(c.Months, 1) - 1))
	recent := since(found, oldest)
	switch {
	case listed == 0:
		r.Fail("s3:ListBucket", "no object under "+where, noReportFix(c))
	case len(found) == 0:
		r.Fail("s3:ListBucket", fmt.Sprintf("%s under %s, none a %s report", count(listed, "object"), where, kindNames(c.Kinds)), noReportFix(c))
	case len(recent) == 0:
		r.Fail("s3:ListBucket", fmt.Sprintf("%s under %s, the newest for %s; none since %s (months = %d)",
			count(len(found), "report"), where, found[len(found)-1].Period, oldest, max(c.Months, 1)),
			"check that AWS still delivers the reports to s3://"+c.Bucket+" (Billing and Cost Management → Data Exports / Cost and Usage Reports), or raise months")
	default:
		newest := recent[len(recent)-1]
		detail := fmt.Sprintf("%s under %s since %s (%s), the newest for %s", count(len(recent), "report"), where, oldest, countKinds(recent), newest.Period)
		if older := len(found) - len(recent); older > 0 {
			detail += fmt.Sprintf("; %s before, not read again", count(older, "report"))
		}
		r.Pass("s3:ListBucket", detail)
		return newest, true
	}
	return object{}, false
}

// noReportFix says where reports come from, and which of the stanza's
// settings narrow what is found.
func noReportFix(c *Collector) string {
	fix := "deliver billing reports to s3://" + c.Bucket + ": a Cost and Usage Report or a CUR 2.0 data export (Billing and Cost Management → Data Exports), or the legacy detailed billing reports (Billing preferences)"
	var settings []string
	if c.Prefix != "" {
		settings = append(settings, "report_prefix = "+c.Prefix)
	}
	if c.ReportName != "" {
		settings = append(settings, "report_name = "+c.ReportName)
	}
	if c.Payer != "" {
		settings = append(settings, "payer_account_id (or aws.conf acno) = "+c.Payer)
	}
	if !slices.Equal(c.Kinds, report.Kinds) {
		settings = append(settings, "report_type = "+kindNames(c.Kinds))
	}
	if len(settings) > 0 {
		fix += "; or correct " + strings.Join(settings, ", ") + " to match the report keys in the bucket"
	}
	return fix
}

func kindNames(kinds []report.Kind) string {
	if slices.Equal(kinds, report.Kinds) {
		return "billing"
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, "/")
}

// countKinds is "2 cur, 1 monthly", in report.Kinds order.
func countKinds(objs []object) string {
	n := map[report.Kind]int{}
	for _, o := range objs {
		n[o.Kind]++
	}
	var parts []string
	for _, k := range report.Kinds {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// checkRead reads the first byte of the newest report. A ranged GET rather
// than HEAD: IAM allows both with s3:GetObject, but only a GET makes S3
// decrypt, so it also proves kms:Decrypt on an SSE-KMS bucket, which a
// HEAD passes without. One byte costs nothing.
func checkRead(ctx context.Context, r *preflight.Report, c *Collector, o object) {
	name := o.id(c.Bucket)
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(o.Key), Range: aws.String("bytes=0-0")})
	switch {
	case err == nil:
		out.Body.Close()
		r.Pass("s3:GetObject", "read the first byte of "+name)
	case preflight.HasCode(err, "InvalidRange"): // an empty object has no first byte, but was allowed
		r.Pass("s3:GetObject", name+" (empty)")
	case preflight.Denied(err):
		r.Fail("s3:GetObject", name+": "+preflight.Short(err),
			"allow s3:GetObject on arn:aws:s3:::"+c.Bucket+"/"+c.listPrefix()+"* (and kms:Decrypt on the bucket's key if it uses SSE-KMS)")
	default:
		r.Fail("s3:GetObject", name+": "+preflight.Short(err), "run check again: the report may have been rewritten since the listing")
	}
}

// checkFolders records whether the input could write its checkpoint and its
// lookups.
func checkFolders(r *preflight.Report, cfg Config) {
	if cfg.CheckpointDir == "" {
		r.Skip("checkpoint_dir", "splunkd gives it to the input; not known outside an installed app")
	} else if detail, err := preflight.Writable(cfg.CheckpointDir); err != nil {
		r.Fail("checkpoint_dir", preflight.OneLine(err.Error()), "make "+cfg.CheckpointDir+" writable by the user splunkd runs as")
	} else {
		r.Pass("checkpoint_dir", detail)
	}
	if cfg.LookupDir == "" {
		r.Skip("lookup_dir", "not set and no app folder found: the input writes no lookups (set lookup_dir)")
	} else if detail, err := preflight.Writable(cfg.LookupDir); err != nil {
		r.Fail("lookup_dir", preflight.OneLine(err.Error()), "make "+cfg.LookupDir+" writable by the user splunkd runs as, or set lookup_dir to a folder that is")
	} else {
		r.Pass("lookup_dir", detail)
	}
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func httpStatus(err error) int {
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok {
		return re.HTTPStatusCode()
	}
	return 0
}
