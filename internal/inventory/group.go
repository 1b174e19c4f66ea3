package inventory

import (
	"context"
	"sync"
)

// group runs functions with at most limit of them at once (the errgroup
// SetLimit pattern without the error: each task records its own outcome).
type group struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func newGroup(limit int) *group {
	return &group{sem: make(chan struct{}, max(limit, 1))}
}

// Go starts f once a slot is free. It returns false, without running f,
// when ctx ends first.
func (g *group) Go(ctx context.Context, f func()) bool {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	g.wg.Go(func() {
		defer func() { <-g.sem }()
		f()
	})
	return true
}

// Wait waits for every started function.
func (g *group) Wait() { g.wg.Wait() }
