package splunkrest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// Login exchanges a Splunk user's password for a session key
// (POST /services/auth/login). It is for
// commands a person runs on the host (check), where no splunkd hands over a
// session key. TLS follows New's rules.
func Login(ctx context.Context, serverURI, user string, password secret.String, opts ...Option) (secret.String, error) {
	u, err := parseServerURI(serverURI)
	if err != nil {
		return "", err
	}
	if user == "" || password.IsZero() {
		return "", fmt.Errorf("splunkrest: log in to %s needs a user and a password", u.Redacted())
	}
	// The client sends no session key here; login is how one is obtained.
	c, err := newClient(u, "", collect(opts))
	if err != nil {
		return "", err
	}
	what := fmt.Sprintf("splunkrest: log in to %s as %s", c.base, user)
	form := url.Values{"username": {user}, "password": {password.Reveal()}, "output_mode": {"json"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/services/auth/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// A redirect would send the password on to another address (307 and
	// 308 repeat the form): never follow one.
	hc := *c.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, 64<<10)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return "", fmt.Errorf("%s: HTTP %d redirect to %q, not followed (it would carry the password); give that address as the splunkd URI if it is splunkd's",
			what, resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode == http.StatusUnauthorized:
		return "", fmt.Errorf("%s: HTTP 401: wrong user or password", what)
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("%s: HTTP %d%s", what, resp.StatusCode, c.splunkMessage(body))
	}
	var answer struct {
		SessionKey secret.String `json:"sessionKey"`
	}
	if err := json.NewDecoder(body).Decode(&answer); err != nil || answer.SessionKey.IsZero() {
		return "", fmt.Errorf("%s: no session key in the answer; is the URI the splunkd management port (8089)?", what)
	}
	return answer.SessionKey, nil
}
