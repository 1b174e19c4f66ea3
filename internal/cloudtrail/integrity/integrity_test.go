package integrity_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity/integritytest"
	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/records"
	"github.com/aws-ingest/aws-ingest/internal/testkit"
)

const startingDigest = `{"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z","digestS3Bucket":"amzn-s3-demo-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz","digestPublicKeyFingerprint":"7F3F401420072E50A65A141430817AB3","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}`

func TestStringToSignOfAStartingDigest(t *testing.T) {
	d, err := integrity.ParseDigest([]byte(startingDigest))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(startingDigest))
	want := "2015-08-17T15:01:31Z\n" +
		"amzn-s3-demo-bucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz\n" +
		hex.EncodeToString(sum[:]) + "\nnull"
	if got := d.StringToSign(); got != want {
		t.Errorf("string to sign\n got %q\nwant %q", got, want)
	}
	if !d.Starting() || d.PublicKeyFingerprint != "7f3f401420072e50a65a141430817ab3" || len(d.LogFiles) != 0 || !d.NewestEventTime.IsZero() {
		t.Errorf("parsed %+v", d)
	}
}

func TestParseDigestRejects(t *testing.T) {
	tests := map[string]string{
		"not JSON":                     `{"awsAccountId":`,
		"no previousDigestSignature":   strings.Replace(startingDigest, `"previousDigestSignature":null,`, ``, 1),
		"no fingerprint":               strings.Replace(startingDigest, `"7F3F401420072E50A65A141430817AB3"`, `null`, 1),
		"signature not a string":       strings.Replace(startingDigest, `"previousDigestSignature":null`, `"previousDigestSignature":42`, 1),
		"bad end time":                 strings.Replace(startingDigest, `"2015-08-17T15:01:31Z"`, `"yesterday"`, 1),
		"log file without a hash":      strings.Replace(startingDigest, `"logFiles":[]`, `"logFiles":[{"s3Bucket":"b","s3Object":"k"}]`, 1),
		"a Records file, not a digest": `{"Records":[]}`,
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := integrity.ParseDigest([]byte(raw)); !errors.Is(err, integrity.ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		})
	}
}

