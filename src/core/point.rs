//! Points in a history, as users name them: a stream version (`42`), a
//! global position (`@1234`), a time (RFC 3339, `2025-03-01 14:00`, or
//! relative like `-2h`), or the latest event. Resolving a point gives the
//! row of the last event at or before it within a scope.

use crate::core::error::StoreResult;
use crate::core::store::{EventSource, Scope};
use crate::core::time::{parse_user_time, Millis};

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
        parse_user_time(text, now_ms)
            .map(Point::Time)
            .ok_or_else(|| {
                format!(
                    "'{text}' is not a point: use a version (42), a position (@1234), \
                 a time (2025-03-01 14:00, RFC 3339) or a relative time (-2h, -3d)"
                )
            })
    }

    /// The row of the last event of `scope` at or before this point; `None`
    /// when the point lies before the scope's first event. A version is a
    /// stream's own numbering; on `$all` and categories it reads as a
    /// position.
    pub fn resolve(self, source: &dyn EventSource, scope: &Scope) -> StoreResult<Option<u64>> {
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
                Ok((version >= first).then(|| ((version - first) as u64).min(count - 1)))
            }
            (Point::Version(position), _) | (Point::Position(position), _) => {
                source.row_at_or_before_position(scope, position)
            }
            (Point::Time(ms), _) => source.row_at_or_before_time(scope, ms),
        }
    }
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
