package awsconf

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/secret"
)

var (
	reSecretKey  = regexp.MustCompile(`^[A-Za-z0-9/+=]{16,128}$`)
	reExternalID = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // and 2 to 1224 long
	reBucket     = regexp.MustCompile(`^[A-Za-z0-9._-]{3,255}$`)
	reLimit      = regexp.MustCompile(`^\d+(\.\d+)?$`)
	reRgnKey     = regexp.MustCompile(`^rgn(\d+)$`)
)

const (
	keysForm     = `"<name> <access-key> <secret> <monthly-limit>"`
	corpkeyForm  = `"<name> <access-key> <secret>"`
	accountKeys  = "account_id, role_arn, external_id, monthly_limit or regions"
	miscKeys     = "corpkey, acno or s3bucket"
	stanzaPrefix = "account:"
)

type builder struct {
	cfg     *Config
	errs    []*Error
	secrets []string          // every token in a secret position, for redact
	ids     map[string]string // account id → origin of its definition
}

func (b *builder) bad(file string, line int, stanza, key, format string, args ...any) {
	b.errs = append(b.errs, &Error{File: file, Line: line, Stanza: stanza, Key: showName(key), Msg: fmt.Sprintf(format, args...)})
}

// badValue reports a problem with the setting key of stanza s.
func (b *builder) badValue(s *stanza, key, format string, args ...any) {
	v := s.vals[key]
	b.bad(v.file, v.line, s.name, key, format, args...)
}

// build interprets the merged stanzas. [regions] goes first because
// accounts without regions of their own take the [regions] list.
func build(l *layer) *builder {
	b := &builder{cfg: &Config{}, ids: map[string]string{}}
	kind := func(s *stanza) string {
		switch {
		case s.name == "keys", s.name == "regions", s.name == "misc", s.name == "default":
			return s.name
		case strings.HasPrefix(s.name, stanzaPrefix):
			return "account"
		}
		return ""
	}
	for _, s := range l.stanzas {
		if kind(s) == "" {
			b.bad(s.file, s.line, s.name, "", "unknown stanza; want [keys], [regions], [misc] or [account:<name>] (stanza names are case-sensitive)")
		}
	}
	for _, want := range []string{"regions", "default", "misc", "keys", "account"} {
		for _, s := range l.stanzas {
			if kind(s) != want {
				continue
			}
			switch want {
			case "regions":
				b.regions(s)
			case "default":
				for _, k := range s.keys {
					b.badValue(s, k, "settings outside a stanza or in [default] are not used; move it into [keys], [regions], [misc] or [account:<name>]")
				}
			case "misc":
				b.misc(s)
			case "keys":
				b.keys(s)
			case "account":
				b.account(s)
			}
		}
	}
	return b
}

// asciiSpace is what Python 2's str.split() splits on: the legacy scripts
// read every [keys] and corpkey value with value.rstrip().split().
func asciiSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// fields splits a legacy value like Python's str.split(). A field made of
// two quote characters (two apostrophes, as in the legacy README, or two
// double quotes) is the placeholder for "no key" and becomes empty.
func fields(v string) []string {
	f := strings.FieldsFunc(v, asciiSpace)
	for i, s := range f {
		if s == "''" || s == `""` {
			f[i] = ""
		}
	}
	return f
}

// credentials checks an access key and secret given together. It returns
// problem messages; the values are never quoted.
func credentials(keyID, sec string) []string {
	switch {
	case keyID == "" && sec == "":
		return nil
	case keyID == "":
		return []string{"the access key is '' but the secret is set; give both or neither"}
	case sec == "":
		return []string{"the secret is '' but the access key is set; give both or neither"}
	}
	var out []string
	if !awsname.AccessKeyID(keyID) {
		out = append(out, "the access key does not look like an AWS access key ID (want AKIA or ASIA and at least 12 more capital letters or digits)")
	}
	if !reSecretKey.MatchString(sec) {
		out = append(out, "the secret does not look like an AWS secret access key (want 16 to 128 characters from A-Z a-z 0-9 / + =)")
	}
	return out
}

