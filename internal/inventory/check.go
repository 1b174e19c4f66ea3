package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/preflight"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// checkTimeout bounds the discovery part of a check (STS, Organizations)
// and, separately, each account's probes, so that one unreachable account
// does not use up the time of the others.
const checkTimeout = time.Minute

// policyHint points at the whole policy after a missing permission.
const policyHint = " (aws_ingest_inventory policy prints the whole policy)"

// Preflight is the inventory's part of the `check` subcommand
// (internal/preflight): the files a pass uses, the input's credentials,
// the accounts a pass would find, and, for every account, the way in and
// each EC2 permission a pass needs, tried without changing anything. It
// goes through the same set-up as Run (locate, loadConf, newDiscovery,
// discovery.accounts, newConnector) so that it finds what a pass would.
func Preflight(ctx context.Context, job *cli.Job, r *preflight.Report) {
	conf, ok := checkFiles(job, r)
	if !ok {
		return // without aws.conf there is no telling which accounts a pass polls
	}
	d, opts, err := newDiscovery(job, conf)
	var base aws.Config
	if err == nil {
		// Two attempts, not the pass's five: a person is waiting, and a
		// failure that survives one retry is worth showing.
		opts.MaxAttempts = 2
		base, err = awsx.Load(ctx, opts)
	}
	if err != nil {
		r.Fail("credentials", preflight.OneLine(err.Error()), preflight.CredentialsFix(job, job.Params.String(schemes.AWSAccount)))
		return
	}
	d.useBase(base, job.Params.String(schemes.STSEndpointURL))

	dctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	// identity first: discovery caches it, so accounts makes no second call.
	caller, idErr := d.identity(dctx)
	accounts, how, _, accErr := d.accounts(dctx)

	callerARN := ""
	switch {
	case idErr == nil:
		callerARN = caller.arn
		r.Pass("credentials", callerARN)
	case accErr == nil && !needsOwnCredentials(d, how):
		// The legacy layout: every account has keys in aws.conf and the
		// host has no AWS identity of its own. A pass never uses it.
		r.Skip("credentials", "not used, every account has keys in aws.conf; they fail: "+preflight.Short(idErr))
	case unreachable(idErr):
		r.Fail("credentials", preflight.Short(idErr), stsUnreachableFix)
	default:
		r.Fail("credentials", preflight.Short(idErr), preflight.CredentialsFix(job, job.Params.String(schemes.AWSAccount)))
	}

	if accErr != nil {
		detail := preflight.Short(accErr)
		if errors.Is(accErr, errNoAccounts) {
			detail = "none: aws.conf lists no account with keys or role_arn, and the input's own credentials do not work"
		}
		r.Fail("accounts", detail, "list the accounts in aws.conf ([keys] with keys, or [account:<name>] with role_arn), or give the input working credentials")
		return
	}
	checkDiscovery(d, accounts, how, callerARN, r)
	limit := cmp.Or(int(job.Params.Int(schemes.MaxConcurrency)), DefaultMaxConcurrency)
	checkAccounts(ctx, newConnector(job, base, how), accounts, how, callerARN, limit, r)
}

// checkFiles records the aws.conf and lookup_dir rows and returns aws.conf
// (nil without one) and whether it could be read.
func checkFiles(job *cli.Job, r *preflight.Report) (*awsconf.Config, bool) {
	f, err := locate(job)
	if err != nil {
		r.Fail("aws.conf", preflight.OneLine(err.Error()), "run check on the Splunk host where the app is installed, or set aws_conf and lookup_dir to absolute paths")
		return nil, false
	}
	conf, err := loadConf(f)
	switch {
	case err != nil:
		r.Fail("aws.conf", preflight.OneLine(err.Error()), "correct the lines named (see README/aws.conf.spec)")
		return nil, false
	case conf == nil:
		r.Pass("aws.conf", "none (aws_conf is not set and the app folder is not known): the input's own credentials only")
	case len(conf.Files) == 0:
		r.Pass("aws.conf", "none in "+f.appDir+"/{default,local}: the input's own credentials only")
	default:
		regions := "no [regions]"
		if len(conf.Regions) > 0 {
			regions = "[regions] " + strings.Join(conf.Regions, ",")
		}
		r.Pass("aws.conf", fmt.Sprintf("%s: %d account(s), %s", strings.Join(conf.Files, ", "), len(conf.Accounts), regions))
	}
	if detail, err := preflight.Writable(f.lookupDir); err != nil {
		r.Fail("lookup_dir", preflight.OneLine(err.Error()), "let the user splunkd runs as create and replace files in "+f.lookupDir+", or set lookup_dir")
	} else {
		r.Pass("lookup_dir", detail)
	}
	return conf, true
}

