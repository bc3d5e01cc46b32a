//! External projections: the user's own reducer, in any language, run as a
//! child process (`sh -c COMMAND`) that speaks newline-delimited JSON on
//! its standard input and output.
//!
//! # Protocol
//!
//! Every message is one JSON value on one line (UTF-8, ending in `\n`).
//!
//! 1. Rewind starts the command and writes `{"init": true}`. The reducer
//!    answers with its initial state, as `{"state": <initial state>}`
//!    (a line that is not an object with a `"state"` key is taken as the
//!    initial state itself).
//! 2. For each event, in order, Rewind writes
//!    `{"state": <state>, "event": <event>}` where `<event>` has the shape
//!    of `rewind export` lines: `position`, `stream`, `version`, `type`,
//!    `schema_version`, `id`, `time` (RFC 3339), `data`, `metadata`.
//!    The reducer answers with one line: `{"state": <new state>}`,
//!    optionally with `"logs": ["...", ...]` (shown by Rewind as the
//!    projection's log output). It may answer `{"error": "message"}` to
//!    report that the event cannot be applied.
//!
//! The reducer keeps nothing between lines: Rewind holds the state and
//! sends it with every event, so it can jump anywhere in history. Every
//! event of the scope is sent; a reducer ignores an event by answering
//! with the state it was given. What the reducer writes to its standard
//! error is kept and shown (its last lines) when it fails; its standard
//! output must carry nothing but answers.
//!
//! A reducer that does not answer within the timeout (5 s by default), that
//! exits, or that answers with something that is not JSON, fails with a
//! [`ProjectionError`]; it is stopped (with any process it started) and
//! started again for the next event, with the state Rewind kept.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use super::{Output, Projection, ProjectionError, State};
use crate::core::event::Event;
use crate::core::ndjson::event_line;

/// How long a reducer may take to answer one line, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Lines of standard error kept to explain a failure.
const STDERR_LINES: usize = 20;
/// Log lines kept between two reads; older lines are dropped first.
const MAX_LOGS: usize = 10_000;

/// A running reducer process.
struct Process {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        // `sh -c` forks the command rather than replacing itself with it:
        // stop the whole process group, so that a hung reducer does not
        // keep running after Rewind gave up on it.
        #[cfg(unix)]
        if let Ok(group) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process
            // group; it touches no memory of ours.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct ExternalProjection {
    command: String,
    timeout: Duration,
    process: Option<Process>,
    initial: State,
    state: State,
    output: Output,
}

impl ExternalProjection {
    /// Starts `command` with `sh -c` and asks it for its initial state.
    pub fn spawn(command: &str) -> Result<ExternalProjection, ProjectionError> {
        ExternalProjection::spawn_with_timeout(command, DEFAULT_TIMEOUT)
    }

    pub fn spawn_with_timeout(
        command: &str,
        timeout: Duration,
    ) -> Result<ExternalProjection, ProjectionError> {
        let mut projection = ExternalProjection {
            command: command.to_string(),
            timeout,
            process: None,
            initial: Value::Null,
            state: Value::Null,
            output: Output::default(),
        };
        projection.start()?;
        projection.state = projection.initial.clone();
        Ok(projection)
    }

    fn error(&self, position: Option<i64>, message: impl Into<String>) -> ProjectionError {
        ProjectionError::new(&self.command, position, message)
    }

