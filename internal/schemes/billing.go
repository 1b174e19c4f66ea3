package schemes

import (
	"errors"

	"github.com/aws-ingest/aws-ingest/internal/params"
)

// Parameter names of aws_ingest_billing.
const (
	ReportType     = "report_type"
	S3Bucket       = "s3_bucket"
	PayerAccountID = "payer_account_id"
	ReportPrefix   = "report_prefix"
	ReportName     = "report_name"
	Months         = "months"
	S3BucketRegion = "s3_bucket_region"
)

// Billing is the aws_ingest_billing scheme.
var Billing = &params.Table{
	Name:  "aws_ingest_billing",
	Title: "AWS billing reports",
	Description: "Indexes the payer account's billing reports from S3 (monthly, cost allocation, detailed billing, " +
		"Cost and Usage Reports and CUR 2.0), with per-account spending limits from aws.conf.",
	Params: with([]params.Param{
		awsConfParam(),
		{Name: ReportType, Title: "Report type", Kind: params.Choice, Default: "auto",
			Choices:     []string{"auto", "monthly", "cost_allocation", "dbr", "cur", "cur2"},
			Description: "Which reports to read; auto detects them from the keys in the bucket."},
		{Name: S3Bucket, Title: "Billing bucket", Kind: params.Text, Check: bucketName, Aliases: []string{"bucket_name"},
			Description: "S3 bucket holding the billing reports. Default: s3bucket in aws.conf [misc]."},
		{Name: S3BucketRegion, Title: "Billing bucket region", Kind: params.Region, Aliases: []string{"bucket_region"},
			Description: "Region of s3_bucket. Default: found with HeadBucket, starting from AWS_REGION or us-east-1."},
		{Name: PayerAccountID, Title: "Payer account id", Kind: params.AccountID,
			Description: "The payer (management) account whose reports are read. Default: acno in aws.conf [misc]."},
		{Name: ReportPrefix, Title: "Report prefix", Kind: params.Text,
			Description: "Key prefix of the reports in the bucket: the S3 path prefix of a Cost and Usage Report or data export, or where the legacy reports are when not at the top of the bucket."},
		{Name: ReportName, Title: "Report name", Kind: params.Text,
			Description: "Name of the Cost and Usage Report or data export to read. Default: every report and export found under report_prefix."},
		{Name: Months, Title: "Months to keep in sync", Kind: params.Integer, Default: "2", Min: 1, Max: 36,
			Description: "How many months, the current one included, are re-read when AWS rewrites their reports."},
		lookupDirParam(),
		endpointParam(S3EndpointURL, "S3"),
	}, credentialParams()),
	Rules: []params.Rule{credentialRules},
	Settings: []params.Setting{
		startByShell,
		{Name: "interval", Value: "3600", Comment: "One collection pass per run."},
		{Name: "sourcetype", Value: "aws:billing"},
	},
}

func bucketName(s string) error {
	if len(s) < 3 || len(s) > 63 {
		return errBucket
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return errBucket
		}
	}
	return nil
}

var errBucket = errors.New("not an S3 bucket name (3 to 63 lower-case letters, digits, - and .)")
