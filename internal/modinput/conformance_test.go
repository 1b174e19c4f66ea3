package modinput

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Splunk SDKs' modular-input fixtures (testdata/sdk-python,
// testdata/sdk-java) are the conformance suite: each test below mirrors the
// SDK test that uses the fixture.

var sdks = []string{"sdk-python", "sdk-java"}

func fixture(t *testing.T, sdk, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", sdk, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const fancy = "쎼 and 쎶 and <&> für"

func TestSchemeConformance(t *testing.T) {
	arg1 := Arg{Name: "arg1"}
	arg2 := Arg{Name: "arg2", Description: fancy, Validation: "is_pos_int('some_name')",
		DataType: Number, RequiredOnEdit: true, RequiredOnCreate: true}
	arg2titled := arg2
	arg2titled.Title = "Argument for ``test_scheme``"
	full := Scheme{Title: "abcd", Description: fancy, UseSingleInstance: true, StreamingMode: Simple}
	cases := []struct {
		file   string
		sdks   []string
		scheme Scheme
	}{
		{"scheme_with_defaults.xml", sdks, Scheme{Title: "abcd", UseExternalValidation: true}},
		{"scheme_without_defaults.xml", sdks, withArgs(full, arg1, arg2)},
		{"scheme_without_defaults_and_argument_title.xml", []string{"sdk-python"}, withArgs(full, arg1, arg2titled)},
	}
	for _, c := range cases {
		for _, sdk := range c.sdks {
			t.Run(sdk+"/"+c.file, func(t *testing.T) {
				var out bytes.Buffer
				if _, err := c.scheme.WriteTo(&out); err != nil {
					t.Fatal(err)
				}
				assertXMLEqual(t, out.Bytes(), fixture(t, sdk, c.file))
				if !bytes.HasPrefix(out.Bytes(), []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
					t.Errorf("scheme does not start with an XML declaration: %.60q", out.String())
				}
			})
		}
	}
}

func withArgs(s Scheme, args ...Arg) Scheme {
	s.Args = args
	return s
}

func TestArgConformance(t *testing.T) {
	cases := map[string]Arg{
		"argument_with_defaults.xml": {Name: "some_name"},
		"argument_without_defaults.xml": {Name: "some_name", Description: fancy,
			Validation: "is_pos_int('some_name')", DataType: Boolean, RequiredOnEdit: true, RequiredOnCreate: true},
	}
	for file, arg := range cases {
		for _, sdk := range sdks {
			t.Run(sdk+"/"+file, func(t *testing.T) {
				doc := Scheme{Args: []Arg{arg}}.Document()
				el := doc.FindElement("//arg")
				if el == nil {
					t.Fatal("no <arg> in the scheme")
				}
				d := doc.Copy()
				d.SetRoot(el.Copy())
				got, err := d.WriteToBytes()
				if err != nil {
					t.Fatal(err)
				}
				assertXMLEqual(t, got, fixture(t, sdk, file))
			})
		}
	}
}

func TestInputConformance(t *testing.T) {
	server := func(dir string) Server {
		return Server{Host: "tiny", URI: "https://127.0.0.1:8089", SessionKey: "123102983109283019283", CheckpointDir: dir}
	}
	for _, sdk := range sdks {
		t.Run(sdk+"/conf_with_0_inputs.xml", func(t *testing.T) {
			in, err := ReadInput(bytes.NewReader(fixture(t, sdk, "conf_with_0_inputs.xml")))
			if err != nil {
				t.Fatal(err)
			}
			assertServer(t, in.Server, server("/some/dir"))
			if len(in.Stanzas) != 0 {
				t.Errorf("got %d stanzas, want 0", len(in.Stanzas))
			}
		})
		t.Run(sdk+"/conf_with_2_inputs.xml", func(t *testing.T) {
			in, err := ReadInput(bytes.NewReader(fixture(t, sdk, "conf_with_2_inputs.xml")))
			if err != nil {
				t.Fatal(err)
			}
			assertServer(t, in.Server, server("/some/dir"))
			if len(in.Stanzas) != 2 {
				t.Fatalf("got %d stanzas, want 2", len(in.Stanzas))
			}
			apps := map[string][2]string{"sdk-python": {"search", "my_app"}, "sdk-java": {"", ""}}[sdk]
			wantParams := []map[string]string{
				{"param1": "value1", "param2": "value2", "disabled": "0", "index": "default"},
				{"param1": "value11", "param2": "value22", "disabled": "0", "index": "default"},
			}
			for i, name := range []string{"foobar://aaa", "foobar://bbb"} {
				st := in.Stanzas[i]
				if st.Name != name || st.App != apps[i] || st.Scheme() != "foobar" {
					t.Errorf("stanza %d = %q app %q scheme %q, want %q app %q", i, st.Name, st.App, st.Scheme(), name, apps[i])
				}
				if !maps.Equal(st.Params, wantParams[i]) {
					t.Errorf("stanza %s params = %v, want %v", name, st.Params, wantParams[i])
				}
			}
			lists := in.Stanzas[1].Lists
			if strings.Join(lists["multiValue"], ",") != "value1,value2" || strings.Join(lists["multiValue2"], ",") != "value3,value4" {
				t.Errorf("param lists = %v", lists)
			}
		})
		t.Run(sdk+"/conf_with_invalid_inputs.xml", func(t *testing.T) {
			_, err := ReadInput(bytes.NewReader(fixture(t, sdk, "conf_with_invalid_inputs.xml")))
			if err == nil || !strings.Contains(err.Error(), "<editor>") {
				t.Fatalf("ReadInput error = %v, want one naming the unexpected <editor>", err)
			}
			if strings.Contains(err.Error(), "123102983109283019283") {
				t.Errorf("error leaks the session key: %v", err)
			}
		})
		t.Run(sdk+"/validation.xml", func(t *testing.T) {
			v, err := ReadValidation(bytes.NewReader(fixture(t, sdk, "validation.xml")))
			if err != nil {
				t.Fatal(err)
			}
			assertServer(t, v.Server, server("/opt/splunk/var/lib/splunk/modinputs"))
			want := map[string]string{"param1": "value1", "param2": "value2", "disabled": "0", "index": "default"}
			if v.Item.Name != "aaa" || !maps.Equal(v.Item.Params, want) {
				t.Errorf("item = %q %v, want aaa %v", v.Item.Name, v.Item.Params, want)
			}
			if strings.Join(v.Item.Lists["multiValue2"], ",") != "value3,value4" {
				t.Errorf("param lists = %v", v.Item.Lists)
			}
		})
		t.Run(sdk+"/validation_error.xml", func(t *testing.T) {
			want := fixture(t, sdk, "validation_error.xml")
			msg := map[string]string{"sdk-python": "Big fat validation error!", "sdk-java": "Oh, the vogonity!"}[sdk]
			var out bytes.Buffer
			if err := WriteValidationError(&out, msg); err != nil {
				t.Fatal(err)
			}
			assertXMLEqual(t, out.Bytes(), want)
		})
	}
}

func TestRealSplunkdInput(t *testing.T) {
	in, err := ReadInput(bytes.NewReader(fixture(t, "splunkd", "Splunk_TA_otel.inputs.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Stanzas) != 1 {
		t.Fatalf("got %d stanzas", len(in.Stanzas))
	}
	st := in.Stanzas[0]
	if st.Name != "Splunk_TA_otel://Splunk_TA_otel" || st.App != "Splunk_TA_otel" || st.InputName() != "Splunk_TA_otel" {
		t.Errorf("stanza = %q app %q", st.Name, st.App)
	}
	if st.Params["host"] != "$decideOnStartup" || st.Params["disabled"] != "false" || st.Params["start_by_shell"] != "false" {
		t.Errorf("splunkd settings not kept verbatim: %v", st.Params)
	}
	if !strings.HasSuffix(in.CheckpointDir, `modinputs\Splunk_TA_otel`) {
		t.Errorf("checkpoint_dir = %q", in.CheckpointDir)
	}
}

func assertServer(t *testing.T, got, want Server) {
	t.Helper()
	if got != want {
		t.Errorf("server = %+v, want %+v", got, want)
	}
	if got.SessionKey.Reveal() != want.SessionKey.Reveal() {
		t.Errorf("session key not read")
	}
}

func TestEventConformance(t *testing.T) {
	minimal := Event{Stanza: "fubar", Time: time.UnixMilli(1372187084000), Data: []byte("This is a test of the emergency broadcast system.")}
	maximal := Event{Stanza: "fubar", Time: time.UnixMilli(1372274622493), Source: "hilda", Sourcetype: "misc",
		Index: "main", Host: "localhost", Data: []byte("This is a test of the emergency broadcast system.")}
	streamed := maximal
	streamed.Time = time.UnixMilli(1372275124466) // the stream fixtures use another time
	cases := []struct {
		file   string
		events []Event
		inner  bool // fixture is a lone <event>, not a <stream>
	}{
		{"event_minimal.xml", []Event{minimal}, true},
		{"event_maximal.xml", []Event{maximal}, true},
		{"stream_with_one_event.xml", []Event{streamed}, false},
		{"stream_with_two_events.xml", []Event{streamed, streamed}, false},
	}
	for _, c := range cases {
		for _, sdk := range sdks {
			t.Run(sdk+"/"+c.file, func(t *testing.T) {
				var out bytes.Buffer
				w := NewWriter(&out, WriterOptions{})
				if err := w.Write(context.Background(), c.events...); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				got := out.Bytes()
				if c.inner {
					got = bytes.TrimPrefix(got, []byte("<stream>\n"))
					got = bytes.TrimSuffix(got, []byte("</stream>\n"))
				}
				assertXMLEqual(t, got, fixture(t, sdk, c.file))
			})
		}
	}
}
