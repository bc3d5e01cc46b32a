//! Laying out a diff for the report overlay, on the UI thread when folds
//! or the view change (never while drawing): the patch as a tree of JSON
//! Pointer paths with counts that folds and unfolds, or the two states
//! side by side, line against line.

use std::collections::BTreeSet;

use serde_json::Value;

use super::ReportLine;
use crate::core::diff::{align_lines, pointer_tokens, PatchOp, Step};
use crate::tui::text::{clip_chars, MAX_VALUE_CHARS};

/// Patches with more changes than this open with their top level folded.
const FOLD_ABOVE: usize = 40;

/// A path of the patch and what changed at and under it.
#[derive(Debug, Default)]
struct Node {
    token: String,
    pointer: String,
    /// The changes at exactly this path, in patch order (an array can
    /// lose several elements at the same index).
    ops: Vec<usize>,
    children: Vec<Node>,
    /// Added, changed, removed at or under this path.
    counts: [usize; 3],
}

impl Node {
    fn child(&mut self, token: &str) -> &mut Node {
        // Ops under one path arrive together: the last child is the
        // usual match, which keeps building linear for wide objects.
        let last = self.children.len().checked_sub(1);
        let found = match last {
            Some(i) if self.children[i].token == token => Some(i),
            _ => self.children.iter().position(|c| c.token == token),
        };
        let i = match found {
            Some(i) => i,
            None => {
                let pointer = format!("{}/{}", self.pointer, escape(token));
                self.children.push(Node {
                    token: token.to_string(),
                    pointer,
                    ..Node::default()
                });
                self.children.len() - 1
            }
        };
        &mut self.children[i]
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn kind(op: &PatchOp) -> usize {
    match op {
        PatchOp::Add { .. } => 0,
        PatchOp::Replace { .. } => 1,
        PatchOp::Remove { .. } => 2,
    }
}

fn tree(patch: &[PatchOp]) -> Node {
    let mut root = Node::default();
    for (i, op) in patch.iter().enumerate() {
        let tokens = pointer_tokens(op.path()).unwrap_or_default();
        let mut node = &mut root;
        node.counts[kind(op)] += 1;
        for token in &tokens {
            node = node.child(token);
            node.counts[kind(op)] += 1;
        }
        node.ops.push(i);
    }
    root
}

/// The paths folded when the diff opens: none for a small patch, the top
/// level of a big one.
pub fn default_folds(patch: &[PatchOp]) -> BTreeSet<String> {
    if patch.len() <= FOLD_ABOVE {
        return BTreeSet::new();
    }
    tree(patch)
        .children
        .iter()
        .filter(|c| !c.children.is_empty())
        .map(|c| c.pointer.clone())
        .collect()
}

/// The patch as a tree: a line per path with children (`▾`/`▸` and its
/// counts), a line per change. Returns the lines and, for each, the
/// pointer that Enter folds or unfolds.
pub fn tree_lines(
    patch: &[PatchOp],
    folded: &BTreeSet<String>,
) -> (Vec<ReportLine>, Vec<Option<String>>) {
    let root = tree(patch);
    let mut out = (Vec::new(), Vec::new());
    for &i in &root.ops {
        // The whole state was replaced (one was not an object or array).
        push_change(&patch[i], "(the whole state)", 0, &mut out);
    }
    for child in &root.children {
        node_lines(patch, child, 0, folded, &mut out);
    }
    out
}

fn node_lines(
    patch: &[PatchOp],
    node: &Node,
    depth: usize,
    folded: &BTreeSet<String>,
    out: &mut (Vec<ReportLine>, Vec<Option<String>>),
) {
    if node.children.is_empty() {
        for &i in &node.ops {
            push_change(&patch[i], &node.token, depth, out);
        }
        return;
    }
    let open = !folded.contains(&node.pointer);
    let [added, changed, removed] = node.counts;
    let mut counts = Vec::new();
    for (n, word) in [(added, "added"), (changed, "changed"), (removed, "removed")] {
        if n > 0 {
            counts.push(format!("{n} {word}"));
        }
    }
    out.0.push(ReportLine::Node(format!(
        "{}{} {}  ({})",
        "  ".repeat(depth),
        if open { "▾" } else { "▸" },
        node.token,
        counts.join(" · ")
    )));
    out.1.push(Some(node.pointer.clone()));
    if !open {
        return;
    }
    for &i in &node.ops {
        push_change(&patch[i], "(itself)", depth + 1, out);
    }
    for child in &node.children {
        node_lines(patch, child, depth + 1, folded, out);
    }
}

/// Lines of an added or removed object or array laid out under its
/// change, at most.
const MAX_SUBTREE_LINES: usize = 200;

/// The line of one change; an object or array added or removed follows
/// it whole, pretty-printed and indented (up to [`MAX_SUBTREE_LINES`]),
/// so a new subtree reads like the state it joined.
fn push_change(
    op: &PatchOp,
    name: &str,
    depth: usize,
    out: &mut (Vec<ReportLine>, Vec<Option<String>>),
) {
    let subtree = match op {
        PatchOp::Add { value, .. } | PatchOp::Remove { old: value, .. } if is_container(value) => {
            Some(value)
        }
        _ => None,
    };
    let Some(value) = subtree else {
        out.0.push(change_line(op, name, depth));
        out.1.push(None);
        return;
    };
    let added = matches!(op, PatchOp::Add { .. });
    let indent = "  ".repeat(depth + 1);
    let head = if added {
        ReportLine::Added(format!("{}{name}", "  ".repeat(depth)))
    } else {
        change_line(op, name, depth)
    };
    out.0.push(head);
    out.1.push(None);
    let text = pretty(value);
    let total = text.lines().count();
    for line in text.lines().take(MAX_SUBTREE_LINES) {
        let line = format!("{indent}{}", clip_chars(line, MAX_VALUE_CHARS));
        out.0.push(if added {
            ReportLine::Added(line)
        } else {
            ReportLine::Removed(line)
        });
        out.1.push(None);
    }
    if total > MAX_SUBTREE_LINES {
        out.0.push(ReportLine::Note(format!(
            "{indent}… {} more lines",
            total - MAX_SUBTREE_LINES
        )));
        out.1.push(None);
    }
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(m) if !m.is_empty())
        || matches!(value, Value::Array(a) if !a.is_empty())
}

fn change_line(op: &PatchOp, name: &str, depth: usize) -> ReportLine {
    let indent = "  ".repeat(depth);
    match op {
        PatchOp::Add { value: new, .. } => {
            ReportLine::Added(format!("{indent}{name}  {}", shown(new)))
        }
        PatchOp::Remove { old, .. } if is_container(old) => {
            ReportLine::Removed(format!("{indent}{name}  (was:)"))
        }
        PatchOp::Remove { old, .. } => {
            ReportLine::Removed(format!("{indent}{name}  (was {})", shown(old)))
        }
        PatchOp::Replace {
            value: new, old, ..
        } => ReportLine::Changed(format!("{indent}{name}  {} → {}", shown(old), shown(new))),
    }
}

fn shown(v: &Value) -> String {
    clip_chars(&v.to_string(), MAX_VALUE_CHARS)
}

/// The two states printed as JSON, side by side and aligned line against
/// line, long lines wrapped to `column` characters so long values can be
/// read whole.
pub fn side_by_side(from: &Value, to: &Value, column: usize) -> Vec<ReportLine> {
    let column = column.max(8);
    let (a, b) = (pretty(from), pretty(to));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let steps = align_lines(&a, &b);
    let (mut i, mut j, mut k) = (0, 0, 0);
    let mut rows: Vec<(&str, &str, Side)> = Vec::new();
    while k < steps.len() {
        if steps[k] == Step::Keep {
            rows.push((a[i], b[j], Side::Same));
            (i, j, k) = (i + 1, j + 1, k + 1);
            continue;
        }
        // A run of removed lines then added ones: pair them up as changed
        // lines, so `"amount": 1915` sits beside `"amount": 260`.
        let removed = steps[k..]
            .iter()
            .take_while(|s| **s == Step::Delete)
            .count();
        let added = steps[k + removed..]
            .iter()
            .take_while(|s| **s == Step::Insert)
            .count();
        for n in 0..removed.max(added) {
            let left = (n < removed).then(|| a[i + n]);
            let right = (n < added).then(|| b[j + n]);
            let side = match (left, right) {
                (Some(_), Some(_)) => Side::Both,
                (Some(_), None) => Side::Left,
                _ => Side::Right,
            };
            rows.push((left.unwrap_or(""), right.unwrap_or(""), side));
        }
        (i, j, k) = (i + removed, j + added, k + removed + added);
    }
    let mut out = Vec::new();
    for (left, right, side) in rows {
        let (left, right) = (wrap(left, column), wrap(right, column));
        for n in 0..left.len().max(right.len()) {
            out.push(ReportLine::Pair {
                left: left.get(n).cloned().unwrap_or_default(),
                right: right.get(n).cloned().unwrap_or_default(),
                side,
            });
        }
    }
    out
}

/// Which side of a side-by-side line differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Same,
    /// Only on the left: removed.
    Left,
    /// Only on the right: added.
    Right,
    /// On both sides, changed.
    Both,
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// `text`, made safe, cut into pieces of at most `width` display cells
/// (one empty piece for an empty line). Cutting after `visible` keeps an
/// escaped control character whole and wide characters in their columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let safe = crate::core::sanitize::visible(text);
    let mut pieces = vec![String::new()];
    let mut used = 0;
    for c in safe.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            pieces.push(String::new());
            used = 0;
        }
        used += w;
        if let Some(piece) = pieces.last_mut() {
            piece.push(c);
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diff::diff;
    use serde_json::json;

    fn texts(lines: &[ReportLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                ReportLine::Node(t) => format!("N {t}"),
                ReportLine::Added(t) => format!("+ {t}"),
                ReportLine::Changed(t) => format!("~ {t}"),
                ReportLine::Removed(t) => format!("- {t}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn paths_nest_with_counts_and_fold() {
        let from = json!({"balance": 5, "holder": {"name": "Ada", "email": "a@x"}, "tags": ["a"]});
        let to =
            json!({"balance": 7, "holder": {"name": "Ada L", "phone": "1"}, "tags": ["a", "b"]});
        let patch = diff(&from, &to);
        let (lines, folds) = tree_lines(&patch, &BTreeSet::new());
        assert_eq!(
            texts(&lines),
            [
                "~ balance  5 → 7",
                "N ▾ holder  (1 added · 1 changed · 1 removed)",
                "~   name  \"Ada\" → \"Ada L\"",
                "-   email  (was \"a@x\")",
                "+   phone  \"1\"",
                "N ▾ tags  (1 added)",
                "+   1  \"b\"",
            ]
        );
        assert_eq!(folds[1].as_deref(), Some("/holder"));
        let folded = BTreeSet::from(["/holder".to_string()]);
        let (lines, _) = tree_lines(&patch, &folded);
        assert_eq!(lines.len(), 4);
        assert_eq!(
            texts(&lines)[1],
            "N ▸ holder  (1 added · 1 changed · 1 removed)"
        );
    }

    #[test]
    fn added_and_removed_subtrees_are_laid_out_whole() {
        let from = json!({"old": {"a": [1, 2]}});
        let to = json!({"new": {"holder": {"name": "Grace Hopper", "email": "grace@example.org"}}});
        let patch = diff(&from, &to);
        let (lines, _) = tree_lines(&patch, &BTreeSet::new());
        let texts = texts(&lines);
        let removed = texts
            .iter()
            .position(|t| t == "- old  (was:)")
            .expect("removed");
        assert_eq!(texts[removed + 1], "-   {");
        assert!(texts.contains(&"-       1,".to_string()), "{texts:?}");
        let added = texts.iter().position(|t| t == "+ new").expect("added");
        assert_eq!(texts[added + 1], "+   {");
        assert!(
            texts.contains(&"+       \"email\": \"grace@example.org\"".to_string()),
            "{texts:?}"
        );
    }

    #[test]
    fn every_change_has_a_line_even_at_a_repeated_index() {
        // Two leading elements removed: both removals are `/tags/0`.
        let patch = diff(&json!({"tags": ["a", "b", "c"]}), &json!({"tags": ["c"]}));
        let (lines, _) = tree_lines(&patch, &BTreeSet::new());
        assert_eq!(
            texts(&lines),
            [
                "N ▾ tags  (2 removed)",
                "-   0  (was \"a\")",
                "-   0  (was \"b\")"
            ]
        );
    }

    #[test]
    fn big_patches_open_folded() {
        let from = json!({"a": {}, "b": 1});
        let mut to = json!({"a": {}, "b": 2});
        for i in 0..50 {
            to["a"][format!("k{i}")] = json!(i);
        }
        let patch = diff(&from, &to);
        assert_eq!(default_folds(&patch), BTreeSet::from(["/a".to_string()]));
        assert!(default_folds(&patch[..2]).is_empty());
    }

    #[test]
    fn side_by_side_aligns_lines_and_wraps_long_values() {
        let from = json!({"a": 1, "note": "short"});
        let to = json!({"a": 1, "b": 2, "note": "a much longer note than the column"});
        let lines = side_by_side(&from, &to, 20);
        let pairs: Vec<(String, String, Side)> = lines
            .iter()
            .filter_map(|l| match l {
                ReportLine::Pair { left, right, side } => {
                    Some((left.clone(), right.clone(), *side))
                }
                _ => None,
            })
            .collect();
        assert_eq!(pairs[0], ("{".into(), "{".into(), Side::Same));
        assert_eq!(
            pairs[1],
            ("  \"a\": 1,".into(), "  \"a\": 1,".into(), Side::Same)
        );
        assert!(pairs
            .iter()
            .any(|p| p.1 == "  \"b\": 2," && p.2 != Side::Same));
        // The long line is cut into column-wide pieces, all of it kept.
        let right: String = pairs
            .iter()
            .filter(|p| p.2 != Side::Same)
            .map(|p| p.1.as_str())
            .collect();
        assert!(right.contains("a much longer note than the column"));
        assert!(pairs.iter().all(|p| p.1.chars().count() <= 20));
        // Characters JSON leaves as they are (a bidi override) arrive
        // escaped, never raw.
        let hostile = side_by_side(&json!({"x": "a\u{202e}b"}), &json!({}), 12);
        let text: String = hostile
            .iter()
            .filter_map(|l| match l {
                ReportLine::Pair { left, .. } => Some(left.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            !text.contains('\u{202e}') && text.contains("202e"),
            "{text}"
        );
        assert_eq!(pairs.last().map(|p| p.0.as_str()), Some("}"));
    }
}
