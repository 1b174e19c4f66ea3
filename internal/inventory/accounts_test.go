package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

type fakeSTS struct {
	account, arn string
	err          error
	calls        int
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.account), Arn: aws.String(f.arn)}, nil
}

// fakeOrg serves ListAccounts in pages of two.
type fakeOrg struct {
	accounts []orgtypes.Account
	err      error
}

func (f *fakeOrg) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(start+2, len(f.accounts))
	out := &organizations.ListAccountsOutput{Accounts: f.accounts[start:end]}
	if end < len(f.accounts) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func orgAccount(id, name string, state orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: state}
}

func parseConf(t *testing.T, text string) *awsconf.Config {
	t.Helper()
	c, err := awsconf.Parse("aws.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const legacyConf = `
[keys]
111111111111 = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 200000
222222222222 = web '' '' 100000
333333333333 = batch

[regions]
rgn2 = us-west-2
rgn1 = us-east-1

[account:prod]
account_id = 444444444444
role_arn = arn:aws:iam::444444444444:role/SplunkReadOnly
external_id = splunk-prod
regions = eu-west-1

[account:self]
account_id = 555555555555
`

// describe summarises accounts as "id name regions how".
func describe(accts []Account, how map[string]access) []string {
	var out []string
	for _, a := range accts {
		h := how[a.ID]
		way := "self"
		switch {
		case h.keyID != "":
			way = "keys " + h.keyID
		case h.roleARN != "":
			way = "role " + h.roleARN
			if h.externalID != "" {
				way += " " + h.externalID
			}
		}
		regions := strings.Join(a.Regions, ",")
		if a.AllRegions {
			regions = "all(" + a.SeedRegion + ")"
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", a.ID, a.Name, regions, way))
	}
	return out
}

func TestDiscoveryOfLegacyAndModernAccounts(t *testing.T) {
	var log bytes.Buffer
	st := &fakeSTS{account: "555555555555", arn: "arn:aws:sts::555555555555:assumed-role/splunk/i-1"}
	d := &discovery{conf: parseConf(t, legacyConf), sts: st, log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo)), fallbackRegion: "ap-south-1"}
	accts, how, names, err := d.accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := describe(accts, how)
	want := []string{
		"111111111111 payer us-east-1,us-west-2 keys AKIAIOSFODNN7EXAMPLE",
		"444444444444 prod eu-west-1 role arn:aws:iam::444444444444:role/SplunkReadOnly splunk-prod",
		"555555555555 self us-east-1,us-west-2 self",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("accounts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantNames := map[string]string{"111111111111": "payer", "222222222222": "web", "333333333333": "batch", "444444444444": "prod", "555555555555": "self"}
	if !maps.Equal(names, wantNames) {
		t.Errorf("names = %v", names)
	}
	if !strings.Contains(log.String(), "INFO aws.conf [keys] accounts without keys are not polled") || !strings.Contains(log.String(), "accounts=222222222222,333333333333") {
		t.Errorf("log:\n%s", log.String())
	}

	// The input's credentials belong to another account: the keyless
	// [account:self] is not polled, with a WARN.
	log.Reset()
	st.account = "999999999999"
	d = &discovery{conf: parseConf(t, legacyConf), sts: st, log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo))}
	accts, _, _, err = d.accounts(context.Background())
	if err != nil || len(accts) != 2 || !strings.Contains(log.String(), "WARN account 555555555555") || !strings.Contains(log.String(), "belong to account 999999999999") {
		t.Errorf("accounts %v, err %v, log:\n%s", accts, err, log.String())
	}
}

func TestDiscoveryRegions(t *testing.T) {
	conf := parseConf(t, legacyConf)
	st := &fakeSTS{account: "555555555555"}
	for _, tt := range []struct {
		name    string
		regions []string
		all     bool
		want    string // regions of 111111111111 and 444444444444
	}{
		{"explicit regions replace aws.conf's", []string{"ca-central-1"}, false, "ca-central-1 ca-central-1"},
		{"all asks each account, seeded from [regions]", nil, true, "all(us-east-1) all(us-east-1)"},
		{"default: the account's own, else [regions]", nil, false, "us-east-1,us-west-2 eu-west-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &discovery{conf: conf, sts: st, regions: tt.regions, all: tt.all, log: slog.New(slog.DiscardHandler)}
			accts, how, _, err := d.accounts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := describe(accts, how)
			g := strings.Fields(got[0])[2] + " " + strings.Fields(got[1])[2]
			if g != tt.want {
				t.Errorf("regions = %q, want %q", g, tt.want)
			}
		})
	}
}

func TestDiscoveryWithoutAWSConfPollsTheInputsOwnAccount(t *testing.T) {
	st := &fakeSTS{account: "123456789012", arn: "arn:aws:iam::123456789012:user/splunk"}
	d := &discovery{sts: st, log: slog.New(slog.DiscardHandler), fallbackRegion: "eu-north-1"}
	accts, how, _, err := d.accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(accts, how); len(got) != 1 || got[0] != "123456789012 123456789012 eu-north-1 self" {
		t.Errorf("accounts = %q", got)
	}

	st.err = errors.New("operation error STS: GetCallerIdentity, get identity: get credentials: no credentials")
	d = &discovery{sts: st, log: slog.New(slog.DiscardHandler)}
	_, _, _, err = d.accounts(context.Background())
	if !errors.Is(err, errNoAccounts) || !isCredentialsError(err) || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("err = %v", err)
	}
}

func TestDiscoveryOfAnOrganization(t *testing.T) {
	conf := parseConf(t, legacyConf)
	st := &fakeSTS{account: "555555555555", arn: "arn:aws-us-gov:sts::555555555555:assumed-role/hub/x"}
	org := &fakeOrg{accounts: []orgtypes.Account{
		orgAccount("111111111111", "payer-org-name", orgtypes.AccountStateActive),                           // in aws.conf with keys: kept as is
		orgAccount("222222222222", "web-org-name", orgtypes.AccountStateActive),                             // a placeholder in aws.conf: now polled through the role
		orgAccount("555555555555", "management", orgtypes.AccountStateActive),                               // the input's own account
		orgAccount("666666666666", "data", orgtypes.AccountStateActive),                                     // new
		orgAccount("777777777777", "closed", orgtypes.AccountStateSuspended),                                // skipped
		{Id: aws.String("888888888888"), Name: aws.String("old-api"), Status: orgtypes.AccountStatusActive}, // Status only
	}}
	var log bytes.Buffer
	d := &discovery{conf: conf, sts: st, org: org, orgRole: "OrganizationAccountAccessRole", regions: []string{"us-gov-west-1"},
		log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo))}
	accts, how, names, err := d.accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"111111111111 payer us-gov-west-1 keys AKIAIOSFODNN7EXAMPLE",
		"444444444444 prod us-gov-west-1 role arn:aws:iam::444444444444:role/SplunkReadOnly splunk-prod",
		"555555555555 self us-gov-west-1 self",
		"222222222222 web us-gov-west-1 role arn:aws-us-gov:iam::222222222222:role/OrganizationAccountAccessRole",
		"666666666666 data us-gov-west-1 role arn:aws-us-gov:iam::666666666666:role/OrganizationAccountAccessRole",
		"888888888888 old-api us-gov-west-1 role arn:aws-us-gov:iam::888888888888:role/OrganizationAccountAccessRole",
	}
	if got := describe(accts, how); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("accounts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if names["666666666666"] != "data" || names["222222222222"] != "web" || names["777777777777"] != "" {
		t.Errorf("names = %v", names)
	}
	if st.calls != 1 {
		t.Errorf("GetCallerIdentity called %d times, want once", st.calls)
	}
	if !strings.Contains(log.String(), "not polled") || strings.Contains(log.String(), "222222222222") {
		t.Errorf("only 333333333333 is left unpolled (222222222222 is in the organization), yet:\n%s", log.String())
	}

	// ListAccounts denied: a WARN, and aws.conf's accounts are polled.
	log.Reset()
	org.err = errors.New("AccessDeniedException: not the management account")
	d = &discovery{conf: conf, sts: st, org: org, orgRole: "OrganizationAccountAccessRole", log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo))}
	accts, _, _, err = d.accounts(context.Background())
	if err != nil || len(accts) != 3 || !strings.Contains(log.String(), "WARN cannot list the AWS Organization's accounts") {
		t.Errorf("accounts %d, err %v, log:\n%s", len(accts), err, log.String())
	}
}
