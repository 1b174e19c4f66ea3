package setup

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var threeRegions = []string{"eu-west-1", "us-east-1", "us-west-2"}

func perRegion() Options {
	return Options{AccountName: "acme", Bucket: "acme-trail", CreateBucket: true, QueueRegion: "us-west-2",
		AllRegions: true, GlobalRegion: "us-east-1", Mode: PerRegion}
}

func multiRegion() Options {
	return Options{AccountName: "acme", Bucket: "acme-trail", QueueRegion: "us-west-2",
		GlobalRegion: "us-east-1", Mode: MultiRegion, KMSKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}
}

func TestDryRunGolden(t *testing.T) {
	for name, o := range map[string]Options{"dry-run-per-region.txt": perRegion(), "dry-run-multi-region.txt": multiRegion()} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAWS(threeRegions...)
			o.DryRun = true
			var out bytes.Buffer
			if err := Run(t.Context(), f.clients(), o, &out); err != nil {
				t.Fatal(err)
			}
			if len(f.calls) != 0 {
				t.Errorf("dry run changed something: %v", f.calls)
			}
			golden(t, name, out.Bytes())
		})
	}
}

// run runs setup against f and returns its step lines (without the
// follow-up) as "outcome what" with single spaces.
func run(t *testing.T, f *fakeAWS, o Options) []string {
	t.Helper()
	var out bytes.Buffer
	if err := Run(t.Context(), f.clients(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	head, _, _ := strings.Cut(out.String(), "\n\n")
	var lines []string
	for l := range strings.SplitSeq(head, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return lines
}

func outcomes(lines []string) map[string]int {
	n := map[string]int{}
	for _, l := range lines {
		o, _, _ := strings.Cut(l, " ")
		n[o]++
	}
	return n
}

func TestRunIdempotentAndFixesDrift(t *testing.T) {
	for name, o := range map[string]Options{"per-region": perRegion(), "multi-region": multiRegion()} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAWS(threeRegions...)
			if !o.CreateBucket {
				f.buckets[o.Bucket] = ""
			}
			first := run(t, f, o)
			if n := outcomes(first); n[Created]+n[Updated] != len(first) || (o.KMSKeyID != "") != (n[Updated] == 1) {
				t.Errorf("first run: want everything created (the key's policy updated):\n%s", strings.Join(first, "\n"))
			}
			if o.KMSKeyID != "" && (!strings.Contains(f.keyPolicy, "Enable IAM User Permissions") || !strings.Contains(f.keyPolicy, sidKeyEncrypt)) {
				t.Errorf("key policy: %s", f.keyPolicy)
			}
			trails := 1
			if o.Mode == PerRegion {
				trails = 3
			}
			if len(f.trails) != trails || len(f.subs) != trails || len(f.topics) != trails || len(f.queues) != 2 {
				t.Errorf("trails %d, subscriptions %d, topics %d, queues %d", len(f.trails), len(f.subs), len(f.topics), len(f.queues))
			}
			for key, tr := range f.trails {
				global := key == "us-east-1/acme-cloudtrail"
				if !aws.ToBool(tr.LogFileValidationEnabled) || aws.ToBool(tr.IncludeGlobalServiceEvents) != global ||
					aws.ToBool(tr.IsMultiRegionTrail) != (o.Mode == MultiRegion) || !f.logging[key] {
					t.Errorf("trail %s: %+v, logging %v", key, tr, f.logging[key])
				}
			}
			var redrive map[string]any
			_ = json.Unmarshal([]byte(f.queues["acme-cloudtrail"]["RedrivePolicy"]), &redrive)
			if redrive["deadLetterTargetArn"] != "arn:aws:sqs:us-west-2:"+fakeAccount+":acme-cloudtrail-dlq" || redrive["maxReceiveCount"] != 5.0 {
				t.Errorf("redrive policy %v", redrive)
			}
			if f.queues["acme-cloudtrail-dlq"]["MessageRetentionPeriod"] != "1209600" {
				t.Errorf("dlq %v", f.queues["acme-cloudtrail-dlq"])
			}

			before := maps.Clone(f.calls)
			second := run(t, f, o)
			if n := outcomes(second); n[Exists] != len(second) {
				t.Errorf("second run: want everything to exist:\n%s", strings.Join(second, "\n"))
			}
			if !maps.Equal(before, f.calls) {
				t.Errorf("second run changed something: %v → %v", before, f.calls)
			}

			// Drift: a deleted subscription, a shortened retention, validation
			// turned off, logging stopped, the bucket policy replaced.
			topic := "arn:aws:sns:us-east-1:" + fakeAccount + ":acme-cloudtrail"
			f.subs[topic] = nil
			f.queues["acme-cloudtrail"]["MessageRetentionPeriod"] = "345600"
			f.trails["us-east-1/acme-cloudtrail"].LogFileValidationEnabled = aws.Bool(false)
			f.logging["us-east-1/acme-cloudtrail"] = false
			f.buckets[o.Bucket] = `{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::acme-trail"}]}`
			third := run(t, f, o)
			want := []string{
				"updated s3 bucket policy acme-trail (CloudTrail statements)",
				"updated sqs queue us-west-2 acme-cloudtrail (MessageRetentionPeriod)",
				"created sns subscription us-east-1 acme-cloudtrail -> arn:aws:sqs:us-west-2:" + fakeAccount + ":acme-cloudtrail",
				"updated cloudtrail trail us-east-1 acme-cloudtrail (log file validation; logging started)",
			}
			var changed []string
			for _, l := range third {
				if !strings.HasPrefix(l, Exists+" ") {
					changed = append(changed, l)
				}
			}
			if strings.Join(changed, "\n") != strings.Join(want, "\n") {
				t.Errorf("drift run changed:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
			}
			if !strings.Contains(f.buckets[o.Bucket], `"Sid":"Theirs"`) {
				t.Errorf("the bucket's own statement was dropped: %s", f.buckets[o.Bucket])
			}
			if n := outcomes(run(t, f, o)); n[Exists] != len(third) {
				t.Errorf("fourth run is not a no-op: %v", n)
			}
		})
	}
}

func TestRunMissingBucket(t *testing.T) {
	f := newFakeAWS(threeRegions...)
	var out bytes.Buffer
	err := Run(t.Context(), f.clients(), multiRegion(), &out)
	if err == nil || !strings.Contains(err.Error(), "--create-bucket") {
		t.Fatalf("err %v", err)
	}
	if len(f.calls) != 0 {
		t.Errorf("changed %v before failing", f.calls)
	}
}

func TestPlanGlobalRegionMustBeATrailRegion(t *testing.T) {
	o := perRegion()
	o.AllRegions, o.Regions = false, []string{"eu-west-1", "us-west-2"}
	if _, err := plan(t.Context(), newFakeAWS().clients(), o); err == nil {
		t.Fatal("want an error: us-east-1 records global events but has no trail")
	}
}

func TestMergePolicy(t *testing.T) {
	ours := TopicPolicyStatements("arn:aws:sns:us-east-1:1:t", []string{"arn:aws:cloudtrail:us-east-1:1:trail/x"})
	oursJSON := Document{Version: policyVersion, Statement: ours}.Compact()
	tests := []struct {
		name, existing string
		changed        bool
		contains       []string
	}{
		{"none", "", true, []string{sidTopic}},
		{"same", oursJSON, false, nil},
		{"same, reformatted with one-element lists", `{"Statement":[{"Sid":"` + sidTopic + `","Effect":"Allow","Principal":{"Service":["cloudtrail.amazonaws.com"]},"Action":["SNS:Publish"],"Resource":"arn:aws:sns:us-east-1:1:t","Condition":{"StringEquals":{"aws:SourceArn":["arn:aws:cloudtrail:us-east-1:1:trail/x"]}}}],"Version":"2012-10-17"}`, false, nil},
		{"other statement kept", `{"Version":"2008-10-17","Id":"x","Statement":{"Sid":"default","Effect":"Allow","Action":"SNS:Subscribe","Resource":"*"}}`, true, []string{`"Sid":"default"`, sidTopic, `"Id":"x"`, `"Version":"2008-10-17"`}},
		{"ours outdated", strings.Replace(oursJSON, "trail/x", "trail/old", 1), true, []string{"trail/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, changed, err := mergePolicy(tt.existing, ours)
			if err != nil || changed != tt.changed {
				t.Fatalf("changed %v, err %v; want changed %v", changed, err, tt.changed)
			}
			for _, s := range tt.contains {
				if !strings.Contains(doc, s) {
					t.Errorf("%s lacks %s", doc, s)
				}
			}
			if strings.Contains(doc, "trail/old") || strings.Count(doc, sidTopic) != 1 {
				t.Errorf("ours not replaced in place: %s", doc)
			}
		})
	}
	if _, _, err := mergePolicy("{not json", ours); err == nil {
		t.Error("want an error for a broken policy")
	}
}

func TestShell(t *testing.T) {
	for in, want := range map[string]string{"plain-arg_1.x": "plain-arg_1.x", "": "''", `{"a":1}`: `'{"a":1}'`, "it's": `'it'\''s'`} {
		if got := shell(in); got != want {
			t.Errorf("shell(%q) = %s, want %s", in, got, want)
		}
	}
}
