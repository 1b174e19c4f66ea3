package checkpoint

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/atomicfile"
)

// DefaultRetention is how long an entry is kept after its last update when
// Options.Retention is zero. SQS keeps a message at most 14 days, so after
// that no redelivery can ask about the object.
const DefaultRetention = 14 * 24 * time.Hour

// ErrClosed is returned by updates to a closed Store.
var ErrClosed = errors.New("checkpoint: the store is closed")

// startOver ends the messages of errors that leave a person no other way
// out than removing the log.
const startOver = "remove the file to start over (objects whose SQS messages are delivered again may then be ingested twice)"

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Retention: entries not updated for longer are dropped, at Open and by
	// compactions. Zero means DefaultRetention.
	Retention time.Duration

	// Now returns the current time; nil means time.Now. Tests inject a
	// clock.
	Now func() time.Time

	// Logger receives warnings (a torn tail cut off, a damaged stretch
	// skipped, a failed compaction) and compaction summaries at debug
	// level. Nil discards them; Stats counts the warnings either way.
	Logger *slog.Logger

	// SyncProgress makes Progress wait for an fsync like Done does. By
	// default Progress returns once its update is written to the file: it
	// survives the process being killed but an operating-system crash or
	// power loss may lose it until the next Done or Close syncs the file,
	// which only costs a few duplicate events.
	SyncProgress bool
}

// ObjectID names one version of one S3 object.
type ObjectID struct {
	Bucket string
	Key    string // the decoded key, as given to GetObject
	// Version tells rewritten content apart: the ETag (with or without
	// its quotes) or the S3 version id. Use the same source every time for
	// a given object.
	Version string
}

// String formats the ID for messages.
func (id ObjectID) String() string {
	return fmt.Sprintf("s3://%s/%s (version %s)", id.Bucket, id.Key, id.Version)
}

// State is what the store knows about an object.
type State struct {
	// Done: the whole object was ingested.
	Done bool
	// Records flushed to Splunk: for an object in progress, how many of
	// its first records to skip when it is read again; for a Done object,
	// its total.
	Records int64
	// SHA256 of the object's content when Done recorded one (32 bytes),
	// else nil.
	SHA256 []byte
}

// Stats describe a Store. Counts marked "since Open" start at zero.
type Stats struct {
	Entries    int   // objects tracked
	WithSHA256 int   // of which Done with a SHA-256
	FileBytes  int64 // size of the log on disk
	LiveBytes  int64 // size of the log right after a compaction: header + one record per entry

	Updates     int64 // updates written since Open
	Syncs       int64 // fsyncs of the log since Open; each makes every update before it durable
	Compactions int   // completed since Open
	Pruned      int64 // entries dropped for retention since Open, at Open and by compactions

	TruncatedBytes int64 // torn tail cut off at Open (a crash in the middle of a write)
	CorruptRegions int   // damaged stretches skipped at Open; valid records after them were kept
	CorruptBytes   int64 // their total size
	Warnings       int   // warnings since Open: torn tail, damaged stretches, failed compactions
}

// Store is the per-object checkpoint of one input stanza. It is safe for
// concurrent use. See the package documentation for the guarantees.
type Store struct {
	dir, path    string
	salt         [saltSize]byte
	retention    time.Duration
	now          func() time.Time
	log          *slog.Logger
	syncProgress bool
	lock         *os.File // the held lock file; nil where locking is not supported

	// tab has its own locks, per shard. Writers take them only to apply a
	// written batch and to drop expired entries; Get never waits for I/O.
	tab table

	// compactMu serializes compactions.
	compactMu sync.Mutex

	// mu guards everything below. The goroutine that set busy owns the
	// file: it is the leader writing a batch, a compaction, or Close.
	mu         sync.Mutex
	cond       sync.Cond
	f          *os.File
	size       int64 // bytes in the file, pending excluded
	live       int64 // tab.liveBytes() after the last change
	pending    []byte
	batch      []record
	spare      []byte   // the buffers of the batch being written, for reuse
	spareBatch []record //
	seq        uint64   // updates queued
	written    uint64   // updates written (survive the process)
	synced     uint64   // updates synced (survive the machine)
	needSync   bool     // a queued update waits for an fsync
	busy       bool
	closed     bool
	err        error // sticky: after a failed write or sync nothing more is accepted

	compacting   bool  // a background compaction runs
	forceCompact bool  // compact even if the log is small (damage found at Open)
	compactMin   int64 // garbage needed before a compaction
	nextPrune    int64 // Unix seconds when the oldest entry expires (or the next daily check)
	retryAt      int64 // Unix seconds before which a failed compaction is not retried
	wg           sync.WaitGroup
	stats        Stats
}

