package billing

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
)

// The check's logic against fakes; cmd/aws_ingest_billing runs it against
// moto with the real credentials.

type fakeAccess struct {
	caller Caller
	idErr  error
	loc    Location
	locErr error
}

func (a *fakeAccess) Credentials() string { return "the test's keys" }

func (a *fakeAccess) Identity(context.Context) (Caller, error) { return a.caller, a.idErr }

func (a *fakeAccess) Locate(context.Context, string) (Location, error) { return a.loc, a.locErr }

// rangeBucket records the GetObject inputs of the check.
type rangeBucket struct {
	*fakeBucket
	gets []*s3.GetObjectInput
	err  error
}

func (b *rangeBucket) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b.gets = append(b.gets, in)
	if b.err != nil {
		return nil, b.err
	}
	return b.fakeBucket.GetObject(ctx, in, o...)
}

func responseError(status int, header http.Header) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: header}},
		Err:      errors.New(http.StatusText(status)),
	}}
}

var checkNow = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) // testGenOptions' month

func runCheck(t *testing.T, params map[string]string, acc *fakeAccess, connErr error) *preflight.Report {
	t.Helper()
	job := testJob(t, params)
	r := &preflight.Report{Stanza: job.Stanza}
	connect := func(context.Context, *cli.Job, *awsconf.Corp) (Access, error) {
		if connErr != nil {
			return nil, connErr
		}
		return acc, nil
	}
	check(t.Context(), job, r, connect, func() (string, error) { return "", errors.New("no app folder") }, checkNow)
	return r
}

// row returns the report's row named check.
func row(r *preflight.Report, check string) (preflight.Row, bool) {
	for _, x := range r.Rows {
		if x.Check == check {
			return x, true
		}
	}
	return preflight.Row{}, false
}

