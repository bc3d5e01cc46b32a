//! Everything the CLI prints goes through [`Out`]: on a terminal, text is
//! sanitised and JSON has its dangerous characters escaped; into files and
//! pipes, bytes are written exactly.

use std::io::{self, BufWriter, IsTerminal, Write};

use crate::core::sanitize::{json_for_terminal, visible};

pub struct Out {
    writer: BufWriter<Box<dyn Write>>,
    terminal: bool,
}

impl Out {
    pub fn stdout() -> Self {
        let terminal = io::stdout().is_terminal();
        Out {
            writer: BufWriter::new(Box::new(io::stdout().lock())),
            terminal,
        }
    }

    /// Into memory, at most `buffer`'s cap (the MCP server's answers).
    pub fn memory(buffer: Buffer) -> Self {
        Out {
            writer: BufWriter::new(Box::new(buffer)),
            terminal: false,
        }
    }

    pub fn file(file: std::fs::File) -> Self {
        Out {
            writer: BufWriter::new(Box::new(file)),
            terminal: false,
        }
    }

    /// A line of text that may hold event content.
    pub fn text(&mut self, line: &str) -> io::Result<()> {
        if self.terminal {
            writeln!(self.writer, "{}", visible(line))
        } else {
            writeln!(self.writer, "{line}")
        }
    }

    /// A line of JSON text.
    pub fn json(&mut self, line: &str) -> io::Result<()> {
        if self.terminal {
            writeln!(self.writer, "{}", json_for_terminal(line))
        } else {
            writeln!(self.writer, "{line}")
        }
    }

    /// Part of a line of JSON: whole tokens or values, so that one long
    /// line (a wide state) is written as it is made, never held whole.
    pub fn json_part(&mut self, part: &str) -> io::Result<()> {
        if self.terminal {
            write!(self.writer, "{}", json_for_terminal(part))
        } else {
            write!(self.writer, "{part}")
        }
    }

    /// Pushes what was written so far to the reader (live follow).
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Bytes written to memory, shared with whoever reads them back; writing
/// past `cap` bytes fails, so an answer too big to hand over is never
/// held whole.
#[derive(Clone)]
pub struct Buffer {
    bytes: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    cap: usize,
}

impl Buffer {
    pub fn with_cap(cap: usize) -> Buffer {
        Buffer {
            bytes: Default::default(),
            cap,
        }
    }

    /// What was written.
    pub fn take(&self) -> Vec<u8> {
        self.bytes
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut bytes = self
            .bytes
            .lock()
            .map_err(|_| io::Error::other("the answer's buffer was poisoned"))?;
        if bytes.len() + data.len() > self.cap {
            return Err(io::Error::other(format!(
                "the answer is larger than {} KB",
                self.cap / 1024
            )));
        }
        bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Prints an error and its causes on one line: `what: because: because`.
pub fn error_chain(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for (i, cause) in error.chain().enumerate() {
        if i > 0 {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
    }
    // Rewind's own messages break lines on purpose ("...\nnothing was
    // imported"); every line is still sanitised, so bytes from events,
    // projections and stores inside a message stay visible escapes.
    text.split('\n')
        .map(|line| visible(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n  ")
}

pub use crate::core::time::thousands;

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
