package awsname

import "testing"

func TestShapes(t *testing.T) {
	cases := []struct {
		check func(string) bool
		name  string
		good  []string
		bad   []string
	}{
		{Region, "Region", []string{"us-west-2", "eu-central-1", "us-gov-west-1", "cn-north-1", "ap-southeast-5", "us-isob-east-1"},
			[]string{"", "us-west", "US-WEST-2", "uswest2", "us-west-2a", "eu-central-1 "}},
		{AccountID, "AccountID", []string{"123456789012", "000000000001"}, []string{"12345678901", "1234567890123", "12345678901a", ""}},
		{RoleARN, "RoleARN", []string{"arn:aws:iam::123456789012:role/Splunk", "arn:aws-us-gov:iam::123456789012:role/path/to/R+=,.@-"},
			[]string{"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::12345:role/x", "arn:aws:sts::123456789012:role/x", "role/x"}},
		{QueueName, "QueueName", []string{"acme-cloudtrail", "q_1", "orders.fifo"}, []string{"", "has space", "a/b", string(make([]byte, 81))}},
		{AccessKeyID, "AccessKeyID", []string{"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"}, []string{"akiaiosfodnn7example", "AKIA", "''"}},
	}
	for _, c := range cases {
		for _, s := range c.good {
			if !c.check(s) {
				t.Errorf("%s(%q) = false, want true", c.name, s)
			}
		}
		for _, s := range c.bad {
			if c.check(s) {
				t.Errorf("%s(%q) = true, want false", c.name, s)
			}
		}
	}
}