    /// Starts the process and reads its initial state (the working state
    /// is left alone: it lives on this side).
    fn start(&mut self) -> Result<(), ProjectionError> {
        self.process = None;
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .map_err(|e| self.error(None, format!("cannot start `sh -c {}`: {e}", self.command)))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(self.error(None, "cannot connect to the reducer's standard streams"));
        };
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let stop = line.is_err();
                if sender.send(line).is_err() || stop {
                    break;
                }
            }
        });
        let kept = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_lines = kept.clone();
        thread::spawn(move || keep_stderr(stderr, &stderr_lines));
        self.process = Some(Process {
            child,
            stdin,
            lines,
            stderr: kept,
        });
        let reply = self.exchange(None, "{\"init\":true}")?;
        self.initial = match reply {
            Value::Object(mut map) if map.contains_key("state") => {
                map.remove("state").unwrap_or(Value::Null)
            }
            other => other,
        };
        Ok(())
    }

    /// Writes one line and reads the answer; on any failure the process is
    /// stopped (and started again for the next event).
    fn exchange(&mut self, position: Option<i64>, line: &str) -> Result<Value, ProjectionError> {
        let result = self.try_exchange(line);
        result.map_err(|message| {
            let stderr = self.stderr_tail();
            self.process = None;
            let mut message = message;
            if !stderr.is_empty() {
                message = format!("{message}; its standard error ended with:\n{stderr}");
            }
            self.error(position, message)
        })
    }

    fn try_exchange(&mut self, line: &str) -> Result<Value, String> {
        let timeout = self.timeout;
        let Some(process) = self.process.as_mut() else {
            return Err("the reducer is not running".into());
        };
        let written = process
            .stdin
            .write_all(line.as_bytes())
            .and_then(|_| process.stdin.write_all(b"\n"))
            .and_then(|_| process.stdin.flush());
        // A reducer that stopped reading may still have answered (or said
        // why it stopped): read what it wrote before saying it is gone.
        let wait = if written.is_err() {
            Duration::from_millis(200).min(timeout)
        } else {
            timeout
        };
        let answer = match process.lines.recv_timeout(wait) {
            Ok(Ok(answer)) => answer,
            _ if written.is_err() => {
                return Err(exit_message(process, "stopped reading its input"))
            }
            Ok(Err(e)) => return Err(format!("reading the reducer's answer failed: {e}")),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "the reducer did not answer within {:.1}s",
                    timeout.as_secs_f64()
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(exit_message(process, "closed its output without answering"))
            }
        };
        serde_json::from_str(&answer).map_err(|e| {
            let shown: String = answer.chars().take(200).collect();
            format!("the reducer answered with a line that is not JSON ({e}): {shown}")
        })
    }

    fn stderr_tail(&self) -> String {
        let Some(process) = &self.process else {
            return String::new();
        };
        // Give the stderr reader a moment to catch up with a dying process.
        thread::sleep(Duration::from_millis(20));
        let lines = process.stderr.lock().map(|l| l.clone()).unwrap_or_default();
        Vec::from(lines).join("\n")
    }
}

fn exit_message(process: &mut Process, what: &str) -> String {
    // The process may take a moment to be reaped after closing its pipes.
    for _ in 0..50 {
        if let Ok(Some(status)) = process.child.try_wait() {
            return format!("the reducer {what} and exited ({status})");
        }
        thread::sleep(Duration::from_millis(10));
    }
    format!("the reducer {what}")
}

fn keep_stderr(stderr: impl Read, kept: &Mutex<VecDeque<String>>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Ok(mut kept) = kept.lock() {
            if kept.len() >= STDERR_LINES {
                kept.pop_front();
            }
            kept.push_back(line);
        }
    }
}

impl Projection for ExternalProjection {
    fn persistable(&self) -> bool {
        // The hash covers the command, not the script it runs: a changed
        // script must not meet snapshots of the old one in a later session.
        false
    }

    fn name(&self) -> &str {
        &self.command
    }

    fn source_hash(&self) -> String {
        super::js::source_hash(format!("command:{}", self.command).as_bytes())
    }

    fn reset(&mut self, state: Option<&State>) -> Result<(), ProjectionError> {
        if self.process.is_none() {
            self.start()?;
        }
        self.state = state.cloned().unwrap_or_else(|| self.initial.clone());
        Ok(())
    }

    fn apply(&mut self, event: &Event) -> Result<(), ProjectionError> {
        if self.process.is_none() {
            self.start()?;
        }
        let line = format!(
            "{{\"state\":{},\"event\":{}}}",
            self.state,
            event_line(event)
        );
        let position = Some(event.position);
        let reply = self.exchange(position, &line)?;
        let Value::Object(mut reply) = reply else {
            return Err(self.error(
                position,
                "the reducer's answer must be an object such as {\"state\": ...}",
            ));
        };
        if let Some(error) = reply.remove("error") {
            let message = match error {
                Value::String(text) => text,
                other => other.to_string(),
            };
            return Err(self.error(position, format!("the reducer reported: {message}")));
        }
        let Some(state) = reply.remove("state") else {
            return Err(self.error(position, "the reducer's answer has no \"state\""));
        };
        if let Some(Value::Array(logs)) = reply.remove("logs") {
            if self.output.logs.len() > MAX_LOGS {
                self.output.logs.drain(..MAX_LOGS / 2);
            }
            self.output
                .logs
                .extend(logs.into_iter().map(|line| match line {
                    Value::String(text) => text,
                    other => other.to_string(),
                }));
        }
        self.state = state;
        Ok(())
    }

    fn state(&mut self) -> Result<State, ProjectionError> {
        Ok(self.state.clone())
    }

    fn take_output(&mut self) -> Output {
        std::mem::take(&mut self.output)
    }
}
