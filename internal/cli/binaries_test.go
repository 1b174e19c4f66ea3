package cli_test

import (
	"encoding/binary"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/testkit/splunkd"
)

// Each binary, built and run as splunkd runs it, implements its table.

const sessionKey = "SECRET-SESSION-KEY-e2e"

var server = splunkd.Definition{ServerHost: "idx1", ServerURI: "https://127.0.0.1:8089", SessionKey: sessionKey, CheckpointDir: "/tmp/none"}

func buildBinary(t *testing.T, name string) string {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	return splunkd.Build(t, "github.com/aws-ingest/aws-ingest/cmd/"+name)
}

func TestSchemeListsEveryParameter(t *testing.T) {
	for _, table := range schemes.All() {
		t.Run(table.Name, func(t *testing.T) {
			res := splunkd.Invoke(t, buildBinary(t, table.Name), nil, nil, "--scheme")
			if res.Code != 0 || res.Stderr != "" {
				t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
			}
			var scheme struct {
				Title     string `xml:"title"`
				External  bool   `xml:"use_external_validation"`
				Single    bool   `xml:"use_single_instance"`
				Streaming string `xml:"streaming_mode"`
				Args      []struct {
					Name string `xml:"name,attr"`
				} `xml:"endpoint>args>arg"`
			}
			if err := xml.Unmarshal(res.Stdout, &scheme); err != nil {
				t.Fatalf("scheme is not XML: %v", err)
			}
			var want []string
			for _, p := range table.Params {
				want = append(want, p.Name)
				want = append(want, p.Aliases...)
			}
			var got []string
			for _, a := range scheme.Args {
				got = append(got, a.Name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("args = %v, want %v", got, want)
			}
			if !scheme.External || scheme.Single || scheme.Streaming != "xml" || scheme.Title != table.Title {
				t.Errorf("scheme = %+v", scheme)
			}
		})
	}
}

func TestValidateArgumentsNamesEveryBadParameter(t *testing.T) {
	bad := map[string]map[string]string{
		"aws_ingest_cloudtrail": {"sqs_queue": "no spaces allowed", "sqs_queue_region": "moon-1", "max_workers": "0", "role_arn": "nope"},
		"aws_ingest_billing":    {"report_type": "weekly", "months": "100", "payer_account_id": "42", "s3_endpoint_url": "s3.local"},
		"aws_ingest_inventory":  {"regions": "us-east-1,atlantis", "max_concurrency": "-1", "ec2_endpoint_url": "ftp://x", "role_arn": "nope"},
	}
	// aws_ingest_cloudtrail checks the queue live once the values are
	// right; its own end-to-end tests cover that against moto.
	good := map[string]map[string]string{
		"aws_ingest_billing":   {"report_type": "cur", "months": "3"},
		"aws_ingest_inventory": {"regions": "us-east-1,eu-west-1", "max_concurrency": "8"},
	}
	for _, table := range schemes.All() {
		t.Run(table.Name, func(t *testing.T) {
			bin := buildBinary(t, table.Name)
			res := splunkd.Invoke(t, bin, server.ItemsXML(splunkd.Stanza{Name: "bad", Params: bad[table.Name]}), nil, "--validate-arguments")
			if res.Code == 0 || res.Stderr != "" {
				t.Errorf("bad stanza: exit %d, stderr %q; want non-zero and nothing on stderr", res.Code, res.Stderr)
			}
			var doc struct {
				XMLName xml.Name `xml:"error"`
				Message string   `xml:"message"`
			}
			if err := xml.Unmarshal(res.Stdout, &doc); err != nil {
				t.Fatalf("stdout is not an <error> document: %v: %q", err, res.Stdout)
			}
			for name := range bad[table.Name] {
				if !strings.Contains(doc.Message, "parameter "+name+":") {
					t.Errorf("message does not name %s: %s", name, doc.Message)
				}
			}
			if good[table.Name] == nil {
				return
			}
			res = splunkd.Invoke(t, bin, server.ItemsXML(splunkd.Stanza{Name: "good", Params: good[table.Name]}), nil, "--validate-arguments")
			if res.Code != 0 || len(res.Stdout) != 0 || res.Stderr != "" {
				t.Errorf("good stanza: exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
			}
		})
	}
}

func utf16BE(b []byte) []byte {
	out := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = binary.BigEndian.AppendUint16(out, u)
	}
	return out
}

func TestRunModeReadsUTF16Definitions(t *testing.T) {
	for _, table := range schemes.All() {
		t.Run(table.Name, func(t *testing.T) {
			def := server
			params := map[string]string{"host": "$decideOnStartup", "index": "main", "interval": "60", "disabled": "0", "start_by_shell": "false"}
			if table == schemes.CloudTrail {
				params["sqs_queue"], params["sqs_queue_region"] = "acme-cloudtrail", "us-west-2"
			}
			def.Stanzas = []splunkd.Stanza{{Name: table.Name + "://e2e", App: "aws_ingest", Params: params}}
			input := []byte(strings.Replace(string(def.InputXML()), "UTF-8", "utf-16", 1))
			// No AWS here: an input that gets past parsing fails fast on a refused endpoint.
			env := []string{"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=x",
				"AWS_MAX_ATTEMPTS=1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
			p := splunkd.Start(t, buildBinary(t, table.Name), utf16BE(input), env)
			res := p.Wait(30e9)
			if strings.Contains(res.Stderr, "definition") || strings.Contains(res.Stderr, "XML") {
				t.Errorf("the definition did not parse: %s", res.Stderr)
			}
			if !strings.Contains(res.Stderr, "INFO starting stanza="+table.Name+"://e2e") {
				t.Errorf("no start line in stderr: %s", res.Stderr)
			}
			if strings.Contains(res.Stderr, sessionKey) {
				t.Errorf("stderr leaks the session key: %s", res.Stderr)
			}
		})
	}
}

func TestRunModeRejectsBadDefinitionsWithoutEchoingThem(t *testing.T) {
	bin := buildBinary(t, "aws_ingest_cloudtrail")
	cases := map[string][]byte{
		"truncated": server.InputXML()[:120],
		"wrong scheme": func() []byte {
			d := server
			d.Stanzas = []splunkd.Stanza{{Name: "other://x", Params: map[string]string{}}}
			return d.InputXML()
		}(),
		"bad stanza": func() []byte {
			d := server
			d.Stanzas = []splunkd.Stanza{{Name: "aws_ingest_cloudtrail://x", Params: map[string]string{"sqs_queue": "q", "secret_key": "TOPSECRET"}}}
			return d.InputXML()
		}(),
	}
	for name, input := range cases {
		t.Run(name, func(t *testing.T) {
			res := splunkd.Invoke(t, bin, input, nil)
			if res.Code != 1 || len(res.Stdout) != 0 {
				t.Errorf("exit %d, stdout %q; want 1 and no events", res.Code, res.Stdout)
			}
			if !strings.HasPrefix(res.Stderr, "ERROR ") {
				t.Errorf("stderr = %q, want ERROR lines", res.Stderr)
			}
			if strings.Contains(res.Stderr, sessionKey) || strings.Contains(res.Stderr, "TOPSECRET") {
				t.Errorf("stderr leaks a secret: %s", res.Stderr)
			}
		})
	}
}
