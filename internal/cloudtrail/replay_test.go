package cloudtrail

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

func TestReplayLocalFolder(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2024", "05", "01")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, body []byte) {
		if err := os.WriteFile(filepath.Join(sub, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.json.gz", logFile(t, "A", "B", "C")) // eventTimes 12:00:00, :01, :02
	write("b.json.gz", logFile(t, "D"))
	write("LICENSE", []byte("not a log file"))

	var out bytes.Buffer
	stats, err := Replay(t.Context(), []string{dir}, ReplayOptions{JSON: true, Out: &out,
		Since: time.Date(2024, 5, 1, 12, 0, 1, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if stats.Files != 2 || stats.Records != 4 || stats.Written != 2 || len(lines) != 2 {
		t.Fatalf("stats %+v, %d lines: %q", stats, len(lines), out.String())
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("not a JSON line: %q", l)
		}
	}

	var xml bytes.Buffer
	w := modinput.NewWriter(&xml, modinput.WriterOptions{})
	if _, err := Replay(t.Context(), []string{filepath.Join(sub, "b.json.gz")}, ReplayOptions{Events: w}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(xml.String(), "<sourcetype>aws:cloudtrail</sourcetype>") || !strings.Contains(xml.String(), `"eventName":"D"`) {
		t.Errorf("XML stream = %q", xml.String())
	}
	if _, err := Replay(t.Context(), []string{filepath.Join(sub, "LICENSE")}, ReplayOptions{JSON: true, Out: &out}); err == nil ||
		!strings.Contains(err.Error(), "LICENSE") {
		t.Errorf("a named non-CloudTrail file: err = %v, want one naming it", err)
	}
}
