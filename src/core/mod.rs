//! The pure core of Rewind: events, the store, time handling and the demo
//! generator. Nothing here knows about terminals; the CLI and the explorer
//! are both thin layers over it.

pub mod answers;
pub mod cloudevents;
pub mod demo;
pub mod diff;
pub mod error;
pub mod event;
pub mod filter;
pub mod fuzzy;
pub mod hash;
pub mod ndjson;
pub mod paths;
pub mod point;
pub mod prefilter;
pub mod projection;
pub mod sanitize;
pub mod search;
pub mod settings;
pub mod store;
pub mod time;

pub use error::{StoreError, StoreResult};
pub use event::{category_of, Event, ExpectedVersion, NewEvent};
pub use store::{EventSource, Scope, StreamInfo};
