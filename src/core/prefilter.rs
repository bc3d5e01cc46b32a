//! What an event's stored text must contain for a search to possibly
//! match it: a test a backend can run where the events are (in SQL),
//! without decoding each event, before the exact [`Matcher`] decides.
//!
//! A prefilter never loses a match: every event the matcher accepts
//! passes it (a test against real SQLite checks this). It may let through
//! events the matcher then refuses. Where that cannot be promised (a
//! needle that a writer could have escaped in JSON, say) the prefilter
//! says less, down to nothing at all.

use crate::core::search::{Matcher, Op};

/// Clauses that must all hold; no clause: every event passes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefilter {
    pub clauses: Vec<Clause>,
}

/// Tests of which at least one must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub any: Vec<Test>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub column: Column,
    pub needle: Needle,
}

/// The stored text an event has, as its backends keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Type,
    Stream,
    Data,
    Metadata,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needle {
    /// The column contains this text, ASCII letters in either case (SQL's
    /// `LIKE '%text%'`); other characters exactly.
    Contains(String),
    /// The column is this text.
    Equals(String),
}

/// Non-ASCII letters whose lower case holds an ASCII letter: the Kelvin
/// sign lowers to `k`, the dotted capital I to `i` and a combining dot.
/// A case-insensitive text search for `k` must let them through too.
const LOWERING_TO_ASCII: [(char, char); 2] = [('k', '\u{212A}'), ('i', '\u{130}')];

impl Prefilter {
    /// Every event passes.
    pub fn none() -> Prefilter {
        Prefilter::default()
    }

    pub fn is_none(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Events of exactly this type.
    pub fn event_type(name: &str) -> Prefilter {
        Prefilter::one(vec![Test::equals(Column::Type, name)])
    }

    /// Events of one of these types; every event when none is given.
    pub fn event_types(names: &[String]) -> Prefilter {
        if names.is_empty() {
            return Prefilter::none();
        }
        let any = names
            .iter()
            .map(|name| Test::equals(Column::Type, name))
            .collect();
        Prefilter::one(any)
    }

    /// Events that pass both.
    pub fn and(mut self, other: Prefilter) -> Prefilter {
        self.clauses.extend(other.clauses);
        self
    }

    /// Events whose metadata may carry this correlation id: it must appear
    /// in the metadata's text as written.
    pub fn correlation(id: &str) -> Prefilter {
        if !verbatim_in_json(id) {
            return Prefilter::none();
        }
        Prefilter {
            clauses: vec![json_text(Column::Metadata, id)],
        }
    }

    /// What an event must contain for `matcher` to accept it.
    pub fn of(matcher: &Matcher) -> Prefilter {
        match matcher {
            Matcher::Text(text) => text_prefilter(text),
            Matcher::Field { tokens, op, value } => field_prefilter(tokens, *op, value),
        }
    }

    fn one(any: Vec<Test>) -> Prefilter {
        Prefilter {
            clauses: vec![Clause { any }],
        }
    }
}

impl Test {
    fn contains(column: Column, text: &str) -> Test {
        Test {
            column,
            needle: Needle::Contains(text.to_string()),
        }
    }

    fn equals(column: Column, text: &str) -> Test {
        Test {
            column,
            needle: Needle::Equals(text.to_string()),
        }
    }
}

/// Text anywhere in the type, data, metadata or stream, in any case.
fn text_prefilter(lowered: &str) -> Prefilter {
    // LIKE folds ASCII letters only; a needle with other letters is left
    // to the exact matcher.
    if !lowered.is_ascii() {
        return Prefilter::none();
    }
    let columns = [Column::Type, Column::Data, Column::Metadata, Column::Stream];
    let mut any: Vec<Test> = columns
        .iter()
        .map(|&column| Test::contains(column, lowered))
        .collect();
    for (ascii, letter) in LOWERING_TO_ASCII {
        if lowered.contains(ascii) {
            let letter = letter.to_string();
            any.extend(
                columns
                    .iter()
                    .map(|&column| Test::contains(column, &letter)),
            );
        }
    }
    Prefilter::one(any)
}

fn field_prefilter(tokens: &[String], op: Op, value: &str) -> Prefilter {
    let Some((head, rest)) = tokens.split_first() else {
        return Prefilter::none();
    };
    let (column, path) = match head.as_str() {
        "data" => (Column::Data, rest),
        "metadata" => (Column::Metadata, rest),
        "type" if rest.is_empty() && op == Op::Eq => return Prefilter::event_type(value),
        "stream" if rest.is_empty() && op == Op::Eq => {
            return Prefilter::one(vec![Test::equals(Column::Stream, value)])
        }
        "type" | "stream" | "id" => return Prefilter::none(),
        // A bare field name searches the data.
        _ => (Column::Data, tokens),
    };
    let mut clauses = Vec::new();
    // A missing field meets no condition, so the field's name is there.
    if let Some(name) = path.iter().rev().find(|t| is_key_name(t)) {
        clauses.push(json_text(column, &format!("\"{name}\"")));
    }
    // Equal to a scalar: its text is in the JSON as written (numbers keep
    // their digits); an object or array might be spaced differently.
    let scalar = !value.is_empty() && !value.starts_with(['{', '[']);
    if op == Op::Eq && scalar && verbatim_in_json(value) {
        clauses.push(json_text(column, value));
    }
    Prefilter { clauses }
}

/// `text` in a JSON column, or an escape that could spell it otherwise.
fn json_text(column: Column, text: &str) -> Clause {
    Clause {
        any: vec![Test::contains(column, text), Test::contains(column, "\\u")],
    }
}

/// A name an object key must be spelled with (an array index may be one).
fn is_key_name(token: &str) -> bool {
    !token.is_empty() && !token.bytes().all(|b| b.is_ascii_digit()) && verbatim_in_json(token)
}

/// True when JSON can spell `text` only as itself or with a `\u` escape:
/// printable ASCII without the characters that have short escapes.
fn verbatim_in_json(text: &str) -> bool {
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(query: &str) -> Prefilter {
        Prefilter::of(&Matcher::parse(query).expect("query"))
    }

    #[test]
    fn text_looks_in_every_column() {
        let p = of("Frozen");
        assert_eq!(p.clauses.len(), 1);
        assert_eq!(p.clauses[0].any.len(), 4);
        assert!(p.clauses[0]
            .any
            .iter()
            .all(|t| t.needle == Needle::Contains("frozen".into())));
        // `k` may also be spelled with the Kelvin sign.
        assert_eq!(of("kept").clauses[0].any.len(), 8);
        assert_eq!(of("kelvin").clauses[0].any.len(), 12);
        assert!(of("café").is_none());
    }

    #[test]
    fn fields_need_their_name_and_value() {
        let p = of("/data/amount=500");
        assert_eq!(p.clauses.len(), 2);
        assert_eq!(
            p.clauses[0].any[0],
            Test::contains(Column::Data, "\"amount\"")
        );
        assert_eq!(p.clauses[1].any[0], Test::contains(Column::Data, "500"));
        let p = of("metadata.actor!=atm-456");
        assert_eq!(p.clauses.len(), 1);
        assert_eq!(p.clauses[0].any[0].column, Column::Metadata);
        assert_eq!(
            of("/data/items/0").clauses[0].any[0].needle,
            Needle::Contains("\"items\"".into())
        );
        assert_eq!(
            of("type=AccountOpened"),
            Prefilter::event_type("AccountOpened")
        );
        assert!(of("id=abc").is_none());
        assert_eq!(of("/data/note=a/b").clauses.len(), 1);
    }
}
