//! Colours. The defaults are `assets/theme.toml`, built into the binary; a
//! user's `theme.toml` in the config directory overrides single entries.
//! With `NO_COLOR` set, every style keeps only its modifiers (bold,
//! reverse), so the explorer stays usable in monochrome.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};
use ratatui::style::{Color, Modifier, Style};

const DEFAULT_THEME: &str = include_str!("../../assets/theme.toml");

#[derive(Debug, Clone)]
pub struct Theme {
    pub border: Style,
    pub focused_border: Style,
    pub title: Style,
    pub selected: Style,
    pub cursor: Style,
    pub dim: Style,
    pub matched: Style,
    pub mark: Style,
    pub json_key: Style,
    pub json_string: Style,
    pub json_number: Style,
    pub json_literal: Style,
    pub changed: Style,
    pub error: Style,
    pub histogram: Style,
    pub status: Style,
}

impl Theme {
    /// The built-in colours, or none at all when `no_color`.
    pub fn defaults(no_color: bool) -> Theme {
        let colours = parse(DEFAULT_THEME).unwrap_or_default();
        Theme::from_colours(&colours, no_color)
    }

    /// The defaults patched by the user's file; `NO_COLOR` is read here.
    pub fn load(config_dir: &Path) -> Result<Theme> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut colours = parse(DEFAULT_THEME)?;
        let path = config_dir.join("theme.toml");
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            let user =
                parse(&text).with_context(|| format!("{}: not a valid theme", path.display()))?;
            colours.extend(user);
        }
        Ok(Theme::from_colours(&colours, no_color))
    }

    fn from_colours(colours: &BTreeMap<String, Color>, no_color: bool) -> Theme {
        let colour = |name: &str| colours.get(name).copied().unwrap_or(Color::Reset);
        let fg = |name: &str, modifier: Modifier| {
            if no_color {
                Style::default().add_modifier(modifier)
            } else {
                Style::default().fg(colour(name)).add_modifier(modifier)
            }
        };
        // Backgrounds carry meaning (selection, cursor, changes): without
        // colour they become reverse video or bold instead.
        let bg = |name: &str, fallback: Modifier| {
            if no_color {
                Style::default().add_modifier(fallback)
            } else {
                Style::default().bg(colour(name))
            }
        };
        let none = Modifier::empty();
        Theme {
            border: fg("border", none),
            focused_border: fg("focused_border", Modifier::BOLD),
            title: fg("title", Modifier::BOLD),
            selected: bg("selected_bg", Modifier::REVERSED),
            cursor: bg("cursor_bg", Modifier::REVERSED),
            dim: fg("dim", none),
            matched: fg("match", Modifier::BOLD | Modifier::UNDERLINED),
            mark: fg("mark", Modifier::BOLD),
            json_key: fg("json_key", none),
            json_string: fg("json_string", none),
            json_number: fg("json_number", none),
            json_literal: fg("json_literal", none),
            changed: bg("changed_bg", Modifier::BOLD | Modifier::UNDERLINED),
            error: fg("error", Modifier::BOLD),
            histogram: fg("histogram", none),
            status: if no_color {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
                    .bg(colour("status_bg"))
                    .fg(colour("status_fg"))
            },
        }
    }
}

fn parse(text: &str) -> Result<BTreeMap<String, Color>> {
    let table: BTreeMap<String, String> = toml::from_str(text)?;
    table
        .into_iter()
        .map(|(name, value)| {
            let colour = Color::from_str(&value)
                .map_err(|_| anyhow!("'{value}' (for {name}) is not a colour"))?;
            Ok((name, colour))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_no_color_strips_colour() {
        assert!(parse(DEFAULT_THEME).is_ok());
        let theme = Theme::defaults(true);
        assert_eq!(theme.json_key.fg, None);
        assert_eq!(theme.selected.bg, None);
        let coloured = Theme::defaults(false);
        assert!(coloured.json_key.fg.is_some());
    }
}
