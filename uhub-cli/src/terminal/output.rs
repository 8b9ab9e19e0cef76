//! Printing results: a table for people, JSON or JSON lines for programs, names for pipes.
//!
//! Everything reaches the terminal through this module, and through [`crate::terminal::sanitize`] on the
//! way: table cells, notes and errors are escaped, names for pipes are refused when they would
//! not be one line, JSON is kept exact.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::Format;
use crate::terminal::sanitize;

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
            text = names(rows.iter().map(Row::name))?;
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
            names(name.map(str::to_owned))?
        } else {
            match self.format {
                Format::Table => format!("{}\n", sanitize::escape_lines(human)),
                Format::Json => serde_json::to_string_pretty(value)? + "\n",
                Format::Jsonl => serde_json::to_string(value)? + "\n",
            }
        };
        emit(&text)
    }
}

/// Names for `-q`, one per line. A name holding a newline or another control character would
/// break that contract (or act on the terminal), so none is printed and the error names them:
/// a pipe gets all the names or none, never a split one. `-o json` keeps them exact.
pub fn names(names: impl IntoIterator<Item = String>) -> anyhow::Result<String> {
    let names: Vec<String> = names.into_iter().collect();
    let unfit: Vec<String> = names.iter().filter(|n| !sanitize::is_clean(n)).map(|n| format!("{n:?}")).collect();
    if !unfit.is_empty() {
        anyhow::bail!(
            "{} name(s) hold control characters and cannot be printed one per line: {}; \
             nothing was printed (use -o json, which keeps names exact)",
            unfit.len(),
            unfit.join(", ")
        );
    }
    Ok(names.into_iter().map(|n| n + "\n").collect())
}

/// Columns that give up width on a narrow terminal (times and prose). Every other column holds
/// names, digests or numbers, which are never wrapped: a wrapped name cannot be copied.
const SHRINKABLE: &[&str] = &[
    "PUSHED",
    "UPDATED",
    "OLDEST PUSH",
    "NEWEST PUSH",
    "REASON",
    "DESCRIPTION",
    "NEVER PULLED",
    "REQUEST ID / ERROR",
    "SOURCE",
    "TAGS",
];

/// A borderless table, fitted to the terminal's width when stdout is one. Every cell is
/// escaped first, so no server text can act on the terminal and no cut can leave an escape
/// open.
pub fn table(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    let terminal = io::stdout().is_terminal();
    t.set_content_arrangement(if terminal { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
    t.set_header(headers.iter().map(|h| sanitize::escape(h).into_owned()).collect::<Vec<_>>());
    for row in rows {
        t.add_row(row.iter().map(|cell| sanitize::escape(cell).into_owned()).collect::<Vec<_>>());
    }
    if terminal {
        for (column, header) in t.column_iter_mut().zip(headers) {
            if !SHRINKABLE.contains(header) {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
    }
    // Each line starts with the cell padding; people read tables from the left edge.
    let mut text: String = t.lines().map(|l| l.trim_end().strip_prefix(' ').unwrap_or(&l).to_owned() + "\n").collect();
    if text.is_empty() {
        text.push('\n');
    }
    text
}

/// Writes to stdout, with [`sanitize::stdout`]'s last pass; a closed pipe (`uhub tag list | head`) is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let text = sanitize::stdout(text);
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A note for people on stderr (never mixed into stdout, which programs may read); one line,
/// escaped.
pub fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{}", sanitize::escape(text));
}
