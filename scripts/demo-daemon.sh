#!/usr/bin/env bash
# The daemon on the copy scripts/demo.sh made (it prints this command at its end): starts the
# bundled webhook receiver (`crier receive`, loopback only) with the copy's signing secret, then
# `crier run` on the copy's crier.yml, whose queue is DIR/queue. Drop post files into DIR/queue
# (from another terminal) and watch them arrive here. Ctrl-C stops both.
#   usage: scripts/demo-daemon.sh DIR      (CRIER: the binary to run, default .build/debug/crier)
set -euo pipefail
dir=${1:?usage: scripts/demo-daemon.sh DIR  (the copy scripts/demo.sh made; it prints the command)}
dir=$(cd "$dir" && pwd)
cd "$(dirname "$0")/.."
crier=${CRIER:-.build/debug/crier}
if [ ! -x "$crier" ]; then
  echo "demo-daemon: $crier is not built; run scripts/demo.sh first" >&2
  exit 1
fi
if [ ! -f "$dir/crier.yml" ] || [ ! -f "$dir/webhook-secret" ]; then
  echo "demo-daemon: $dir is not a copy made by scripts/demo.sh (no crier.yml or webhook-secret); run scripts/demo.sh" >&2
  exit 1
fi
# The receiver listens where the copy's channels post (scripts/demo.sh wrote the port into it).
port=$(sed -n 's|.*url: http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$dir/crier.yml" | head -n 1)
secret=$(cat "$dir/webhook-secret")

"$crier" receive --port "${port:-8787}" --secret "$secret" &
receiver=$!
daemon=""
stop() {
  # SIGTERM: the daemon lets in-flight sends finish; the receiver prints its summary.
  kill -TERM $daemon $receiver 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap 'kill $daemon $receiver 2>/dev/null || true' EXIT
sleep 0.5
if ! kill -0 "$receiver" 2>/dev/null; then
  echo "demo-daemon: the receiver could not start (is port ${port:-8787} busy? is scripts/demo.sh still running?)" >&2
  exit 1
fi
echo "demo-daemon: drop post files into $dir/queue; Ctrl-C stops the daemon and the receiver" >&2
"$crier" run --config "$dir/crier.yml" &
daemon=$!
# `wait` (not a foreground command) so that INT and TERM are handled at once.
status=0
wait "$daemon" || status=$?
daemon=""
kill -TERM "$receiver" 2>/dev/null || true
wait "$receiver" 2>/dev/null || true
exit "$status"
