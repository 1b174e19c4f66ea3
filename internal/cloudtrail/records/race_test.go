//go:build race

package records

// raceEnabled: the race detector slows splitting about tenfold, so the
// memory test uses its -short size.
const raceEnabled = true
