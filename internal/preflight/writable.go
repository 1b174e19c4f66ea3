package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"syscall"
)

// Writable tells whether this user may create and replace files in dir, as
// an input does with its lookups and checkpoints (a temporary file renamed
// over the old one), without touching what is there: it creates and
// removes a temporary file. When dir does not exist yet the input creates
// it, so the nearest existing folder above is tried and dir is left
// uncreated. detail says what was found, naming the user (a check run as
// root or as a person proves nothing about the user splunkd runs as).
func Writable(dir string) (detail string, err error) {
	at := dir
	for {
		st, err := os.Stat(at)
		if err == nil {
			if !st.IsDir() {
				return "", fmt.Errorf("%s is not a folder", at)
			}
			break
		}
		// ENOTDIR: a parent is a file, which the walk up then names.
		parent := filepath.Dir(at)
		if (!errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR)) || parent == at {
			return "", err
		}
		at = parent
	}
	f, err := os.CreateTemp(at, ".aws_ingest_check_*")
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err // the path is said already
		}
		return "", fmt.Errorf("%s is not writable by %s: %w", at, whoami(), err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("could not remove the probe file %s: %w", name, err)
	}
	if at != dir {
		return fmt.Sprintf("%s does not exist yet; %s is writable by %s, so the input can create it", dir, at, whoami()), nil
	}
	return dir + " is writable by " + whoami(), nil
}

func whoami() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}
