//! Event data is untrusted: a payload may carry escape sequences that would
//! recolour, clear or retitle the user's terminal, write to the clipboard
//! (OSC 52), or bidi and zero-width characters that make text lie about
//! itself. Everything Rewind shows on a terminal goes through here first.

use std::borrow::Cow;

/// True for characters that must never reach a terminal as themselves:
/// C0 and C1 controls, DEL, bidi embeddings, overrides and isolates,
/// zero-width and other invisible format characters, and non-characters.
pub fn is_dangerous(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}'                      // soft hyphen
        | '\u{61c}'                     // Arabic letter mark
        | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' // Hangul fillers
        | '\u{180e}'                    // Mongolian vowel separator
        | '\u{200b}'..='\u{200f}'       // zero-width, LRM, RLM
        | '\u{2028}' | '\u{2029}'       // line and paragraph separators
        | '\u{202a}'..='\u{202e}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}'       // word joiner, invisible operators, isolates
        | '\u{feff}'                    // zero-width no-break space
        | '\u{fff9}'..='\u{fffb}'       // interlinear annotations
        | '\u{fffe}' | '\u{ffff}'
        | '\u{e0000}'..='\u{e007f}'     // tag characters
    )
}

/// Text safe to draw: every dangerous character becomes a visible escape
/// such as `\u{1b}`. Tabs become a space so columns stay aligned.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text safe to print on a terminal with the same meaning: inside
/// strings, dangerous characters become `\uXXXX` escapes; between tokens,
/// tabs and carriage returns become spaces. A pipe to `jq` still reads the
/// same values.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| c != '\n' && is_dangerous(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if is_dangerous(c) {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
                continue;
            }
            out.push(c);
        } else {
            match c {
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                '\n' => out.push(c),
                c if is_dangerous(c) => out.push(' '),
                c => out.push(c),
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(visible("account-42 ✓ 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_become_visible() {
        assert_eq!(visible("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(visible("\u{1b}]52;c;aGk=\u{7}"), "\\u{1b}]52;c;aGk=\\u{7}");
        assert_eq!(visible("x\ry\u{8}"), "x\\u{d}y\\u{8}");
        assert_eq!(visible("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(visible("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(visible("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(visible("tag\u{e0041}"), "tag\\u{e0041}");
    }

    #[test]
    fn json_keeps_its_meaning() {
        let raw = "{\"a\":\"x\u{202e}y\u{9b}\u{e0041}\"}";
        let safe = json_for_terminal(raw);
        assert!(!safe.chars().any(is_dangerous));
        let before: serde_json::Value = serde_json::from_str(raw).unwrap();
        let after: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(before, after);
        let spaced = "[1,\t2,\r\n\"a\\\"\u{1b}\"]";
        let safe = json_for_terminal(spaced);
        assert!(
            !safe.chars().any(|c| c != '\n' && is_dangerous(c)),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::json!([1, 2, "a\"\u{1b}"]));
    }
}
