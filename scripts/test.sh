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
# The Matrix end-to-end tests fail, rather than skip, without it.
CRIER_MATRIX_REQUIRED=1 swift test --skip-build
