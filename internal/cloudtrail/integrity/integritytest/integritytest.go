// Package integritytest builds CloudTrail buckets for tests: RSA signing
// keys, log files, and signed digest chains laid out and signed the way
// CloudTrail does it (reference §4), plus an in-memory integrity.Store.
package integritytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
)

// Signer is a CloudTrail signing key pair.
type Signer struct {
	Priv *rsa.PrivateKey
	// DER is the public key as ListPublicKeys returns it: PKCS#1, or
	// SubjectPublicKeyInfo when the signer was made with spki.
	DER         []byte
	Fingerprint string // hex MD5 of DER
	ValidFrom   time.Time
	ValidUntil  time.Time
}

// NewSigner generates a 2048-bit key.
func NewSigner(spki bool, from, until time.Time) (*Signer, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	if spki {
		if der, err = x509.MarshalPKIXPublicKey(&priv.PublicKey); err != nil {
			return nil, err
		}
	}
	sum := md5.Sum(der)
	return &Signer{Priv: priv, DER: der, Fingerprint: hex.EncodeToString(sum[:]), ValidFrom: from, ValidUntil: until}, nil
}

// Sign signs s with SHA256withRSA and returns the hex signature.
func (s *Signer) Sign(msg string) string {
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Priv, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(sig)
}

