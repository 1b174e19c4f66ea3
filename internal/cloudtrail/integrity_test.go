package cloudtrail

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cloudtrailapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity/integritytest"
	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

// With validate_integrity, a digest arriving on the queue is verified
// against the hashes of the log files the input ingested.
func TestDigestsAreVerifiedAgainstIngestedFiles(t *testing.T) {
	for _, tampered := range []bool{false, true} {
		signer, err := integritytest.NewSigner(false, integritytest.Base.Add(-time.Hour), integritytest.Base.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		trail := integritytest.NewTrail("123456789012", "us-east-1", "acme", "trail-bucket", signer)
		l1 := trail.LogFile(integritytest.Base.Add(10*time.Minute), "RunInstances", "CreateUser")
		l2 := trail.LogFile(integritytest.Base.Add(20*time.Minute), "ConsoleLogin")
		digest := trail.Digest(integritytest.Base.Add(time.Hour))
		keys := httptest.NewServer(&integritytest.KeyServer{Signers: []*integritytest.Signer{signer}})
		defer keys.Close()

		h := newHarness(t, nil)
		h.objects.put(l1.Bucket, l1.Key, l1.Body)
		body := l2.Body
		if tampered {
			body = integritytest.ChangeByte(body) // someone edited the file before it was read
		}
		h.objects.put(l2.Bucket, l2.Key, body)
		h.objects.put(digest.Bucket, digest.Key, digest.Body)
		h.objects.meta[digest.Bucket+"/"+digest.Key] = digest.Metadata

		cfg := h.config()
		cfg.ValidateIntegrity = true
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		log := slog.New(slog.NewTextHandler(h.logs, nil))
		go func() {
			done <- Run(ctx, cfg, Deps{Queue: h.sqs, Objects: h.objects, Checkpoints: h.cps, Events: h.sink, Log: log,
				PublicKeys: cloudtrailapi.NewFromConfig(testkit.AWSConfig(keys.URL, "us-east-1"))})
		}()
		h.send(ctNotification("trail-bucket", l1.Key, l2.Key))
		h.waitFor("the log files", func() bool { return h.deleted() == 1 })
		h.send(ctNotification("trail-bucket", digest.Key))
		h.waitFor("the digest", func() bool { return h.deleted() == 2 })

		var verdicts []map[string]any
		for _, ev := range h.sink.events() {
			if ev.Sourcetype == IntegritySourcetype {
				var m map[string]any
				if err := json.Unmarshal(ev.Data, &m); err != nil {
					t.Fatal(err)
				}
				verdicts = append(verdicts, m)
			}
		}
		if len(verdicts) == 0 {
			t.Fatalf("tampered=%v: no integrity events; log:\n%s", tampered, h.logs.String())
		}
		summary := verdicts[0]
		if tampered {
			if summary["valid"] != false || summary["log_files_valid"] != float64(1) || len(verdicts) != 2 ||
				!strings.Contains(verdicts[1]["line"].(string), l2.Key) {
				t.Errorf("tampered: verdicts = %v", verdicts)
			}
		} else if summary["valid"] != true || summary["log_files"] != float64(2) || summary["log_files_valid"] != float64(2) || len(verdicts) != 1 {
			t.Errorf("valid chain: verdicts = %v", verdicts)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// With CloudTrail's own SNS notifications digests never arrive on the
// queue: the input lists the digest folders of the log files it ingested.
func TestUnannouncedDigestsAreFoundByListing(t *testing.T) {
	signer, err := integritytest.NewSigner(false, integritytest.Base.Add(-time.Hour), integritytest.Base.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	trail := integritytest.NewTrail("123456789012", "us-east-1", "acme", "trail-bucket", signer)
	l1 := trail.LogFile(integritytest.Base.Add(10*time.Minute), "RunInstances")
	digest := trail.Digest(integritytest.Base.Add(time.Hour))
	keys := httptest.NewServer(&integritytest.KeyServer{Signers: []*integritytest.Signer{signer}})
	defer keys.Close()
	h := newHarness(t, nil)
	h.objects.put(l1.Bucket, l1.Key, l1.Body)
	h.objects.put(digest.Bucket, digest.Key, digest.Body)
	h.objects.meta[digest.Bucket+"/"+digest.Key] = digest.Metadata
	cfg := h.config()
	cfg.ValidateIntegrity, cfg.DigestSweepInterval = true, 20*time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cfg, Deps{Queue: h.sqs, Objects: h.objects, Checkpoints: h.cps, Events: h.sink,
			Log: slog.New(slog.NewTextHandler(h.logs, nil)), PublicKeys: cloudtrailapi.NewFromConfig(testkit.AWSConfig(keys.URL, "us-east-1"))})
	}()
	h.send(ctNotification("trail-bucket", l1.Key)) // no message names the digest
	h.waitFor("the digest's verdict", func() bool {
		for _, ev := range h.sink.events() {
			if ev.Sourcetype == IntegritySourcetype && strings.Contains(string(ev.Data), `"valid":true`) && strings.Contains(string(ev.Data), `"log_files_valid":1`) {
				return true
			}
		}
		return false
	})
	time.Sleep(100 * time.Millisecond) // more sweeps: the digest must not be verified twice
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range h.sink.events() {
		if ev.Sourcetype == IntegritySourcetype {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d integrity events, want the digest verified once", n)
	}
}

// A digest is also checked one link back: the previous digest must exist
// and be what the newer one signed over.
func TestDigestChainIsFollowedOneLink(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{{"intact", ""}, {"previous deleted", "digest_missing"}, {"previous rewritten", "digest_signature_invalid"}} {
		t.Run(tc.name, func(t *testing.T) {
			signer, err := integritytest.NewSigner(false, integritytest.Base.Add(-time.Hour), integritytest.Base.Add(48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			trail := integritytest.NewTrail("123456789012", "us-east-1", "acme", "trail-bucket", signer)
			d1 := trail.Digest(integritytest.Base.Add(time.Hour))
			l := trail.LogFile(integritytest.Base.Add(70*time.Minute), "RunInstances")
			d2 := trail.Digest(integritytest.Base.Add(2 * time.Hour))
			keys := httptest.NewServer(&integritytest.KeyServer{Signers: []*integritytest.Signer{signer}})
			defer keys.Close()
			h := newHarness(t, nil)
			h.objects.put(l.Bucket, l.Key, l.Body)
			switch tc.name {
			case "intact":
				h.objects.put(d1.Bucket, d1.Key, d1.Body)
			case "previous rewritten":
				h.objects.put(d1.Bucket, d1.Key, integritytest.ChangeByte(d1.Body))
			}
			h.objects.put(d2.Bucket, d2.Key, d2.Body)
			h.objects.meta[d2.Bucket+"/"+d2.Key] = d2.Metadata
			cfg := h.config()
			cfg.ValidateIntegrity = true
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				done <- Run(ctx, cfg, Deps{Queue: h.sqs, Objects: h.objects, Checkpoints: h.cps, Events: h.sink,
					Log: slog.New(slog.NewTextHandler(h.logs, nil)), PublicKeys: cloudtrailapi.NewFromConfig(testkit.AWSConfig(keys.URL, "us-east-1"))})
			}()
			h.send(ctNotification("trail-bucket", l.Key))
			h.waitFor("the log file", func() bool { return h.deleted() == 1 })
			h.send(ctNotification("trail-bucket", d2.Key))
			h.waitFor("the digest", func() bool { return h.deleted() == 2 })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, ev := range h.sink.events() {
				var m map[string]any
				if ev.Sourcetype == IntegritySourcetype && json.Unmarshal(ev.Data, &m) == nil && m["problem"] != nil {
					problems = append(problems, m["problem"].(string)+" "+m["url"].(string))
				}
			}
			switch {
			case tc.want == "" && len(problems) != 0:
				t.Errorf("problems %v, want none", problems)
			case tc.want != "" && (len(problems) != 1 || !strings.HasPrefix(problems[0], tc.want+" s3://trail-bucket/"+d1.Key)):
				t.Errorf("problems %v, want one %s naming %s", problems, tc.want, d1.Key)
			}
		})
	}
}
