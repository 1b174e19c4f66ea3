// Package moto runs moto_server (moto 5.2.1, preinstalled in the build and CI
// image) as a real AWS peer for end-to-end tests.
//
// Why it exists: the in-process fakes (testkit/sqsfake, testkit/s3fake) are
// fast but only as right as their authors. moto implements the services this
// project touches (S3, SQS, SNS, S3 event notifications, CloudTrail trail
// setup, EC2 with its full instance-type catalogue, STS/IAM) the way the AWS
// SDKs see them, so an end-to-end test against it catches what a fake models
// wrongly. It is slow (about 2 ms a call, SQS costs O(queue depth)), so it is
// for behaviour, never for throughput.
//
// # Use
//
// One moto_server per test package, started the first time a test asks for
// it and stopped when the package's tests end:
//
//	func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
//
//	func TestSetup(t *testing.T) {
//		srv := moto.Require(t) // skips, or fails under CI=true, without moto
//		client := sqs.NewFromConfig(srv.Config("us-east-1"))
//		...
//	}
//
// Tests in the same package that never call Require run normally and do not
// start moto. Require wipes moto's state (POST /moto-api/reset) before
// returning, so each test starts clean; for the same reason, tests that call
// Require must not run in parallel with each other.
//
// When moto_server is not on PATH, Require skips the test with a message that
// says so, unless the environment has CI=true (any value strconv.ParseBool
// reads as true), where a missing moto is a failure: CI must not go green by
// skipping every end-to-end test.
//
// # Talking to it
//
// Server.Config builds a hermetic aws.Config (see package testkit for why
// never config.LoadDefaultConfig in tests). Server.Env gives the environment
// a child process (a built modular-input binary) needs to reach the same
// moto through its own default config chain.
//
// # Process handling
//
// Start runs "moto_server -H 127.0.0.1 -p 0" so the kernel picks a free port,
// reads the port from moto's " * Running on http://127.0.0.1:PORT" line, and
// polls GET /moto-api/ until it answers (at most 15 s; it usually takes
// about 0.5 s). MOTO_PORT is removed from moto's environment: server.py
// crashes on an empty value. moto's output is drained for as long as it runs,
// so it never blocks on a full pipe, and the last 64 KiB are kept for error
// messages (Server.Logs). On Linux moto gets SIGTERM if the test binary dies
// (Pdeathsig), so a crashed or killed test run leaves no stray server. Stop
// sends SIGTERM, waits up to 5 s, then kills.
//
// Known moto gaps (see the shared test-harness reference): CloudTrail
// LookupEvents/ListPublicKeys and EC2 DescribeReservedInstances return 500;
// GetObject ignores partNumber; S3 notification keys are quote_plus-encoded
// and eventTime has no zone; CloudTrail never writes log files.
package moto
