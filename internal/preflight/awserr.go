package preflight

import (
	"errors"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Denied tells whether an AWS call failed for lack of permission.
func Denied(err error) bool {
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok && re.HTTPStatusCode() == http.StatusForbidden {
		return true
	}
	return HasCode(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError")
}

// HasCode tells whether err is an AWS API error with one of codes.
func HasCode(err error, codes ...string) bool {
	ae, ok := errors.AsType[smithy.APIError](err)
	if !ok {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// Short drops the SDK's "operation error X: Y, https response error ..."
// framing down to what a person needs, on one line.
func Short(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "api error "); i >= 0 {
		s = s[i+len("api error "):]
	} else if i := strings.LastIndex(s, "RequestID: "); i >= 0 {
		if j := strings.Index(s[i:], ", "); j >= 0 {
			s = s[i+j+2:]
		}
	}
	return strings.ReplaceAll(s, "\n", "; ")
}