// limit parses a monthly spending limit: a plain non-negative number, with
// an optional fraction (the legacy script did int(), so integers were the
// only documented form).
func limit(v string) (float64, string) {
	if !reLimit.MatchString(v) {
		return 0, fmt.Sprintf("the monthly limit %s is not a number; want a non-negative amount like 100000 or 2500.50, or '' for none", show(v))
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Sprintf("the monthly limit %s is out of range", show(v))
	}
	return f, ""
}

// keys reads the legacy [keys] stanza:
//
//	<accountno> = <name> <access-key> <secret> <monthly-limit>
func (b *builder) keys(s *stanza) {
	for _, id := range s.keys {
		v := s.vals[id]
		f := fields(v.text)
		if len(f) >= 3 {
			b.secrets = append(b.secrets, f[2])
		}
		if len(f) == 0 {
			continue // an empty value unsets the account (e.g. local/ over default/)
		}
		var problems []string
		if !awsname.AccountID(id) {
			problems = append(problems, "want a 12-digit account number as the key")
		}
		switch len(f) {
		case 1, 3, 4:
		default:
			// 2: a key without secret or a limit without keys; 5 or more: a
			// name with spaces, or a trailing comment (.conf files have
			// none). The fields are not quoted: one may be the secret.
			problems = append(problems, fmt.Sprintf("want %s, got %d fields", keysForm, len(f)))
			for _, p := range problems {
				b.badValue(s, id, "%s", p)
			}
			continue
		}
		a := Account{ID: id, Name: f[0], Origin: v.origin() + " [keys]"}
		if a.Name == "" {
			problems = append(problems, "the account name (first field) is empty")
		}
		if len(f) >= 3 {
			problems = append(problems, credentials(f[1], f[2])...)
			a.KeyID, a.SecretKey = f[1], secret.String(f[2])
		}
		if len(f) == 4 && f[3] != "" {
			n, msg := limit(f[3])
			if msg != "" {
				problems = append(problems, msg)
			}
			a.MonthlyLimit, a.HasLimit = n, true
		}
		for _, p := range problems {
			b.badValue(s, id, "%s", p)
		}
		if len(problems) > 0 {
			continue
		}
		a.Regions = slices.Clone(b.cfg.Regions)
		b.add(a, s, id)
	}
}

// add records an account unless its id is already taken.
func (b *builder) add(a Account, s *stanza, key string) {
	if first, dup := b.ids[a.ID]; dup {
		b.badValue(s, key, "account %s is already defined at %s; define each account once, either in [keys] or in one [account:<name>] stanza", a.ID, first)
		return
	}
	b.ids[a.ID] = a.Origin
	b.cfg.Accounts = append(b.cfg.Accounts, a)
}

// regions reads [regions]: rgn1 = us-east-1, ... The legacy scripts used
// every value of the stanza whatever its key, so other keys are accepted too.
func (b *builder) regions(s *stanza) {
	type entry struct {
		n      int // N of rgnN; math.MaxInt for other keys
		region string
	}
	var list []entry
	for _, k := range s.keys {
		r := strings.TrimSpace(s.vals[k].text)
		if r == "" {
			continue // unset, e.g. local/ removing a default/ region
		}
		if !awsname.Region(r) {
			b.badValue(s, k, "%s is not an AWS region name; want one region like us-east-1", show(r))
			continue
		}
		n := math.MaxInt
		if m := reRgnKey.FindStringSubmatch(k); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil {
				n = i
			}
		}
		list = append(list, entry{n, r})
	}
	slices.SortStableFunc(list, func(x, y entry) int { return cmp.Compare(x.n, y.n) })
	seen := map[string]bool{}
	for _, e := range list {
		if !seen[e.region] {
			seen[e.region] = true
			b.cfg.Regions = append(b.cfg.Regions, e.region)
		}
	}
}

