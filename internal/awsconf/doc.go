// Package awsconf reads aws.conf, the accounts file of the billing and
// inventory inputs. It accepts, unchanged, the aws.conf of the legacy Python
// "Splunk App for AWS" (Splunkbase 1274) and a newer form without secrets.
//
// # Files and layering
//
// [Load] reads <app>/default/aws.conf and then <app>/local/aws.conf, as
// splunkd does: stanzas come from both files and, within a stanza, local/
// wins key by key. Either file may be missing. An input parameter such as
// aws_conf may name one file instead; then only that file is read and it must
// exist. [Parse] reads a single file from an io.Reader.
//
// The syntax is splunkd's .conf syntax, parsed with gopkg.in/ini.v1:
//
//   - lines starting with "#" are comments (ini.v1, like the legacy
//     Python parser, also skips lines starting with ";"); there are no
//     comments at the end of a line, so "#" and ";" inside a value are part
//     of it;
//   - spaces around "=" do not matter; ":" is not a separator;
//   - a line ending in "\" continues on the next line (the line break
//     counts as a space);
//   - stanza and key names are case-sensitive;
//   - quotes are kept as written (no unquoting, no %(name)s interpolation);
//   - a key given twice keeps its last value;
//   - an empty value unsets a key, so local/ can remove an account or a
//     region that default/ sets.
//
// # Legacy form
//
// The legacy scripts read the file with Python's ConfigParser and split each
// [keys] and corpkey value on runs of ASCII whitespace (str.split()).
// This package does the same:
//
//	[keys]
//	# <accountno> = <name> <access-key> <secret> <monthly-limit>
//	012345678901 = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 200000
//	123456789012 = web '' '' 100000
//	234567890123 = batch
//
//	[regions]
//	rgn2 = us-west-2
//	rgn1 = us-east-1
//
//	[misc]
//	# corpkey = <name> <access-key> <secret>: reads the billing bucket
//	corpkey = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//	acno = 012345678901
//	s3bucket = example-billing
//
// A [keys] line has 1, 3 or 4 fields:
//
//	<name>                                    known account, no keys, no limit
//	<name> <access-key> <secret>              no monthly limit
//	<name> <access-key> <secret> <limit>
//
// A field written as two apostrophes or two double quotes is empty: an
// account whose access key and secret are both empty has no keys of its own
// but is still known, with its name and limit (the legacy inventory script
// skipped such accounts; the billing script still used their limit). The
// access key and the secret are given together or not at all. Two fields, or
// more than four, are an error: a name cannot contain spaces and a value
// cannot end in a comment. The limit is a non-negative number (100000 or
// 2500.50); an empty limit means none.
//
// [regions] lists one region per key. Keys rgn1, rgn2, ... are ordered by
// their number; the legacy scripts used every value in the stanza, so other
// key names are accepted and come after them. Duplicates are dropped. Each
// account is polled in these regions unless it has its own.
//
// [misc] corpkey has exactly three fields (its access key and secret may be
// empty placeholders too), acno is the 12-digit payer account and s3bucket
// the bucket holding the billing reports.
//
// # Account stanzas
//
// The newer form names accounts in stanzas and keeps secrets out of the file;
// credentials come from an assumed role (or the instance's own credentials):
//
//	[account:prod]
//	account_id = 345678901234
//	role_arn = arn:aws:iam::345678901234:role/SplunkReadOnly
//	external_id = splunk-prod
//	monthly_limit = 50000
//	regions = us-east-1, eu-west-1
//
// Only account_id is required. Regions, when given, replace [regions] for
// that account.
//
// # Checks
//
// Every problem in the file(s) is reported at once: Parse and Load return
// errors.Join of *[Error] values, each naming file, line, stanza and key and
// saying what is expected, for example:
//
//	local/aws.conf:7 [keys] 123456789012: want "<name> <access-key> <secret> <monthly-limit>", got 2 fields
//
// A malformed line (no "=", an unclosed [stanza header) is reported with its
// line number but not its text, and the rest of the file is still checked.
// Account numbers have 12 digits (kept as strings: leading zeros matter),
// access key IDs start with AKIA or ASIA, role ARNs are IAM role ARNs and
// region names look like us-east-1. Unknown stanzas, unknown keys in [misc]
// and [account:<name>], and settings outside any stanza are errors, so that a
// misspelt name does not silently drop a setting. An account number defined
// twice (in [keys] and an [account:<name>] stanza, or in two stanzas) is an
// error; the first definition is kept.
//
// Secrets never appear in errors: messages do not quote the fields of a
// [keys] or corpkey line, long values are described by their length only, and
// every secret of the file is masked as *** in all messages. Secret keys are
// held in [secret.String], which prints as ***.
package awsconf
