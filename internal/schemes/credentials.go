package schemes

import (
	"errors"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/params"
)

// Names of the parameters every input shares.
const (
	AWSAccount      = "aws_account"
	RoleARN         = "role_arn"
	ExternalID      = "external_id"
	RoleSessionName = "role_session_name"
	KeyID           = "key_id"
	SecretKey       = "secret_key"
	STSEndpointURL  = "sts_endpoint_url"
	S3EndpointURL   = "s3_endpoint_url"
	SQSEndpointURL  = "sqs_endpoint_url"
	EC2EndpointURL  = "ec2_endpoint_url"
	AWSConf         = "aws_conf"
	LookupDir       = "lookup_dir"
)

// credentialParams are the ways an input gets AWS credentials, in the order
// the resolver tries them (see internal/awsx).
func credentialParams() []params.Param {
	return []params.Param{
		{Name: AWSAccount, Title: "AWS account (stored credential)", Kind: params.Text,
			Description: "Name of an AWS credential stored in Splunk's storage/passwords (realm aws_ingest, username = this name, " +
				`password = {"key_id":"...","secret_key":"..."}). Keeps secrets out of inputs.conf. ` +
				"When no credential is set, the AWS SDK's default chain is used (environment, shared config, web identity, ECS, EC2 instance role)."},
		{Name: RoleARN, Title: "IAM role to assume", Kind: params.RoleARN,
			Description: "IAM role assumed on top of the base credentials (the stored credential, the keys, or the instance role)."},
		{Name: ExternalID, Title: "External id", Kind: params.Text,
			Description: "External id required by the role's trust policy; only with role_arn."},
		{Name: RoleSessionName, Title: "Role session name", Kind: params.Text, Default: "aws-ingest",
			Description: "Session name shown in CloudTrail for the assumed role.",
			Check:       sessionName},
		{Name: KeyID, Title: "Access key id (legacy)", Kind: params.Text,
			Description: "Legacy plaintext access key id. Prefer aws_account or an instance role: inputs.conf is readable by anyone with file access."},
		{Name: SecretKey, Title: "Secret access key (legacy)", Kind: params.Text, Secret: true,
			Description: "Legacy plaintext secret access key, with key_id."},
		{Name: STSEndpointURL, Title: "STS endpoint URL", Kind: params.URL,
			Description: "STS endpoint for assuming role_arn (private VPC endpoint, FIPS). Default: the regional AWS endpoint or AWS_ENDPOINT_URL_STS."},
	}
}

// credentialRules reject credential settings that contradict each other.
func credentialRules(v params.Values) []error {
	var errs []error
	if v.IsSet(KeyID) != v.IsSet(SecretKey) {
		errs = append(errs, errors.New("key_id and secret_key go together: set both or neither"))
	}
	if v.IsSet(KeyID) && v.IsSet(AWSAccount) {
		errs = append(errs, errors.New("set either aws_account (a stored credential) or key_id/secret_key, not both"))
	}
	if v.IsSet(ExternalID) && !v.IsSet(RoleARN) {
		errs = append(errs, errors.New("external_id is only used with role_arn: set role_arn or remove external_id"))
	}
	return errs
}

func sessionName(s string) error {
	if !awsname.RoleSessionName(s) {
		return errors.New("must be 2 to 64 letters, digits and +=,.@_-")
	}
	return nil
}

func endpointParam(name, service string) params.Param {
	return params.Param{Name: name, Title: service + " endpoint URL", Kind: params.URL,
		Description: service + " endpoint (private VPC endpoint, FIPS, or a test server). Default: the regional AWS endpoint, or AWS_ENDPOINT_URL_" + service + " / AWS_ENDPOINT_URL from the environment."}
}

func awsConfParam() params.Param {
	return params.Param{Name: AWSConf, Title: "aws.conf file", Kind: params.Path,
		Description: "The legacy app's aws.conf ([keys], [regions], [misc]) or the modern [account:<name>] stanzas. " +
			"Default: the app's local/aws.conf layered over default/aws.conf."}
}

func lookupDirParam() params.Param {
	return params.Param{Name: LookupDir, Title: "Lookup directory", Kind: params.Path,
		Description: "Where the input writes and merges its lookup CSV files. Default: the app's lookups/ folder."}
}

func with(groups ...[]params.Param) []params.Param {
	var out []params.Param
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// startByShell keeps splunkd from wrapping the binary in /bin/sh, which
// would leave it orphaned when splunkd stops the shell.
var startByShell = params.Setting{Name: "start_by_shell", Value: "false",
	Comment: "Run the binary directly: a /bin/sh wrapper would outlive splunkd's stop signal."}
