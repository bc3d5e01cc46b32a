#!/usr/bin/env bash
# Rewind's cold state of one long stream side by side with its peers, on the
# same events, on this machine: the README's comparison, to check.
#
#   bash benches/compare.sh [EVENTS]        (default 100,000)
#   REWIND_BIN=path/to/rewind bash benches/compare.sh   (no cargo build)
#
# The real Python eventsourcing library (tests/fixtures/requirements.txt)
# writes EVENTS events of one bank account to its SQLite store
# (benches/compare_peers.py), and the same events go to NDJSON under
# bank.js's names, imported into a Rewind store. Then, median of 3 runs,
# each cold: a new process, with no snapshots kept from an earlier run (the
# OS file cache is warm for all):
#   - eventsourcing: `repository.get(id)`, a full replay (no snapshots);
#     the replay alone as the library timed it, and the whole process
#   - rewind state, generic projection, on the library's store in place
#   - rewind state, generic and bank.js, on the Rewind store; and bank.js
#     again with the snapshots the cold run left in Rewind's cache
#   - sqlite3 -json on that store's events table | jq reducing the balance
# The balances of the library, bank.js and jq must agree, or it fails.
# Prints one JSON object (ms, and each peer's time over rewind bank.js's),
# and a table on stderr. 100,000 events take about 25 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS="${1:-100000}"
[ -n "${REWIND_BIN:-}" ] || cargo build --release --quiet
REWIND="${REWIND_BIN:-target/release/rewind}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ES="$TMP/eventsourcing.sqlite"
STORE="$TMP/bank.rewind"

fail() { echo "compare.sh: $*" >&2; exit 1; }

# `rewind state` keeps a stream's snapshots in the user's cache between runs,
# so that a second look starts warm: here that cache is a folder of its own,
# emptied before each run so every run is cold, unless WARM=1.
export XDG_CACHE_HOME="$TMP/cache"

# Runs "$@" three times, each run's stdout in $TMP/NAME.1..3; prints the
# median wall time of the three in ms.
median_ms() {
    local name=$1 i start
    shift
    for i in 1 2 3; do
        [ -n "${WARM:-}" ] || rm -rf "$XDG_CACHE_HOME"
        start=$(date +%s%N)
        "$@" >"$TMP/$name.$i" || fail "$name: $* failed"
        echo $(( ($(date +%s%N) - start) / 1000 ))
    done | sort -n | sed -n 2p | awk '{ printf "%.1f", $1 / 1000 }'
}

echo "writing $EVENTS events with eventsourcing…" >&2
started=$(date +%s)
python3 benches/compare_peers.py write "$ES" "$EVENTS" "$TMP/events.ndjson" >"$TMP/written.json"
ID=$(jq -r .id "$TMP/written.json")
STREAM=$(jq -r .stream "$TMP/written.json")
"$REWIND" import "$STORE" "$TMP/events.ndjson" >&2
echo "written and imported in $(( $(date +%s) - started )) s" >&2

es_ms=$(median_ms es python3 benches/compare_peers.py replay "$ES" "$ID")
es_replay_ms=$(jq -s 'map(.replay_ms) | sort | .[1]' "$TMP"/es.?)
in_place_ms=$(median_ms in_place "$REWIND" state "$ES" --stream "$ID" --json)
generic_ms=$(median_ms generic "$REWIND" state "$STORE" --stream "$STREAM" --json)
bank_ms=$(median_ms bank "$REWIND" state "$STORE" --stream "$STREAM" \
    --projection assets/projections/bank.js --json)
# The same with the snapshots the last cold run left: the second look.
bank_warm_ms=$(WARM=1 median_ms bank_warm "$REWIND" state "$STORE" --stream "$STREAM" \
    --projection assets/projections/bank.js --json)

