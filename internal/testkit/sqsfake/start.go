package sqsfake

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

// Start serves a new Fake on an httptest.Server until the test ends and
// returns it with a client for it. The client is built from
// testkit.AWSConfig (hermetic, RetryMaxAttempts 1).
func Start(t testing.TB, opts ...Option) (*Fake, *sqs.Client) {
	t.Helper()
	f := New(opts...)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// Cleanups run last-in first-out: wake long polls first, or srv.Close
	// would wait up to 20 s for them.
	t.Cleanup(f.Close)
	return f, sqs.NewFromConfig(testkit.AWSConfig(srv.URL, f.region))
}

// NewClient returns a client that calls f in memory through
// testkit.HandlerClient, with no server and no socket. Use it inside
// testing/synctest bubbles. Its queue URLs start with
// "http://sqsfake.invalid/".
func (f *Fake) NewClient(optFns ...func(*sqs.Options)) *sqs.Client {
	cfg := testkit.AWSConfig("http://sqsfake.invalid", f.region)
	cfg.HTTPClient = testkit.HandlerClient(f)
	return sqs.NewFromConfig(cfg, optFns...)
}
