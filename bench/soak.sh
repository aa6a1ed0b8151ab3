#!/usr/bin/env bash
# Soak: the release `crier run` daemon for a set time (default 60 minutes) with steady drops (3 posts/s
# by atomic rename) to a loopback webhook sink that answers 503 to about 5% of requests (every other
# one with `Retry-After: 1`) and checks every signature. Every minute it records the daemon's RSS,
# open file descriptors (/proc/PID/fd), threads, CPU time (/proc/PID/stat) and posts delivered, then
# prints the table and a verdict on growth (first 10 minutes against the last 10). See bench/RESULTS.md.
#
#   bench/soak.sh [--minutes N] [--rate POSTS_PER_S] [--fail SHARE] [--skip-build] [--keep]
#
# Builds into .build-soak (release), never .build. Talks to 127.0.0.1 only. Bounded: drops stop after
# --minutes, the daemon then has up to 3 minutes to drain and is stopped with SIGTERM. Exit 1 when
# something grew or a post was not delivered exactly once. The work dir (mktemp in /var/tmp) is
# deleted at the end unless --keep.
set -euo pipefail

minutes=60
rate=3
fail=0.05
skip_build=0
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --fail) fail="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --minutes must be a positive integer" >&2; exit 2; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
command -v python3 >/dev/null || { echo "soak.sh: needs python3 (the sink and sampler)" >&2; exit 1; }

build=(swift build -c release --scratch-path .build-soak --product crier)
if [[ $skip_build -eq 0 ]]; then
    scripts/setup.sh
    echo "== building (release, .build-soak)"
    "${build[@]}"
fi
bin="$(swift build -c release --scratch-path .build-soak --show-bin-path)/crier"
[[ -x "$bin" ]] || { echo "soak.sh: $bin is missing (build without --skip-build)" >&2; exit 1; }

work="$(mktemp -d /var/tmp/crier-soak.XXXXXX)"
cleanup() { [[ $keep -eq 1 ]] && echo "== kept $work" || rm -rf "$work"; }
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== crier $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (+ uncommitted changes in Sources)'), work dir $work on $(df -T "$work" | awk 'NR==2 {print $2}')"
python3 -u bench/soak.py --crier "$bin" --workdir "$work" --minutes "$minutes" --rate "$rate" --fail "$fail" && status=0 || status=$?
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
