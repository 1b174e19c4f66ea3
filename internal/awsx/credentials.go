package awsx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/aws-ingest/aws-ingest/internal/secret"
	"github.com/aws-ingest/aws-ingest/internal/splunkrest"
)

// jsonFormHint shows the stored-password format in error messages.
const jsonFormHint = `store the password as JSON {"key_id":"AKIA...","secret_key":"..."} (optionally with "session_token")`

// accessKeyIDPattern matches a long-term access key ID. Temporary (ASIA)
// keys need a session token, which only the JSON form can carry.
var accessKeyIDPattern = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)

// source says where credentials came from and what to do when they fail.
type source struct {
	what string // e.g. `aws_account "prod"`
	hint string
}

var defaultChain = source{
	what: "the default credential chain (environment, shared config/credentials files, web identity, container, EC2 instance role)",
	hint: "set aws_account or role_arn on the input, set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE for splunkd, or attach an instance role",
}

// baseCredentials returns the provider for resolution steps 1 and 2, or a
// nil provider when the SDK's default chain (step 3) applies.
func baseCredentials(ctx context.Context, o Options, log *slog.Logger) (aws.CredentialsProvider, source, error) {
	switch {
	case o.KeyID != "":
		attrs := []any{}
		if o.Account != "" {
			attrs = append(attrs, "ignored_aws_account", o.Account)
		}
		where := o.KeysFrom
		if where == "" {
			where = "the input's key_id/secret_key in inputs.conf"
		}
		log.WarnContext(ctx, "using plaintext AWS keys from "+where+", which anyone with file access can read; "+
			"use role_arn or a stored credential (aws_account) instead", attrs...)
		src := source{
			what: "the keys of " + where,
			hint: "check those keys, or switch to aws_account or role_arn",
		}
		return credentials.NewStaticCredentialsProvider(o.KeyID, o.SecretKey.Reveal(), ""), src, nil

	case o.Account != "":
		p, err := accountCredentials(ctx, o)
		src := source{
			what: fmt.Sprintf("aws_account %q", o.Account),
			hint: fmt.Sprintf("check the credential with realm %s and username %s in storage/passwords", Realm, o.Account),
		}
		return p, src, err

	default:
		return nil, defaultChain, nil
	}
}

// accountCredentials reads aws_account from the store and parses it.
func accountCredentials(ctx context.Context, o Options) (aws.CredentialsProvider, error) {
	if o.Store == nil {
		return nil, fmt.Errorf("awsx: aws_account %q is set but no Splunk session is available to read storage/passwords; "+
			"run the input under splunkd, or use role_arn or the default credential chain", o.Account)
	}
	user, pw, err := o.Store.Credential(ctx, App, Realm, o.Account)
	if err != nil {
		if _, ok := errors.AsType[*splunkrest.NotFoundError](err); ok {
			return nil, fmt.Errorf("awsx: aws_account %q: %w; %s", o.Account, err, jsonFormHint)
		}
		return nil, fmt.Errorf("awsx: aws_account %q: read storage/passwords: %w", o.Account, err)
	}
	keyID, secretKey, token, err := parseStored(user, pw)
	if err != nil {
		return nil, fmt.Errorf("awsx: aws_account %q: %w", o.Account, err)
	}
	return credentials.NewStaticCredentialsProvider(keyID, secretKey.Reveal(), token.Reveal()), nil
}

// storedCredential is the JSON form of an aws_account password.
type storedCredential struct {
	KeyID        string        `json:"key_id"`
	SecretKey    secret.String `json:"secret_key"`
	SessionToken secret.String `json:"session_token"`
}

// parseStored interprets a stored password: the JSON form, or a bare secret
// key whose access key ID is the credential's username. Errors never quote
// the password, not even the character where JSON parsing stopped.
func parseStored(user string, pw secret.String) (keyID string, secretKey, token secret.String, err error) {
	raw := strings.TrimSpace(pw.Reveal())
	if !strings.HasPrefix(raw, "{") {
		if !accessKeyIDPattern.MatchString(user) {
			return "", "", "", fmt.Errorf("the stored password is not JSON and the username is not an access key ID (AKIA...); %s", jsonFormHint)
		}
		return user, secret.String(raw), "", nil
	}

	var c storedCredential
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		syn, isSyntax := errors.AsType[*json.SyntaxError](err)
		typ, isType := errors.AsType[*json.UnmarshalTypeError](err)
		switch {
		case isSyntax:
			return "", "", "", fmt.Errorf("the stored password is not valid JSON (error at byte %d); %s", syn.Offset, jsonFormHint)
		case isType:
			return "", "", "", fmt.Errorf("the stored password's field %q must be a string; %s", typ.Field, jsonFormHint)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			// The field name is the user's JSON key, not a value.
			return "", "", "", fmt.Errorf("the stored password has %s; %s", strings.TrimPrefix(err.Error(), "json: "), jsonFormHint)
		default:
			return "", "", "", fmt.Errorf("the stored password is not valid JSON; %s", jsonFormHint)
		}
	}
	if c.KeyID == "" || c.SecretKey.IsZero() {
		return "", "", "", fmt.Errorf("the stored password needs both key_id and secret_key; %s", jsonFormHint)
	}
	return c.KeyID, c.SecretKey, c.SessionToken, nil
}

// described adds to credential errors where the credentials came from and
// what to do, so that "get credentials" failures on the first AWS call are
// actionable in splunkd.log.
type described struct {
	p   aws.CredentialsProvider
	src source
}

func (d described) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := d.p.Retrieve(ctx)
	if err != nil {
		return c, fmt.Errorf("awsx: get AWS credentials from %s: %w; %s", d.src.what, err, d.src.hint)
	}
	return c, nil
}

// ProviderSources keeps the SDK's credential-source reporting working
// through the wrapper.
func (d described) ProviderSources() []aws.CredentialSource {
	if ps, ok := d.p.(aws.CredentialProviderSource); ok {
		return ps.ProviderSources()
	}
	return nil
}
