// Package awsx turns the AWS settings of an input stanza into an aws.Config,
// so that every input (CloudTrail, billing, EC2 inventory, setup) resolves
// credentials, retries and endpoints the same way and no input has to know
// where its keys came from.
//
// Credentials are resolved once, in this order, and the first that applies
// wins:
//
//  1. key_id and secret_key on the stanza (legacy; a warning is logged,
//     because inputs.conf is plaintext);
//  2. aws_account: a credential stored in Splunk's storage/passwords (realm
//     "aws_ingest", username = the account name), read through a
//     CredentialStore such as *splunkrest.Client;
//  3. the SDK's default chain: environment, shared config and credentials
//     files (profiles), web identity, ECS/EKS container credentials, EC2
//     instance role through IMDSv2.
//
// When role_arn is set, that role is assumed with STS on top of whichever
// credentials were found.
//
// The SDK itself keeps reading AWS_REGION, AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>, AWS_CA_BUNDLE and HTTPS_PROXY/NO_PROXY; this
// package never overrides them unless a stanza parameter says so.
//
// Secrets are secret.String values and never appear in logs or errors.
package awsx
