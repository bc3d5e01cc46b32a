//! Every documented example runs as written: the `rewind …` lines of the
//! README's shell blocks, in order, in one scratch directory laid out like
//! the repository root, and the examples of every `--help`, each command's
//! in a scratch directory holding the two demo stores they name. A line
//! expected to fail says so in its comment (`# exit 3: …`).
//!
//! Skipped, each for a stated reason: the explorer (it needs a terminal;
//! `tests/tui_pty.rs` drives it), `bench`, `--follow` (they run until
//! stopped or for minutes), and lines that name a server or the reader's
//! own files (`PLACEHOLDERS`).

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Names that stand for the reader's own stores and files.
const PLACEHOLDERS: &[&str] = &[
    "postgres://",
    // A broker of the reader's; tests/kafka.rs runs these on the test broker.
    "kafka://",
    "app.sqlite",
    "legacy.sqlite",
    "events.toml",
    "cloudevents.jsonl",
];

const COMMANDS: &[&str] = &[
    "init", "append", "import", "export", "streams", "types", "log", "show", "verify", "state",
    "query", "diff", "blame", "search", "bench", "demo", "mcp",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A directory where examples run: `demo-data` and `assets` as in the
/// repository, and nothing else until the examples make it.
fn scratch() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for name in ["demo-data", "assets"] {
        std::os::unix::fs::symlink(repo().join(name), dir.path().join(name)).expect("symlink");
    }
    dir
}

/// One example: its shell text and the exit status it documents.
#[derive(Debug)]
struct Example {
    line: String,
    status: i32,
}

impl Example {
    fn new(line: String) -> Example {
        let status = line
            .split_once("# exit ")
            .and_then(|(_, rest)| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0);
        Example { line, status }
    }

    /// Why this example cannot run here, if it cannot.
    fn skip_reason(&self) -> Option<String> {
        let code = self.line.split(" # ").next().unwrap_or(&self.line);
        let words: Vec<&str> = code.split_whitespace().collect();
        let command = words
            .iter()
            .skip_while(|w| **w != "rewind")
            .find(|w| COMMANDS.contains(w));
        if command.is_none() {
            return Some("the explorer needs a terminal".into());
        }
        if command == Some(&"bench") {
            return Some("bench runs for minutes".into());
        }
        if command == Some(&"mcp") {
            return Some("mcp serves an MCP client on stdin (tests/mcp.rs drives it)".into());
        }
        if code.contains("--follow") {
            return Some("--follow runs until stopped".into());
        }
        PLACEHOLDERS
            .iter()
            .find(|p| code.contains(*p))
            .map(|p| format!("{p} stands for a store of the reader's"))
    }
}

/// Lines of `text` inside ```sh blocks that run `rewind`, with `\`
/// continuations joined.
fn shell_examples(text: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_block = trimmed == "```sh";
            continue;
        }
        if in_block {
            push_line(&mut examples, &mut pending, trimmed);
        }
    }
    examples
}

/// The examples of a `--help` text: the indented lines after `Example:` or
/// `Examples:`, up to the next blank line.
fn help_examples(help: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_examples = false;
    let mut pending = String::new();
    for line in help.lines() {
        if line.starts_with("Example") {
            in_examples = true;
            continue;
        }
        if line.trim().is_empty() {
            in_examples = false;
            continue;
        }
        if in_examples {
            push_line(&mut examples, &mut pending, line.trim());
        }
    }
    examples
}

fn push_line(examples: &mut Vec<Example>, pending: &mut String, line: &str) {
    if let Some(start) = line.strip_suffix('\\') {
        pending.push_str(start);
        return;
    }
    let whole = std::mem::take(pending) + line;
    let runs_rewind = whole.starts_with("rewind") || whole.contains("| rewind ");
    if runs_rewind {
        examples.push(Example::new(whole));
    }
}

fn shell(dir: &Path, line: &str) -> std::process::Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_rewind"));
    let bin_dir = binary.parent().expect("binary dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("COLUMNS", "300")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run sh")
}

