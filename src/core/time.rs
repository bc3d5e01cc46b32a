//! Time handling shared by the store, the CLI and the explorer: every stored
//! time is UTC with millisecond precision, printed as RFC 3339.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// Milliseconds since the Unix epoch, the unit times are stored in.
pub type Millis = i64;

pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

pub fn from_ms(ms: Millis) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `2025-03-01T08:09:09.096Z`: the one format times take in JSON output.
pub fn rfc3339_ms(ms: Millis) -> String {
    from_ms(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 time (any offset), keeping millisecond precision.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

/// Parses the time forms people type: RFC 3339, `2025-03-01 14:00[:05]`,
/// `2025-03-01`, or a relative offset from `now` such as `-2h`, `-15m`,
/// `-3d`, `-30s` or `-1w`. Times without a zone are read as UTC.
pub fn parse_user_time(text: &str, now: Millis) -> Option<Millis> {
    parse_user_time_in(text, now, Zone::Utc)
}

/// The zone a time typed without an offset is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Utc,
    /// The machine's local zone (`TZ`, else the system's).
    Local,
}

impl Zone {
    /// How a prompt names it: `UTC`, or the local zone's name or offset.
    pub fn describe(self, at: Millis) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Local => {
                let offset = from_ms(at).with_timezone(&chrono::Local).format("%:z");
                match std::env::var("TZ") {
                    Ok(name) if !name.is_empty() => format!("local time, {name} {offset}"),
                    _ => format!("local time, UTC{offset}"),
                }
            }
        }
    }
}

/// Like [`parse_user_time`], reading a time without an offset in `zone`.
pub fn parse_user_time_in(text: &str, now: Millis, zone: Zone) -> Option<Millis> {
    let text = text.trim();
    if let Some(ms) = parse_rfc3339(text) {
        return Some(ms);
    }
    if let Some(ms) = parse_relative(text, now) {
        return Some(ms);
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return in_zone(t, zone);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| in_zone(t, zone))
}

/// A wall-clock time in `zone`; in a repeated hour (a clock set back),
/// its first occurrence.
fn in_zone(t: NaiveDateTime, zone: Zone) -> Option<Millis> {
    match zone {
        Zone::Utc => Some(t.and_utc().timestamp_millis()),
        Zone::Local => chrono::Local
            .from_local_datetime(&t)
            .earliest()
            .map(|t| t.timestamp_millis()),
    }
}

fn parse_relative(text: &str, now: Millis) -> Option<Millis> {
    let rest = text.strip_prefix('-')?;
    let unit = rest.chars().last()?;
    let amount: i64 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let span = match unit {
        's' => Duration::try_seconds(amount)?,
        'm' => Duration::try_minutes(amount)?,
        'h' => Duration::try_hours(amount)?,
        'd' => Duration::try_days(amount)?,
        'w' => Duration::try_weeks(amount)?,
        _ => return None,
    };
    now.checked_sub(span.num_milliseconds())
}

/// A short human age such as `3m`, `2h`, `5d` or `1y`, for timelines.
pub fn relative_age(ms: Millis, now: Millis) -> String {
    let secs = (now - ms) / 1000;
    let (value, unit) = match secs.abs() {
        s if s < 60 => (s, "s"),
        s if s < 3_600 => (s / 60, "m"),
        s if s < 86_400 => (s / 3_600, "h"),
        s if s < 86_400 * 365 => (s / 86_400, "d"),
        s => (s / (86_400 * 365), "y"),
    };
    if secs < 0 {
        format!("in {value}{unit}")
    } else {
        format!("{value}{unit}")
    }
}

/// A count with thousands separators: 1,000,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_and_z() {
        let ms = parse_rfc3339("2025-03-01T08:09:09.096Z").unwrap();
        assert_eq!(rfc3339_ms(ms), "2025-03-01T08:09:09.096Z");
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let ms = parse_rfc3339("2025-03-01T10:09:09.096+02:00").unwrap();
        assert_eq!(rfc3339_ms(ms), "2025-03-01T08:09:09.096Z");
    }

    #[test]
    fn parses_typed_times() {
        let now = parse_rfc3339("2025-03-01T12:00:00Z").unwrap();
        let at = |s| parse_user_time(s, now).map(rfc3339_ms);
        assert_eq!(at("2025-03-01 14:00").unwrap(), "2025-03-01T14:00:00.000Z");
        assert_eq!(at("2025-03-01").unwrap(), "2025-03-01T00:00:00.000Z");
        assert_eq!(at("-2h").unwrap(), "2025-03-01T10:00:00.000Z");
        assert_eq!(at("-3d").unwrap(), "2025-02-26T12:00:00.000Z");
        assert!(at("yesterday-ish").is_none());
        assert!(at("-").is_none());
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(relative_age(0, 90_000), "1m");
        assert_eq!(relative_age(0, 7_200_000), "2h");
        assert_eq!(relative_age(10_000, 0), "in 10s");
    }
}
