package checkpoint

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// The in-memory state is a hash table of its own rather than a Go map: a
// map[key]entry costs about 67 bytes per entry at a million entries, this
// table 37 to 44. Keys are already uniformly random (salted SHA-256), so
// their bytes serve as the hash: byte 0 picks one of 256 shards, bytes 8-15
// the home group of 8 slots within the shard and byte 1 a 7-bit tag kept in
// a control word per group, as in Go's own (Swiss table) maps. Probing is
// linear, group by group. Nothing is deleted in place: pruning rebuilds a
// shard, so there are no tombstones. A shard rebuilds itself 75% full when
// it is 90% full, and each rebuild pauses only the 1/256 of the keys in
// that shard. SHA-256 sums live in a dense per-shard array that a slot
// points into, so objects without one do not pay for it.

const shardCount = 256

// slot is one object: 32 bytes.
type slot struct {
	key     key
	lo      uint32 // low 32 bits of the record count
	hi      uint32 // flagDone | flagUsed | high 30 bits of the record count
	updated uint32 // Unix seconds of the last update
	sha     uint32 // 1 + index into shard.shas; 0: no SHA-256
}

const (
	flagDone = 1 << 31
	flagUsed = 1 << 30
	hiMask   = flagUsed - 1
)

func (s *slot) used() bool   { return s.hi&flagUsed != 0 }
func (s *slot) done() bool   { return s.hi&flagDone != 0 }
func (s *slot) count() int64 { return int64(s.hi&hiMask)<<32 | int64(s.lo) }
func (s *slot) setCount(n int64) {
	s.lo = uint32(n)
	s.hi = s.hi&^hiMask | uint32(n>>32)&hiMask
}

// table is the state of every object: the result of replaying the log. Its
// zero value is empty and ready.
type table struct {
	shards  [shardCount]shard
	entries atomic.Int64
	shas    atomic.Int64
}

type shard struct {
	mu    sync.RWMutex
	ctrl  []uint64 // per group of 8 slots, see matchTag
	slots []slot
	n     int // used slots
	shas  [][sha256.Size]byte
}

func (t *table) shard(k *key) *shard { return &t.shards[k[0]] }

// get returns the state of k.
func (t *table) get(k *key) (s slot, sum [sha256.Size]byte, ok bool) {
	sh := t.shard(k)
	sh.mu.RLock()
	if i := sh.find(k); i >= 0 {
		s, ok = sh.slots[i], true
		if s.sha != 0 {
			sum = sh.shas[s.sha-1]
		}
	}
	sh.mu.RUnlock()
	return s, sum, ok
}

// apply merges one update. The merge only moves an object forward, so
// that losing a record (a torn tail, a damaged stretch) can only make an
// object look less ingested than it is, never more:
//   - Done is final: a later Progress does not undo it;
//   - Progress keeps the highest count seen;
//   - a later Done replaces the count of an earlier one (the object was
//     ingested again) and keeps the SHA-256 unless it brings a new one.
func (t *table) apply(r *record) {
	sh := t.shard(&r.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i := sh.find(&r.key)
	if i < 0 {
		sh.reserve()
		s := slot{key: r.key, hi: flagUsed, updated: r.updated}
		s.setCount(r.records)
		if r.kind != kindProgress {
			s.hi |= flagDone
		}
		if r.kind == kindDoneSHA {
			s.sha = sh.storeSHA(&r.sha)
			t.shas.Add(1)
		}
		sh.place(s)
		sh.n++
		t.entries.Add(1)
		return
	}
	s := &sh.slots[i]
	switch {
	case r.kind == kindProgress:
		if !s.done() && r.records > s.count() {
			s.setCount(r.records)
		}
	default:
		s.setCount(r.records)
		s.hi |= flagDone
	}
	if r.kind == kindDoneSHA {
		if s.sha != 0 {
			sh.shas[s.sha-1] = r.sha
		} else {
			s.sha = sh.storeSHA(&r.sha)
			t.shas.Add(1)
		}
	}
	s.updated = max(s.updated, r.updated)
}

// prune drops the entries last updated before cutoff and returns how many,
// and the oldest update time among those left (any is false if none is).
func (t *table) prune(cutoff uint32) (pruned int64, oldest uint32, any bool) {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		expired, shas := 0, 0
		for j := range sh.slots {
			s := &sh.slots[j]
			if !s.used() {
				continue
			}
			if s.updated < cutoff {
				expired++
				if s.sha != 0 {
					shas++
				}
				continue
			}
			if !any || s.updated < oldest {
				oldest, any = s.updated, true
			}
		}
		if expired > 0 {
			sh.rebuild(sh.n-expired, func(s *slot) bool { return s.updated >= cutoff })
			t.entries.Add(-int64(expired))
			t.shas.Add(-int64(shas))
			pruned += int64(expired)
		}
		sh.mu.Unlock()
	}
	return pruned, oldest, any
}

// snapshot is a copy of a table's shards, taken to be written out by a
// compaction while the table goes on changing.
type snapshot []shardCopy

type shardCopy struct {
	slots []slot
	shas  [][sha256.Size]byte
}

// snapshot copies the table: a plain memory copy, so that writers wait
// for the copy and not for the encoding.
func (t *table) snapshot() snapshot {
	snap := make(snapshot, len(t.shards))
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		snap[i] = shardCopy{slots: slices.Clone(sh.slots), shas: slices.Clone(sh.shas)}
		sh.mu.RUnlock()
	}
	return snap
}

