//! The explorer's state, one sub-state per part of the screen. `App`
//! (`src/tui/app.rs`) holds one of each; `update` changes them; the panes
//! only read them.

pub mod event_view;
pub mod history;
pub mod json_tree;
pub mod jumps;
pub mod playback;
pub mod projection_view;
pub mod settings;
pub mod status;
pub mod streams;
pub mod timeline;
pub mod timeline_filter;

pub use event_view::EventView;
pub use playback::Playback;
pub use projection_view::ProjectionView;
pub use settings::Settings;
pub use status::Status;
pub use streams::{stream_entries, StreamEntry, StreamList};
pub use timeline::{ActiveSearch, Search, Timeline};
