#!/usr/bin/env bash
# Sets everything up and runs crier's main job on the bundled queue/: installs what is missing,
# builds, starts the bundled webhook receiver (`crier receive`) on 127.0.0.1:8787 (CRIER_DEMO_PORT
# picks another), and delivers a copy of queue/ and crier.yml (the repository's own files stay
# untouched). No accounts needed. It ends with the command that runs the daemon on the copy
# (scripts/demo-daemon.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# SwiftPM shows every step ([n/N] Compiling …) and, if the build fails, every compiler error.
echo "== swift build --product crier  (debug; the first build compiles the dependencies too: a few minutes on 2 cores)"
if ! swift build --product crier; then
  echo "demo: the build failed (the compiler's messages are above)" >&2
  exit 1
fi
crier=".build/debug/crier"
port=${CRIER_DEMO_PORT:-8787}
# The copy is self-contained (scripts/demo-copy.sh): crier.yml (its channels on this port, its
# secret read from a file beside it), its queue/, and the secret.
work=$(scripts/demo-copy.sh "$port")
secret=$(cat "$work/webhook-secret")

"$crier" receive --port "$port" --secret "$secret" >"$work/received.log" 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
sleep 0.5
if ! kill -0 "$receiver" 2>/dev/null; then
  cat "$work/received.log" >&2
  echo "demo: the receiver could not start (is port $port busy? CRIER_DEMO_PORT=N picks another)" >&2
  exit 1
fi

echo "== crier check"
"$crier" check --config "$work/crier.yml"
echo
echo "== crier preview  (what would be sent, where and when; exit 1 because of the broken sample)"
"$crier" preview --config "$work/crier.yml" || true
echo
echo "== crier run --once  (queue: $work/queue)"
"$crier" run --once --config "$work/crier.yml"
sleep 0.3
echo
echo "== what the receiver got (signatures verified)"
cat "$work/received.log"
echo
echo "== the queue afterwards"
(cd "$work/queue" && find . -path ./.crier -prune -o -type f -print | sort)
echo
echo "== why typo-example.md was rejected"
cat "$work/queue/rejected/typo-example.error.txt"
echo
echo "== crier status"
"$crier" status --config "$work/crier.yml"
# The receiver goes now, so the command below can start its own on the same port.
kill "$receiver" 2>/dev/null || true
wait "$receiver" 2>/dev/null || true
echo
echo "The copy is in $work (crier.yml, its queue/ and the signing secret). To run the daemon on it"
echo "with a receiver, then drop post files into $work/queue from another terminal (Ctrl-C stops both):"
echo "  $(pwd)/scripts/demo-daemon.sh $work"
