//! Structural diff of two JSON states, as an RFC 6902 JSON Patch that turns
//! the first into the second. Objects are compared key by key; arrays are
//! aligned by their longest common subsequence, so one insertion shows as
//! one `add`, not as "everything after it changed". Every `replace` and
//! `remove` also carries the `old` value, for display.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOp {
    Add {
        path: String,
        value: Value,
    },
    Remove {
        path: String,
        old: Value,
    },
    Replace {
        path: String,
        value: Value,
        old: Value,
    },
}

impl PatchOp {
    pub fn path(&self) -> &str {
        match self {
            PatchOp::Add { path, .. }
            | PatchOp::Remove { path, .. }
            | PatchOp::Replace { path, .. } => path,
        }
    }
}

/// Arrays longer than this (product of both lengths) are aligned by their
/// common prefix and suffix only, to keep a diff fast on huge arrays.
const LCS_LIMIT: usize = 4_000_000;

pub fn diff(from: &Value, to: &Value) -> Vec<PatchOp> {
    let mut ops = Vec::new();
    diff_into(from, to, &mut String::new(), &mut ops);
    ops
}

fn diff_into(from: &Value, to: &Value, path: &mut String, ops: &mut Vec<PatchOp>) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => diff_objects(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) => diff_arrays(a, b, path, ops),
        (a, b) if a == b => {}
        (a, b) => ops.push(PatchOp::Replace {
            path: path.clone(),
            value: b.clone(),
            old: a.clone(),
        }),
    }
}

fn diff_objects(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    path: &mut String,
    ops: &mut Vec<PatchOp>,
) {
    for (key, old) in a {
        let len = push_token(path, key);
        match b.get(key) {
            Some(new) => diff_into(old, new, path, ops),
            None => ops.push(PatchOp::Remove {
                path: path.clone(),
                old: old.clone(),
            }),
        }
        path.truncate(len);
    }
    for (key, new) in b {
        if !a.contains_key(key) {
            let len = push_token(path, key);
            ops.push(PatchOp::Add {
                path: path.clone(),
                value: new.clone(),
            });
            path.truncate(len);
        }
    }
}

/// One step of an edit script from a sequence `a` to a sequence `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// The next items of both are the same.
    Keep,
    /// The next item of `a` is not in `b`.
    Delete,
    /// The next item of `b` is not in `a`.
    Insert,
}

/// Lines of two texts aligned for a side-by-side view (the same LCS
/// alignment as arrays get), e.g. two states printed as JSON.
pub fn align_lines(a: &[&str], b: &[&str]) -> Vec<Step> {
    align(a, b)
}

fn diff_arrays(a: &[Value], b: &[Value], path: &mut String, ops: &mut Vec<PatchOp>) {
    let steps = align(a, b);
    // `index` is where the next element sits in the array as patched so far.
    let (mut i, mut j, mut index) = (0, 0, 0);
    let mut k = 0;
    while k < steps.len() {
        let len = push_token(path, &index.to_string());
        match (steps[k], steps.get(k + 1)) {
            (Step::Keep, _) => {
                i += 1;
                j += 1;
                index += 1;
            }
            // A deletion next to an insertion is a change in place: diff the
            // two elements, so an edited object shows its edited field.
            (Step::Delete, Some(Step::Insert)) => {
                diff_into(&a[i], &b[j], path, ops);
                i += 1;
                j += 1;
                index += 1;
                k += 1;
            }
            (Step::Delete, _) => {
                ops.push(PatchOp::Remove {
                    path: path.clone(),
                    old: a[i].clone(),
                });
                i += 1;
            }
            (Step::Insert, _) => {
                ops.push(PatchOp::Add {
                    path: path.clone(),
                    value: b[j].clone(),
                });
                j += 1;
                index += 1;
            }
        }
        path.truncate(len);
        k += 1;
    }
}

/// The edit script from `a` to `b`: an LCS alignment, or for very large
/// arrays, common prefix and suffix with everything between replaced.
fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Step> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut steps = vec![Step::Keep; prefix];
    if mid_a.len().saturating_mul(mid_b.len()) <= LCS_LIMIT {
        steps.extend(lcs_steps(mid_a, mid_b));
    } else {
        let common = mid_a.len().min(mid_b.len());
        for _ in 0..common {
            steps.extend([Step::Delete, Step::Insert]);
        }
        steps.extend(std::iter::repeat_n(Step::Delete, mid_a.len() - common));
        steps.extend(std::iter::repeat_n(Step::Insert, mid_b.len() - common));
    }
    steps.extend(std::iter::repeat_n(Step::Keep, suffix));
    steps
}

