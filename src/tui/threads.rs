//! The explorer's own background threads: their names, and the text of a
//! panic caught on one (shown in a pane instead of ending the session).

/// The text a panic was raised with, when it is text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// True on the explorer's own background threads, whose panics are caught
/// and shown in a pane instead of ending the session.
pub fn is_background_thread() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|name| name.starts_with(THREAD_PREFIX))
}

pub const THREAD_PREFIX: &str = "rewind-";
