package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"debug/elf"
	"debug/pe"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/ini.v1"
)

// appID is the app's [package] id and the package's single top folder.
const appID = "aws_ingest"

// maxPackageBytes is the size the package must stay below (40 MB).
const maxPackageBytes = 40_000_000

// binaries are the modular inputs; each is a file named after its scheme in
// every platform's bin directory.
var binaries = []string{"aws_ingest_cloudtrail", "aws_ingest_billing", "aws_ingest_inventory"}

// sourcetypes are all the sourcetypes the inputs emit, plus the legacy
// aws-cloudtrail; each needs a props.conf stanza.
var sourcetypes = []string{
	"aws:cloudtrail",
	"aws:cloudtrail:insight",
	"aws:cloudtrail:integrity",
	"aws:billing",
	"aws:billing:summary",
	"aws:billing:version",
	"aws:billing:cur",
	"aws:billing:cur2",
	"aws:ec2:instance",
	"aws:ec2:reserved_instance",
	"aws:ec2:usage",
	"aws_ingest:metrics",
	"aws-cloudtrail",
}

// cloudTrailSourcetypes carry whole CloudTrail records, which can be
// megabytes long.
var cloudTrailSourcetypes = []string{"aws:cloudtrail", "aws-cloudtrail", "aws:cloudtrail:insight", "aws:cloudtrail:integrity"}

// confOptions make ini.v1 read values the way splunkd does: Splunk has no
// inline comments, so "#" and ";" inside a value (a regex, say) are data.
var confOptions = ini.LoadOptions{IgnoreInlineComment: true}

// entry is one member of the package, named relative to the app folder
// ("" for the folder itself).
type entry struct {
	rel  string
	hdr  *tar.Header
	data []byte
}

// spl is a package read into memory.
type spl struct {
	path    string
	size    int64
	entries []*entry
	byRel   map[string]*entry
}

func TestPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds every binary for every platform with package.sh (drop -short to run)")
	}
	pkg := buildPackage(t)
	appConf := readAppConf(t, pkg)

	t.Run("Layout", func(t *testing.T) { checkLayout(t, pkg) })
	t.Run("Permissions", func(t *testing.T) { checkPermissions(t, pkg) })
	t.Run("AppConf", func(t *testing.T) { checkAppConf(t, appConf) })
	t.Run("ModularInputs", func(t *testing.T) { checkModularInputs(t, pkg) })
	t.Run("Binaries", func(t *testing.T) { checkBinaries(t, pkg) })
	t.Run("BinaryFileDeclaration", func(t *testing.T) { checkReadme(t, pkg) })
	t.Run("ConfFiles", func(t *testing.T) { checkConfFiles(t, pkg) })
	t.Run("Props", func(t *testing.T) { checkProps(t, pkg) })
	t.Run("Size", func(t *testing.T) {
		if pkg.size >= maxPackageBytes {
			t.Errorf("%s is %d bytes, want < %d", filepath.Base(pkg.path), pkg.size, maxPackageBytes)
		}
	})
	t.Run("Version", func(t *testing.T) { checkVersion(t, pkg, appConf) })
}

