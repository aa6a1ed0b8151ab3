#!/usr/bin/env bash
# Builds crier_VERSION_ARCH.deb, a Debian 12 package that needs no Swift on the target machine.
#
#   deploy/build-deb.sh                      release build (static Swift runtime), then the package
#   deploy/build-deb.sh --skip-build         package the binary a previous release build left
#   deploy/build-deb.sh --output DIR         write the .deb into DIR (default: .build-deb/)
#   deploy/build-deb.sh --scratch-path DIR   SwiftPM scratch path (default: .build, as install.sh)
#
# The package: /usr/bin/crier (stripped; Swift runtime and Foundation linked in statically),
# the systemd unit, sysusers.d and tmpfiles.d entries (deploy/crier.{service,sysusers,tmpfiles},
# the files install.sh installs; the unit's ExecStart= is pointed at /usr/bin), /etc/crier/crier.yml
# as a conffile (from deploy/crier.yml.example), man pages and bash/zsh/fish completions generated
# from the binary (deploy/generate-docs.sh), and the maintainer scripts in deploy/debian/.
# Depends: is computed by dpkg-shlibdeps from the libraries the binary links (the script refuses a
# binary that still needs a library from the Swift toolchain), plus tzdata (read at run time) and
# what the maintainer scripts run. Needs dpkg-dev, binutils, chrpath and the build packages
# (installed when missing, as root). The version is what `crier --version` prints.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

skip_build=no
scratch=$repo/.build
out=$repo/.build-deb