func TestCheckRows(t *testing.T) {
	legacyKey := testPayer + "-aws-billing-csv-2026-11.csv"
	healthy := func() *fakeBucket {
		b := newFakeBucket()
		b.put(legacyKey, []byte("InvoiceID,PayerAccountId\n"))
		b.put(testPayer+"-aws-billing-csv-2026-10.csv", []byte("x"))
		b.put(testPayer+"-aws-billing-csv-2025-01.csv", []byte("x"))
		b.put("README.txt", []byte("x"))
		return b
	}
	denied := responseError(http.StatusForbidden, http.Header{"X-Amz-Bucket-Region": {"us-east-1"}})
	type want struct{ check, mark, detail, fix string }
	tests := []struct {
		name    string
		params  map[string]string
		access  func(b Bucket) *fakeAccess
		bucket  func() *fakeBucket
		connErr error
		want    []want
		absent  []string // rows that must not be there
	}{{
		name:   "healthy",
		params: map[string]string{"s3_bucket": "acme-billing"},
		bucket: healthy,
		want: []want{
			{"configuration", preflight.Pass, "s3://acme-billing (s3_bucket), report_type auto", ""},
			{"credentials", preflight.Pass, "arn:aws:iam::012345678901:user/reader from the test's keys", ""},
			{"bucket", preflight.Pass, "s3://acme-billing in us-east-1", ""},
			{"s3:ListBucket", preflight.Pass, "2 reports under s3://acme-billing/ since 2026-10 (2 monthly), the newest for 2026-11; 1 report before, not read again", ""},
			{"s3:GetObject", preflight.Pass, "read the first byte of s3://acme-billing/" + legacyKey, ""},
			{"checkpoint_dir", preflight.Pass, "is writable by", ""},
			{"lookup_dir", preflight.Skip, "no app folder found", ""},
		},
	}, {
		name:    "credentials that do not load",
		params:  map[string]string{"s3_bucket": "acme-billing", "aws_account": "prod"},
		connErr: errors.New("awsx: aws_account \"prod\" is set but no Splunk session is available"),
		want: []want{
			{"credentials", preflight.Fail, "no Splunk session", "--splunk-user"},
			{"checkpoint_dir", preflight.Pass, "", ""},
		},
		absent: []string{"bucket", "s3:ListBucket"},
	}, {
		name:   "credentials STS refuses",
		params: map[string]string{"s3_bucket": "acme-billing"},
		access: func(Bucket) *fakeAccess {
			return &fakeAccess{idErr: errors.New("operation error STS: GetCallerIdentity, https response error StatusCode: 403, api error InvalidClientTokenId: The security token included in the request is invalid.")}
		},
		want:   []want{{"credentials", preflight.Fail, "the test's keys: InvalidClientTokenId: The security token", "give the input credentials"}},
		absent: []string{"bucket"},
	}, {
		name:   "bucket missing",
		params: map[string]string{"s3_bucket": "acme-billing"},
		access: func(b Bucket) *fakeAccess {
			return &fakeAccess{loc: Location{From: "us-east-1", Bucket: b}, locErr: responseError(http.StatusNotFound, nil)}
		},
		want:   []want{{"bucket", preflight.Fail, "s3://acme-billing does not exist", "correct s3_bucket"}},
		absent: []string{"s3:ListBucket"},
	}, {
		name:   "bucket denied",
		params: map[string]string{"s3_bucket": "acme-billing"},
		access: func(b Bucket) *fakeAccess {
			return &fakeAccess{loc: Location{Region: "us-east-1", From: "us-east-1", Bucket: b}, locErr: denied}
		},
		want: []want{{"bucket", preflight.Fail, "access denied", "allow s3:ListBucket on arn:aws:s3:::acme-billing"}},
	}, {
		name:   "bucket in another region than s3_bucket_region",
		params: map[string]string{"s3_bucket": "acme-billing", "s3_bucket_region": "us-west-2"},
		access: func(b Bucket) *fakeAccess {
			return &fakeAccess{loc: Location{Region: "eu-west-1", From: "us-west-2", Bucket: b},
				locErr: responseError(http.StatusMovedPermanently, http.Header{"X-Amz-Bucket-Region": {"eu-west-1"}})}
		},
		want: []want{{"bucket", preflight.Fail, "is in eu-west-1, not s3_bucket_region us-west-2", "set s3_bucket_region = eu-west-1, or remove it"}},
	}, {
		name:   "bucket found in another region",
		params: map[string]string{"s3_bucket": "acme-billing"},
		bucket: healthy,
		access: func(b Bucket) *fakeAccess {
			return &fakeAccess{caller: Caller{ARN: "arn:aws:sts::012345678901:assumed-role/r/i-1", Provider: "EC2RoleProvider"},
				loc: Location{Region: "eu-west-1", From: "us-east-1", Bucket: b}}
		},
		want: []want{
			{"credentials", preflight.Pass, "from the test's keys (EC2RoleProvider)", ""},
			{"bucket", preflight.Pass, "in eu-west-1, not us-east-1 where the requests start", ""},
			{"s3:GetObject", preflight.Pass, "", ""},
		},
	}, {
		name:   "empty bucket",
		params: map[string]string{"s3_bucket": "acme-billing"},
		bucket: newFakeBucket,
		want:   []want{{"s3:ListBucket", preflight.Fail, "no object under s3://acme-billing/", "deliver billing reports to s3://acme-billing"}},
		absent: []string{"s3:GetObject"},
	}, {
		name:   "no report of the stanza's kind",
		params: map[string]string{"s3_bucket": "acme-billing", "report_type": "dbr", "report_prefix": "billing/"},
		bucket: func() *fakeBucket {
			b := newFakeBucket()
			b.put("billing/"+legacyKey, []byte("x"))
			return b
		},
		want: []want{{"s3:ListBucket", preflight.Fail, "1 object under s3://acme-billing/billing/, none a dbr report", "or correct report_prefix = billing/, report_type = dbr"}},
	}, {
		name:   "only old reports",
		params: map[string]string{"s3_bucket": "acme-billing"},
		bucket: func() *fakeBucket {
			b := newFakeBucket()
			b.put(testPayer+"-aws-billing-csv-2025-01.csv", []byte("x"))
			return b
		},
		want: []want{{"s3:ListBucket", preflight.Fail, "1 report under s3://acme-billing/, the newest for 2025-01; none since 2026-10 (months = 2)", "or raise months"}},
	}, {
		name:   "listing denied",
		params: map[string]string{"s3_bucket": "acme-billing"},
		access: func(Bucket) *fakeAccess {
			return &fakeAccess{loc: Location{Region: "us-east-1", From: "us-east-1", Bucket: deniedLister{}}}
		},
		want: []want{{"s3:ListBucket", preflight.Fail, "s3://acme-billing/: ", "allow s3:ListBucket on arn:aws:s3:::acme-billing"}},
	}, {
		name:   "no bucket configured",
		params: nil,
		want:   []want{{"configuration", preflight.Fail, "no billing bucket", "set s3_bucket on the stanza, or s3bucket in aws.conf [misc]"}},
		absent: []string{"credentials", "lookup_dir"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Bucket = newFakeBucket()
			if tt.bucket != nil {
				b = tt.bucket()
			}
			acc := &fakeAccess{caller: Caller{ARN: "arn:aws:iam::012345678901:user/reader"}, loc: Location{Region: "us-east-1", From: "us-east-1", Bucket: b}}
			if tt.access != nil {
				acc = tt.access(b)
			}
			r := runCheck(t, tt.params, acc, tt.connErr)
			for _, w := range tt.want {
				got, ok := row(r, w.check)
				if !ok || got.Mark != w.mark || !strings.Contains(got.Detail, w.detail) || !strings.Contains(got.Fix, w.fix) {
					t.Errorf("row %s = %+v, want %s with %q, fix %q", w.check, got, w.mark, w.detail, w.fix)
				}
			}
			for _, c := range tt.absent {
				if got, ok := row(r, c); ok {
					t.Errorf("row %s should not be there: %+v", c, got)
				}
			}
		})
	}
}

