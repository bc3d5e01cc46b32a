#!/usr/bin/env bash
# Rewind on a big message-db store: how fast it opens and scrolls.
#
#   bash benches/postgres.sh [EVENTS]        (default 10,000,000)
#
# Starts a throwaway PostgreSQL server (.ci/postgres.sh, on its own port and
# folder), fills message-db's `messages` table with EVENTS messages in
# 100,000 streams of three categories, then runs the project's benchmark
# against it, and against a 10,000-message store for comparison:
# `rewind bench --store URL --json`. The server is removed at the end.
# Loading 10 million messages takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS="${1:-10000000}"
export REWIND_PG_PORT="${REWIND_PG_PORT:-54330}"
export REWIND_PG_DIR="${REWIND_PG_DIR:-/tmp/rewind-pg-bench}"
URL="$(bash .ci/postgres.sh start)"
trap 'bash .ci/postgres.sh stop >/dev/null 2>&1 || true' EXIT
BASE_URL="${URL%/*}"

psql_run() { psql -q -v ON_ERROR_STOP=1 "$@" >&2; }

# EVENTS messages: stream i = n % 100,000 (account-, cart- or booking-),
# positions from 0 without gaps, a message every 100 ms from 2025-01-01.
fill() {
    local db=$1 events=$2 streams=100000 batch=1000000 from=0
    psql_run "$BASE_URL/postgres" -c "DROP DATABASE IF EXISTS $db" \
        -c "CREATE DATABASE $db TEMPLATE rewind_test"
    while [ "$from" -lt "$events" ]; do
        local to=$(( from + batch < events ? from + batch : events ))
        psql_run "$BASE_URL/$db" -c "
            INSERT INTO message_store.messages (id, stream_name, type, position, data, metadata, time)
            SELECT gen_random_uuid(),
                   (ARRAY['account','cart','booking'])[1 + (n % $streams) % 3] || '-' || (n % $streams),
                   (ARRAY['Opened','Deposited','Withdrawn','ItemAdded','Confirmed'])[1 + (n / $streams) % 5],
                   n / $streams,
                   jsonb_build_object('amount', n % 1000, 'note', 'message ' || n),
                   jsonb_build_object('actor', 'user-' || (n % 97), 'correlationId', md5(n::text)),
                   timestamp '2025-01-01' + n * interval '100 milliseconds'
            FROM generate_series($from, $(( to - 1 ))) AS n"
        from=$to
        printf '  %s of %s messages\n' "$from" "$events" >&2
    done
    psql_run "$BASE_URL/$db" -c "VACUUM ANALYZE message_store.messages"
}

cargo build --release --quiet
echo "loading $EVENTS messages…" >&2
time fill rewind_big "$EVENTS"
fill rewind_small 10000
for db in rewind_small rewind_big; do
    printf '%s: ' "$db"
    target/release/rewind bench --store "$BASE_URL/$db" --json
done