// misc reads [misc]: corpkey, acno and s3bucket.
func (b *builder) misc(s *stanza) {
	for _, k := range s.keys {
		v := strings.TrimSpace(s.vals[k].text)
		switch k {
		case "corpkey":
			f := fields(v)
			if len(f) >= 3 {
				b.secrets = append(b.secrets, f[2])
			}
			if len(f) == 0 {
				continue
			}
			if len(f) != 3 {
				b.badValue(s, k, "want %s, got %d fields", corpkeyForm, len(f))
				continue
			}
			problems := credentials(f[1], f[2])
			for _, p := range problems {
				b.badValue(s, k, "%s", p)
			}
			if len(problems) == 0 {
				b.cfg.Corp = &Corp{Name: f[0], KeyID: f[1], SecretKey: secret.String(f[2])}
			}
		case "acno":
			if v == "" {
				continue
			}
			if !awsname.AccountID(v) {
				b.badValue(s, k, "want the 12-digit payer account number, got %s", show(v))
				continue
			}
			b.cfg.PayerAccount = v
		case "s3bucket":
			if v == "" {
				continue
			}
			if !reBucket.MatchString(v) {
				b.badValue(s, k, "want the name of the S3 bucket holding the billing reports (3 to 255 letters, digits, '.', '-' or '_'), got %s", show(v))
				continue
			}
			b.cfg.BillingBucket = v
		default:
			b.badValue(s, k, "unknown setting; want %s (names are case-sensitive)", miscKeys)
		}
	}
}

// account reads an [account:<name>] stanza.
func (b *builder) account(s *stanza) {
	name := strings.TrimSpace(strings.TrimPrefix(s.name, stanzaPrefix))
	ok := true
	if name == "" {
		b.bad(s.file, s.line, s.name, "", "want [account:<name>] with a name")
		ok = false
	}
	a := Account{Name: name}
	get := func(k string) string { return strings.TrimSpace(s.vals[k].text) }
	fail := func(k, format string, args ...any) {
		b.badValue(s, k, format, args...)
		ok = false
	}
	for _, k := range s.keys {
		v := get(k)
		switch k {
		case "account_id":
			if v != "" && !awsname.AccountID(v) {
				fail(k, "want a 12-digit account number, got %s", show(v))
			}
			a.ID = v
		case "role_arn":
			if v != "" && !awsname.RoleARN(v) {
				fail(k, "want a role ARN like arn:aws:iam::123456789012:role/<name>")
			}
			a.RoleARN = v
		case "external_id":
			if v != "" && (!reExternalID.MatchString(v) || len(v) < 2 || len(v) > 1224) {
				fail(k, "want 2 to 1224 characters from letters, digits and +=,.@:/-_")
			}
			a.ExternalID = v
		case "monthly_limit":
			if v == "" {
				continue
			}
			n, msg := limit(v)
			if msg != "" {
				fail(k, "%s", msg)
			}
			a.MonthlyLimit, a.HasLimit = n, true
		case "regions":
			for r := range strings.SplitSeq(v, ",") {
				r = strings.TrimSpace(r)
				switch {
				case r == "":
				case !awsname.Region(r):
					fail(k, "%s is not an AWS region name; want a comma-separated list like us-east-1,eu-west-1", show(r))
				case !slices.Contains(a.Regions, r):
					a.Regions = append(a.Regions, r)
				}
			}
		default:
			fail(k, "unknown setting; want %s (names are case-sensitive)", accountKeys)
		}
	}
	if a.ID == "" {
		b.bad(s.file, s.line, s.name, "", "account_id is missing; want account_id = <12-digit account number>")
		ok = false
	}
	if a.ExternalID != "" && a.RoleARN == "" {
		fail("external_id", "external_id needs role_arn")
	}
	if !ok {
		return
	}
	if a.Regions == nil {
		a.Regions = slices.Clone(b.cfg.Regions)
	}
	a.Origin = s.vals["account_id"].origin() + " [" + s.name + "]"
	b.add(a, s, "account_id")
}
