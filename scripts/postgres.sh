#!/usr/bin/env bash
# A real PostgreSQL (Debian's) for crier's store and cluster tests: a private cluster, loopback only.
#
#   scripts/postgres.sh start          install postgresql and libpq-dev when missing, initdb a cluster in
#                                      .build-postgres/data (owned by the postgres user when run as root),
#                                      start it on 127.0.0.1 and a socket in its data directory, create
#                                      role `crier` (random password, LOGIN CREATEDB) and database `crier`,
#                                      and write what the tests need to .build-postgres/postgres.env
#   scripts/postgres.sh stop           fast shutdown; the data directory is removed, so every start is fresh
#   scripts/postgres.sh status         running or not, and the env file (password masked)
#   scripts/postgres.sh pause SECONDS  stop the server, wait, start it again on the same data and port
#                                      (the cluster tests' "PostgreSQL is gone for a while")
#
# The tests (Sources/CrierTestSupport/PostgresServer.swift) read $CRIER_PG_ENV, else
# .build-postgres/postgres.env. CRIER_PG_DIR picks the data directory, CRIER_PG_PORT the port
# (default: any free one), CRIER_PG_ENV the env file. A running cluster is reused. TCP clients
# authenticate with scram-sha-256; the superuser `postgres` is reached through the socket only,
# which sits in the data directory (mode 700), so only its owner and root can use it.
# Cold start (initdb, start, role and database): ~3 s; the package install once: ~30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=$root/.build-postgres
data=${CRIER_PG_DIR:-$cache/data}
envfile=${CRIER_PG_ENV:-$cache/postgres.env}
logfile=$data/postgres.log

log() { printf 'postgres: %s\n' "$*" >&2; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# initdb refuses to run as root: as root the cluster belongs to the postgres system user (made by
# Debian's package); otherwise to whoever runs this.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s\n' "$dir"
}

