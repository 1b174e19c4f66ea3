package splunkrest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

func TestLogin(t *testing.T) {
	const password = "s3cr3t-pw"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/services/auth/login" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if r.FormValue("username") != "admin" || r.FormValue("password") != password {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"messages":[{"type":"WARN","text":"Login failed"}]}`)
			return
		}
		if r.FormValue("output_mode") != "json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, `{"sessionKey":"`+testKey+`"}`)
	}))
	t.Cleanup(srv.Close)

	key, err := Login(t.Context(), srv.URL, "admin", password, WithHTTPClient(srv.Client()))
	if err != nil || key.Reveal() != testKey {
		t.Fatalf("Login = %q, %v", key.Reveal(), err)
	}

	_, err = Login(t.Context(), srv.URL, "admin", "wrong", WithHTTPClient(srv.Client()))
	if err == nil || !strings.Contains(err.Error(), "wrong user or password") || strings.Contains(err.Error(), "wrong\"") {
		t.Errorf("bad password: %v", err)
	}
	_, err = Login(t.Context(), srv.URL+"/elsewhere", "admin", password, WithHTTPClient(srv.Client()))
	if err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("wrong path: %v", err)
	}
	for _, e := range []error{err} {
		if strings.Contains(e.Error(), password) {
			t.Errorf("error shows the password: %v", e)
		}
	}
	if _, err := Login(t.Context(), srv.URL, "admin", secret.String(""), WithHTTPClient(srv.Client())); err == nil {
		t.Error("empty password accepted")
	}
}

// A redirect is not followed: 307 and 308 would repeat the form, password
// included, to whatever address the answer names.
func TestLoginDoesNotFollowRedirects(t *testing.T) {
	const password = "s3cr3t-pw"
	var leaked bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("password") == password {
			leaked = true
		}
		fmt.Fprint(w, `{"sessionKey":"stolen"}`)
	}))
	t.Cleanup(elsewhere.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/services/auth/login", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	_, err := Login(t.Context(), srv.URL, "admin", password, WithHTTPClient(srv.Client()))
	if err == nil || !strings.Contains(err.Error(), "redirect") || strings.Contains(err.Error(), password) {
		t.Errorf("redirected login: err = %v", err)
	}
	if leaked {
		t.Error("the password was sent on to the redirect's address")
	}
}
