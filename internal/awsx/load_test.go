package awsx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/aws-ingest/aws-ingest/internal/secret"
	"github.com/aws-ingest/aws-ingest/internal/splunkrest"
)

var _ CredentialStore = (*splunkrest.Client)(nil)

// Secret values used by the tests; none may ever show up in an error or a
// log line.
const (
	stanzaKeyID   = "AKIASTANZA0000000000"
	stanzaSecret  = "stanza-SECRET-aaaaaaaaaaaaaaaaaaaaaaaa"
	storedKeyID   = "AKIASTORED0000000000"
	storedSecret  = "stored-SECRET-bbbbbbbbbbbbbbbbbbbbbbbb"
	storedToken   = "stored-TOKEN-cccccccccccccccccccccccc"
	envKeyID      = "AKIAENVIRONMENT00000"
	envSecret     = "env-SECRET-dddddddddddddddddddddddddd"
	assumedKeyID  = "ASIAASSUMED000000000"
	assumedSecret = "assumed-SECRET-eeeeeeeeeeeeeeeeeeeeeee"
	assumedToken  = "assumed-TOKEN-ffffffffffffffffffffffff"
)

var allSecrets = []string{stanzaSecret, storedSecret, storedToken, envSecret, assumedSecret, assumedToken}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks a secret: %s", what, s)
		}
	}
}

// hermeticEnv isolates the SDK from this machine: empty shared config
// files, no IMDS, and none of the AWS_* variables the SDK reads (this
// machine sets AWS_CA_BUNDLE, for one).
func hermeticEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_STS",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
		"AWS_STS_REGIONAL_ENDPOINTS", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_SDK_LOAD_CONFIG",
		"AWS_ACCOUNT_ID", "AWS_ACCOUNT_ID_ENDPOINT_MODE",
	} {
		unsetenv(t, k)
	}
}

// unsetenv removes k for the test; t.Setenv registers the restore. The
// SDK tells "set to empty" from "unset" for some variables.
func unsetenv(t *testing.T, k string) {
	t.Helper()
	t.Setenv(k, "")
	if err := os.Unsetenv(k); err != nil {
		t.Fatal(err)
	}
}

func setEnvCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", envKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", envSecret)
}

// fakeStore is an in-memory storage/passwords keyed by username.
type fakeStore struct {
	passwords map[string]string
	err       error
	calls     [][3]string // app, realm, username
}

func (f *fakeStore) Credential(_ context.Context, app, realm, username string) (string, secret.String, error) {
	f.calls = append(f.calls, [3]string{app, realm, username})
	if f.err != nil {
		return "", "", f.err
	}
	pw, ok := f.passwords[username]
	if !ok || realm != Realm {
		return "", "", &splunkrest.NotFoundError{ServerURI: "https://127.0.0.1:8089", App: app, Realm: realm, Username: username}
	}
	return username, secret.String(pw), nil
}

