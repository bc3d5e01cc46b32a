//! The hash chain that makes history verifiable like a git log: each event's
//! hash is SHA-256 over the previous event's hash and a canonical encoding of
//! the event. Every field is length-prefixed, so no two different events can
//! encode to the same bytes.

use sha2::{Digest, Sha256};

use crate::core::event::Event;
use crate::core::time::rfc3339_ms;

pub type Hash = [u8; 32];

/// The "previous hash" of the first event.
pub const GENESIS: Hash = [0u8; 32];

pub fn chain(previous: &Hash, event: &Event) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    let (position, version) = (event.position.to_string(), event.version.to_string());
    let (schema, time) = (event.schema_version.to_string(), rfc3339_ms(event.time_ms));
    let fields: [&[u8]; 9] = [
        position.as_bytes(),
        event.id.as_bytes(),
        event.stream.as_bytes(),
        version.as_bytes(),
        event.event_type.as_bytes(),
        schema.as_bytes(),
        event.data.as_bytes(),
        event.metadata.as_bytes(),
        time.as_bytes(),
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field);
    }
    hasher.finalize().into()
}

pub fn to_hex(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}
