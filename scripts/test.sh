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
trap 'scripts/synapse.sh stop || true; scripts/postgres.sh stop' EXIT
scripts/synapse.sh start &
synapse=$!
scripts/postgres.sh start &
postgres=$!
swift build --build-tests
wait "$synapse" || { echo "test: the Matrix homeserver could not be started (scripts/synapse.sh start)" >&2; exit 1; }
wait "$postgres" || { echo "test: PostgreSQL could not be started (scripts/postgres.sh start)" >&2; exit 1; }
# The end-to-end suites (the real binary as a subprocess, waited for on test threads) run on their
# own after the rest, so their waits cannot starve the unit and integration tests' timed transfers.
swift test --skip-build --skip CrierEndToEndTests --skip Postgres
# The PostgreSQL store tests in a process of their own: they wait on the server (psql child
# processes, connections terminated and made again) on the test threads, which the other suites'
# timed tests need too.
swift test --skip-build --filter Postgres --skip CrierEndToEndTests
# The Matrix end-to-end tests fail, rather than skip, without the homeserver.
CRIER_MATRIX_REQUIRED=1 swift test --skip-build --filter CrierEndToEndTests
