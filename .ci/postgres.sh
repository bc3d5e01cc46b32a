#!/usr/bin/env bash
# A throwaway PostgreSQL server for Rewind's message-db and Marten tests.
#
#   .ci/postgres.sh start   install if missing, start on 127.0.0.1:54329,
#                           create the template databases, print the URL
#   .ci/postgres.sh stop    stop it and remove its data directory
#
# Tests read the URL from REWIND_TEST_PG_URL:
#   export REWIND_TEST_PG_URL=$(.ci/postgres.sh start)
#
# Database `rewind_test` holds the message-db schema (the real SQL shipped
# by the `@eventide/message-db` npm package; tests/fixtures/message_db.sql,
# written from its documentation, when npm cannot fetch it) and a
# Marten-shaped schema (tests/fixtures/marten.sql). Tests copy it as a
# template into databases of their own, so runs never see each other's rows.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${REWIND_PG_PORT:-54329}"
BASE="${REWIND_PG_DIR:-/tmp/rewind-pg}"
DATA="$BASE/data"
SUPERUSER=rewind
URL="postgres://$SUPERUSER@127.0.0.1:$PORT/rewind_test"

log() { printf '%s\n' "$*" >&2; }

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        log "installing PostgreSQL from the distribution's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    printf '%s' "$dir"
}

# PostgreSQL refuses to run as root: use the packages' `postgres` user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

psql_run() {
    PGOPTIONS="-c client_min_messages=warning" \
    psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" "$@" >&2
}

load_message_db() {
    local db=$1 npm_dir="$BASE/npm" sql
    mkdir -p "$npm_dir"
    if [ ! -d "$npm_dir/package/database" ]; then
        if (cd "$npm_dir" && npm pack --silent @eventide/message-db >/dev/null 2>&1 \
            && tar xzf eventide-message-db-*.tgz); then
            log "message-db: using the @eventide/message-db package's SQL"
        fi
    fi
    sql="$npm_dir/package/database"
    if [ -d "$sql" ]; then
        # The package's own install order (install.sh), minus roles and
        # privileges, which a test server does not need.
        psql_run -d "$db" -f "$sql/schema/message-store.sql"
        psql_run -d "$db" -f "$sql/extensions/pgcrypto.sql"
        psql_run -d "$db" -f "$sql/tables/messages.sql"
        psql_run -d "$db" -f "$sql/types/message.sql"
        for f in message-store-version hash-64 acquire-lock category is-category id \
                 cardinal-id stream-version write-message get-stream-messages \
                 get-category-messages get-last-stream-message; do
            psql_run -d "$db" -f "$sql/functions/$f.sql"
        done
        for f in messages-id messages-stream messages-category; do
            psql_run -d "$db" -f "$sql/indexes/$f.sql"
        done
    else
        log "message-db: npm unavailable; loading tests/fixtures/message_db.sql"
        psql_run -d "$db" -f tests/fixtures/message_db.sql
    fi
}

start() {
    local bin
    bin=$(pg_bin)
    if [ -f "$DATA/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        log "PostgreSQL already running on port $PORT"
        printf '%s\n' "$URL"
        return
    fi
    rm -rf "$BASE"
    mkdir -p "$BASE"
    [ "$(id -u)" = 0 ] && chown postgres "$BASE"
    as_owner "$bin/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$BASE/server.log" -w \
        -o "-p $PORT -k $BASE -c listen_addresses=127.0.0.1" start >/dev/null
    psql_run -d postgres -c "CREATE DATABASE rewind_test"
    load_message_db rewind_test
    # message-db's functions call each other unqualified (its install sets
    # this on its own role). Copies of the database do not inherit it:
    # writers in tests set it on their session.
    psql_run -d postgres -c "ALTER DATABASE rewind_test SET search_path TO message_store, public"
    psql_run -d rewind_test -f tests/fixtures/marten.sql
    log "PostgreSQL is up on 127.0.0.1:$PORT"
    printf '%s\n' "$URL"
}

stop() {
    local bin
    bin=$(pg_bin)
    if [ -d "$DATA" ]; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$BASE"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) log "usage: $0 start|stop"; exit 2 ;;
esac
