//! Reads a page written in markdown, as UCloud publishes them: `# <summary> - <Action>`,
//! `##`/`###` section headings, one `####` heading per data model, `|`-separated tables and
//! fenced examples.

use super::page::{Page, Row, Section, is_field_name, required_flag, section_containing};

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
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let number = n + 1;
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
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
            if level == 1 && page.title.is_none() {
                page.title = Some((number, heading.to_owned()));
                continue;
            }
            page.file(current, model.clone(), std::mem::take(&mut table));
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
            if let Some(row) = row(line, number, problems) {
                table.push(row);
            }
            continue;
        }
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

fn row(line: &str, number: usize, problems: &mut Vec<String>) -> Option<Row> {
    let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
    if cells.iter().all(|c| c.chars().all(|ch| matches!(ch, ':' | '-' | ' '))) {
        return None; // the separator row
    }
    if cells.len() != 4 {
        problems.push(format!("line {number}: table row has {} cells, expected 4; skipped", cells.len()));
        return None;
    }
    let name = clean(cells[0]);
    // The header row names its columns; the type column says so in either language.
    if matches!(clean(cells[1]).to_lowercase().as_str(), "type" | "类型") {
        return None;
    }
    if !is_field_name(&name) {
        problems.push(format!("line {number}: {name:?} is not a field name; row skipped"));
        return None;
    }
    let required = required_flag(&clean(cells[3])).unwrap_or_else(|| {
        problems.push(format!(
            "line {number}: {name}: required column {:?} is not Yes or No; taken as No",
            clean(cells[3]).to_lowercase()
        ));
        false
    });
    Some(Row { line: number, name, ty: clean(cells[1]), description: clean(cells[2]), required })
}
