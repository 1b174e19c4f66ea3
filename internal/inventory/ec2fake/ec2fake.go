// Package ec2fake is an httptest peer for the EC2 Query API that serves
// recorded (or made-up) responses to the real *ec2.Client.
//
// Why it exists: moto_server does not implement DescribeReservedInstances,
// and the inventory's reservation matching must be tested through the SDK's
// real deserializers, with the examples AWS publishes for the aws CLI.
// Those examples are JSON shaped like the SDK's output structs; LoadJSON
// reads them into the structs and the Fake writes them back as the EC2
// Query API's XML.
//
// Requests are routed to Respond with the action, the region and the access
// key id taken from the SigV4 Authorization header, so one Fake can play
// several accounts and regions.
package ec2fake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Call is one request as the Fake saw it.
type Call struct {
	Action    string // DescribeInstances ...
	Region    string // from the SigV4 credential scope
	AccessKey string // from the SigV4 credential scope
	Form      url.Values
}

// APIError is an EC2 error response.
type APIError struct {
	Status  int // HTTP status; 400 when 0
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Fake serves EC2 Query API requests.
type Fake struct {
	// Respond returns the output of a call: a pointer to the SDK's output
	// struct (*ec2.DescribeInstancesOutput ...), or an *APIError.
	Respond func(c Call) (any, error)

	mu    sync.Mutex
	calls []Call
}

// Start serves f on a loopback httptest server, closed when the test ends.
func Start(t interface{ Cleanup(func()) }, f *Fake) *httptest.Server {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

// Calls returns the calls so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Count returns how many calls of action were made.
func (f *Fake) Count(action string) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Action == action {
			n++
		}
	}
	return n
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, &APIError{Code: "MalformedQueryString", Message: err.Error()})
		return
	}
	c := Call{Action: r.Form.Get("Action"), Form: r.Form}
	c.AccessKey, c.Region = scope(r.Header.Get("Authorization"))
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	out, err := f.Respond(c)
	if err != nil {
		ae, ok := err.(*APIError)
		if !ok {
			ae = &APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
		}
		writeError(w, ae)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake-request</requestId>`, c.Action)
	if err := encode(&b, reflect.ValueOf(out), typeName(out)); err != nil {
		writeError(w, &APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()})
		return
	}
	fmt.Fprintf(&b, "</%sResponse>", c.Action)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = w.Write(b.Bytes())
}

// scope reads "Credential=AKID/20240101/us-east-1/ec2/aws4_request" from a
// SigV4 Authorization header.
func scope(auth string) (accessKey, region string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return "", ""
	}
	return parts[0], parts[2]
}

func writeError(w http.ResponseWriter, e *APIError) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	var b bytes.Buffer
	b.WriteString(xml.Header + "<Response><Errors><Error><Code>")
	_ = xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message></Error></Errors><RequestID>fake-request</RequestID></Response>")
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// LoadJSON reads an aws CLI example (PascalCase JSON, the shape of the
// SDK's output structs) into out, e.g. a *ec2.DescribeInstancesOutput.
func LoadJSON(path string, out any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// elementNames are the Query API's names where they are not the field
// name with a lower-case first letter, by "StructType.Field".
var elementNames = map[string]string{
	"DescribeInstancesOutput.Reservations":              "reservationSet",
	"Reservation.Instances":                             "instancesSet",
	"Reservation.Groups":                                "groupSet",
	"Instance.State":                                    "instanceState",
	"Instance.PublicIpAddress":                          "ipAddress",
	"Instance.PublicDnsName":                            "dnsName",
	"Instance.StateTransitionReason":                    "reason",
	"Instance.Tags":                                     "tagSet",
	"Instance.SecurityGroups":                           "groupSet",
	"Instance.BlockDeviceMappings":                      "blockDeviceMapping",
	"Instance.NetworkInterfaces":                        "networkInterfaceSet",
	"Instance.Licenses":                                 "licenseSet",
	"DescribeReservedInstancesOutput.ReservedInstances": "reservedInstancesSet",
	"ReservedInstances.Tags":                            "tagSet",
	"DescribeInstanceTypesOutput.InstanceTypes":         "instanceTypeSet",
	"DescribeRegionsOutput.Regions":                     "regionInfo",
	"Region.Geographies":                                "geographySet",
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

var timeType = reflect.TypeFor[time.Time]()

// encode writes the fields of struct v (the content of an element).
func encode(b *bytes.Buffer, v reflect.Value, structName string) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("ec2fake: cannot encode %s", v.Type())
	}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Name == "ResultMetadata" {
			continue
		}
		name := elementNames[structName+"."+sf.Name]
		if name == "" {
			r, n := utf8.DecodeRuneInString(sf.Name)
			name = string(unicode.ToLower(r)) + sf.Name[n:]
		}
		if err := element(b, name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// element writes <name>value</name>, nothing for a nil or empty value.
func element(b *bytes.Buffer, name string, f reflect.Value) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	var text string
	switch {
	case f.Type() == timeType:
		text = f.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z")
	case f.Kind() == reflect.Struct:
		b.WriteString("<" + name + ">")
		if err := encode(b, f, f.Type().Name()); err != nil {
			return err
		}
		b.WriteString("</" + name + ">")
		return nil
	case f.Kind() == reflect.Slice:
		if f.Len() == 0 {
			return nil
		}
		b.WriteString("<" + name + ">")
		for j := range f.Len() {
			if err := element(b, "item", f.Index(j)); err != nil {
				return err
			}
		}
		b.WriteString("</" + name + ">")
		return nil
	case f.Kind() == reflect.String:
		if f.String() == "" {
			return nil
		}
		text = f.String()
	case f.Kind() == reflect.Bool:
		text = strconv.FormatBool(f.Bool())
	case f.CanInt():
		text = strconv.FormatInt(f.Int(), 10)
	case f.Kind() == reflect.Float32:
		text = strconv.FormatFloat(f.Float(), 'f', -1, 32)
	case f.Kind() == reflect.Float64:
		text = strconv.FormatFloat(f.Float(), 'f', -1, 64)
	case f.Kind() == reflect.Interface || f.Kind() == reflect.Map:
		return nil // documents and unions: not used by the EC2 shapes served here
	default:
		return fmt.Errorf("ec2fake: cannot encode %s %s", name, f.Type())
	}
	b.WriteString("<" + name + ">")
	if err := xml.EscapeText(b, []byte(text)); err != nil {
		return err
	}
	b.WriteString("</" + name + ">")
	return nil
}
