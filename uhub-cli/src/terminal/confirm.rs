//! Asking before destroying: on a terminal a prompt; elsewhere `--yes` or nothing happens.
//!
//! The prompt is written to stderr, so it shows what and why even when stdout is piped. Input
//! typed before the question (a `y` pressed during a slow listing) is discarded, so only an
//! answer to this question counts. Large deletions ask the user to type a name instead of `y`.

use std::io::{self, BufRead, IsTerminal, Write};

use crate::{exit, terminal::sanitize};

/// How many items a prompt lists before summarising the rest.
const SHOWN: usize = 20;

/// Deleting more tags than this asks the user to type a name rather than `y`.
pub const TYPE_NAME_OVER: usize = 50;

/// One question before a destructive action.
pub struct Ask<'a> {
    /// "delete 3 tag(s) from 1 image(s)".
    pub question: String,
    /// What is deleted and why, one line each.
    pub items: &'a [String],
    /// Text the user must type to go ahead, instead of `y` (a repository's name).
    pub type_to_confirm: Option<String>,
}

/// Refuses early, before any request, when no one can be asked and `--yes` was not given.
pub fn can_ask(yes: bool, what: &str) -> anyhow::Result<()> {
    if yes || (io::stdin().is_terminal() && io::stderr().is_terminal()) {
        return Ok(());
    }
    Err(exit::usage(format!(
        "refusing to {what} without confirmation: there is no terminal to ask on; \
         check the plan, then run the same command with --yes"
    )))
}

/// Goes ahead when `yes`, or when a person at the terminal answers the question after seeing
/// the items. Declining is [`exit::Status::Declined`].
pub async fn confirm(yes: bool, ask: Ask<'_>) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    can_ask(false, &ask.question)?;
    let mut err = io::stderr().lock();
    for item in ask.items.iter().take(SHOWN) {
        writeln!(err, "  {}", sanitize::escape(item))?;
    }
    if ask.items.len() > SHOWN {
        writeln!(err, "  ... and {} more", ask.items.len() - SHOWN)?;
    }
    discard_type_ahead();
    match &ask.type_to_confirm {
        None => write!(err, "{}? [y/N] ", sanitize::escape(&capitalised(&ask.question)))?,
        Some(name) => write!(
            err,
            "{}? Type {} to confirm: ",
            sanitize::escape(&capitalised(&ask.question)),
            sanitize::escape(name)
        )?,
    }
    err.flush()?;
    drop(err);
    // Read on a blocking thread, so that Ctrl-C (handled on the runtime) still ends the command.
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await??;
    let accepted = match &ask.type_to_confirm {
        None => matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
        Some(name) => answer.trim() == name,
    };
    if accepted { Ok(()) } else { Err(exit::declined("not confirmed; nothing was changed")) }
}

/// Drops whatever was typed at the terminal and not read yet.
#[cfg(unix)]
fn discard_type_ahead() {
    // SAFETY: tcflush only acts on the descriptor's terminal queue; an error (stdin is not a
    // terminal) changes nothing.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
}

#[cfg(not(unix))]
fn discard_type_ahead() {}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
