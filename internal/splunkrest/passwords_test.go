package splunkrest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

const (
	testKey      = "SESSIONKEY-very-secret-0123456789"
	testPassword = "PASSWORD-very-secret-abcdef"
)

type entry struct {
	app, realm, username, password string
}

// fakeSplunkd answers storage/passwords listings from entries, the way
// splunkd does for an authorised session, and records the requests it saw.
type fakeSplunkd struct {
	mu      sync.Mutex
	entries []entry
	status  int    // when non-zero, answer with this status and body
	body    string // body for status
	reqs    []*http.Request
}

func (f *fakeSplunkd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(r.Context()))
	f.mu.Unlock()
	if f.status != 0 {
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return
	}
	if r.Header.Get("Authorization") != "Splunk "+testKey {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}`))
		return
	}
	// splunkd's search=realm=X is a loose filter; return everything whose
	// realm contains X to prove the client matches exactly.
	want := strings.TrimPrefix(r.URL.Query().Get("search"), "realm=")
	type content struct {
		Realm         string `json:"realm"`
		Username      string `json:"username"`
		ClearPassword string `json:"clear_password"`
		EncrPassword  string `json:"encr_password"`
	}
	type ent struct {
		Name    string            `json:"name"`
		ACL     map[string]string `json:"acl"`
		Content content           `json:"content"`
	}
	var out struct {
		Entry []ent `json:"entry"`
	}
	for _, e := range f.entries {
		if !strings.Contains(e.realm, want) {
			continue
		}
		out.Entry = append(out.Entry, ent{
			Name:    e.realm + ":" + e.username + ":",
			ACL:     map[string]string{"app": e.app},
			Content: content{Realm: e.realm, Username: e.username, ClearPassword: e.password, EncrPassword: "$7$xyz"},
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeSplunkd) lastRequest(t *testing.T) *http.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("splunkd saw no request")
	}
	return f.reqs[len(f.reqs)-1]
}

func newTestClient(t *testing.T, f *fakeSplunkd) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/", secret.String(testKey), WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{testKey, testPassword, "other-secret"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}

func TestCredentialRequest(t *testing.T) {
	f := &fakeSplunkd{entries: []entry{{"aws_ingest", "aws_ingest", "prod", testPassword}}}
	c := newTestClient(t, f)

	user, pw, err := c.Credential(t.Context(), "aws_ingest", "aws_ingest", "prod")
	if err != nil {
		t.Fatalf("Credential: %v", err)
	}
	if user != "prod" || pw.Reveal() != testPassword {
		t.Errorf("got user %q password %q, want prod and the stored password", user, pw.Reveal())
	}

	r := f.lastRequest(t)
	if r.Method != http.MethodGet {
		t.Errorf("method = %s, want GET", r.Method)
	}
	if got, want := r.Header.Get("Authorization"), "Splunk "+testKey; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
	if got, want := r.URL.Path, "/servicesNS/nobody/aws_ingest/storage/passwords"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	q := r.URL.Query()
	for k, want := range map[string]string{"output_mode": "json", "count": "0", "search": "realm=aws_ingest"} {
		if got := q.Get(k); got != want {
			t.Errorf("query %s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(r.URL.RawQuery, "search=realm%3Daws_ingest") {
		t.Errorf("raw query %q does not carry search=realm%%3Daws_ingest", r.URL.RawQuery)
	}
}

func TestCredentialMatching(t *testing.T) {
	entries := []entry{
		{"aws_ingest", "aws_ingest_old", "prod", "other-secret"}, // realm only contains the wanted one
		{"aws_ingest", "aws_ingest", "prod2", "other-secret"},    // username prefix
		{"aws_ingest", "aws_ingest", "Prod", "other-secret"},     // case differs
		{"search", "aws_ingest", "shared", "other-secret"},       // same name, other app, listed first
		{"aws_ingest", "aws_ingest", "shared", testPassword},     // owned by the app: wins
		{"aws_ingest", "aws_ingest", "prod", testPassword},
		{"search", "aws_ingest", "global", testPassword}, // only visible through global sharing
	}
	tests := []struct {
		name, realm, username string
		wantFound             bool
	}{
		{"exact match", "aws_ingest", "prod", true},
		{"app's own copy beats a shared one", "aws_ingest", "shared", true},
		{"shared from another app", "aws_ingest", "global", true},
		{"username is case sensitive", "aws_ingest", "PROD", false},
		{"no username prefix match", "aws_ingest", "pro", false},
		{"realm must match exactly", "aws_ingest_ol", "prod", false},
		{"realm prefix is not enough", "aws", "prod", false},
	}
	c := newTestClient(t, &fakeSplunkd{entries: entries})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, pw, err := c.Credential(t.Context(), "aws_ingest", tt.realm, tt.username)
			assertNoSecrets(t, err)
			if !tt.wantFound {
				if _, ok := errors.AsType[*NotFoundError](err); !ok {
					t.Fatalf("err = %v, want a *NotFoundError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Credential: %v", err)
			}
			if user != tt.username || pw.Reveal() != testPassword {
				t.Errorf("got user %q and the wrong password (masked %v)", user, pw)
			}
		})
	}
}

func TestCredentialErrors(t *testing.T) {
	tests := []struct {
		name     string
		fake     *fakeSplunkd
		key      string
		want     []string
		denied   bool
		notFound bool
	}{
		{
			name:     "not found says how to create it",
			fake:     &fakeSplunkd{entries: []entry{{"aws_ingest", "aws_ingest", "dev", testPassword}}},
			want:     []string{"realm aws_ingest", "username prod", "curl -k -u admin", "/servicesNS/nobody/aws_ingest/storage/passwords", "-d name=prod", "-d realm=aws_ingest", "password=<secret>"},
			notFound: true,
		},
		{
			name:   "401 names the capability",
			fake:   &fakeSplunkd{},
			key:    "wrong-" + testKey,
			want:   []string{"401", "list_storage_passwords"},
			denied: true,
		},
		{
			name:   "403 names the capability",
			fake:   &fakeSplunkd{status: http.StatusForbidden, body: `{"messages":[{"type":"ERROR","text":"forbidden"}]}`},
			want:   []string{"403", "list_storage_passwords"},
			denied: true,
		},
		{
			name: "404 names the app",
			fake: &fakeSplunkd{status: http.StatusNotFound, body: `{"messages":[{"type":"ERROR","text":"Application does not exist: aws_ingest"}]}`},
			want: []string{"404", "Application does not exist", "app aws_ingest is installed"},
		},
		{
			name: "splunkd message echoing the session key is masked",
			fake: &fakeSplunkd{status: http.StatusInternalServerError, body: `{"messages":[{"type":"ERROR","text":"bad token ` + testKey + `"}]}`},
			want: []string{"HTTP 500", "bad token ***"},
		},
		{
			name: "not JSON hints at the port",
			fake: &fakeSplunkd{status: http.StatusOK, body: `<html>Splunk Web</html>`},
			want: []string{"decode JSON", "8089"},
		},
		{
			name: "empty password",
			fake: &fakeSplunkd{entries: []entry{{"aws_ingest", "aws_ingest", "prod", ""}}},
			want: []string{"empty password", "realm aws_ingest", "username prod"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.fake)
			t.Cleanup(srv.Close)
			key := tt.key
			if key == "" {
				key = testKey
			}
			c, err := New(srv.URL, secret.String(key), WithHTTPClient(srv.Client()))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, _, err = c.Credential(t.Context(), "aws_ingest", "aws_ingest", "prod")
			if err == nil {
				t.Fatal("Credential succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if got := errors.Is(err, ErrAccessDenied); got != tt.denied {
				t.Errorf("errors.Is(err, ErrAccessDenied) = %v, want %v", got, tt.denied)
			}
			if _, got := errors.AsType[*NotFoundError](err); got != tt.notFound {
				t.Errorf("err is *NotFoundError = %v, want %v", got, tt.notFound)
			}
			assertNoSecrets(t, err)
			if strings.Contains(err.Error(), key) {
				t.Errorf("error leaks the session key: %v", err)
			}
		})
	}
}

func TestCredentialArguments(t *testing.T) {
	c := newTestClient(t, &fakeSplunkd{})
	for _, args := range [][2]string{{"", "prod"}, {"aws_ingest", ""}} {
		if _, _, err := c.Credential(t.Context(), args[0], "aws_ingest", args[1]); err == nil {
			t.Errorf("Credential(app %q, username %q) succeeded, want an error", args[0], args[1])
		}
	}
}

func TestCredentialHonoursContext(t *testing.T) {
	c := newTestClient(t, &fakeSplunkd{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := c.Credential(ctx, "aws_ingest", "aws_ingest", "prod")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, uri, key string
		wantErr        string
	}{
		{"https", "https://127.0.0.1:8089", testKey, ""},
		{"trailing slash", "https://127.0.0.1:8089/", testKey, ""},
		{"no scheme", "127.0.0.1:8089", testKey, "https://127.0.0.1:8089"},
		{"ftp", "ftp://127.0.0.1:8089", testKey, "https://127.0.0.1:8089"},
		{"user info", "https://admin:changeme@127.0.0.1:8089", testKey, "user information"},
		{"empty session key", "https://127.0.0.1:8089", "", "session key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.uri, secret.String(tt.key), WithCAFile(""))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if strings.HasSuffix(c.base, "/") {
					t.Errorf("base %q keeps a trailing slash", c.base)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "changeme") {
				t.Errorf("error leaks the URL password: %v", err)
			}
		})
	}
}