// KeysJSON is a ListPublicKeys response (as the CLI prints it) listing
// the signers' public keys.
func KeysJSON(signers ...*Signer) []byte {
	type entry struct {
		Value             string
		ValidityStartTime string
		ValidityEndTime   string
		Fingerprint       string
	}
	var doc struct{ PublicKeyList []entry }
	doc.PublicKeyList = []entry{}
	for _, s := range signers {
		doc.PublicKeyList = append(doc.PublicKeyList, entry{Value: base64.StdEncoding.EncodeToString(s.DER),
			ValidityStartTime: s.ValidFrom.UTC().Format(time.RFC3339), ValidityEndTime: s.ValidUntil.UTC().Format(time.RFC3339),
			Fingerprint: s.Fingerprint})
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return b
}

// Object is one S3 object.
type Object struct {
	Bucket, Key string
	Body        []byte
	Metadata    map[string]string // user metadata, without x-amz-meta-
}

// URL is s3://bucket/key.
func (o *Object) URL() string { return "s3://" + o.Bucket + "/" + o.Key }

// Trail writes what one trail delivers from one region.
type Trail struct {
	Account, Region, Name, HomeRegion string
	Prefix, OrgID                     string
	Bucket                            string // where the next files go
	Signer                            *Signer

	Objects map[string]*Object // by bucket/key

	pending  []logEntry
	prev     *prevDigest
	restart  bool
	sequence int
}

type logEntry struct {
	obj  *Object
	hash string
	time time.Time
}

type prevDigest struct{ bucket, key, sig string }

// NewTrail returns a trail named name of account in region (also its home
// region) writing to bucket.
func NewTrail(account, region, name, bucket string, signer *Signer) *Trail {
	return &Trail{Account: account, Region: region, Name: name, HomeRegion: region, Bucket: bucket, Signer: signer, Objects: map[string]*Object{}}
}

func (t *Trail) dir(kind string, at time.Time) string {
	d := "AWSLogs/"
	if t.OrgID != "" {
		d += t.OrgID + "/"
	}
	d += t.Account + "/" + kind + "/" + t.Region + "/" + at.UTC().Format("2006/01/02") + "/"
	if t.Prefix != "" {
		d = t.Prefix + "/" + d
	}
	return d
}

func (t *Trail) put(o *Object) *Object {
	t.Objects[o.Bucket+"/"+o.Key] = o
	return o
}

// Gzip compresses b as one gzip member.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// LogFile delivers a log file at `at` with one record per event name; the
// next digest lists it.
func (t *Trail) LogFile(at time.Time, events ...string) *Object {
	var recs []string
	for i, e := range events {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"iam.amazonaws.com","eventName":%q,"awsRegion":%q,"eventID":"%08d-0000-4000-8000-000000000000","recipientAccountId":%q}`,
			at.Add(-time.Duration(i+1)*time.Second).UTC().Format(time.RFC3339), e, t.Region, t.sequence*100+i, t.Account))
	}
	t.sequence++
	raw := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	key := fmt.Sprintf("%s%s_CloudTrail_%s_%s_%016d.json.gz", t.dir("CloudTrail", at), t.Account, t.Region, at.UTC().Format("20060102T1504Z"), t.sequence)
	o := t.put(&Object{Bucket: t.Bucket, Key: key, Body: Gzip(raw)})
	sum := sha256.Sum256(raw)
	t.pending = append(t.pending, logEntry{obj: o, hash: hex.EncodeToString(sum[:]), time: at})
	return o
}

// Restart makes the next digest a starting digest (logging stopped and
// started, or validation turned off and on).
func (t *Trail) Restart() { t.restart, t.prev = true, nil }

// digestDoc is the digest file layout, in CloudTrail's field order.
type digestDoc struct {
	AwsAccountID                string        `json:"awsAccountId"`
	DigestStartTime             string        `json:"digestStartTime"`
	DigestEndTime               string        `json:"digestEndTime"`
	DigestS3Bucket              string        `json:"digestS3Bucket"`
	DigestS3Object              string        `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string        `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string        `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string       `json:"newestEventTime"`
	OldestEventTime             *string       `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string       `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string       `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string       `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string       `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string       `json:"previousDigestSignature"`
	LogFiles                    []logEntryDoc `json:"logFiles"`
}

type logEntryDoc struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

func ptr(s string) *string { return &s }

// Digest delivers the digest of the hour ending at end, listing the log
// files delivered since the previous digest and chained to it.
func (t *Trail) Digest(end time.Time) *Object {
	return t.digest(end, time.Time{})
}

// Backfill delivers a backfill digest for the hour ending at end, signed at
// generated, listing the pending log files. Backfill digests chain among
// themselves; this one starts such a chain.
func (t *Trail) Backfill(end, generated time.Time) *Object {
	saved, savedRestart := t.prev, t.restart
	t.prev = nil
	o := t.digest(end, generated)
	t.prev, t.restart = saved, savedRestart
	return o
}

func (t *Trail) digest(end, backfill time.Time) *Object {
	end = end.UTC()
	suffix := ".json.gz"
	if !backfill.IsZero() {
		suffix = "_backfill.json.gz"
	}
	key := fmt.Sprintf("%s%s_CloudTrail-Digest_%s_%s_%s_%s%s", t.dir("CloudTrail-Digest", end), t.Account, t.Region, t.Name, t.HomeRegion, end.Format("20060102T150405Z"), suffix)
	d := digestDoc{AwsAccountID: t.Account, DigestStartTime: end.Add(-time.Hour).Format(time.RFC3339), DigestEndTime: end.Format(time.RFC3339),
		DigestS3Bucket: t.Bucket, DigestS3Object: key, DigestPublicKeyFingerprint: t.Signer.Fingerprint, DigestSignatureAlgorithm: "SHA256withRSA",
		LogFiles: []logEntryDoc{}}
	if p := t.prev; p != nil {
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = ptr(p.bucket), ptr(p.key)
		d.PreviousDigestSignature = ptr(p.sig)
		d.PreviousDigestHashAlgorithm = ptr("SHA-256")
		prevRaw := t.raw(p.bucket, p.key)
		sum := sha256.Sum256(prevRaw)
		d.PreviousDigestHashValue = ptr(hex.EncodeToString(sum[:]))
	}
	var newest, oldest time.Time
	for _, l := range t.pending {
		ts := l.time.UTC().Format(time.RFC3339)
		d.LogFiles = append(d.LogFiles, logEntryDoc{S3Bucket: l.obj.Bucket, S3Object: l.obj.Key, HashValue: l.hash, HashAlgorithm: "SHA-256", NewestEventTime: ts, OldestEventTime: ts})
		if newest.IsZero() || l.time.After(newest) {
			newest = l.time
		}
		if oldest.IsZero() || l.time.Before(oldest) {
			oldest = l.time
		}
	}
	if !newest.IsZero() {
		d.NewestEventTime, d.OldestEventTime = ptr(newest.UTC().Format(time.RFC3339)), ptr(oldest.UTC().Format(time.RFC3339))
	}
	t.pending = nil
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	// The signed string, written out from the documentation rather than
	// taken from the package under test.
	prevSig := "null"
	if d.PreviousDigestSignature != nil {
		prevSig = *d.PreviousDigestSignature
	}
	sts := fmt.Sprintf("%s\n%s/%s\n%x\n%s", d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, sha256.Sum256(raw), prevSig)
	sig := t.Signer.Sign(sts)
	meta := map[string]string{"signature": sig, "signature-algorithm": "SHA256withRSA"}
	if !backfill.IsZero() {
		meta["backfill-generation-timestamp"] = backfill.UTC().Format(time.RFC3339)
	}
	o := t.put(&Object{Bucket: t.Bucket, Key: key, Body: Gzip(raw), Metadata: meta})
	t.prev = &prevDigest{bucket: t.Bucket, key: key, sig: sig}
	t.restart = false
	return o
}

func (t *Trail) raw(bucket, key string) []byte {
	o := t.Objects[bucket+"/"+key]
	if o == nil {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(o.Body))
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(zr)
	return b
}

// Store is an in-memory integrity.Store. It is safe for concurrent use.
type Store struct {
	mu      sync.Mutex
	objects map[string]*Object // by bucket/key
}

// NewStore returns a store holding copies of objs.
func NewStore(objs map[string]*Object) *Store {
	s := &Store{objects: map[string]*Object{}}
	for k, o := range objs {
		c := *o
		c.Body = slices.Clone(o.Body)
		c.Metadata = maps.Clone(o.Metadata)
		s.objects[k] = &c
	}
	return s
}

// Object returns the stored object (to modify it) or nil.
func (s *Store) Object(bucket, key string) *Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[bucket+"/"+key]
}

// Delete removes an object.
func (s *Store) Delete(bucket, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, bucket+"/"+key)
}

// Put stores an object.
func (s *Store) Put(o *Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[o.Bucket+"/"+o.Key] = o
}

// List implements integrity.Store.
func (s *Store) List(_ context.Context, bucket, prefix, startAfter string, fn func(string) bool) error {
	s.mu.Lock()
	var keys []string
	for _, o := range s.objects {
		if o.Bucket == bucket && strings.HasPrefix(o.Key, prefix) && o.Key > startAfter {
			keys = append(keys, o.Key)
		}
	}
	s.mu.Unlock()
	slices.Sort(keys)
	for _, k := range keys {
		if !fn(k) {
			break
		}
	}
	return nil
}

// Get implements integrity.Store.
func (s *Store) Get(_ context.Context, bucket, key string) ([]byte, map[string]string, error) {
	o := s.Object(bucket, key)
	if o == nil {
		return nil, nil, integrity.ErrNotFound
	}
	return slices.Clone(o.Body), maps.Clone(o.Metadata), nil
}

// Open implements integrity.Store.
func (s *Store) Open(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	o := s.Object(bucket, key)
	if o == nil {
		return nil, integrity.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(slices.Clone(o.Body))), nil
}

var _ integrity.Store = (*Store)(nil)
