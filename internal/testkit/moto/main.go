package moto

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
)

// shared is the package-wide moto of a test binary (one per Go package).
var shared struct {
	mu     sync.Mutex
	inMain bool    // Main is running the tests
	done   bool    // Start was attempted
	srv    *Server // the running server, if Start succeeded
	err    error   // why Start failed
}

// Main runs a package's tests with a shared moto_server and returns the exit
// code for os.Exit. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
//
// moto is started by the first Require, not here, so that a package whose
// selected tests (go test -run ...) do not need moto runs without it. Main
// stops moto after the last test.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()

	code := m.Run()

	shared.mu.Lock()
	srv := shared.srv
	shared.inMain = false
	shared.mu.Unlock()
	if srv != nil {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	return code
}

// Require returns the package's moto_server, starting it on first use, with
// its state reset. Without moto_server on PATH it skips the test, or fails it
// when CI=true. It fails the test if the package's TestMain does not call
// Main, if moto cannot start, or if it has died.
func Require(t testing.TB) *Server {
	t.Helper()
	srv, err := sharedServer(t.Context())
	switch {
	case errors.Is(err, errNoMain):
		t.Fatal(err)
	case errors.Is(err, ErrNotInstalled):
		if ciRequired() {
			t.Fatalf("%v\nCI=%s: end-to-end tests must not be skipped; put moto_server (moto 5.2.1) on PATH",
				err, os.Getenv("CI"))
		}
		t.Skipf("%v (the CI image has it; set CI=true to make this a failure)", err)
	case err != nil:
		t.Fatal(err)
	}
	if srv.Exited() {
		t.Fatalf("moto: moto_server (%s) has exited\n--- moto_server output ---\n%s", srv.URL, srv.Logs())
	}
	if err := srv.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	return srv
}

var errNoMain = errors.New("moto.Require: the package's TestMain must run the tests through moto.Main, " +
	"which stops moto at the end:\n\tfunc TestMain(m *testing.M) { os.Exit(moto.Main(m)) }")

// sharedServer starts the shared server once. A failure is remembered, so
// the remaining tests fail (or skip) at once instead of retrying.
func sharedServer(ctx context.Context) (*Server, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		return nil, errNoMain
	}
	if !shared.done {
		shared.done = true
		shared.srv, shared.err = Start(ctx)
	}
	return shared.srv, shared.err
}

// ciRequired reports whether the environment says this is CI (CI=true, or
// any other value strconv.ParseBool accepts as true), where a missing moto
// is a failure.
func ciRequired() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}
