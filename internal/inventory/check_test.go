package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/inventory/ec2fake"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/preflight/preflighttest"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/testkit"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
)

// TestMain shares one moto_server among the package's tests; only the
// check's test asks for it.
func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// Secrets that must never be printed: the stanza's secret_key and the
// secret of an aws.conf [keys] line.
const (
	stanzaSecret = "stanzaSECRETstanzaSECRETstanzaSECRET0001"
	confSecret   = "confSECRETconfSECRETconfSECRETconfSECR02"
)

const checkAWSConf = `[keys]
123456789012 = main AKIAIOSFODNN7EXAMPLE ` + confSecret + ` 1000
210987654321 = billing '' '' 500

[account:second]
account_id = 111122223333
role_arn = arn:aws:iam::111122223333:role/inventory
`

// strayAWSConf has an [account:<name>] stanza without role_arn for an
// account the input's credentials (moto's 123456789012) are not in: a
// pass leaves it out with a WARN.
const strayAWSConf = `[regions]
rgn1 = us-east-1

[account:stray]
account_id = 444455556666
`

func TestPreflightAgainstMoto(t *testing.T) {
	srv := moto.Require(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	awsConf := write("aws.conf", checkAWSConf)
	stray := write("stray.conf", strayAWSConf)
	keysOnly := write("keys.conf", "[keys]\n123456789012 = main AKIAIOSFODNN7EXAMPLE "+confSecret+"\n\n[regions]\nrgn1 = us-east-1\n")
	deadSTS := closedPort(t)
	lookups := filepath.Join(dir, "lookups")
	if err := os.Mkdir(lookups, 0o755); err != nil {
		t.Fatal(err)
	}
	notYet := filepath.Join(dir, "not-yet", "lookups")
	inputs := write("inputs.conf", `[aws_ingest_inventory]
index = aws
key_id = AKIAIOSFODNN7EXAMPLE
secret_key = `+stanzaSecret+`

[aws_ingest_inventory://healthy]
aws_conf = `+awsConf+`
lookup_dir = `+lookups+`
regions = us-east-1,us-west-2

[aws_ingest_inventory://allregions]
aws_conf = `+awsConf+`
lookup_dir = `+notYet+`
regions = all

[aws_ingest_inventory://unreachable]
aws_conf = `+awsConf+`
lookup_dir = `+lookups+`
regions = us-east-1
ec2_endpoint_url = `+closedPort(t)+`

[aws_ingest_inventory://stray]
aws_conf = `+stray+`
lookup_dir = `+lookups+`

# Every account has keys: the input's own credentials (whose STS is
# unreachable here) are not needed.
[aws_ingest_inventory://keysonly]
aws_conf = `+keysOnly+`
lookup_dir = `+lookups+`
sts_endpoint_url = `+deadSTS+`

# The role of [account:second] cannot be assumed: STS is unreachable.
[aws_ingest_inventory://nosts]
aws_conf = `+awsConf+`
lookup_dir = `+lookups+`
regions = us-east-1
sts_endpoint_url = `+deadSTS+`

[aws_ingest_inventory://invalid]
aws_conf = `+awsConf+`
regions = us-east-1,mars-1
`)

	const main, second = "account:123456789012", "account:111122223333"
	for _, tc := range []struct {
		stanza string
		fails  int
		rows   []struct{ mark, check, detail string }
		fix    string // in "To fix:"
	}{
		{stanza: "healthy", rows: []struct{ mark, check, detail string }{
			{preflight.Pass, "parameters", ""},
			{preflight.Pass, "aws.conf", awsConf + ": 3 account(s), no [regions]"},
			{preflight.Pass, "lookup_dir", lookups + " is writable"},
			{preflight.Pass, "credentials", "arn:aws:sts::123456789012:user/moto"},
			{preflight.Pass, "accounts", "2 account(s): 1 with aws.conf keys, 1 by aws.conf role_arn"},
			{preflight.Pass, main, "in us-east-1: ec2:DescribeInstances, ec2:DescribeInstanceTypes"},
			{preflight.Pass, second, "arn:aws:iam::111122223333:role/inventory in us-east-1: ec2:DescribeInstances, ec2:DescribeInstanceTypes"},
			// moto has no DescribeReservedInstances (500): not a ✗.
			{preflight.Skip, main, "could not tell whether ec2:DescribeReservedInstances is allowed in us-east-1"},
			{preflight.Skip, second, "could not tell whether ec2:DescribeReservedInstances is allowed in us-east-1"},
		}},
		{stanza: "allregions", rows: []struct{ mark, check, detail string }{
			{preflight.Pass, "lookup_dir", notYet + " does not exist yet; " + dir + " is writable by "},
			{preflight.Pass, main, "regions enabled): ec2:DescribeRegions, ec2:DescribeInstances"},
			{preflight.Pass, second, "regions enabled): ec2:DescribeRegions, ec2:DescribeInstances"},
		}},
		{stanza: "unreachable", fails: 2, rows: []struct{ mark, check, detail string }{
			{preflight.Pass, "credentials", "arn:aws:sts::123456789012:user/moto"},
			{preflight.Pass, "accounts", "2 account(s)"},
			{preflight.Fail, main, "in us-east-1: ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes: request send failed"},
			{preflight.Fail, second, "in us-east-1: ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes: request send failed"},
		}, fix: "check ec2_endpoint_url and that this host reaches EC2 in us-east-1"},
		{stanza: "stray", fails: 1, rows: []struct{ mark, check, detail string }{
			{preflight.Fail, "accounts", "1 account(s): 1 with the input's own credentials; account 444455556666 from " + stray},
			{preflight.Pass, main, "123456789012 with the input's own credentials in us-east-1: ec2:DescribeInstances"},
		}, fix: "give those [account:<name>] stanzas of aws.conf a role_arn"},
		{stanza: "keysonly", rows: []struct{ mark, check, detail string }{
			{preflight.Skip, "credentials", "not used, every account has keys in aws.conf; they fail: "},
			{preflight.Pass, "accounts", "1 account(s): 1 with aws.conf keys"},
			{preflight.Pass, main, "with aws.conf keys in us-east-1: ec2:DescribeInstances, ec2:DescribeInstanceTypes"},
		}},
		{stanza: "nosts", fails: 2, rows: []struct{ mark, check, detail string }{
			{preflight.Fail, "credentials", "connection refused"},
			{preflight.Pass, "accounts", "2 account(s): 1 with aws.conf keys, 1 by aws.conf role_arn"},
			{preflight.Pass, main, "with aws.conf keys in us-east-1"},
			{preflight.Fail, second, "by aws.conf role_arn arn:aws:iam::111122223333:role/inventory: "},
		}, fix: "credentials: check sts_endpoint_url and that this host reaches STS"},
		{stanza: "invalid", fails: 1, rows: []struct{ mark, check, detail string }{
			{preflight.Fail, "parameters", `"mars-1"`},
		}, fix: "correct the stanza"},
	} {
		t.Run(tc.stanza, func(t *testing.T) {
			out, stderr, err := runPreflight(t, "--inputs-conf", inputs, "--stanza", tc.stanza)
			t.Logf("%s:\n%s", tc.stanza, out)
			switch {
			case tc.fails == 0 && err != nil:
				t.Errorf("err = %v\n%s", err, stderr)
			case tc.fails > 0 && (err == nil || err.Error() != fmt.Sprintf("%d check(s) failed", tc.fails)):
				t.Errorf("err = %v, want %d failures", err, tc.fails)
			}
			if tc.fails == 0 && strings.Contains(out, preflight.Fail) {
				t.Errorf("a row failed")
			}
			for _, want := range tc.rows {
				if !preflighttest.HasRow(out, want.mark, "aws_ingest_inventory://"+tc.stanza, want.check, want.detail) {
					t.Errorf("no row %s %s ...%s...", want.mark, want.check, want.detail)
				}
			}
			if tc.fix != "" && !strings.Contains(out[strings.Index(out, "To fix:")+1:], tc.fix) {
				t.Errorf("the fixes do not say %q", tc.fix)
			}
			for _, s := range []string{stanzaSecret, confSecret, "AKIAIOSFODNN7EXAMPLE"} {
				if strings.Contains(out, s) || strings.Contains(stderr, s) {
					t.Errorf("a secret was printed:\n%s\n%s", out, stderr)
				}
			}
		})
	}
	// The check wrote nothing: no lookup, no leftover temporary file, and
	// the lookup_dir it was told about is not created.
	if entries, err := os.ReadDir(lookups); err != nil || len(entries) != 0 {
		t.Errorf("lookup_dir after the checks: %v, %v", entries, err)
	}
	if _, err := os.Stat(filepath.Dir(notYet)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the check created %s: %v", filepath.Dir(notYet), err)
	}
}

// closedPort is an endpoint URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func runPreflight(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Log: slog.New(modinput.NewLogHandler(&stderr, slog.LevelDebug))}
	err := preflight.Command(schemes.Inventory, Preflight).Run(t.Context(), env, args)
	return stdout.String(), stderr.String(), err
}

