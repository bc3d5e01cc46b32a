//! Talking to the broker, read-only: topic metadata, a partition's first
//! and next offsets, and fetches by offset. No consumer group is joined,
//! no offset committed, nothing created or altered. The client is async;
//! Rewind's readers are not, so each broker connection brings a small
//! runtime of its own and blocks on it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rskafka::client::partition::{OffsetAt, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::RecordAndOffset;
use rskafka::BackoffConfig;

use super::mapping::RawRecord;

/// How long a broker may take to answer before Rewind says it cannot: a
/// command waits this long on a broker that is down, and the index's
/// thread tries again after it anyway.
const DEADLINE: Duration = Duration::from_secs(5);
/// Bytes asked for per fetch (the broker returns at least one batch).
const FETCH_BYTES: i32 = 1 << 20;
/// How long a fetch of records known to be there may wait for them.
const FETCH_WAIT_MS: i32 = 200;

pub struct Broker {
    address: String,
    runtime: tokio::runtime::Runtime,
    client: Client,
    partitions: HashMap<(String, i32), Arc<PartitionClient>>,
    /// Each topic's partitions and when they were asked for: following
    /// asks every quarter second, and a metadata request lists every topic
    /// of the cluster.
    layouts: HashMap<String, (Instant, Vec<i32>)>,
}

/// How long a topic's list of partitions is trusted.
const LAYOUT_TTL: Duration = Duration::from_secs(30);

pub type BrokerResult<T> = Result<T, String>;

