package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity/integritytest"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// End-to-end tests of "aws_ingest_cloudtrail verify" against moto's S3,
// with digest chains built and signed the way CloudTrail does. moto has no
// ListPublicKeys: the API path runs against a fake CloudTrail endpoint.

var verifySigners = sync.OnceValue(func() []*integritytest.Signer {
	var out []*integritytest.Signer
	for i, spki := range []bool{false, true, false} {
		from := integritytest.Base.Add(time.Duration(i-1) * 30 * 24 * time.Hour)
		s, err := integritytest.NewSigner(spki, from, from.Add(31*24*time.Hour))
		if err != nil {
			panic(err)
		}
		out = append(out, s)
	}
	return out
})

type verifyWorld struct {
	t   *testing.T
	srv *moto.Server
	s3  *s3.Client
	sc  *integritytest.Scenario
	env []string // for the command: moto, region
	bin string   // "" when main.go does not list verify yet: run in-process
}

var verifyBinary struct {
	once sync.Once
	path string
}

func newVerifyWorld(t *testing.T) *verifyWorld {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := moto.Require(t)
	k := verifySigners()
	w := &verifyWorld{t: t, srv: srv, sc: integritytest.NewScenario(k[0], k[1])}
	w.s3 = s3.NewFromConfig(srv.Config(w.sc.Region), func(o *s3.Options) { o.UsePathStyle = true })
	w.env = append(srv.Env(), "AWS_REGION="+w.sc.Region)
	for _, b := range []string{w.sc.OldBucket, w.sc.Bucket} {
		if _, err := w.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range w.sc.Objects {
		w.put(o)
	}
	verifyBinary.once.Do(func() {
		bin := splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_cloudtrail")
		if res := splunkd.Invoke(t, bin, nil, nil, "help"); strings.Contains(string(res.Stdout), "\n  verify ") {
			verifyBinary.path = bin
		}
	})
	w.bin = verifyBinary.path
	if w.bin == "" {
		t.Log("main.go does not list verifyCommand yet: running the command in-process through cli.Main")
	}
	return w
}

func (w *verifyWorld) put(o *integritytest.Object) {
	w.t.Helper()
	_, err := w.s3.PutObject(w.t.Context(), &s3.PutObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key),
		Body: bytes.NewReader(o.Body), Metadata: o.Metadata})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *verifyWorld) delete(o *integritytest.Object) {
	w.t.Helper()
	if _, err := w.s3.DeleteObject(w.t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *verifyWorld) keysFile(signers ...*integritytest.Signer) string {
	path := filepath.Join(w.t.TempDir(), "keys.json")
	if err := os.WriteFile(path, integritytest.KeysJSON(signers...), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// args are the usual arguments for the scenario's window.
func (w *verifyWorld) args(extra ...string) []string {
	return append([]string{"verify", "s3://" + w.sc.Bucket, "--account-id", w.sc.Account, "--region", w.sc.Region,
		"--start", w.sc.Start.Format(time.RFC3339), "--end", w.sc.End.Format(time.RFC3339)}, extra...)
}

// run runs the command, as the built binary when it has the subcommand,
// otherwise in-process through the same dispatcher.
func (w *verifyWorld) run(env []string, args ...string) splunkd.Result {
	w.t.Helper()
	if w.bin != "" {
		return splunkd.Invoke(w.t, w.bin, nil, append(slices.Clone(w.env), env...), args...)
	}
	for _, kv := range append(slices.Clone(w.env), env...) {
		k, v, _ := strings.Cut(kv, "=")
		w.t.Setenv(k, v)
	}
	p := program()
	if !slices.ContainsFunc(p.Commands, func(c cli.Command) bool { return c.Name == "verify" }) {
		p.Commands = append(p.Commands, verifyCommand)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(w.t.Context(), p, args, nil, &stdout, &stderr)
	return splunkd.Result{Stdout: stdout.Bytes(), Stderr: stderr.String(), Code: code}
}

func TestVerifyAllValidWithPublicKeysFile(t *testing.T) {
	w := newVerifyWorld(t)
	res := w.run(nil, w.args("--public-keys", w.keysFile(w.sc.Keys...))...)
	out := string(res.Stdout)
	if res.Code != 0 || strings.Contains(out, "INVALID") || strings.Contains(out, "GAP") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, out, res.Stderr)
	}
	for _, want := range []string{"Digests:   8 checked, 8 valid, 0 invalid, 0 missing", "Log files: 9 checked, 9 valid, 0 invalid, 0 missing", "Gaps:      0"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestVerifyReportsEveryVerdict(t *testing.T) {
	attacker := verifySigners()[2]
	tests := []struct {
		name   string
		change func(w *verifyWorld)
		want   []string // lines that must be printed
	}{
		{"one log byte changed", func(w *verifyWorld) {
			o := *w.sc.Logs["L3"]
			o.Body = integritytest.ChangeByte(o.Body)
			w.put(&o)
		}, []string{"INVALID: hash mismatch " + "s3://acme-trail-old/" + "{L3}", "Log files: 9 checked, 8 valid, 1 invalid, 0 missing"}},
		{"a log deleted", func(w *verifyWorld) { w.delete(w.sc.Logs["L6"]) },
			[]string{"INVALID: not found {L6}", "Log files: 9 checked, 8 valid, 0 invalid, 1 missing"}},
		{"a digest deleted", func(w *verifyWorld) { w.delete(w.sc.Digests["D6"]) },
			[]string{"INVALID: not found {D6}", "GAP: no digest between 2026-03-01T04:30:15Z and 2026-03-01T05:30:15Z", "Digests:   8 checked, 7 valid, 0 invalid, 1 missing"}},
		{"a forged signature", func(w *verifyWorld) {
			o := *w.sc.Digests["D7"]
			o.Metadata = map[string]string{"signature": attacker.Sign("x"), "signature-algorithm": "SHA256withRSA"}
			w.put(&o)
		}, []string{"INVALID: signature verification failed {D7}", "Digests:   8 checked, 7 valid, 1 invalid, 0 missing"}},
		{"a digest moved to another key", func(w *verifyWorld) {
			o := *w.sc.Digests["D5"]
			w.delete(&o)
			o.Key = strings.Replace(o.Key, "T043015Z", "T044515Z", 1)
			w.put(&o)
		}, []string{"INVALID: not found {D5}", "INVALID: moved from its original location s3://acme-trail/", "Digests:   9 checked, 7 valid, 1 invalid, 1 missing"}},
		{"trailing gzip data", func(w *verifyWorld) {
			o := *w.sc.Logs["L4"]
			o.Body = integritytest.AppendMember(o.Body)
			w.put(&o)
		}, []string{"INVALID: invalid format {L4} (unexpected data after the end of the compressed stream)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newVerifyWorld(t)
			tt.change(w)
			res := w.run(nil, w.args("--public-keys", w.keysFile(w.sc.Keys...))...)
			out := string(res.Stdout)
			if res.Code != 1 || !strings.Contains(res.Stderr, "integrity check failed") {
				t.Errorf("exit %d, stderr %q; want 1 and the failure", res.Code, res.Stderr)
			}
			for _, want := range tt.want {
				want = w.expand(want)
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// expand replaces {D1}, {L3} … with the objects' s3:// URLs.
func (w *verifyWorld) expand(s string) string {
	s = strings.Replace(s, "s3://acme-trail-old/{L3}", "{L3}", 1)
	for n, o := range w.sc.Digests {
		s = strings.ReplaceAll(s, "{"+n+"}", o.URL())
	}
	for n, o := range w.sc.Logs {
		s = strings.ReplaceAll(s, "{"+n+"}", o.URL())
	}
	return s
}

func TestVerifyJSONThroughListPublicKeys(t *testing.T) {
	w := newVerifyWorld(t)
	w.delete(w.sc.Logs["L8"])
	fake := &integritytest.KeyServer{Signers: w.sc.Keys}
	api := httptest.NewServer(fake)
	defer api.Close()
	res := w.run([]string{"AWS_ENDPOINT_URL_CLOUDTRAIL=" + api.URL}, w.args("--format", "json")...)
	if res.Code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", res.Code, res.Stderr)
	}
	var doc struct {
		Valid    bool
		Digests  struct{ Checked, Valid int }
		LogFiles struct{ Checked, Valid, Missing int }
		Problems []struct{ Kind, URL string }
	}
	if err := json.Unmarshal(res.Stdout, &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, res.Stdout)
	}
	if doc.Valid || doc.Digests.Valid != 8 || doc.LogFiles.Missing != 1 || len(doc.Problems) != 1 ||
		doc.Problems[0].Kind != "log_missing" || doc.Problems[0].URL != w.sc.Logs["L8"].URL() {
		t.Errorf("report %+v", doc)
	}
	if len(fake.Calls()) == 0 {
		t.Error("ListPublicKeys was not called")
	}
}

func TestVerifyUsageAndNoDigests(t *testing.T) {
	w := newVerifyWorld(t)
	res := w.run(nil, "verify", "--region", "us-east-1")
	if res.Code != 2 || !strings.Contains(res.Stderr, "--account-id must be 12 digits") || !strings.Contains(res.Stderr, "s3://BUCKET") {
		t.Errorf("usage: exit %d, stderr %q", res.Code, res.Stderr)
	}
	// A window with no digest at all is not a success.
	res = w.run(nil, "verify", "s3://"+w.sc.Bucket, "--account-id", w.sc.Account, "--region", w.sc.Region,
		"--start", "2020-01-01", "--end", "2020-01-02", "--public-keys", w.keysFile(w.sc.Keys...))
	if res.Code != 1 || !strings.Contains(res.Stderr, "no digest file found") {
		t.Errorf("no digests: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

func TestVerifyOrganizationTrailUnderAPrefix(t *testing.T) {
	w := newVerifyWorld(t)
	k := verifySigners()
	tr := integritytest.NewTrail("444455556666", "eu-west-1", "org_trail", "acme-org", k[0])
	tr.Prefix, tr.OrgID, tr.HomeRegion = "control-tower/logs", "o-a1b2c3d4e5", "us-east-1"
	base := integritytest.Base
	tr.LogFile(base.Add(5*time.Minute), "CreateAccount")
	tr.Digest(base.Add(time.Hour))
	tr.LogFile(base.Add(70*time.Minute), "InviteAccountToOrganization")
	tr.Digest(base.Add(2 * time.Hour))
	// Another trail of the same account and region, left out by --trail.
	other := integritytest.NewTrail("444455556666", "eu-west-1", "other", "acme-org", k[2])
	other.Prefix, other.OrgID = tr.Prefix, tr.OrgID
	other.Digest(base.Add(time.Hour))
	if _, err := w.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("acme-org")}); err != nil {
		t.Fatal(err)
	}
	for _, o := range tr.Objects {
		w.put(o)
	}
	for _, o := range other.Objects {
		w.put(o)
	}
	res := w.run(nil, "verify", "--format=text", "s3://acme-org/control-tower/logs/", "--account-id", "444455556666", "--region", "eu-west-1",
		"--organization-id", "o-a1b2c3d4e5", "--trail", "org_trail", "--start", "2026-03-01", "--end", "2026-03-01T02:00:00Z",
		"--public-keys", w.keysFile(k[0]))
	out := string(res.Stdout)
	if res.Code != 0 || !strings.Contains(out, "Digests:   2 checked, 2 valid") || !strings.Contains(out, "Log files: 2 checked, 2 valid") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.Code, out, res.Stderr)
	}
	// Without --trail the other trail's digest is checked too, and its key
	// is not in the file.
	res = w.run(nil, "verify", "s3://acme-org/control-tower/logs", "--account-id", "444455556666", "--region", "eu-west-1",
		"--organization-id", "o-a1b2c3d4e5", "--start", "2026-03-01", "--end", "2026-03-01T02:00:00Z", "--public-keys", w.keysFile(k[0]))
	if res.Code != 1 || !strings.Contains(string(res.Stdout), "INVALID: signature: public key not found s3://acme-org/control-tower/logs/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail-Digest/eu-west-1/2026/03/01/444455556666_CloudTrail-Digest_eu-west-1_other_eu-west-1_20260301T010000Z.json.gz") {
		t.Errorf("exit %d\nstdout:\n%s", res.Code, res.Stdout)
	}
}
