//! Reads a page written in markdown, as UCloud publishes them: `# <summary> - <Action>`,
//! `##`/`###` section headings, one `####` heading per data model, `|`-separated tables and
//! fenced examples. The older layout is read too: `# Request Parameters` / `# Response
//! Elements` headings, `|Parameter name|Type|Description|Required|` tables, and one `##
//! <Model>` heading per data model right after the response table.
//!
//! **Tables.** A table's header row says which column is which (name first; `Type`/`类型`;
//! `Description`/`描述`; `Required`/`必填`, which some tables lack: their rows are not
//! required). Tables without a type column (error codes, metrics) are not parameter tables.
//! Cells are split at unescaped pipes and `\|` is read as `|`. A row with more cells than its
//! header has pipes its description did not escape: the first cells are the name and type, the
//! last is the required flag, and everything between is the description, so a parameter is
//! never lost to its description.

use super::page::{
    Page, Row, Section, is_field_name, is_http_request_line, is_type_name, required_flag, section_containing,
    section_named, title_action,
};

/// Whether the text is markdown: some line is a `#` heading or a `|` table row. Page text
/// copied from a rendered site has neither.
pub(super) fn looks_like(text: &str) -> bool {
    text.lines().map(str::trim_start).any(|l| {
        l.starts_with('|') || (l.starts_with('#') && l.trim_start_matches('#').starts_with(char::is_whitespace))
    })
}

/// Splits the page into its sections and tables.
pub(super) fn read(text: &str, problems: &mut Vec<String>) -> Page {
    let mut page = Page::default();
    let mut current = Section::Other;
    let mut model: Option<(usize, String)> = None;
    let mut in_code = false;
    let mut table: Vec<Row> = Vec::new();
    let mut columns: Option<Columns> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (n, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        let number = n + 1;
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code && page.http_call.is_none() && is_http_request_line(line) {
            page.http_call = Some((number, line.to_owned()));
        }
        if in_code || (raw.starts_with("    ") && matches!(current, Section::RequestExample | Section::ResponseExample))
        {
            match current {
                Section::RequestExample => page.request_example.push(line.to_owned()),
                Section::ResponseExample => page.response_example.push(raw.to_string()),
                _ => {}
            }
            continue;
        }
        if let Some(heading) = line.strip_prefix('#') {
            let level = 1 + heading.chars().take_while(|c| *c == '#').count();
            let heading = heading.trim_start_matches('#').trim();
            // The title is the first `#` heading, or, on pages without one, the first heading
            // of the form `<summary> - <Action>`; emphasis around it is not part of it.
            let title = clean(heading);
            if page.title.is_none() && (level == 1 || title_action(&title).is_some()) {
                page.title = Some((number, title));
                // The older layout has no overview heading: its summary follows the title.
                current = Section::Overview;
                continue;
            }
            page.file(current, model.clone(), std::mem::take(&mut table));
            if heading.to_lowercase().contains("response element") {
                page.legacy_layout = true;
            }
            // A heading that is one type name (`BillOverviewItem`, which contains the word
            // "overview") names a data model after the parameter tables; the older layout puts
            // these right after the response table, with no "data model" heading.
            let name = clean(heading);
            let after_tables = matches!(current, Section::Request | Section::Response | Section::Models);
            if level >= 2 && after_tables && is_type_name(&name) && section_named(&name).is_none() {
                current = Section::Models;
                model = Some((number, name));
                continue;
            }
            match section_containing(heading) {
                Some(s) => {
                    current = s;
                    model = None;
                }
                // Inside the data-model section, each further heading names one model.
                None if current == Section::Models && level >= 3 => {
                    model = Some((number, clean(heading)));
                }
                None => current = Section::Other,
            }
            continue;
        }
        if line.starts_with('|') {
            let row_cells = cells(line);
            if is_separator(&row_cells) {
                continue;
            }
            // A header row is the one above the separator row.
            if lines.get(n + 1).is_some_and(|next| next.trim().starts_with('|') && is_separator(&cells(next))) {
                columns = Some(Columns::of(&row_cells));
            } else if let Some(row) = row(&row_cells, columns.as_ref(), number, current, problems) {
                table.push(row);
            }
            continue;
        }
        // Any other line ends a table; the next one brings its own header.
        columns = None;
        if current == Section::Overview && !line.is_empty() {
            page.overview.push(line.to_owned());
        }
    }
    page.file(current, model, table);
    page
}

