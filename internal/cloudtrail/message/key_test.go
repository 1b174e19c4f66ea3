package message

import (
	"fmt"
	"strings"
	"testing"
)

func TestClassifyKey(t *testing.T) {
	cases := []struct {
		key  string
		want Key
	}{
		// The documentation's example log file.
		{"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
			Key{Kind: LogFile, AccountID: "111122223333", Region: "us-east-2", Year: 2015, Month: 8, Day: 1}},
		// The key as stored uncompressed (copy jobs).
		{"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json",
			Key{Kind: LogFile, AccountID: "111122223333", Region: "us-east-2", Year: 2015, Month: 8, Day: 1}},
		// Organization trail.
		{"AWSLogs/o-abc1234567/123456789012/CloudTrail/eu-west-1/2026/11/25/123456789012_CloudTrail_eu-west-1_20261125T1920Z_abcdefghijklmnop.json.gz",
			Key{Kind: LogFile, OrgID: "o-abc1234567", AccountID: "123456789012", Region: "eu-west-1", Year: 2026, Month: 11, Day: 25}},
		// Custom prefix with slashes (and one that is itself "AWSLogs").
		{"control-tower/logs/AWSLogs/o-aa11bb22cc33dd44/123456789012/CloudTrail/us-gov-west-1/2024/02/29/f.json.gz",
			Key{Kind: LogFile, Prefix: "control-tower/logs", OrgID: "o-aa11bb22cc33dd44", AccountID: "123456789012", Region: "us-gov-west-1", Year: 2024, Month: 2, Day: 29}},
		{"AWSLogs/AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/31/f.json.gz",
			Key{Kind: LogFile, Prefix: "AWSLogs", AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 1, Day: 31}},
		{"my prefix/ü/AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/31/f.json.gz",
			Key{Kind: LogFile, Prefix: "my prefix/ü", AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 1, Day: 31}},
		{"/AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/31/f.json.gz",
			Key{Kind: LogFile, AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 1, Day: 31}},
		// Digests, backfill digests, Insights.
		{"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/25/123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20261125T191503Z.json.gz",
			Key{Kind: Digest, AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 11, Day: 25}},
		{"p/AWSLogs/o-abc1234567/123456789012/CloudTrail-Digest/us-east-1/2026/11/25/123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20261125T191503Z_backfill.json.gz",
			Key{Kind: Digest, Prefix: "p", OrgID: "o-abc1234567", AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 11, Day: 25, Backfill: true}},
		{"AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2026/11/25/123456789012_CloudTrail-Insight_us-east-1_20261125T1915Z_abcdefghijklmnop.json.gz",
			Key{Kind: Insight, AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 11, Day: 25}},
		// "_backfill" means nothing outside digests.
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x_backfill.json.gz",
			Key{Kind: LogFile, AccountID: "123456789012", Region: "us-east-1", Year: 2026, Month: 11, Day: 25}},
		// Stratus Red Team's anonymised region names still have the shape.
		{"AWSLogs/143434273843/CloudTrail/apiso-centralnorth-2r/2024/07/31/f.json.gz",
			Key{Kind: LogFile, AccountID: "143434273843", Region: "apiso-centralnorth-2r", Year: 2024, Month: 7, Day: 31}},

		// Other.
		{"AWSLogs/", Key{}},
		{"AWSLogs/123456789012/", Key{}},
		{"AWSLogs/123456789012/CloudTrail/", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/.json.gz", Key{}},
		{"AWSLogs/123456789012/Config/us-east-1/2026/11/25/ConfigSnapshot/123456789012_Config_us-east-1_ConfigSnapshot_20261125T191503Z_x.json.gz", Key{}},
		{"AWSLogs/123456789012/Config/us-east-1/2026/11/25/ConfigHistory/x.json.gz", Key{}},
		{"AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/25/x.log.gz", Key{}},
		{"AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/x.log.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x.log.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz.tmp", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/sub/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/US-EAST-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/123456789012/cloudtrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail-Data/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/12345678901/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},   // 11 digits
		{"AWSLogs/1234567890123/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}}, // 13 digits
		{"AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/o-ABC1234567/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/o-abc1234567/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/123456789012/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"prefixAWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/13/25/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/02/29/x.json.gz", Key{}}, // not a leap year
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/04/31/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/00/10/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/00/x.json.gz", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/26/01/01/x.json.gz", Key{}},
		{"", Key{}},
		{"HappyFace.jpg", Key{}},
		{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/25/x.json.gz\n", Key{}},
	}
	for _, c := range cases {
		if got := ClassifyKey(c.key); got != c.want {
			t.Errorf("ClassifyKey(%q)\n = %+v\nwant %+v", c.key, got, c.want)
		}
	}
}

func TestKeyKindString(t *testing.T) {
	for k, want := range map[KeyKind]string{Other: "other", LogFile: "log", Digest: "digest", Insight: "insight", 9: "KeyKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("KeyKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

// TestClassifyKeySamples classifies every key Parse finds in the samples.
func TestClassifyKeySamples(t *testing.T) {
	want := map[string]KeyKind{
		docsKey1: LogFile, docsKey2: LogFile, docsKey3: LogFile, motoKey1: LogFile, motoKey2: LogFile,
		// The CloudTrail documentation's own example: region folder us-east-2,
		// file name us-west-2; the path decides.
		"AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/123456789012_CloudTrail_us-west-2_20131213T1920Z_LnPgDQnpkSKEsppV.json.gz": LogFile,
		// Redacted by the poster.
		"AWSLogs/123456789012/OurData/eu-west-1/2022/09/08/123456789012_OurData_eu-west-1_20220908T1030Z_3QtNPaSXCXLrHaxo.json.gz": Other,
	}
	for _, c := range sampleCases {
		for _, o := range c.want.Objects {
			k, ok := want[o.Key]
			if !ok {
				k = Other // S3 examples: HappyFace.jpg, my-key.log, example-key
			}
			if got := ClassifyKey(o.Key).Kind; got != k {
				t.Errorf("%s: ClassifyKey(%q).Kind = %v, want %v", c.file, o.Key, got, k)
			}
		}
	}
}

// keyString rebuilds the directory part of a classified key.
func keyString(k Key) string {
	var b strings.Builder
	if k.Prefix != "" {
		b.WriteString(k.Prefix + "/")
	}
	b.WriteString("AWSLogs/")
	if k.OrgID != "" {
		b.WriteString(k.OrgID + "/")
	}
	dir := map[KeyKind]string{LogFile: "CloudTrail", Digest: "CloudTrail-Digest", Insight: "CloudTrail-Insight"}[k.Kind]
	fmt.Fprintf(&b, "%s/%s/%s/%04d/%02d/%02d/", k.AccountID, dir, k.Region, k.Year, k.Month, k.Day)
	return b.String()
}
