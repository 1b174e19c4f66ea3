package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
)

// Origins of accounts, for messages.
const (
	originOrganization = "organization"
	originSelf         = "the input's own credentials"
)

// discovery decides which accounts a pass polls, how each is reached and
// in which regions.
type discovery struct {
	conf *awsconf.Config // nil without aws.conf

	// regions is the regions parameter; all means "all".
	regions []string
	all     bool
	// fallbackRegion is the region of the input's own AWS configuration
	// (AWS_REGION), used when nothing else names one.
	fallbackRegion string

	orgRole string // organization_role_name
	sts     STS
	org     Organizations
	log     *slog.Logger

	caller     *callerIdentity
	callerErr  error
	callerDone bool

	// orgErr is why the Organization's accounts could not be listed, and
	// unpolled says which [account:<name>] stanzas are left out and why.
	// A pass only logs them (WARN); Preflight reports them.
	orgErr   error
	unpolled []string
}

type callerIdentity struct {
	arn       string
	account   string
	partition string
}

// identity asks STS once whose credentials the input has.
func (d *discovery) identity(ctx context.Context) (*callerIdentity, error) {
	if d.callerDone {
		return d.caller, d.callerErr
	}
	d.callerDone = true
	out, err := d.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		d.callerErr = fmt.Errorf("sts GetCallerIdentity with the input's own credentials: %w", err)
		return nil, d.callerErr
	}
	c := &callerIdentity{arn: aws.ToString(out.Arn), account: aws.ToString(out.Account), partition: "aws"}
	if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
		c.partition = a.Partition
	}
	d.caller = c
	return c, nil
}

// accounts returns the accounts to poll, how to reach each, and the names
// this input knows (id → name) for accountNames.csv:
//
//   - aws.conf [keys] accounts with keys, reached with them;
//   - aws.conf [account:<name>] stanzas with role_arn, reached by assuming
//     the role with the input's credentials;
//   - [account:<name>] stanzas without role_arn: the input's own
//     credentials, polled when they belong to that account;
//   - with organization_role_name, every ACTIVE account of the
//     Organization not listed above: the input's own account directly, the
//     others through arn:<partition>:iam::<id>:role/<organization_role_name>;
//   - with none of these, the input's own credentials' account.
//
// [keys] accounts whose keys are empty placeholders are not polled (as in the
// legacy app) unless the Organization covers them; their names are still
// known.
func (d *discovery) accounts(ctx context.Context) ([]Account, map[string]access, map[string]string, error) {
	var (
		accts   []Account
		how     = map[string]access{}
		names   = map[string]string{}
		skipped []string
	)
	add := func(a Account, acc access) {
		if _, dup := how[a.ID]; dup {
			return
		}
		a.Regions, a.AllRegions, a.SeedRegion = d.regionsFor(a.Regions)
		accts = append(accts, a)
		how[a.ID] = acc
	}
	if d.conf != nil {
		for _, c := range d.conf.Accounts {
			if c.Name != "" {
				names[c.ID] = c.Name
			}
			a := Account{ID: c.ID, Name: c.Name, Regions: c.Regions, Origin: "aws.conf " + c.Origin}
			switch {
			case c.HasKeys():
				add(a, access{keyID: c.KeyID, secretKey: c.SecretKey})
			case c.RoleARN != "":
				add(a, access{roleARN: c.RoleARN, externalID: c.ExternalID})
			case strings.Contains(c.Origin, "[account:"):
				id, err := d.identity(ctx)
				switch {
				case err != nil:
					msg := fmt.Sprintf("account %s from %s has no role_arn, so it would be polled with the input's own credentials, but they cannot be checked: %v", c.ID, c.Origin, err)
					d.unpolled = append(d.unpolled, msg)
					d.log.Warn(msg, "account_id", c.ID, "api", "GetCallerIdentity")
				case id.account != c.ID:
					msg := fmt.Sprintf("account %s from %s has no role_arn and the input's own credentials belong to account %s: not polled; set role_arn", c.ID, c.Origin, id.account)
					d.unpolled = append(d.unpolled, msg)
					d.log.Warn(msg, "account_id", c.ID)
				default:
					add(a, access{})
				}
			default:
				skipped = append(skipped, c.ID)
			}
		}
	}
	if d.orgRole != "" {
		if err := d.organization(ctx, add, names); err != nil {
			d.orgErr = err
			d.log.Warn("cannot list the AWS Organization's accounts; polling only the accounts of aws.conf: "+err.Error(),
				"api", "ListAccounts")
		}
	}
	var stillSkipped []string
	for _, id := range skipped {
		if _, ok := how[id]; !ok {
			stillSkipped = append(stillSkipped, id)
		}
	}
	if len(stillSkipped) > 0 {
		d.log.Info("aws.conf [keys] accounts without keys are not polled, as in the legacy app (give them keys, an [account:<name>] stanza with role_arn, or use organization_role_name)",
			"accounts", strings.Join(stillSkipped, ","))
	}
	if len(accts) == 0 {
		id, err := d.identity(ctx)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: aws.conf lists no account with keys or role_arn, and the input's own credentials do not work: %w", errNoAccounts, &CredentialsError{Err: err})
		}
		name := names[id.account]
		if name == "" {
			name = id.account
		}
		add(Account{ID: id.account, Name: name, Origin: originSelf}, access{})
		if d.conf != nil {
			for _, c := range d.conf.Accounts {
				if c.ID == id.account && len(c.Regions) > 0 {
					accts[0].Regions, accts[0].AllRegions, accts[0].SeedRegion = d.regionsFor(c.Regions)
				}
			}
		}
	}
	for i := range accts {
		if accts[i].Name == "" {
			accts[i].Name = accts[i].ID
		}
	}
	return accts, how, names, nil
}

