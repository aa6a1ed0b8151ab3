#!/usr/bin/env bash
# Builds crier's libFuzzer targets (the separate package in fuzz/) and runs each for a set time, one
# after another, at low priority. See fuzz/Package.swift for what each target checks, and
# bench/RESULTS.md ("Fuzzing") for what they found.
#
#   scripts/fuzz.sh [--seconds N] [--no-build] [TARGET...]
#
# Targets: post-markdown post-json config render time response responses (default: all, in that
# order); --seconds per target (default 300). Seeds come from fuzz/corpus/TARGET/ (kept in the
# repository, never written to) and tokens from fuzz/dict/TARGET.dict; what the fuzzer learns goes
# to fuzz/.build/corpus/TARGET/ and is reused on the next run. -max_len: 65536 bytes for the parsers
# (post-markdown, post-json, config), 16384 for render, 8192 for responses, 4096 for response, 256
# for time. Limits that make a hang or a memory blow-up a finding: -timeout=5 (seconds for one
# input), -rss_limit_mb=2048 (and no single malloc over that). A crash, hang, broken invariant or
# blow-up is saved as fuzz/.build/findings/TARGET/*; replay one with
# `fuzz/.build/release/TARGET FILE` (Swift prints the backtrace). Exit 1 when any target found
# something.
set -euo pipefail

seconds=300
build=1
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive integer" >&2; exit 2; }
all=(post-markdown post-json config render time response responses)
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
for target in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target $target (one of: ${all[*]})" >&2; exit 2; }
done

max_len() {
    case "$1" in
        # The parsers take whole files: long enough for size-driven slowdowns (80,000 keys of front
        # matter once took minutes).
        post-markdown|post-json|config) echo 65536 ;;
        time) echo 256 ;;
        response) echo 4096 ;;
        responses) echo 8192 ;;
        *) echo 16384 ;;
    esac
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
scratch=fuzz/.build
if [[ $build -eq 1 ]]; then
    scripts/setup.sh
    echo "== building the fuzz targets (release, -sanitize=fuzzer, $scratch)"
    # -sanitize=fuzzer on every Swift module (CrierCore and Yams included) so libFuzzer sees their
    # coverage.
    nice -n 10 swift build --package-path fuzz --scratch-path "$scratch" -c release -Xswiftc -sanitize=fuzzer
fi
bin="$scratch/release"

echo "== crier $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
found=0
summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    findings="$scratch/findings/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    dict=()
    [[ -f "fuzz/dict/$target.dict" ]] && dict=(-dict="fuzz/dict/$target.dict")
    echo "== $target: ${seconds}s, -max_len=$(max_len "$target"), log $log"
    started=$(date +%s)
    status=0
    # SWIFT_BACKTRACE=enable=no: Swift's own crash handler would otherwise catch the trap first and
    # libFuzzer would never save the input.
    SWIFT_BACKTRACE=enable=no nice -n 10 "$bin/$target" "$corpus" "fuzz/corpus/$target" ${dict[@]+"${dict[@]}"} \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
    if [[ $status -ne 0 ]]; then
        found=1
        artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | cut -d' ' -f5 || true)
        reason=$(grep -m1 -E "^==[0-9]+== ERROR|invariant broken|Fatal error|deadly signal|timeout after|out-of-memory|malloc\(" "$log" || true)
        line="$target: FOUND after ${elapsed}s (${runs:-?} runs; $cov): ${reason:-exit $status} -> ${artifact:-see $log}"
    else
        line="$target: nothing found in ${elapsed}s, ${runs:-?} runs (${rate:-?}/s), $cov, peak RSS ${rss:-?} MB"
    fi
    echo "$line"
    summary+=("$line")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $found
