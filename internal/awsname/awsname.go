// Package awsname checks the shapes of AWS identifiers (regions, account
// ids, role ARNs, queue names) so that every input and aws.conf report a bad
// one the same way, before any API call.
package awsname

import (
	"regexp"
)

var (
	region    = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)
	accountID = regexp.MustCompile(`^\d{12}$`)
	roleARN   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	queueName = regexp.MustCompile(`^[\w-]{1,80}(\.fifo)?$`)
	accessKey = regexp.MustCompile(`^(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,124}$`)
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
