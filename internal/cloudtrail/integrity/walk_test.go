package integrity_test

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity/integritytest"
)

// signers are generated once per test binary: 2048-bit keys take a while.
var signers = sync.OnceValue(func() []*integritytest.Signer {
	var out []*integritytest.Signer
	for i, spki := range []bool{false, true, false} {
		from := integritytest.Base.Add(time.Duration(i-1) * 30 * 24 * time.Hour)
		s, err := integritytest.NewSigner(spki, from, from.Add(31*24*time.Hour))
		if err != nil {
			panic(err)
		}
		out = append(out, s)
	}
	return out
})

// scenario returns the standard scenario in a fresh store, and the keys of
// its two signers. signers()[2] is an attacker's key.
func scenario(t *testing.T) (*integritytest.Scenario, *integritytest.Store, integrity.KeySet) {
	t.Helper()
	k := signers()
	sc := integritytest.NewScenario(k[0], k[1])
	keys, err := integrity.ReadKeys(bytes.NewReader(integritytest.KeysJSON(k[0], k[1])))
	if err != nil {
		t.Fatal(err)
	}
	return sc, integritytest.NewStore(sc.Objects), keys
}

func walk(t *testing.T, sc *integritytest.Scenario, store integrity.Store, keys integrity.KeySource) *integrity.Report {
	t.Helper()
	var streamed []integrity.Problem
	rep, err := integrity.Walk(t.Context(), integrity.WalkOptions{Bucket: sc.Bucket, AccountID: sc.Account, Region: sc.Region,
		Start: sc.Start, End: sc.End, Store: store, Keys: keys, OnProblem: func(p integrity.Problem) { streamed = append(streamed, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(streamed, rep.Problems) {
		t.Errorf("OnProblem saw %v, report has %v", streamed, rep.Problems)
	}
	return rep
}

// verdicts renders problems as "kind name" with name the scenario's name of
// the object (D3, L4 …), or the gap's hours.
func verdicts(sc *integritytest.Scenario, rep *integrity.Report) []string {
	names := map[string]string{}
	for n, o := range sc.Digests {
		names[o.URL()] = n
	}
	for n, o := range sc.Logs {
		names[o.URL()] = n
	}
	var out []string
	for _, p := range rep.Problems {
		n := names[p.URL]
		if n == "" {
			n = p.URL
		}
		if p.Kind == integrity.ChainGap {
			n = p.From.Format("15:04:05") + "-" + p.To.Format("15:04:05")
		}
		out = append(out, string(p.Kind)+" "+n)
	}
	return out
}

func TestWalkAllValid(t *testing.T) {
	sc, store, keys := scenario(t)
	rep := walk(t, sc, store, keys)
	if !rep.OK() {
		t.Fatalf("problems: %v", verdicts(sc, rep))
	}
	want := integrity.Report{Digests: integrity.Counts{Checked: 8, Valid: 8}, LogFiles: integrity.Counts{Checked: 9, Valid: 9}}
	if rep.Digests != want.Digests || rep.LogFiles != want.LogFiles || rep.Gaps != 0 {
		t.Errorf("digests %+v, log files %+v, gaps %d; want %+v, %+v", rep.Digests, rep.LogFiles, rep.Gaps, want.Digests, want.LogFiles)
	}
	if want := []string{"main-trail/us-east-1", "main-trail/us-east-1/backfill"}; !slices.Equal(rep.Chains, want) {
		t.Errorf("chains %v, want %v", rep.Chains, want)
	}
}

func TestWalkVerdicts(t *testing.T) {
	attacker := signers()[2]
	tests := []struct {
		name   string
		change func(sc *integritytest.Scenario, s *integritytest.Store)
		want   []string
		// digests and logs are the expected Counts.
		digests, logs integrity.Counts
	}{
		{
			name: "one log byte changed",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				o := s.Object(sc.Logs["L3"].Bucket, sc.Logs["L3"].Key)
				o.Body = integritytest.ChangeByte(o.Body)
			},
			want:    []string{"log_hash_mismatch L3"},
			digests: integrity.Counts{Checked: 8, Valid: 8}, logs: integrity.Counts{Checked: 9, Valid: 8, Invalid: 1},
		},
		{
			name: "a log deleted",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				s.Delete(sc.Logs["L6"].Bucket, sc.Logs["L6"].Key)
			},
			want:    []string{"log_missing L6"},
			digests: integrity.Counts{Checked: 8, Valid: 8}, logs: integrity.Counts{Checked: 9, Valid: 8, Missing: 1},
		},
		{
			name:    "a digest deleted",
			change:  func(sc *integritytest.Scenario, s *integritytest.Store) { s.Delete(sc.Bucket, sc.Digests["D6"].Key) },
			want:    []string{"digest_missing D6", "digest_chain_gap 04:30:15-05:30:15"},
			digests: integrity.Counts{Checked: 8, Valid: 7, Missing: 1}, logs: integrity.Counts{Checked: 7, Valid: 7},
		},
		{
			name: "the newest digest's signature forged",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				o := s.Object(sc.Bucket, sc.Digests["D7"].Key)
				o.Metadata["signature"] = attacker.Sign("anything")
			},
			want:    []string{"digest_signature_invalid D7"},
			digests: integrity.Counts{Checked: 8, Valid: 7, Invalid: 1}, logs: integrity.Counts{Checked: 8, Valid: 8},
		},
		{
			name: "an old digest rewritten and signed again by someone else",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				// Drop L3 from D2 and sign with a key that claims to be k1:
				// the next digest's previousDigestSignature does not match.
				o := s.Object(sc.OldBucket, sc.Digests["D2"].Key)
				forged := resign(t, o.Body, attacker, func(raw []byte) []byte {
					return bytes.Replace(raw, []byte(sc.Logs["L3"].Key), []byte(sc.Logs["L2"].Key), 1)
				})
				o.Body, o.Metadata["signature"] = forged.body, forged.sig
			},
			want:    []string{"digest_signature_invalid D2"},
			digests: integrity.Counts{Checked: 8, Valid: 7, Invalid: 1}, logs: integrity.Counts{Checked: 8, Valid: 8},
		},
		{
			name: "a digest moved to another key",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				o := s.Object(sc.Bucket, sc.Digests["D5"].Key)
				s.Delete(o.Bucket, o.Key)
				moved := *o
				moved.Key = strings.Replace(o.Key, "T043015Z", "T044515Z", 1)
				s.Put(&moved)
			},
			// The moved copy still leads to the older digests.
			want:    []string{"digest_missing D5", "digest_moved s3://acme-trail/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/111122223333_CloudTrail-Digest_us-east-1_main-trail_us-east-1_20260301T044515Z.json.gz"},
			digests: integrity.Counts{Checked: 9, Valid: 7, Invalid: 1, Missing: 1}, logs: integrity.Counts{Checked: 8, Valid: 8},
		},
		{
			name: "a digest signed with a key nobody published",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				o := s.Object(sc.Bucket, sc.Digests["D7"].Key)
				forged := resign(t, o.Body, attacker, func(raw []byte) []byte {
					return bytes.Replace(raw, []byte(signers()[1].Fingerprint), []byte(attacker.Fingerprint), 1)
				})
				o.Body, o.Metadata["signature"] = forged.body, forged.sig
			},
			want:    []string{"digest_key_not_found D7"},
			digests: integrity.Counts{Checked: 8, Valid: 7, Invalid: 1}, logs: integrity.Counts{Checked: 8, Valid: 8},
		},
		{
			name: "trailing gzip data after a log file",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				o := s.Object(sc.Logs["L4"].Bucket, sc.Logs["L4"].Key)
				o.Body = integritytest.AppendMember(o.Body)
			},
			want:    []string{"log_invalid_format L4"},
			digests: integrity.Counts{Checked: 8, Valid: 8}, logs: integrity.Counts{Checked: 9, Valid: 8, Invalid: 1},
		},
		{
			name: "a backfill digest without its generation timestamp",
			change: func(sc *integritytest.Scenario, s *integritytest.Store) {
				delete(s.Object(sc.Bucket, sc.Digests["B"].Key).Metadata, "backfill-generation-timestamp")
			},
			want:    []string{"digest_signature_invalid B"},
			digests: integrity.Counts{Checked: 8, Valid: 7, Invalid: 1}, logs: integrity.Counts{Checked: 8, Valid: 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, store, keys := scenario(t)
			tt.change(sc, store)
			rep := walk(t, sc, store, keys)
			if got := verdicts(sc, rep); !slices.Equal(got, tt.want) {
				t.Errorf("verdicts\n got %q\nwant %q", got, tt.want)
			}
			if rep.Digests != tt.digests || rep.LogFiles != tt.logs {
				t.Errorf("digests %+v, log files %+v; want %+v, %+v", rep.Digests, rep.LogFiles, tt.digests, tt.logs)
			}
			if rep.OK() {
				t.Error("OK() = true")
			}
		})
	}
}

