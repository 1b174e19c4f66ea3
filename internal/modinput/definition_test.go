package modinput

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

const definition = `<?xml version="1.0" encoding="UTF-8"?>
<input>
  <server_host>idx1</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>SECRETSESSIONKEY</session_key>
  <checkpoint_dir>/opt/splunk/var/lib/splunk/modinputs/aws_ingest_cloudtrail</checkpoint_dir>
  <configuration>
    <stanza name="aws_ingest_cloudtrail://prod" app="aws_ingest">
      <param name="sqs_queue">acme-cloudtrail</param>
      <param name="note">Grüße 𝄞 &amp; &lt;ok&gt;</param>
    </stanza>
  </configuration>
</input>`

func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	if bom {
		b = order.AppendUint16(b, 0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestReadInputEncodings(t *testing.T) {
	labelled16 := strings.Replace(definition, `encoding="UTF-8"`, `encoding="utf-16"`, 1)
	cases := map[string][]byte{
		"utf-8":                         []byte(definition),
		"utf-8 with BOM":                append([]byte{0xEF, 0xBB, 0xBF}, definition...),
		"utf-16 big-endian with BOM":    utf16Bytes(labelled16, binary.BigEndian, true),
		"utf-16 little-endian with BOM": utf16Bytes(labelled16, binary.LittleEndian, true),
		"utf-16 little-endian, no BOM":  utf16Bytes(labelled16, binary.LittleEndian, false),
		"utf-8 labelled utf-16":         []byte(labelled16),
		"no declaration":                []byte(definition[strings.Index(definition, "<input>"):]),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			in, err := ReadInput(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Stanzas) != 1 || in.Stanzas[0].Params["note"] != "Grüße 𝄞 & <ok>" || in.Host != "idx1" {
				t.Errorf("parsed %+v", in)
			}
		})
	}
}

func TestReadInputDoesNotWaitForEOF(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte(definition + "\n")) }() // stdin stays open, as splunkd may leave it
	done := make(chan error, 1)
	go func() {
		_, err := ReadInput(pr)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadInput waited for EOF after the root element ended")
	}
}

func TestReadInputErrorsNeverQuoteTheDocument(t *testing.T) {
	cases := map[string]string{
		"truncated":         definition[:len(definition)/2],
		"empty":             "",
		"not xml":           "SECRETSESSIONKEY is not xml",
		"mismatched tags":   strings.Replace(definition, "</session_key>", "</sessionkey>", 1),
		"wrong root":        strings.ReplaceAll(definition, "input>", "items>"),
		"unknown in stanza": strings.Replace(definition, `<param name="note">`, `<parm name="note">`, 1),
		"latin-1":           strings.Replace(definition, "UTF-8", "ISO-8859-1", 1),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ReadInput(strings.NewReader(doc))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "SECRETSESSIONKEY") {
				t.Errorf("error quotes the session key: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "input definition: ") {
				t.Errorf("error does not say what was being read: %v", err)
			}
		})
	}
}

func TestReadValidationNeedsOneItem(t *testing.T) {
	for name, doc := range map[string]string{
		"none": `<items><server_host>h</server_host></items>`,
		"two":  `<items><item name="a"/><item name="b"/></items>`,
	} {
		if _, err := ReadValidation(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"1", "true", "T", "yes", "Y", "on", " True "} {
		if v, err := ParseBool(s); err != nil || !v {
			t.Errorf("ParseBool(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range []string{"0", "false", "F", "no", "n", "OFF"} {
		if v, err := ParseBool(s); err != nil || v {
			t.Errorf("ParseBool(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := ParseBool("maybe"); err == nil || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("ParseBool(maybe) error = %v", err)
	}
}

func FuzzReadInput(f *testing.F) {
	f.Add([]byte(definition))
	f.Add(utf16Bytes(definition, binary.BigEndian, true))
	f.Fuzz(func(t *testing.T, doc []byte) {
		in, err := ReadInput(bytes.NewReader(doc))
		if err != nil {
			if strings.Contains(err.Error(), "SECRETSESSIONKEY") {
				t.Errorf("error quotes the session key: %v", err)
			}
			return
		}
		for _, st := range in.Stanzas {
			if st.Name == "" {
				t.Errorf("stanza without a name accepted")
			}
		}
	})
}
