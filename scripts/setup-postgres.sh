#!/usr/bin/env bash
# setup-postgres.sh — make sure a PostgreSQL server for the tests answers on a
# loopback port, with a role and a database the store tests may use.
#
# Idempotent and cheap when the server is already up: the fast path is one
# pg_isready and one login check (well under 1 s).
#
# What it does, in order:
#   1. Installs Debian's `postgresql` package if no server binaries are found
#      (apt; root only, else it prints what to install).
#   2. Creates a throw-away cluster in $CLAW4J_PG_DIR (default /tmp/claw4j-postgres)
#      with initdb, run as the `postgres` user (PostgreSQL refuses to run as root).
#      Durability is switched off (fsync, synchronous_commit): it is a test server.
#   3. Starts it on 127.0.0.1:$CLAW4J_PG_PORT (default 55432; not 5432, so it never
#      meets a real server), detached, so it outlives this script and ends with the
#      machine or session.
#   4. Creates the role `claw4j_test` (password generated once, CREATEDB so each test
#      may make its own schema or database) and the database `claw4j_test`.
#   5. Writes the connection settings to $CLAW4J_PG_DIR/test-db.properties
#      (url, user, password; mode 600), where the store tests look for them, and
#      prints them as `export CLAW4J_TEST_PG_*=...` lines on stdout so a caller may
#      `eval "$(scripts/setup-postgres.sh)"`.
#
# Exit status: 0 = ready, 1 = not ready (the message says why / what to do).
set -euo pipefail

readonly PG_DIR=${CLAW4J_PG_DIR:-/tmp/claw4j-postgres}
readonly PG_PORT=${CLAW4J_PG_PORT:-55432}
readonly PG_DATA=$PG_DIR/data
readonly PG_LOG=$PG_DIR/server.log
readonly PG_PROPS=$PG_DIR/test-db.properties
readonly PG_PASSWORD_FILE=$PG_DIR/password
readonly ROLE=claw4j_test
readonly DATABASE=claw4j_test
readonly OS_USER=postgres
readonly START_TIMEOUT=60

log() { printf 'setup-postgres: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The bin directory of the newest installed PostgreSQL server (Debian layout).
find_pg_bin() {
    local dir best=""
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]] && best=$dir
    done
    # The glob sorts "15" before "16"; versions below 10 are long gone from Debian.
    [[ -n $best ]] && echo "$best"
}

as_pg() {
    if [[ $EUID -eq 0 ]]; then
        # runuser needs no password and no PAM session; cd so postgres can read its cwd.
        (cd / && runuser -u "$OS_USER" -- "$@")
    else
        "$@"
    fi
}

# psql as the cluster's superuser over the Unix socket in $PG_DIR.
psql_super() {
    as_pg "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U "$OS_USER" -d postgres "$@"
}

print_settings() {
    local password=$1 url="jdbc:postgresql://127.0.0.1:$PG_PORT/$DATABASE"
    local tmp
    tmp=$(mktemp "$PG_PROPS.XXXXXX")
    chmod 600 "$tmp"
    {
        echo "# Written by scripts/setup-postgres.sh: the PostgreSQL server the store tests use."
        echo "url=$url"
        echo "user=$ROLE"
        echo "password=$password"
    } >"$tmp"
    mv -f "$tmp" "$PG_PROPS"
    printf 'export CLAW4J_TEST_PG_URL=%q\n' "$url"
    printf 'export CLAW4J_TEST_PG_USER=%q\n' "$ROLE"
    printf 'export CLAW4J_TEST_PG_PASSWORD=%q\n' "$password"
    log "ready: $url (user $ROLE; settings in $PG_PROPS; log $PG_LOG)"
}

# Can the test role log in over TCP with its password? (what the JDBC driver does)
login_works() {
    [[ -r $PG_PASSWORD_FILE ]] || return 1
    PGPASSWORD=$(cat "$PG_PASSWORD_FILE") PGCONNECT_TIMEOUT=5 \
        "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$ROLE" -d "$DATABASE" -c 'select 1' >/dev/null 2>&1
}

# ---------------------------------------------------------------- 1. binaries
pg_bin=$(find_pg_bin || true)
if [[ -z $pg_bin ]]; then
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        die "no PostgreSQL server found under /usr/lib/postgresql. Install Debian's package and re-run:
  sudo apt-get install -y postgresql"
    fi
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || log "warning: apt-get update reported errors; trying the install anyway"
    apt-get install -y -q postgresql
    pg_bin=$(find_pg_bin || true)
    [[ -n $pg_bin ]] || die "installed postgresql but found no server binaries under /usr/lib/postgresql/*/bin"
fi

# ---------------------------------------------------------------- fast path
if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && login_works; then
    print_settings "$(cat "$PG_PASSWORD_FILE")"
    exit 0
fi

if [[ $EUID -eq 0 ]]; then
    id "$OS_USER" >/dev/null 2>&1 || die "the '$OS_USER' user does not exist (the postgresql package creates it); reinstall postgresql-common"
fi

# ---------------------------------------------------------------- 2. cluster
mkdir -p "$PG_DIR"
[[ $EUID -eq 0 ]] && chown "$OS_USER": "$PG_DIR"
chmod 700 "$PG_DIR"
if [[ ! -s $PG_DATA/PG_VERSION ]]; then
    log "creating a test cluster in $PG_DATA"
    rm -rf "$PG_DATA"
    # trust over the Unix socket in $PG_DIR (mode 700, so only postgres and root reach it);
    # passwords over TCP, as the tests connect.
    as_pg "$pg_bin/initdb" -D "$PG_DATA" -U "$OS_USER" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
        || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed; see $PG_DIR/initdb.log"; }
fi

# ---------------------------------------------------------------- 3. server
if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    if as_pg "$pg_bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        die "a server runs on $PG_DATA but does not answer on 127.0.0.1:$PG_PORT; stop it with
  runuser -u $OS_USER -- $pg_bin/pg_ctl -D $PG_DATA stop
and re-run this script"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
        die "port $PG_PORT is taken by something that is not our test server; set CLAW4J_PG_PORT to a free port"
    fi
    log "starting the test server on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    # pg_ctl start detaches the server (its own session), so it outlives this script.
    as_pg "$pg_bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" start -o \
        "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null || { tail -n 20 "$PG_LOG" >&2 || true; die "the test server did not start; see $PG_LOG"; }
fi

# ---------------------------------------------------------------- 4. role and database
if [[ ! -s $PG_PASSWORD_FILE ]]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PG_PASSWORD_FILE")
fi
password=$(cat "$PG_PASSWORD_FILE")
if ! login_works; then
    log "creating role $ROLE and database $DATABASE"
    # The password goes in through psql's variable quoting, never on a command line.
    psql_super -v role="$ROLE" -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB PASSWORD :'pw';
SQL
    psql_super -v role="$ROLE" -v db="$DATABASE" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
    login_works || die "role $ROLE still cannot log in on 127.0.0.1:$PG_PORT; see $PG_LOG"
fi

print_settings "$password"