// needsOwnCredentials tells whether a pass uses the input's own
// credentials: for the Organization, to assume a role, or to poll an
// account with them.
func needsOwnCredentials(d *discovery, how map[string]access) bool {
	if d.orgRole != "" {
		return true
	}
	for _, acc := range how {
		if acc.keyID == "" {
			return true
		}
	}
	return false
}

// checkDiscovery records the accounts row: how many accounts a pass polls
// and how it reaches them, or what it leaves out (the WARN lines of a
// pass).
func checkDiscovery(d *discovery, accounts []Account, how map[string]access, callerARN string, r *preflight.Report) {
	kinds := map[string]int{}
	for _, a := range accounts {
		kinds[accessKind(a, how[a.ID])]++
	}
	var parts []string
	for _, k := range []string{kindKeys, kindRole, kindOrganization, kindOwn} {
		if n := kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	summary := fmt.Sprintf("%d account(s): %s", len(accounts), strings.Join(parts, ", "))

	var problems, fixes []string
	if err := regionless(accounts); err != nil {
		problems = append(problems, err.Error())
		fixes = append(fixes, "set regions on the input or [regions] in aws.conf")
	}
	if d.orgErr != nil {
		problems = append(problems, "organization_role_name: organizations:ListAccounts failed: "+preflight.Short(d.orgErr))
		switch who := cmp.Or(callerARN, "the input's credentials"); {
		case preflight.HasCode(d.orgErr, "AWSOrganizationsNotInUseException"):
			fixes = append(fixes, who+" are not in an AWS Organization: use credentials of its management (or delegated administrator) account, or clear organization_role_name")
		case preflight.Denied(d.orgErr):
			fixes = append(fixes, "allow organizations:ListAccounts to "+who+" (only the management account or a delegated administrator can list the accounts)")
		default:
			fixes = append(fixes, "organization_role_name needs organizations:ListAccounts with the input's credentials; clear it to poll only aws.conf's accounts")
		}
	}
	if len(d.unpolled) > 0 {
		problems = append(problems, d.unpolled...)
		fixes = append(fixes, "give those [account:<name>] stanzas of aws.conf a role_arn (an [account:<name>] stanza without one is polled only with its own account's credentials)")
	}
	if len(problems) > 0 {
		r.Fail("accounts", summary+"; "+strings.Join(problems, "; "), strings.Join(fixes, "; "))
		return
	}
	r.Pass("accounts", summary)
}

// How accounts are reached, for the rows.
const (
	kindKeys         = "with aws.conf keys"
	kindRole         = "by aws.conf role_arn"
	kindOrganization = "by organization_role_name"
	kindOwn          = "with the input's own credentials"
)

func accessKind(a Account, acc access) string {
	switch {
	case acc.keyID != "":
		return kindKeys
	case acc.roleARN != "" && a.Origin == originOrganization:
		return kindOrganization
	case acc.roleARN != "":
		return kindRole
	}
	return kindOwn
}

// checkAccounts records a row per account, in the order of accounts: every
// account is tried, because the failures worth finding are the single
// member account whose role does not trust the input, and a sample would
// miss it. At most limit accounts (max_concurrency, the bound of a pass)
// are tried at once; each costs a handful of calls, less than a pass.
func checkAccounts(ctx context.Context, conn Connector, accounts []Account, how map[string]access, callerARN string, limit int, r *preflight.Report) {
	results := make([]accountCheck, len(accounts))
	for i, a := range accounts {
		results[i] = accountCheck{account: a, access: how[a.ID]}
	}
	g := newGroup(limit)
	for i := range results {
		if !g.Go(ctx, func() { results[i].run(ctx, conn) }) {
			break // the rest stay untried
		}
	}
	g.Wait()
	for _, res := range results {
		res.report(callerARN, r)
	}
}

// accountCheck is what the check found out about one account.
type accountCheck struct {
	account Account
	access  access

	tried      bool
	connectErr error
	region     string   // where the EC2 permissions were tried
	enabled    int      // regions enabled, with regions = all
	probes     []probed // in ec2Probes order
}

type probed struct {
	perm string
	err  error
}

// ec2Probe tries one EC2 permission of a pass in a region.
type ec2Probe struct {
	perm string
	call func(context.Context, EC2) error
}

// ec2Probes are the calls a pass makes in every region, with DryRun: AWS
// answers DryRunOperation when the permission is there and
// UnauthorizedOperation when it is not, and reads nothing. Each probe also
// bounds the answer of an endpoint that ignores DryRun, whose success then
// proves the permission at the cost of a small read: moto 5.2.1 (the test
// peer) honours DryRun for DescribeInstances and DescribeRegions but not
// for DescribeInstanceTypes, where it also ignores MaxResults (1263 types,
// 3 s) but not a filter on one type. moto does not implement
// DescribeReservedInstances at all (HTTP 500), which the check reports as
// "could not tell".
var ec2Probes = []ec2Probe{
	{"ec2:DescribeInstances", func(ctx context.Context, c EC2) error {
		_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{DryRun: aws.Bool(true), MaxResults: aws.Int32(5)})
		return err
	}},
	{"ec2:DescribeReservedInstances", func(ctx context.Context, c EC2) error {
		_, err := c.DescribeReservedInstances(ctx, &ec2.DescribeReservedInstancesInput{DryRun: aws.Bool(true),
			Filters: []types.Filter{{Name: aws.String("state"), Values: []string{string(types.ReservedInstanceStateActive)}}}})
		return err
	}},
	{"ec2:DescribeInstanceTypes", func(ctx context.Context, c EC2) error {
		_, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{DryRun: aws.Bool(true), MaxResults: aws.Int32(5),
			Filters: []types.Filter{{Name: aws.String("instance-type"), Values: []string{string(types.InstanceTypeT3Micro)}}}})
		return err
	}},
}

