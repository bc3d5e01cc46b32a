"""Fills a Kafka topic for `benches/kafka.sh` with the real confluent-kafka
client: RECORDS records in 10,000 streams (account-, cart-, booking-), JSON
values, a `type` and an `actor` header, a record every 100 ms from
2025-01-01, keyed by stream so each stream stays in one partition.

Usage: python3 benches/kafka_fill.py BOOTSTRAP TOPIC RECORDS [PARTITIONS]
"""

import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

START_MS = 1735689600000
TYPES = ["Opened", "Deposited", "Withdrawn", "ItemAdded", "Confirmed"]
CATEGORIES = ["account", "cart", "booking"]


def main():
    bootstrap, topic, records = sys.argv[1], sys.argv[2], int(sys.argv[3])
    partitions = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(topic, partitions, 1, config={"retention.ms": "-1"})]
    )
    futures[topic].result(timeout=30)
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 50,
            "batch.size": 1 << 20,
            "queue.buffering.max.messages": 1_000_000,
            "compression.type": "lz4",
        }
    )
    streams = 10_000
    for n in range(records):
        stream = f"{CATEGORIES[(n % streams) % 3]}-{n % streams}"
        value = json.dumps({"amount": n % 1000, "note": f"record {n}"})
        headers = [("type", TYPES[(n // streams) % 5]), ("actor", f"user-{n % 97}")]
        while True:
            try:
                producer.produce(
                    topic, key=stream, value=value, headers=headers,
                    timestamp=START_MS + n * 100,
                )
                break
            except BufferError:
                producer.poll(0.1)
        if n % 10_000 == 0:
            producer.poll(0)
    if producer.flush(120) != 0:
        sys.exit("kafka_fill: some records were not delivered")
    print(records)


if __name__ == "__main__":
    main()