/// Runs the examples in order in `dir`; returns how many ran and a report
/// of each that did not exit as documented.
fn run_all(dir: &Path, examples: &[Example], failures: &mut Vec<String>) -> usize {
    let mut ran = 0;
    for example in examples {
        if let Some(reason) = example.skip_reason() {
            eprintln!("skipped ({reason}): {}", example.line);
            continue;
        }
        let output = shell(dir, &example.line);
        ran += 1;
        let status = output.status.code().unwrap_or(-1);
        if status != example.status {
            failures.push(format!(
                "{}\n  exit {status}, documented {}\n  stdout: {}\n  stderr: {}",
                example.line,
                example.status,
                String::from_utf8_lossy(&output.stdout)
                    .chars()
                    .take(600)
                    .collect::<String>(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    ran
}

#[test]
fn every_readme_example_runs_as_documented() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let examples = shell_examples(&readme);
    let dir = scratch();
    let mut failures = Vec::new();
    let ran = run_all(dir.path(), &examples, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The README's walkthrough has far more runnable lines than this; a
    // parser that found none would otherwise pass.
    assert!(ran >= 20, "only {ran} README examples ran");
}

#[test]
fn every_help_example_runs_as_documented() {
    // The stores the help examples name, built once and copied per command.
    let seed = scratch();
    for (store, file) in [
        ("bank.rewind", "demo-data/bank.ndjson"),
        ("shop.rewind", "demo-data/carts.ndjson"),
    ] {
        let output = shell(seed.path(), &format!("rewind import {store} {file}"));
        assert!(output.status.success(), "{store}: {output:?}");
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for command in std::iter::once("").chain(COMMANDS.iter().copied()) {
        let help = shell(seed.path(), &format!("rewind {command} --help"));
        assert!(help.status.success(), "rewind {command} --help: {help:?}");
        let examples = help_examples(&String::from_utf8_lossy(&help.stdout));
        assert!(
            !examples.is_empty(),
            "rewind {command} --help shows no example"
        );
        let dir = scratch();
        for store in ["bank.rewind", "shop.rewind"] {
            std::fs::copy(seed.path().join(store), dir.path().join(store)).expect("copy store");
        }
        ran += run_all(dir.path(), &examples, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 25, "only {ran} help examples ran");
}

#[test]
fn examples_are_found_and_skipped_for_stated_reasons() {
    let text = "```sh\nrewind log a.rewind \\\n    --json   # all\nrewind x.rewind\nrewind show a.rewind 9 # exit 1: none\n```\nrewind outside\n";
    let examples = shell_examples(text);
    let lines: Vec<&str> = examples.iter().map(|e| e.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "rewind log a.rewind --json   # all",
            "rewind x.rewind",
            "rewind show a.rewind 9 # exit 1: none"
        ]
    );
    assert_eq!(examples[2].status, 1);
    assert!(examples[0].skip_reason().is_none());
    assert!(examples[1].skip_reason().unwrap().contains("explorer"));
    let help =
        "Examples:\n  rewind types app.sqlite\n  rewind types b.rewind\n\nMore text\n  rewind no\n";
    let examples = help_examples(help);
    assert_eq!(examples.len(), 2);
    assert!(examples[0].skip_reason().unwrap().contains("app.sqlite"));
}

/// How the README's key table writes a key of `assets/keymap.toml`.
fn as_written(key: &str) -> String {
    if key.chars().count() == 1 {
        return format!("`{key}`");
    }
    match key {
        "space" | "enter" | "esc" | "tab" | "backspace" | "home" | "end" => {
            let mut word = key.to_string();
            word[..1].make_ascii_uppercase();
            if key == "space" {
                word = "space".into();
            }
            word
        }
        "backtab" => "Shift-Tab".into(),
        "up" => "↑".into(),
        "down" => "↓".into(),
        "left" => "←".into(),
        "right" => "→".into(),
        "pageup" => "PgUp".into(),
        "pagedown" => "PgDn".into(),
        other => match other.strip_prefix("ctrl-") {
            Some(c) => format!("Ctrl-{}", c.to_uppercase()),
            None => other.to_string(),
        },
    }
}

#[test]
fn the_readme_key_table_names_every_explorer_key() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme.find("| key | does |").expect("the key table");
    let table: String = readme[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap_or("").to_string() + "\n")
        .collect();
    let keymap: toml::Table = std::fs::read_to_string(repo().join("assets/keymap.toml"))
        .expect("keymap")
        .parse()
        .expect("keymap.toml parses");
    let mut missing = Vec::new();
    for (action, keys) in &keymap {
        let Some(keys) = keys.as_array() else {
            continue; // an overlay's table
        };
        for key in keys.iter().filter_map(|k| k.as_str()) {
            if !table.contains(&as_written(key)) {
                missing.push(format!("{action}: {key} ({})", as_written(key)));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys of assets/keymap.toml the README's key table does not show:\n{}",
        missing.join("\n")
    );
}
