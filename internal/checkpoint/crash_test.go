package checkpoint

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The crash test runs this test binary again as a child that writes updates
// as fast as it can and prints each one after its call returned nil. The
// parent kills it with SIGKILL after a random number of acknowledgements
// and checks that the reopened store has every acknowledged update.
const (
	crashDirEnv   = "CHECKPOINT_CRASH_DIR"
	crashRoundEnv = "CHECKPOINT_CRASH_ROUND"
)

func crashID(round, i int64) ObjectID { return objID(round<<32 | i) }

// TestCrashChild is the child; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestKill9KeepsAcknowledgedUpdates")
	}
	round, _ := strconv.ParseInt(os.Getenv(crashRoundEnv), 10, 64)
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	s.mu.Lock()
	s.compactMin = 8 << 10 // background compactions as well
	s.mu.Unlock()
	ack := func(format string, args ...any) {
		// One write per line: a pipe never splits a write this small.
		if _, err := fmt.Fprintf(os.Stdout, format+"\n", args...); err != nil {
			os.Exit(0) // the parent is gone
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				id := crashID(round, i)
				if i%4 <= 1 { // 0: Progress only, 1: Progress then Done, 2 and 3: Done only
					if err := s.Progress(id, i); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(3)
					}
					ack("P %d %d", round, i)
				}
				if i%4 != 0 {
					if err := s.Done(id, i, digest(i)); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(3)
					}
					ack("D %d %d", round, i)
				}
				if i%300 == 0 {
					if err := s.compact(); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(3)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestKill9KeepsAcknowledgedUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	type ackd struct {
		done     bool
		progress bool
	}
	acked := map[ObjectID]ackd{}
	for round := range int64(4) {
		killAt := 100 + rng.IntN(3000)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.FormatInt(round, 10))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var kind string
			var r, i int64
			if _, err := fmt.Sscanf(sc.Text(), "%s %d %d", &kind, &r, &i); err != nil {
				continue // test framework output
			}
			a := acked[crashID(r, i)]
			if kind == "D" {
				a.done = true
			} else {
				a.progress = true
			}
			acked[crashID(r, i)] = a
			if lines++; lines == killAt {
				cmd.Process.Kill() // SIGKILL on Unix
			}
		}
		err = cmd.Wait()
		if lines < killAt {
			t.Fatalf("round %d: the child stopped by itself after %d acknowledgements: %v\n%s", round, lines, err, stderr.String())
		}

		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		missing := 0
		for id, a := range acked {
			st, ok := s.Get(id)
			n, _ := strconv.ParseInt(strings.TrimPrefix(id.Version, "etag-"), 10, 64)
			i := n & (1<<32 - 1)
			switch {
			case a.done && (!ok || !st.Done || st.Records != i || !bytes.Equal(st.SHA256, digest(i))):
				missing++
				t.Errorf("round %d: acknowledged Done %v: got %+v, %v", round, id, st, ok)
			case a.progress && (!ok || st.Records != i):
				missing++
				t.Errorf("round %d: acknowledged Progress %v: got %+v, %v", round, id, st, ok)
			}
			if missing > 10 {
				t.FailNow()
			}
		}
		st := s.Stats()
		t.Logf("round %d: killed after %d acknowledgements; %d entries, %d bytes, torn tail %d bytes", round, lines, st.Entries, st.FileBytes, st.TruncatedBytes)
		if st.CorruptRegions != 0 {
			t.Errorf("round %d: damage in the middle of the log after a kill: %+v", round, st)
		}
		mustClose(t, s)
		if tmps, _ := filepath.Glob(filepath.Join(dir, tmpGlob)); len(tmps) != 0 {
			t.Errorf("round %d: temporary files left: %v", round, tmps)
		}
	}
}
