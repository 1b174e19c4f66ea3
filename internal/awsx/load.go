package awsx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/secret"
)

const (
	// App is the Splunk app whose storage/passwords holds aws_account
	// credentials.
	App = "aws_ingest"
	// Realm is the storage/passwords realm of aws_account credentials.
	Realm = "aws_ingest"

	// DefaultRoleSessionName names the STS session when role_arn is used;
	// it shows up in the role's CloudTrail events.
	DefaultRoleSessionName = "aws-ingest"
	// DefaultMaxAttempts is the number of attempts per AWS call (the first
	// try included) when Options.MaxAttempts is 0.
	DefaultMaxAttempts = 5
	// MaxAttemptsLimit bounds Options.MaxAttempts: an input that retries one
	// call for minutes holds back everything behind it.
	MaxAttemptsLimit = 10
	// MaxBackoff bounds the wait between two attempts.
	MaxBackoff = 20 * time.Second
)

// CredentialStore reads one credential from Splunk's storage/passwords.
// *splunkrest.Client satisfies it; Load calls it with app App and realm
// Realm.
type CredentialStore interface {
	Credential(ctx context.Context, app, realm, username string) (user string, password secret.String, err error)
}

// Options are the AWS settings of one input stanza. The zero value uses the
// SDK's default credential chain and region resolution.
type Options struct {
	// Region is the stanza's region. Empty means AWS_REGION,
	// AWS_DEFAULT_REGION or the shared config profile; Load fails when
	// none of them gives one.
	Region string

	// KeyID and SecretKey are the legacy stanza keys key_id and
	// secret_key. Both or neither must be set.
	KeyID     string
	SecretKey secret.String
	// KeysFrom names where KeyID/SecretKey come from, for the warning
	// about plaintext keys; empty means the stanza in inputs.conf.
	KeysFrom string

	// RoleARN, when set, is assumed on top of the resolved credentials,
	// with ExternalID (optional) and RoleSessionName (default
	// DefaultRoleSessionName).
	RoleARN         string
	ExternalID      string
	RoleSessionName string

	// Account is aws_account: the username of a credential in
	// storage/passwords, realm Realm, read through Store. The stored
	// password is JSON {"key_id":"AKIA...","secret_key":"...",
	// "session_token":"..." (optional)}, or the bare secret key when the
	// username itself is the access key ID (AKIA...).
	Account string
	Store   CredentialStore

	// STSEndpoint is sts_endpoint_url, used for AssumeRole. Empty keeps
	// AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL / the regional endpoint.
	STSEndpoint string

	// Logger receives the plaintext-key warning and debug lines; nil
	// discards them.
	Logger *slog.Logger

	// MaxAttempts per AWS call, 1..MaxAttemptsLimit; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int

	// HTTPClient replaces the SDK's client (tests). When AWS_CA_BUNDLE is
	// set it must be an *awshttp.BuildableClient, because the SDK adds the
	// bundle to the client's transport. Nil keeps the SDK's default, which
	// honours HTTPS_PROXY and NO_PROXY.
	HTTPClient aws.HTTPClient
}

// validate returns every problem in o at once.
func (o *Options) validate() error {
	var errs []error
	if o.Region != "" && !awsname.Region(o.Region) {
		errs = append(errs, fmt.Errorf("awsx: region %q is not an AWS region name like us-east-1", o.Region))
	}
	if (o.KeyID == "") != o.SecretKey.IsZero() {
		missing := "secret_key"
		if o.KeyID == "" {
			missing = "key_id"
		}
		errs = append(errs, fmt.Errorf("awsx: key_id and secret_key must be set together; %s is missing", missing))
	}
	if o.RoleARN != "" && !awsname.RoleARN(o.RoleARN) {
		errs = append(errs, fmt.Errorf("awsx: role_arn %q is not an IAM role ARN like arn:aws:iam::123456789012:role/name", o.RoleARN))
	}
	if o.RoleARN == "" && o.ExternalID != "" {
		errs = append(errs, errors.New("awsx: external_id is only used with role_arn; set role_arn or remove external_id"))
	}
	if o.RoleSessionName != "" && !awsname.RoleSessionName(o.RoleSessionName) {
		errs = append(errs, fmt.Errorf("awsx: role session name %q must be 2 to 64 characters of letters, digits and +=,.@_-", o.RoleSessionName))
	}
	if o.STSEndpoint != "" {
		if err := awsname.Endpoint(o.STSEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("awsx: sts_endpoint_url: %w", err))
		}
	}
	if o.MaxAttempts < 0 || o.MaxAttempts > MaxAttemptsLimit {
		errs = append(errs, fmt.Errorf("awsx: max attempts %d is outside 1..%d", o.MaxAttempts, MaxAttemptsLimit))
	}
	if o.HTTPClient != nil && os.Getenv("AWS_CA_BUNDLE") != "" {
		if _, ok := o.HTTPClient.(*awshttp.BuildableClient); !ok {
			errs = append(errs, fmt.Errorf("awsx: AWS_CA_BUNDLE is set, so the HTTP client must be built with awshttp.NewBuildableClient() (got %T)", o.HTTPClient))
		}
	}
	return errors.Join(errs...)
}

// Load resolves credentials as described in the package documentation and
// returns a config with adaptive retries (Options.MaxAttempts, backoff at
// most MaxBackoff). It makes no AWS call itself except reading the stored
// credential when Account is used; credentials from the default chain and
// from role_arn are fetched lazily on the first AWS call, and their errors
// then say where they came from.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	if err := o.validate(); err != nil {
		return aws.Config{}, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.RoleSessionName == "" {
		o.RoleSessionName = DefaultRoleSessionName
	}

	base, src, err := baseCredentials(ctx, o, log)
	if err != nil {
		return aws.Config{}, err
	}

	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(newRetryer(o.MaxAttempts)),
	}
	if o.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.Region))
	}
	if o.HTTPClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(o.HTTPClient))
	}
	if base != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(base))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsx: load AWS configuration (AWS_* environment variables, shared config and credentials files): %w", err)
	}
	// After LoadDefaultConfig, which adds AWS_CA_BUNDLE to the buildable
	// client's transport.
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = awshttp.NewBuildableClient() // what the clients would use
	}
	cfg.HTTPClient = SafeBodyClient(cfg.HTTPClient)
	if cfg.Region == "" {
		return aws.Config{}, errors.New("awsx: no AWS region: set region on the input, or AWS_REGION in the environment of splunkd")
	}
	if cfg.Credentials != nil {
		cfg.Credentials = aws.NewCredentialsCache(described{cfg.Credentials, src})
	}

	if o.RoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if o.STSEndpoint != "" {
				so.BaseEndpoint = aws.String(o.STSEndpoint)
			}
		})
		role := stscreds.NewAssumeRoleProvider(stsClient, o.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
			ao.RoleSessionName = o.RoleSessionName
			if o.ExternalID != "" {
				ao.ExternalID = aws.String(o.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(described{role, source{
			what: fmt.Sprintf("role_arn %s (assumed with %s)", o.RoleARN, src.what),
			hint: "check that the role's trust policy allows these credentials (and external_id if set) to call sts:AssumeRole, and that sts_endpoint_url is reachable",
		}})
	}

	log.DebugContext(ctx, "AWS configuration loaded", "credentials", src.what, "role_arn", o.RoleARN, "region", cfg.Region)
	return cfg, nil
}

// newRetryer returns the SDK's adaptive retry mode (client-side rate
// limiting once AWS throttles) with bounded attempts and backoff.
func newRetryer(maxAttempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = MaxBackoff
			})
		})
	}
}
