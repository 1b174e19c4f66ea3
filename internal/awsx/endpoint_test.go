package awsx

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestS3Options(t *testing.T) {
	tests := []struct {
		name       string
		endpoint   string            // stanza parameter
		base       string            // BaseEndpoint already resolved by the SDK
		env        map[string]string // environment
		wantBase   string            // "" means nil
		wantPath   bool
		presetPath bool // UsePathStyle already true
	}{
		{name: "nothing set: AWS, virtual hosted", wantPath: false},
		{name: "stanza IP endpoint", endpoint: "http://127.0.0.1:9000", wantBase: "http://127.0.0.1:9000", wantPath: true},
		{name: "stanza IPv6 endpoint", endpoint: "http://[::1]:9000", wantBase: "http://[::1]:9000", wantPath: true},
		{name: "stanza localhost endpoint", endpoint: "http://localhost:4566", wantBase: "http://localhost:4566", wantPath: true},
		{name: "stanza LOCALHOST endpoint", endpoint: "http://LOCALHOST:4566", wantBase: "http://LOCALHOST:4566", wantPath: true},
		{name: "stanza DNS endpoint", endpoint: "https://s3.example.com", wantBase: "https://s3.example.com", wantPath: false},
		{name: "localhost subdomain is DNS", endpoint: "http://s3.localhost.example:4566", wantBase: "http://s3.localhost.example:4566", wantPath: false},
		{
			name: "stanza endpoint beats the environment", endpoint: "https://s3.example.com",
			env:      map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000"},
			wantBase: "https://s3.example.com", wantPath: false,
		},
		{
			name:     "SDK-resolved BaseEndpoint is kept and decides",
			base:     "http://10.0.0.5:9000",
			wantBase: "http://10.0.0.5:9000", wantPath: true,
		},
		{
			name: "AWS_ENDPOINT_URL_S3 IP", env: map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5000"},
			wantPath: true,
		},
		{
			name: "AWS_ENDPOINT_URL localhost", env: map[string]string{"AWS_ENDPOINT_URL": "http://localhost:5000"},
			wantPath: true,
		},
		{
			name: "AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL",
			env:  map[string]string{"AWS_ENDPOINT_URL_S3": "https://s3.example.com", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
		},
		{
			name: "configured endpoints ignored",
			env:  map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
		},
		{name: "path style is never turned off", endpoint: "https://s3.example.com", wantBase: "https://s3.example.com", presetPath: true, wantPath: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hermeticEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			o := s3.Options{UsePathStyle: tt.presetPath}
			if tt.base != "" {
				o.BaseEndpoint = aws.String(tt.base)
			}
			S3Options(tt.endpoint)(&o)
			if got := aws.ToString(o.BaseEndpoint); got != tt.wantBase {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.wantBase)
			}
			if o.UsePathStyle != tt.wantPath {
				t.Errorf("UsePathStyle = %v, want %v", o.UsePathStyle, tt.wantPath)
			}
		})
	}
}

// TestS3OptionsWithLoad checks the real pipeline: the SDK resolves
// AWS_ENDPOINT_URL_S3 into BaseEndpoint and S3Options keeps it.
func TestS3OptionsWithLoad(t *testing.T) {
	hermeticEnv(t)
	setEnvCredentials(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
	cfg, err := Load(t.Context(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := s3.NewFromConfig(cfg, S3Options("")).Options()
	if aws.ToString(got.BaseEndpoint) != "http://127.0.0.1:9000" || !got.UsePathStyle {
		t.Errorf("BaseEndpoint %q, UsePathStyle %v; want the environment's endpoint with path style",
			aws.ToString(got.BaseEndpoint), got.UsePathStyle)
	}
}

func TestSQSOptions(t *testing.T) {
	hermeticEnv(t)
	setEnvCredentials(t)
	t.Setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324")
	cfg, err := Load(t.Context(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		endpoint, want string
	}{
		{"", "http://127.0.0.1:9324"}, // the environment is not clobbered
		{"https://sqs.example.com", "https://sqs.example.com"},
	}
	for _, tt := range tests {
		got := sqs.NewFromConfig(cfg, SQSOptions(tt.endpoint)).Options()
		if aws.ToString(got.BaseEndpoint) != tt.want {
			t.Errorf("SQSOptions(%q): BaseEndpoint = %q, want %q", tt.endpoint, aws.ToString(got.BaseEndpoint), tt.want)
		}
	}
}
