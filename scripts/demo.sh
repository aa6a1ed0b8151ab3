#!/usr/bin/env bash
# Sets everything up and runs crier's main job on the bundled queue/: installs what is missing,
# builds, starts the bundled webhook receiver (`crier receive`) on 127.0.0.1:8787, and delivers a
# copy of queue/ (the repository's own files stay untouched). No accounts needed.
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
work=$(mktemp -d "${TMPDIR:-/tmp}/crier-demo.XXXXXX")
cp -r queue "$work/queue"
export CRIER_DEMO_SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

"$crier" receive --port 8787 --secret "$CRIER_DEMO_SECRET" >"$work/received.log" 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
sleep 0.5
if ! kill -0 "$receiver" 2>/dev/null; then
  cat "$work/received.log" >&2
  echo "demo: the receiver could not start (is port 8787 busy?)" >&2
  exit 1
fi

echo "== crier check"
"$crier" check --config crier.yml --queue "$work/queue"
echo
echo "== crier preview  (what would be sent, where and when; exit 1 because of the broken sample)"
"$crier" preview --config crier.yml --queue "$work/queue" || true
echo
echo "== crier run --once  (queue: $work/queue)"
"$crier" run --once --config crier.yml --queue "$work/queue"
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
"$crier" status --config crier.yml --queue "$work/queue"
echo
echo "The copy is in $work. Try: $crier run --config crier.yml --queue $work/queue  (then drop files into it)"
