//! A real Kafka broker for tests: the one `.ci/kafka.sh start` runs, with
//! the topics tests/fixtures/kafka_fixture.py wrote, and a producer that
//! writes as applications do.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub fn bootstrap() -> String {
    std::env::var("REWIND_TEST_KAFKA").unwrap_or_else(|_| {
        panic!(
            "REWIND_TEST_KAFKA is not set: start the test broker with \
             `export REWIND_TEST_KAFKA=$(.ci/kafka.sh start)`, write its topics with \
             `python3 tests/fixtures/kafka_fixture.py $REWIND_TEST_KAFKA`, and run the tests again"
        )
    })
}

/// `kafka://BROKER/TOPICS`.
pub fn url(topics: &str) -> String {
    format!("kafka://{}/{topics}", bootstrap())
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Writes `records` (one JSON object per line, as kafka_produce.py reads
/// them) to `topic`, creating it with `partitions` if need be.
pub fn produce(topic: &str, partitions: u32, records: &[serde_json::Value]) {
    let mut child = Command::new("python3")
        .arg(fixture("kafka_produce.py"))
        .args([&bootstrap(), topic, &partitions.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3 kafka_produce.py");
    {
        let stdin = child.stdin.as_mut().expect("stdin");
        for record in records {
            writeln!(stdin, "{record}").expect("write a record");
        }
    }
    let output = child.wait_with_output().expect("kafka_produce.py");
    assert!(
        output.status.success(),
        "kafka_produce.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A topic name no other test or run uses.
pub fn fresh_topic(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{test}-{}-{nanos}", std::process::id())
}

/// Runs `script` with confluent-kafka's admin client on the test broker
/// as `a` (and `sys.argv[2:]` as `args`); what it printed.
pub fn admin(script: &str, args: &[&str]) -> String {
    let program = format!(
        "import sys\nfrom confluent_kafka import TopicPartition\n\
         from confluent_kafka.admin import AdminClient\n\
         a = AdminClient({{'bootstrap.servers': sys.argv[1]}})\n{script}"
    );
    let output = Command::new("python3")
        .args(["-c", &program, &bootstrap()])
        .args(args)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "the admin script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Deletes the records of `topic`'s `partition` below `offset`, as the
/// broker's retention does.
pub fn delete_records(topic: &str, partition: i32, offset: i64) {
    admin(
        "p = TopicPartition(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))\n\
         [f.result(timeout=30) for f in a.delete_records([p]).values()]",
        &[topic, &partition.to_string(), &offset.to_string()],
    );
}