// defaultCompactMin is the garbage (bytes of superseded records) needed
// before a compaction, so that small stores are not rewritten all the time.
const defaultCompactMin = 1 << 20

// Open opens or creates the store in dir, creating dir (mode 0700) if it
// does not exist. One process may have a store open at a time; a second
// Open of the same dir fails while the first is open (on Unix).
func Open(dir string, opts Options) (*Store, error) {
	if opts.Retention < 0 {
		return nil, fmt.Errorf("checkpoint %s: negative retention %v", dir, opts.Retention)
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := makeDir(dir); err != nil {
		return nil, fmt.Errorf("checkpoint %s: create the folder: %w", dir, err)
	}
	lock, err := lockFile(filepath.Join(dir, lockName))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	s := &Store{
		dir:          dir,
		path:         filepath.Join(dir, logName),
		retention:    opts.Retention,
		now:          opts.Now,
		log:          opts.Logger,
		syncProgress: opts.SyncProgress,
		lock:         lock,
		compactMin:   defaultCompactMin,
	}
	s.cond.L = &s.mu
	if err := s.load(); err != nil {
		if s.f != nil {
			s.f.Close()
		}
		unlockFile(lock)
		return nil, err
	}
	s.mu.Lock()
	s.maybeCompactLocked()
	s.mu.Unlock()
	return s, nil
}

// makeDir creates dir if needed and makes its creation durable.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// load reads the log into s.tab, creating it if needed, and leaves s.f
// open for appending.
func (s *Store) load() error {
	// Temporary files of a compaction that a crash interrupted. The lock
	// says no other process is compacting.
	if tmps, err := filepath.Glob(filepath.Join(s.dir, tmpGlob)); err == nil {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = s.create()
	}
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", s.path, err)
	}
	s.f = f
	hdr := make([]byte, headerSize)
	n, err := io.ReadFull(f, hdr)
	if n == 0 && err == io.EOF {
		// An empty file holds nothing: write a header.
		f.Close()
		s.f = nil
		if f, err = s.create(); err != nil {
			return fmt.Errorf("checkpoint %s: %w", s.path, err)
		}
		s.f = f
		n, err = io.ReadFull(f, hdr)
	}
	if err != nil && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("checkpoint %s: read: %w", s.path, err)
	}
	salt, version, problem := parseHeader(hdr[:n])
	switch problem {
	case headerShort:
		return fmt.Errorf("checkpoint %s: the file is too short (%d bytes) to be a checkpoint log; %s", s.path, n, startOver)
	case headerNotOurs:
		return fmt.Errorf("checkpoint %s: not a checkpoint log of this app (it does not start with %q); move it away, or %s", s.path, magic, startOver)
	case headerDamaged:
		return fmt.Errorf("checkpoint %s: the file header is damaged (checksum mismatch); %s", s.path, startOver)
	case headerNewer:
		return fmt.Errorf("checkpoint %s: format version %d is not known to this version of the app (it knows %d); upgrade the app, or %s", s.path, version, formatVersion, startOver)
	}
	s.salt = salt

	if fi, err := f.Stat(); err == nil {
		s.tab.presize((fi.Size() - int64(headerSize)) / recSize)
	}
	res, err := replay(f, int64(headerSize), s.tab.apply)
	if err != nil {
		return fmt.Errorf("checkpoint %s: read: %w", s.path, err)
	}
	for _, d := range res.corrupt {
		s.stats.CorruptRegions++
		s.stats.CorruptBytes += d.n
		s.stats.Warnings++
		s.log.Warn("checkpoint: skipped a damaged stretch of the log and kept the valid records after it; updates in it are lost, so their objects may be ingested twice if their messages come back; the log will be rewritten without it",
			"file", s.path, "offset", d.off, "bytes", d.n)
		s.forceCompact = true
	}
	if tail := res.tail(); tail > 0 {
		s.stats.TruncatedBytes = tail
		s.stats.Warnings++
		s.log.Warn("checkpoint: cut off an incomplete record at the end of the log, left by a crash in the middle of a write; no acknowledged Done is lost, an unsynced Progress may be (a few duplicate events)",
			"file", s.path, "offset", res.end, "bytes", tail)
		if err := f.Truncate(res.end); err != nil {
			return fmt.Errorf("checkpoint %s: cut off the torn tail at offset %d: %w; check the disk and permissions, or %s", s.path, res.end, err, startOver)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("checkpoint %s: sync: %w", s.path, err)
		}
	}
	s.size = res.end

	now := s.now()
	pruned, oldest, any := s.tab.prune(s.cutoff(now))
	s.tab.fit()
	s.stats.Pruned = pruned
	if pruned > 0 {
		s.log.Debug("checkpoint: dropped entries older than the retention", "file", s.path, "entries", s.stats.Pruned, "retention", s.retention)
	}
	s.live = s.tab.liveBytes()
	s.schedulePrune(now, oldest, any)
	return nil
}