// buildPackage runs package.sh into a temporary DIST_DIR and reads the one
// .spl it writes.
func buildPackage(t *testing.T) *spl {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	trackInputs(t, root)

	dist := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "package.sh"))
	cmd.Dir = t.TempDir() // package.sh must work from any directory
	// Build every platform, whatever the caller's environment says.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "DIST_DIR=") || strings.HasPrefix(kv, "PLATFORMS=")
	})
	cmd.Env = append(cmd.Env, "DIST_DIR="+dist)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("package.sh: %v\n%s", err, out)
	}
	t.Logf("package.sh (%.1fs):\n%s", time.Since(start).Seconds(), out)

	found, err := filepath.Glob(filepath.Join(dist, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || !regexp.MustCompile(`^aws_ingest-\d+\.\d+\.\d+\.spl$`).MatchString(filepath.Base(found[0])) {
		t.Fatalf("DIST_DIR holds %q, want exactly one aws_ingest-<Major.Minor.Revision>.spl", found)
	}
	return readPackage(t, found[0])
}

// trackInputs reads every file of the source tree and the environment
// variables package.sh depends on. package.sh reads them in another process,
// which go test does not see; reading them here makes a change to app/,
// package.sh or the Go code invalidate a cached test result.
func trackInputs(t *testing.T, root string) {
	t.Helper()
	for _, name := range []string{"GOFLAGS", "GOAMD64", "SOURCE_DATE_EPOCH", "PATH"} {
		os.Getenv(name)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || p == filepath.Join(root, "dist")) {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(io.Discard, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readPackage(t *testing.T, name string) *spl {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not gzip: %v", name, err)
	}
	pkg := &spl{path: name, size: st.Size(), byRel: map[string]*entry{}}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %s: %v", name, hdr.Name, err)
		}
		rel, _ := strings.CutPrefix(hdr.Name, appID+"/")
		e := &entry{rel: strings.TrimSuffix(rel, "/"), hdr: hdr, data: data}
		if _, dup := pkg.byRel[e.rel]; dup {
			t.Errorf("%s appears twice in the package", hdr.Name)
		}
		pkg.entries = append(pkg.entries, e)
		pkg.byRel[e.rel] = e
	}
	if err := zr.Close(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return pkg
}

// file returns the regular file rel (relative to the app folder), failing
// the test if it is missing.
func (p *spl) file(t *testing.T, rel string) []byte {
	t.Helper()
	e := p.byRel[rel]
	if e == nil || e.hdr.Typeflag != tar.TypeReg {
		t.Fatalf("package has no file %s/%s", appID, rel)
	}
	return e.data
}

// isBinary reports whether rel is in a directory named bin, where AppInspect
// allows (and splunkd needs) executables.
func isBinary(rel string) bool {
	return path.Base(path.Dir(rel)) == "bin"
}

// binaryPaths lists the files every package must contain in bin directories.
func binaryPaths() []string {
	var out []string
	for _, b := range binaries {
		out = append(out, "linux_x86_64/bin/"+b, "windows_x86_64/bin/"+b+".exe")
	}
	return out
}

func checkLayout(t *testing.T, pkg *spl) {
	top := pkg.byRel[""]
	if top == nil || top.hdr.Name != appID+"/" || top.hdr.Typeflag != tar.TypeDir {
		t.Errorf("package has no top folder entry %s/", appID)
	}
	var mtime time.Time
	mtimes := 0
	for i, e := range pkg.entries {
		name := e.hdr.Name
		if !strings.HasPrefix(name, appID+"/") {
			t.Errorf("%q is outside the single top folder %s/", name, appID)
			continue
		}
		if clean := path.Clean(name); clean != strings.TrimSuffix(name, "/") || strings.HasPrefix(name, "/") {
			t.Errorf("%q is not a clean relative path", name)
		}
		for _, part := range strings.Split(e.rel, "/") {
			if strings.HasPrefix(part, ".") || part == "__MACOSX" {
				t.Errorf("%s: hidden files and directories are not allowed", name)
			}
			if part == "local" {
				t.Errorf("%s: a local/ directory must not be shipped", name)
			}
		}
		if path.Base(e.rel) == "local.meta" {
			t.Errorf("%s: local.meta must not be shipped", name)
		}
		if e.hdr.Uid != 0 || e.hdr.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", name, e.hdr.Uid, e.hdr.Gid)
		}
		// Reproducible: every member carries the same (commit) time.
		if i == 0 {
			mtime = e.hdr.ModTime
		} else if !e.hdr.ModTime.Equal(mtime) {
			if mtimes == 0 {
				t.Errorf("%s: mtime %v, want %v like the first member (tar --mtime)", name, e.hdr.ModTime, mtime)
			}
			mtimes++
		}
	}
	if mtimes > 1 {
		t.Errorf("%d members in all have an mtime different from the first member's", mtimes)
	}
}

func checkPermissions(t *testing.T, pkg *spl) {
	for _, e := range pkg.entries {
		perm := e.hdr.Mode & 0o7777
		switch e.hdr.Typeflag {
		case tar.TypeDir:
			if perm != 0o755 {
				t.Errorf("%s: directory mode %04o, want 0755", e.hdr.Name, perm)
			}
		case tar.TypeReg:
			want := int64(0o644)
			if isBinary(e.rel) {
				want = 0o755
			}
			if perm != want {
				t.Errorf("%s: file mode %04o, want %04o", e.hdr.Name, perm, want)
			}
		case tar.TypeSymlink, tar.TypeLink:
			t.Errorf("%s: links are not allowed (-> %s)", e.hdr.Name, e.hdr.Linkname)
		default:
			t.Errorf("%s: type %q, want a regular file or a directory", e.hdr.Name, e.hdr.Typeflag)
		}
	}
}

// readAppConf parses default/app.conf.
func readAppConf(t *testing.T, pkg *spl) *ini.File {
	t.Helper()
	cfg, err := ini.LoadSources(confOptions, pkg.file(t, "default/app.conf"))
	if err != nil {
		t.Fatalf("default/app.conf: %v", err)
	}
	return cfg
}

var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

func checkAppConf(t *testing.T, cfg *ini.File) {
	get := func(section, key string) string {
		return cfg.Section(section).Key(key).String()
	}
	if got := get("package", "id"); got != appID {
		t.Errorf("[package] id = %q, want %q (the top folder's name)", got, appID)
	}
	if got := get("id", "name"); got != appID {
		t.Errorf("[id] name = %q, want %q", got, appID)
	}
	launcher, id := get("launcher", "version"), get("id", "version")
	if !versionRE.MatchString(launcher) {
		t.Errorf("[launcher] version = %q, want Major.Minor.Revision", launcher)
	}
	if id != launcher {
		t.Errorf("[id] version = %q, want %q like [launcher] version", id, launcher)
	}
	if launcher == "0.0.0" {
		t.Errorf("[launcher] version is the unstamped placeholder 0.0.0")
	}
	build := get("install", "build")
	if n, err := strconv.Atoi(build); err != nil || n <= 0 {
		t.Errorf("[install] build = %q, want a positive integer", build)
	}
	if got := get("install", "is_configured"); got != "false" && got != "0" {
		t.Errorf("[install] is_configured = %q, want false (AppInspect: setup must not have been performed)", got)
	}
}

// checkModularInputs checks the files splunkd needs to know the inputs, and
// that every scheme in the spec has an executable of its name.
func checkModularInputs(t *testing.T, pkg *spl) {
	for _, rel := range []string{"README/inputs.conf.spec", "default/inputs.conf"} {
		if e := pkg.byRel[rel]; e == nil || e.hdr.Typeflag != tar.TypeReg {
			t.Errorf("package has no %s/%s", appID, rel)
		}
	}
	e := pkg.byRel["README/inputs.conf.spec"]
	if e == nil {
		return
	}
	stanzas, err := scanConf(e.data, "#*")
	if err != nil {
		t.Fatalf("README/inputs.conf.spec: %v", err)
	}
	var schemes []string
	for _, s := range stanzas {
		if scheme, _, ok := strings.Cut(s.name, "://"); ok && s.header {
			schemes = append(schemes, scheme)
			if pkg.byRel["linux_x86_64/bin/"+scheme] == nil {
				t.Errorf("README/inputs.conf.spec line %d: scheme %s has no executable linux_x86_64/bin/%s", s.line, scheme, scheme)
			}
		}
	}
	for _, b := range binaries {
		if !slices.Contains(schemes, b) {
			t.Errorf("README/inputs.conf.spec has no [%s://<name>] stanza", b)
		}
	}
}

func checkBinaries(t *testing.T, pkg *spl) {
	for _, b := range binaries {
		rel := "linux_x86_64/bin/" + b
		if e := pkg.byRel[rel]; e == nil {
			t.Errorf("package has no %s", rel)
		} else if err := checkELF(e.data); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
		rel = "windows_x86_64/bin/" + b + ".exe"
		if e := pkg.byRel[rel]; e == nil {
			t.Errorf("package has no %s", rel)
		} else if err := checkPE(e.data); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
	}
}

// checkELF reports whether data is a static x86-64 Linux executable.
func checkELF(data []byte) error {
	if !bytes.HasPrefix(data, []byte("\x7fELF")) {
		return errors.New("no ELF magic")
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		return errors.New("not an x86-64 executable: " + f.Class.String() + " " + f.Machine.String() + " " + f.Type.String())
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked (has an ELF interpreter); build with CGO_ENABLED=0")
		}
	}
	return nil
}

