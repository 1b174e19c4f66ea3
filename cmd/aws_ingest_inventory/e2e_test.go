package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/testkit/moto"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// End-to-end: the built binary, run as splunkd runs it, against
// moto_server's EC2, STS and Organizations. moto does not implement
// DescribeReservedInstances (500): every pass WARNs about it, which is
// itself the "API the endpoint does not implement" case; reservations and
// matching are covered against recorded responses in internal/inventory.

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const (
	mainAccount   = "123456789012" // moto's default account
	secondAccount = "111122223333" // reached by AssumeRole: moto gives it its own state
	linuxAMI      = "ami-1e749f67" // one of moto's Ubuntu images
)

// The legacy app's aws.conf, with empty-key placeholders, plus a modern
// [account:<name>] stanza with a role.
const legacyConf = `# aws.conf of the legacy Splunk App for AWS
[keys]
123456789012 = main AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 1000
210987654321 = billing '' '' 500

[regions]
rgn1 = us-east-1
rgn2 = us-west-2

[account:second]
account_id = 111122223333
role_arn = arn:aws:iam::111122223333:role/inventory
`

// ec2Proxy stands between the binary and moto's EC2: it counts actions and
// fails the regions (or every call) a test asks for.
type ec2Proxy struct {
	srv *httptest.Server

	mu       sync.Mutex
	counts   map[string]int
	failing  map[string]string // region → error code ("*" for every region)
	forwards *httputil.ReverseProxy
}

