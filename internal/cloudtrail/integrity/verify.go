package integrity

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind names a verdict. The values are stable: they appear in JSON output
// and in integrity events.
type Kind string

// Verdicts about digests.
const (
	DigestFormat    Kind = "digest_invalid_format"
	DigestMoved     Kind = "digest_moved"             // digestS3Bucket/Object is not where it was read
	DigestNotFound  Kind = "digest_missing"           // a chain points at a digest that is not there
	DigestSignature Kind = "digest_signature_invalid" // bad or missing signature, unknown algorithm
	DigestNoKey     Kind = "digest_key_not_found"     // no public key with its fingerprint
	ChainGap        Kind = "digest_chain_gap"         // a chain starts again: no digest for a while
)

// Verdicts about log files.
const (
	LogNotFound    Kind = "log_missing"        // listed in a digest, not in S3
	LogModified    Kind = "log_hash_mismatch"  // its SHA-256 is not the digest's
	LogFormat      Kind = "log_invalid_format" // not gzip, damaged, or trailing data
	LogNotIngested Kind = "log_never_ingested" // CompareLogFiles: listed, not ingested
)

// Problem is one finding.
type Problem struct {
	Kind Kind `json:"kind"`
	// URL is the object concerned, s3://bucket/key ("" for a gap).
	URL    string `json:"url,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Digest is the digest that lists a log file, for log problems.
	Digest string `json:"digest,omitempty"`
	// From and To bound a gap.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Line is the problem as one line of text output.
func (p Problem) Line() string {
	var what string
	switch p.Kind {
	case ChainGap:
		return fmt.Sprintf("GAP: no digest between %s and %s", p.From.UTC().Format(time.RFC3339), p.To.UTC().Format(time.RFC3339))
	case DigestFormat, LogFormat:
		what = "invalid format"
	case DigestMoved:
		what = "moved from its original location"
	case DigestNotFound, LogNotFound:
		what = "not found"
	case DigestSignature:
		what = "signature verification failed"
	case DigestNoKey:
		what = "signature: public key not found"
	case LogModified:
		what = "hash mismatch"
	case LogNotIngested:
		what = "never ingested"
	default:
		what = string(p.Kind)
	}
	s := "INVALID: " + what + " " + p.URL
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// Metadata is the S3 user metadata of a digest object.
type Metadata struct {
	Signature          string // hex; x-amz-meta-signature
	SignatureAlgorithm string // x-amz-meta-signature-algorithm
	// BackfillGenerationTimestamp is required on backfill digests; it says
	// when the backfill digest was signed, so which key to use.
	BackfillGenerationTimestamp string
}

// MetadataFrom picks the digest metadata out of the S3 SDK's Metadata map
// (keys without the x-amz-meta- prefix, any case).
func MetadataFrom(m map[string]string) Metadata {
	var md Metadata
	for k, v := range m {
		switch strings.ToLower(strings.TrimPrefix(strings.ToLower(k), "x-amz-meta-")) {
		case "signature":
			md.Signature = v
		case "signature-algorithm":
			md.SignatureAlgorithm = v
		case "backfill-generation-timestamp":
			md.BackfillGenerationTimestamp = v
		}
	}
	return md
}

// SignatureAlgorithm is the only algorithm CloudTrail uses.
const SignatureAlgorithm = "SHA256withRSA"

// Request is one digest to verify.
type Request struct {
	// Bucket and Key are where the digest was read. Empty skips the
	// location check (a file given without its origin).
	Bucket, Key string
	// Body is the object as stored (gzip).
	Body []byte
	// Signature is the hex signature to check: the object's metadata for
	// the newest digest of a chain, the newer digest's
	// previousDigestSignature for the others. Empty means Metadata.Signature.
	Signature string
	Metadata  Metadata
	// Backfill marks a backfill digest: the key is looked up around
	// Metadata.BackfillGenerationTimestamp instead of digestEndTime.
	Backfill bool
}

// Result is the verdict on one digest. Digest is nil when the file could
// not be parsed. Problems is empty when the digest is valid; its log files
// are not checked here.
type Result struct {
	Digest   *Digest
	Problems []Problem
}

// Valid reports whether no problem was found.
func (r Result) Valid() bool { return len(r.Problems) == 0 }

// VerifyDigest checks one digest: that it parses, that it names the place
// it was read from, and its signature with the key its fingerprint names.
// It needs no S3 access: the caller passes the object and its metadata.
// The error is for what prevents a verdict (ctx, a failing key API); a bad
// digest is a Result with Problems.
func VerifyDigest(ctx context.Context, req Request, keys KeySource) (Result, error) {
	url := ""
	if req.Key != "" {
		url = s3URL(req.Bucket, req.Key)
	}
	fail := func(r Result, k Kind, format string, args ...any) (Result, error) {
		r.Problems = append(r.Problems, Problem{Kind: k, URL: url, Detail: fmt.Sprintf(format, args...)})
		return r, nil
	}
	raw, err := Decompress(req.Body)
	if err != nil {
		return fail(Result{}, DigestFormat, "%v", err)
	}
	d, err := ParseDigest(raw)
	if err != nil {
		return fail(Result{}, DigestFormat, "%v", err)
	}
	r := Result{Digest: d}
	if req.Key == "" {
		url = d.URL()
	}
	if req.Key != "" && (d.Bucket != req.Bucket || d.Object != req.Key) {
		// The signature covers the original location: a digest copied
		// elsewhere is a different claim. CloudTrail's own tool stops here.
		return fail(r, DigestMoved, "it says %s", d.URL())
	}
	sig := req.Signature
	if sig == "" {
		sig = req.Metadata.Signature
	}
	if sig == "" {
		return fail(r, DigestSignature, "no signature in the object metadata")
	}
	if alg := req.Metadata.SignatureAlgorithm; alg != "" && alg != SignatureAlgorithm {
		return fail(r, DigestSignature, "unsupported signature algorithm %q", alg)
	}
	if d.SignatureAlgorithm != "" && d.SignatureAlgorithm != SignatureAlgorithm {
		return fail(r, DigestSignature, "unsupported signature algorithm %q", d.SignatureAlgorithm)
	}
	at := d.EndTime
	if req.Backfill {
		ts := req.Metadata.BackfillGenerationTimestamp
		t, err := parseTimestamp(ts)
		if err != nil {
			return fail(r, DigestSignature, "backfill digest without a valid backfill-generation-timestamp metadata (%q)", ts)
		}
		at = t
	}
	key, err := keys.PublicKey(ctx, d.PublicKeyFingerprint, at)
	if errors.Is(err, ErrKeyNotFound) {
		return fail(r, DigestNoKey, "%v", err)
	}
	if err != nil {
		return r, err
	}
	if err := VerifySignature(d, sig, key); err != nil {
		return fail(r, DigestSignature, "%v", err)
	}
	return r, nil
}

// VerifySignature checks sig (hex) over d's string to sign with key.
func VerifySignature(d *Digest, sig string, key *PublicKey) error {
	b, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return fmt.Errorf("signature is not hex: %w", err)
	}
	sum := sha256.Sum256([]byte(d.StringToSign()))
	if err := rsa.VerifyPKCS1v15(key.Key, crypto.SHA256, sum[:], b); err != nil {
		return fmt.Errorf("key %s: %w", key.Fingerprint, err)
	}
	return nil
}

// parseTimestamp reads a metadata timestamp. AWS does not document the
// format of backfill-generation-timestamp; accept the plausible ones.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "20060102T150405Z", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil && sec > 0 {
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}
