#!/usr/bin/env bash
# Installs what is missing, builds once, and runs every test (unit, integration, end-to-end),
# with a real Matrix homeserver (scripts/synapse.sh) started beside the build and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
trap 'scripts/synapse.sh stop' EXIT
scripts/synapse.sh start &
synapse=$!
swift build --build-tests
wait "$synapse" || { echo "test: the Matrix homeserver could not be started (scripts/synapse.sh start)" >&2; exit 1; }
# The end-to-end suites (the real binary as a subprocess, waited for on test threads) run on their
# own after the rest, so their waits cannot starve the unit and integration tests' timed transfers.
swift test --skip-build --skip CrierEndToEndTests
# The Matrix end-to-end tests fail, rather than skip, without the homeserver.
CRIER_MATRIX_REQUIRED=1 swift test --skip-build --filter CrierEndToEndTests
