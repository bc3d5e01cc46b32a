//! A real PostgreSQL server for tests: copies of the template database that
//! `.ci/postgres.sh start` loads (message-db and a Marten-shaped schema),
//! one per test, and a writer that appends as applications do.
#![allow(dead_code)]

use std::time::Duration;

use postgres::{Client, NoTls};

pub fn server_url() -> String {
    std::env::var("REWIND_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "REWIND_TEST_PG_URL is not set: start the test server with \
             `export REWIND_TEST_PG_URL=$(.ci/postgres.sh start)` and run the tests again"
        )
    })
}

/// The server URL with another database name.
pub fn with_database(url: &str, db: &str) -> String {
    match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{db}"),
        None => panic!("REWIND_TEST_PG_URL {url:?} has no database part"),
    }
}

/// A fresh copy of the template database for one test; returns its URL
/// and a writer connection (the test's own, not Rewind's).
pub fn fresh_database(test: &str) -> (String, Client) {
    let url = server_url();
    let name = format!("rewind_t_{}_{test}", std::process::id());
    // The database named in the URL is the template, loaded by the script.
    let template = url
        .rsplit_once('/')
        .map(|(_, db)| db.split('?').next().unwrap_or(db).to_string())
        .unwrap_or_else(|| "rewind_test".to_string());
    let mut admin = Client::connect(&with_database(&url, "postgres"), NoTls)
        .expect("connect to the test server (is `.ci/postgres.sh start` running?)");
    // Copies left by earlier runs of this test (a failed test keeps its
    // copy for a look; the next run removes it).
    let old: Vec<String> = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'rewind_t_%_' || $1::text",
            &[&test],
        )
        .expect("list old copies")
        .iter()
        .map(|r| r.get(0))
        .collect();
    for db in old {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\""));
    }
    // Parallel tests copy the same template; PostgreSQL refuses a copy
    // while another copy is being made, so retry briefly.
    let mut attempt = 0;
    loop {
        match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE \"{template}\"")) {
            Ok(()) => break,
            Err(e) if attempt < 50 => {
                attempt += 1;
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot copy the template database: {e}"),
        }
    }
    let db_url = with_database(&url, &name);
    let mut writer = Client::connect(&db_url, NoTls).expect("connect to the copy");
    writer
        .batch_execute("SET search_path TO message_store, public")
        .expect("search path");
    (db_url, writer)
}

pub fn write_message(
    writer: &mut Client,
    stream: &str,
    kind: &str,
    data: &str,
    metadata: &str,
) -> i64 {
    writer
        .query_one(
            "SELECT message_store.write_message(gen_random_uuid()::text, $1, $2, $3::text::jsonb, $4::text::jsonb)",
            &[&stream, &kind, &data, &metadata],
        )
        .expect("write_message")
        .get(0)
}