type forgery struct {
	body []byte
	sig  string
}

// resign decompresses a digest, edits it and signs it with s the way
// CloudTrail would, keeping its previousDigestSignature.
func resign(t *testing.T, gz []byte, s *integritytest.Signer, edit func([]byte) []byte) forgery {
	t.Helper()
	raw, err := integrity.Decompress(gz)
	if err != nil {
		t.Fatal(err)
	}
	raw = edit(bytes.Clone(raw))
	d, err := integrity.ParseDigest(raw)
	if err != nil {
		t.Fatal(err)
	}
	return forgery{body: integritytest.Gzip(raw), sig: s.Sign(d.StringToSign())}
}

func TestWalkRestartIsAGap(t *testing.T) {
	k := signers()
	tr := integritytest.NewTrail("111122223333", "eu-west-1", "t", "b", k[0])
	tr.Prefix, tr.OrgID = "ct/logs", "o-abcdefghij"
	base := integritytest.Base
	tr.LogFile(base.Add(10*time.Minute), "A")
	tr.Digest(base.Add(time.Hour))
	tr.Digest(base.Add(2 * time.Hour))
	tr.Restart() // logging stopped for two hours
	tr.LogFile(base.Add(4*time.Hour+10*time.Minute), "B")
	tr.Digest(base.Add(5 * time.Hour))
	store := integritytest.NewStore(tr.Objects)
	keys := integrity.KeySet{}
	k0, err := integrity.ParsePublicKey(k[0].DER)
	if err != nil {
		t.Fatal(err)
	}
	keys.Add(k0)
	rep, err := integrity.Walk(t.Context(), integrity.WalkOptions{Bucket: "b", Prefix: "ct/logs", OrgID: "o-abcdefghij",
		AccountID: "111122223333", Region: "eu-west-1", Trail: "t", Start: base, End: base.Add(5 * time.Hour), Store: store, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Gaps != 1 || rep.Problems[0].Line() != "GAP: no digest between 2026-03-01T02:00:00Z and 2026-03-01T04:00:00Z" {
		t.Errorf("problems %v", rep.Problems)
	}
	if rep.Digests.Valid != 3 || rep.LogFiles.Valid != 2 {
		t.Errorf("digests %+v, log files %+v", rep.Digests, rep.LogFiles)
	}
	// The window excludes the first chain: no gap.
	rep, err = integrity.Walk(t.Context(), integrity.WalkOptions{Bucket: "b", Prefix: "ct/logs", OrgID: "o-abcdefghij",
		AccountID: "111122223333", Region: "eu-west-1", Start: base.Add(3 * time.Hour), End: base.Add(5 * time.Hour), Store: store, Keys: keys})
	if err != nil || !rep.OK() || rep.Digests.Valid != 1 {
		t.Errorf("later window: %v, %+v", err, rep)
	}
}
