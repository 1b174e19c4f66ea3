//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockFile takes an exclusive flock on path, so that two processes never
// append to the same log (their compactions would lose each other's
// updates). The lock goes with the process, however it ends. The file
// holds the owner's process id, for the message.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	}); err != nil {
		f.Close()
		return nil, err
	}
	if ferr != nil {
		owner, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		if errors.Is(ferr, syscall.EWOULDBLOCK) {
			who := "another process"
			if pid := strings.TrimSpace(string(owner)); pid != "" {
				who = "process " + pid
			}
			return nil, fmt.Errorf("in use by %s (lock %s); each input stanza needs its own checkpoint folder, and only one copy of an input may run", who, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, ferr)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// unlockFile releases a lock taken by lockFile. The file stays: removing
// it would race with a process about to lock it.
func unlockFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// syncDir makes renames and new names in dir durable. Some file systems
// do not support syncing a folder; nothing better can be done there.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
