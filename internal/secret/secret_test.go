package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestStringNeverPrintsItsValue(t *testing.T) {
	s := String("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "secret", s)
	j, err := json.Marshal(struct{ S String }{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%s": fmt.Sprintf("%s", s), "%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s),
		"%#v": fmt.Sprintf("%#v", s), "%q": fmt.Sprintf("%q", s), "%x": fmt.Sprintf("%x", s),
		"struct %+v": fmt.Sprintf("%+v", struct{ S String }{s}),
		"error":      fmt.Errorf("wrap: %v", s).Error(),
		"slog":       buf.String(), "json": string(j),
	}
	for name, out := range outputs {
		if strings.Contains(out, "EXAMPLEKEY") || !strings.Contains(out, "***") {
			t.Errorf("%s printed %q, want the mask only", name, out)
		}
	}
	if s.Reveal() != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
}
