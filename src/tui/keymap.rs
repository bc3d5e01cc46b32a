//! Keys to commands. The defaults are `assets/keymap.toml`, built into the
//! binary; a user's `keymap.toml` in the config directory replaces the keys
//! of each action it names.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Command;
use super::overlay::Mode;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// One key with its modifiers, normalised so that `G` and `shift-g` and
/// crossterm's `BackTab` with or without Shift compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Key {
        Key::normalised(event.code, event.modifiers)
    }

    fn normalised(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        // Shift is already in the character (or implied by BackTab).
        if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Key { code, modifiers }
    }

    pub fn parse(text: &str) -> Option<Key> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("shift-")
                .filter(|r| r.chars().count() > 1)
            {
                modifiers |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            c => {
                let mut chars = c.chars();
                let (Some(c), None) = (chars.next(), chars.next()) else {
                    return None;
                };
                KeyCode::Char(c)
            }
        };
        if code == KeyCode::BackTab || (code == KeyCode::Tab && modifiers == KeyModifiers::SHIFT) {
            return Some(Key::normalised(KeyCode::BackTab, KeyModifiers::NONE));
        }
        Some(Key::normalised(code, modifiers))
    }

    /// The key as the help screen and status bar show it.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            out.push_str("shift-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::Enter => out.push_str("enter"),
            KeyCode::Esc => out.push_str("esc"),
            KeyCode::Tab => out.push_str("tab"),
            KeyCode::BackTab => out.push_str("shift-tab"),
            KeyCode::Up => out.push('↑'),
            KeyCode::Down => out.push('↓'),
            KeyCode::Left => out.push('←'),
            KeyCode::Right => out.push('→'),
            KeyCode::PageUp => out.push_str("pgup"),
            KeyCode::PageDown => out.push_str("pgdn"),
            KeyCode::Home => out.push_str("home"),
            KeyCode::End => out.push_str("end"),
            KeyCode::Backspace => out.push_str("backspace"),
            KeyCode::Delete => out.push_str("delete"),
            KeyCode::F(n) => out.push_str(&format!("f{n}")),
            other => out.push_str(&format!("{other:?}")),
        }
        out
    }
}

/// One mode's bindings.
#[derive(Debug, Clone, Default)]
struct Table {
    bindings: HashMap<Key, Command>,
    /// Per command, its keys in file order, for the help screen.
    keys: BTreeMap<usize, Vec<Key>>,
}

impl Table {
    /// Binds `keys` to `command`, instead of the keys it had; a key moves
    /// to its newest command.
    fn bind(&mut self, command: Command, keys: Vec<Key>) {
        let index = command_index(command);
        if let Some(old) = self.keys.remove(&index) {
            for key in old {
                self.bindings.remove(&key);
            }
        }
        for key in &keys {
            if let Some(previous) = self.bindings.insert(*key, command) {
                if let Some(list) = self.keys.get_mut(&command_index(previous)) {
                    list.retain(|k| k != key);
                }
            }
        }
        self.keys.insert(index, keys);
    }
}

/// The bindings in force, one table per mode.
#[derive(Debug, Clone)]
pub struct Keymap {
    tables: BTreeMap<Mode, Table>,
}

impl Keymap {
    /// The built-in defaults alone.
    pub fn defaults() -> Keymap {
        let mut keymap = Keymap {
            tables: BTreeMap::new(),
        };
        // The embedded file is part of the build; tests keep it valid.
        if let Err(error) = keymap.patch(DEFAULT_KEYMAP) {
            debug_assert!(false, "the built-in keymap is broken: {error}");
        }
        keymap
    }