type deniedLister struct{ Bucket }

func (deniedLister) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return nil, responseError(http.StatusForbidden, nil)
}

// The read is one byte of the newest report; a refusal names kms:Decrypt,
// which only a GET (not HEAD) needs.
func TestCheckReadsOneByte(t *testing.T) {
	b := &rangeBucket{fakeBucket: newFakeBucket()}
	b.put(testPayer+"-aws-billing-csv-2026-10.csv", []byte("old"))
	b.put("cur/hourly/20261101-20261201/hourly-Manifest.json", []byte("{}"))
	b.put(testPayer+"-aws-billing-csv-2026-11.csv", []byte("new"))
	acc := &fakeAccess{loc: Location{Region: "us-east-1", From: "us-east-1", Bucket: b}}
	r := runCheck(t, map[string]string{"s3_bucket": "acme-billing"}, acc, nil)
	if got, _ := row(r, "s3:ListBucket"); !strings.Contains(got.Detail, "(2 monthly, 1 cur)") {
		t.Errorf("listing %+v", got)
	}
	// In the newest month, the last kind in report.Kinds order.
	if len(b.gets) != 1 || aws.ToString(b.gets[0].Key) != "cur/hourly/20261101-20261201/hourly-Manifest.json" || aws.ToString(b.gets[0].Range) != "bytes=0-0" {
		t.Fatalf("gets %+v", b.gets)
	}

	b.gets, b.err = nil, responseError(http.StatusForbidden, nil)
	r = runCheck(t, map[string]string{"s3_bucket": "acme-billing"}, acc, nil)
	if got, _ := row(r, "s3:GetObject"); got.Mark != preflight.Fail || !strings.Contains(got.Fix, "s3:GetObject on arn:aws:s3:::acme-billing/*") || !strings.Contains(got.Fix, "kms:Decrypt") {
		t.Errorf("denied read: %+v", got)
	}
}

// Without checkpoint_dir (a check outside an installed app) the check goes
// on and says so; a run still refuses to start.
func TestCheckWithoutCheckpointDir(t *testing.T) {
	job := testJob(t, map[string]string{"s3_bucket": "acme-billing", "lookup_dir": t.TempDir()})
	job.Server.CheckpointDir = ""
	r := &preflight.Report{Stanza: job.Stanza}
	acc := &fakeAccess{loc: Location{Region: "us-east-1", From: "us-east-1", Bucket: newFakeBucket()}}
	connect := func(context.Context, *cli.Job, *awsconf.Corp) (Access, error) { return acc, nil }
	noApp := func() (string, error) { return "", errors.New("no app folder") }
	check(t.Context(), job, r, connect, noApp, checkNow)
	if got, _ := row(r, "configuration"); got.Mark != preflight.Pass {
		t.Errorf("configuration %+v", got)
	}
	if got, _ := row(r, "checkpoint_dir"); got.Mark != preflight.Skip || !strings.Contains(got.Detail, "splunkd gives it") {
		t.Errorf("checkpoint_dir %+v", got)
	}
	if got, _ := row(r, "lookup_dir"); got.Mark != preflight.Pass {
		t.Errorf("lookup_dir %+v", got)
	}
	if _, _, err := ResolveConfig(job, noApp); err == nil || !strings.Contains(err.Error(), "checkpoint_dir") {
		t.Errorf("ResolveConfig without checkpoint_dir: %v", err)
	}
}
