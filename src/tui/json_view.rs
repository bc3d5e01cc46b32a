//! Pretty, coloured JSON as lines, built once per cursor move so that
//! drawing only copies the visible slice. Depth, line count and value
//! length are capped: a deeply nested or enormous payload costs a bounded
//! amount of work.

use std::collections::BTreeSet;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::text::clip_chars;
use super::theme::Theme;
use crate::core::sanitize::visible;

/// Lines laid out per value at most.
pub const MAX_LINES: usize = 5_000;
/// Characters of one string or number shown on its line: enough to read
/// an id, a message or a small payload whole with wrap on; a longer value
/// is cut with its size, and Enter shows it whole in the value overlay.
pub const MAX_LINE_VALUE_CHARS: usize = 2_000;
const MAX_DEPTH: usize = 48;

struct Builder<'t> {
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
    /// The JSON Pointer of the value each line shows (for blame).
    paths: Vec<String>,
    truncated: bool,
    /// Whether leaves are compared with a previous state.
    compare: bool,
    /// The lines of leaves that differ from the previous state.
    changed: Vec<usize>,
    /// The pointers of the objects and arrays shown folded, on one line.
    folded: Option<&'t BTreeSet<String>>,
}

/// Laid-out JSON: the lines, the JSON Pointer each shows, and which lines
/// show a value that differs from the previous state.
pub struct JsonLines {
    pub lines: Vec<Line<'static>>,
    pub paths: Vec<String>,
    pub changed: Vec<usize>,
}

/// The lines of `value`, their pointers, and the changed lines. With
/// `previous`, leaves whose value differs from the same path in
/// `previous` are highlighted as changed.
pub fn lay_out(value: &Value, previous: Option<&Value>, theme: &Theme) -> JsonLines {
    lay_out_folded(value, previous, theme, None)
}

/// Like [`lay_out`], with the objects and arrays at `folded` on one line
/// each (`{…} 12 keys`).
pub fn lay_out_folded(
    value: &Value,
    previous: Option<&Value>,
    theme: &Theme,
    folded: Option<&BTreeSet<String>>,
) -> JsonLines {
    let mut builder = Builder {
        folded,
        theme,
        lines: Vec::new(),
        paths: Vec::new(),
        truncated: false,
        compare: previous.is_some(),
        changed: Vec::new(),
    };
    builder.value(value, previous, 0, Vec::new(), false, String::new());
    builder.finish()
}

/// The members of the object `value`, each at the top level without the
/// object's braces (the Event pane's `"data": {` and `"metadata": {`),
/// with the objects and arrays at `folded` on one line each.
pub fn lay_out_members(
    value: &Value,
    theme: &Theme,
    folded: Option<&BTreeSet<String>>,
) -> JsonLines {
    let mut builder = Builder {
        folded,
        theme,
        lines: Vec::new(),
        paths: Vec::new(),
        truncated: false,
        compare: false,
        changed: Vec::new(),
    };
    if let Value::Object(map) = value {
        let count = map.len();
        for (i, (key, child)) in map.iter().enumerate() {
            let key_spans = vec![Span::styled(quoted(key), theme.json_key), Span::raw(": ")];
            let path = child_pointer("", key);
            builder.value(child, None, 0, key_spans, i + 1 < count, path);
        }
    }
    builder.finish()
}

/// `pointer` with one more RFC 6901 reference token.
fn child_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn quoted(text: &str) -> String {
    let clipped = clip_chars(text, MAX_LINE_VALUE_CHARS);
    // serde_json escapes quotes and C0 controls; `visible` catches what
    // JSON leaves raw (bidi overrides, C1 controls, invisible characters).
    let json = serde_json::to_string(&clipped).unwrap_or_default();
    visible(&json).into_owned()
}