// run opens the account as a pass does (Connector.Connect: its keys, or one
// AssumeRole), lists its regions with regions = all (enabledRegions, as a
// pass: the region list is not worth a dry run), and tries ec2Probes in
// one region.
func (c *accountCheck) run(ctx context.Context, conn Connector) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	c.tried = true
	s, err := conn.Connect(ctx, c.account)
	if err != nil {
		c.connectErr = err
		return
	}
	if c.account.AllRegions {
		c.region = c.account.SeedRegion
		regions, err := enabledRegions(ctx, s.EC2(c.region))
		c.probes = append(c.probes, probed{perm: "ec2:DescribeRegions", err: err})
		if err != nil {
			return
		}
		c.enabled = len(regions)
	} else if len(c.account.Regions) > 0 {
		c.region = c.account.Regions[0]
	} else {
		return // regionless: the accounts row says so
	}
	client := s.EC2(c.region)
	for _, p := range ec2Probes {
		c.probes = append(c.probes, probed{perm: p.perm, err: p.call(ctx, client)})
	}
}

// report records the account's row: ✗ naming each missing permission
// and each failed call, else ✓; each call that was neither answered nor
// refused (the endpoint failed) adds a "could not tell" row after it.
func (c *accountCheck) report(callerARN string, r *preflight.Report) {
	check := "account:" + c.account.ID
	kind := accessKind(c.account, c.access)
	who := accountLabel(&c.account) + " " + kind
	if c.access.roleARN != "" {
		who += " " + c.access.roleARN
	}
	switch {
	case !c.tried:
		r.Skip(check, who+": not tried, the check was stopped")
		return
	case c.region == "" && c.connectErr == nil:
		r.Skip(check, who+": not tried, no region to poll (see the accounts row)")
		return
	case c.connectErr != nil:
		r.Fail(check, who+": "+preflight.Short(c.connectErr), c.connectFix(callerARN))
		return
	}

	var allowed, denied, unknown, fixes []string
	var failed ordered // the same failure of several calls is said once
	for _, p := range c.probes {
		switch {
		case p.err == nil || preflight.HasCode(p.err, "DryRunOperation"):
			allowed = append(allowed, p.perm)
		case isCredentialsError(p.err):
			// Before Denied, which takes every 403 for a missing
			// permission: rejected keys are not one.
			failed.add(preflight.Short(p.err), p.perm)
			fixes = appendNew(fixes, c.failureFix(p.err))
		case preflight.Denied(p.err):
			denied = append(denied, p.perm)
		case serverFailed(p.err):
			unknown = append(unknown, fmt.Sprintf("could not tell whether %s is allowed in %s: the endpoint failed: %s", p.perm, c.region, serverError(p.err)))
		default:
			failed.add(preflight.Short(p.err), p.perm)
			fixes = appendNew(fixes, c.failureFix(p.err))
		}
	}
	where := " in " + c.region
	if c.enabled > 0 {
		where = fmt.Sprintf(" in %s (%d regions enabled)", c.region, c.enabled)
	}
	if len(denied) > 0 || len(failed.keys) > 0 {
		var what, fix []string
		if len(denied) > 0 {
			what = append(what, "denied "+strings.Join(denied, ", "))
			fix = append(fix, "allow "+strings.Join(denied, ", ")+" to "+c.principal(callerARN)+policyHint)
		}
		for _, msg := range failed.keys {
			what = append(what, strings.Join(failed.vals[msg], ", ")+": "+msg)
		}
		if len(allowed) > 0 {
			what = append(what, "allowed "+strings.Join(allowed, ", "))
		}
		r.Fail(check, who+where+": "+strings.Join(what, "; "), strings.Join(append(fix, fixes...), "; "))
	} else {
		r.Pass(check, who+where+": "+strings.Join(allowed, ", "))
	}
	for _, u := range unknown {
		r.Skip(check, u)
	}
}

