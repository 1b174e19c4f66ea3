//go:build !unix

package splunkd

import "os"

var terminate = os.Interrupt
