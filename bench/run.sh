#!/usr/bin/env bash
# Delivery benchmark: crier `run --once` vs a bare libcurl multi loop (the ceiling), side by side,
# against a private loopback nginx sink. See bench/RESULTS.md.
#
#   bench/run.sh [--posts N] [--concurrency N] [--rounds N] [--skip-build] [-- extra crier-bench flags]
#
# Defaults: 10000 posts, 50 concurrent transfers, 3 rounds (ceiling and crier alternate each round;
# the medians and the ratio of medians are reported).
#
# Builds into .build-bench (release), never .build. Talks to 127.0.0.1 only. Touches no system nginx
# config: the sink runs from its own temporary prefix and is stopped on exit.
set -euo pipefail

posts=10000
concurrency=50
rounds=3
skip_build=0
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --posts) posts="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --) shift; extra+=("$@"); break ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
for value in "$posts" "$concurrency" "$rounds"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: '$value' is not a positive integer" >&2; exit 2; }
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# --- nginx (Debian's nginx-light is enough: we only need `return`) --------------------------------
find_nginx() {
    command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}
nginx_bin="$(find_nginx)"
if [[ -z "$nginx_bin" ]]; then
    echo "== installing nginx-light (apt-get)"
    sudo=()
    [[ $EUID -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
        || "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx
    nginx_bin="$(find_nginx)"
    [[ -n "$nginx_bin" ]] || { echo "run.sh: nginx is still missing after apt-get install" >&2; exit 1; }
fi

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 40000 ))
        # Nothing answers on it: the connect fails.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    echo "run.sh: no free port found" >&2; return 1
}

work="$(mktemp -d /var/tmp/crier-bench.XXXXXX)"
nginx_dir="$work/nginx"
mkdir -p "$nginx_dir/logs"
nginx_pid=""
cleanup() {
    if [[ -n "$nginx_pid" ]] && kill -0 "$nginx_pid" 2>/dev/null; then
        kill -QUIT "$nginx_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$nginx_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(free_port)"
user_line=""
# As root, nginx would switch its worker to `nobody`; keep it the current user instead.
[[ $EUID -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
# worker_processes 1: the machine this was written for has 2 cores. One nginx worker answering
# `return 200` handles far more than the 10-20k req/s at stake here on one core, and leaves the
# other core to the client (curl loop or crier, whose journal and filer threads need it). Two
# workers would just compete with the process being measured.
cat > "$nginx_dir/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
master_process on;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000;
    keepalive_timeout 75s;
    client_body_buffer_size 16k;
    client_body_temp_path $nginx_dir/client_body;
    proxy_temp_path $nginx_dir/proxy;
    fastcgi_temp_path $nginx_dir/fastcgi;
    uwsgi_temp_path $nginx_dir/uwsgi;
    scgi_temp_path $nginx_dir/scgi;
    server {
        listen 127.0.0.1:$port;
        location / {
            default_type application/json;
            return 200 '{"ok":true}';
        }
    }
}
EOF
"$nginx_bin" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/logs/error.log" -t -q
"$nginx_bin" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/logs/error.log" &
nginx_pid=$!
url="http://127.0.0.1:$port/hook"
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -X POST --data '{}' "$url" 2>/dev/null && break
    kill -0 "$nginx_pid" 2>/dev/null || { echo "run.sh: nginx died:" >&2; cat "$nginx_dir/logs/error.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS -o /dev/null -X POST --data '{}' "$url"

# --- build -----------------------------------------------------------------------------------------
build=(swift build -c release --scratch-path .build-bench)
if [[ $skip_build -eq 0 ]]; then
    echo "== building (release, .build-bench)"
    "${build[@]}" --product crier
    "${build[@]}" --product crier-bench
fi
bin="$("${build[@]}" --show-bin-path)"

# --- run -------------------------------------------------------------------------------------------
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "== $(swift --version 2>/dev/null | head -1)"
echo "== crier $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (+ uncommitted changes in Sources)')"
echo "== work dir $work on $(df -T "$work" | awk 'NR==2 {print $2}'); sink nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2), 1 worker, $url"
"$bin/crier-bench" --url "$url" --posts "$posts" --concurrency "$concurrency" --rounds "$rounds" \
    --crier "$bin/crier" --workdir "$work" ${extra[@]+"${extra[@]}"}
