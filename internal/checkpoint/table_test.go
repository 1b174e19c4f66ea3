package checkpoint

import (
	"math/rand/v2"
	"testing"
)

// TestTableMatchesAMap drives the hash table and a Go map with the same
// random updates and prunes and compares them.
func TestTableMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tab table
	type ref struct {
		done    bool
		records int64
		updated uint32
		sha     [32]byte
		hasSHA  bool
	}
	want := map[key]ref{}
	var keys []key
	newKey := func() key {
		var k key
		for i := range k {
			k[i] = byte(rng.UintN(256))
		}
		k[0] = byte(rng.UintN(4)) // crowd a few shards so they grow and shrink a lot
		return k
	}
	for step := range 200_000 {
		var k key
		if len(keys) == 0 || rng.IntN(3) == 0 {
			k = newKey()
			keys = append(keys, k)
		} else {
			k = keys[rng.IntN(len(keys))]
		}
		r := record{kind: byte(1 + rng.IntN(3)), key: k, updated: uint32(step / 100), records: rng.Int64N(1 << 40)}
		if r.kind == kindDoneSHA {
			r.sha[0], r.sha[31] = byte(step), byte(step>>8)
		}
		tab.apply(&r)
		w, ok := want[k]
		switch {
		case !ok:
			w = ref{done: r.kind != kindProgress, records: r.records}
		case r.kind == kindProgress:
			if !w.done {
				w.records = max(w.records, r.records)
			}
		default:
			w.done, w.records = true, r.records
		}
		if r.kind == kindDoneSHA {
			w.sha, w.hasSHA = r.sha, true
		}
		w.updated = max(w.updated, r.updated)
		want[k] = w

		if step%20_000 == 19_999 {
			cutoff := uint32(step/100 - 60)
			pruned, _, _ := tab.prune(cutoff)
			var n int64
			for k, w := range want {
				if w.updated < cutoff {
					delete(want, k)
					n++
				}
			}
			if pruned != n {
				t.Fatalf("step %d: pruned %d, want %d", step, pruned, n)
			}
		}
	}
	var shas int64
	for k, w := range want {
		s, sum, ok := tab.get(&k)
		if !ok || s.done() != w.done || s.count() != w.records || s.updated != w.updated || (s.sha != 0) != w.hasSHA || w.hasSHA && sum != w.sha {
			t.Fatalf("key %x: got %+v %x %v, want %+v", k, s, sum, ok, w)
		}
		if w.hasSHA {
			shas++
		}
	}
	if tab.entries.Load() != int64(len(want)) || tab.shas.Load() != shas {
		t.Errorf("counts %d %d, want %d %d", tab.entries.Load(), tab.shas.Load(), len(want), shas)
	}
	for _, k := range keys {
		if _, ok := want[k]; !ok {
			if _, _, found := tab.get(&k); found {
				t.Fatalf("pruned key %x still found", k)
			}
		}
	}
	for i := range tab.shards {
		sh := &tab.shards[i]
		n := 0
		for j := range sh.slots {
			if sh.slots[j].used() {
				n++
				if sh.find(&sh.slots[j].key) != j {
					t.Fatalf("shard %d: slot %d not found where it is", i, j)
				}
			}
		}
		if n != sh.n || len(sh.slots) > 0 && n*10 > len(sh.slots)*9 {
			t.Fatalf("shard %d: %d used of %d, counted %d", i, n, len(sh.slots), sh.n)
		}
	}
}