// hasRowWith tells whether out has a row with mark, stanza and check whose
// detail contains detail.
// Answers of the EC2 fake in TestPreflightNamesEachMissingPermission.
const (
	dryRunOK = "" // DryRunOperation: the permission is there
	denied   = "denied"
	answered = "answered" // an endpoint that ignores DryRun
	broken   = "broken"   // HTTP 500
	rejected = "rejected" // AuthFailure: the keys are not valid
)

// TestPreflightNamesEachMissingPermission runs an account's probes through
// the real connector and EC2 client against EC2 answers of each kind.
func TestPreflightNamesEachMissingPermission(t *testing.T) {
	for _, tc := range []struct {
		name    string
		all     bool              // regions = all
		answers map[string]string // action → answer
		mark    string
		detail  string
		fix     string // "" when the row passes
		skip    string // a "could not tell" row
	}{
		{name: "every permission", mark: preflight.Pass,
			detail: "111111111111 (web) with aws.conf keys in us-east-2: ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes"},
		{name: "an endpoint that ignores DryRun", mark: preflight.Pass,
			answers: map[string]string{"DescribeInstances": answered, "DescribeReservedInstances": answered, "DescribeInstanceTypes": answered},
			detail:  "in us-east-2: ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes"},
		{name: "no DescribeInstances", mark: preflight.Fail, answers: map[string]string{"DescribeInstances": denied},
			detail: "in us-east-2: denied ec2:DescribeInstances; allowed ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes",
			fix:    "allow ec2:DescribeInstances to the IAM user of account 111111111111's keys in aws.conf (key id …" + webKey[len(webKey)-4:] + ")" + policyHint},
		{name: "no DescribeReservedInstances", mark: preflight.Fail, answers: map[string]string{"DescribeReservedInstances": denied},
			detail: "denied ec2:DescribeReservedInstances",
			fix:    "allow ec2:DescribeReservedInstances to the IAM user"},
		{name: "neither", mark: preflight.Fail, answers: map[string]string{"DescribeInstances": denied, "DescribeReservedInstances": denied, "DescribeInstanceTypes": denied},
			detail: "denied ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes",
			fix:    "allow ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes to"},
		{name: "no DescribeRegions with regions all", all: true, mark: preflight.Fail, answers: map[string]string{"DescribeRegions": denied},
			detail: "in us-east-1: denied ec2:DescribeRegions", fix: "allow ec2:DescribeRegions to"},
		{name: "regions all", all: true, mark: preflight.Pass,
			detail: "in us-east-1 (2 regions enabled): ec2:DescribeRegions, ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes"},
		{name: "an endpoint that fails a call", mark: preflight.Pass, answers: map[string]string{"DescribeReservedInstances": broken},
			detail: "in us-east-2: ec2:DescribeInstances, ec2:DescribeInstanceTypes",
			skip:   "could not tell whether ec2:DescribeReservedInstances is allowed in us-east-2: the endpoint failed: HTTP 500"},
		{name: "keys AWS rejects", mark: preflight.Fail,
			answers: map[string]string{"DescribeInstances": rejected, "DescribeReservedInstances": rejected, "DescribeInstanceTypes": rejected},
			detail:  "in us-east-2: ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes: AuthFailure: ",
			fix:     "AWS rejects account 111111111111's keys in aws.conf (or us-east-2 is not enabled for it): replace them, or check the region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &ec2fake.Fake{Respond: func(c ec2fake.Call) (any, error) {
				if c.Action != "DescribeRegions" && c.Form.Get("DryRun") != "true" {
					return nil, &ec2fake.APIError{Code: "TestFailure", Message: c.Action + " without DryRun"}
				}
				switch tc.answers[c.Action] {
				case denied:
					return nil, &ec2fake.APIError{Status: http.StatusForbidden, Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}
				case broken:
					return nil, &ec2fake.APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: "not implemented"}
				case rejected:
					return nil, &ec2fake.APIError{Status: http.StatusUnauthorized, Code: "AuthFailure", Message: "AWS was not able to validate the provided access credentials"}
				case answered:
					return map[string]any{"DescribeInstances": &ec2.DescribeInstancesOutput{}, "DescribeReservedInstances": &ec2.DescribeReservedInstancesOutput{},
						"DescribeInstanceTypes": &ec2.DescribeInstanceTypesOutput{}}[c.Action], nil
				}
				if c.Action == "DescribeRegions" {
					return &ec2.DescribeRegionsOutput{Regions: []types.Region{
						{RegionName: aws.String("us-east-1"), OptInStatus: aws.String("opt-in-not-required")},
						{RegionName: aws.String("af-south-1"), OptInStatus: aws.String("not-opted-in")},
						{RegionName: aws.String("eu-south-1"), OptInStatus: aws.String("opted-in")},
					}}, nil
				}
				return nil, &ec2fake.APIError{Status: http.StatusPreconditionFailed, Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set."}
			}}
			srv := ec2fake.Start(t, fake)
			conn := &awsConnector{base: testkit.AWSConfig(srv.URL, "us-east-1"), ec2Endpoint: srv.URL,
				access: map[string]access{"111111111111": {keyID: webKey, secretKey: "web-secret"}}}
			a := Account{ID: "111111111111", Name: "web", Regions: []string{"us-east-2", "us-west-1"}}
			if tc.all {
				a.Regions, a.AllRegions, a.SeedRegion = nil, true, "us-east-1"
			}
			r := &preflight.Report{Stanza: "aws_ingest_inventory://t"}
			checkAccounts(t.Context(), conn, []Account{a}, conn.access, "", 4, r)

			row := r.Rows[0]
			if row.Check != "account:111111111111" || row.Mark != tc.mark || !strings.Contains(row.Detail, tc.detail) || !strings.Contains(row.Fix, tc.fix) {
				t.Errorf("row %+v\nwant %s ...%s... fix ...%s...", row, tc.mark, tc.detail, tc.fix)
			}
			if tc.skip != "" && (len(r.Rows) != 2 || r.Rows[1].Mark != preflight.Skip || !strings.Contains(r.Rows[1].Detail, tc.skip)) {
				t.Errorf("rows %+v, want a second row - %s", r.Rows, tc.skip)
			}
			if tc.skip == "" && len(r.Rows) != 1 {
				t.Errorf("rows %+v", r.Rows)
			}
			for _, c := range fake.Calls() {
				if want := map[bool]string{false: "us-east-2", true: "us-east-1"}[tc.all]; c.Region != want || c.AccessKey != webKey {
					t.Errorf("%s in %s with %s, want %s with the account's keys", c.Action, c.Region, c.AccessKey, want)
				}
			}
		})
	}
}

