package awsconf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// and that no error message contains the secret of an accepted line. It also
// checks that the line scanner agrees with ini.v1: every setting ini.v1 finds
// has a line number, and ini.v1 never fails on a file the scanner passed.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.conf"))
	more, _ := filepath.Glob(filepath.Join("testdata", "app", "*", "aws.conf"))
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"[keys]\n123456789012 = prod " + tKey + " " + tSec + " 100\n123 = x " + tSec + "\n",
		"[keys]\n123456789012 = a \\\n '' '' 1\n\\\n",
		"\uFEFF[misc]\r\ncorpkey = c " + tKey + " " + tSec + "\r\nacno=1\r\n",
		"[keys]\n\"\"\"k\"\"\" = `v\n`\n`x`=\"\"\"y\n\"\"\"\n- = z\n",
		"[keys]\n123456789012 = `a\\\n",
		"[account:x]\naccount_id = 123456789012\nregions = us-east-1,,eu-west-1\n[]\n[a\n= b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.conf", bytes.NewReader(data))
		if c == nil {
			t.Fatal("nil Config")
		}
		var secrets []string
		for _, a := range c.Accounts {
			if !awsname.AccountID(a.ID) {
				t.Errorf("accepted account id %q", a.ID)
			}
			if a.HasKeys() {
				secrets = append(secrets, a.SecretKey.Reveal())
			}
		}
		if c.Corp != nil && c.Corp.HasKeys() {
			secrets = append(secrets, c.Corp.SecretKey.Reveal())
		}
		for _, r := range c.Regions {
			if !awsname.Region(r) {
				t.Errorf("accepted region %q", r)
			}
		}
		if err != nil {
			msg := err.Error()
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Errorf("error reveals the secret %q of an accepted line:\n%s", s, msg)
				}
			}
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if _, ok := errors.AsType[*Error](e); !ok {
					t.Errorf("%T is not an *Error: %v", e, e)
				}
			}
		}

		l, problems := readLayer("fuzz.conf", data)
		for _, p := range problems {
			if p.Line == 0 {
				t.Errorf("the scanner missed what ini.v1 rejects: %v", p)
			}
		}
		for _, s := range l.stanzas {
			if s.line == 0 && s.name != "default" {
				t.Errorf("no line for stanza [%s]", s.name)
			}
			for _, k := range s.keys {
				if s.vals[k].line == 0 {
					t.Errorf("no line for [%s] %q", s.name, k)
				}
			}
		}
	})
}
