// Package appdir finds the installed app's folder, where aws.conf layers
// (default/, local/) and lookups/ live, from the running binary's path.
package appdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ID is the app's folder name under $SPLUNK_HOME/etc/apps.
const ID = "aws_ingest"

// Find returns the app folder of the binary at exe: binaries live in
// <app>/bin or <app>/<platform>/bin. It falls back to
// $SPLUNK_HOME/etc/apps/aws_ingest. A folder counts when it has
// default/app.conf.
func Find(exe string) (string, error) {
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	dir := filepath.Dir(exe)
	candidates := []string{filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))}
	if home := os.Getenv("SPLUNK_HOME"); home != "" {
		candidates = append(candidates, filepath.Join(home, "etc", "apps", ID))
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "default", "app.conf")); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("cannot find the %s app folder from %s or $SPLUNK_HOME: %w; set aws_conf and lookup_dir explicitly", ID, exe, errors.ErrUnsupported)
}

// Current is Find for the running binary.
func Current() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating the running binary: %w", err)
	}
	return Find(exe)
}