// TestPreflightTriesEveryAccount checks the row of an account that cannot
// be opened, and that every account gets its row, in order, with a bounded
// number tried at once.
func TestPreflightTriesEveryAccount(t *testing.T) {
	cloud := newFakeCloud(0)
	assumeDenied := &CredentialsError{Err: apiError("AccessDenied", "User: arn:aws:iam::111111111111:user/splunk is not authorized to perform: sts:AssumeRole")}
	cloud.connectErr["222222222222"] = assumeDenied
	cloud.connectErr["333333333333"] = assumeDenied
	cloud.region("444444444444", "us-east-1").errs["DescribeInstances"] = apiError("UnauthorizedOperation", "You are not authorized to perform this operation.")
	regions := []string{"us-east-1"}
	accounts := []Account{
		{ID: "111111111111", Name: "self", Regions: regions, Origin: originSelf},
		{ID: "222222222222", Name: "prod", Regions: regions, Origin: "aws.conf local/aws.conf:3 [account:prod]"},
		{ID: "333333333333", Name: "member", Regions: regions, Origin: originOrganization},
		{ID: "444444444444", Name: "data", Regions: regions, Origin: originOrganization},
		{ID: "555555555555", Name: "nowhere", Origin: "aws.conf local/aws.conf:9 [account:nowhere]"},
	}
	how := map[string]access{
		"222222222222": {roleARN: "arn:aws:iam::222222222222:role/inventory", externalID: "ext-1"},
		"333333333333": {roleARN: "arn:aws:iam::333333333333:role/OrgRead"},
		"444444444444": {roleARN: "arn:aws:iam::444444444444:role/OrgRead"},
		"555555555555": {roleARN: "arn:aws:iam::555555555555:role/inventory"},
	}
	const caller = "arn:aws:iam::111111111111:user/splunk"
	r := &preflight.Report{Stanza: "s"}
	checkAccounts(t.Context(), cloud, accounts, how, caller, 2, r)

	want := []struct{ check, mark, detail, fix string }{
		{"account:111111111111", preflight.Pass, "111111111111 (self) with the input's own credentials in us-east-1: ec2:DescribeInstances", ""},
		{"account:222222222222", preflight.Fail, "222222222222 (prod) by aws.conf role_arn arn:aws:iam::222222222222:role/inventory: AccessDenied: User:",
			"allow sts:AssumeRole on arn:aws:iam::222222222222:role/inventory to " + caller + ", and make the role's trust policy trust them with the external_id of aws.conf"},
		{"account:333333333333", preflight.Fail, "333333333333 (member) by organization_role_name arn:aws:iam::333333333333:role/OrgRead: ",
			"the role (organization_role_name) must exist in account 333333333333"},
		{"account:444444444444", preflight.Fail, "denied ec2:DescribeInstances", "allow ec2:DescribeInstances to arn:aws:iam::444444444444:role/OrgRead"},
		{"account:555555555555", preflight.Skip, "not tried, no region to poll", ""},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("rows %+v", r.Rows)
	}
	for i, w := range want {
		got := r.Rows[i]
		if got.Check != w.check || got.Mark != w.mark || !strings.Contains(got.Detail, w.detail) || !strings.Contains(got.Fix, w.fix) {
			t.Errorf("row %d = %+v\nwant %+v", i, got, w)
		}
	}
	if n := cloud.count("Connect"); n != 5 {
		t.Errorf("%d accounts opened, want 5", n)
	}
	if n := cloud.maxInflight.Load(); n > 2 {
		t.Errorf("%d calls at once, want at most max_concurrency (2)", n)
	}
}