func storedJSON(keyID, secretKey, token string) string {
	m := map[string]string{"key_id": keyID, "secret_key": secretKey}
	if token != "" {
		m["session_token"] = token
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func retrieve(t *testing.T, cfg aws.Config) aws.Credentials {
	t.Helper()
	c, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	return c
}

func TestLoadResolutionOrder(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		passwords  map[string]string
		wantKeyID  string
		wantSecret string
		wantToken  string
		wantLookup bool
	}{
		{
			name:       "stanza keys beat aws_account and the environment",
			opts:       Options{KeyID: stanzaKeyID, SecretKey: stanzaSecret, Account: "prod"},
			passwords:  map[string]string{"prod": storedJSON(storedKeyID, storedSecret, "")},
			wantKeyID:  stanzaKeyID,
			wantSecret: stanzaSecret,
		},
		{
			name:       "aws_account beats the environment",
			opts:       Options{Account: "prod"},
			passwords:  map[string]string{"prod": storedJSON(storedKeyID, storedSecret, "")},
			wantKeyID:  storedKeyID,
			wantSecret: storedSecret,
			wantLookup: true,
		},
		{
			name:       "aws_account JSON with a session token",
			opts:       Options{Account: "prod"},
			passwords:  map[string]string{"prod": "  " + storedJSON(storedKeyID, storedSecret, storedToken) + "\n"},
			wantKeyID:  storedKeyID,
			wantSecret: storedSecret,
			wantToken:  storedToken,
			wantLookup: true,
		},
		{
			name:       "aws_account named by its access key ID with a bare secret",
			opts:       Options{Account: storedKeyID},
			passwords:  map[string]string{storedKeyID: storedSecret},
			wantKeyID:  storedKeyID,
			wantSecret: storedSecret,
			wantLookup: true,
		},
		{
			name:       "default chain: environment",
			opts:       Options{},
			wantKeyID:  envKeyID,
			wantSecret: envSecret,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			setEnvCredentials(t)
			store := &fakeStore{passwords: tt.passwords}
			o := tt.opts
			o.Region = "eu-west-1"
			o.Store = store

			cfg, err := Load(t.Context(), o)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("Region = %q, want eu-west-1", cfg.Region)
			}
			c := retrieve(t, cfg)
			if c.AccessKeyID != tt.wantKeyID || c.SecretAccessKey != tt.wantSecret || c.SessionToken != tt.wantToken {
				t.Errorf("got key %s (secret ok %v, token ok %v), want key %s",
					c.AccessKeyID, c.SecretAccessKey == tt.wantSecret, c.SessionToken == tt.wantToken, tt.wantKeyID)
			}
			wantCalls := 0
			if tt.wantLookup {
				wantCalls = 1
			}
			if len(store.calls) != wantCalls {
				t.Fatalf("store called %d times, want %d", len(store.calls), wantCalls)
			}
			if wantCalls == 1 {
				if got, want := store.calls[0], [3]string{"aws_ingest", "aws_ingest", o.Account}; got != want {
					t.Errorf("store called with %v, want %v", got, want)
				}
			}
		})
	}
}

func TestLoadRegionFromEnvironment(t *testing.T) {
	hermeticEnv(t)
	setEnvCredentials(t)
	t.Setenv("AWS_REGION", "cn-north-1")
	cfg, err := Load(t.Context(), Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Region != "cn-north-1" {
		t.Errorf("Region = %q, want cn-north-1", cfg.Region)
	}
}

func TestLoadNeedsRegion(t *testing.T) {
	hermeticEnv(t)
	setEnvCredentials(t)
	_, err := Load(t.Context(), Options{})
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Fatalf("err = %v, want one saying how to set the region", err)
	}
}

