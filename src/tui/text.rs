//! Turning untrusted text into cells: every string passes through
//! [`visible`] (so escapes never reach the terminal) and is cut by display
//! width (so CJK and emoji keep columns aligned).

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

use crate::core::sanitize::{is_dangerous, visible};

/// Longest piece of one value laid out; the rest is summarised.
pub const MAX_VALUE_CHARS: usize = 400;

/// `text` made safe, cut to `width` display cells (with `…` when cut) and
/// padded with spaces to exactly `width`.
pub fn fit(text: &str, width: usize) -> String {
    let safe = visible(text);
    let mut out = String::new();
    let mut used = 0;
    let total: usize = safe.chars().map(|c| c.width().unwrap_or(0)).sum();
    let limit = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for c in safe.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > limit {
            break;
        }
        used += w;
        out.push(c);
    }
    if total > width && width > 0 {
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// At most `max` chars of `text`, with a note of how much was left out, so
/// a 5 MB value costs no more to lay out than a short one.
pub fn clip_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text.len() - cut;
            format!("{}… (+{rest} bytes)", &text[..cut])
        }
    }
}

/// Spans for `text` with the chars at `positions` (char indices into the
/// original text, as the fuzzy matcher reports them) in `highlight`.
/// Dangerous chars become visible escapes, highlighted as a whole.
pub fn highlighted(
    text: &str,
    positions: &[usize],
    base: Style,
    highlight: Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_highlighted = false;
    let mut next = positions.iter().peekable();
    for (index, c) in text.chars().enumerate() {
        let is_match = next.peek() == Some(&&index);
        if is_match {
            next.next();
        }
        if is_match != run_highlighted && !run.is_empty() {
            let style = if run_highlighted { highlight } else { base };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_highlighted = is_match;
        if c == '\t' {
            run.push(' ');
        } else if is_dangerous(c) {
            run.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        spans.push(Span::styled(
            run,
            if run_highlighted { highlight } else { base },
        ));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        // Each of these is two cells wide.
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("\u{1b}[2J", 12), "\\u{1b}[2J   ");
    }

    #[test]
    fn clip_is_bounded() {
        let big = "x".repeat(5_000_000);
        let clipped = clip_chars(&big, 10);
        assert!(clipped.starts_with("xxxxxxxxxx…"));
        assert!(clipped.len() < 40);
    }

    #[test]
    fn highlight_escapes_dangerous_chars() {
        let spans = highlighted("a\u{1b}b", &[2], Style::default(), Style::default());
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "a\\u{1b}b");
    }
}
