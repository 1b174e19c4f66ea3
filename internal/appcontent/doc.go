// Package appcontent holds the tests of the Splunk app's knowledge objects
// (app/default/*.conf, the dashboards in app/default/data/ui/views and the
// navigation): every .conf parses without a [default] stanza, every
// dashboard is well-formed Simple XML, the navigation names existing views,
// every lookup a transform names ships or is written by an input, and every
// sourcetype and field a dashboard or saved search uses is present in events
// the inputs really produce (CloudTrail replay of the shared samples, billing
// reports of every type, the inventory's recorded pass), or is made by
// props.conf or by the search itself.
//
// To see the fields a search may use:
//
//	APPCONTENT_FIELDS=1 go test -run TestListEventFields -v ./internal/appcontent/
//
// The package has no code of its own.
package appcontent