/// Strips markdown emphasis, code marks and links: `**[*ImageSet*](#ImageSet)**` → `ImageSet`.
fn clean(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match (after.find("]("), after.find(']')) {
            (Some(close), _) if after[close + 2..].contains(')') && !after[..close].contains('[') => {
                out.push_str(&after[..close]);
                let tail = &after[close + 2..];
                rest = &tail[tail.find(')').map_or(0, |p| p + 1)..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(['*', '`'], "").trim().to_owned()
}

/// Which column of a table holds what, from its header row.
#[derive(Debug, Clone, PartialEq)]
struct Columns {
    /// Cells in the header.
    count: usize,
    name: usize,
    ty: Option<usize>,
    description: usize,
    required: Option<usize>,
}

impl Columns {
    /// The columns a header row names.
    fn of(cells: &[String]) -> Columns {
        let titles: Vec<String> = cells.iter().map(|c| clean(c).to_lowercase().replace(' ', "")).collect();
        let find = |names: &[&str]| titles.iter().position(|t| names.contains(&t.as_str()));
        let name = find(&["name", "parametername", "fieldname", "参数名", "字段名", "名称"]).unwrap_or(0);
        let ty = find(&["type", "类型"]);
        let description = find(&["description", "descriptioninformation", "描述", "描述信息", "说明"]);
        let required = find(&["required", "必填", "是否必填", "必选"]);
        // Without a description title, the column after the type, unless that is the flag
        // (then the table has none: `count` is past every cell).
        let description = description
            .or_else(|| ty.map(|t| t + 1).filter(|d| Some(*d) != required))
            .unwrap_or(if required.is_some() { cells.len() } else { 2 });
        Columns { count: cells.len(), name, ty, description, required }
    }
}

/// The layout of a table whose header was not seen: name, type, description, required.
const USUAL: Columns = Columns { count: 4, name: 0, ty: Some(1), description: 2, required: Some(3) };

fn is_separator(cells: &[String]) -> bool {
    cells.iter().all(|c| c.chars().all(|ch| matches!(ch, ':' | '-' | ' ')))
}

/// A table row's cells, split at unescaped pipes, `\|` read as `|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').filter(|i| !i.ends_with('\\')).unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().expect("one cell at least").push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell at least").push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

fn row(
    cells: &[String],
    columns: Option<&Columns>,
    number: usize,
    section: Section,
    problems: &mut Vec<String>,
) -> Option<Row> {
    let columns = columns.unwrap_or(&USUAL);
    let Some(ty_at) = columns.ty else {
        if matches!(section, Section::Request | Section::Response) {
            problems.push(format!("line {number}: the table has no type column; row skipped"));
        }
        return None;
    };
    if cells.len() < columns.count {
        problems.push(format!(
            "line {number}: table row has {} cells, expected {}; skipped",
            cells.len(),
            columns.count
        ));
        return None;
    }
    // Extra cells are pipes the description did not escape: columns after the description
    // are counted from the end.
    let extra = cells.len() - columns.count;
    let described = columns.description < columns.count;
    let at = |i: usize| if described && i > columns.description { i + extra } else { i };
    let description =
        if described { cells[columns.description..=columns.description + extra].join("|") } else { String::new() };
    let name = clean(&cells[at(columns.name)]);
    if !is_field_name(&name) {
        problems.push(format!("line {number}: {name:?} is not a field name; row skipped"));
        return None;
    }
    let required = match columns.required {
        None => false,
        Some(i) => {
            let flag = clean(&cells[at(i)]);
            required_flag(&flag).unwrap_or_else(|| {
                problems.push(format!(
                    "line {number}: {name}: required column {:?} is not Yes or No; taken as No",
                    flag.to_lowercase()
                ));
                false
            })
        }
    };
    Some(Row { line: number, name, ty: clean(&cells[at(ty_at)]), description: clean(&description), required })
}
