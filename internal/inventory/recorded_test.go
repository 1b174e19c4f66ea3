package inventory

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aws-ingest/aws-ingest/internal/inventory/ec2fake"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const examples = "testdata/aws-cli-examples"

// recorded serves the AWS CLI documentation's recorded EC2 responses (and
// variations of them) for two accounts, each told apart by its access key.
type recorded struct {
	instances types.Instance // the t3.nano of describe-instances.output.json
	zonal     types.ReservedInstances
	all       types.ReservedInstances
	types     ec2.DescribeInstanceTypesOutput
}

func loadRecorded(t *testing.T) recorded {
	t.Helper()
	var di ec2.DescribeInstancesOutput
	var zonal, all ec2.DescribeReservedInstancesOutput
	var r recorded
	for path, out := range map[string]any{
		"describe-instances.output.json":              &di,
		"describe-reserved-instances.output.json":     &zonal,
		"describe-reserved-instances-all.output.json": &all,
		"describe-instance-types.output.json":         &r.types,
	} {
		if err := ec2fake.LoadJSON(filepath.Join(examples, path), out); err != nil {
			t.Fatal(err)
		}
	}
	r.instances = di.Reservations[0].Instances[0]
	r.zonal, r.all = zonal.ReservedInstances[0], all.ReservedInstances[0]
	return r
}

// like returns a copy of the recorded instance with another id, type and
// zone.
func (r recorded) like(id, typ, az string) types.Instance {
	in := r.instances
	in.InstanceId, in.InstanceType = aws.String(id), types.InstanceType(typ)
	p := *in.Placement
	p.AvailabilityZone = aws.String(az)
	in.Placement = &p
	return in
}

const (
	webKey   = "AKIAWEB0000000000000"
	batchKey = "AKIABATCH00000000000"
)

func (r recorded) respond(c ec2fake.Call) (any, error) {
	who := map[string]string{webKey: "web", batchKey: "batch"}[c.AccessKey] + "/" + c.Region
	reservation := func(ins ...types.Instance) (any, error) {
		return &ec2.DescribeInstancesOutput{Reservations: []types.Reservation{{
			OwnerId: aws.String("111111111111"), ReservationId: aws.String("r-1234567890abcdefg"), Instances: ins}}}, nil
	}
	switch c.Action {
	case "DescribeInstances":
		switch who {
		case "web/us-east-2":
			return reservation(r.instances)
		case "web/us-east-1":
			return reservation(r.like("i-0e1000000000000a1", "t2.micro", "us-east-1e"), r.like("i-0e1000000000000a2", "t2.micro", "us-east-1e"))
		case "web/us-west-1":
			return reservation(r.like("i-0c1000000000000b1", "m3.medium", "us-west-1c"))
		case "batch/us-east-1":
			return reservation(r.like("i-0ba000000000000c1", "t2.micro", "us-east-1e"),
				r.like("i-0ba000000000000c2", "m5.large", "us-east-1a"), r.like("i-0ba000000000000c3", "m5.large", "us-east-1b"))
		case "batch/us-west-1":
			return nil, &ec2fake.APIError{Status: http.StatusForbidden, Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}
		}
		return &ec2.DescribeInstancesOutput{}, nil
	case "DescribeReservedInstances":
		if c.Form.Get("Filter.1.Name") != "state" || c.Form.Get("Filter.1.Value.1") != "active" {
			return nil, &ec2fake.APIError{Code: "TestFailure", Message: "the inventory must ask for active reservations only"}
		}
		out := &ec2.DescribeReservedInstancesOutput{}
		switch who {
		case "web/us-east-1":
			out.ReservedInstances = []types.ReservedInstances{r.zonal}
		case "web/us-west-1":
			out.ReservedInstances = []types.ReservedInstances{r.all}
		case "batch/us-east-1":
			regional := r.zonal
			regional.ReservedInstancesId = aws.String("f127bd27-edb7-44c9-a0eb-0d7e0925regio")
			regional.InstanceType, regional.Scope, regional.AvailabilityZone = "m5.xlarge", types.ScopeRegional, nil
			out.ReservedInstances = []types.ReservedInstances{regional}
		case "batch/us-west-1":
			return nil, &ec2fake.APIError{Status: http.StatusForbidden, Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}
		}
		return out, nil
	case "DescribeInstanceTypes":
		return &r.types, nil
	}
	return nil, &ec2fake.APIError{Code: "InvalidAction", Message: c.Action}
}

// TestRecordedResponses runs a pass through the real EC2 client against
// recorded responses: reservations (which moto lacks), matching across
// accounts, a failing region, events and lookups, compared with
// testdata/recorded.golden (go test -update rewrites it).
func TestRecordedResponses(t *testing.T) {
	rec := loadRecorded(t)
	fake := &ec2fake.Fake{Respond: rec.respond}
	srv := ec2fake.Start(t, fake)
	dir := t.TempDir()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

	conn := &awsConnector{
		base:        testkit.AWSConfig(srv.URL, "us-east-1"),
		ec2Endpoint: srv.URL,
		access: map[string]access{
			"111111111111": {keyID: webKey, secretKey: "web-secret"},
			"222222222222": {keyID: batchKey, secretKey: "batch-secret"},
		},
	}
	regions := []string{"us-east-1", "us-east-2", "us-west-1"}
	accounts := []Account{{ID: "111111111111", Name: "web", Regions: regions}, {ID: "222222222222", Name: "batch", Regions: regions}}
	var log bytes.Buffer
	events := &sink{}
	c := &Collector{Connector: conn, Events: events, Log: slog.New(modinput.NewLogHandler(&log, slog.LevelInfo)),
		Stanza: "aws_ingest_inventory://recorded", LookupDir: dir, Types: &TypeCache{Dir: dir, Now: func() time.Time { return now }},
		Now: func() time.Time { return now }}
	sum, err := c.Run(context.Background(), accounts)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if sum.Collected != 5 || sum.Instances != 7 || sum.Reservations != 3 {
		t.Errorf("summary = %+v", sum)
	}
	if n := fake.Count("DescribeInstanceTypes"); n != 3 {
		t.Errorf("DescribeInstanceTypes called %d times, want once per region", n)
	}

	var got bytes.Buffer
	got.WriteString("# WARN lines\n")
	var warns []string
	for line := range strings.SplitSeq(log.String(), "\n") {
		if strings.HasPrefix(line, "WARN") {
			warns = append(warns, line)
		}
	}
	slices.Sort(warns)
	for _, w := range warns {
		got.WriteString(w + "\n")
	}
	got.WriteString("\n# events (aws:ec2:instance sorted; the others in the order written)\n")
	var instances []string
	for _, e := range events.events {
		line := fmt.Sprintf("%s %s %s %s", e.Time.UTC().Format(time.RFC3339), e.Sourcetype, e.Source, e.Data)
		if e.Sourcetype == SourcetypeInstance {
			instances = append(instances, line)
		}
	}
	slices.Sort(instances)
	for _, l := range instances {
		got.WriteString(l + "\n")
	}
	for _, e := range events.events {
		if e.Sourcetype != SourcetypeInstance {
			fmt.Fprintf(&got, "%s %s %s %s\n", e.Time.UTC().Format(time.RFC3339), e.Sourcetype, e.Source, e.Data)
		}
	}
	for _, name := range []string{InstancesLookup, TypesLookup} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "\n# %s\n%s", name, data)
	}
	golden(t, "testdata/recorded.golden", got.Bytes())
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}