install() {
    local need=()
    bindir >/dev/null || need+=(postgresql)
    command -v psql >/dev/null || need+=(postgresql-client)
    dpkg-query -W -f='${Status}' libpq-dev 2>/dev/null | grep -q "install ok installed" || need+=(libpq-dev)
    ((${#need[@]})) || return 0
    log "installing ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    bindir >/dev/null || { log "initdb is still missing under /usr/lib/postgresql/*/bin after installing postgresql"; exit 1; }
}

free_port() {
    if [ -n "${CRIER_PG_PORT:-}" ]; then
        printf '%s\n' "$CRIER_PG_PORT"
        return
    fi
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    # Without Python: a random port that nothing answers on.
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { printf '%s\n' "$port"; return; }
    done
    log "found no free port; set CRIER_PG_PORT"
    exit 1
}

running() {
    local bin
    bin=$(bindir) || return 1
    [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# The server as configured in its data directory (port, addresses, socket): the same for start and pause.
server_start() {
    local bin=$1
    if ! as_owner "$bin/pg_ctl" start -D "$data" -l "$logfile" -w -t 60 >/dev/null; then
        log "the server did not start; its log:"
        tail -n 40 "$logfile" >&2 || true
        exit 1
    fi
}

# psql as the superuser through the socket: SQL on standard input (so no secret is on a command line).
admin_sql() {
    local bin=$1 port=$2 database=${3:-postgres}
    as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$port" -U postgres -d "$database" >/dev/null
}

write_env() {
    local port=$1 password=$2 bin=$3
    # Every value is one shell word (the file can be sourced); the admin URL names the socket's
    # directory as its host, percent-encoded (libpq reads a host starting with / as a socket directory).
    mkdir -p "$(dirname "$envfile")"
    local previous
    previous=$(umask)
    umask 077
    cat >"$envfile" <<EOF
CRIER_PG_URL=postgres://crier@127.0.0.1:$port/crier
CRIER_PG_PASSWORD=$password
CRIER_PG_ADMIN_URL=postgresql://postgres@${data//\//%2F}:$port/postgres
CRIER_PG_HOST=127.0.0.1
CRIER_PG_PORT=$port
CRIER_PG_USER=crier
CRIER_PG_DATABASE=crier
CRIER_PG_DATA=$data
CRIER_PG_BIN=$bin
CRIER_PG_CTL=$bin/pg_ctl
CRIER_PG_PSQL=$bin/psql
CRIER_PG_LOG=$logfile
EOF
    umask "$previous"
}

start() {
    local started=$SECONDS
    install
    local bin
    bin=$(bindir)
    if running; then
        local port
        port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/postgresql.conf" | tail -n 1)
        if [ -f "$envfile" ]; then
            log "already running on 127.0.0.1:$port; $envfile"
            return
        fi
        # Running, but its env file went away: a new password makes the file true again.
        local password
        password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
        printf "ALTER ROLE crier PASSWORD '%s';\n" "$password" | admin_sql "$bin" "$port"
        write_env "$port" "$password" "$bin"
        log "already running on 127.0.0.1:$port; wrote $envfile again"
        return
    fi
    [ ! -e "$data" ] || as_owner "$bin/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$data"
    mkdir -p "$data"
    chmod 700 "$data"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$data"
        if ! runuser -u postgres -- test -w "$data"; then
            log "the postgres user cannot reach $data (a parent directory is closed to it); set CRIER_PG_DIR to a directory it can reach, e.g. /tmp/crier-postgres"
            exit 1
        fi
    fi
    # The server's socket lives in the data directory; a unix socket path is at most 107 bytes.
    local port
    port=$(free_port)
    if ((${#data} + 20 > 107)); then
        log "$data is too long for a unix socket path; set CRIER_PG_DIR to a shorter directory"
        exit 1
    fi
    local initlog
    initlog=$(mktemp)
    if ! as_owner "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
        >"$initlog" 2>&1; then
        log "initdb failed:"
        tail -n 20 "$initlog" >&2
        rm -f "$initlog"
        exit 1
    fi
    rm -f "$initlog"
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# scripts/postgres.sh: loopback only, a socket in the data directory, room for several daemons.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
unix_socket_permissions = 0700
max_connections = 200
password_encryption = 'scram-sha-256'
logging_collector = off
log_min_messages = warning
log_connections = off
EOF
    as_owner tee "$data/pg_hba.conf" >/dev/null <<EOF
# scripts/postgres.sh: the socket (reachable by the data directory's owner and root) trusts; TCP on
# loopback asks for a password.
local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
EOF
    server_start "$bin"
    local password
    password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf "CREATE ROLE crier LOGIN CREATEDB PASSWORD '%s';\nCREATE DATABASE crier OWNER crier;\n" "$password" | admin_sql "$bin" "$port"
    # Wait until a client can log in over TCP as the tests will (pg_ctl -w waited for the socket).
    local waited=0
    until PGPASSWORD=$password "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U crier -d crier -c 'select 1' >/dev/null 2>&1; do
        sleep 0.2
        waited=$((waited + 1))
        if ((waited > 150)); then
            log "the server does not accept connections on 127.0.0.1:$port within 30 s; its log:"
            tail -n 40 "$logfile" >&2 || true
            exit 1
        fi
    done
    write_env "$port" "$password" "$bin"
    log "running on 127.0.0.1:$port (data $data), ready in $((SECONDS - started)) s; $envfile"
}

stop() {
    local bin
    if bin=$(bindir) && [ -f "$data/PG_VERSION" ]; then
        if as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
            as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null ||
                as_owner "$bin/pg_ctl" stop -D "$data" -m immediate -w >/dev/null || true
            log "stopped"
        fi
    fi
    rm -rf "$data" "$envfile"
}

pause() {
    local seconds=${1:-}
    [[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: scripts/postgres.sh pause SECONDS" >&2; exit 2; }
    local bin
    bin=$(bindir) || { log "not installed"; exit 1; }
    running || { log "not running (scripts/postgres.sh start)"; exit 1; }
    as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null
    log "stopped for $seconds s"
    sleep "$seconds"
    server_start "$bin"
    log "running again"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    pause) pause "${2:-}" ;;
    install) install ;;
    status)
        if running; then
            log "running; $envfile"
            sed 's/^\(CRIER_PG_PASSWORD=\).*/\1(set)/' "$envfile"
        else
            log "not running"; exit 1
        fi ;;
    *) echo "usage: scripts/postgres.sh start|stop|status|pause SECONDS|install" >&2; exit 2 ;;
esac
