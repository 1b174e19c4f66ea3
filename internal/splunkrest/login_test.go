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
