package integrity

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrFormat reports a digest or log file that cannot be read as one: not
// gzip, damaged, not the expected JSON, a required field missing.
var ErrFormat = errors.New("invalid format")

// ErrTrailingData reports bytes after the first gzip member of a file.
// CloudTrail writes one member; anything after it was added by someone else.
var ErrTrailingData = errors.New("unexpected data after the end of the compressed stream")

// MaxDigestBytes bounds a decompressed digest. A real one lists the log
// files of one hour of one region (a few hundred bytes each), so even a
// very busy trail stays far below it.
const MaxDigestBytes = 64 << 20

// Digest is a parsed digest file.
type Digest struct {
	AccountID string
	// StartTime and EndTime are the hour the digest covers. EndTimeText is
	// digestEndTime exactly as written, which is what is signed.
	StartTime, EndTime time.Time
	EndTimeText        string
	// Bucket and Object are where CloudTrail wrote the digest
	// (digestS3Bucket, digestS3Object).
	Bucket, Object       string
	PublicKeyFingerprint string
	SignatureAlgorithm   string
	// NewestEventTime and OldestEventTime are zero for a digest that lists
	// no log file.
	NewestEventTime, OldestEventTime time.Time
	// PreviousBucket, PreviousObject and PreviousSignature point at the
	// previous digest; all are "" for a starting digest (JSON null).
	PreviousBucket, PreviousObject string
	PreviousSignature              string
	PreviousHashValue              string
	PreviousHashAlgorithm          string
	LogFiles                       []LogFile
	// SHA256 is the hash of the decompressed digest bytes as stored.
	SHA256 [sha256.Size]byte
}

// LogFile is one entry of a digest's logFiles.
type LogFile struct {
	Bucket, Object  string
	HashValue       string // lowercase hex SHA-256 of the decompressed file
	HashAlgorithm   string // "SHA-256"
	NewestEventTime time.Time
	OldestEventTime time.Time
}

// URL is s3://bucket/object.
func (l LogFile) URL() string { return s3URL(l.Bucket, l.Object) }

// URL is s3://bucket/object of the digest as it names itself.
func (d *Digest) URL() string { return s3URL(d.Bucket, d.Object) }

// Starting reports whether the digest starts a chain (previous fields null).
func (d *Digest) Starting() bool { return d.PreviousSignature == "" }

func s3URL(bucket, key string) string { return "s3://" + bucket + "/" + key }

// StringToSign is the exact string CloudTrail signs for this digest.
func (d *Digest) StringToSign() string {
	prev := d.PreviousSignature
	if prev == "" {
		prev = "null"
	}
	return d.EndTimeText + "\n" + d.Bucket + "/" + d.Object + "\n" + hex.EncodeToString(d.SHA256[:]) + "\n" + prev
}