func newEC2Proxy(t *testing.T, motoURL string) *ec2Proxy {
	target, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &ec2Proxy{counts: map[string]int{}, failing: map[string]string{}, forwards: httputil.NewSingleHostReverseProxy(target)}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *ec2Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	region := ""
	if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		if parts := strings.Split(cred, "/"); len(parts) > 2 {
			region = parts[2]
		}
	}
	p.mu.Lock()
	p.counts[action]++
	code := p.failing[region]
	if c := p.failing["*"]; c != "" {
		code = c
	}
	p.mu.Unlock()
	if code != "" {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>injected by the test</Message></Error></Errors><RequestID>e2e</RequestID></Response>`, code)
		return
	}
	p.forwards.ServeHTTP(w, r)
}

func (p *ec2Proxy) count(action string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[action]
}

func (p *ec2Proxy) fail(region, code string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if code == "" {
		delete(p.failing, region)
	} else {
		p.failing[region] = code
	}
}

type fixture struct {
	t          *testing.T
	srv        *moto.Server
	proxy      *ec2Proxy
	bin        string
	dir        string
	lookups    string
	checkpoint string
	params     map[string]string
}

func newFixture(t *testing.T) *fixture {
	if testing.Short() {
		t.Skip("builds the binary and runs moto_server")
	}
	srv := moto.Require(t)
	f := &fixture{t: t, srv: srv, bin: splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/aws_ingest_inventory"), dir: t.TempDir()}
	f.proxy = newEC2Proxy(t, srv.URL)
	f.lookups = filepath.Join(f.dir, "lookups")
	f.checkpoint = filepath.Join(f.dir, "modinputs", "aws_ingest_inventory")
	if err := os.MkdirAll(f.checkpoint, 0o755); err != nil {
		t.Fatal(err)
	}
	f.params = map[string]string{
		"aws_conf": filepath.Join(f.dir, "aws.conf"), "lookup_dir": f.lookups, "ec2_endpoint_url": f.proxy.srv.URL,
		"index": "main", "interval": "3600", "host": "$decideOnStartup", "disabled": "0", "start_by_shell": "false",
	}
	return f
}

// ec2In returns an EC2 client of account (main or second) in region.
func (f *fixture) ec2In(account, region string) *ec2.Client {
	cfg := f.srv.Config(region)
	if account == secondAccount {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.srv.Config("us-east-1")),
			"arn:aws:iam::"+secondAccount+":role/setup"))
	}
	return ec2.NewFromConfig(cfg)
}

// launch runs instances and returns their ids.
func (f *fixture) launch(account, region string, typ types.InstanceType, n int32, name string) []string {
	f.t.Helper()
	out, err := f.ec2In(account, region).RunInstances(f.t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String(linuxAMI), InstanceType: typ, MinCount: aws.Int32(n), MaxCount: aws.Int32(n),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}, {Key: aws.String("team"), Value: aws.String("e2e")}}}},
	})
	if err != nil {
		f.t.Fatalf("RunInstances in %s/%s: %v", account, region, err)
	}
	var ids []string
	for _, in := range out.Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	return ids
}

// run runs one pass of the binary and returns its result and events.
func (f *fixture) run() (splunkd.Result, []splunkd.Event) {
	f.t.Helper()
	def := splunkd.Definition{ServerHost: "e2e", ServerURI: "https://127.0.0.1:8089", SessionKey: "e2e-session-key", CheckpointDir: f.checkpoint,
		Stanzas: []splunkd.Stanza{{Name: "aws_ingest_inventory://e2e", App: "aws_ingest", Params: f.params}}}
	res := splunkd.Start(f.t, f.bin, def.InputXML(), f.srv.Env()).Wait(2 * time.Minute)
	events, err := splunkd.ParseStream(res.Stdout)
	if err != nil {
		f.t.Fatalf("%v\nstderr:\n%s", err, res.Stderr)
	}
	return res, events
}

func (f *fixture) read(name string) lookup.Table {
	f.t.Helper()
	tab, err := lookup.Read(filepath.Join(f.lookups, name))
	if err != nil {
		f.t.Fatal(err)
	}
	return tab
}

func lines(stderr, prefix string) []string {
	var out []string
	for l := range strings.SplitSeq(stderr, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// byKind splits the events by sourcetype and decodes their JSON.
func byKind(t *testing.T, events []splunkd.Event) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, e := range events {
		var m map[string]any
		if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
			t.Fatalf("event is not JSON: %v: %s", err, e.Data)
		}
		out[e.Sourcetype] = append(out[e.Sourcetype], m)
	}
	return out
}

// rows indexes ec2_instances.csv by instance id.
func rows(tab lookup.Table) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range tab.Rows {
		m := map[string]string{}
		for i, h := range tab.Header {
			m[h] = r[i]
		}
		out[m["instance_id"]] = m
	}
	return out
}

func TestInventoryAcrossAccountsAndRegions(t *testing.T) {
	f := newFixture(t)
	if err := os.WriteFile(f.params["aws_conf"], []byte(legacyConf), 0o600); err != nil {
		t.Fatal(err)
	}
	mainEast := f.launch(mainAccount, "us-east-1", types.InstanceTypeM5Large, 2, "web")
	mainEast = append(mainEast, f.launch(mainAccount, "us-east-1", types.InstanceTypeT3Micro, 1, "bastion")...)
	mainWest := f.launch(mainAccount, "us-west-2", types.InstanceTypeC5Xlarge, 1, "batch")
	secondEast := f.launch(secondAccount, "us-east-1", types.InstanceTypeR5Large, 2, "db")
	if _, err := f.ec2In(secondAccount, "us-east-1").StopInstances(t.Context(), &ec2.StopInstancesInput{InstanceIds: secondEast[1:]}); err != nil {
		t.Fatal(err)
	}
	secondWest := f.launch(secondAccount, "us-west-2", types.InstanceTypeM5Xlarge, 1, "ml")
	all := slices.Concat(mainEast, mainWest, secondEast, secondWest)

	// Pass 1: everything collected.
	res, events := f.run()
	if res.Code != 0 || len(lines(res.Stderr, "ERROR")) > 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	kinds := byKind(t, events)
	if got := len(kinds["aws:ec2:instance"]); got != len(all) {
		t.Errorf("%d instance events, want %d\n%s", got, len(all), res.Stderr)
	}
	for _, e := range kinds["aws:ec2:instance"] {
		want := map[string]string{mainAccount: "main", secondAccount: "second"}[e["account_id"].(string)]
		if e["account_name"] != want || e["instance_type"] == "" || e["availability_zone"] == "" {
			t.Errorf("instance event %v", e)
		}
	}
	usage := kinds["aws:ec2:usage"]
	if len(usage) != len(all)-1 { // the stopped one is not running
		t.Errorf("%d usage events, want %d", len(usage), len(all)-1)
	}
	for _, u := range usage {
		if u["running"] != "Y" || u["reserved"] != "N" || u["subaccount"] == "" || !strings.HasPrefix(u["region"].(string), u["aws_region"].(string)) {
			t.Errorf("usage event %v", u)
		}
	}
	// moto lacks DescribeReservedInstances: one WARN per account and region,
	// naming them and the API; the instances are still collected.
	warns := lines(res.Stderr, "WARN")
	for _, want := range []string{
		"account 123456789012 (main) region us-east-1: DescribeReservedInstances failed",
		"account 123456789012 (main) region us-west-2: DescribeReservedInstances failed",
		"account 111122223333 (second) region us-east-1: DescribeReservedInstances failed",
		"account 111122223333 (second) region us-west-2: DescribeReservedInstances failed",
	} {
		if !slices.ContainsFunc(warns, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no WARN %q in:\n%s", want, res.Stderr)
		}
	}
	if len(warns) != 4 {
		t.Errorf("want exactly the 4 DescribeReservedInstances WARN lines, got:\n%s", strings.Join(warns, "\n"))
	}
	if !strings.Contains(res.Stderr, "INFO aws.conf [keys] accounts without keys are not polled") || !strings.Contains(res.Stderr, "INFO pass complete") {
		t.Errorf("stderr:\n%s", res.Stderr)
	}

	got := rows(f.read("ec2_instances.csv"))
	if len(got) != len(all) {
		t.Errorf("ec2_instances.csv has %d rows, want %d", len(got), len(all))
	}
	for _, id := range secondEast {
		if r := got[id]; r["account_id"] != secondAccount || r["account_name"] != "second" || r["region"] != "us-east-1" || r["name"] != "db" {
			t.Errorf("row %v", r)
		}
	}
	if got[secondEast[1]]["state"] != "stopped" || got[mainWest[0]]["instance_type"] != "c5.xlarge" || got[mainWest[0]]["stale_since"] != "" {
		t.Errorf("rows %v / %v", got[secondEast[1]], got[mainWest[0]])
	}
	types1 := f.read("instancetype.csv")
	if len(types1.Rows) < 500 {
		t.Errorf("instancetype.csv has %d rows; moto lists over 1000 types", len(types1.Rows))
	}
	if !slices.ContainsFunc(types1.Rows, func(r []string) bool {
		return strings.Join(r, ",") == "m5.large,m5,large,2,8192,x86_64,false,false,4" ||
			strings.Join(r, ",") == "m5.large,m5,large,2,8192,x86_64,true,false,4"
	}) {
		t.Errorf("no m5.large row with 2 vCPU, 8192 MiB and factor 4")
	}
	names := f.read("accountNames.csv")
	wantNames := [][]string{{"111122223333", "second"}, {"123456789012", "main"}, {"210987654321", "billing"}}
	if !slices.EqualFunc(names.Rows, wantNames, slices.Equal) {
		t.Errorf("accountNames.csv = %v", names.Rows)
	}
	if n := f.proxy.count("DescribeInstanceTypes"); n != 2 {
		t.Errorf("DescribeInstanceTypes called %d times in the first pass, want once per region", n)
	}
	for _, region := range []string{"us-east-1", "us-west-2"} {
		if _, err := os.Stat(filepath.Join(f.checkpoint, "instance_types", region+".json")); err != nil {
			t.Errorf("instance-type cache: %v", err)
		}
	}

	// Between passes: a person adds rows, instances come and go, and
	// us-west-2 starts failing.
	appendLine(t, filepath.Join(f.lookups, "instancetype.csv"), "zz9.custom,zz9,custom,64,,,,,")
	appendLine(t, filepath.Join(f.lookups, "accountNames.csv"), "999999999999,added by hand")
	if _, err := f.ec2In(mainAccount, "us-east-1").TerminateInstances(t.Context(), &ec2.TerminateInstancesInput{InstanceIds: mainEast[:1]}); err != nil {
		t.Fatal(err)
	}
	fresh := f.launch(mainAccount, "us-east-1", types.InstanceTypeM5Large, 1, "web-new")
	f.proxy.fail("us-west-2", "UnauthorizedOperation")

	// Pass 2: the failing region is a WARN per account and keeps its rows.
	res, events = f.run()
	if res.Code != 0 || len(lines(res.Stderr, "ERROR")) > 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	warns = lines(res.Stderr, "WARN")
	for _, account := range []string{"123456789012 (main)", "111122223333 (second)"} {
		want := "account " + account + " region us-west-2: DescribeInstances failed"
		if !slices.ContainsFunc(warns, func(w string) bool {
			return strings.Contains(w, want) && strings.Contains(w, "UnauthorizedOperation") && strings.Contains(w, "api=DescribeInstances")
		}) {
			t.Errorf("no WARN %q in:\n%s", want, res.Stderr)
		}
	}
	got = rows(f.read("ec2_instances.csv"))
	if len(got) != len(all)+1 {
		t.Errorf("ec2_instances.csv has %d rows, want %d", len(got), len(all)+1)
	}
	for _, id := range slices.Concat(mainWest, secondWest) {
		if got[id]["stale_since"] == "" {
			t.Errorf("row of failing us-west-2 not kept as stale: %v", got[id])
		}
	}
	for _, id := range slices.Concat(mainEast, secondEast, fresh) {
		if got[id]["stale_since"] != "" {
			t.Errorf("fresh row marked stale: %v", got[id])
		}
	}
	if got[mainEast[0]]["state"] != "terminated" || got[fresh[0]]["name"] != "web-new" {
		t.Errorf("rows %v / %v", got[mainEast[0]], got[fresh[0]])
	}
	if !slices.ContainsFunc(f.read("instancetype.csv").Rows, func(r []string) bool { return r[0] == "zz9.custom" && r[3] == "64" }) {
		t.Error("a person's instancetype.csv row was dropped")
	}
	if !slices.ContainsFunc(f.read("accountNames.csv").Rows, func(r []string) bool { return r[0] == "999999999999" }) {
		t.Error("a person's accountNames.csv row was dropped")
	}
	if n := f.proxy.count("DescribeInstanceTypes"); n != 2 {
		t.Errorf("DescribeInstanceTypes called again within the day (%d calls in all)", n)
	}
	if n := len(byKind(t, events)["aws:ec2:instance"]); n != len(mainEast)+len(secondEast)+1 {
		t.Errorf("%d instance events in pass 2", n)
	}

	// Pass 3: credentials that fail for every call are one ERROR, and the
	// lookups stay as they were.
	before, _ := os.ReadFile(filepath.Join(f.lookups, "ec2_instances.csv"))
	f.proxy.fail("*", "AuthFailure")
	res, events = f.run()
	errs := lines(res.Stderr, "ERROR")
	if res.Code == 0 || len(errs) != 1 || !strings.Contains(errs[0], "credentials failed for every account") || len(lines(res.Stderr, "WARN")) != 0 {
		t.Errorf("exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	if len(events) != 0 {
		t.Errorf("%d events from a pass that collected nothing", len(events))
	}
	after, _ := os.ReadFile(filepath.Join(f.lookups, "ec2_instances.csv"))
	if !bytes.Equal(before, after) {
		t.Error("ec2_instances.csv changed after a pass that collected nothing")
	}
}

func appendLine(t *testing.T, path, line string) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fmt.Fprintln(fh, line); err != nil {
		t.Fatal(err)
	}
}

func TestInventoryOfAnOrganization(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	org := organizations.NewFromConfig(f.srv.Config("us-east-1"))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("data"), Email: aws.String("data@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	member := aws.ToString(created.CreateAccountStatus.AccountId)
	memberCfg := f.srv.Config("us-east-1")
	memberCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.srv.Config("us-east-1")),
		"arn:aws:iam::"+member+":role/OrganizationAccountAccessRole"))
	if _, err := ec2.NewFromConfig(memberCfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(linuxAMI),
		InstanceType: types.InstanceTypeT3Small, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	f.launch(mainAccount, "us-east-1", types.InstanceTypeT3Micro, 1, "management")

	if err := os.WriteFile(f.params["aws_conf"], []byte("[regions]\nrgn1 = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.params["organization_role_name"] = "OrganizationAccountAccessRole"
	res, events := f.run()
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	seen := map[string]string{}
	for _, e := range byKind(t, events)["aws:ec2:instance"] {
		seen[e["account_id"].(string)] = e["account_name"].(string)
	}
	if seen[member] != "data" || seen[mainAccount] != "master" || len(seen) != 2 {
		t.Errorf("instances by account: %v\n%s", seen, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "INFO listed the AWS Organization's accounts") || !strings.Contains(res.Stderr, "active_accounts=2") {
		t.Errorf("stderr:\n%s", res.Stderr)
	}
}
