#!/usr/bin/env bash
# A real Matrix homeserver (Synapse, from PyPI) for crier's Matrix end-to-end tests, loopback only.
#
#   scripts/synapse.sh start   install into .build-synapse/venv when missing, write a config (127.0.0.1,
#                              SQLite, no federation, registration by shared secret, a low rc_message),
#                              start it in the background, wait for it, register the users, create the
#                              rooms, and write what the tests need to .build-synapse/homeserver.env
#   scripts/synapse.sh stop    stop it (the data directory is removed, so every start is a fresh server)
#   scripts/synapse.sh status  running or not, and the env file
#
# The end-to-end tests (Tests/CrierEndToEndTests/MatrixEndToEndTests.swift) read
# $CRIER_MATRIX_ENV, else .build-synapse/homeserver.env. SYNAPSE_PORT picks the port (default: any free
# one); SYNAPSE_CACHE the cache directory. Cold install (pip download and build of the venv): 2–5 min; a start: ~25 s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=${SYNAPSE_CACHE:-$root/.build-synapse}
venv=$cache/venv
data=$cache/data
envfile=$cache/homeserver.env
version=1.163.2
server_name=crier.test

log() { printf 'synapse: %s\n' "$*" >&2; }

install() {
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('matrix-synapse') != '$version')" 2>/dev/null; then
        return
    fi
    local python
    python=$(command -v python3 || true)
    [ -n "$python" ] || { log "python3 is missing (apt-get install python3 python3-venv)"; exit 1; }
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { log "Synapse $version needs Python 3.10 or newer"; exit 1; }
    local started=$SECONDS
    log "installing matrix-synapse $version into $venv (once; later runs reuse it)"
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        # Debian's python3 makes virtualenvs only with python3-venv installed (as root, or through sudo).
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        log "installing python3-venv"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null || true
        rm -rf "$venv"
        "$python" -m venv "$venv" || { log "cannot make a virtualenv (apt-get install python3-venv)"; exit 1; }
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "matrix-synapse==$version" || {
        log "pip could not install matrix-synapse $version"; exit 1; }
    log "installed in $((SECONDS - started)) s"
}

free_port() {
    "$venv/bin/python" - "${SYNAPSE_PORT:-0}" <<'EOF'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
print(s.getsockname()[1])
s.close()
EOF
}

write_config() {
    local port=$1
    mkdir -p "$data/media"
    local secret
    secret=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(24))')
    cat >"$data/homeserver.yaml" <<EOF
server_name: "$server_name"
public_baseurl: "http://127.0.0.1:$port/"
pid_file: "$data/homeserver.pid"
listeners:
  - port: $port
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "$data/homeserver.db"
log_config: "$data/log.config"
media_store_path: "$data/media"
signing_key_path: "$data/signing.key"
registration_shared_secret: "$secret"
macaroon_secret_key: "$secret-macaroon"
form_secret: "$secret-form"
report_stats: false
enable_registration: false
trusted_key_servers: []
federation_domain_whitelist: []
presence:
  enabled: false
url_preview_enabled: false
# Small uploads, so a test can exceed the limit without a large file.
max_upload_size: 2M
# Low, so a burst of messages meets M_LIMIT_EXCEEDED (the tests' other user is exempt).
rc_message:
  per_second: 0.2
  burst_count: 3
rc_login:
  address: { per_second: 1000, burst_count: 1000 }
  account: { per_second: 1000, burst_count: 1000 }
  failed_attempts: { per_second: 1000, burst_count: 1000 }
rc_registration: { per_second: 1000, burst_count: 1000 }
rc_joins:
  local: { per_second: 1000, burst_count: 1000 }
# Access tokens of logins that ask for a refresh token expire quickly, so login mode's refresh is tested.
refreshable_access_token_lifetime: 15s
suppress_key_server_warning: true
EOF
    cat >"$data/log.config" <<EOF
version: 1
formatters:
  precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s' }
handlers:
  file: { class: logging.FileHandler, formatter: precise, filename: "$data/homeserver.log" }
root: { level: WARNING, handlers: [file] }
disable_existing_loggers: false
EOF
    (cd "$data" && "$venv/bin/python" -m synapse.app.homeserver --config-path homeserver.yaml --generate-keys >/dev/null)
}

