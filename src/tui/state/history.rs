//! What was typed at each prompt, newest last, for ↑ and ↓; kept between
//! sessions in a JSON file in the data directory (`prompt_history.json`).
//! A file that cannot be read or written costs the history, never the
//! session.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Lines kept per prompt.
const MAX_LINES: usize = 200;

#[derive(Debug, Default)]
pub struct PromptHistory {
    lines: BTreeMap<String, Vec<String>>,
    /// Where it is kept; `None` keeps it for this session only.
    file: Option<PathBuf>,
}

impl PromptHistory {
    /// The history kept in `file`, or an empty one.
    pub fn load(file: Option<PathBuf>) -> PromptHistory {
        let lines = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        PromptHistory { lines, file }
    }

    /// The lines typed at prompt `name`, oldest first.
    pub fn lines(&self, name: &str) -> &[String] {
        self.lines.get(name).map_or(&[], Vec::as_slice)
    }

    /// Remembers `line` typed at prompt `name` (once: typed again, it
    /// moves to the end) and writes the file.
    pub fn add(&mut self, name: &str, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        let lines = self.lines.entry(name.to_string()).or_default();
        lines.retain(|l| l != line);
        lines.push(line.to_string());
        if lines.len() > MAX_LINES {
            lines.remove(0);
        }
        self.save();
    }

    fn save(&self) {
        let Some(file) = &self.file else { return };
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_vec_pretty(&self.lines) {
            // Written aside then renamed: a crash never leaves half a file.
            let partial = file.with_extension("json.partial");
            if std::fs::write(&partial, text).is_ok() {
                let _ = std::fs::rename(&partial, file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_once_newest_last_and_between_sessions() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("sub").join("prompt_history.json");
        let mut history = PromptHistory::load(Some(file.clone()));
        history.add("go_to", "10");
        history.add("go_to", "@1234");
        history.add("go_to", "10");
        history.add("search", "  ");
        assert_eq!(history.lines("go_to"), ["@1234", "10"]);
        assert!(history.lines("search").is_empty());
        let again = PromptHistory::load(Some(file));
        assert_eq!(again.lines("go_to"), ["@1234", "10"]);
        // An unreadable file is an empty history.
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, "not json").expect("write");
        assert!(PromptHistory::load(Some(broken)).lines("go_to").is_empty());
    }
}
