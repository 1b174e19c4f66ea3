// Package awsname checks the shapes of AWS identifiers (regions, account
// ids, role ARNs, queue names) so that every input and aws.conf report a bad
// one the same way, before any API call.
package awsname

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

var (
	region    = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)
	accountID = regexp.MustCompile(`^\d{12}$`)
	roleARN   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	queueName = regexp.MustCompile(`^[\w-]{1,80}(\.fifo)?$`)
	accessKey = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{12,124}$`)
	session   = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// Region reports whether s looks like an AWS region name (us-west-2,
// eu-central-1, us-gov-west-1, cn-north-1, us-isob-east-1).
func Region(s string) bool { return region.MatchString(s) }

// AccountID reports whether s is a 12-digit account id.
func AccountID(s string) bool { return accountID.MatchString(s) }

// RoleARN reports whether s is an IAM role ARN in any partition.
func RoleARN(s string) bool { return roleARN.MatchString(s) }

// QueueName reports whether s is a valid SQS queue name.
func QueueName(s string) bool { return queueName.MatchString(s) }

// AccessKeyID reports whether s looks like an AWS access key id.
func AccessKeyID(s string) bool { return accessKey.MatchString(s) }

// RoleSessionName reports whether s is a valid STS role session name.
func RoleSessionName(s string) bool { return session.MatchString(s) }

// Endpoint checks an endpoint override (s3_endpoint_url, sqs_endpoint_url,
// sts_endpoint_url ...): an absolute http or https URL with a host and
// neither query, fragment nor user information. Callers add the parameter
// name to the error.
func Endpoint(raw string) error {
	const example = "use a form like https://s3.example.com or http://127.0.0.1:9000"
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the raw text, which could hold a password in
		// user information; keep only the reason.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fmt.Errorf("endpoint URL is not valid (%v); %s", err, example)
	}
	if u.User != nil {
		return fmt.Errorf("endpoint URL %q must not contain user information; credentials come from aws_account, role_arn or the default chain", u.Redacted())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("endpoint URL %q must start with https:// or http://; %s", raw, example)
	case u.Hostname() == "":
		return fmt.Errorf("endpoint URL %q has no host; %s", raw, example)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("endpoint URL %q must not have a query (?...); %s", raw, example)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("endpoint URL %q must not have a fragment (#...); %s", raw, example)
	}
	return nil
}
