// Package packaging holds the checks of the Splunk app package; it has no
// code of its own, only tests.
//
// The tests run ../../package.sh into a temporary directory, open the
// resulting aws_ingest-<version>.spl (a gzip tar) and check what splunkd and
// Splunk AppInspect require of it: a single top folder named after the app
// id, a valid default/app.conf with a Major.Minor.Revision version and a
// positive build number, the modular-input spec and defaults, one static
// binary per input and platform in <platform>/bin with mode 0755, mode 0644
// for every other file and 0755 for directories, no symlinks, hidden files
// or local/ settings, a README that declares every binary under
// "# Binary File Declaration", .conf files that parse and have no [default]
// stanza, a props.conf stanza for every sourcetype the inputs emit, a size
// below 40 MB, and binaries that report the version stamped into app.conf.
//
// Building the package takes a while, so the package test is skipped with
// go test -short.
package packaging
