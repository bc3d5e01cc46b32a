//! Where Rewind keeps what it derives (demo stores, projection snapshots)
//! and where users keep their settings: never inside a store.

use std::env;
use std::path::PathBuf;

/// `$XDG_CACHE_HOME/rewind`, `~/.cache/rewind`, or a folder under the
/// system's temporary directory when there is no home.
pub fn cache_dir() -> PathBuf {
    base_dir("XDG_CACHE_HOME", ".cache").join("rewind")
}

/// `$XDG_CONFIG_HOME/rewind` or `~/.config/rewind`.
pub fn config_dir() -> PathBuf {
    base_dir("XDG_CONFIG_HOME", ".config").join("rewind")
}

/// `$XDG_DATA_HOME/rewind` or `~/.local/share/rewind`: what Rewind keeps
/// for its user between sessions (the prompts' history).
pub fn data_dir() -> PathBuf {
    base_dir("XDG_DATA_HOME", ".local/share").join("rewind")
}

fn base_dir(variable: &str, fallback: &str) -> PathBuf {
    if let Some(dir) = env::var_os(variable).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join(fallback),
        None => env::temp_dir(),
    }
}
