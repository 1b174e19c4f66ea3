package testkit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/awsx"
)

func TestAWSConfig(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-south-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "from-env")
	cfg := AWSConfig("http://127.0.0.1:1", "")
	if cfg.Region != DefaultRegion {
		t.Errorf("Region = %q, want %q (the environment must not matter)", cfg.Region, DefaultRegion)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != AccessKeyID {
		t.Errorf("credentials = %+v, %v", creds, err)
	}
	if cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://127.0.0.1:1" || cfg.RetryMaxAttempts != 1 {
		t.Errorf("BaseEndpoint %v, RetryMaxAttempts %d", cfg.BaseEndpoint, cfg.RetryMaxAttempts)
	}
}

type recordingClient struct{ body io.ReadCloser }

func (c *recordingClient) Do(r *http.Request) (*http.Response, error) {
	c.body = r.Body
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// writerToBody is an io.ReadCloser with WriteTo, like smithy-go's request
// bodies.
type writerToBody struct{ io.ReadCloser }

func (writerToBody) WriteTo(io.Writer) (int64, error) { return 0, io.EOF }

func TestSafeBodyClientHidesWriteTo(t *testing.T) {
	next := &recordingClient{}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", nil)
	req.Body = writerToBody{io.NopCloser(strings.NewReader("x"))}
	if _, err := awsx.SafeBodyClient(next).Do(req); err != nil {
		t.Fatal(err)
	}
	if _, ok := next.body.(io.WriterTo); ok {
		t.Error("the body still implements io.WriterTo")
	}
	if b, _ := io.ReadAll(next.body); string(b) != "x" {
		t.Errorf("body = %q", b)
	}
}

func TestHandlerClient(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Path", r.URL.Path)
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write(append([]byte("echo:"), b...))
	})
	c := HandlerClient(h)

	req, _ := http.NewRequest(http.MethodPost, "http://svc.invalid/p", strings.NewReader("hi"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || string(body) != "echo:hi" ||
		resp.Header.Get("X-Host") != "svc.invalid" || resp.Header.Get("X-Path") != "/p" {
		t.Errorf("response %d %q host %q path %q", resp.StatusCode, body, resp.Header.Get("X-Host"), resp.Header.Get("X-Path"))
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://svc.invalid/slow", nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled request: err = %v, want context.DeadlineExceeded", err)
	}
}