    /// The defaults patched by the user's file, when it exists.
    pub fn load(config_dir: &Path) -> Result<Keymap> {
        let mut keymap = Keymap::defaults();
        let path = config_dir.join("keymap.toml");
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            keymap
                .patch(&text)
                .with_context(|| format!("{}: not a valid keymap", path.display()))?;
        }
        Ok(keymap)
    }

    /// Replaces the keys of every action named in `text`: at its top
    /// level the explorer's, in a table (`[picker]`) that mode's.
    pub fn patch(&mut self, text: &str) -> Result<()> {
        let file: toml::Table = toml::from_str(text)?;
        for (name, value) in file {
            match value {
                toml::Value::Table(table) => {
                    let mode = Mode::ALL
                        .into_iter()
                        .find(|m| m.table() == name && *m != Mode::Explorer)
                        .ok_or_else(|| anyhow!("[{name}] is not a mode: {}", mode_names()))?;
                    for (action, keys) in table {
                        self.patch_one(mode, &action, &keys)?;
                    }
                }
                keys => self.patch_one(Mode::Explorer, &name, &keys)?,
            }
        }
        Ok(())
    }

    fn patch_one(&mut self, mode: Mode, name: &str, keys: &toml::Value) -> Result<()> {
        let place = match mode {
            Mode::Explorer => String::new(),
            other => format!(" in [{}]", other.table()),
        };
        let command: Command = toml::Value::String(name.to_string())
            .try_into()
            .ok()
            .filter(|c| mode.commands().contains(c))
            .ok_or_else(|| anyhow!("'{name}' is not an action{place}"))?;
        let keys: Vec<String> = keys
            .clone()
            .try_into()
            .map_err(|_| anyhow!("'{name}'{place}: give a list of keys, e.g. [\"x\"]"))?;
        let parsed = keys
            .iter()
            .map(|k| Key::parse(k).ok_or_else(|| anyhow!("'{k}' (for {name}{place}) is not a key")))
            .collect::<Result<Vec<_>>>()?;
        self.tables.entry(mode).or_default().bind(command, parsed);
        Ok(())
    }

    /// The command `event` stands for in `mode`. A key held with Shift
    /// that is bound only without it (Shift-Enter) means the same.
    pub fn command_in(&self, mode: Mode, event: &KeyEvent) -> Option<Command> {
        let bindings = &self.tables.get(&mode)?.bindings;
        let key = Key::from_event(event);
        bindings.get(&key).copied().or_else(|| {
            let unshifted = Key::normalised(event.code, event.modifiers - KeyModifiers::SHIFT);
            (unshifted != key)
                .then(|| bindings.get(&unshifted).copied())
                .flatten()
        })
    }

    /// The explorer's command for `event`.
    pub fn command_for(&self, event: &KeyEvent) -> Option<Command> {
        self.command_in(Mode::Explorer, event)
    }

    /// The keys bound to `command` in `mode`, as labels.
    pub fn keys_in(&self, mode: Mode, command: Command) -> Vec<String> {
        self.tables
            .get(&mode)
            .and_then(|table| table.keys.get(&command_index(command)))
            .map(|keys| keys.iter().map(Key::label).collect())
            .unwrap_or_default()
    }

    /// The explorer's keys for `command`.
    pub fn keys_for(&self, command: Command) -> Vec<String> {
        self.keys_in(Mode::Explorer, command)
    }

    /// The first key of `command` in `mode`, for short hints.
    pub fn hint_in(&self, mode: Mode, command: Command) -> String {
        self.keys_in(mode, command)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// The first explorer key of `command`.
    pub fn hint(&self, command: Command) -> String {
        self.hint_in(Mode::Explorer, command)
    }
}

fn mode_names() -> String {
    let names: Vec<String> = Mode::ALL
        .iter()
        .filter(|m| **m != Mode::Explorer)
        .map(|m| format!("[{}]", m.table()))
        .collect();
    format!("the modes are {}", names.join(", "))
}

fn command_index(command: Command) -> usize {
    Command::ALL
        .iter()
        .position(|c| *c == command)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        let mut event = KeyEvent::new(code, modifiers);
        event.kind = KeyEventKind::Press;
        event
    }

    #[test]
    fn every_command_of_every_mode_has_a_default_key() {
        let keymap = Keymap::defaults();
        for mode in Mode::ALL {
            for command in mode.commands() {
                assert!(
                    !keymap.keys_in(mode, *command).is_empty(),
                    "{command:?} has no key in {mode:?}"
                );
            }
        }
    }

    #[test]
    fn each_mode_has_its_own_table() {
        let mut keymap = Keymap::defaults();
        let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(keymap.command_for(&space), Some(Command::PlayPause));
        assert_eq!(
            keymap.command_in(Mode::Picker, &space),
            Some(Command::Toggle)
        );
        // Rebinding play leaves the picker's toggle alone, and the other way.
        keymap
            .patch("play_pause = [\"p\"]\n[picker]\ntoggle = [\"x\"]")
            .unwrap();
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(keymap.command_in(Mode::Picker, &x), Some(Command::Toggle));
        assert_eq!(keymap.command_in(Mode::Picker, &space), None);
        assert_eq!(keymap.command_for(&space), None);
        assert_eq!(keymap.hint_in(Mode::Picker, Command::Toggle), "x");
        let error = keymap.patch("[picker]\ndiff = [\"d\"]").unwrap_err();
        assert!(error.to_string().contains("in [picker]"), "{error}");
        assert!(keymap.patch("[nonsense]\nquit = [\"q\"]").is_err());
    }

    #[test]
    fn shifted_letters_and_backtab_match() {
        let keymap = Keymap::defaults();
        let g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(keymap.command_for(&g), Some(Command::Last));
        let back = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(keymap.command_for(&back), Some(Command::FocusPrevious));
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.command_for(&ctrl_c), Some(Command::Quit));
    }

    #[test]
    fn a_key_held_with_shift_means_the_key_when_only_that_is_bound() {
        let keymap = Keymap::defaults();
        let shift_enter = press(KeyCode::Enter, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.command_in(Mode::Prompt, &shift_enter),
            Some(Command::Confirm)
        );
        assert_eq!(
            keymap.command_in(Mode::Report, &shift_enter),
            Some(Command::Confirm)
        );
    }

    #[test]
    fn user_file_replaces_only_what_it_names() {
        let mut keymap = Keymap::defaults();
        keymap.patch("quit = [\"x\"]\nfollow = [\"q\"]").unwrap();
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(keymap.command_for(&q), Some(Command::Follow));
        assert_eq!(keymap.command_for(&x), Some(Command::Quit));
        assert_eq!(keymap.keys_for(Command::Help), vec!["?"]);
        assert!(keymap.patch("nonsense = [\"z\"]").is_err());
        assert!(keymap.patch("quit = [\"notakey\"]").is_err());
    }
}
