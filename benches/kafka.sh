#!/usr/bin/env bash
# Rewind on a big Kafka topic: how fast the index is built, and how the
# explorer's reads do on it.
#
#   bash benches/kafka.sh [RECORDS]        (default 1,000,000)
#
# Starts a throwaway broker (.ci/kafka.sh, in its own folder), writes
# RECORDS records to a 3-partition topic with the real confluent-kafka
# client (benches/kafka_fill.py, lz4-compressed as producers often do), then
# runs `rewind bench --store kafka://BROKER/bench --json`: the index's first
# read (index_build_ms, index_records_per_s) in a cache of its own, then the
# read-side figures on the index. The broker is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS="${1:-1000000}"
export REWIND_KAFKA_DIR="${REWIND_KAFKA_DIR:-/tmp/rewind-kafka-bench}"
BROKER="$(bash .ci/kafka.sh start)"
trap 'bash .ci/kafka.sh stop >/dev/null 2>&1 || true' EXIT

started=$(date +%s)
python3 benches/kafka_fill.py "$BROKER" bench "$RECORDS" >&2
echo "wrote $RECORDS records in $(( $(date +%s) - started )) s" >&2

cargo build --release --quiet
/usr/bin/time -f "peak %M KB" ./target/release/rewind bench --store "kafka://$BROKER/bench" --json