func TestLoadDefaultChainErrorSaysWhatToDo(t *testing.T) {
	hermeticEnv(t) // no credentials anywhere, IMDS disabled: no network
	cfg, err := Load(t.Context(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = cfg.Credentials.Retrieve(t.Context())
	if err == nil {
		t.Fatal("Retrieve succeeded without any credentials")
	}
	for _, want := range []string{"default credential chain", "aws_account", "role_arn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestLoadPlaintextKeyWarning(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantWarns int
	}{
		{"stanza keys warn once", Options{KeyID: stanzaKeyID, SecretKey: stanzaSecret}, 1},
		{"stanza keys with aws_account still warn once", Options{KeyID: stanzaKeyID, SecretKey: stanzaSecret, Account: "prod"}, 1},
		{"aws_account does not warn", Options{Account: "prod"}, 0},
		{"default chain does not warn", Options{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			setEnvCredentials(t)
			var buf bytes.Buffer
			o := tt.opts
			o.Region = "us-east-1"
			o.Store = &fakeStore{passwords: map[string]string{"prod": storedJSON(storedKeyID, storedSecret, storedToken)}}
			o.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			cfg, err := Load(t.Context(), o)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			retrieve(t, cfg)

			var warns []string
			for line := range strings.Lines(buf.String()) {
				var rec struct{ Level, Msg string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if rec.Level == "WARN" {
					warns = append(warns, rec.Msg)
				}
			}
			if len(warns) != tt.wantWarns {
				t.Fatalf("got %d WARN lines %q, want %d", len(warns), warns, tt.wantWarns)
			}
			for _, w := range warns {
				for _, want := range []string{"role_arn", "aws_account", "plaintext"} {
					if !strings.Contains(w, want) {
						t.Errorf("warning %q does not mention %q", w, want)
					}
				}
			}
			assertNoSecrets(t, "log", buf.String())
			if strings.Contains(buf.String(), stanzaKeyID) || strings.Contains(buf.String(), storedKeyID) {
				t.Errorf("log shows an access key ID: %s", buf.String())
			}
		})
	}
}

// fakeSTS answers AssumeRole in the Query protocol and records what it got.
type fakeSTS struct {
	mu     sync.Mutex
	forms  []url.Values
	auths  []string
	denied bool
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if f.denied {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error>
  <RequestId>req-1</RequestId>
</ErrorResponse>`)
		return
	}
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>%s</AccessKeyId>
      <SecretAccessKey>%s</SecretAccessKey>
      <SessionToken>%s</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/ingest/%s</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, assumedKeyID, assumedSecret, assumedToken, r.PostForm.Get("RoleSessionName"), r.PostForm.Get("RoleSessionName"))
}

func (f *fakeSTS) requests() ([]url.Values, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...), append([]string(nil), f.auths...)
}

const roleARN = "arn:aws:iam::123456789012:role/ingest"

func TestLoadAssumeRole(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		env         bool   // AWS_ENDPOINT_URL_STS points at the fake instead of STSEndpoint
		badEnv      bool   // AWS_ENDPOINT_URL_STS points nowhere; STSEndpoint must win
		wantSession string // RoleSessionName sent
		wantBaseKey string // access key ID that signed AssumeRole
	}{
		{
			name:        "on top of stanza keys, default session name",
			opts:        Options{KeyID: stanzaKeyID, SecretKey: stanzaSecret, RoleARN: roleARN, ExternalID: "ext-123"},
			wantSession: "aws-ingest",
			wantBaseKey: stanzaKeyID,
		},
		{
			name:        "on top of aws_account, custom session name",
			opts:        Options{Account: "prod", RoleARN: roleARN, ExternalID: "ext-123", RoleSessionName: "splunk-ct"},
			wantSession: "splunk-ct",
			wantBaseKey: storedKeyID,
		},
		{
			name:        "on top of the default chain",
			opts:        Options{RoleARN: roleARN, ExternalID: "ext-123"},
			wantSession: "aws-ingest",
			wantBaseKey: envKeyID,
		},
		{
			name:        "sts_endpoint_url beats AWS_ENDPOINT_URL_STS",
			opts:        Options{RoleARN: roleARN, ExternalID: "ext-123"},
			badEnv:      true,
			wantSession: "aws-ingest",
			wantBaseKey: envKeyID,
		},
		{
			name:        "AWS_ENDPOINT_URL_STS still works without sts_endpoint_url",
			opts:        Options{RoleARN: roleARN, ExternalID: "ext-123"},
			env:         true,
			wantSession: "aws-ingest",
			wantBaseKey: envKeyID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			setEnvCredentials(t)
			sts := &fakeSTS{}
			srv := httptest.NewServer(sts)
			t.Cleanup(srv.Close)

			o := tt.opts
			o.Region = "us-east-1"
			o.Store = &fakeStore{passwords: map[string]string{"prod": storedJSON(storedKeyID, storedSecret, "")}}
			switch {
			case tt.env:
				t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
			case tt.badEnv:
				t.Setenv("AWS_ENDPOINT_URL_STS", "http://sts.invalid:1")
				o.STSEndpoint = srv.URL
			default:
				o.STSEndpoint = srv.URL
			}

			cfg, err := Load(t.Context(), o)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			c := retrieve(t, cfg)
			if c.AccessKeyID != assumedKeyID || c.SecretAccessKey != assumedSecret || c.SessionToken != assumedToken {
				t.Errorf("got key %s, want the assumed role's credentials", c.AccessKeyID)
			}
			retrieve(t, cfg) // cached: no second AssumeRole

			forms, auths := sts.requests()
			if len(forms) != 1 {
				t.Fatalf("STS got %d requests, want 1 (credentials are cached)", len(forms))
			}
			f := forms[0]
			for k, want := range map[string]string{
				"Action": "AssumeRole", "RoleArn": roleARN, "ExternalId": "ext-123", "RoleSessionName": tt.wantSession,
			} {
				if got := f.Get(k); got != want {
					t.Errorf("STS form %s = %q, want %q", k, got, want)
				}
			}
			if !strings.Contains(auths[0], "Credential="+tt.wantBaseKey+"/") {
				t.Errorf("AssumeRole signed with %q, want access key %s", auths[0], tt.wantBaseKey)
			}
		})
	}
}

func TestLoadAssumeRoleDenied(t *testing.T) {
	hermeticEnv(t)
	srv := httptest.NewServer(&fakeSTS{denied: true})
	t.Cleanup(srv.Close)
	cfg, err := Load(t.Context(), Options{
		Region: "us-east-1", KeyID: stanzaKeyID, SecretKey: stanzaSecret,
		RoleARN: roleARN, STSEndpoint: srv.URL,
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = cfg.Credentials.Retrieve(t.Context())
	if err == nil {
		t.Fatal("Retrieve succeeded against a denying STS")
	}
	for _, want := range []string{roleARN, "AccessDenied", "trust policy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	assertNoSecrets(t, "error", err.Error())
}

// TestLoadWithCABundle covers the trap this machine sets: with
// AWS_CA_BUNDLE, the SDK must be able to add the bundle to the HTTP client.
func TestLoadWithCABundle(t *testing.T) {
	const bundle = "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(bundle); err != nil {
		t.Skipf("system CA bundle not available: %v", err)
	}
	sts := &fakeSTS{}
	srv := httptest.NewServer(sts)
	t.Cleanup(srv.Close)

	tests := []struct {
		name    string
		client  aws.HTTPClient
		wantErr string
	}{
		{"SDK default client", nil, ""},
		{"buildable client", awshttp.NewBuildableClient(), ""},
		{"plain http.Client is refused with a clear message", &http.Client{}, "awshttp.NewBuildableClient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			t.Setenv("AWS_CA_BUNDLE", bundle)
			cfg, err := Load(t.Context(), Options{
				Region: "us-east-1", KeyID: stanzaKeyID, SecretKey: stanzaSecret,
				RoleARN: roleARN, STSEndpoint: srv.URL, HTTPClient: tt.client,
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load with AWS_CA_BUNDLE: %v", err)
			}
			safe, ok := cfg.HTTPClient.(safeBodyClient)
			if !ok {
				t.Fatalf("HTTP client is %T, want the safe-body wrapper", cfg.HTTPClient)
			}
			bc, ok := safe.next.(*awshttp.BuildableClient)
			if !ok {
				t.Fatalf("wrapped HTTP client is %T, want *awshttp.BuildableClient", safe.next)
			}
			tr := bc.GetTransport()
			if tr.Proxy == nil {
				t.Error("transport lost its Proxy func: HTTPS_PROXY/NO_PROXY would be ignored")
			}
			if tr.TLSClientConfig == nil || tr.TLSClientConfig.RootCAs == nil {
				t.Error("transport has no RootCAs: AWS_CA_BUNDLE was not applied")
			}
			if c := retrieve(t, cfg); c.AccessKeyID != assumedKeyID {
				t.Errorf("got key %s, want %s", c.AccessKeyID, assumedKeyID)
			}
		})
	}
}

func TestLoadValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"bad region", Options{Region: "us-east"}, []string{`region "us-east"`}},
		{"key_id without secret_key", Options{KeyID: stanzaKeyID}, []string{"secret_key is missing"}},
		{"secret_key without key_id", Options{SecretKey: stanzaSecret}, []string{"key_id is missing"}},
		{"bad role ARN", Options{RoleARN: "ingest"}, []string{`role_arn "ingest"`, "arn:aws:iam::"}},
		{"external_id without role", Options{ExternalID: "x"}, []string{"external_id is only used with role_arn"}},
		{"bad session name", Options{RoleARN: roleARN, RoleSessionName: "has space"}, []string{"role session name"}},
		{"bad STS endpoint", Options{STSEndpoint: "sts.amazonaws.com"}, []string{"sts_endpoint_url", "https://"}},
		{"too many attempts", Options{MaxAttempts: 11}, []string{"max attempts 11"}},
		{"negative attempts", Options{MaxAttempts: -1}, []string{"max attempts -1"}},
		{
			"every problem at once",
			Options{Region: "mars", KeyID: stanzaKeyID, RoleARN: "x", STSEndpoint: "ftp://x"},
			[]string{`region "mars"`, "secret_key is missing", `role_arn "x"`, "sts_endpoint_url"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			_, err := Load(t.Context(), tt.opts)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
}

func TestLoadAccountErrors(t *testing.T) {
	denied := fmt.Errorf("splunkrest: list storage/passwords: %w (HTTP 403)", splunkrest.ErrAccessDenied)
	tests := []struct {
		name     string
		store    CredentialStore
		account  string
		want     []string
		wantDeny bool
	}{
		{
			name:    "no store",
			account: "prod",
			want:    []string{`aws_account "prod"`, "no Splunk session"},
		},
		{
			name:    "not stored",
			store:   &fakeStore{},
			account: "prod",
			want:    []string{`aws_account "prod"`, "realm aws_ingest", "username prod", "curl", `"key_id"`},
		},
		{
			name:     "store denies access",
			store:    &fakeStore{err: denied},
			account:  "prod",
			want:     []string{`aws_account "prod"`, "read storage/passwords"},
			wantDeny: true,
		},
		{
			name:    "bare secret but the username is no access key ID",
			store:   &fakeStore{passwords: map[string]string{"prod": storedSecret}},
			account: "prod",
			want:    []string{"not JSON", "AKIA", `"key_id"`},
		},
		{
			name:    "broken JSON holding a secret",
			store:   &fakeStore{passwords: map[string]string{"prod": `{"key_id":"` + storedKeyID + `","secret_key":"` + storedSecret + `"`}},
			account: "prod",
			want:    []string{"not valid JSON"},
		},
		{
			name:    "JSON syntax error inside a secret",
			store:   &fakeStore{passwords: map[string]string{"prod": `{"secret_key":` + storedSecret + `}`}},
			account: "prod",
			want:    []string{"not valid JSON", "byte"},
		},
		{
			name:    "JSON field misspelt",
			store:   &fakeStore{passwords: map[string]string{"prod": `{"key_id":"` + storedKeyID + `","secret_access_key":"` + storedSecret + `"}`}},
			account: "prod",
			want:    []string{`unknown field "secret_access_key"`},
		},
		{
			name:    "JSON without secret_key",
			store:   &fakeStore{passwords: map[string]string{"prod": `{"key_id":"` + storedKeyID + `"}`}},
			account: "prod",
			want:    []string{"both key_id and secret_key"},
		},
		{
			name:    "JSON with a number",
			store:   &fakeStore{passwords: map[string]string{"prod": `{"key_id":12345}`}},
			account: "prod",
			want:    []string{`field "key_id" must be a string`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			_, err := Load(t.Context(), Options{Region: "us-east-1", Account: tt.account, Store: tt.store})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if got := errors.Is(err, splunkrest.ErrAccessDenied); got != tt.wantDeny {
				t.Errorf("errors.Is(err, ErrAccessDenied) = %v, want %v", got, tt.wantDeny)
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
}

func TestLoadRetryer(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		want        int
	}{
		{"default", 0, DefaultMaxAttempts},
		{"explicit", 3, 3},
		{"upper bound", MaxAttemptsLimit, MaxAttemptsLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			setEnvCredentials(t)
			cfg, err := Load(t.Context(), Options{Region: "us-east-1", MaxAttempts: tt.maxAttempts})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			r := cfg.Retryer()
			if _, ok := r.(*retry.AdaptiveMode); !ok {
				t.Fatalf("retryer is %T, want *retry.AdaptiveMode", r)
			}
			if got := r.MaxAttempts(); got != tt.want {
				t.Errorf("MaxAttempts = %d, want %d", got, tt.want)
			}
			throttled := errors.New("throttled")
			for attempt := 1; attempt <= 30; attempt++ {
				d, err := r.RetryDelay(attempt, throttled)
				if err != nil {
					t.Fatalf("RetryDelay(%d): %v", attempt, err)
				}
				if d > MaxBackoff {
					t.Fatalf("RetryDelay(%d) = %v, more than %v", attempt, d, MaxBackoff)
				}
			}
		})
	}
}