fn lcs_steps<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Step> {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: LCS length of a[i..] and b[j..].
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut steps = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            steps.push(Step::Keep);
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[i][j + 1] >= table[i + 1][j]) {
            // Prefer deleting first so a delete and insert pair up as a change.
            if i < n && table[i + 1][j] == table[i][j + 1] {
                steps.push(Step::Delete);
                i += 1;
            } else {
                steps.push(Step::Insert);
                j += 1;
            }
        } else {
            steps.push(Step::Delete);
            i += 1;
        }
    }
    steps
}

/// Appends one RFC 6901 reference token and returns the previous length.
fn push_token(path: &mut String, token: &str) -> usize {
    let len = path.len();
    path.push('/');
    path.push_str(&token.replace('~', "~0").replace('/', "~1"));
    len
}

/// The RFC 6901 tokens of a JSON Pointer.
pub fn pointer_tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("{pointer:?} is not a JSON Pointer: it must start with /"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// Applies a patch made of `add`, `remove` and `replace` operations.
pub fn apply(target: &mut Value, patch: &[PatchOp]) -> Result<(), String> {
    for op in patch {
        let tokens = pointer_tokens(op.path())?;
        let Some((last, parents)) = tokens.split_last() else {
            match op {
                PatchOp::Add { value, .. } | PatchOp::Replace { value, .. } => {
                    *target = value.clone()
                }
                PatchOp::Remove { .. } => *target = Value::Null,
            }
            continue;
        };
        let mut node = &mut *target;
        for token in parents {
            node = match node {
                Value::Object(map) => map.get_mut(token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
                _ => None,
            }
            .ok_or_else(|| format!("{}: no such path", op.path()))?;
        }
        apply_at(node, last, op)?;
    }
    Ok(())
}

fn apply_at(node: &mut Value, token: &str, op: &PatchOp) -> Result<(), String> {
    let missing = || format!("{}: no such path", op.path());
    match (node, op) {
        (Value::Object(map), PatchOp::Add { value, .. } | PatchOp::Replace { value, .. }) => {
            map.insert(token.to_string(), value.clone());
        }
        (Value::Object(map), PatchOp::Remove { .. }) => {
            map.shift_remove(token).ok_or_else(missing)?;
        }
        (Value::Array(items), op) => {
            let index = if token == "-" {
                items.len()
            } else {
                token.parse().map_err(|_| missing())?
            };
            match op {
                PatchOp::Add { value, .. } if index <= items.len() => {
                    items.insert(index, value.clone())
                }
                PatchOp::Replace { value, .. } if index < items.len() => {
                    items[index] = value.clone()
                }
                PatchOp::Remove { .. } if index < items.len() => {
                    items.remove(index);
                }
                _ => return Err(missing()),
            }
        }
        _ => return Err(missing()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(from: Value, to: Value) -> Vec<PatchOp> {
        let patch = diff(&from, &to);
        let mut patched = from.clone();
        apply(&mut patched, &patch).unwrap();
        assert_eq!(patched, to, "patch {patch:?}");
        patch
    }

    #[test]
    fn objects_diff_by_key_with_old_values() {
        let patch = check(
            json!({"a": 1, "b": {"c": 2}, "gone": true}),
            json!({"a": 2, "b": {"c": 2, "d": 3}}),
        );
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!([
                {"op": "replace", "path": "/a", "value": 2, "old": 1},
                {"op": "add", "path": "/b/d", "value": 3},
                {"op": "remove", "path": "/gone", "old": true},
            ])
        );
    }

    #[test]
    fn one_insertion_is_one_add() {
        let patch = check(json!([1, 2, 3, 4]), json!([1, 9, 2, 3, 4]));
        assert_eq!(
            patch,
            vec![PatchOp::Add {
                path: "/1".into(),
                value: json!(9)
            }]
        );
    }

    #[test]
    fn an_edited_element_shows_its_edited_field() {
        let patch = check(
            json!({"items": [{"sku": "A", "q": 1}, {"sku": "B", "q": 1}]}),
            json!({"items": [{"sku": "A", "q": 2}, {"sku": "B", "q": 1}]}),
        );
        assert_eq!(
            patch,
            vec![PatchOp::Replace {
                path: "/items/0/q".into(),
                value: json!(2),
                old: json!(1)
            }]
        );
    }

    #[test]
    fn escapes_pointer_tokens() {
        let patch = check(json!({"a/b": 1, "m~n": 1}), json!({"a/b": 2, "m~n": 2}));
        assert_eq!(patch[0].path(), "/a~1b");
        assert_eq!(patch[1].path(), "/m~0n");
    }

    #[test]
    fn mixed_array_edits_round_trip() {
        check(json!([1, 2, 3, 4, 5]), json!([0, 2, 4, 6]));
        check(json!([]), json!([1, 2]));
        check(json!([1, 2]), json!([]));
        check(json!([[1, 2], {"x": [3]}]), json!([[1], {"x": [3, 4]}, 5]));
        check(json!(1), json!({"a": 1}));
    }
}
