package modinput

import (
	"fmt"
	"strings"
)

// ParseBool reads a boolean the way splunkd writes them in .conf files and
// definitions: true/false, 1/0, yes/no, t/f, y/n, on/off, any case.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, nil
	case "0", "false", "f", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (use true/false, 1/0, yes/no)", s)
}