func TestDecompress(t *testing.T) {
	raw := []byte(startingDigest)
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"gzip":            {integritytest.Gzip(raw), nil},
		"plain":           {raw, nil},
		"trailing member": {integritytest.AppendMember(integritytest.Gzip(raw)), integrity.ErrTrailingData},
		"truncated":       {integritytest.Gzip(raw)[:40], integrity.ErrFormat},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := integrity.Decompress(tc.in)
			if !errors.Is(err, tc.want) || (err == nil && !bytes.Equal(got, raw)) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKeysPKCS1AndSPKI(t *testing.T) {
	for i, s := range signers()[:2] {
		k, err := integrity.ParsePublicKey(s.DER)
		if err != nil {
			t.Fatalf("signer %d: %v", i, err)
		}
		if k.Fingerprint != s.Fingerprint || k.Key.N.Cmp(s.Priv.N) != 0 {
			t.Errorf("signer %d: fingerprint %s, want %s", i, k.Fingerprint, s.Fingerprint)
		}
	}
	if _, err := integrity.ParsePublicKey([]byte("nope")); err == nil {
		t.Error("garbage parsed as a key")
	}
	// A Fingerprint that is not the MD5 of the key is refused.
	doc := strings.Replace(string(integritytest.KeysJSON(signers()[0])), signers()[0].Fingerprint, strings.Repeat("0", 32), 1)
	if _, err := integrity.ReadKeys(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "MD5") {
		t.Errorf("a wrong Fingerprint in the file: err = %v", err)
	}
}

func TestVerifyDigestWithoutS3(t *testing.T) {
	sc, _, keys := scenario(t)
	d7 := sc.Digests["D7"]
	md := integrity.MetadataFrom(map[string]string{"Signature": d7.Metadata["signature"], "X-Amz-Meta-Signature-Algorithm": "SHA256withRSA"})
	res, err := integrity.VerifyDigest(t.Context(), integrity.Request{Bucket: d7.Bucket, Key: d7.Key, Body: d7.Body, Metadata: md}, keys)
	if err != nil || !res.Valid() || len(res.Digest.LogFiles) != 1 {
		t.Fatalf("D7: %v, %+v", err, res)
	}
	// The same bytes read from elsewhere: moved.
	res, _ = integrity.VerifyDigest(t.Context(), integrity.Request{Bucket: "other", Key: d7.Key, Body: d7.Body, Metadata: md}, keys)
	if res.Valid() || res.Problems[0].Kind != integrity.DigestMoved {
		t.Errorf("moved: %+v", res)
	}
	// Another algorithm.
	md.SignatureAlgorithm = "SHA1withRSA"
	res, _ = integrity.VerifyDigest(t.Context(), integrity.Request{Bucket: d7.Bucket, Key: d7.Key, Body: d7.Body, Metadata: md}, keys)
	if res.Valid() || res.Problems[0].Kind != integrity.DigestSignature {
		t.Errorf("algorithm: %+v", res)
	}
}

// The sum the input computes while splitting (records.Options.Hash) is the
// one the digest lists and the one HashLogFile computes.
func TestLogHashesAgreeWithTheSplitter(t *testing.T) {
	sc, _, _ := scenario(t)
	l7 := sc.Logs["L7"]
	h := sha256.New()
	if _, err := records.Split(bytes.NewReader(l7.Body), records.Options{Hash: h}, func(records.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	sum, err := integrity.HashLogFile(bytes.NewReader(l7.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		t.Errorf("splitter %x, HashLogFile %x", h.Sum(nil), sum)
	}
	if _, err := integrity.HashLogFile(bytes.NewReader(integritytest.AppendMember(l7.Body))); !errors.Is(err, integrity.ErrTrailingData) {
		t.Errorf("trailing member: %v", err)
	}
	if _, err := integrity.HashLogFile(strings.NewReader(`{"Records":[]}`)); !errors.Is(err, integrity.ErrFormat) {
		t.Errorf("not gzip: %v", err)
	}
}

func TestCompareLogFiles(t *testing.T) {
	sc, _, _ := scenario(t)
	raw, err := integrity.Decompress(sc.Digests["D6"].Body)
	if err != nil {
		t.Fatal(err)
	}
	d, err := integrity.ParseDigest(raw)
	if err != nil {
		t.Fatal(err)
	}
	ingested := map[string][sha256.Size]byte{}
	for _, name := range []string{"L6", "L7"} {
		sum, err := integrity.HashLogFile(bytes.NewReader(sc.Logs[name].Body))
		if err != nil {
			t.Fatal(err)
		}
		ingested[sc.Logs[name].Key] = sum
	}
	if valid, problems := integrity.CompareLogFiles(d, integrity.HashMap(ingested)); valid != 2 || len(problems) != 0 {
		t.Errorf("all ingested: %d valid, %v", valid, problems)
	}
	sum := ingested[sc.Logs["L6"].Key]
	sum[0] ^= 1
	ingested[sc.Logs["L6"].Key] = sum
	delete(ingested, sc.Logs["L7"].Key)
	valid, problems := integrity.CompareLogFiles(d, integrity.HashMap(ingested))
	if valid != 0 || len(problems) != 2 || problems[0].Kind != integrity.LogModified || problems[1].Kind != integrity.LogNotIngested ||
		problems[1].URL != sc.Logs["L7"].URL() || problems[1].Digest != sc.Digests["D6"].URL() {
		t.Errorf("modified and missing: %d valid, %+v", valid, problems)
	}
}

func TestAPIKeysCallsListPublicKeysOnAMiss(t *testing.T) {
	fake := &integritytest.KeyServer{Signers: signers()[:2]}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	keys := &integrity.APIKeys{API: cloudtrail.NewFromConfig(testkit.AWSConfig(srv.URL, "us-east-1"))}
	at := integritytest.Base.Add(90 * time.Minute)
	k, err := keys.PublicKey(t.Context(), strings.ToUpper(signers()[1].Fingerprint), at)
	if err != nil || k.Fingerprint != signers()[1].Fingerprint {
		t.Fatalf("key %v, err %v", k, err)
	}
	calls := fake.Calls()
	if len(calls) != 2 || calls[1].NextToken == "" || !calls[0].Start.Equal(at.Add(-time.Hour)) || !calls[0].End.Equal(at.Add(time.Hour)) {
		t.Errorf("calls %+v", calls)
	}
	if _, err := keys.PublicKey(t.Context(), signers()[0].Fingerprint, at); err != nil || len(fake.Calls()) != 2 {
		t.Errorf("cached key: err %v, %d calls", err, len(fake.Calls()))
	}
	for range 3 {
		if _, err := keys.PublicKey(t.Context(), signers()[2].Fingerprint, at); !errors.Is(err, integrity.ErrKeyNotFound) {
			t.Errorf("unknown key: %v", err)
		}
	}
	if n := len(fake.Calls()); n != 2 {
		t.Errorf("%d calls after asking for an unknown key again and again in the same hour; want the first 2 only", n)
	}
	if _, err := keys.PublicKey(t.Context(), signers()[2].Fingerprint, at.Add(3*time.Hour)); !errors.Is(err, integrity.ErrKeyNotFound) || len(fake.Calls()) != 4 {
		t.Errorf("unknown key, another hour: %v, %d calls", err, len(fake.Calls()))
	}
	// The whole walk through the API.
	sc, store, _ := scenario(t)
	rep := walk(t, sc, store, &integrity.APIKeys{API: cloudtrail.NewFromConfig(testkit.AWSConfig(srv.URL, "us-east-1"))})
	if !rep.OK() || rep.Digests.Valid != 8 {
		t.Errorf("walk with API keys: %+v", rep)
	}
}

func FuzzParseDigest(f *testing.F) {
	f.Add([]byte(startingDigest))
	f.Add([]byte(`{"digestEndTime":"2015-08-17T15:01:31Z","previousDigestSignature":"ab","logFiles":[{"s3Bucket":"b","s3Object":"k","hashValue":"00"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := integrity.ParseDigest(raw)
		if err != nil {
			if !errors.Is(err, integrity.ErrFormat) {
				t.Fatalf("error %v is not ErrFormat", err)
			}
			return
		}
		// What verification relies on holds for every accepted digest.
		if d.EndTimeText == "" || d.Bucket == "" || d.Object == "" || d.PublicKeyFingerprint == "" || d.EndTime.IsZero() {
			t.Fatalf("accepted a digest without required fields: %+v", d)
		}
		sts := d.StringToSign()
		if strings.Count(sts, "\n") < 3 || !strings.HasSuffix(sts, "\n"+map[bool]string{true: "null", false: d.PreviousSignature}[d.Starting()]) {
			t.Fatalf("string to sign %q", sts)
		}
		for _, l := range d.LogFiles {
			if l.Bucket == "" || l.Object == "" || l.HashValue == "" {
				t.Fatalf("accepted log file %+v", l)
			}
		}
	})
}
