// Package testkit holds the pieces every AWS test in this module shares: a
// hermetic aws.Config and an in-memory HTTP client that serves requests from an
// http.Handler without a socket.
//
// Why it exists: config.LoadDefaultConfig reads the environment, ~/.aws and
// AWS_CA_BUNDLE. The build image sets AWS_CA_BUNDLE, and with it set
// LoadDefaultConfig refuses a plain *http.Client ("unable to add custom RootCAs
// HTTPClient"), so a test that loads the default config passes on one machine
// and fails on another. Tests therefore build aws.Config by hand (AWSConfig),
// which depends on nothing but its arguments.
//
// Its configs use awsx.SafeBodyClient, a workaround for an SDK race that makes
// calls to fast local servers fail now and then (see its documentation), and
// AWSConfig uses it. Peers live in sub-packages, among them:
//
//   - testkit/sqsfake: an in-process SQS (AWS JSON 1.0) fake with an injectable
//     clock and fault injection; the default for unit tests and benchmarks.
//   - testkit/s3fake: rclone/gofakes3 behind httptest, for S3 unit tests.
//   - testkit/moto: moto_server as a real AWS peer for end-to-end tests.
package testkit