// organization adds the Organization's active accounts.
func (d *discovery) organization(ctx context.Context, add func(Account, access), names map[string]string) error {
	id, err := d.identity(ctx)
	if err != nil {
		return err
	}
	pages := organizations.NewListAccountsPaginator(d.org, &organizations.ListAccountsInput{})
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, oa := range out.Accounts {
			if !activeAccount(oa) {
				continue
			}
			acctID, name := aws.ToString(oa.Id), aws.ToString(oa.Name)
			if _, ok := names[acctID]; !ok && name != "" {
				names[acctID] = name
			}
			a := Account{ID: acctID, Name: names[acctID], Origin: originOrganization}
			n++
			if acctID == id.account {
				add(a, access{})
				continue
			}
			add(a, access{roleARN: fmt.Sprintf("arn:%s:iam::%s:role/%s", id.partition, acctID, d.orgRole)})
		}
	}
	d.log.Info("listed the AWS Organization's accounts", "active_accounts", n)
	return nil
}

func activeAccount(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive //nolint:staticcheck // State is new; older answers only have Status
}

// regionsFor applies the regions parameter: explicit regions replace the
// account's, "all" asks each account. Without either, the account's own
// aws.conf regions, else [regions], else the input's AWS_REGION.
func (d *discovery) regionsFor(own []string) (regions []string, all bool, seed string) {
	seed = d.fallbackRegion
	if d.conf != nil && len(d.conf.Regions) > 0 {
		seed = d.conf.Regions[0]
	}
	switch {
	case d.all:
		return nil, true, cmp.Or(seed, "us-east-1")
	case len(d.regions) > 0:
		return slices.Clone(d.regions), false, ""
	case len(own) > 0:
		return slices.Clone(own), false, ""
	case d.conf != nil && len(d.conf.Regions) > 0:
		return slices.Clone(d.conf.Regions), false, ""
	case d.fallbackRegion != "":
		return []string{d.fallbackRegion}, false, ""
	}
	return nil, false, ""
}

var errNoCredentials = errors.New("no credentials")
