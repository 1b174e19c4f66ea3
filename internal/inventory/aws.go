package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// access says how an account is reached. With neither keys nor a role it
// is the input's own credentials.
type access struct {
	keyID      string
	secretKey  secret.String
	roleARN    string
	externalID string
}

// awsConnector opens sessions with the AWS SDK. Every session starts from
// base, the input's own configuration (its credentials, role_arn, retries,
// HTTP client): accounts with keys in aws.conf swap in their keys, accounts
// with a role assume it with the input's credentials.
type awsConnector struct {
	base        aws.Config
	ec2Endpoint string // ec2_endpoint_url; "" keeps the SDK's resolution
	stsEndpoint string // sts_endpoint_url
	sessionName string
	access      map[string]access // by account id
}

// Connect resolves the account's credentials once (one AssumeRole for a
// role), so that a role that cannot be assumed fails the account here
// instead of in every region.
func (c *awsConnector) Connect(ctx context.Context, a Account) (Session, error) {
	acc := c.access[a.ID]
	cfg := c.base.Copy()
	var p aws.CredentialsProvider
	switch {
	case acc.keyID != "":
		p = credentials.NewStaticCredentialsProvider(acc.keyID, acc.secretKey.Reveal(), "")
	case acc.roleARN != "":
		p = stscreds.NewAssumeRoleProvider(c.sts(), acc.roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = c.sessionName
			if acc.externalID != "" {
				o.ExternalID = aws.String(acc.externalID)
			}
		})
	default:
		p = c.base.Credentials
	}
	if p == nil {
		return nil, &CredentialsError{Err: errNoCredentials}
	}
	cfg.Credentials = aws.NewCredentialsCache(markedProvider{p})
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, err
	}
	return awsSession{cfg: cfg, endpoint: c.ec2Endpoint}, nil
}

func (c *awsConnector) sts() *sts.Client {
	return sts.NewFromConfig(c.base, func(o *sts.Options) {
		if c.stsEndpoint != "" {
			o.BaseEndpoint = aws.String(c.stsEndpoint)
		}
	})
}

// markedProvider marks every error of its provider as a CredentialsError.
type markedProvider struct{ p aws.CredentialsProvider }

func (m markedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := m.p.Retrieve(ctx)
	if err != nil {
		return c, &CredentialsError{Err: err}
	}
	return c, nil
}

type awsSession struct {
	cfg      aws.Config
	endpoint string
}

func (s awsSession) EC2(region string) EC2 {
	return ec2.NewFromConfig(s.cfg, func(o *ec2.Options) {
		o.Region = region
		if s.endpoint != "" {
			o.BaseEndpoint = aws.String(s.endpoint)
		}
	})
}