impl Builder<'_> {
    fn finish(mut self) -> JsonLines {
        if self.truncated {
            self.lines.push(Line::styled(
                format!("… (only the first {MAX_LINES} lines are shown)"),
                self.theme.dim,
            ));
            self.paths.push(String::new());
        }
        JsonLines {
            lines: self.lines,
            paths: self.paths,
            changed: self.changed,
        }
    }

    fn full(&mut self) -> bool {
        if self.lines.len() >= MAX_LINES {
            self.truncated = true;
        }
        self.truncated
    }

    fn push(&mut self, depth: usize, mut spans: Vec<Span<'static>>, changed: bool, pointer: &str) {
        if self.full() {
            return;
        }
        self.paths.push(pointer.to_string());
        let mut line = vec![Span::raw("  ".repeat(depth.min(MAX_DEPTH)))];
        line.append(&mut spans);
        let mut line = Line::from(line);
        if changed {
            line = line.style(self.theme.changed);
            self.changed.push(self.lines.len());
        }
        self.lines.push(line);
    }

    /// Writes `value` at `depth`, its first line starting with `prefix`
    /// (a key), followed by a comma when `comma`.
    fn value(
        &mut self,
        value: &Value,
        previous: Option<&Value>,
        depth: usize,
        prefix: Vec<Span<'static>>,
        comma: bool,
        pointer: String,
    ) {
        if self.full() {
            return;
        }
        let tail = if comma { "," } else { "" };
        // Only leaves are compared: comparing containers would cost the
        // whole state at every level, however little of it is laid out.
        let is_leaf = !matches!(value, Value::Object(m) if !m.is_empty())
            && !matches!(value, Value::Array(a) if !a.is_empty());
        let changed = self.compare && is_leaf && previous != Some(value);
        if depth >= MAX_DEPTH {
            let mut spans = prefix;
            spans.push(Span::styled(
                format!("… (nested deeper than {MAX_DEPTH}){tail}"),
                self.theme.dim,
            ));
            self.push(depth, spans, changed, &pointer);
            return;
        }
        let container = match value {
            Value::Object(map) if !map.is_empty() => Some(format!("{{…}} {} keys", map.len())),
            Value::Array(items) if !items.is_empty() => Some(format!("[…] {} items", items.len())),
            _ => None,
        };
        if let Some(summary) = container.filter(|_| self.is_folded(&pointer)) {
            let mut spans = prefix;
            spans.push(Span::styled(summary, self.theme.dim));
            spans.push(Span::raw(tail));
            // A folded subtree the event changed is marked as changed.
            let changed = self.compare && previous != Some(value);
            self.push(depth, spans, changed, &pointer);
            return;
        }
        match value {
            Value::Object(map) if !map.is_empty() => {
                let mut open = prefix;
                open.push(Span::raw("{"));
                self.push(depth, open, false, &pointer);
                let count = map.len();
                for (i, (key, child)) in map.iter().enumerate() {
                    if self.full() {
                        return;
                    }
                    let before = previous.and_then(|p| p.get(key));
                    let key_spans = vec![
                        Span::styled(quoted(key), self.theme.json_key),
                        Span::raw(": "),
                    ];
                    let path = child_pointer(&pointer, key);
                    self.value(child, before, depth + 1, key_spans, i + 1 < count, path);
                }
                self.push(depth, vec![Span::raw(format!("}}{tail}"))], false, &pointer);
            }
            Value::Array(items) if !items.is_empty() => {
                let mut open = prefix;
                open.push(Span::raw("["));
                self.push(depth, open, false, &pointer);
                let count = items.len();
                for (i, child) in items.iter().enumerate() {
                    if self.full() {
                        return;
                    }
                    let before = previous.and_then(|p| p.get(i));
                    let path = child_pointer(&pointer, &i.to_string());
                    self.value(child, before, depth + 1, Vec::new(), i + 1 < count, path);
                }
                self.push(depth, vec![Span::raw(format!("]{tail}"))], false, &pointer);
            }
            scalar => {
                let (text, style) = self.scalar(scalar);
                let mut spans = prefix;
                spans.push(Span::styled(text, style));
                spans.push(Span::raw(tail));
                self.push(depth, spans, changed, &pointer);
            }
        }
    }

    fn is_folded(&self, pointer: &str) -> bool {
        self.folded.is_some_and(|folded| folded.contains(pointer))
    }

    fn scalar(&self, value: &Value) -> (String, Style) {
        match value {
            Value::String(s) => (quoted(s), self.theme.json_string),
            Value::Number(n) => (
                clip_chars(&n.to_string(), MAX_LINE_VALUE_CHARS),
                self.theme.json_number,
            ),
            Value::Bool(b) => (b.to_string(), self.theme.json_literal),
            Value::Null => ("null".into(), self.theme.json_literal),
            Value::Object(_) => ("{}".into(), Style::default()),
            Value::Array(_) => ("[]".into(), Style::default()),
        }
    }
}

/// The text of `lines`, for tests and the PTY checks.
pub fn plain(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

/// The pointers of every non-empty object and array under `value` (not
/// `value` itself), at most `limit` of them: what "collapse all" folds.
pub fn container_pointers(value: &Value, limit: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack: Vec<(&Value, String)> = vec![(value, String::new())];
    while let Some((value, pointer)) = stack.pop() {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (token, child) in children {
            let is_container = matches!(child, Value::Object(m) if !m.is_empty())
                || matches!(child, Value::Array(a) if !a.is_empty());
            if is_container && found.len() < limit {
                let path = child_pointer(&pointer, &token);
                found.insert(path.clone());
                stack.push((child, path));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_prints_and_marks_changes() {
        let theme = Theme::defaults(false);
        let now = json!({"a": 1, "b": {"c": "x"}});
        let before = json!({"a": 1, "b": {"c": "y"}});
        let lines = lay_out(&now, Some(&before), &theme).lines;
        assert_eq!(
            plain(&lines),
            vec![
                "{",
                "  \"a\": 1,",
                "  \"b\": {",
                "    \"c\": \"x\"",
                "  }",
                "}"
            ]
        );
        assert_eq!(lines[1].style, Style::default());
        assert_eq!(lines[3].style, theme.changed);
    }

    #[test]
    fn every_line_knows_its_json_pointer() {
        let theme = Theme::defaults(false);
        let value = json!({"a": 1, "b/c": [true, {"d": null}]});
        let JsonLines { lines, paths, .. } = lay_out(&value, None, &theme);
        assert_eq!(lines.len(), paths.len());
        assert_eq!(
            paths,
            [
                "",
                "/a",
                "/b~1c",
                "/b~1c/0",
                "/b~1c/1",
                "/b~1c/1/d",
                "/b~1c/1",
                "/b~1c",
                ""
            ]
        );
    }

    #[test]
    fn huge_values_are_capped() {
        let theme = Theme::defaults(true);
        let big = json!({"s": "y".repeat(5_000_000), "list": vec![1; 100_000]});
        let lines = lay_out(&big, None, &theme).lines;
        assert!(lines.len() <= MAX_LINES + 1);
        assert!(plain(&lines)[1].len() < MAX_LINE_VALUE_CHARS + 100);
    }

    #[test]
    fn escapes_never_survive() {
        let theme = Theme::defaults(true);
        let v = json!({"k\u{1b}": "\u{1b}]0;pwned\u{7}\u{202e}"});
        let text = plain(&lay_out(&v, None, &theme).lines).join("\n");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    }
}
