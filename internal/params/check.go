package params

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/awsname"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

var indexName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]*$`)

// check validates one non-empty value.
func (p *Param) check(raw string) error {
	var err error
	switch p.Kind {
	case Integer, Seconds:
		err = p.checkRange(raw)
	case Bool:
		_, err = modinput.ParseBool(raw)
	case Regex:
		if _, e := regexp.Compile(raw); e != nil {
			err = fmt.Errorf("not a valid regular expression (RE2 syntax): %v", e)
		}
	case URL:
		err = awsname.Endpoint(raw)
	case Region:
		if !awsname.Region(raw) {
			err = errors.New("not an AWS region name (like us-west-2)")
		}
	case RoleARN:
		if !awsname.RoleARN(raw) {
			err = errors.New("not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
		}
	case AccountID:
		if !awsname.AccountID(raw) {
			err = errors.New("not a 12-digit AWS account id")
		}
	case Choice:
		if !slices.Contains(p.Choices, raw) {
			err = fmt.Errorf("must be one of %s", strings.Join(p.Choices, ", "))
		}
	case Index:
		if !indexName.MatchString(raw) && !indexName.MatchString(strings.TrimPrefix(raw, "_")) {
			err = errors.New("not a Splunk index name (lower-case letters, digits, _ and -)")
		}
	}
	if err == nil && p.Check != nil {
		err = p.Check(raw)
	}
	return err
}

func (p *Param) checkRange(raw string) error {
	n, err := strconv.ParseInt(raw, 10, 64)
	unit := ""
	if p.Kind == Seconds {
		unit = " seconds"
	}
	if err != nil {
		return fmt.Errorf("not a whole number%s", unit)
	}
	if n < p.Min || (p.Max != 0 && n > p.Max) {
		if p.Max == 0 {
			return fmt.Errorf("must be at least %d%s", p.Min, unit)
		}
		return fmt.Errorf("must be between %d and %d%s", p.Min, p.Max, unit)
	}
	return nil
}
