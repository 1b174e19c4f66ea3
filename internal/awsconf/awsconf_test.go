package awsconf

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// secretLike finds every token of a test input that could be a secret key.
// All fake secrets in these tests start with wJalr (the AWS documentation's
// example secret), plus the short one of errors.conf.
var secretLike = regexp.MustCompile(`wJalr[A-Za-z0-9/+=]*|tooshort`)

// render prints a Config the way the golden files hold it.
func render(c *Config, err error) string {
	var b strings.Builder
	if c != nil {
		fmt.Fprintf(&b, "files: %s\n", strings.Join(c.Files, " "))
		fmt.Fprintf(&b, "regions: %s\n", strings.Join(c.Regions, " "))
		fmt.Fprintf(&b, "payer_account: %s\n", c.PayerAccount)
		fmt.Fprintf(&b, "billing_bucket: %s\n", c.BillingBucket)
		if c.Corp != nil {
			fmt.Fprintf(&b, "corp: name=%q key_id=%q has_keys=%t\n", c.Corp.Name, c.Corp.KeyID, c.Corp.HasKeys())
		}
		for _, a := range c.Accounts {
			fmt.Fprintf(&b, "account: %v has_keys=%t\n", a, a.HasKeys())
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "errors:\n%s\n", err)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func parseFile(t *testing.T, name string) (*Config, error, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, perr := Parse(name, strings.NewReader(string(data)))
	return c, perr, string(data)
}

// noSecrets fails if err mentions any secret-looking token of input.
func noSecrets(t *testing.T, input string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range secretLike.FindAllString(input, -1) {
		if strings.Contains(msg, s) {
			t.Errorf("error message reveals secret %q:\n%s", s, msg)
		}
	}
}

func TestParseGolden(t *testing.T) {
	for _, name := range []string{"legacy.conf", "modern.conf", "errors.conf"} {
		t.Run(name, func(t *testing.T) {
			c, err, input := parseFile(t, name)
			wantErr := name == "errors.conf"
			if (err != nil) != wantErr {
				t.Fatalf("err = %v, want error: %t", err, wantErr)
			}
			noSecrets(t, input, err)
			golden(t, strings.TrimSuffix(name, ".conf")+".golden", render(c, err))
		})
	}
}

func TestParseLegacy(t *testing.T) {
	c, err, _ := parseFile(t, "legacy.conf")
	if err != nil {
		t.Fatal(err)
	}
	wantRegions := []string{"eu-west-1", "sa-east-1", "us-east-1", "ap-northeast-1", "us-west-2", "us-west-1", "ap-southeast-1", "ap-southeast-2", "us-gov-west-1"}
	if !slices.Equal(c.Regions, wantRegions) {
		t.Errorf("Regions = %v, want %v", c.Regions, wantRegions)
	}
	var ids []string
	for _, a := range c.Accounts {
		ids = append(ids, a.ID)
	}
	wantIDs := []string{"012345678901", "123456789012", "210987654321", "345678901234", "456789012345", "567890123456", "678901234567"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("account ids = %v, want %v", ids, wantIDs)
	}
	payer, ok := c.Account("012345678901")
	if !ok || !payer.HasKeys() || payer.SecretKey.Reveal() != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPAYEREXAMP" ||
		payer.KeyID != "AKIAIOSFODNN7PAYER01" || payer.Name != "corp-payer" || !payer.HasLimit || payer.MonthlyLimit != 200000 {
		t.Errorf("payer = %v", payer)
	}
	analytics, _ := c.Account("210987654321")
	if analytics.HasKeys() || analytics.Name != "analytics" || analytics.MonthlyLimit != 100000 || !analytics.HasLimit {
		t.Errorf("'' placeholders: %v", analytics)
	}
	batch, _ := c.Account("345678901234")
	if batch.MonthlyLimit != 7500.50 || !batch.HasKeys() {
		t.Errorf("tabs and no spaces around =: %v", batch)
	}
	if a, _ := c.Account("567890123456"); a.Name != "archive" || a.HasKeys() || a.HasLimit {
		t.Errorf("name only: %v", a)
	}
	if a, _ := c.Account("678901234567"); !a.HasKeys() || a.HasLimit {
		t.Errorf("three fields: %v", a)
	}
	if _, ok := c.Account("999999999999"); ok {
		t.Error("Account found an unknown id")
	}
	if c.Corp == nil || c.Corp.Name != "corp-payer" || c.Corp.HasKeys() {
		t.Errorf("Corp = %+v", c.Corp)
	}
	if c.PayerAccount != "012345678901" || c.BillingBucket != "example-corp-billing" {
		t.Errorf("misc = %q %q", c.PayerAccount, c.BillingBucket)
	}
	if got := fmt.Sprintf("%v %+v %#v", c, c.Accounts, c.Accounts); strings.Contains(got, "wJalr") {
		t.Errorf("printing the config reveals a secret: %s", got)
	}
}

// TestParseSyntax pins how the .conf syntax is read: splunkd's rules through
// ini.v1's options.
func TestParseSyntax(t *testing.T) {
	const key = "AKIAIOSFODNN7EXAMPLE"
	const sec = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name  string
		input string
		check func(*Config) string // "" when fine
		errs  []string             // exact messages; nil means no error
	}{
		{
			name:  "hash and semicolon inside a value are kept",
			input: "[keys]\n123456789012 = team#1;eu\n",
			check: accountName("123456789012", "team#1;eu"),
		},
		{
			name:  "no inline comments",
			input: "[keys]\n123456789012 = prod # production\n",
			errs: []string{
				`aws.conf:2 [keys] 123456789012: the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)`,
				`aws.conf:2 [keys] 123456789012: the secret does not look like an AWS secret access key (want 16 to 128 characters from A-Z a-z 0-9 / + =)`,
			},
		},
		{
			name:  "comment lines with # and ;, blank lines, indentation",
			input: "# c\n\n  ; c\n\t[keys]\n  # c\n\t123456789012\t=\tprod\n",
			check: accountName("123456789012", "prod"),
		},
		{
			name:  "backslash continues the line, the break counts as a space",
			input: "[keys]\n123456789012 = prod\\\n  " + key + " \\\n\t" + sec + "\\\n100\n",
			check: func(c *Config) string {
				a, ok := c.Account("123456789012")
				if !ok || a.KeyID != key || a.SecretKey.Reveal() != sec || a.MonthlyLimit != 100 {
					return fmt.Sprintf("got %v", a)
				}
				return ""
			},
		},
		{
			name:  "line numbers after a continued line",
			input: "[keys]\n123456789012 = a \\\n '' '' 1\n223456789012 = x y\n",
			errs:  []string{`aws.conf:4 [keys] 223456789012: want "<name> <access-key> <secret> <monthly-limit>", got 2 fields`},
		},
		{
			name:  "keys are case-sensitive",
			input: "[misc]\nACNO = 012345678901\n",
			errs:  []string{`aws.conf:2 [misc] ACNO: unknown setting; want corpkey, acno or s3bucket (names are case-sensitive)`},
		},
		{
			name:  "stanza names are case-sensitive",
			input: "[Keys]\n123456789012 = prod\n",
			errs:  []string{`aws.conf:1 [Keys]: unknown stanza; want [keys], [regions], [misc] or [account:<name>] (stanza names are case-sensitive)`},
		},
		{
			name:  "colon is not a delimiter",
			input: "[misc]\nacno: 012345678901\n",
			errs:  []string{`aws.conf:2 [misc]: want "<key> = <value>", a comment starting with # or a [stanza] header`},
		},
		{
			name:  "colon inside a value is kept",
			input: "[account:a]\naccount_id = 123456789012\nrole_arn = arn:aws:iam::123456789012:role/r\n",
			check: func(c *Config) string {
				if a, _ := c.Account("123456789012"); a.RoleARN != "arn:aws:iam::123456789012:role/r" {
					return "role_arn = " + a.RoleARN
				}
				return ""
			},
		},
		{
			name:  "surrounding quotes are kept",
			input: "[keys]\n123456789012 = \"prod\"\n[misc]\nacno = \"012345678901\"\n",
			errs:  []string{`aws.conf:4 [misc] acno: want the 12-digit payer account number, got "\"012345678901\""`},
			check: accountName("123456789012", `"prod"`),
		},
		{
			name:  "no %(name)s interpolation",
			input: "[keys]\nname = x\n123456789012 = %(name)s\n",
			errs:  []string{`aws.conf:2 [keys] name: want a 12-digit account number as the key`},
			check: accountName("123456789012", "%(name)s"),
		},
		{
			name:  "the last of a repeated key wins, as in splunkd",
			input: "[keys]\n123456789012 = first\n[regions]\nrgn1 = us-east-1\n[keys]\n123456789012 = second\n",
			check: accountName("123456789012", "second"),
		},
		{
			name:  "CRLF line ends and a byte-order mark",
			input: "\uFEFF[keys]\r\n123456789012 = prod " + key + " " + sec + " 5\r\n[misc]\r\nacno = 012345678901\r\n",
			check: func(c *Config) string {
				if a, _ := c.Account("123456789012"); a.MonthlyLimit != 5 || a.SecretKey.Reveal() != sec || c.PayerAccount != "012345678901" {
					return fmt.Sprintf("got %v payer %q", a, c.PayerAccount)
				}
				return ""
			},
		},
		{
			name:  "spaces inside the stanza brackets",
			input: "[ keys ]\n123456789012 = prod\n",
			check: accountName("123456789012", "prod"),
		},
		{
			name:  "empty [default] stanza is fine",
			input: "[default]\n[keys]\n123456789012 = prod\n",
			check: accountName("123456789012", "prod"),
		},
		{
			name:  "settings before any stanza",
			input: "acno = 012345678901\n[keys]\n",
			errs:  []string{`aws.conf:1 [default] acno: settings outside a stanza or in [default] are not used; move it into [keys], [regions], [misc] or [account:<name>]`},
		},
		{
			name:  "settings in [default]",
			input: "[default]\nregions = us-east-1\n",
			errs:  []string{`aws.conf:2 [default] regions: settings outside a stanza or in [default] are not used; move it into [keys], [regions], [misc] or [account:<name>]`},
		},
		{
			name:  "unclosed stanza header; the rest is still checked",
			input: "[keys]\n123456789012 = prod\n[misc\nacno = 1\n",
			errs: []string{
				`aws.conf:3 [keys]: stanza header has no closing ]; want [<name>]`,
				`aws.conf:4 [keys] acno: want a 12-digit account number as the key`,
			},
			check: accountName("123456789012", "prod"),
		},
		{
			name:  "empty stanza name",
			input: "[]\n",
			errs:  []string{`aws.conf:1 [default]: stanza header has no name; want [<name>]`},
		},
		{
			name:  "setting without a name",
			input: "[keys]\n= prod\n",
			errs:  []string{`aws.conf:2 [keys]: setting has an empty name before =`},
		},
		{
			name:  "unterminated backtick value (an ini.v1 quoting rule)",
			input: "[keys]\n123456789012 = `prod " + key + " " + sec + "\n",
			errs:  []string{"aws.conf:2 [keys]: value starts with ` but the quote is never closed"},
		},
		{
			name:  "unclosed quoted key",
			input: "[keys]\n\"123456789012 = prod\n223456789012 = x\n",
			errs:  []string{`aws.conf:2 [keys]: key starts with " but the quote is never closed`},
			check: accountName("223456789012", "x"),
		},
		{
			name:  "empty input",
			input: "",
			check: func(c *Config) string {
				if len(c.Accounts) != 0 || c.Regions != nil || c.Corp != nil {
					return fmt.Sprintf("got %+v", c)
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("aws.conf", strings.NewReader(tt.input))
			checkErrs(t, err, tt.errs)
			noSecrets(t, tt.input, err)
			if err != nil && strings.Contains(err.Error(), sec) {
				t.Errorf("error reveals the secret: %v", err)
			}
			if tt.check != nil {
				if c == nil {
					t.Fatal("nil Config")
				}
				if msg := tt.check(c); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

func accountName(id, name string) func(*Config) string {
	return func(c *Config) string {
		a, ok := c.Account(id)
		if !ok {
			return fmt.Sprintf("no account %s in %+v", id, c.Accounts)
		}
		if a.Name != name {
			return fmt.Sprintf("account %s name = %q, want %q", id, a.Name, name)
		}
		return ""
	}
}

// checkErrs compares the joined error with the exact messages wanted.
func checkErrs(t *testing.T, err error, want []string) {
	t.Helper()
	var got []string
	if err != nil {
		got = strings.Split(err.Error(), "\n")
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got: %q\nwant: %q", got, want)
	}
}

const (
	tKey  = "AKIAIOSFODNN7EXAMPLE"
	tSec  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tKey2 = "ASIAIOSFODNN7EXAMPLE"
	tSec2 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE+2="
)

// TestParseKeys covers the [keys] value forms one by one.
func TestParseKeys(t *testing.T) {
	const form = `want "<name> <access-key> <secret> <monthly-limit>"`
	tests := []struct {
		name  string
		value string
		want  *Account // nil when the line is rejected
		errs  []string
	}{
		{"four fields", "prod " + tKey + " " + tSec + " 100000",
			&Account{Name: "prod", KeyID: tKey, SecretKey: sec(tSec), MonthlyLimit: 100000, HasLimit: true}, nil},
		{"temporary key id", "prod " + tKey2 + " " + tSec2 + " 1",
			&Account{Name: "prod", KeyID: tKey2, SecretKey: sec(tSec2), MonthlyLimit: 1, HasLimit: true}, nil},
		{"three fields: no limit", "prod " + tKey + " " + tSec,
			&Account{Name: "prod", KeyID: tKey, SecretKey: sec(tSec)}, nil},
		{"name only", "prod", &Account{Name: "prod"}, nil},
		{"'' placeholders", "prod '' '' 100000", &Account{Name: "prod", MonthlyLimit: 100000, HasLimit: true}, nil},
		{`"" placeholders`, `prod "" "" 100000`, &Account{Name: "prod", MonthlyLimit: 100000, HasLimit: true}, nil},
		{"placeholders, no limit", "prod '' ''", &Account{Name: "prod"}, nil},
		{"'' limit", "prod '' '' ''", &Account{Name: "prod"}, nil},
		{"zero limit", "prod '' '' 0", &Account{Name: "prod", HasLimit: true}, nil},
		{"fractional limit", "prod '' '' 2500.50", &Account{Name: "prod", MonthlyLimit: 2500.5, HasLimit: true}, nil},
		{"tabs and runs of spaces", "\tprod \t '' \t\t''   7  ", &Account{Name: "prod", MonthlyLimit: 7, HasLimit: true}, nil},
		{"trailing comment-like text is not a comment", "prod '' '' 100 # prod", nil,
			[]string{form + ", got 6 fields"}},
		{"two fields", "prod " + tKey, nil, []string{form + ", got 2 fields"}},
		{"two fields with placeholder", "prod ''", nil, []string{form + ", got 2 fields"}},
		{"name with a space", "my prod " + tKey + " " + tSec + " 100", nil, []string{form + ", got 5 fields"}},
		{"empty name", "'' " + tKey + " " + tSec, nil, []string{"the account name (first field) is empty"}},
		{"key without secret", "prod " + tKey + " '' 100", nil,
			[]string{"the secret is '' but the access key is set; give both or neither"}},
		{"secret without key", "prod '' " + tSec + " 100", nil,
			[]string{"the access key is '' but the secret is set; give both or neither"}},
		{"lower-case key id", "prod akiaiosfodnn7example " + tSec, nil,
			[]string{"the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)"}},
		{"quoted key id", "prod '" + tKey + "' " + tSec, nil,
			[]string{"the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)"}},
		{"key and secret swapped", "prod " + tSec + " " + tKey + " 100", nil,
			[]string{"the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)"}},
		{"short secret", "prod " + tKey + " short", nil,
			[]string{"the secret does not look like an AWS secret access key (want 16 to 128 characters from A-Z a-z 0-9 / + =)"}},
		{"non-numeric limit", "prod '' '' lots", nil,
			[]string{`the monthly limit "lots" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`}},
		{"negative limit", "prod '' '' -5", nil,
			[]string{`the monthly limit "-5" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`}},
		{"thousands separator", "prod '' '' 100,000", nil,
			[]string{`the monthly limit "100,000" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`}},
		{"exponent", "prod '' '' 1e5", nil,
			[]string{`the monthly limit "1e5" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`}},
		{"huge limit", "prod '' '' 1" + strings.Repeat("0", 400), nil,
			[]string{`the monthly limit a value of 401 characters is out of range`}},
		{"secret in the limit position is not shown", "prod x " + tKey + " " + tSec, nil,
			[]string{
				"the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)",
				"the monthly limit a value of 40 characters is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none",
			}},
		{"several problems on one line", "'' " + tKey + " '' x", nil,
			[]string{
				"the account name (first field) is empty",
				"the secret is '' but the access key is set; give both or neither",
				`the monthly limit "x" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := "[keys]\n123456789012 = " + tt.value + "\n"
			c, err := Parse("aws.conf", strings.NewReader(input))
			var want []string
			for _, e := range tt.errs {
				want = append(want, "aws.conf:2 [keys] 123456789012: "+e)
			}
			checkErrs(t, err, want)
			noSecrets(t, input, err)
			a, ok := c.Account("123456789012")
			if tt.want == nil {
				if ok {
					t.Errorf("rejected line gave account %v", a)
				}
				return
			}
			w := *tt.want
			w.ID, w.Origin = "123456789012", "aws.conf:2 [keys]"
			if !ok || a.String() != w.String() || a.SecretKey.Reveal() != w.SecretKey.Reveal() {
				t.Errorf("account:\n got %v\nwant %v", a, w)
			}
		})
	}
}

func sec(s string) secret.String { return secret.String(s) }

// TestParseErrors lists every other problem with its exact message.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, input string
		errs        []string
	}{
		{"account number too short", "[keys]\n12345678901 = prod",
			[]string{"aws.conf:2 [keys] 12345678901: want a 12-digit account number as the key"}},
		{"account number with letters and bad fields", "[keys]\nprod = 123456789012 x",
			[]string{
				"aws.conf:2 [keys] prod: want a 12-digit account number as the key",
				`aws.conf:2 [keys] prod: want "<name> <access-key> <secret> <monthly-limit>", got 2 fields`,
			}},
		{"long key names are not shown", "[keys]\n" + tSec + " = prod",
			[]string{"aws.conf:2 [keys] (a name of 40 characters): want a 12-digit account number as the key"}},
		{"bad region", "[regions]\nrgn1 = us-east\nrgn2 = US-WEST-2\nrgn3 = us-east-1a",
			[]string{
				`aws.conf:2 [regions] rgn1: "us-east" is not an AWS region name; want one region like us-east-1`,
				`aws.conf:3 [regions] rgn2: "US-WEST-2" is not an AWS region name; want one region like us-east-1`,
				`aws.conf:4 [regions] rgn3: "us-east-1a" is not an AWS region name; want one region like us-east-1`,
			}},
		{"two regions in one key", "[regions]\nrgn1 = us-east-1 us-west-2",
			[]string{`aws.conf:2 [regions] rgn1: "us-east-1 us-west-2" is not an AWS region name; want one region like us-east-1`}},
		{"corpkey field count", "[misc]\ncorpkey = corp " + tKey,
			[]string{`aws.conf:2 [misc] corpkey: want "<name> <access-key> <secret>", got 2 fields`}},
		{"corpkey with a limit", "[misc]\ncorpkey = corp " + tKey + " " + tSec + " 100",
			[]string{`aws.conf:2 [misc] corpkey: want "<name> <access-key> <secret>", got 4 fields`}},
		{"corpkey half keys", "[misc]\ncorpkey = corp '' " + tSec,
			[]string{"aws.conf:2 [misc] corpkey: the access key is '' but the secret is set; give both or neither"}},
		{"corpkey bad key id", "[misc]\ncorpkey = corp " + tSec + " " + tSec,
			[]string{"aws.conf:2 [misc] corpkey: the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)"}},
		{"acno 11 digits (as in the legacy README)", "[misc]\nacno = 01234567891",
			[]string{`aws.conf:2 [misc] acno: want the 12-digit payer account number, got "01234567891"`}},
		{"bucket", "[misc]\ns3bucket = s3://billing",
			[]string{`aws.conf:2 [misc] s3bucket: want the name of the S3 bucket holding the billing reports (3 to 255 letters, digits, '.', '-' or '_'), got "s3://billing"`}},
		{"unknown misc key", "[misc]\nproxy = x",
			[]string{"aws.conf:2 [misc] proxy: unknown setting; want corpkey, acno or s3bucket (names are case-sensitive)"}},
		{"unknown stanza", "[key]\n123456789012 = prod",
			[]string{"aws.conf:1 [key]: unknown stanza; want [keys], [regions], [misc] or [account:<name>] (stanza names are case-sensitive)"}},
		{"account stanza without a name", "[account:]\naccount_id = 123456789012",
			[]string{"aws.conf:1 [account:]: want [account:<name>] with a name"}},
		{"account_id missing", "[account:prod]\nrole_arn = arn:aws:iam::123456789012:role/r",
			[]string{"aws.conf:1 [account:prod]: account_id is missing; want account_id = <12-digit account number>"}},
		{"account_id empty", "[account:prod]\naccount_id =",
			[]string{"aws.conf:1 [account:prod]: account_id is missing; want account_id = <12-digit account number>"}},
		{"account stanza checks", strings.Join([]string{
			"[account:prod]",
			"account_id = 12345",
			"role_arn = arn:aws:iam::123:role/x",
			"external_id = a",
			"monthly_limit = -5",
			"regions = us-east-1, mars-1",
			"colour = blue",
		}, "\n"),
			[]string{
				`aws.conf:2 [account:prod] account_id: want a 12-digit account number, got "12345"`,
				"aws.conf:3 [account:prod] role_arn: want a role ARN like arn:aws:iam::123456789012:role/<name>",
				"aws.conf:4 [account:prod] external_id: want 2 to 1224 characters from letters, digits and +=,.@:/-_",
				`aws.conf:5 [account:prod] monthly_limit: the monthly limit "-5" is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none`,
				`aws.conf:6 [account:prod] regions: "mars-1" is not an AWS region name; want a comma-separated list like us-east-1,eu-west-1`,
				"aws.conf:7 [account:prod] colour: unknown setting; want account_id, role_arn, external_id, monthly_limit or regions (names are case-sensitive)",
			}},
		{"user ARN instead of a role", "[account:prod]\naccount_id = 123456789012\nrole_arn = arn:aws:iam::123456789012:user/splunk",
			[]string{"aws.conf:3 [account:prod] role_arn: want a role ARN like arn:aws:iam::123456789012:role/<name>"}},
		{"external_id without role_arn", "[account:prod]\naccount_id = 123456789012\nexternal_id = splunk",
			[]string{"aws.conf:3 [account:prod] external_id: external_id needs role_arn"}},
		{"duplicate: [keys] then [account:*]", "[account:b]\naccount_id = 123456789012\n[keys]\n123456789012 = a",
			[]string{"aws.conf:2 [account:b] account_id: account 123456789012 is already defined at aws.conf:4 [keys]; define each account once, either in [keys] or in one [account:<name>] stanza"}},
		{"duplicate: two account stanzas", "[account:a]\naccount_id = 123456789012\n[account:b]\naccount_id = 123456789012",
			[]string{"aws.conf:4 [account:b] account_id: account 123456789012 is already defined at aws.conf:2 [account:a]; define each account once, either in [keys] or in one [account:<name>] stanza"}},
		{"errors are sorted by line", "[misc]\nacno = 1\n[regions]\nrgn1 = x\n[keys]\n1 = a",
			[]string{
				`aws.conf:2 [misc] acno: want the 12-digit payer account number, got "1"`,
				`aws.conf:4 [regions] rgn1: "x" is not an AWS region name; want one region like us-east-1`,
				"aws.conf:6 [keys] 1: want a 12-digit account number as the key",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("aws.conf", strings.NewReader(tt.input))
			checkErrs(t, err, tt.errs)
			noSecrets(t, tt.input, err)
		})
	}
}

func TestParseDuplicateKeepsFirst(t *testing.T) {
	c, err := Parse("aws.conf", strings.NewReader("[keys]\n123456789012 = legacy\n[account:modern]\naccount_id = 123456789012\n"))
	if err == nil {
		t.Fatal("no error for a duplicate account")
	}
	if len(c.Accounts) != 1 || c.Accounts[0].Name != "legacy" {
		t.Errorf("Accounts = %v, want the [keys] one only", c.Accounts)
	}
}

func TestParseRegionOrder(t *testing.T) {
	input := "[regions]\nrgn10 = eu-west-1\nrgn2 = us-west-2\nextra = ap-south-1\nrgn1 = us-east-1\nrgn3 = us-west-2\nrgn4 =\nrgn02 = us-gov-east-1\nrgn5 = cn-north-1\nrgn6 = us-isob-east-1\n"
	c, err := Parse("aws.conf", strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"us-east-1", "us-west-2", "us-gov-east-1", "cn-north-1", "us-isob-east-1", "eu-west-1", "ap-south-1"}
	if !slices.Equal(c.Regions, want) {
		t.Errorf("Regions = %v, want %v", c.Regions, want)
	}
}

func TestParseModern(t *testing.T) {
	c, err, _ := parseFile(t, "modern.conf")
	if err != nil {
		t.Fatal(err)
	}
	prod, ok := c.Account("345678901234")
	if !ok || prod.Name != "prod" || prod.RoleARN != "arn:aws:iam::345678901234:role/SplunkReadOnly" ||
		prod.ExternalID != "splunk-prod" || prod.MonthlyLimit != 50000 || !prod.HasLimit || prod.HasKeys() ||
		!slices.Equal(prod.Regions, []string{"us-west-2", "eu-central-1"}) || prod.Origin != "modern.conf:7 [account:prod]" {
		t.Errorf("prod = %v", prod)
	}
	gov, _ := c.Account("000123456789")
	if !slices.Equal(gov.Regions, []string{"us-east-1", "eu-west-1"}) || gov.HasLimit {
		t.Errorf("gov takes [regions]: %v", gov)
	}
	if b, _ := c.Account("012345678901"); b.HasLimit || len(b.Regions) != 2 || b.RoleARN != "" {
		t.Errorf("empty values mean unset: %v", b)
	}
}

func TestLoadLayering(t *testing.T) {
	app := filepath.Join("testdata", "app")
	c, err := Load(app, "")
	if err != nil {
		t.Fatal(err)
	}
	def, loc := filepath.Join(app, "default", "aws.conf"), filepath.Join(app, "local", "aws.conf")
	if !slices.Equal(c.Files, []string{def, loc}) {
		t.Errorf("Files = %v", c.Files)
	}
	// local/ overrides rgn2 and unsets rgn3.
	if !slices.Equal(c.Regions, []string{"us-east-1", "ap-southeast-2"}) {
		t.Errorf("Regions = %v", c.Regions)
	}
	// local/ overrides s3bucket; corpkey comes from default/.
	if c.BillingBucket != "site-billing-bucket" || c.Corp == nil || !c.Corp.HasKeys() || c.Corp.KeyID != "AKIAIOSFODNN7CORP0001" {
		t.Errorf("misc: bucket %q corp %+v", c.BillingBucket, c.Corp)
	}
	// local/ overrides one account's limit and adds one.
	web, _ := c.Account("123456789012")
	if web.MonthlyLimit != 2500 || web.Origin != loc+":10 [keys]" {
		t.Errorf("webapp = %v", web)
	}
	if a, ok := c.Account("210987654321"); !ok || !a.HasKeys() {
		t.Errorf("analytics = %v", a)
	}
	// [account:prod] is only in local/.
	if a, ok := c.Account("345678901234"); !ok || a.Name != "prod" || !slices.Equal(a.Regions, c.Regions) {
		t.Errorf("prod = %v", a)
	}
	if len(c.Accounts) != 3 {
		t.Errorf("Accounts = %v", c.Accounts)
	}
}

func TestLoadErrorsNameTheirFile(t *testing.T) {
	app := t.TempDir()
	write(t, filepath.Join(app, "default", "aws.conf"), "[regions]\nrgn1 = nowhere\n")
	write(t, filepath.Join(app, "local", "aws.conf"), "[keys]\n123456789012 = prod "+tKey+"\n[regions]\nrgn2 = us-east\n")
	_, err := Load(app, "")
	checkErrs(t, err, []string{
		filepath.Join(app, "default", "aws.conf") + `:2 [regions] rgn1: "nowhere" is not an AWS region name; want one region like us-east-1`,
		filepath.Join(app, "local", "aws.conf") + `:2 [keys] 123456789012: want "<name> <access-key> <secret> <monthly-limit>", got 2 fields`,
		filepath.Join(app, "local", "aws.conf") + `:4 [regions] rgn2: "us-east" is not an AWS region name; want one region like us-east-1`,
	})
	// A bad value in default/ that local/ overrides is not reported.
	write(t, filepath.Join(app, "local", "aws.conf"), "[regions]\nrgn1 = us-east-1\n")
	if c, err := Load(app, ""); err != nil || !slices.Equal(c.Regions, []string{"us-east-1"}) {
		t.Errorf("override of a bad default: %v, %v", c, err)
	}
}

func TestLoadMissingFiles(t *testing.T) {
	app := t.TempDir()
	c, err := Load(app, "")
	if err != nil || len(c.Files) != 0 || len(c.Accounts) != 0 {
		t.Errorf("no files: %+v, %v", c, err)
	}
	write(t, filepath.Join(app, "local", "aws.conf"), "[keys]\n123456789012 = prod\n")
	c, err = Load(app, "")
	if err != nil || !slices.Equal(c.Files, []string{filepath.Join(app, "local", "aws.conf")}) || len(c.Accounts) != 1 {
		t.Errorf("local only: %+v, %v", c, err)
	}
}

func TestLoadExplicit(t *testing.T) {
	app := filepath.Join("testdata", "app")
	abs, err := filepath.Abs(filepath.Join("testdata", "legacy.conf"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(app, abs)
	if err != nil {
		t.Fatal(err)
	}
	// Only the explicit file: no default/ or local/ settings.
	if !slices.Equal(c.Files, []string{abs}) || c.BillingBucket != "example-corp-billing" || len(c.Accounts) != 7 {
		t.Errorf("explicit: files %v bucket %q accounts %d", c.Files, c.BillingBucket, len(c.Accounts))
	}
	// Relative to the app directory.
	c, err = Load(app, filepath.Join("local", "aws.conf"))
	if err != nil || !slices.Equal(c.Files, []string{filepath.Join(app, "local", "aws.conf")}) || c.Corp != nil {
		t.Errorf("relative explicit: %+v, %v", c, err)
	}
	// A missing explicit file is an error naming it.
	missing := filepath.Join(app, "nope.conf")
	_, err = Load(app, "nope.conf")
	checkErrs(t, err, []string{missing + ": cannot read: no such file or directory"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
}

func TestErrorValues(t *testing.T) {
	_, err := Parse("aws.conf", strings.NewReader("[misc]\nacno = 1\n"))
	e, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("no *Error in %v", err)
	}
	want := Error{File: "aws.conf", Line: 2, Stanza: "misc", Key: "acno", Msg: `want the 12-digit payer account number, got "1"`}
	if *e != want {
		t.Errorf("got %+v, want %+v", *e, want)
	}
	if got := (&Error{File: "f", Msg: "m"}).Error(); got != "f: m" {
		t.Errorf("file-only error = %q", got)
	}
}

// TestSecretsAreMasked puts an accepted secret where messages quote values.
func TestSecretsAreMasked(t *testing.T) {
	const s = "SECRETSECRETSECRET00"
	input := "[keys]\n123456789012 = prod " + tKey + " " + s + "\n" +
		s + " = x\n" + // as a key name (short enough to be shown)
		"[regions]\nrgn1 = " + s + "\n" +
		"[misc]\nacno = " + s + "\n"
	c, err := Parse("aws.conf", strings.NewReader(input))
	if a, ok := c.Account("123456789012"); !ok || a.SecretKey.Reveal() != s {
		t.Fatalf("account not accepted: %v", a)
	}
	checkErrs(t, err, []string{
		"aws.conf:3 [keys] ***: want a 12-digit account number as the key",
		`aws.conf:5 [regions] rgn1: "***" is not an AWS region name; want one region like us-east-1`,
		`aws.conf:7 [misc] acno: want the 12-digit payer account number, got "***"`,
	})
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
