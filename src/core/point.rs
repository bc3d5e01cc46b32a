//! Points in a history, as users name them: a stream version (`42`), a
//! global position (`@1234`), a time (RFC 3339, `2025-03-01 14:00`, or
//! relative like `-2h`), or the latest event. Resolving a point gives the
//! row of the last event at or before it within a scope.

use crate::core::error::StoreError;
use crate::core::store::{EventSource, Scope};
use crate::core::time::{parse_user_time_in, Millis, Zone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    Version(i64),
    Position(i64),
    Time(Millis),
    Latest,
}

impl Point {
    /// Reads `42`, `@1234`, a time, or `latest`/`now`. `now_ms` anchors
    /// relative times.
    pub fn parse(text: &str, now_ms: Millis) -> Result<Point, String> {
        Point::parse_in(text, now_ms, Zone::Utc)
    }

    /// Like [`Point::parse`], reading a time without an offset in `zone`.
    pub fn parse_in(text: &str, now_ms: Millis, zone: Zone) -> Result<Point, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("latest") || text.eq_ignore_ascii_case("now") {
            return Ok(Point::Latest);
        }
        if let Some(position) = text.strip_prefix('@') {
            return position.parse().map(Point::Position).map_err(|_| {
                format!("'{text}' is not a position: write @ and a number, like @1234")
            });
        }
        if let Ok(version) = text.parse::<i64>() {
            return Ok(Point::Version(version));
        }
        parse_user_time_in(text, now_ms, zone)
            .map(Point::Time)
            .ok_or_else(|| {
                format!(
                    "'{text}' is not a point: use a version (42), a position (@1234), \
                 a time (2025-03-01 14:00, RFC 3339) or a relative time (-2h, -3d)"
                )
            })
    }

    /// The row of the last event of `scope` at or before this point; `None`
    /// when the point lies before the scope's first event (a time or a
    /// position earlier than its history: the state there is the
    /// projection's initial state). A version outside the stream, or a
    /// position past the store's newest event, is an error naming the valid
    /// range, never a silent clamp. A version is a stream's own numbering;
    /// on `$all` and categories it reads as a position.
    pub fn resolve(
        self,
        source: &dyn EventSource,
        scope: &Scope,
    ) -> Result<Option<u64>, PointError> {
        if let Point::Position(position) | Point::Version(position) = self {
            if !scope.is_stream() || matches!(self, Point::Position(_)) {
                let head = source.head_position()?;
                if position > head {
                    return Err(PointError::OutOfRange(format!(
                        "@{position} is past the newest event of {}: positions run up to @{head}",
                        source.label()
                    )));
                }
            }
        }
        let count = source.count(scope)?;
        if count == 0 {
            return Ok(None);
        }
        match (self, scope) {
            (Point::Latest, _) => Ok(Some(count - 1)),
            (Point::Version(version), Scope::Stream(stream)) => {
                let first = source
                    .stream_info(stream)?
                    .map_or(0, |info| info.first_version);
                let last = first + count as i64 - 1;
                if version < first || version > last {
                    return Err(PointError::OutOfRange(format!(
                        "{stream} has no version {version}: its versions run from {first} to {last}"
                    )));
                }
                Ok(Some((version - first) as u64))
            }
            (Point::Version(position), _) | (Point::Position(position), _) => {
                Ok(source.row_at_or_before_position(scope, position)?)
            }
            (Point::Time(ms), _) => Ok(source.row_at_or_before_time(scope, ms)?),
        }
    }
}

/// Why a point could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum PointError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A version or position that no event of the scope can have.
    #[error("{0}")]
    OutOfRange(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let now = 1_740_830_400_000; // 2025-03-01T12:00:00Z
        assert_eq!(Point::parse("42", now), Ok(Point::Version(42)));
        assert_eq!(Point::parse("@1234", now), Ok(Point::Position(1234)));
        assert_eq!(Point::parse("latest", now), Ok(Point::Latest));
        assert_eq!(Point::parse("-2h", now), Ok(Point::Time(now - 7_200_000)));
        assert_eq!(
            Point::parse("2025-03-01T12:00:00Z", now),
            Ok(Point::Time(now))
        );
        assert!(Point::parse("@x", now).is_err());
        assert!(Point::parse("tuesday", now)
            .unwrap_err()
            .contains("not a point"));
    }
}
