// Package modinput implements the Splunk modular-input protocol and nothing
// else: it has no AWS imports.
//
// splunkd runs a modular input executable in three ways:
//
//   - "--scheme": print the scheme XML (title, description, arguments) on
//     stdout. See [Scheme.WriteTo].
//   - "--validate-arguments": read an <items> document on stdin and answer
//     with nothing (valid) or one <error><message> document on stdout and a
//     non-zero exit. See [ReadValidation] and [WriteValidationError].
//   - no argument: read an <input> document on stdin and stream events as
//     <stream><event>...</event></stream> on stdout. See [ReadInput] and
//     [Writer].
//
// stderr lines become splunkd.log lines; [NewLogHandler] writes them as
// "LEVEL message key=value". The Splunk SDKs' conformance fixtures live in
// testdata/ with their licences.
//
// References: docs.splunk.com AdvancedDev/ModInputsScripts, ModInputsValidate,
// ModInputsStream, and the project's splunk-modular-input.md.
package modinput
