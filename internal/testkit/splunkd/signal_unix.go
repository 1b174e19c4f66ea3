//go:build unix

package splunkd

import "syscall"

var terminate = syscall.SIGTERM
