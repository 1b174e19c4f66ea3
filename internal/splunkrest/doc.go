// Package splunkrest is the smallest splunkd REST client the modular inputs
// need: reading one credential from storage/passwords with the session key
// that splunkd hands every modular input on stdin.
//
// It exists so that AWS secrets live only in Splunk's encrypted credential
// store (realm "aws_ingest", username = the aws_account name) instead of in
// plaintext inputs.conf, and so that every input reads them the same way:
// list the app's passwords filtered by realm, then match realm and username
// exactly (entity names such as "realm:user:" have undocumented escaping, so
// the client never builds them).
//
// splunkd normally listens on https://127.0.0.1:8089 with a certificate signed
// by its own CA ($SPLUNK_HOME/etc/auth/cacert.pem) whose name is not
// 127.0.0.1; see New for how TLS is verified in that case.
//
// The session key and every password are secret.String values: they never
// appear in errors or logs.
package splunkrest