// create writes a new, empty log (a header with a fresh salt) and opens it.
func (s *Store) create() (*os.File, error) {
	var salt [saltSize]byte
	rand.Read(salt[:])
	err := atomicfile.Write(s.path, 0o600, func(w io.Writer) error {
		_, err := w.Write(appendHeader(nil, &salt))
		return err
	})
	if err != nil {
		return nil, err
	}
	// atomicfile does not report a failed folder sync; a log whose name
	// could vanish in a crash would take acknowledged updates with it.
	if err := syncDir(s.dir); err != nil {
		return nil, fmt.Errorf("sync folder: %w", err)
	}
	return os.OpenFile(s.path, os.O_RDWR, 0)
}

// cutoff is the update time below which entries have expired.
func (s *Store) cutoff(now time.Time) uint32 {
	return unixSeconds(now.Add(-s.retention).Unix())
}

// schedulePrune sets when a compaction should next run to drop expired
// entries: when the oldest entry expires, but not more often than a
// fourteenth of the retention (daily by default).
func (s *Store) schedulePrune(now time.Time, oldest uint32, any bool) {
	next := now.Add(max(s.retention/14, time.Minute))
	if expiry := time.Unix(int64(oldest), 0).Add(s.retention); !any {
		next = now.Add(s.retention)
	} else if expiry.After(next) {
		next = expiry
	}
	s.nextPrune = next.Unix()
}

func (s *Store) key(id ObjectID) key { return objectKey(&s.salt, id) }

// Get returns the state of an object and whether the store knows it. It
// sees every update whose Progress or Done call has returned.
func (s *Store) Get(id ObjectID) (State, bool) {
	k := s.key(id)
	e, sum, ok := s.tab.get(&k)
	if !ok {
		return State{}, false
	}
	st := State{Done: e.done(), Records: e.count()}
	if e.sha != 0 {
		st.SHA256 = append([]byte(nil), sum[:]...) // a copy, so sum stays on the stack
	}
	return st, true
}

// Progress records that the first records of an object in progress have
// been flushed to Splunk. A count lower than one already recorded, or
// Progress on a Done object, changes nothing. When Progress returns nil
// the update survives the process being killed; it survives an
// operating-system crash only once the file is synced (by the next Done,
// by Close, or at once with Options.SyncProgress).
func (s *Store) Progress(id ObjectID, records int64) error {
	if records < 0 || records > maxRecords {
		return fmt.Errorf("checkpoint: Progress %s: record count %d out of range", id, records)
	}
	k := s.key(id)
	e, _, ok := s.tab.get(&k)
	if ok && (e.done() || e.count() >= records) {
		return nil // already covered by an update that was written
	}
	r := record{kind: kindProgress, key: k, updated: s.stamp(), records: records}
	return s.commit(&r, s.syncProgress)
}

// Done records that an object was ingested completely: records in total,
// with the SHA-256 of its content (32 bytes) or nil. When Done returns nil
// the update is on disk (fsynced) and survives a crash of the process or of
// the machine, so the caller may delete the SQS message.
func (s *Store) Done(id ObjectID, records int64, sha256 []byte) error {
	if records < 0 || records > maxRecords {
		return fmt.Errorf("checkpoint: Done %s: record count %d out of range", id, records)
	}
	r := record{kind: kindDone, key: s.key(id), updated: s.stamp(), records: records}
	switch len(sha256) {
	case 0:
	case len(r.sha):
		r.kind = kindDoneSHA
		copy(r.sha[:], sha256)
	default:
		return fmt.Errorf("checkpoint: Done %s: SHA-256 of %d bytes, want 32 or none", id, len(sha256))
	}
	return s.commit(&r, true)
}

func (s *Store) stamp() uint32 { return unixSeconds(s.now().Unix()) }

// Stats returns the store's figures.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	st.FileBytes = s.size
	s.mu.Unlock()
	st.Entries = int(s.tab.entries.Load())
	st.WithSHA256 = int(s.tab.shas.Load())
	st.LiveBytes = s.tab.liveBytes()
	return st
}

// Close waits for a running compaction, syncs what Progress wrote and
// closes the file. Updates after Close fail with ErrClosed; Get keeps
// answering from memory. It returns the error that stopped the store, if
// any.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy {
		s.cond.Wait()
	}
	if s.err == nil && (len(s.pending) > 0 || s.synced < s.written) {
		s.needSync = true
		s.flushLocked()
	}
	err := s.err
	if s.f != nil {
		if cerr := s.f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("checkpoint %s: close: %w", s.path, cerr)
		}
		s.f = nil
	}
	unlockFile(s.lock)
	s.lock = nil
	return err
}
