#!/usr/bin/env bash
# package.sh builds the Splunk app package dist/aws_ingest-<version>.spl.
#
# It builds the modular-input binaries as static Go programs, copies app/
# into a staging directory, stamps the version and build number into the
# staged default/app.conf (never into app/), normalises permissions and
# writes a reproducible gzip tar whose single top folder is aws_ingest/.
#
# Usage: ./package.sh            (from any directory)
#
# Environment:
#   DIST_DIR   output directory (default: dist/ next to this script; a
#              relative path is taken relative to the caller's directory)
#   PLATFORMS  space-separated platforms to build, from linux_x86_64 and
#              windows_x86_64 (default: both; linux_x86_64 is required)
#   GOFLAGS    passed through to go build, e.g. GOFLAGS=-buildvcs=false
#   SOURCE_DATE_EPOCH
#              timestamp (seconds) for every file in the archive (default:
#              the commit time of HEAD)
#
# Versions. app.conf needs Major.Minor.Revision and a positive integer build;
# the binaries get a longer string that keeps the git description. In order:
#   1. A VERSION file at the repository root, first line "X.Y.Z" optionally
#      with a "v" prefix and a "-prerelease" or "+build" suffix:
#      app.conf version X.Y.Z, binary version = the line as written.
#   2. Otherwise git describe --tags --always --dirty, considering only tags
#      that look like versions (vX.Y.Z or X.Y.Z, optionally with a suffix):
#      * exactly on a tag, clean tree: app.conf X.Y.Z, binaries get the tag
#        (v1.2.0 -> 1.2.0 / v1.2.0; v1.3.0-rc1 -> 1.3.0 / v1.3.0-rc1).
#      * N > 0 commits after a release tag vX.Y.Z: app.conf X.Y.(Z+1), like a
#        Go pseudo-version, because this build precedes the next release;
#        after a pre-release tag the version is not bumped. On the tag with a
#        dirty tree: X.Y.Z. Binaries: "<app.conf version>-dev+<describe>",
#        e.g. 1.2.1-dev+v1.2.0-5-g1a2b3c4-dirty.
#      * no version tag: app.conf 0.1.0, binaries 0.1.0-dev+<describe>, e.g.
#        0.1.0-dev+8fbe48c-dirty.
#   So the binary version always contains the app.conf version.
# Build number: git rev-list --count HEAD (the number of commits, which
# grows with every release commit on a branch); 1 when there is no git
# history (VERSION file in an exported tree).
#
# Requires bash, go, git (unless VERSION exists), GNU tar, gzip, coreutils.
set -euo pipefail

readonly APP_ID=aws_ingest
readonly BINARIES=(aws_ingest_cloudtrail aws_ingest_billing aws_ingest_inventory)
readonly MAX_BYTES=40000000 # 40 MB: the package must stay below this size.

die() {
	printf 'package.sh: %s\n' "$*" >&2
	exit 1
}

warn() {
	printf 'package.sh: warning: %s\n' "$*" >&2
}

