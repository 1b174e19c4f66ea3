package inventory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// CredentialsError marks an error as a failure of an account's credentials
// (no usable keys, a role that cannot be assumed): every call of the
// account would fail the same way. Connectors return it from Connect and
// wrap credential providers' errors in it.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialCodes are API error codes that say the request's credentials
// are wrong, whatever the call. AuthFailure is also what EC2 answers in a
// region the account has not enabled, so it only counts as a credentials
// failure when every region of the account gives it.
var credentialCodes = map[string]bool{
	"AuthFailure":                 true,
	"InvalidClientTokenId":        true,
	"UnrecognizedClientException": true,
	"SignatureDoesNotMatch":       true,
	"InvalidAccessKeyId":          true,
	"ExpiredToken":                true,
	"ExpiredTokenException":       true,
}

// isCredentialsError reports whether err says the credentials are wrong.
func isCredentialsError(err error) bool {
	if _, ok := errors.AsType[*CredentialsError](err); ok {
		return true
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return credentialCodes[ae.ErrorCode()]
	}
	return false
}

// hint says what usually causes err, for the WARN line.
func hint(err error) string {
	ae, ok := errors.AsType[smithy.APIError](err)
	if !ok {
		return ""
	}
	switch code := ae.ErrorCode(); {
	case code == "UnauthorizedOperation" || code == "AccessDenied" || code == "AccessDeniedException":
		return "the credentials lack the permission (the inventory needs ec2:DescribeInstances, ec2:DescribeReservedInstances, ec2:DescribeInstanceTypes and ec2:DescribeRegions)"
	case code == "OptInRequired" || code == "AuthFailure":
		return "the region may not be enabled for this account (opt-in regions), or the credentials are not valid there"
	case strings.Contains(code, "Throttl") || code == "RequestLimitExceeded":
		return "AWS throttled the calls after every retry; lower max_concurrency"
	case ae.ErrorFault() == smithy.FaultServer:
		return "the endpoint failed or does not implement this call"
	}
	return ""
}

// failure is one account, or one account and region, that this pass could
// not (fully) collect.
type failure struct {
	Account *Account
	Region  string // "" when the whole account failed (Connect, DescribeRegions)
	API     string // the failing call: AssumeRole/credentials, DescribeInstances ...
	Err     error
	// Effect says what the failure means for the pass's output.
	Effect string
}

// Effects of a failure.
const (
	effectStale        = "its rows in ec2_instances.csv are kept from the previous pass, marked with stale_since"
	effectReservations = "its reservations are left out of this pass's matching"
)

// accountLabel is "123456789012 (name)", or the id alone.
func accountLabel(a *Account) string {
	if a.Name != "" && a.Name != a.ID {
		return a.ID + " (" + a.Name + ")"
	}
	return a.ID
}

func (f failure) where() string {
	s := "account " + accountLabel(f.Account)
	if f.Region != "" {
		s += " region " + f.Region
	}
	return s
}

func (f failure) message() string {
	msg := fmt.Sprintf("%s: %s failed: %v", f.where(), f.API, f.Err)
	if h := hint(f.Err); h != "" {
		msg += "; " + h
	}
	if f.Effect != "" {
		msg += "; " + f.Effect
	}
	return msg
}

func (f failure) attrs() []any {
	a := []any{"account_id", f.Account.ID, "account_name", f.Account.Name}
	if f.Region != "" {
		a = append(a, "region", f.Region)
	}
	a = append(a, "api", f.API)
	if ae, ok := errors.AsType[smithy.APIError](f.Err); ok {
		a = append(a, "error_code", ae.ErrorCode())
	}
	return a
}
