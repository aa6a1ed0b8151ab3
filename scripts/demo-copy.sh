#!/usr/bin/env bash
# Makes the demo's copy of the repository's crier.yml and queue/ (scripts/demo.sh runs on it, so the
# repository's own files stay untouched) and prints its directory. The copy is self-contained:
# crier.yml with its channels on 127.0.0.1:PORT and its signing secret read from a file beside it,
# the secret (mode 0600), and queue/ (a relative `queue:` is relative to the config file).
#   usage: scripts/demo-copy.sh PORT
set -euo pipefail
port=${1:?usage: scripts/demo-copy.sh PORT}
[[ "$port" =~ ^[0-9]+$ ]] || { echo "demo-copy: PORT must be a number, not '$port'" >&2; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/crier-demo.XXXXXX")
cp -r queue "$work/queue"
secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
(umask 077 && printf '%s\n' "$secret" >"$work/webhook-secret")
sed -e "s|127\.0\.0\.1:8787/|127.0.0.1:$port/|" -e "s|env:CRIER_DEMO_SECRET|file:$work/webhook-secret|" crier.yml >"$work/crier.yml"
echo "$work"
