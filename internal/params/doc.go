// Package params turns one Go table per scheme into everything splunkd and
// a Splunk admin see of an input's parameters: the scheme XML arguments,
// README/inputs.conf.spec, the defaults in default/inputs.conf, and the
// typed, validated values the input runs with. Keeping them in one table
// means the UI, the spec file, Puppet-managed inputs.conf and the binary can
// never disagree.
package params