// checkPE reports whether data is an x86-64 Windows executable.
func checkPE(data []byte) error {
	if !bytes.HasPrefix(data, []byte("MZ")) {
		return errors.New("no MZ magic")
	}
	f, err := pe.NewFile(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		return errors.New("not an x86-64 executable")
	}
	return nil
}

// checkReadme checks that the app README declares every binary in the
// package (AppInspect check_for_binary_files_without_source_code).
func checkReadme(t *testing.T, pkg *spl) {
	readme := string(pkg.file(t, "README.md"))
	var section strings.Builder
	in, found := false, false
	for line := range strings.Lines(readme) {
		heading := strings.HasPrefix(line, "# ")
		if heading && strings.TrimSpace(line) == "# Binary File Declaration" {
			in, found = true, true
			continue
		}
		if heading {
			in = false
		}
		if in {
			section.WriteString(line)
		}
	}
	if !found {
		t.Fatal(`README.md has no "# Binary File Declaration" section`)
	}
	want := binaryPaths()
	for _, e := range pkg.entries {
		if e.hdr.Typeflag == tar.TypeReg && isBinary(e.rel) && !slices.Contains(want, e.rel) {
			want = append(want, e.rel)
		}
	}
	for _, rel := range want {
		if !strings.Contains(section.String(), rel) {
			t.Errorf("README.md's Binary File Declaration does not name %s", rel)
		}
	}
}

