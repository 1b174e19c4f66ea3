//go:build linux

package moto

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel send moto SIGTERM when the thread that
// started it exits, so a test binary that crashes or is killed does not
// leave moto running.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
