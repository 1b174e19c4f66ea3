package integritytest

import (
	"bytes"
	"compress/gzip"
	"io"
	"time"
)

// Scenario is a trail's bucket over eight hours with everything the
// validator must handle: a starting digest, an empty hour, a key rotation
// (PKCS#1 key, then SubjectPublicKeyInfo key), a bucket change and a
// backfill digest. Every file is valid.
type Scenario struct {
	Account, Region, Trail string
	// OldBucket holds hours 0-3, Bucket the rest; the trail writes to
	// Bucket at the end.
	OldBucket, Bucket string
	Start, End        time.Time
	Keys              []*Signer
	Objects           map[string]*Object // by bucket/key
	// Digests and Logs name the objects: D1…D7 (standard, oldest first),
	// B (backfill); L1…L8, LB (listed by B).
	Digests map[string]*Object
	Logs    map[string]*Object
}

// Base is the start of the scenario's window.
var Base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// NewScenario builds the scenario with two signing keys; k2 takes over
// after hour 2.
func NewScenario(k1, k2 *Signer) *Scenario {
	s := &Scenario{Account: "111122223333", Region: "us-east-1", Trail: "main-trail",
		OldBucket: "acme-trail-old", Bucket: "acme-trail", Start: Base, End: Base.Add(7 * time.Hour),
		Keys: []*Signer{k1, k2}, Digests: map[string]*Object{}, Logs: map[string]*Object{}}
	t := NewTrail(s.Account, s.Region, s.Trail, s.OldBucket, k1)
	h := func(hours, minutes int) time.Time {
		return Base.Add(time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute)
	}
	end := func(hours int) time.Time { return h(hours, 30).Add(15 * time.Second) }
	s.Logs["L1"] = t.LogFile(h(0, 5), "CreateUser", "AttachUserPolicy")
	s.Logs["L2"] = t.LogFile(h(0, 20), "ConsoleLogin")
	s.Digests["D1"] = t.Digest(end(0)) // starting digest: previous fields null
	s.Logs["L3"] = t.LogFile(h(1, 10), "RunInstances", "CreateTags")
	s.Digests["D2"] = t.Digest(end(1))
	s.Digests["D3"] = t.Digest(end(2)) // an hour without log files
	t.Signer = k2                      // key rotation
	s.Logs["L4"] = t.LogFile(h(3, 10), "PutBucketPolicy")
	s.Digests["D4"] = t.Digest(end(3))
	t.Bucket = s.Bucket // the trail moves to a new bucket
	s.Logs["L5"] = t.LogFile(h(4, 10), "UpdateTrail")
	s.Digests["D5"] = t.Digest(end(4))
	s.Logs["L6"] = t.LogFile(h(5, 10), "DeleteUser")
	s.Logs["L7"] = t.LogFile(h(5, 20), "GetObject", "PutObject", "ListBuckets")
	s.Digests["D6"] = t.Digest(end(5))
	s.Logs["L8"] = t.LogFile(h(6, 10), "AssumeRole")
	s.Digests["D7"] = t.Digest(end(6))
	// A backfill digest for hour 2, generated later.
	s.Logs["LB"] = t.LogFile(h(2, 40), "DescribeInstances")
	s.Digests["B"] = t.Backfill(h(2, 59), h(7, 5))
	s.Objects = t.Objects
	return s
}

// ChangeByte returns a gzip log file whose decompressed content differs
// from the original's in one byte.
func ChangeByte(gz []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic(err)
	}
	i := bytes.Index(raw, []byte(`"eventName":"`)) + len(`"eventName":"`)
	raw[i] ^= 0x20 // CreateUser -> createUser
	return Gzip(raw)
}

// AppendMember returns gz followed by a second gzip member: the first
// member, the one CloudTrail hashes, is unchanged.
func AppendMember(gz []byte) []byte {
	return append(bytes.Clone(gz), Gzip([]byte(`{"Records":[{"eventName":"Injected"}]}`))...)
}