// write writes one record per entry updated at or after cutoff. Errors
// stick in w, for its Flush.
func (snap snapshot) write(w *bufio.Writer, cutoff uint32) {
	var buf [maxRecSize]byte
	for _, sh := range snap {
		for j := range sh.slots {
			s := &sh.slots[j]
			if !s.used() || s.updated < cutoff {
				continue
			}
			r := record{kind: kindProgress, key: s.key, updated: s.updated, records: s.count()}
			if s.done() {
				r.kind = kindDone
				if s.sha != 0 {
					r.kind = kindDoneSHA
					r.sha = sh.shas[s.sha-1]
				}
			}
			w.Write(appendRecord(buf[:0], &r))
		}
	}
}

// liveBytes is the size of a log holding one record per entry: what a
// compaction writes.
func (t *table) liveBytes() int64 {
	return int64(headerSize) + t.entries.Load()*recSize + t.shas.Load()*(recSizeSHA-recSize)
}

// home is k's first group in a shard of n groups. Bytes 8-15 of the key
// pick it; byte 0 picked the shard and byte 1 gives the tag.
func home(k *key, n int) int {
	hi, _ := bits.Mul64(binary.LittleEndian.Uint64(k[8:]), uint64(n))
	return int(hi)
}

func tagOf(k *key) uint64 { return uint64(k[1] & 0x7f) }

// Control words: one per group of 8 slots, one byte per slot: ctrlEmpty,
// or the slot key's 7-bit tag. A lookup compares the 8 tags at once and
// reads only the slots whose tag matches (1 in 128 by chance).
const (
	groupSize = 8
	ctrlEmpty = 0x80
	lsbs      = 0x0101010101010101
	msbs      = 0x8080808080808080
)

// matchTag sets the high bit of each byte of w equal to tag, and maybe of
// a few others (a byte 0x01 above a match): callers compare keys anyway.
func matchTag(w, tag uint64) uint64 {
	x := w ^ lsbs*tag
	return (x - lsbs) &^ x & msbs
}

// matchEmpty sets the high bit of each empty byte of w.
func matchEmpty(w uint64) uint64 { return w & msbs }

// find returns the index of k's slot, or -1. Entries are never removed one
// by one (prune rebuilds the shard), so a group with an empty slot ends
// the search: k would have been placed there.
func (sh *shard) find(k *key) int {
	n := len(sh.ctrl)
	if n == 0 {
		return -1
	}
	tag := tagOf(k)
	for g := home(k, n); ; {
		w := sh.ctrl[g]
		for m := matchTag(w, tag); m != 0; m &= m - 1 {
			if i := g*groupSize + bits.TrailingZeros64(m)/8; sh.slots[i].key == *k {
				return i
			}
		}
		if matchEmpty(w) != 0 {
			return -1
		}
		if g++; g == n {
			g = 0
		}
	}
}

// reserve makes room for one more slot, keeping the load at most 90%.
func (sh *shard) reserve() {
	if (sh.n+1)*10 > len(sh.slots)*9 {
		sh.rebuild(sh.n+1, nil)
	}
}

// place puts s, whose key is absent, into the first free slot from its
// home group on.
func (sh *shard) place(s slot) {
	n := len(sh.ctrl)
	for g := home(&s.key, n); ; {
		if m := matchEmpty(sh.ctrl[g]); m != 0 {
			j := bits.TrailingZeros64(m) / 8
			sh.ctrl[g] = sh.ctrl[g]&^(0xff<<(8*j)) | tagOf(&s.key)<<(8*j)
			sh.slots[g*groupSize+j] = s
			return
		}
		if g++; g == n {
			g = 0
		}
	}
}

// rebuild re-creates the shard with room for n entries at a load of 75%,
// keeping the slots for which keep is true (all if keep is nil) and packing
// their SHA-256s. Rebuilt 75% full when 90% full, a shard stays between the
// two: 33 bytes per slot (32 + a control byte) make 37 to 44 per entry.
func (sh *shard) rebuild(n int, keep func(*slot) bool) {
	sh.resize(max(1, (n*4/3+groupSize-1)/groupSize), keep)
}

// resize re-creates the shard with the given number of groups.
func (sh *shard) resize(groups int, keep func(*slot) bool) {
	old, oldShas := sh.slots, sh.shas
	sh.ctrl = make([]uint64, groups)
	for g := range sh.ctrl {
		sh.ctrl[g] = lsbs * ctrlEmpty
	}
	sh.slots = make([]slot, groups*groupSize)
	sh.shas = nil
	if len(oldShas) > 0 {
		sh.shas = make([][sha256.Size]byte, 0, len(oldShas))
	}
	sh.n = 0
	for i := range old {
		s := old[i]
		if !s.used() || keep != nil && !keep(&s) {
			continue
		}
		if s.sha != 0 {
			sh.shas = append(sh.shas, oldShas[s.sha-1])
			s.sha = uint32(len(sh.shas))
		}
		sh.place(s)
		sh.n++
	}
}

// presize sizes an empty table for about n entries, 85% full, so that
// loading a log does not rebuild each shard a dozen times as it grows.
// The margin covers the spread of the keys over the shards (n/256 plus 6%
// is four standard deviations at a million entries).
func (t *table) presize(n int64) {
	per := n / shardCount
	per += per/16 + groupSize
	groups := int((per*100/85 + groupSize - 1) / groupSize)
	for i := range t.shards {
		t.shards[i].resize(groups, nil)
	}
}

// fit shrinks the shards left less than 60% full, by a presize for a log
// that held superseded records.
func (t *table) fit() {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		if len(sh.slots) > groupSize && sh.n*10 < len(sh.slots)*6 {
			sh.rebuild(sh.n, nil)
		}
		sh.mu.Unlock()
	}
}

// storeSHA keeps a SHA-256 and returns its reference for slot.sha.
func (sh *shard) storeSHA(sum *[sha256.Size]byte) uint32 {
	sh.shas = append(sh.shas, *sum)
	return uint32(len(sh.shas))
}
