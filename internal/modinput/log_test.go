package modinput

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws-ingest/aws-ingest/internal/secret"
)

func TestLogHandlerLines(t *testing.T) {
	var out strings.Builder
	log := slog.New(NewLogHandler(&out, slog.LevelDebug)).With("stanza", "aws_ingest_cloudtrail://prod")
	log.Debug("polling", "queue", "acme-cloudtrail")
	log.Info("started", "version", "1.2.3")
	log.Warn("plaintext keys", "key_id", "AKIAEXAMPLE", "secret_key", secret.String("wJalrXUtnFEMI"))
	log.Error("get object failed\nline two", "err", errors.New("AccessDenied: s3:GetObject\non arn"), "object", "s3://b/k y")
	log.WithGroup("sqs").Log(t.Context(), LevelFatal, "giving up", "attempts", 5)
	want := strings.Join([]string{
		`DEBUG polling stanza=aws_ingest_cloudtrail://prod queue=acme-cloudtrail`,
		`INFO started stanza=aws_ingest_cloudtrail://prod version=1.2.3`,
		`WARN plaintext keys stanza=aws_ingest_cloudtrail://prod key_id=AKIAEXAMPLE secret_key=***`,
		`ERROR get object failed | line two stanza=aws_ingest_cloudtrail://prod err="AccessDenied: s3:GetObject\non arn" object="s3://b/k y"`,
		`FATAL giving up stanza=aws_ingest_cloudtrail://prod sqs.attempts=5`,
	}, "\n") + "\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestLogHandlerLevel(t *testing.T) {
	var out strings.Builder
	log := slog.New(NewLogHandler(&out, slog.LevelInfo))
	log.Debug("hidden")
	if out.Len() != 0 {
		t.Errorf("debug line written at INFO level: %q", out.String())
	}
	for level, name := range map[slog.Level]string{slog.LevelDebug - 4: "DEBUG", slog.LevelInfo + 1: "INFO", slog.LevelWarn: "WARN", slog.LevelError + 2: "ERROR", LevelFatal + 4: "FATAL"} {
		if got := LevelName(level); got != name {
			t.Errorf("LevelName(%v) = %s, want %s", level, got, name)
		}
	}
}