func checkConfFiles(t *testing.T, pkg *spl) {
	n := 0
	for _, e := range pkg.entries {
		ext := path.Ext(e.rel)
		if e.hdr.Typeflag != tar.TypeReg || (ext != ".conf" && ext != ".meta") {
			continue
		}
		n++
		// ini.v1 rejects default.meta's "[]" stanza; the scanner checks .meta.
		if ext == ".conf" {
			cfg, err := ini.LoadSources(confOptions, e.data)
			if err != nil {
				t.Errorf("%s: %v", e.rel, err)
			} else if keys := cfg.Section(ini.DefaultSection).KeyStrings(); len(keys) > 0 {
				t.Errorf("%s: settings %q before the first stanza form a [default] stanza", e.rel, keys)
			}
		}
		stanzas, err := scanConf(e.data, "#")
		if err != nil {
			t.Errorf("%s: %v", e.rel, err)
			continue
		}
		seen := map[string]int{}
		for _, s := range stanzas {
			if !s.header {
				continue
			}
			if strings.EqualFold(s.name, "default") {
				t.Errorf("%s line %d: [%s] stanzas are not allowed (AppInspect check_no_default_stanzas)", e.rel, s.line, s.name)
			}
			if first, dup := seen[s.name]; dup {
				t.Errorf("%s line %d: stanza [%s] repeats line %d", e.rel, s.line, s.name, first)
			}
			seen[s.name] = s.line
		}
	}
	if n == 0 {
		t.Error("package has no .conf files")
	}
}

func checkProps(t *testing.T, pkg *spl) {
	props, err := ini.LoadSources(confOptions, pkg.file(t, "default/props.conf"))
	if err != nil {
		t.Fatalf("default/props.conf: %v", err)
	}
	for _, sec := range props.Sections() {
		if sec.Key("KV_MODE").String() == "json" && sec.HasKey("INDEXED_EXTRACTIONS") {
			t.Errorf("[%s]: INDEXED_EXTRACTIONS together with KV_MODE = json extracts every field twice", sec.Name())
		}
	}
	for _, st := range sourcetypes {
		sec, err := props.GetSection(st)
		if err != nil {
			t.Errorf("default/props.conf has no [%s] stanza", st)
			continue
		}
		if got := sec.Key("SHOULD_LINEMERGE").String(); got != "false" {
			t.Errorf("[%s] SHOULD_LINEMERGE = %q, want false", st, got)
		}
		if got := sec.Key("KV_MODE").String(); got != "json" {
			t.Errorf("[%s] KV_MODE = %q, want json", st, got)
		}
		truncate, err := sec.Key("TRUNCATE").Int()
		switch {
		case err != nil:
			t.Errorf("[%s] TRUNCATE: %v", st, err)
		case slices.Contains(cloudTrailSourcetypes, st) && truncate != 8388608:
			t.Errorf("[%s] TRUNCATE = %d, want 8388608 for whole CloudTrail records", st, truncate)
		case truncate <= 10000:
			t.Errorf("[%s] TRUNCATE = %d, want more than the 10000 default", st, truncate)
		}
	}
	// The legacy name must parse exactly like the current one.
	legacy, current := props.Section("aws-cloudtrail").KeysHash(), props.Section("aws:cloudtrail").KeysHash()
	if len(legacy) == 0 || !maps.Equal(legacy, current) {
		t.Errorf("[aws-cloudtrail] = %v, want the same settings as [aws:cloudtrail] %v", legacy, current)
	}
}

// checkVersion runs each Linux binary with "version" and expects
// "<name> <version>" on stdout, where the version contains app.conf's.
func checkVersion(t *testing.T, pkg *spl, appConf *ini.File) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("cannot run linux/amd64 binaries on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	want := appConf.Section("launcher").Key("version").String()
	dir := t.TempDir()
	for _, b := range binaries {
		e := pkg.byRel["linux_x86_64/bin/"+b]
		if e == nil {
			t.Errorf("package has no linux_x86_64/bin/%s", b)
			continue
		}
		exe := filepath.Join(dir, b)
		if err := os.WriteFile(exe, e.data, 0o755); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, exe, "version")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Errorf("%s version: %v (stdout %q, stderr %q)", b, err, stdout.String(), stderr.String())
			continue
		}
		if got := stdout.String(); !strings.HasPrefix(got, b+" ") || !strings.Contains(got, want) {
			t.Errorf("%s version printed %q, want %q followed by a version containing %q", b, got, b+" ", want)
		}
	}
}
