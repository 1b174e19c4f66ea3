// Package billing is the aws_ingest_billing input: it reads the payer
// account's billing reports from S3 and sends their rows to Splunk, one
// version of each report at a time, with the legacy app's per-account
// spending summary and lookups.
//
// # One pass per run
//
// Run resolves the stanza against aws.conf (bucket, payer, accounts,
// limits, corpkey) and does one collection pass; splunkd starts the input
// again after interval. A pass lists the bucket, keeps the reports of the
// last months months (report.ClassifyKey), and for each report compares its
// version with the checkpoint:
//
//   - legacy reports (monthly, cost allocation, DBR) are versioned by their
//     S3 ETag, which the listing gives, so an unchanged report costs no
//     GET;
//   - CUR and CUR 2.0 by the assemblyId or executionId of their manifest,
//     read only when the manifest's ETag changed.
//
// A new version is sent whole: every row, with a billing_version field,
// then one aws:billing:version event with the row count and totals. The
// checkpoint (a JSON file per stanza in checkpoint_dir, replaced
// atomically) moves to that version only after the event writer confirms
// every event reached stdout (Sync). Searches use, for each report, the
// rows of the latest version that has a version event; see the README for
// why this beats diffing rows by RecordId.
//
// A legacy report is read with If-Match on its listed ETag, so if AWS
// rewrites it during the read the read fails and is retried next run rather
// than mixing two versions under one billing_version.
//
// # Stops and failures
//
// Every ten seconds of a long ingestion, and when splunkd stops the input,
// the checkpoint records how many rows of the version were sent; the next
// run reads the version again but sends only the rest. A report that fails
// (access denied, a malformed file) is logged with its key and what to do;
// the others go on, its checkpoint stays where it was, and the summary and
// lookups are left as they were until a pass reads every report.
//
// # Summary and lookups
//
// After the reports, for the current month: one aws:billing:summary event
// per linked account, with get_bill.py's field names (masteraccount,
// subaccountid, subaccount, amount, mprojection, mlimit, dlimit) plus
// currency, billing_period, over_limit and projected_over_limit, taken from
// the monthly report (its AccountTotal rows), else from the DBR, CUR 2.0 or
// CUR of the month. The projection uses the real number of days of the
// month. subaccounts.csv gets one row per linked account (rows of other
// payers are kept) and accountNames.csv is merged with the names of
// aws.conf and the reports, never dropping a row a person added. Both are
// replaced atomically.
//
// # Memory
//
// Rows are streamed from the S3 body through gzip or CSV; a zip archive,
// which archive/zip must read at random, is spooled to a temporary file in
// checkpoint_dir and removed afterwards. Events go to the writer in batches
// whose buffers are reused once the writer confirms them, so memory stays
// at a few tens of MiB whatever the report's size.
//
// # Replay
//
// "aws_ingest_billing replay FILE..." sends local files through the same
// path (csv, csv.gz, csv.zip, or a CUR manifest with its parts next to it)
// and prints the events as the XML stream or, with --format json, as HTTP
// Event Collector events.
package billing
