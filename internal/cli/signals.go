package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Signals returns a context cancelled by SIGTERM (splunkd's stop) or
// SIGINT, and makes a closed stdout an EPIPE error instead of a silent kill
// by SIGPIPE, so the program can stop in order.
func Signals() (context.Context, context.CancelFunc) {
	ignoreSIGPIPE()
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
