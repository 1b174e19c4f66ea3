// Package report reads AWS billing reports: pure parsers over io.Reader,
// with no S3 and no Splunk in them.
//
// # Formats
//
// Every format is a CSV with a header row, and is recognised by its columns
// (DetectLayout), not by its file name:
//
//   - monthly report, <payer>-aws-billing-csv-YYYY-MM.csv: 29 columns,
//     RecordType LinkedLineItem / AccountTotal / InvoiceTotal ..., dates
//     as 2017/05/01 00:00:00, TotalCost;
//   - monthly cost allocation report, <payer>-aws-cost-allocation-YYYY-MM.csv:
//     the monthly columns plus AvailabilityZone and user: tag columns, and
//     a one-cell note line ("Don't see your tags in the report? ...")
//     before the header;
//   - detailed billing report (DBR), <payer>-aws-billing-detailed-line-items[-with-resources-and-tags]-YYYY-MM.csv.zip:
//     hourly line items, dates as 2016-09-30 23:00:00, BlendedCost and
//     UnBlendedCost (consolidated billing) or Rate and Cost (a single
//     account), ResourceId and tag columns in the "with resources and
//     tags" variant, and the InvoiceTotal, AccountTotal and StatementTotal
//     rows at the end;
//   - legacy Cost and Usage Report (CUR): category/Name columns
//     (lineItem/UsageStartDate ...), parts listed by a manifest
//     (assemblyId, reportKeys), gzip or zip;
//   - CUR 2.0 (Data Exports): snake_case columns (line_item_usage_start_date
//     ...) and JSON map columns (product, resource_tags ...), parts listed
//     by a manifest (executionId, dataFiles).
//
// Columns change from month to month and between accounts, so rows are
// read by header name only; the few columns the input interprets (usage
// start, account, record type, costs) are located in a Layout, and every
// column, known or not, is passed on (Encoder).
//
// # Reading
//
// NewReader finds the header (skipping the note line), Next streams rows as
// byte slices of one reused buffer (the CSV reader is hand-written: billing
// reports quote every cell, and it finds closing quotes with
// bytes.IndexByte instead of rune by rune), Encoder writes a row as JSON,
// Totals adds a report up, ParseTime reads every date format of the
// reports, ClassifyKey recognises report keys and ParseManifest reads both
// manifest forms.
//
// Values are kept as the report wrote them: 1.81E-8 stays 1.81E-8 in the
// events, and only Totals parses numbers.
package report
