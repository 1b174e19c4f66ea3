package setup

import (
	"bytes"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// LegacyScheme is the input scheme of the legacy Splunk App for AWS.
const LegacyScheme = "aws_cloudtrail"

// migrateNotes are the comments written above a parameter of a migrated
// stanza, and whether the parameter's line is commented out too.
var migrateNotes = map[string]struct {
	note    string
	disable bool
}{
	schemes.KeyID:            {note: "deprecated: plaintext keys in inputs.conf; still work, but move them to a stored credential (aws_account) or use an instance role, with role_arn if needed"},
	schemes.SecretKey:        {note: "deprecated: plaintext secret in inputs.conf; still works, but move it to a stored credential (aws_account) or use an instance role"},
	schemes.ScriptIterations: {note: "ignored: aws_ingest_cloudtrail runs until Splunk stops it", disable: true},
	"interval":               {note: "now the delay before splunkd restarts the input if it ever exits; the input itself runs until Splunk stops it"},
}

// MigrateResult says what MigrateInputs changed.
type MigrateResult struct {
	Stanzas []string // names of the rewritten stanzas
}

// MigrateInputs rewrites every [aws_cloudtrail://NAME] stanza of a legacy
// inputs.conf as [aws_ingest_cloudtrail://NAME]; parameters are kept, and
// deprecated or ignored ones get a "# aws_ingest:" comment line above them
// (ignored ones are commented out). Every other byte is kept, line endings
// included.
func MigrateInputs(in []byte) ([]byte, MigrateResult) {
	var res MigrateResult
	var out bytes.Buffer
	out.Grow(len(in) + 512)
	inLegacy := false
	continued := false // the previous line ended with a backslash
	for len(in) > 0 {
		line := in
		if i := bytes.IndexByte(in, '\n'); i >= 0 {
			line = in[:i+1]
		}
		in = in[len(line):]
		body := bytes.TrimRight(line, "\r\n")
		eol := string(line[len(body):])
		if eol == "" {
			eol = "\n"
		}
		wasContinued := continued
		continued = bytes.HasSuffix(body, []byte(`\`))
		if wasContinued {
			out.Write(line)
			continue
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) > 0 && trimmed[0] == '[' {
			inLegacy = false
			if name, ok := legacyStanza(trimmed); ok {
				inLegacy = true
				res.Stanzas = append(res.Stanzas, name)
				i := bytes.Index(line, []byte("["+LegacyScheme+"://"))
				out.Write(line[:i+1])
				out.WriteString(schemes.CloudTrail.Name)
				out.Write(line[i+1+len(LegacyScheme):])
				continue
			}
		}
		if inLegacy {
			if key, ok := confKey(trimmed); ok {
				if n, ok := migrateNotes[key]; ok {
					// Splunk only takes a # in the first column as a comment.
					out.WriteString("# aws_ingest: " + key + " is " + n.note + eol)
					if n.disable {
						out.WriteString("# ")
						out.Write(line)
						continue
					}
				}
			}
		}
		out.Write(line)
	}
	return out.Bytes(), res
}

// legacyStanza returns NAME for a "[aws_cloudtrail://NAME]" header.
func legacyStanza(header []byte) (string, bool) {
	h := string(header)
	if !strings.HasSuffix(h, "]") {
		return "", false
	}
	name, ok := strings.CutPrefix(h[1:len(h)-1], LegacyScheme+"://")
	return name, ok
}

// confKey returns the key of a "key = value" line, lower-case.
func confKey(line []byte) (string, bool) {
	if len(line) == 0 || line[0] == '#' || line[0] == ';' {
		return "", false
	}
	k, _, ok := bytes.Cut(line, []byte("="))
	if !ok {
		return "", false
	}
	return strings.ToLower(string(bytes.TrimSpace(k))), true
}