// TestPreflightAccountsRow checks what the accounts row says about the
// Organization, from discovery's own answers.
func TestPreflightAccountsRow(t *testing.T) {
	conf := "[keys]\n111111111111 = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[regions]\nrgn1 = us-east-1\n"
	const caller = "arn:aws:iam::999999999999:user/splunk"
	for _, tc := range []struct {
		name   string
		org    *fakeOrg
		mark   string
		detail string
		fix    string
	}{
		{name: "organization listed", org: &fakeOrg{accounts: []orgtypes.Account{
			orgAccount("999999999999", "management", orgtypes.AccountStateActive),
			orgAccount("222222222222", "member", orgtypes.AccountStateActive),
			orgAccount("333333333333", "gone", orgtypes.AccountStateSuspended),
		}}, mark: preflight.Pass,
			detail: "3 account(s): 1 with aws.conf keys, 1 by organization_role_name, 1 with the input's own credentials"},
		{name: "ListAccounts denied", org: &fakeOrg{err: apiError("AccessDeniedException", "You don't have permissions to access this resource.")},
			mark: preflight.Fail, detail: "1 account(s): 1 with aws.conf keys; organization_role_name: organizations:ListAccounts failed: AccessDeniedException",
			fix: "allow organizations:ListAccounts to " + caller},
		{name: "no Organization", org: &fakeOrg{err: apiError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")},
			mark: preflight.Fail, detail: "AWSOrganizationsNotInUseException", fix: caller + " are not in an AWS Organization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &discovery{conf: parseConf(t, conf), orgRole: "OrgRead", org: tc.org, log: slog.New(slog.DiscardHandler),
				sts: &fakeSTS{account: "999999999999", arn: caller}}
			accounts, how, _, err := d.accounts(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			r := &preflight.Report{}
			checkDiscovery(d, accounts, how, caller, r)
			if got := r.Rows[0]; len(r.Rows) != 1 || got.Check != "accounts" || got.Mark != tc.mark || !strings.Contains(got.Detail, tc.detail) || !strings.Contains(got.Fix, tc.fix) {
				t.Errorf("rows %+v\nwant %s ...%s... fix ...%s...", r.Rows, tc.mark, tc.detail, tc.fix)
			}
		})
	}
}
