//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package checkpoint

import "os"

// lockFile does not lock where flock is missing (Windows): there, only
// one copy of an input must run per checkpoint folder, as splunkd ensures.
func lockFile(string) (*os.File, error) { return nil, nil }

func unlockFile(*os.File) {}

// syncDir syncs dir where the system allows it. Windows cannot open a
// folder for syncing; NTFS journals renames.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