# jq does the fold, as a script would: sqlite3 only hands it the rows, and
# each event's data is parsed from its JSON text.
sqlite_jq() {
    sqlite3 -json "$STORE" \
        "SELECT type, data FROM events WHERE stream = '$STREAM' ORDER BY version" |
        jq 'reduce .[] as $e (0; ($e.data | fromjson | .amount) as $a
              | if $e.type == "FundsDeposited" then . + $a
                elif $e.type == "FundsWithdrawn" then . - $a else . end)'
}
jq_ms=$(median_ms jq sqlite_jq)

# Every run of every tool gives the same answer, and Rewind read the whole
# aggregate in place (the library numbers versions from 1).
written=$(jq .balance "$TMP/written.json")
for i in 1 2 3; do
    es=$(jq .balance "$TMP/es.$i")
    bank=$(jq .state.balance "$TMP/bank.$i")
    warm=$(jq .state.balance "$TMP/bank_warm.$i")
    reduced=$(cat "$TMP/jq.$i")
    [ "$es" = "$written" ] && [ "$bank" = "$written" ] && [ "$warm" = "$written" ] &&
        [ "$reduced" = "$written" ] ||
        fail "balances disagree: written $written, eventsourcing $es, bank.js $bank (warm $warm), jq $reduced"
    [ "$(jq .version "$TMP/in_place.$i")" = "$EVENTS" ] ||
        fail "rewind state on the eventsourcing store ended at version $(jq .version "$TMP/in_place.$i"), not $EVENTS"
done

versions="eventsourcing $(python3 -c 'import importlib.metadata as m; print(m.version("eventsourcing"))')"
versions+=", Python $(python3 -c 'import platform; print(platform.python_version())')"
versions+=", sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(jq --version)"
jq -n \
    --argjson events "$EVENTS" --argjson balance "$written" \
    --argjson es_replay "$es_replay_ms" --argjson es "$es_ms" \
    --argjson in_place "$in_place_ms" --argjson generic "$generic_ms" \
    --argjson bank "$bank_ms" --argjson bank_warm "$bank_warm_ms" --argjson jq "$jq_ms" \
    --arg date "$(date -u +%FT%TZ)" --argjson nproc "$(nproc)" \
    --arg cpu "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    --argjson mem_gib "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
    --arg versions "$versions" \
    '{events: $events, balance: $balance,
      eventsourcing_replay_ms: $es_replay, eventsourcing_process_ms: $es,
      rewind_generic_on_eventsourcing_store_ms: $in_place,
      rewind_generic_ms: $generic, rewind_bank_ms: $bank,
      rewind_bank_cached_snapshots_ms: $bank_warm, sqlite3_jq_ms: $jq,
      eventsourcing_over_rewind: ($es / $bank * 100 | round / 100),
      eventsourcing_replay_over_rewind: ($es_replay / $bank * 100 | round / 100),
      sqlite3_jq_over_rewind: ($jq / $bank * 100 | round / 100),
      machine: {nproc: $nproc, cpu: $cpu, mem_gib: $mem_gib}, date: $date,
      versions: $versions}' | tee "$TMP/result.json"

jq -r '"
\(.events) events of one aggregate, balance \(.balance); median of 3 cold processes, ms
  eventsourcing repository.get (replay only)    \(.eventsourcing_replay_ms)
  eventsourcing, whole process                  \(.eventsourcing_process_ms)
  rewind state, generic, eventsourcing store    \(.rewind_generic_on_eventsourcing_store_ms)
  rewind state, generic, Rewind store           \(.rewind_generic_ms)
  rewind state, bank.js, Rewind store           \(.rewind_bank_ms)
  the same, snapshots cached by an earlier run  \(.rewind_bank_cached_snapshots_ms)
  sqlite3 -json | jq reduce                     \(.sqlite3_jq_ms)
  eventsourcing / rewind bank.js                \(.eventsourcing_over_rewind)x
  sqlite3 | jq / rewind bank.js                 \(.sqlite3_jq_over_rewind)x"' "$TMP/result.json" >&2
