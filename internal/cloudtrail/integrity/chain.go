package integrity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sync"
	"time"
)

// ErrNotFound is what a Store returns for an object that does not exist.
var ErrNotFound = errors.New("not found")

// Store is the read access Walk needs to the trail's bucket(s).
type Store interface {
	// List calls fn with each key under prefix, in lexical order, starting
	// after startAfter, until fn returns false.
	List(ctx context.Context, bucket, prefix, startAfter string, fn func(key string) bool) error
	// Get reads a (small) object and its user metadata (keys without the
	// x-amz-meta- prefix). A missing object is ErrNotFound.
	Get(ctx context.Context, bucket, key string) (body []byte, metadata map[string]string, err error)
	// Open streams an object. A missing object is ErrNotFound.
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}

// WalkOptions say which digest chains to check.
type WalkOptions struct {
	Bucket string
	// Prefix is the trail's S3 key prefix ("" for none), OrgID the
	// organization id of an organization trail.
	Prefix, OrgID string
	AccountID     string
	// Region is the region the digests were delivered from (the
	// CloudTrail-Digest/<region>/ folder).
	Region string
	// Trail, when set, checks only that trail's digests; otherwise every
	// trail found there is checked, each as its own chain.
	Trail string
	// Start and End bound the log files checked (End zero: now).
	Start, End time.Time

	Store Store
	Keys  KeySource
	// OnProblem, when set, is called with each problem as it is found,
	// from one goroutine at a time.
	OnProblem func(Problem)
	// Concurrency is the number of log files checked at once; 0 means 8.
	Concurrency int
}

// Counts are the verdicts on one kind of file.
type Counts struct {
	Checked int `json:"checked"`
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	Missing int `json:"missing"`
}

// Report is the outcome of Walk.
type Report struct {
	Digests  Counts    `json:"digests"`
	LogFiles Counts    `json:"logFiles"`
	Gaps     int       `json:"gaps"`
	Problems []Problem `json:"problems"`
	// Chains names the trails (trail name/home region[/backfill]) found.
	Chains []string `json:"chains"`
}

// OK reports whether everything checked was valid and there were no gaps.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// digestName matches a digest file name:
// <acct>_CloudTrail-Digest_<region>_<trail>_<homeRegion>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz.
// Trail names may contain underscores; regions never do.
var digestName = regexp.MustCompile(`^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$`)

// digestKey is a listed digest.
type digestKey struct {
	key      string
	trail    string // trail name
	home     string // home region
	end      time.Time
	backfill bool
}

