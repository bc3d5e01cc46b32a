//! Settings that are not keys or colours: read from `config.toml` in the
//! config directory, then from the environment, and overridden by flags.
//!
//! ```toml
//! # ~/.config/rewind/config.toml
//! snapshot_memory = "512MB"
//! ```

use std::path::{Path, PathBuf};

use crate::core::projection::DEFAULT_SNAPSHOT_MEMORY;

/// The environment variable that sets the snapshot memory budget.
pub const SNAPSHOT_MEMORY_VAR: &str = "REWIND_SNAPSHOT_MEMORY";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The bytes projection snapshots may take in memory, over all scopes.
    pub snapshot_memory: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            snapshot_memory: DEFAULT_SNAPSHOT_MEMORY,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {reason}")]
pub struct SettingsError {
    source_name: String,
    reason: String,
}

impl Settings {
    /// The config file in the user's config directory, then the
    /// environment; the defaults where neither says.
    pub fn load() -> Result<Settings, SettingsError> {
        let mut settings = Settings::from_file(&config_file())?;
        if let Ok(value) = std::env::var(SNAPSHOT_MEMORY_VAR) {
            settings.snapshot_memory = parse_bytes(&value).map_err(|reason| SettingsError {
                source_name: SNAPSHOT_MEMORY_VAR.to_string(),
                reason,
            })?;
        }
        Ok(settings)
    }

    /// The settings a config file gives; the defaults when it is missing.
    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let error = |reason: String| SettingsError {
            source_name: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(error(e.to_string())),
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| error(e.to_string()))?;
        let mut settings = Settings::default();
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("snapshot_memory", toml::Value::String(text)) => {
                    settings.snapshot_memory =
                        parse_bytes(text).map_err(|r| error(format!("snapshot_memory: {r}")))?;
                }
                ("snapshot_memory", toml::Value::Integer(n)) if *n > 0 => {
                    settings.snapshot_memory = *n as usize;
                }
                ("snapshot_memory", _) => {
                    return Err(error(
                        "snapshot_memory: write a size such as \"256MB\"".to_string(),
                    ))
                }
                (other, _) => {
                    return Err(error(format!(
                        "unknown setting '{other}' (known: snapshot_memory)"
                    )))
                }
            }
        }
        Ok(settings)
    }
}

/// Reads a size: `268435456`, `512K`, `256MB`, `1GiB` (K, M and G are
/// powers of 1024, with or without `B` or `iB`).
pub fn parse_bytes(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: usize = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size: write it like 256MB or 1GiB"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("'{text}': unknown unit (use K, M or G)")),
    };
    number
        .checked_mul(1 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("'{text}' is not a usable size"))
}

/// Where the config file lives, for messages and docs.
pub fn config_file() -> PathBuf {
    crate::core::paths::config_dir().join("config.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sizes_with_units() {
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert_eq!(parse_bytes("512K"), Ok(512 << 10));
        assert_eq!(parse_bytes("256MB"), Ok(256 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes(" 2 g "), Ok(2 << 30));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("5TB").is_err());
    }

    #[test]
    fn reads_the_config_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(Settings::from_file(&path).unwrap(), Settings::default());
        std::fs::write(&path, "snapshot_memory = \"64MB\"\n").unwrap();
        assert_eq!(
            Settings::from_file(&path).unwrap().snapshot_memory,
            64 << 20
        );
        std::fs::write(&path, "snapshot_memroy = \"64MB\"\n").unwrap();
        let error = Settings::from_file(&path).unwrap_err().to_string();
        assert!(
            error.contains("unknown setting 'snapshot_memroy'"),
            "{error}"
        );
    }
}
