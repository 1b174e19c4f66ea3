package awsname

import (
	"strings"
	"testing"
)

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

func TestRegionNames(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1":      true,
		"eu-central-2":   true,
		"ap-southeast-5": true,
		"cn-north-1":     true,
		"cn-northwest-1": true,
		"us-gov-west-1":  true,
		"us-iso-east-1":  true,
		"us-isob-east-1": true,
		"eu-isoe-west-1": true,
		"":               false,
		"us-east":        false,
		"US-EAST-1":      false,
		"us_east_1":      false,
		"useast1":        false,
		"us-east-1 ":     false,
		"global":         false,
		"us-east-1a":     false,
	} {
		if got := Region(s); got != want {
			t.Errorf("Region(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestEndpointURLs(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string // "" means valid
	}{
		{"https://s3.eu-west-1.amazonaws.com", ""},
		{"http://127.0.0.1:9000", ""},
		{"http://[::1]:4566/", ""},
		{"https://minio.example.com/base", ""},
		{"s3.amazonaws.com", "https://"},
		{"ftp://example.com", "https://"},
		{"https://", "no host"},
		{"https://:443", "no host"},
		{"http:example.com", "no host"},
		{"https://example.com?x=1", "query"},
		{"https://example.com?", "query"},
		{"https://example.com#frag", "fragment"},
		{"https://example.com#", "fragment"},
		{"http://127.0.0.1:port", "not valid"},
		{" https://example.com", "not valid"},
		{"https://user:hunter2@example.com", "user information"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := Endpoint(tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Endpoint: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the URL password: %v", err)
			}
		})
	}
}