func parseDigestKey(key string) (digestKey, bool) {
	name := key
	if i := lastSlash(key); i >= 0 {
		name = key[i+1:]
	}
	m := digestName.FindStringSubmatch(name)
	if m == nil {
		return digestKey{}, false
	}
	t, err := time.Parse("20060102T150405Z", m[5])
	if err != nil {
		return digestKey{}, false
	}
	return digestKey{key: key, trail: m[3], home: m[4], end: t, backfill: m[6] != ""}, true
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// DigestDir is the folder of an account's digests from one region.
func DigestDir(prefix, orgID, accountID, region string) string {
	dir := "AWSLogs/"
	if orgID != "" {
		dir += orgID + "/"
	}
	dir += accountID + "/CloudTrail-Digest/" + region + "/"
	if prefix != "" {
		dir = prefix + "/" + dir
	}
	return dir
}

// Walk checks the digest chains of one account and region over a window,
// the way aws cloudtrail validate-logs does: it lists the digests whose hour
// ends between Start and End plus one hour, walks each trail's chain from
// the newest back through previousDigestS3Bucket/Object (into another
// bucket if the trail's bucket changed), verifies every digest's location
// and signature and every listed log file's SHA-256, and reports gaps
// (a chain that starts again while older digests exist). Backfill digests
// form chains of their own. A deleted digest is reported where a newer one
// points at it; deleting the newest digests of a window cannot be seen from
// the bucket alone.
//
// The error is for what stops the walk (listing fails, ctx); verdicts are in
// the Report.
func Walk(ctx context.Context, o WalkOptions) (*Report, error) {
	if o.End.IsZero() {
		o.End = time.Now()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	w := &walker{o: o, rep: &Report{Problems: []Problem{}}, visited: map[string]bool{}}
	dir := DigestDir(o.Prefix, o.OrgID, o.AccountID, o.Region)
	from, to := o.Start.UTC().Add(-time.Hour), o.End.UTC().Add(time.Hour)
	lastDay := dir + to.Format("2006/01/02")
	chains := map[string][]digestKey{}
	err := o.Store.List(ctx, o.Bucket, dir, dir+from.Format("2006/01/02"), func(key string) bool {
		if len(key) >= len(lastDay) && key[:len(lastDay)] > lastDay {
			return false
		}
		k, ok := parseDigestKey(key)
		if !ok || (o.Trail != "" && k.trail != o.Trail) || k.end.Before(o.Start) || k.end.After(to) {
			return true
		}
		name := k.trail + "/" + k.home
		if k.backfill {
			name += "/backfill"
		}
		chains[name] = append(chains[name], k)
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("list s3://%s/%s: %w", o.Bucket, dir, err)
	}
	names := make([]string, 0, len(chains))
	for n := range chains {
		names = append(names, n)
	}
	slices.Sort(names)
	w.rep.Chains = names
	for _, n := range names {
		keys := chains[n]
		slices.SortFunc(keys, func(a, b digestKey) int { return a.end.Compare(b.end) })
		if err := w.chain(ctx, keys); err != nil {
			return w.rep, err
		}
	}
	return w.rep, nil
}

type walker struct {
	o       WalkOptions
	rep     *Report
	visited map[string]bool // bucket/key of every digest looked at
}

func (w *walker) problem(p Problem) {
	w.rep.Problems = append(w.rep.Problems, p)
	if w.o.OnProblem != nil {
		w.o.OnProblem(p)
	}
}

// chain walks the listed digests of one chain (sorted oldest first): from
// the newest not yet visited, back along the previous pointers, again and
// again until every listed digest was visited.
func (w *walker) chain(ctx context.Context, keys []digestKey) error {
	for i := len(keys) - 1; i >= 0; i-- {
		head := keys[i]
		if w.visited[w.o.Bucket+"/"+head.key] {
			continue
		}
		bucket, key, sig := w.o.Bucket, head.key, ""
		var newer *Digest // the digest that pointed at this one
		for {
			w.visited[bucket+"/"+key] = true
			d, missing, err := w.digest(ctx, bucket, key, sig, head.backfill)
			if err != nil {
				return err
			}
			if missing && newer != nil {
				// The chain is cut: the older digests listed are checked
				// from the next head on, and the time between them and
				// the newer digest has no verified digest.
				w.gap(keys, newer.StartTime, "the digest before "+newer.URL()+" is missing")
			}
			if d == nil {
				break // missing or unreadable
			}
			if d.Starting() {
				// The chain starts here. Anything older is another chain,
				// and the time in between has no digest.
				w.gap(keys, d.StartTime, "the chain restarts at "+d.URL())
				break
			}
			newer = d
			if pk, ok := parseDigestKey(d.PreviousObject); ok && pk.end.Before(w.o.Start) {
				break // left the window
			}
			if w.visited[d.PreviousBucket+"/"+d.PreviousObject] {
				break
			}
			bucket, key, sig = d.PreviousBucket, d.PreviousObject, d.PreviousSignature
		}
	}
	return nil
}

// gap reports a gap between the newest unvisited listed digest older than
// to, if there is one, and to.
func (w *walker) gap(keys []digestKey, to time.Time, detail string) {
	if older := w.newestUnvisited(keys, to); older != nil {
		w.rep.Gaps++
		w.problem(Problem{Kind: ChainGap, From: older.end, To: to, Detail: detail})
	}
}

func (w *walker) newestUnvisited(keys []digestKey, before time.Time) *digestKey {
	for i := len(keys) - 1; i >= 0; i-- {
		if !keys[i].end.After(before) && !w.visited[w.o.Bucket+"/"+keys[i].key] {
			return &keys[i]
		}
	}
	return nil
}

// digest checks one digest and, when it is valid, its log files. It returns
// the digest when the chain can go on from it, and whether it is missing.
func (w *walker) digest(ctx context.Context, bucket, key, sig string, backfill bool) (*Digest, bool, error) {
	url := s3URL(bucket, key)
	w.rep.Digests.Checked++
	body, meta, err := w.o.Store.Get(ctx, bucket, key)
	if errors.Is(err, ErrNotFound) {
		w.rep.Digests.Missing++
		w.problem(Problem{Kind: DigestNotFound, URL: url})
		return nil, true, nil
	}
	if errors.Is(err, ErrFormat) {
		w.rep.Digests.Invalid++
		w.problem(Problem{Kind: DigestFormat, URL: url, Detail: err.Error()})
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get %s: %w", url, err)
	}
	res, err := VerifyDigest(ctx, Request{Bucket: bucket, Key: key, Body: body, Signature: sig,
		Metadata: MetadataFrom(meta), Backfill: backfill}, w.o.Keys)
	if err != nil {
		return nil, false, fmt.Errorf("verify %s: %w", url, err)
	}
	for _, p := range res.Problems {
		w.problem(p)
	}
	if !res.Valid() {
		w.rep.Digests.Invalid++
		if res.Digest != nil && res.Digest.Starting() {
			return nil, false, nil
		}
		// An invalid digest's claims are not evidence, but its pointer still
		// leads to the older digests, which are checked on their own.
		return res.Digest, false, nil
	}
	w.rep.Digests.Valid++
	return res.Digest, false, w.logFiles(ctx, res.Digest)
}

type logVerdict struct {
	problem *Problem
	err     error
}

// logFiles checks a valid digest's log files, Concurrency at a time, and
// reports them in the digest's order.
func (w *walker) logFiles(ctx context.Context, d *Digest) error {
	out := make([]logVerdict, len(d.LogFiles))
	sem := make(chan struct{}, w.o.Concurrency)
	var wg sync.WaitGroup
	for i, l := range d.LogFiles {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = w.logFile(ctx, l)
		})
	}
	wg.Wait()
	for _, v := range out {
		if v.err != nil {
			return v.err
		}
	}
	for _, v := range out {
		w.rep.LogFiles.Checked++
		switch {
		case v.problem == nil:
			w.rep.LogFiles.Valid++
		case v.problem.Kind == LogNotFound:
			w.rep.LogFiles.Missing++
		default:
			w.rep.LogFiles.Invalid++
		}
		if v.problem != nil {
			v.problem.Digest = d.URL()
			w.problem(*v.problem)
		}
	}
	return nil
}

func (w *walker) logFile(ctx context.Context, l LogFile) logVerdict {
	if l.HashAlgorithm != "" && l.HashAlgorithm != "SHA-256" {
		return logVerdict{problem: &Problem{Kind: LogFormat, URL: l.URL(), Detail: "unsupported hash algorithm " + l.HashAlgorithm}}
	}
	rc, err := w.o.Store.Open(ctx, l.Bucket, l.Object)
	if errors.Is(err, ErrNotFound) {
		return logVerdict{problem: &Problem{Kind: LogNotFound, URL: l.URL()}}
	}
	if err != nil {
		return logVerdict{err: fmt.Errorf("get %s: %w", l.URL(), err)}
	}
	defer rc.Close()
	sum, err := HashLogFile(rc)
	if errors.Is(err, ErrFormat) || errors.Is(err, ErrTrailingData) {
		return logVerdict{problem: &Problem{Kind: LogFormat, URL: l.URL(), Detail: err.Error()}}
	}
	if err != nil {
		return logVerdict{err: fmt.Errorf("read %s: %w", l.URL(), err)}
	}
	return logVerdict{problem: l.Check(sum[:])}
}
