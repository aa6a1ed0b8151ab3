#!/usr/bin/env bash
# Install (or --uninstall) crier as a systemd service on Debian 12.
#
#   sudo deploy/install.sh                   build, install, create user + queue, verify the unit
#   sudo deploy/install.sh --skip-build      install an existing .build/release/crier (or none)
#   deploy/install.sh --root /tmp/stage      stage everything under /tmp/stage; touch nothing else
#   sudo deploy/install.sh --uninstall       stop, disable, remove binary/unit/sysusers/tmpfiles;
#                                            keeps /var/spool/crier, /etc/crier and the crier user
#
# Options: --root DIR (also: DESTDIR=DIR), --skip-build, --no-deps, --uninstall, -h|--help.
# Idempotent: re-running upgrades the binary and unit and never overwrites /etc/crier/crier.yml.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

args=("$@")
root=${DESTDIR:-}
skip_build=no
deps=yes
action=install

usage() { sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while (($#)); do
    case $1 in
        --root) [[ $# -ge 2 ]] || { echo "install.sh: --root needs a directory" >&2; exit 2; }
                root=$2; shift ;;
        --root=*) root=${1#--root=} ;;
        --skip-build) skip_build=yes ;;
        --no-deps) deps=no ;;
        --uninstall) action=uninstall ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [[ -n $root ]]; then
    mkdir -p "$root"
    root=$(cd "$root" && pwd)
    [[ $root != / ]] || root=""
fi

# Target paths (inside $root when staging).
bin=/usr/local/bin/crier
unit=/etc/systemd/system/crier.service
sysusers=/usr/lib/sysusers.d/crier.conf
tmpfiles=/usr/lib/tmpfiles.d/crier.conf
confdir=/etc/crier
config=$confdir/crier.yml
docdir=/usr/local/share/doc/crier
queue=/var/spool/crier

say()  { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die()  { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }
# The live system is only touched without --root; systemctl only where systemd is PID 1
# (the check sd_booted(3) uses). In a container without systemd, these steps are skipped.
live() { [[ -z $root ]]; }
systemd_running() { live && [[ -d /run/systemd/system ]]; }

if live && ! is_root; then
    die "run as root (sudo $0${args[*]:+ ${args[*]}}), or stage into a directory with --root DIR"
fi

# ---------------------------------------------------------------------------------------------------
uninstall() {
    say "Uninstalling crier${root:+ from $root}"
    if systemd_running; then
        systemctl disable --now crier.service 2>/dev/null || true
    elif live; then
        note "systemd is not running (not PID 1): nothing to stop"
    fi
    local f
    for f in "$bin" "$unit" "$sysusers" "$tmpfiles"; do
        if [[ -e $root$f || -L $root$f ]]; then rm -f -- "$root$f"; note "removed $f"; fi
    done
    if [[ -d $root$docdir ]]; then rm -rf -- "$root$docdir"; note "removed $docdir"; fi
    # A drop-in created with `systemctl edit crier` is the admin's; leave it, but say so.
    if [[ -d $root/etc/systemd/system/crier.service.d ]]; then
        note "kept drop-ins in /etc/systemd/system/crier.service.d (remove by hand if unwanted)"
    fi
    if systemd_running; then systemctl daemon-reload; systemctl reset-failed crier.service 2>/dev/null || true; fi
    say "Kept: the queue $queue (posts, receipts, journal), $confdir, and the crier user/group."
    note "Remove them by hand if you really want to: rm -rf $queue $confdir /var/lib/crier; userdel crier"
}

# ---------------------------------------------------------------------------------------------------
ensure_packages() {
    [[ $deps == yes ]] || { note "skipping package check (--no-deps)"; return; }
    local wanted=(systemd) missing=() p
    [[ $skip_build == yes ]] || wanted+=(libcurl4-openssl-dev libsqlite3-dev libvips-dev libpq-dev)
    command -v dpkg-query >/dev/null || { warn "not a Debian system; make sure ${wanted[*]} are installed"; return; }
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || { note "packages present: ${wanted[*]}"; return; }
    is_root || die "missing packages ${missing[*]}; install them as root (apt-get install ${missing[*]})"
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
    command -v swift >/dev/null || die "swift not found in PATH (or use --skip-build)"
    say "Building crier (release, static Swift stdlib) in $repo"
    # SwiftPM prints each step ([n/N] Compiling …) and every compiler error in full.
    local as=() status=0
    # Under sudo, build as the invoking user so .build/ does not end up owned by root.
    if is_root && [[ -n ${SUDO_USER:-} && ${SUDO_USER} != root ]] && command -v runuser >/dev/null; then
        as=(runuser -u "$SUDO_USER" -- env "PATH=$PATH" "HOME=$(getent passwd "$SUDO_USER" | cut -d: -f6)")
    fi
    (cd "$repo" && "${as[@]}" swift build -c release --static-swift-stdlib --product crier -Xlinker -z -Xlinker now) || status=$?
    if ((status != 0)); then
        local hint=""
        [[ -x $(built_binary) ]] && hint="; to install the binary an earlier build left: $(again --skip-build)"
        die "the release build failed (exit $status; the compiler's messages are above)$hint"
    fi
}

# This script's command line again, with other options (for hints that must work when pasted).
again() { printf '%s%s %s%s' "${SUDO_USER:+sudo }" "$0" "$*" "${root:+ --root $root}"; }

# Said before anything else happens: a release build is long, and an existing binary can be used.
announce_build() {
    if [[ $skip_build == yes ]]; then return; fi
    say "This runs a release build (swift build -c release --static-swift-stdlib): the first one takes"
    note "8-15 minutes on 2 cores (dependencies included), a rebuild after a small change about a minute."
    local existing; existing=$(built_binary)
    if [[ -x $existing ]]; then
        note "A release binary from $(date -r "$existing" '+%F %R') is already at $existing;"
        note "to install it as it is, without building: $(again --skip-build)"
    fi
}

# SwiftPM keeps .build/release as a symlink to the host triple's release directory.
built_binary() { printf '%s/.build/release/crier' "$repo"; }

# Numeric gid of group crier as the target system sees it (staged roots have their own /etc/group).
crier_gid() {
    if live; then getent group crier | cut -d: -f3
    else awk -F: '$1 == "crier" { print $3 }' "$root/etc/group" 2>/dev/null; fi
}

# systemd-analyze verify, which also checks that ExecStart= is executable. When the binary is not
# (yet) at /usr/local/bin/crier on this host — staging with --root, or --skip-build without a build —
# verify a temporary copy whose ExecStart runs the staged binary (or /bin/true when there is none)
# instead; every other line is checked as is.
verify_unit() {
    local file=$1 tmp out status=0
    command -v systemd-analyze >/dev/null || { warn "systemd-analyze not found; unit not verified"; return; }
    if [[ -x $bin && -z $root ]]; then
        out=$(systemd-analyze verify "$file" 2>&1) || status=$?
    else
        local stand_in=/bin/true
        [[ -z $root || ! -x $root$bin ]] || stand_in=$root$bin
        tmp=$(mktemp -d)
        sed "s|^ExecStart=/usr/local/bin/crier |ExecStart=$stand_in |" "$file" >"$tmp/crier.service"
        out=$(systemd-analyze verify "$tmp/crier.service" 2>&1) || status=$?
        rm -rf -- "$tmp"
    fi
    [[ -z $out ]] || printf '%s\n' "$out" >&2
    ((status == 0)) || die "systemd-analyze verify failed for $file"
    note "systemd-analyze verify: OK"
}

install_all() {
    announce_build
    say "Installing crier${root:+ into staging root $root}"
    ensure_packages

    local src=""
    if [[ $skip_build == no ]]; then
        build
        src=$(built_binary)
        [[ -x $src ]] || die "build finished but $src is missing"
    else
        src=$(built_binary)
        if [[ -x $src ]]; then note "--skip-build: installing existing $src"
        else note "--skip-build: no built binary found; the crier binary is not installed"; src=""; fi
    fi

    if [[ -n $src ]]; then
        install -D -m 0755 "$src" "$root$bin"
        note "installed $bin"
    fi
    install -D -m 0644 "$here/crier.service" "$root$unit";   note "installed $unit"
    install -D -m 0644 "$here/crier.sysusers" "$root$sysusers"; note "installed $sysusers"
    install -D -m 0644 "$here/crier.tmpfiles" "$root$tmpfiles"; note "installed $tmpfiles"
    install -D -m 0644 "$here/crier.yml.example" "$root$docdir/crier.yml.example"
    [[ -f $repo/README.md ]] && install -D -m 0644 "$repo/README.md" "$root$docdir/README.md"
    [[ -f $here/OPERATIONS.md ]] && install -D -m 0644 "$here/OPERATIONS.md" "$root$docdir/OPERATIONS.md"
    # docs/ (formats, media, one page per platform), which README and `--help` name.
    if [[ -d $repo/docs ]]; then
        (cd "$repo" && find docs -name '*.md' -type f) | while read -r page; do
            install -D -m 0644 "$repo/$page" "$root$docdir/$page"
        done
    fi

    # The crier user/group and the queue. systemd-sysusers and systemd-tmpfiles do not need systemd as
    # PID 1, so they also run in containers; with --root they write only inside the staging root.
    local rootopt=() ok=yes
    [[ -z $root ]] || { rootopt=(--root="$root"); mkdir -p "$root/etc"; }
    if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
        systemd-sysusers "${rootopt[@]}" crier.conf || ok=no
        systemd-tmpfiles --create "${rootopt[@]}" crier.conf || ok=no
        if [[ $ok == yes ]]; then note "user/group crier and $queue (2770 crier:crier) are in place"
        elif live; then die "systemd-sysusers/systemd-tmpfiles failed"
        else warn "could not create the user or queue in the staging root (not root?)"; fi
    else
        warn "systemd-sysusers/systemd-tmpfiles not available; skipped creating user crier and $queue"
    fi

    # /etc/crier: root-owned; crier.yml readable by group crier. Never overwrite an existing config.
    install -d -m 0755 "$root$confdir"
    if [[ -e $root$config ]]; then
        note "kept existing $config"
    else
        install -m 0640 "$here/crier.yml.example" "$root$config"
        local gid; gid=$(crier_gid)
        if [[ -n $gid ]] && is_root; then chown "0:$gid" "$root$config"; else chmod 0644 "$root$config"; fi
        note "installed example config $config — edit it, then check it (Next steps, 1.)"
    fi

    verify_unit "$root$unit"

    if systemd_running; then
        systemctl daemon-reload
        note "systemctl daemon-reload: done"
    elif live; then
        note "systemd is not running as PID 1 (container?): skipped systemctl daemon-reload"
    fi

    say "Next steps"
    cat <<NEXT
    1. Edit $config (secrets as credential:/env:/file: references), then check it as the service
       will see it (systemd gives the service \$CREDENTIALS_DIRECTORY; a shell has none):
         sudo env CREDENTIALS_DIRECTORY=/etc/crier/credentials crier check --config $config
    2. Secrets via credentials: systemctl edit crier  →  [Service] LoadCredential=NAME:/etc/crier/credentials/NAME
    3. Start it:      systemctl enable --now crier
    4. Let people post: usermod -aG crier alice   (takes effect at alice's next login)
    5. Watch it:      journalctl -u crier -f        (errors only: journalctl -u crier -p err)
NEXT
    if systemd_running && systemctl is-active --quiet crier.service; then
        note "crier is running the previous version: systemctl restart crier"
    fi
}

case $action in
    install) install_all ;;
    uninstall) uninstall ;;
esac
