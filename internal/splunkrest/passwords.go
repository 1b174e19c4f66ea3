package splunkrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// maxResponse bounds a storage/passwords listing; a few hundred credentials
// are far below this.
const maxResponse = 32 << 20

// ErrAccessDenied is wrapped by errors for HTTP 401/403 answers.
var ErrAccessDenied = errors.New("splunkd denied access to storage/passwords")

// NotFoundError reports that no credential has exactly the requested realm
// and username. Its message says how to create one.
type NotFoundError struct {
	ServerURI string
	App       string
	Realm     string
	Username  string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no credential with realm %s and username %s in storage/passwords of app %s; "+
		"create it with: curl -k -u admin %s/servicesNS/nobody/%s/storage/passwords -d name=%s -d realm=%s -d password=<secret>",
		e.Realm, e.Username, e.App, e.ServerURI, e.App, e.Username, e.Realm)
}

// passwordList is the part of splunkd's JSON answer that is used.
type passwordList struct {
	Entry []struct {
		ACL struct {
			App string `json:"app"`
		} `json:"acl"`
		Content struct {
			Realm         string        `json:"realm"`
			Username      string        `json:"username"`
			ClearPassword secret.String `json:"clear_password"`
		} `json:"content"`
	} `json:"entry"`
}

// errorBody is splunkd's JSON error envelope.
type errorBody struct {
	Messages []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"messages"`
}

// Credential returns the username and clear password of the credential in
// app's storage/passwords whose realm and username equal realm and username
// exactly. When the listing holds the same realm and username from several
// apps (globally shared credentials), the one owned by app wins.
//
// Errors wrap ErrAccessDenied (401/403) or are a *NotFoundError; they never
// contain the session key or a password.
func (c *Client) Credential(ctx context.Context, app, realm, username string) (user string, password secret.String, err error) {
	if app == "" || username == "" {
		return "", "", fmt.Errorf("splunkrest: credential lookup needs an app and a username (got app %q, username %q)", app, username)
	}
	q := url.Values{"output_mode": {"json"}, "count": {"0"}}
	if realm != "" {
		q.Set("search", "realm="+realm)
	}
	endpoint := c.base + "/servicesNS/nobody/" + url.PathEscape(app) + "/storage/passwords?" + q.Encode()
	what := fmt.Sprintf("splunkrest: list storage/passwords of app %s at %s", app, c.base)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("Authorization", "Splunk "+c.sessionKey.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxResponse)

	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", "", fmt.Errorf("%s: %w (HTTP %d): the session key is expired or its user lacks the "+
			"list_storage_passwords capability; grant list_storage_passwords to the role the input runs as",
			what, ErrAccessDenied, resp.StatusCode)
	case resp.StatusCode == http.StatusNotFound:
		return "", "", fmt.Errorf("%s: HTTP 404%s; check that the app %s is installed", what, c.splunkMessage(body), app)
	case resp.StatusCode != http.StatusOK:
		return "", "", fmt.Errorf("%s: HTTP %d%s", what, resp.StatusCode, c.splunkMessage(body))
	}

	var list passwordList
	if err := json.NewDecoder(body).Decode(&list); err != nil {
		return "", "", fmt.Errorf("%s: decode JSON answer: %w; is server_uri the splunkd management port (8089)?", what, err)
	}
	found := -1
	for i, e := range list.Entry {
		if e.Content.Realm != realm || e.Content.Username != username {
			continue
		}
		if found < 0 || e.ACL.App == app {
			found = i
		}
	}
	if found < 0 {
		return "", "", &NotFoundError{ServerURI: c.base, App: app, Realm: realm, Username: username}
	}
	e := list.Entry[found].Content
	if e.ClearPassword.IsZero() {
		return "", "", fmt.Errorf("%s: credential with realm %s and username %s has an empty password; "+
			"delete and re-create it with a password, or check that the session key's user may read clear passwords",
			what, realm, username)
	}
	return e.Username, e.ClearPassword, nil
}

// splunkMessage returns ": <first splunkd message>" from an error body, or
// "" when there is none. The text is shortened, and the session key is
// masked in case splunkd ever echoes it.
func (c *Client) splunkMessage(body io.Reader) string {
	var eb errorBody
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&eb); err != nil || len(eb.Messages) == 0 {
		return ""
	}
	text := strings.ReplaceAll(eb.Messages[0].Text, c.sessionKey.Reveal(), "***")
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return ": " + text
}
