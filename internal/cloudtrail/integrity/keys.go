package integrity

import (
	"context"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// ErrKeyNotFound: no public key has the digest's fingerprint.
var ErrKeyNotFound = errors.New("public key not found")

// PublicKey is one CloudTrail public key.
type PublicKey struct {
	// Fingerprint is the lowercase hex MD5 of DER.
	Fingerprint string
	DER         []byte
	Key         *rsa.PublicKey
	// ValidFrom and ValidUntil are the key's validity window as
	// ListPublicKeys reports it (zero when unknown).
	ValidFrom, ValidUntil time.Time
}

// ParsePublicKey parses a DER RSA public key, PKCS#1 (what the API
// documents) or SubjectPublicKeyInfo (what some of its samples show).
func ParsePublicKey(der []byte) (*PublicKey, error) {
	k, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		pk, err2 := x509.ParsePKIXPublicKey(der)
		if err2 != nil {
			return nil, fmt.Errorf("public key is neither PKCS#1 (%v) nor SubjectPublicKeyInfo (%v)", err, err2)
		}
		var ok bool
		if k, ok = pk.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("public key is a %T, not RSA", pk)
		}
	}
	sum := md5.Sum(der)
	return &PublicKey{Fingerprint: hex.EncodeToString(sum[:]), DER: der, Key: k}, nil
}

// KeySource finds the public key with a fingerprint. at is when the key
// signed (the digest's end time, or a backfill digest's generation time):
// sources that fetch keys ask for the ones valid around it.
type KeySource interface {
	PublicKey(ctx context.Context, fingerprint string, at time.Time) (*PublicKey, error)
}

// KeySet is a fixed set of keys by fingerprint.
type KeySet map[string]*PublicKey

// PublicKey implements KeySource.
func (s KeySet) PublicKey(_ context.Context, fingerprint string, _ time.Time) (*PublicKey, error) {
	if k := s[strings.ToLower(fingerprint)]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: fingerprint %s", ErrKeyNotFound, fingerprint)
}

// Add adds k under its computed fingerprint.
func (s KeySet) Add(k *PublicKey) { s[k.Fingerprint] = k }

// publicKeysFile is the shape of a ListPublicKeys response in JSON, as
// "aws cloudtrail list-public-keys" prints it.
type publicKeysFile struct {
	PublicKeyList []struct {
		Value             []byte // base64 in JSON
		ValidityStartTime *time.Time
		ValidityEndTime   *time.Time
		Fingerprint       string
	}
}

// ReadKeys reads a JSON document shaped like the ListPublicKeys response:
// {"PublicKeyList":[{"Value":"<base64 DER>","ValidityStartTime":"…",
// "ValidityEndTime":"…","Fingerprint":"<hex>"}]}. A Fingerprint given in
// the file must match the key's MD5: a mismatch means the file was edited
// or damaged.
func ReadKeys(r io.Reader) (KeySet, error) {
	var f publicKeysFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	if f.PublicKeyList == nil {
		return nil, errors.New(`public keys: no "PublicKeyList"`)
	}
	set := KeySet{}
	for i, e := range f.PublicKeyList {
		k, err := ParsePublicKey(e.Value)
		if err != nil {
			return nil, fmt.Errorf("public keys: PublicKeyList[%d]: %w", i, err)
		}
		if e.Fingerprint != "" && !strings.EqualFold(e.Fingerprint, k.Fingerprint) {
			return nil, fmt.Errorf("public keys: PublicKeyList[%d]: Fingerprint %s, but the key's MD5 is %s", i, e.Fingerprint, k.Fingerprint)
		}
		k.ValidFrom, k.ValidUntil = aws.ToTime(e.ValidityStartTime), aws.ToTime(e.ValidityEndTime)
		set.Add(k)
	}
	return set, nil
}

// PublicKeyLister is the part of the CloudTrail client that APIKeys uses.
type PublicKeyLister interface {
	ListPublicKeys(ctx context.Context, in *cloudtrail.ListPublicKeysInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.ListPublicKeysOutput, error)
}

var _ PublicKeyLister = (*cloudtrail.Client)(nil)

// KeyWindow is how far around a signing time APIKeys asks ListPublicKeys
// for keys.
const KeyWindow = time.Hour

// APIKeys is a KeySource that calls ListPublicKeys (on a client for the
// digests' region: keys are per region) for the window of KeyWindow around
// the signing time on a cache miss, and remembers every key it was given.
// It is safe for concurrent use.
type APIKeys struct {
	API PublicKeyLister

	mu    sync.Mutex
	cache KeySet
	// asked remembers the windows already listed (by the hour of the
	// signing time), so that a fingerprint nobody published costs one call
	// per hour of digests, not one per digest.
	asked map[int64]bool
}

// PublicKey implements KeySource.
func (a *APIKeys) PublicKey(ctx context.Context, fingerprint string, at time.Time) (*PublicKey, error) {
	fingerprint = strings.ToLower(fingerprint)
	a.mu.Lock()
	defer a.mu.Unlock()
	if k := a.cache[fingerprint]; k != nil {
		return k, nil
	}
	if a.cache == nil {
		a.cache, a.asked = KeySet{}, map[int64]bool{}
	}
	hour := at.Unix() / 3600
	if a.asked[hour] {
		return nil, fmt.Errorf("%w: fingerprint %s", ErrKeyNotFound, fingerprint)
	}
	in := &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(at.Add(-KeyWindow)), EndTime: aws.Time(at.Add(KeyWindow))}
	for {
		out, err := a.API.ListPublicKeys(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("cloudtrail ListPublicKeys: %w", err)
		}
		for _, e := range out.PublicKeyList {
			k, err := ParsePublicKey(e.Value)
			if err != nil {
				return nil, fmt.Errorf("cloudtrail ListPublicKeys: %w", err)
			}
			k.ValidFrom, k.ValidUntil = aws.ToTime(e.ValidityStartTime), aws.ToTime(e.ValidityEndTime)
			a.cache.Add(k)
			// Index by the API's own fingerprint too, should it ever differ
			// from the MD5; the signature check is what decides.
			if f := strings.ToLower(aws.ToString(e.Fingerprint)); f != "" && a.cache[f] == nil {
				a.cache[f] = k
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	a.asked[hour] = true
	if k := a.cache[fingerprint]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: fingerprint %s (ListPublicKeys %s to %s)", ErrKeyNotFound, fingerprint,
		at.Add(-KeyWindow).UTC().Format(time.RFC3339), at.Add(KeyWindow).UTC().Format(time.RFC3339))
}