say()  { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die()  { printf 'build-deb: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while (($#)); do
    case $1 in
        --skip-build) skip_build=yes ;;
        --output) [[ $# -ge 2 ]] || die "--output needs a directory"; out=$2; shift ;;
        --scratch-path) [[ $# -ge 2 ]] || die "--scratch-path needs a directory"; scratch=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) printf 'build-deb: unknown option %s\n' "$1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ $scratch == /* ]] || scratch=$PWD/$scratch
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Reproducible dates (man pages, changelog, file times): the last commit's.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
umask 022

# --- tools ------------------------------------------------------------------------------------------
need_packages=()
command -v dpkg-shlibdeps >/dev/null || need_packages+=(dpkg-dev)
command -v strip >/dev/null && command -v objdump >/dev/null || need_packages+=(binutils)
command -v chrpath >/dev/null || need_packages+=(chrpath)
if ((${#need_packages[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing ${need_packages[*]}; install them: sudo apt-get install ${need_packages[*]}"
    say "Installing ${need_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

# --- the binary ---------------------------------------------------------------------------------------
# -z now: full RELRO (every symbol bound at start, the GOT read-only), as Debian's hardening=+all.
build_args=(-c release --static-swift-stdlib --scratch-path "$scratch" --product crier -Xlinker -z -Xlinker now)
if [[ $skip_build == no ]]; then
    command -v swift >/dev/null || die "swift not found in PATH (or use --skip-build with an existing build)"
    "$repo/scripts/setup.sh"
    say "Release build with the Swift runtime linked in (swift build ${build_args[*]})"
    note "a first build takes 8-15 minutes on 2 cores, a rebuild after a small change about a minute"
    (cd "$repo" && swift build "${build_args[@]}")
fi
bin_dir=$(cd "$repo" && swift build "${build_args[@]}" --show-bin-path 2>/dev/null) ||
    bin_dir=$scratch/release
binary=$bin_dir/crier
[[ -x $binary ]] || die "no release binary at $binary; run without --skip-build"

version=$("$binary" --version) || die "$binary --version failed"
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "'$binary --version' printed '$version', not a version"
arch=$(dpkg --print-architecture)
say "Packaging crier $version for $arch from $binary"

# The binary must not need anything from the Swift toolchain: ask the dynamic loader with an empty
# environment (no LD_LIBRARY_PATH) and look for any library it cannot find or finds under the
# toolchain, and for a RUNPATH that points there.
linkage=$(env -i LD_LIBRARY_PATH= ldd "$binary") || die "ldd $binary failed"
if bad=$(printf '%s\n' "$linkage" | grep -E 'not found|/opt/swift|libswift|libFoundation|libdispatch|libBlocksRuntime'); then
    printf '%s\n' "$linkage" >&2
    die "the binary still needs Swift toolchain libraries: $bad"
fi
# SwiftPM gives executables a RUNPATH of $ORIGIN (for libraries built beside them); anything else
# there would point outside the system's library paths.
if objdump -p "$binary" | awk '$1 == "RUNPATH" || $1 == "RPATH"' | grep -v -E '\s\$ORIGIN$' >&2; then
    die "the binary has a RUNPATH other than \$ORIGIN (above); a packaged binary uses the system's library paths"
fi
note "links: $(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }' | xargs) (no Swift library)"

# --- the package tree -----------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/crier-deb.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
pkg=$work/crier
doc=$pkg/usr/share/doc/crier
mkdir -p "$pkg/DEBIAN"

# The binary, stripped as dh_strip does (debug info and symbol tables off: ~108 MB -> a few dozen).
install -D -m 0755 "$binary" "$pkg/usr/bin/crier"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$pkg/usr/bin/crier"
# /usr/bin/crier loads libraries from the system's paths only, never from /usr/bin ($ORIGIN).
chrpath -d "$pkg/usr/bin/crier" >/dev/null
if objdump -p "$pkg/usr/bin/crier" | grep -E '^\s*(RUNPATH|RPATH)\s' >&2; then die "chrpath left a RUNPATH in the packaged binary"; fi
note "stripped binary: $(du -h "$pkg/usr/bin/crier" | cut -f1) (unstripped: $(du -h "$binary" | cut -f1))"

# The unit install.sh installs, pointed at the packaged binary and the packaged docs. Each
# substitution is checked, so a change of deploy/crier.service cannot silently skip it.
unit=$pkg/lib/systemd/system/crier.service
install -d "$(dirname "$unit")"
sed -e 's|^ExecStart=/usr/local/bin/crier |ExecStart=/usr/bin/crier |' \
    -e 's|^Documentation=.*|Documentation=man:crier(1) man:crier-run(1) file:/usr/share/doc/crier/README.md.gz|' \
    -e 's|^# Install with deploy/install.sh|# Installed by the crier package (from deploy/crier.service; install.sh installs the same file)|' \
    "$here/crier.service" >"$unit"
chmod 0644 "$unit"
grep -q '^ExecStart=/usr/bin/crier run ' "$unit" || die "deploy/crier.service: ExecStart= no longer starts with /usr/local/bin/crier; update build-deb.sh"
grep -q '^Documentation=man:crier(1) ' "$unit" || die "deploy/crier.service has no Documentation= line; update build-deb.sh"
if grep -n '/usr/local' "$unit" >&2; then die "the packaged unit still names /usr/local (lines above)"; fi

install -D -m 0644 "$here/crier.sysusers" "$pkg/usr/lib/sysusers.d/crier.conf"
install -D -m 0644 "$here/crier.tmpfiles" "$pkg/usr/lib/tmpfiles.d/crier.conf"
install -D -m 0644 "$here/crier.yml.example" "$pkg/etc/crier/crier.yml"

# Man pages and completions, generated from this binary.
"$here/generate-docs.sh" "$binary" "$work/docs" --scratch-path "$scratch" \
    --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)"
install -d "$pkg/usr/share/man/man1"
for page in "$work/docs/man"/*.1; do
    gzip -9n <"$page" >"$pkg/usr/share/man/man1/$(basename "$page").gz"
done
install -D -m 0644 "$work/docs/completions/crier.bash" "$pkg/usr/share/bash-completion/completions/crier"
install -D -m 0644 "$work/docs/completions/_crier" "$pkg/usr/share/zsh/vendor-completions/_crier"
install -D -m 0644 "$work/docs/completions/crier.fish" "$pkg/usr/share/fish/vendor_completions.d/crier.fish"

# Documentation: README, OPERATIONS and docs/, the copyright file, a changelog, lintian overrides.
install -d "$doc"
gzip -9n <"$repo/README.md" >"$doc/README.md.gz"
gzip -9n <"$here/OPERATIONS.md" >"$doc/OPERATIONS.md.gz"
# docs/ (formats, media, one page per platform), which README and `--help` name, beside it.
(cd "$repo" && find docs -name '*.md' -type f) | while read -r page; do
    install -d "$doc/$(dirname "$page")"
    gzip -9n <"$repo/$page" >"$doc/$page.gz"
done
"$here/debian/copyright.sh" "$scratch/checkouts" >"$doc/copyright"
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
maintainer=${CRIER_DEB_MAINTAINER:-"crier maintainers <crier@packages.invalid>"}
{
    printf 'crier (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from commit %s of the crier repository; see its git log.\n\n' "$commit"
    printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
install -D -m 0644 "$here/debian/lintian-overrides" "$pkg/usr/share/lintian/overrides/crier"

# Maintainer scripts and conffiles.
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$pkg/DEBIAN/"
printf '/etc/crier/crier.yml\n' >"$pkg/DEBIAN/conffiles"

# --- control --------------------------------------------------------------------------------------------------
# Depends: the shared libraries the binary links, as dpkg-shlibdeps maps them to packages and
# versions (libc6, libcurl4, libsqlite3-0, libstdc++6, …). It wants a debian/control to read.
mkdir -p "$work/shlibs/debian"
printf 'Source: crier\n\nPackage: crier\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$pkg/usr/bin/crier" 2>"$work/shlibdeps.err") ||
    { cat "$work/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
lib_depends=${shlibs#shlibs:Depends=}
[[ -n $lib_depends && $lib_depends != "$shlibs" ]] || die "dpkg-shlibdeps printed no shlibs:Depends ($shlibs)"
# What the maintainer scripts run besides essential packages: systemd-sysusers and
# systemd-tmpfiles (from systemd, or the standalone packages on systems without it).
# And tzdata: Foundation reads /usr/share/zoneinfo for the time zones in crier.yml and post files,
# a need no ELF header shows.
depends="$lib_depends, tzdata, systemd | systemd-sysusers, systemd | systemd-tmpfiles"
installed_size=$(du -k -s --apparent-size "$pkg" | cut -f1)

cat >"$pkg/DEBIAN/control" <<CONTROL
Package: crier
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Recommends: ca-certificates
Section: net
Priority: optional
Description: cross-channel post scheduler daemon
 Drop a post file (Markdown with YAML front matter, or JSON) into
 /var/spool/crier, and crier posts it: once, on time, signed, and never
 in a burst. The daemon picks files up with inotify, journals every
 delivery in SQLite before its first attempt and delivers through libcurl
 with retries and backoff, exactly once per channel.
 .
 This package installs the crier binary (Swift runtime linked in), a
 hardened systemd unit that is not enabled until you have edited
 /etc/crier/crier.yml, the crier system user and the queue directory.
CONTROL

(cd "$pkg" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
    LC_ALL=C sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

# File times no later than the commit, owners root:root, directories 0755.
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"

deb=$out/crier_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
say "Built $deb ($(du -h "$deb" | cut -f1))"
note "Depends: $depends"
note "install: sudo apt install $deb   (lint: lintian $deb; test: .ci/check-deb)"
