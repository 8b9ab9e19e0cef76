//! Printing results: a table for people, JSON or JSON lines for programs, names for pipes.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::Format;

/// One row of a listing, as each output format shows it.
pub trait Row: Serialize {
    /// Column titles of the table.
    fn headers() -> &'static [&'static str];
    /// The row's cells, in the order of [`Row::headers`].
    fn cells(&self) -> Vec<String>;
    /// What `-q` prints: the thing's name, ready for the next command.
    fn name(&self) -> String;
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub quiet: bool,
}

impl Output {
    /// `-o` if given; otherwise a table on a terminal and JSON elsewhere (ucloud-cli's rule).
    pub fn new(format: Option<Format>, quiet: bool) -> Self {
        let format = format.unwrap_or(if io::stdout().is_terminal() { Format::Table } else { Format::Json });
        Output { format, quiet }
    }

    /// Whether people, not programs, read stdout.
    pub fn for_people(&self) -> bool {
        self.format == Format::Table && !self.quiet
    }

    /// Prints a listing.
    pub fn list<T: Row>(&self, rows: &[T]) -> anyhow::Result<()> {
        let mut text = String::new();
        if self.quiet {
            for row in rows {
                text.push_str(&row.name());
                text.push('\n');
            }
        } else {
            match self.format {
                Format::Table => text = table(T::headers(), rows.iter().map(Row::cells)),
                Format::Json => text = serde_json::to_string_pretty(rows)? + "\n",
                Format::Jsonl => {
                    for row in rows {
                        text.push_str(&serde_json::to_string(row)?);
                        text.push('\n');
                    }
                }
            }
        }
        emit(&text)
    }

    /// Prints one result: `human` on a table, the value as JSON otherwise, `name` with `-q`.
    pub fn object<T: Serialize>(&self, value: &T, human: &str, name: Option<&str>) -> anyhow::Result<()> {
        let text = if self.quiet {
            name.map(|n| format!("{n}\n")).unwrap_or_default()
        } else {
            match self.format {
                Format::Table => format!("{human}\n"),
                Format::Json => serde_json::to_string_pretty(value)? + "\n",
                Format::Jsonl => serde_json::to_string(value)? + "\n",
            }
        };
        emit(&text)
    }
}

/// A borderless table, fitted to the terminal's width when stdout is one.
pub fn table(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    t.set_content_arrangement(if io::stdout().is_terminal() {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    t.set_header(headers.to_vec());
    for row in rows {
        t.add_row(row);
    }
    // Each line starts with the cell padding; people read tables from the left edge.
    let mut text: String = t.lines().map(|l| l.trim_end().strip_prefix(' ').unwrap_or(&l).to_owned() + "\n").collect();
    if text.is_empty() {
        text.push('\n');
    }
    text
}

/// Writes to stdout; a closed pipe (`uhub tag list | head`) is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A note for people on stderr (never mixed into stdout, which programs may read).
pub fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}
