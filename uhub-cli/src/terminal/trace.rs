//! What the CLI does with the SDK's and the registry side's tracing: prints it on stderr with
//! `--debug`.

use std::io::{self, Write};

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::terminal::sanitize;

/// Installs the process's tracing: with `debug`, the events of the SDK, the registry side and
/// the CLI on stderr. Neither library puts secrets in its events, but both quote what servers
/// say (a registry's error text), so every event is written through [`Escaped`]: a server's
/// words reach the terminal as text, never as escape sequences. Colours are off for the same
/// reason (they would be escaped too).
pub fn init(debug: bool) {
    if !debug {
        return;
    }
    let printed = tracing_subscriber::fmt::layer().with_writer(|| Escaped(io::stderr())).with_ansi(false).with_filter(
        Targets::new()
            .with_target("uhub_sdk", Level::DEBUG)
            .with_target("uhub_registry", Level::DEBUG)
            .with_target("uhub", Level::DEBUG),
    );
    let _ = tracing_subscriber::registry().with(printed).try_init();
}

/// A writer that passes text on with every control character but newline and tab escaped
/// ([`sanitize::stdout`], the same pass stdout gets) and every secret masked, by name
/// (`Authorization`, `Basic …`, `Bearer …`, `password`, `token`) and by value (the registry
/// passwords and tokens this process holds). The formatter writes each event whole, so an
/// escape or a secret never falls between two writes.
struct Escaped<W>(W);

impl<W: Write> Write for Escaped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = uhub_registry::redact::mask_secrets(&String::from_utf8_lossy(buf));
        self.0.write_all(sanitize::stdout(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_keeps_lines_and_loses_its_controls() {
        let mut out = Escaped(Vec::new());
        out.write_all("a\u{1b}[2J\tb\u{202e}c\n".as_bytes()).unwrap();
        let written = String::from_utf8(out.0).unwrap();
        assert!(written.ends_with('\n') && written.contains('\t'), "{written:?}");
        assert!(!written.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'), "{written:?}");
    }
}