// Decompress returns the decompressed bytes of a digest object: the first
// gzip member, or the bytes themselves when they are not gzip (a digest
// copied uncompressed). Data after the first member is ErrTrailingData.
func Decompress(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	br := bufio.NewReader(bytes.NewReader(b))
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	zr.Multistream(false)
	raw, err := io.ReadAll(io.LimitReader(zr, MaxDigestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	if len(raw) > MaxDigestBytes {
		return nil, fmt.Errorf("%w: digest larger than %d bytes", ErrFormat, MaxDigestBytes)
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, ErrTrailingData
	}
	return raw, nil
}

// wire is the JSON layout. Nullable strings are pointers; fields whose
// presence matters are raw.
type wire struct {
	AccountID             string          `json:"awsAccountId"`
	StartTime             *string         `json:"digestStartTime"`
	EndTime               *string         `json:"digestEndTime"`
	Bucket                *string         `json:"digestS3Bucket"`
	Object                *string         `json:"digestS3Object"`
	Fingerprint           *string         `json:"digestPublicKeyFingerprint"`
	SignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime       *string         `json:"newestEventTime"`
	OldestEventTime       *string         `json:"oldestEventTime"`
	PreviousBucket        *string         `json:"previousDigestS3Bucket"`
	PreviousObject        *string         `json:"previousDigestS3Object"`
	PreviousHashValue     *string         `json:"previousDigestHashValue"`
	PreviousHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousSignature     json.RawMessage `json:"previousDigestSignature"`
	LogFiles              []struct {
		Bucket          string  `json:"s3Bucket"`
		Object          string  `json:"s3Object"`
		HashValue       string  `json:"hashValue"`
		HashAlgorithm   string  `json:"hashAlgorithm"`
		NewestEventTime *string `json:"newestEventTime"`
		OldestEventTime *string `json:"oldestEventTime"`
	} `json:"logFiles"`
}

// ParseDigest parses the decompressed bytes of a digest file. It requires
// what verification needs (digestStartTime, digestEndTime, digestS3Bucket,
// digestS3Object, digestPublicKeyFingerprint and a previousDigestSignature
// key, string or null) and fails with ErrFormat otherwise.
func ParseDigest(raw []byte) (*Digest, error) {
	var w wire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var missing []string
	need := func(name string, p *string) string {
		if p == nil || *p == "" {
			missing = append(missing, name)
			return ""
		}
		return *p
	}
	d := &Digest{
		AccountID:             w.AccountID,
		EndTimeText:           need("digestEndTime", w.EndTime),
		Bucket:                need("digestS3Bucket", w.Bucket),
		Object:                need("digestS3Object", w.Object),
		PublicKeyFingerprint:  strings.ToLower(need("digestPublicKeyFingerprint", w.Fingerprint)),
		SignatureAlgorithm:    w.SignatureAlgorithm,
		PreviousBucket:        deref(w.PreviousBucket),
		PreviousObject:        deref(w.PreviousObject),
		PreviousHashValue:     deref(w.PreviousHashValue),
		PreviousHashAlgorithm: deref(w.PreviousHashAlgorithm),
		SHA256:                sha256.Sum256(raw),
	}
	start := need("digestStartTime", w.StartTime)
	switch prev := bytes.TrimSpace(w.PreviousSignature); {
	case len(prev) == 0:
		missing = append(missing, "previousDigestSignature")
	case string(prev) != "null":
		if err := json.Unmarshal(prev, &d.PreviousSignature); err != nil || d.PreviousSignature == "" {
			return nil, fmt.Errorf("%w: previousDigestSignature is not a string", ErrFormat)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s", ErrFormat, strings.Join(missing, ", "))
	}
	var err error
	if d.StartTime, err = time.Parse(time.RFC3339, start); err != nil {
		return nil, fmt.Errorf("%w: digestStartTime: %w", ErrFormat, err)
	}
	if d.EndTime, err = time.Parse(time.RFC3339, d.EndTimeText); err != nil {
		return nil, fmt.Errorf("%w: digestEndTime: %w", ErrFormat, err)
	}
	d.NewestEventTime = optTime(w.NewestEventTime)
	d.OldestEventTime = optTime(w.OldestEventTime)
	d.LogFiles = make([]LogFile, 0, len(w.LogFiles))
	for i, l := range w.LogFiles {
		if l.Bucket == "" || l.Object == "" || l.HashValue == "" {
			return nil, fmt.Errorf("%w: logFiles[%d]: missing s3Bucket, s3Object or hashValue", ErrFormat, i)
		}
		d.LogFiles = append(d.LogFiles, LogFile{Bucket: l.Bucket, Object: l.Object,
			HashValue: strings.ToLower(l.HashValue), HashAlgorithm: l.HashAlgorithm,
			NewestEventTime: optTime(l.NewestEventTime), OldestEventTime: optTime(l.OldestEventTime)})
	}
	return d, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optTime(p *string) time.Time {
	if p == nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, *p)
	return t
}