# JSON request to the homeserver: api METHOD PATH [BODY] [TOKEN] → body on stdout
api() {
    "$venv/bin/python" - "$@" <<'EOF'
import json, sys, urllib.request, urllib.error
base, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 and sys.argv[4] else None
request = urllib.request.Request(base + path, data=body, method=method, headers={"Content-Type": "application/json"})
if len(sys.argv) > 5 and sys.argv[5]:
    request.add_header("Authorization", "Bearer " + sys.argv[5])
try:
    print(urllib.request.urlopen(request, timeout=30).read().decode())
except urllib.error.HTTPError as error:
    sys.stderr.write(f"synapse: {method} {path}: HTTP {error.code} {error.read().decode()}\n")
    sys.exit(1)
EOF
}

field() { "$venv/bin/python" -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }

register() {  # register NAME PASSWORD ADMIN → access token
    "$venv/bin/register_new_matrix_user" -c "$data/homeserver.yaml" -u "$1" -p "$2" "$3" "$base" >/dev/null
    api "$base" POST /_matrix/client/v3/login \
        "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$1\"},\"password\":\"$2\",\"device_id\":\"SETUP\"}" |
        field access_token
}

start() {
    if [ -f "$data/homeserver.pid" ] && kill -0 "$(cat "$data/homeserver.pid")" 2>/dev/null; then
        log "already running; $envfile"
        return
    fi
    local started=$SECONDS
    install
    rm -rf "$data"
    local port
    port=$(free_port)
    write_config "$port"
    base="http://127.0.0.1:$port"
    (cd "$data" && "$venv/bin/python" -m synapse.app.homeserver --config-path homeserver.yaml --daemonize)
    local waited=0
    until api "$base" GET /_matrix/client/versions >/dev/null 2>&1; do
        sleep 0.5
        waited=$((waited + 1))
        if ((waited > 240)); then
            log "did not answer within 120 s; its log:"
            tail -n 40 "$data/homeserver.log" >&2 || true
            exit 1
        fi
    done
    # alice: the admin, exempt from rc_message (the tests' main user); bob: rate limited as configured.
    local admin limited password=crier-test-password
    admin=$(register alice "$password" --admin)
    limited=$(register bob "$password" --no-admin)
    api "$base" POST "/_synapse/admin/v1/users/%40alice%3A$server_name/override_ratelimit" \
        '{"messages_per_second":0,"burst_count":0}' "$admin" >/dev/null
    local room limited_room
    room=$(api "$base" POST /_matrix/client/v3/createRoom \
        "{\"preset\":\"private_chat\",\"name\":\"crier tests\",\"room_alias_name\":\"crier\",\"invite\":[\"@bob:$server_name\"]}" "$admin" | field room_id)
    limited_room=$(api "$base" POST /_matrix/client/v3/createRoom \
        '{"preset":"private_chat","name":"crier rate limit"}' "$limited" | field room_id)
    api "$base" POST "/_matrix/client/v3/join/$(printf %s "$room" | "$venv/bin/python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))')" '{}' "$limited" >/dev/null
    umask 077
    cat >"$envfile" <<EOF
CRIER_MATRIX_URL=$base
CRIER_MATRIX_SERVER_NAME=$server_name
CRIER_MATRIX_USER=alice
CRIER_MATRIX_PASSWORD=$password
CRIER_MATRIX_TOKEN=$admin
CRIER_MATRIX_ROOM=$room
CRIER_MATRIX_ROOM_ALIAS=#crier:$server_name
CRIER_MATRIX_LIMITED_USER=bob
CRIER_MATRIX_LIMITED_TOKEN=$limited
CRIER_MATRIX_LIMITED_ROOM=$limited_room
CRIER_MATRIX_PID=$(cat "$data/homeserver.pid")
EOF
    log "running at $base (room $room), ready in $((SECONDS - started)) s; $envfile"
}

stop() {
    if [ -f "$data/homeserver.pid" ]; then
        local pid
        pid=$(cat "$data/homeserver.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        fi
        log "stopped"
    fi
    rm -rf "$data" "$envfile"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    install) install ;;
    status)
        if [ -f "$data/homeserver.pid" ] && kill -0 "$(cat "$data/homeserver.pid")" 2>/dev/null; then
            log "running; $envfile"; cat "$envfile"
        else
            log "not running"; exit 1
        fi ;;
    *) echo "usage: scripts/synapse.sh start|stop|status|install" >&2; exit 2 ;;
esac
