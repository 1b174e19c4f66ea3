//go:build !linux

package moto

import "os/exec"

// setProcAttr does nothing outside Linux: there is no Pdeathsig, and moto
// outlives a test binary that dies without calling Stop.
func setProcAttr(*exec.Cmd) {}