// ordered groups values by key, keys in the order first seen.
type ordered struct {
	keys []string
	vals map[string][]string
}

func (o *ordered) add(key, val string) {
	if o.vals == nil {
		o.vals = map[string][]string{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = append(o.vals[key], val)
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// principal names who needs the EC2 permissions in the account.
func (c *accountCheck) principal(callerARN string) string {
	switch {
	case c.access.roleARN != "":
		return c.access.roleARN
	case c.access.keyID != "":
		// Only the key id's last characters: enough to find the IAM user's
		// key, never the key in a terminal's scrollback.
		return "the IAM user of account " + c.account.ID + "'s keys in aws.conf (key id …" + c.access.keyID[max(0, len(c.access.keyID)-4):] + ")"
	}
	return cmp.Or(callerARN, "the input's credentials")
}

// connectFix says what to do when an account cannot be opened; only a
// role or the input's own credentials can fail here (aws.conf keys are
// first used by the EC2 calls).
func (c *accountCheck) connectFix(callerARN string) string {
	if c.access.roleARN == "" {
		return "give the input credentials: an instance role, aws_account or key_id/secret_key"
	}
	switch ae, answered := errors.AsType[smithy.APIError](c.connectErr); {
	case unreachable(c.connectErr):
		return stsUnreachableFix
	case !answered || credentialCodes[ae.ErrorCode()]:
		return "the input's own credentials, which assume the role, do not work: see the credentials row"
	}
	fix := "allow sts:AssumeRole on " + c.access.roleARN + " to " + cmp.Or(callerARN, "the input's credentials") +
		", and make the role's trust policy trust them"
	if c.access.externalID != "" {
		fix += " with the external_id of aws.conf"
	}
	if c.account.Origin == originOrganization {
		fix += "; the role (organization_role_name) must exist in account " + c.account.ID
	}
	return fix
}

// failureFix says what to do about an EC2 call that failed for another
// reason than a missing permission.
func (c *accountCheck) failureFix(err error) string {
	switch {
	case isCredentialsError(err) && c.access.keyID != "":
		return "AWS rejects account " + c.account.ID + "'s keys in aws.conf (or " + c.region + " is not enabled for it): replace them, or check the region"
	case isCredentialsError(err):
		return "the credentials are rejected in " + c.region + ": check that the region is enabled for account " + c.account.ID
	case preflight.HasCode(err, "OptInRequired"):
		return "enable " + c.region + " for account " + c.account.ID + ", or leave it out of regions"
	case unreachable(err):
		return "check ec2_endpoint_url and that this host reaches EC2 in " + c.region + " (proxy, firewall, VPC endpoint)"
	}
	return "a pass fails the same way (a WARN line per account and region): see the error"
}

const stsUnreachableFix = "check sts_endpoint_url and that this host reaches STS (proxy, firewall, VPC endpoint)"

// unreachable tells whether err is a request that got no answer (a wrong
// endpoint, a proxy or firewall in the way), as opposed to credentials the
// SDK could not find before sending it.
func unreachable(err error) bool {
	if _, ok := errors.AsType[*v4.SigningError](err); ok {
		return false
	}
	_, ok := errors.AsType[*smithyhttp.RequestSendError](err)
	return ok
}

// serverFailed tells whether the endpoint failed the call (5xx after the
// SDK's retries, or an API it does not implement): whether the
// permission is there cannot be told.
func serverFailed(err error) bool {
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok && re.HTTPStatusCode() >= 500 {
		return true
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return ae.ErrorFault() == smithy.FaultServer
	}
	return false
}

// serverError says how the endpoint failed: its HTTP status and what the
// SDK made of the answer (moto answers an unimplemented call with an HTML
// page, which the SDK cannot read as an EC2 error).
func serverError(err error) string {
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok {
		return fmt.Sprintf("HTTP %d (%s)", re.HTTPStatusCode(), preflight.Short(err))
	}
	return preflight.Short(err)
}
