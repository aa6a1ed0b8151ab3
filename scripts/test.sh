#!/usr/bin/env bash
# Installs what is missing, builds once, and runs every test (unit, integration, end-to-end),
# with a real Matrix homeserver (scripts/synapse.sh) and a real PostgreSQL (scripts/postgres.sh)
# started beside the build and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# PostgreSQL's packages now, not beside the homeserver's start (which may run apt-get too).
scripts/postgres.sh install
# The PostgreSQL store and cluster tests read this file, and fail, rather than skip, without it.
export CRIER_PG_ENV=${CRIER_PG_ENV:-$PWD/.build-postgres/postgres.env} CRIER_PG_REQUIRED=1
runs=$(mktemp -d)
trap 'scripts/synapse.sh stop || true; scripts/postgres.sh stop; rm -rf "$runs"' EXIT
# crier's tests are swift-testing tests. `swift test` also runs the XCTest harness, which finds no
# XCTest tests and says so ("Test Suite … started/passed", "Executed 0 tests"): those lines are
# hidden, and each run's swift-testing summary ("Test run with N tests … passed") is added up in the
# last line.
xctest_noise="^Test Suite '[^']*' (started|passed) at |^[[:space:]]*Executed 0 tests, with 0 failures"
run_tests() { # NAME, then swift test's arguments
    local name=$1
    shift
    swift test --skip-build "$@" 2>&1 | tee "$runs/$name" | { grep --line-buffered -v -E "$xctest_noise" || true; }
}
passed() { grep -oE "Test run with [0-9]+ tests" "$runs/$1" | tail -n 1 | grep -oE "[0-9]+" || echo 0; }
scripts/synapse.sh start &
synapse=$!
scripts/postgres.sh start &
postgres=$!
swift build --build-tests
wait "$synapse" || { echo "test: the Matrix homeserver could not be started (scripts/synapse.sh start)" >&2; exit 1; }
wait "$postgres" || { echo "test: PostgreSQL could not be started (scripts/postgres.sh start)" >&2; exit 1; }
# The end-to-end suites (the real binary as a subprocess, waited for on test threads) run on their
# own after the rest, so their waits cannot starve the unit and integration tests' timed transfers.
run_tests unit --skip CrierEndToEndTests --skip Postgres
# The PostgreSQL store tests in a process of their own: they wait on the server (psql child
# processes, connections terminated and made again) on the test threads, which the other suites'
# timed tests need too.
run_tests postgres --filter Postgres --skip CrierEndToEndTests
# The Matrix end-to-end tests fail, rather than skip, without the homeserver.
CRIER_MATRIX_REQUIRED=1 run_tests end-to-end --filter CrierEndToEndTests
unit=$(passed unit) postgres=$(passed postgres) e2e=$(passed end-to-end)
echo "test: all $((unit + postgres + e2e)) tests passed ($unit unit and integration, $postgres PostgreSQL, $e2e end-to-end)"