# Resolve DIST_DIR against the caller's directory before moving to the repo.
caller_dir=$PWD
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
dist_dir=${DIST_DIR:-$script_dir/dist}
if [[ $dist_dir != /* ]]; then
	dist_dir=$caller_dir/$dist_dir
fi
cd -- "$script_dir"

platforms=${PLATFORMS:-linux_x86_64 windows_x86_64}
read -r -a platform_list <<<"$platforms"
have_linux=false
for p in "${platform_list[@]}"; do
	case $p in
	linux_x86_64) have_linux=true ;;
	windows_x86_64) ;;
	*) die "unknown platform '$p' in PLATFORMS (want linux_x86_64 and/or windows_x86_64)" ;;
	esac
done
[[ $have_linux == true ]] || die "PLATFORMS must include linux_x86_64"

command -v go >/dev/null || die "go not found in PATH"
tar_cmd=tar
if command -v gtar >/dev/null; then
	tar_cmd=gtar
fi
[[ $("$tar_cmd" --version 2>/dev/null || true) == *"GNU tar"* ]] ||
	die "GNU tar is required (for --sort, --owner, --mtime)"

in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=true
fi

# version_re matches X.Y.Z with an optional v prefix and suffix.
readonly version_re='^v?([0-9]+)\.([0-9]+)\.([0-9]+)([-+][0-9A-Za-z.+-]*)?$'

# --- Version and build number (see the header comment) ---------------------
if [[ -f VERSION ]]; then
	IFS= read -r line <VERSION || [[ -n ${line:-} ]] || die "VERSION is empty"
	line=${line//[[:space:]]/}
	[[ $line =~ $version_re ]] ||
		die "VERSION must look like X.Y.Z (optionally vX.Y.Z-suffix), got '$line'"
	app_version=$((10#${BASH_REMATCH[1]})).$((10#${BASH_REMATCH[2]})).$((10#${BASH_REMATCH[3]}))
	bin_version=$line
elif [[ $in_git == true ]]; then
	describe=$(git describe --tags --always --dirty --match 'v[0-9]*' --match '[0-9]*')
	tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' --match '[0-9]*' 2>/dev/null || true)
	if [[ -n $tag && $tag =~ $version_re ]]; then
		major=$((10#${BASH_REMATCH[1]}))
		minor=$((10#${BASH_REMATCH[2]}))
		rev=$((10#${BASH_REMATCH[3]}))
		prerelease=${BASH_REMATCH[4]} # "-rc1" is a pre-release, "+meta" is not
		distance=$(git rev-list --count "$tag..HEAD")
		if ((distance > 0)) && [[ $prerelease != -* ]]; then
			rev=$((rev + 1))
		fi
		app_version=$major.$minor.$rev
		if [[ $describe == "$tag" ]]; then
			bin_version=$tag
		else
			bin_version=$app_version-dev+$describe
		fi
	else
		app_version=0.1.0
		bin_version=$app_version-dev+$describe
	fi
else
	die "no VERSION file and not a git checkout: cannot determine the version"
fi

if [[ $in_git == true ]]; then
	build=$(git rev-list --count HEAD)
	if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
		warn "shallow clone: build number $build counts only the fetched commits"
	fi
	mtime=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
else
	build=1
	warn "no git history: build number 1"
	mtime=${SOURCE_DATE_EPOCH:-$(date +%s)}
fi
[[ $build =~ ^[1-9][0-9]*$ ]] || die "build number '$build' is not a positive integer"
[[ $mtime =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH '$mtime' is not a number of seconds"

printf 'package.sh: %s version %s (build %s), binaries %s\n' \
	"$APP_ID" "$app_version" "$build" "$bin_version"

stage=$(mktemp -d)
trap 'rm -rf -- "$stage"' EXIT
app_dir=$stage/$APP_ID
mkdir -p -- "$app_dir"

# --- Binaries --------------------------------------------------------------
packages=()
for b in "${BINARIES[@]}"; do
	packages+=("./cmd/$b")
done
for p in "${platform_list[@]}"; do
	case $p in
	linux_x86_64) goos=linux ;;
	windows_x86_64) goos=windows ;;
	esac
	out=$app_dir/$p/bin
	mkdir -p -- "$out"
	# With several packages and -o <dir>/, go build writes one executable per
	# package into the directory (adding .exe for windows).
	CGO_ENABLED=0 GOOS=$goos GOARCH=amd64 go build -trimpath \
		-ldflags "-s -w -X main.version=$bin_version" \
		-o "$out/" "${packages[@]}"
	for b in "${BINARIES[@]}"; do
		exe=$out/$b
		[[ $goos == windows ]] && exe+=.exe
		[[ -f $exe ]] || die "go build did not produce $exe"
		chmod 0755 -- "$exe"
	done
	chmod 0755 -- "$app_dir/$p" "$out"
done

# --- App files -------------------------------------------------------------
# Copy app/ without hidden files or directories (the globs below skip them),
# local/ directories, local.meta, compiled Python and editor leftovers.
shopt -s globstar nullglob
for src in app/**; do
	rel=${src#app/}
	rel=${rel%/}
	[[ -n $rel ]] || continue
	case /$rel/ in
	*/local/* | */__pycache__/* | */__MACOSX/*) continue ;;
	esac
	case ${rel##*/} in
	local.meta | *.pyc | *.pyo | *~ | *.bak | *.orig | *.rej | *.swp | \#*\#) continue ;;
	esac
	[[ -L $src ]] && die "symlinks are not allowed in the package: $src"
	dst=$app_dir/$rel
	if [[ -d $src ]]; then
		mkdir -p -- "$dst"
		chmod 0755 -- "$dst"
	elif [[ -f $src ]]; then
		mkdir -p -- "${dst%/*}"
		cp -- "$src" "$dst"
		chmod 0644 -- "$dst"
	else
		die "not a regular file or directory: $src"
	fi
done
shopt -u globstar nullglob

for f in default/app.conf README.md; do
	[[ -f $app_dir/$f ]] || die "app/$f is missing"
done
for f in README/inputs.conf.spec default/inputs.conf; do
	[[ -f $app_dir/$f ]] || warn "app/$f is missing: splunkd will not know the inputs"
done

# Stamp version and build into the staged app.conf, section by section.
stamp_app_conf() {
	local file=$1 section='' line out='' n=0
	local -r header_re='^[[:space:]]*\[([^]]*)\][[:space:]]*$'
	while IFS= read -r line || [[ -n $line ]]; do
		if [[ $line =~ $header_re ]]; then
			section=${BASH_REMATCH[1]}
		elif [[ $section == install && $line =~ ^[[:space:]]*build[[:space:]]*= ]]; then
			line="build = $build"
			n=$((n + 1))
		elif [[ ($section == launcher || $section == id) && $line =~ ^[[:space:]]*version[[:space:]]*= ]]; then
			line="version = $app_version"
			n=$((n + 1))
		fi
		out+=$line$'\n'
	done <"$file"
	((n == 3)) || die "app/default/app.conf must set [install] build, [launcher] version and [id] version once each (stamped $n)"
	printf '%s' "$out" >"$file"
}
stamp_app_conf "$app_dir/default/app.conf"

# --- Checks on the staged tree ---------------------------------------------
# No symlinks or special files; execute bits only inside directories named
# bin (AppInspect check_for_bin_files).
chmod 0755 -- "$app_dir"
shopt -s globstar dotglob nullglob
for path in "$app_dir"/**; do
	rel=${path#"$stage"/}
	rel=${rel%/}
	[[ -L $path ]] && die "symlink in the staged app: $rel"
	base=${rel##*/}
	[[ $base == .* ]] && die "hidden file in the staged app: $rel"
	if [[ -f $path && -x $path ]]; then
		case $rel in
		*/bin/*) ;;
		*) die "executable file outside a bin directory: $rel" ;;
		esac
	elif [[ ! -f $path && ! -d $path ]]; then
		die "not a regular file or directory: $rel"
	fi
done
shopt -u globstar dotglob nullglob

# --- Archive ---------------------------------------------------------------
mkdir -p -- "$dist_dir"
spl=$dist_dir/$APP_ID-$app_version.spl
tmp_spl=$(mktemp "$dist_dir/.$APP_ID-XXXXXX.spl.tmp")
trap 'rm -rf -- "$stage" "$tmp_spl"' EXIT
"$tar_cmd" --create --format=ustar --sort=name \
	--owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
	--directory="$stage" "$APP_ID" | gzip -9 -n >"$tmp_spl"
chmod 0644 -- "$tmp_spl"
mv -f -- "$tmp_spl" "$spl"

size=$(wc -c <"$spl")
size=${size//[[:space:]]/}
if ((size >= MAX_BYTES)); then
	die "$spl is $size bytes, over the $MAX_BYTES-byte limit"
fi
printf '%s %s bytes (%s.%s MB) in %ss\n' "$spl" "$size" \
	$((size / 1000000)) $(((size % 1000000) / 100000)) "$SECONDS"
