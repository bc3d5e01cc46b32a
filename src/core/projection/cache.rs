//! Snapshots kept on disk between sessions, so that the second look at a
//! long stream starts warm. They live under the user's cache directory,
//! never inside the store: one file per store, projection source and scope,
//! keyed by the store's identity and the projection's source hash, so a
//! changed projection file never meets a stale snapshot. Events are
//! immutable, so a snapshot of a row stays true as the store grows.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::Snapshot;
use crate::core::hash::to_hex;
use crate::core::store::{EventSource, Scope};

/// Larger states are kept in memory only: a cache file should load faster
/// than the replay it saves.
const MAX_STATE_BYTES: usize = 256 * 1024;
/// Format of the files; bump to ignore files written by older builds.
const FORMAT: u32 = 1;

#[derive(Debug, Clone)]
pub struct SnapshotCache {
    dir: PathBuf,
    store: String,
}

impl SnapshotCache {
    /// Snapshots of the store with this identity, under `dir`.
    pub fn new(dir: PathBuf, store_identity: &str) -> Self {
        SnapshotCache {
            dir,
            store: store_identity.to_string(),
        }
    }

    /// The cache of a store in the user's cache directory; `None` for a
    /// store whose history might be rewritten under the same identity.
    pub fn for_source(source: &dyn EventSource) -> Option<Self> {
        source.immutable_history().then(|| {
            SnapshotCache::new(
                crate::core::paths::cache_dir().join("snapshots"),
                &source.identity(),
            )
        })
    }

    fn file(&self, projection_hash: &str, scope: &Scope) -> PathBuf {
        let mut hasher = Sha256::new();
        for part in [self.store.as_str(), projection_hash, &scope.label()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        self.dir
            .join(format!("{}.snapshots", to_hex(&hasher.finalize()[..16])))
    }

    /// The snapshots saved for this projection and scope; none when the
    /// file is missing, from another format, or damaged.
    pub fn load(&self, projection_hash: &str, scope: &Scope) -> BTreeMap<u64, Snapshot> {
        let Ok(file) = fs::File::open(self.file(projection_hash, scope)) else {
            return BTreeMap::new();
        };
        let mut lines = BufReader::new(file).lines();
        let header: Option<Value> = lines
            .next()
            .and_then(Result::ok)
            .and_then(|l| serde_json::from_str(&l).ok());
        let expected = json!({"format": FORMAT, "store": self.store, "projection": projection_hash, "scope": scope.label()});
        if header.as_ref() != Some(&expected) {
            return BTreeMap::new();
        }
        let mut snapshots = BTreeMap::new();
        for line in lines {
            let Some(entry) = line
                .ok()
                .and_then(|l| serde_json::from_str::<Value>(&l).ok())
            else {
                // A torn write: keep what came before it.
                break;
            };
            if let (Some(row), Some(state)) = (entry["row"].as_u64(), entry.get("state")) {
                snapshots.insert(row, state.to_string().into());
            }
        }
        snapshots
    }

    /// Replaces the saved snapshots for this projection and scope. Written
    /// to a temporary file and renamed, so readers never see half a file.
    pub fn save(
        &self,
        projection_hash: &str,
        scope: &Scope,
        snapshots: &BTreeMap<u64, Snapshot>,
    ) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.file(projection_hash, scope);
        let partial = path.with_extension(format!("partial.{}", std::process::id()));
        let mut out = std::io::BufWriter::new(fs::File::create(&partial)?);
        let header = json!({"format": FORMAT, "store": self.store, "projection": projection_hash, "scope": scope.label()});
        writeln!(out, "{header}")?;
        for (row, saved) in snapshots {
            // `saved` is already compact JSON text.
            if saved.len() <= MAX_STATE_BYTES {
                writeln!(out, "{{\"row\":{row},\"state\":{saved}}}")?;
            }
        }
        out.flush()?;
        drop(out);
        fs::rename(&partial, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_by_store_projection_and_scope() {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = SnapshotCache::new(dir.path().to_path_buf(), "store-1");
        let scope = Scope::Stream("a-1".into());
        let snapshots: BTreeMap<u64, Snapshot> =
            [(9, r#"{"n":10}"#.into()), (19, r#"{"n":20}"#.into())].into();
        cache.save("hash-a", &scope, &snapshots).unwrap();
        assert_eq!(cache.load("hash-a", &scope), snapshots);
        assert!(
            cache.load("hash-b", &scope).is_empty(),
            "another projection source"
        );
        assert!(
            cache.load("hash-a", &Scope::All).is_empty(),
            "another scope"
        );
        let other = SnapshotCache::new(dir.path().to_path_buf(), "store-2");
        assert!(other.load("hash-a", &scope).is_empty(), "another store");
    }

    #[test]
    fn a_damaged_file_is_ignored_or_cut_at_the_damage() {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = SnapshotCache::new(dir.path().to_path_buf(), "s");
        let scope = Scope::All;
        let snapshots: BTreeMap<u64, Snapshot> = [(1, "1".into()), (2, "2".into())].into();
        cache.save("h", &scope, &snapshots).unwrap();
        let path = cache.file("h", &scope);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() - 5]).unwrap();
        assert_eq!(cache.load("h", &scope), [(1, Snapshot::from("1"))].into());
        fs::write(&path, "garbage").unwrap();
        assert!(cache.load("h", &scope).is_empty());
    }
}
