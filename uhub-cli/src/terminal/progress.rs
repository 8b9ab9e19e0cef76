//! Progress bars on stderr, drawn only for people at a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when progress is off: callers need not care which.
#[derive(Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    /// Whether to draw: stderr is a terminal, output is a table for people, and no
    /// `--no-progress`.
    pub fn wanted(for_people: bool, no_progress: bool) -> bool {
        for_people && !no_progress && std::io::stderr().is_terminal()
    }

    /// A bar counting `unit` ("tags", "images"), its length set once known.
    pub fn new(enabled: bool, message: impl Into<String>, unit: &str) -> Self {
        if !enabled {
            return Progress(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template = format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}})");
        let style = ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_message(crate::terminal::sanitize::escape(&message.into()).into_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    /// A bar counting bytes (`uhub mirror`), its length grown as work is planned.
    pub fn bytes(enabled: bool, message: impl Into<String>) -> Self {
        if !enabled {
            return Progress(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template = "{msg} [{bar:30}] {bytes}/{total_bytes} ({binary_bytes_per_sec}, {elapsed})";
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_message(crate::terminal::sanitize::escape(&message.into()).into_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    pub fn set_total(&self, total: u64) {
        self.0.set_length(total);
    }

    pub fn add_total(&self, more: u64) {
        self.0.inc_length(more);
    }

    pub fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    /// Prints a line above the bar (or plainly when there is no bar), escaped.
    pub fn println(&self, line: &str) {
        if self.0.is_hidden() {
            crate::terminal::output::note(line);
        } else {
            self.0.println(crate::terminal::sanitize::escape(line));
        }
    }

    /// Removes the bar, leaving the screen as it was.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
