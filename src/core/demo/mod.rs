//! A deterministic generator of realistic events from three domains of the
//! event-sourcing literature: bank accounts, shopping carts and airline
//! bookings. The same seed and size always give the same events, ids and
//! times, so demo stores and benchmark stores are reproducible.

mod bank;
pub mod bundled;
mod carts;
mod flights;
mod live;
mod rng;

use std::collections::VecDeque;

use serde_json::{json, Value};

use crate::core::event::NewEvent;
use crate::core::ndjson::ImportRecord;
use crate::core::time::Millis;
pub use rng::Rng;

/// Which domains to generate, and how much.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub seed: u64,
    pub events: u64,
    pub domains: Vec<Domain>,
    /// The share of all events that go to one long-lived bank account
    /// (`account-hot`), so benchmarks have a long stream to travel in.
    pub hot_share: f64,
    pub start_ms: Millis,
    /// The average time between two events.
    pub mean_gap_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    Bank,
    Carts,
    Flights,
}

impl Domain {
    pub const ALL: [Domain; 3] = [Domain::Bank, Domain::Carts, Domain::Flights];

    pub fn name(self) -> &'static str {
        match self {
            Domain::Bank => "bank",
            Domain::Carts => "carts",
            Domain::Flights => "flights",
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 42,
            events: 6_000,
            domains: Domain::ALL.to_vec(),
            hot_share: 0.0,
            // 2025-03-01T08:00:00Z
            start_ms: 1_740_816_000_000,
            mean_gap_ms: 9 * 60 * 1000,
        }
    }
}

impl DemoConfig {
    /// `events` events spread over about `days` days from the default start.
    pub fn spanning_days(events: u64, days: i64) -> Self {
        DemoConfig {
            events,
            mean_gap_ms: (days * 86_400_000 / events.max(1) as i64).max(1),
            ..DemoConfig::default()
        }
    }
}

/// What a domain model produces at each step: events for one or more
/// streams, each with its metadata.
pub(crate) struct Emitted {
    pub stream: String,
    pub event_type: &'static str,
    pub schema_version: i64,
    pub data: Value,
    pub actor: String,
    pub correlation: Option<String>,
    pub causation_from_previous: bool,
}

impl Emitted {
    pub fn new(stream: &str, event_type: &'static str, data: Value, actor: &str) -> Self {
        Emitted {
            stream: stream.to_string(),
            event_type,
            schema_version: 1,
            data,
            actor: actor.to_string(),
            correlation: None,
            causation_from_previous: false,
        }
    }
}

/// The generator: an iterator of import records in time order.
pub struct DemoGenerator {
    config: DemoConfig,
    rng: Rng,
    now_ms: Millis,
    produced: u64,
    pending: VecDeque<ImportRecord>,
    bank: bank::Bank,
    carts: carts::Carts,
    flights: flights::Flights,
}

impl DemoGenerator {
    pub fn new(config: DemoConfig) -> Self {
        let rng = Rng::new(config.seed);
        DemoGenerator {
            now_ms: config.start_ms,
            bank: bank::Bank::default(),
            carts: carts::Carts::default(),
            flights: flights::Flights::default(),
            produced: 0,
            pending: VecDeque::new(),
            rng,
            config,
        }
    }

    fn step(&mut self) {
        let gap = self.rng.below((self.config.mean_gap_ms.max(1) * 2) as u64) as i64;
        self.now_ms += gap.max(1);
        let emitted = if self.config.hot_share > 0.0 && self.rng.chance(self.config.hot_share) {
            self.bank.hot_step(&mut self.rng)
        } else {
            let domains = &self.config.domains;
            match domains[self.rng.below(domains.len() as u64) as usize] {
                Domain::Bank => self.bank.step(&mut self.rng),
                Domain::Carts => self.carts.step(&mut self.rng),
                Domain::Flights => self.flights.step(&mut self.rng),
            }
        };
        let correlation = self.rng.uuid();
        let mut previous_id: Option<String> = None;
        for (offset, e) in emitted.into_iter().enumerate() {
            let id = self.rng.uuid();
            let causation = if e.causation_from_previous {
                previous_id.clone()
            } else {
                None
            };
            let metadata = json!({
                "actor": e.actor,
                "correlationId": e.correlation.unwrap_or_else(|| correlation.clone()),
                "causationId": causation.unwrap_or_else(|| correlation.clone()),
            });
            previous_id = Some(id.clone());
            self.pending.push_back(ImportRecord {
                stream: e.stream,
                event: NewEvent {
                    id: Some(id),
                    event_type: e.event_type.to_string(),
                    schema_version: e.schema_version,
                    data: e.data.to_string(),
                    metadata: metadata.to_string(),
                    time_ms: Some(self.now_ms + offset as i64 * 37),
                },
            });
        }
    }
}

impl Iterator for DemoGenerator {
    type Item = ImportRecord;

    fn next(&mut self) -> Option<ImportRecord> {
        if self.produced >= self.config.events || self.config.domains.is_empty() {
            return None;
        }
        while self.pending.is_empty() {
            self.step();
        }
        self.produced += 1;
        self.pending.pop_front()
    }
}

/// One import record as an NDJSON line, for `demo-data/` files.
pub fn record_line(record: &ImportRecord) -> String {
    let mut line = serde_json::Map::new();
    line.insert("stream".into(), json!(record.stream));
    line.insert("type".into(), json!(record.event.event_type));
    if record.event.schema_version != 1 {
        line.insert("schema_version".into(), json!(record.event.schema_version));
    }
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    line.insert("data".into(), parse(&record.event.data));
    line.insert("metadata".into(), parse(&record.event.metadata));
    if let Some(id) = &record.event.id {
        line.insert("id".into(), json!(id));
    }
    if let Some(ms) = record.event.time_ms {
        line.insert("time".into(), json!(crate::core::time::rfc3339_ms(ms)));
    }
    Value::Object(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(seed: u64, events: u64) -> Vec<ImportRecord> {
        DemoGenerator::new(DemoConfig {
            seed,
            events,
            ..DemoConfig::default()
        })
        .collect()
    }

    #[test]
    fn same_seed_same_events() {
        assert_eq!(generate(7, 500), generate(7, 500));
        assert_ne!(generate(7, 50), generate(8, 50));
    }

    #[test]
    fn produces_exactly_the_requested_count_in_time_order() {
        let events = generate(1, 1234);
        assert_eq!(events.len(), 1234);
        let times: Vec<_> = events.iter().map(|r| r.event.time_ms.unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn covers_all_domains_and_two_schema_versions() {
        let events = generate(3, 3000);
        for category in ["account", "cart", "booking"] {
            assert!(
                events.iter().any(|r| r.stream.starts_with(category)),
                "{category}"
            );
        }
        let opened: Vec<_> = events
            .iter()
            .filter(|r| r.event.event_type == "AccountOpened")
            .map(|r| r.event.schema_version)
            .collect();
        assert!(opened.contains(&1) && opened.contains(&2));
        assert!(events
            .iter()
            .any(|r| r.event.event_type == "TransferReceived"));
        assert!(events.iter().any(|r| r.event.event_type == "CartRecovered"));
    }

    #[test]
    fn hot_stream_gets_its_share() {
        let events: Vec<_> = DemoGenerator::new(DemoConfig {
            events: 10_000,
            hot_share: 0.2,
            ..DemoConfig::default()
        })
        .collect();
        let hot = events.iter().filter(|r| r.stream == "account-hot").count();
        assert!((1_500..2_500).contains(&hot), "{hot}");
    }
}
