package awsconf

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

// Account is one AWS account the inputs know about, from a [keys] line or an
// [account:<name>] stanza.
type Account struct {
	ID   string // 12-digit account number, leading zeros kept
	Name string // first field of the [keys] line, or <name> of [account:<name>]

	// KeyID and SecretKey are the account's own access key; both empty when
	// the [keys] line has '' placeholders or the account comes from an
	// [account:<name>] stanza.
	KeyID     string
	SecretKey secret.String

	MonthlyLimit float64 // spending limit per month; meaningful only if HasLimit
	HasLimit     bool

	RoleARN    string // role to assume ([account:<name>] only)
	ExternalID string // external ID for the role ([account:<name>] only)

	// Regions to poll: the stanza's own regions setting, otherwise the
	// [regions] stanza.
	Regions []string

	// Origin locates the definition for messages, e.g.
	// "local/aws.conf:12 [keys]" or "local/aws.conf:30 [account:prod]".
	Origin string
}

// HasKeys reports whether the account has an access key of its own.
func (a Account) HasKeys() bool { return a.KeyID != "" && !a.SecretKey.IsZero() }

// Corp is the [misc] corpkey: the credentials that read the billing bucket.
type Corp struct {
	Name      string
	KeyID     string // empty when corpkey has '' placeholders
	SecretKey secret.String
}

// HasKeys reports whether corpkey holds an access key.
func (c Corp) HasKeys() bool { return c.KeyID != "" && !c.SecretKey.IsZero() }

// Config is the content of aws.conf after layering.
type Config struct {
	// Accounts: [keys] lines in file order, then [account:<name>] stanzas
	// in file order (default/ before local/).
	Accounts []Account
	// Regions from [regions]: rgnN keys by N, then any other keys in file
	// order; duplicates removed.
	Regions       []string
	Corp          *Corp  // [misc] corpkey; nil when not set
	PayerAccount  string // [misc] acno
	BillingBucket string // [misc] s3bucket
	Files         []string
}

// Account returns the account with the 12-digit id.
func (c *Config) Account(id string) (Account, bool) {
	for _, a := range c.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// Parse reads one aws.conf. name is used in messages only.
//
// On problems Parse returns every one of them joined with errors.Join (each
// an *Error), together with a Config holding only the settings that were
// valid; callers that cannot run with a partial configuration just treat the
// error as fatal.
func Parse(name string, r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read: " + err.Error(), err: err}
	}
	l, problems := readLayer(name, data)
	return finish(merge(l), []string{name}, problems)
}

// Load reads aws.conf the way splunkd layers it: <appDir>/local/aws.conf over
// <appDir>/default/aws.conf, key by key within each stanza. Either file may be
// missing. When explicitFile is not empty, that one file is read instead and
// must exist; a relative explicitFile is taken relative to appDir.
//
// Errors are as for Parse, naming the file each problem is in.
func Load(appDir, explicitFile string) (*Config, error) {
	var paths []string
	required := explicitFile != ""
	if required {
		p := explicitFile
		if !filepath.IsAbs(p) && appDir != "" {
			p = filepath.Join(appDir, p)
		}
		paths = []string{p}
	} else {
		paths = []string{
			filepath.Join(appDir, "default", "aws.conf"),
			filepath.Join(appDir, "local", "aws.conf"),
		}
	}
	var (
		layers   []*layer
		files    []string
		problems []*Error
	)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && !required {
			continue
		}
		if err != nil {
			var pe *fs.PathError
			reason := err
			if errors.As(err, &pe) {
				reason = pe.Err // the path is already in the message
			}
			problems = append(problems, &Error{File: p, Msg: "cannot read: " + reason.Error(), err: err})
			continue
		}
		l, pr := readLayer(p, data)
		layers = append(layers, l)
		files = append(files, p)
		problems = append(problems, pr...)
	}
	return finish(merge(layers...), files, problems)
}

// finish interprets the merged settings and returns the config with every
// problem, secrets masked.
func finish(l *layer, files []string, problems []*Error) (*Config, error) {
	b := build(l)
	b.cfg.Files = files
	problems = append(problems, b.errs...)
	if len(problems) == 0 {
		return b.cfg, nil
	}
	redact(problems, b.secrets)
	sortErrors(problems, files)
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return b.cfg, errors.Join(errs...)
}

// String summarises the account without its secret, for logs and tests.
func (a Account) String() string {
	limit := "none"
	if a.HasLimit {
		limit = fmt.Sprintf("%g", a.MonthlyLimit)
	}
	sec := "none"
	if !a.SecretKey.IsZero() {
		sec = a.SecretKey.String()
	}
	return fmt.Sprintf("%s name=%q key_id=%q secret=%s limit=%s role_arn=%q external_id_set=%t regions=%v origin=%q",
		a.ID, a.Name, a.KeyID, sec, limit, a.RoleARN, a.ExternalID != "", a.Regions, a.Origin)
}