impl Broker {
    /// Connects to the bootstrap brokers (`host:port`, comma separated).
    pub fn connect(address: &str) -> BrokerResult<Broker> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the Kafka client: {e}"))?;
        let brokers: Vec<String> = address.split(',').map(str::to_string).collect();
        let backoff = BackoffConfig {
            init_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
            deadline: Some(DEADLINE),
        };
        let client = runtime
            .block_on(
                ClientBuilder::new(brokers)
                    .client_id("rewind")
                    .backoff_config(backoff)
                    .build(),
            )
            .map_err(|e| format!("cannot reach the Kafka broker at {address}: {e}"))?;
        Ok(Broker {
            address: address.to_string(),
            runtime,
            client,
            partitions: HashMap::new(),
            layouts: HashMap::new(),
        })
    }

    /// The partitions of `topic`; an error naming the topics there when it
    /// does not exist.
    pub fn partitions(&mut self, topic: &str) -> BrokerResult<Vec<i32>> {
        if let Some((asked, partitions)) = self.layouts.get(topic) {
            if asked.elapsed() < LAYOUT_TTL {
                return Ok(partitions.clone());
            }
        }
        let topics = self
            .runtime
            .block_on(self.client.list_topics())
            .map_err(|e| format!("{}: cannot list topics: {e}", self.address))?;
        if let Some(found) = topics.iter().find(|t| t.name == topic) {
            let partitions: Vec<i32> = found.partitions.iter().copied().collect();
            self.layouts
                .insert(topic.to_string(), (Instant::now(), partitions.clone()));
            return Ok(partitions);
        }
        let mut names: Vec<&str> = topics.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        Err(format!(
            "{}: no topic named {topic:?}; the topics there are: {}",
            self.address,
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ))
    }

    /// The first offset still kept and the next offset to be written.
    pub fn watermarks(&mut self, topic: &str, partition: i32) -> BrokerResult<(i64, i64)> {
        let client = self.partition(topic, partition)?;
        let context = |e| format!("{topic}[{partition}]: cannot read its offsets: {e}");
        let first = self
            .runtime
            .block_on(client.get_offset(OffsetAt::Earliest))
            .map_err(context)?;
        let next = self
            .runtime
            .block_on(client.get_offset(OffsetAt::Latest))
            .map_err(context)?;
        Ok((first, next))
    }

    /// The offset of the partition's first record at or after `time_ms`
    /// (the broker's offsets-by-timestamp lookup); `None` when every record
    /// is older.
    pub fn offset_at_time(
        &mut self,
        topic: &str,
        partition: i32,
        time_ms: i64,
    ) -> BrokerResult<Option<i64>> {
        let client = self.partition(topic, partition)?;
        let time = chrono::DateTime::from_timestamp_millis(time_ms)
            .ok_or_else(|| format!("{time_ms} ms is not a time the broker can look up"))?;
        let offset = self
            .runtime
            .block_on(client.get_offset(OffsetAt::Timestamp(time)))
            .map_err(|e| format!("{topic}[{partition}]: cannot find the offset at a time: {e}"))?;
        Ok((offset >= 0).then_some(offset))
    }

    /// The next records of a partition from offset `from`, below `to`,
    /// in offset order, and the offset to ask for next (`to` when done).
    pub fn fetch_batch(
        &mut self,
        topic: &str,
        partition: i32,
        (from, to): (i64, i64),
    ) -> BrokerResult<(Vec<RawRecord>, i64)> {
        let client = self.partition(topic, partition)?;
        let mut offset = from;
        while offset < to {
            let (records, _high) = self
                .runtime
                .block_on(client.fetch_records(offset, 1..FETCH_BYTES, FETCH_WAIT_MS))
                .map_err(|e| format!("{topic}[{partition}] at offset {offset}: {e}"))?;
            if records.is_empty() {
                // Only a transaction marker here (the client drops those):
                // the next offset holds the next record.
                offset += 1;
                continue;
            }
            let batch: Vec<RawRecord> = records
                .into_iter()
                .filter(|r| r.offset < to)
                .map(|r| raw_record(topic, partition, r))
                .collect();
            let next = batch.last().map_or(to, |r| r.offset + 1);
            return Ok((batch, next));
        }
        Ok((Vec::new(), to))
    }

    /// Waits up to `wait_ms` for records after each `(topic, partition,
    /// offset)`, asking every partition at once (the broker answers a
    /// fetch as soon as it has a record, so new ones arrive without
    /// polling). For each: its records (none if it has nothing new) and
    /// its next offset to be written.
    pub fn fetch_waiting(
        &mut self,
        wants: &[(String, i32, i64)],
        wait_ms: i32,
    ) -> BrokerResult<Vec<(Vec<RawRecord>, i64)>> {
        let clients = wants
            .iter()
            .map(|(topic, partition, _)| self.partition(topic, *partition))
            .collect::<BrokerResult<Vec<_>>>()?;
        let fetches =
            wants
                .iter()
                .zip(&clients)
                .map(|((topic, partition, offset), client)| async move {
                    let (records, high) = client
                        .fetch_records(*offset, 1..FETCH_BYTES, wait_ms)
                        .await
                        .map_err(|e| format!("{topic}[{partition}] at offset {offset}: {e}"))?;
                    let records = records
                        .into_iter()
                        .map(|r| raw_record(topic, *partition, r))
                        .collect();
                    Ok::<_, String>((records, high))
                });
        self.runtime
            .block_on(futures::future::join_all(fetches))
            .into_iter()
            .collect()
    }

    /// The client of one partition, made on first use and kept.
    fn partition(&mut self, topic: &str, partition: i32) -> BrokerResult<Arc<PartitionClient>> {
        let key = (topic.to_string(), partition);
        if let Some(client) = self.partitions.get(&key) {
            return Ok(Arc::clone(client));
        }
        let client = self
            .runtime
            .block_on(
                self.client
                    .partition_client(topic, partition, UnknownTopicHandling::Error),
            )
            .map_err(|e| format!("{topic}[{partition}]: {e}"))?;
        let client = Arc::new(client);
        self.partitions.insert(key, Arc::clone(&client));
        Ok(client)
    }
}

fn raw_record(topic: &str, partition: i32, r: RecordAndOffset) -> RawRecord {
    RawRecord {
        topic: topic.to_string(),
        partition,
        offset: r.offset,
        timestamp_ms: r.record.timestamp.timestamp_millis(),
        key: r.record.key,
        value: r.record.value,
        headers: r.record.headers.into_iter().collect(),
    }
}
