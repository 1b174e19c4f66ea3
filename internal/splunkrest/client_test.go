package splunkrest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// newCA returns a CA certificate (PEM) and a function that issues server
// certificates from it. The server certificate imitates splunkd's default:
// its subject is not 127.0.0.1 and it carries no IP address.
func newCA(t *testing.T, name string) (caPEM []byte, issue func(dnsNames ...string) tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})

	issue = func(dnsNames ...string) tls.Certificate {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(2),
			Subject:      pkix.Name{CommonName: "SplunkServerDefaultCert"},
			DNSNames:     dnsNames,
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	return caPEM, issue
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startTLS starts a fake splunkd serving cert.
func startTLS(t *testing.T, cert tls.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(&fakeSplunkd{entries: []entry{{"aws_ingest", "aws_ingest", "prod", testPassword}}})
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// routeTo makes c dial addr whatever host its URL names, so that
// non-loopback host names can be tested without DNS or network.
func routeTo(t *testing.T, c *Client, addr string) {
	t.Helper()
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T, want *http.Transport", c.hc.Transport)
	}
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	caPEM, issue := newCA(t, "Splunk test CA")
	otherPEM, _ := newCA(t, "Some other CA")
	goodCA := writeFile(t, filepath.Join(dir, "good.pem"), caPEM)
	otherCA := writeFile(t, filepath.Join(dir, "other.pem"), otherPEM)
	missingCA := filepath.Join(dir, "missing.pem")

	srv := startTLS(t, issue("splunk.example.test"))

	tests := []struct {
		name    string
		host    string
		caFile  string
		wantErr string // "" means the call must succeed
	}{
		{"loopback IP, splunkd CA: chain verified, name skipped", "127.0.0.1", goodCA, ""},
		{"localhost, splunkd CA", "localhost", goodCA, ""},
		{"loopback IP, wrong CA: rejected", "127.0.0.1", otherCA, "not signed by " + otherCA},
		{"loopback IP, no CA file: splunkd default accepted", "127.0.0.1", missingCA, ""},
		{"loopback IP, CA option empty", "127.0.0.1", "", ""},
		{"remote host named in the certificate", "splunk.example.test", goodCA, ""},
		{"remote host not named in the certificate", "other.example.test", goodCA, "certificate is valid for splunk.example.test"},
		{"remote host, wrong CA", "splunk.example.test", otherCA, "unknown authority"},
		{"remote host, no CA file", "splunk.example.test", missingCA, "unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uri := "https://" + net.JoinHostPort(tt.host, "8089")
			c, err := New(uri, secret.String(testKey), WithCAFile(tt.caFile))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			routeTo(t, c, srv.Listener.Addr().String())
			_, pw, err := c.Credential(t.Context(), "aws_ingest", "aws_ingest", "prod")
			assertNoSecrets(t, err)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Credential: %v", err)
				}
				if pw.Reveal() != testPassword {
					t.Error("wrong password returned")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTLSDefaultsToSplunkHomeCA(t *testing.T) {
	caPEM, issue := newCA(t, "Splunk test CA")
	otherPEM, _ := newCA(t, "Some other CA")
	srv := startTLS(t, issue("SplunkServerDefaultCert"))

	tests := []struct {
		name    string
		pem     []byte
		wantErr string
	}{
		{"cacert.pem signs splunkd's certificate", caPEM, ""},
		{"cacert.pem is another CA", otherPEM, "cacert.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			writeFile(t, filepath.Join(home, "etc", "auth", "cacert.pem"), tt.pem)
			t.Setenv("SPLUNK_HOME", home)

			c, err := New(srv.URL, secret.String(testKey))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, _, err = c.Credential(t.Context(), "aws_ingest", "aws_ingest", "prod")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Credential: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewRejectsBadCAFile(t *testing.T) {
	bad := writeFile(t, filepath.Join(t.TempDir(), "cacert.pem"), []byte("not a certificate"))
	_, err := New("https://127.0.0.1:8089", secret.String(testKey), WithCAFile(bad))
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want one naming %s", err, bad)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1":           true,
		"127.1.2.3":           true,
		"::1":                 true,
		"localhost":           true,
		"LOCALHOST":           true,
		"10.0.0.1":            false,
		"splunk.example.test": false,
		"localhost.evil.test": false,
		"":                    false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
