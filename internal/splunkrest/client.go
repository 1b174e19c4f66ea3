package splunkrest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// defaultTimeout bounds one REST call when the caller's context has no
// deadline; splunkd answers storage/passwords in milliseconds.
const defaultTimeout = 30 * time.Second

// Client talks to one splunkd management endpoint with one session key.
// It is safe for concurrent use.
type Client struct {
	base       string // server URI without trailing slash, e.g. https://127.0.0.1:8089
	sessionKey secret.String
	hc         *http.Client
}

// Option configures New.
type Option func(*options)

type options struct {
	hc        *http.Client
	caFile    string
	caFileSet bool
}

// WithHTTPClient makes the client use hc as is (tests, or a caller that
// already built a client). The TLS rules described in New are not applied.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.hc = hc }
}

// WithCAFile sets the splunkd CA certificate file to trust instead of
// $SPLUNK_HOME/etc/auth/cacert.pem. An empty path means "no splunkd CA".
func WithCAFile(path string) Option {
	return func(o *options) { o.caFile, o.caFileSet = path, true }
}

// New returns a client for the splunkd at serverURI (the server_uri that
// splunkd passes to modular inputs, normally https://127.0.0.1:8089),
// authenticating with sessionKey.
//
// TLS, unless WithHTTPClient is given:
//   - The system roots are trusted, plus splunkd's own CA from
//     $SPLUNK_HOME/etc/auth/cacert.pem (or WithCAFile) when that file exists.
//   - For a loopback host (127.0.0.0/8, ::1, localhost) the host name is not
//     checked, because splunkd's default certificate is issued to
//     "SplunkServerDefaultCert", never to 127.0.0.1. The chain is still
//     verified against those roots when the CA file exists.
//   - For a loopback host without a CA file, any certificate is accepted; see
//     tlsConfig for why.
//   - Any other host gets normal verification (chain and host name).
func New(serverURI string, sessionKey secret.String, opts ...Option) (*Client, error) {
	u, err := parseServerURI(serverURI)
	if err != nil {
		return nil, err
	}
	if sessionKey.IsZero() {
		return nil, errors.New("splunkrest: empty session key; splunkd passes one to modular inputs in <session_key> on stdin")
	}
	return newClient(u, sessionKey, collect(opts))
}

func collect(opts []Option) options {
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

func parseServerURI(serverURI string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(serverURI))
	if err != nil {
		// The parse error echoes the raw text; keep it out in case it holds
		// user information.
		return nil, errors.New("splunkrest: server_uri is not a URL; it must look like https://127.0.0.1:8089")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("splunkrest: server_uri %q must look like https://127.0.0.1:8089", serverURI)
	}
	if u.User != nil {
		return nil, fmt.Errorf("splunkrest: server_uri %q must not contain user information; authentication uses the session key", u.Redacted())
	}
	return u, nil
}

// newClient builds the Client of New for a checked URL.
func newClient(u *url.URL, sessionKey secret.String, o options) (*Client, error) {
	c := &Client{
		base:       strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"),
		sessionKey: sessionKey,
		hc:         o.hc,
	}
	if c.hc != nil {
		return c, nil
	}
	caFile := o.caFile
	if !o.caFileSet {
		caFile = defaultCAFile()
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if u.Scheme == "https" {
		var err error
		if tr.TLSClientConfig, err = tlsConfig(u.Hostname(), caFile); err != nil {
			return nil, err
		}
	}
	c.hc = &http.Client{Transport: tr, Timeout: defaultTimeout}
	return c, nil
}

// defaultCAFile is splunkd's own CA certificate, or "" when SPLUNK_HOME is
// not set (not running under splunkd).
func defaultCAFile() string {
	home := os.Getenv("SPLUNK_HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, "etc", "auth", "cacert.pem")
}

// isLoopback reports whether host (no port) names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tlsConfig builds the TLS settings described in New.
func tlsConfig(host, caFile string) (*tls.Config, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	haveCA := false
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// No splunkd CA: handled below.
		case err != nil:
			return nil, fmt.Errorf("splunkrest: read splunkd CA certificate %s: %w; fix its permissions so the input's user can read it", caFile, err)
		case !roots.AppendCertsFromPEM(pem):
			return nil, fmt.Errorf("splunkrest: splunkd CA certificate %s holds no PEM certificate; point sslRootCAPath/cacert.pem at a PEM file", caFile)
		default:
			haveCA = true
		}
	}

	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	if !isLoopback(host) {
		return cfg, nil // normal verification: chain and host name
	}

	// Loopback: the connection cannot leave this machine, and splunkd's
	// certificate is never issued to "127.0.0.1", so the host name is not
	// checked. Go has no "verify the chain only" switch, so standard
	// verification is turned off and the chain is verified by hand.
	cfg.InsecureSkipVerify = true
	if !haveCA {
		// No CA file to verify against: splunkd on this host uses its
		// default self-signed chain (or SPLUNK_HOME is unknown), which no
		// system root can verify. Verifying would make every input fail on
		// a default install; the peer is on loopback, so an attacker would
		// already need local access to this machine, where it could read the
		// session key from the process anyway.
		return cfg, nil
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("splunkrest: splunkd presented no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			return fmt.Errorf("splunkrest: splunkd certificate is not signed by %s or a system root: %w; "+
				"if splunkd uses another CA, set sslRootCAPath accordingly", caFile, err)
		}
		return nil
	}
	return cfg, nil
}
