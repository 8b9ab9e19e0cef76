//! Reads a page as text copied from a rendered site (SurferCloud's): the title line
//! `<summary> - <Action>` with no `#`, section headings as bare lines (`Request Parameters`),
//! each data model's name as a bare line before its table, and table cells run together
//! with nothing between them: `RepoNamestringImage Repository NameYes`. How such a row is
//! split is part of the importer's documentation (`import` module).

use super::page::{Page, Row, Section, is_type_name, required_flag, section_named};
use super::types::{SCALAR_WORDS, scalar};

/// The title line: `<summary> - <Action>`.
fn is_title(line: &str) -> bool {
    line.trim().rsplit_once(" - ").is_some_and(|(summary, action)| !summary.trim().is_empty() && is_type_name(action))
}

/// A table's header row: `Parameter NameTypeDescription InformationRequired` and the like.
fn is_header(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    ["parameter name", "field name", "参数名", "字段名"].iter().any(|h| l.starts_with(h))
        && (l.contains("type") || l.contains("类型"))
}

/// Model names: bare name lines whose next non-blank line is a table header.
fn model_headings(lines: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| is_type_name(l.trim())) {
        let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
        if next.is_some_and(|n| is_header(n)) {
            names.push(line.trim().to_owned());
        }
    }
    names
}

/// Splits the page into its sections and tables.
pub(super) fn read(text: &str, problems: &mut Vec<String>) -> Page {
    let lines: Vec<&str> = text.lines().collect();
    let mut page = Page::default();
    let Some(title) = lines.iter().position(|l| is_title(l)) else { return page };
    page.title = Some((title + 1, lines[title].trim().to_owned()));
    let mut reader = Reader { models: model_headings(&lines), ..Reader::default() };
    for (n, raw) in lines.iter().enumerate().skip(title + 1) {
        reader.line(&mut page, n + 1, raw, problems);
    }
    reader.end_table(&mut page, problems);
    page
}

#[derive(Default)]
struct Reader {
    models: Vec<String>,
    section: Option<Section>,
    model: Option<(usize, String)>,
    in_table: bool,
    rows: Vec<Row>,
    /// A row read so far whose required flag has not come yet: its first line and text.
    pending: Option<(usize, String)>,
}

impl Reader {
    fn line(&mut self, page: &mut Page, number: usize, raw: &str, problems: &mut Vec<String>) {
        let line = raw.trim();
        let section = self.section.unwrap_or(Section::Other);
        if let Some(s) = section_named(line) {
            self.end_table(page, problems);
            (self.section, self.model) = (Some(s), None);
        } else if section == Section::RequestExample {
            if !line.is_empty() {
                page.request_example.push(line.to_owned());
            }
        } else if section == Section::ResponseExample {
            page.response_example.push(raw.to_owned());
        } else if section == Section::Models && self.models.iter().any(|m| m == line) {
            self.end_table(page, problems);
            self.model = Some((number, line.to_owned()));
        } else if is_header(line) {
            self.end_table(page, problems);
            self.in_table = true;
        } else if self.in_table {
            self.row_line(number, line, problems);
        } else if section == Section::Overview && !line.is_empty() {
            page.overview.push(line.to_owned());
        }
    }

    fn row_line(&mut self, number: usize, line: &str, problems: &mut Vec<String>) {
        if line.is_empty() {
            self.drop_pending(problems);
            return;
        }
        let text = match self.pending.take() {
            // A line that is a whole row starts one, even after an unfinished row.
            Some((start, _)) if split(line, &self.models).is_some() => {
                problems.push(format!("line {start}: table row does not end with Yes or No; skipped"));
                (number, line.to_owned())
            }
            Some((start, mut text)) => {
                text.push_str("<br>");
                text.push_str(line);
                (start, text)
            }
            None => (number, line.to_owned()),
        };
        if flag(&text.1).is_none() {
            self.pending = Some(text);
            return;
        }
        match split(&text.1, &self.models) {
            Some(row) => self.rows.push(Row { line: text.0, ..row }),
            None => problems.push(format!(
                "line {}: cannot split {:?} into a field name, a known type, a description and Yes/No; skipped",
                text.0, text.1
            )),
        }
    }

    fn drop_pending(&mut self, problems: &mut Vec<String>) {
        if let Some((start, _)) = self.pending.take() {
            problems.push(format!("line {start}: table row does not end with Yes or No; skipped"));
        }
    }

    fn end_table(&mut self, page: &mut Page, problems: &mut Vec<String>) {
        self.drop_pending(problems);
        self.in_table = false;
        let rows = std::mem::take(&mut self.rows);
        if !rows.is_empty() || matches!(self.section, Some(Section::Request | Section::Response)) {
            page.file(self.section.unwrap_or(Section::Other), self.model.clone(), rows);
        }
    }
}

/// The required flag at the end of a row, and the text before it.
fn flag(text: &str) -> Option<(bool, &str)> {
    ["Yes", "No", "是", "否"].iter().find_map(|f| {
        let rest = text.strip_suffix(f)?;
        Some((required_flag(f)?, rest))
    })
}

/// One row's cells; `None` when no split fits.
fn split(text: &str, models: &[String]) -> Option<Row> {
    let (required, body) = flag(text)?;
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // Every prefix up to the first character no name has is a name (and ASCII).
    let names_end = body.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))).unwrap_or(body.len());
    let mut best: Option<((bool, bool, usize), Row)> = None;
    for at in 1..=names_end {
        let name = &body[..at];
        for ty in type_words(&body[at..], models) {
            let description = &body[at + ty.len()..];
            let score = (reads_as_description(description), !ends_in_type_word(name), name.len());
            if best.as_ref().is_none_or(|(s, _)| score >= *s) {
                let row = Row {
                    line: 0,
                    name: name.to_owned(),
                    ty: ty.to_owned(),
                    description: description.trim().to_owned(),
                    required,
                };
                best = Some((score, row));
            }
        }
    }
    best.map(|(_, row)| row)
}

/// The type words `rest` starts with.
fn type_words<'r>(rest: &'r str, models: &[String]) -> Vec<&'r str> {
    let known = SCALAR_WORDS.iter().copied().chain(models.iter().map(String::as_str));
    let mut words: Vec<&str> =
        known.filter(|w| !w.is_empty() && rest.starts_with(w)).map(|w| &rest[..w.len()]).collect();
    if let Some(inner) = rest.strip_prefix("array[") {
        if let Some(close) = inner.find(']') {
            let item = &inner[..close];
            if scalar(item).is_some() || is_type_name(item) {
                words.push(&rest[..close + "array[]".len()]);
            }
        }
    }
    words
}

fn reads_as_description(text: &str) -> bool {
    text.chars().next().is_none_or(|c| !(c.is_ascii_lowercase() || c.is_whitespace()))
}

/// `IsSharedbool`: a name followed by a type word, which is more likely a split gone wrong.
/// (`name` is a name, so any non-empty start of it is one too.)
fn ends_in_type_word(name: &str) -> bool {
    SCALAR_WORDS.iter().any(|w| name.len() > w.len() && name.ends_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str, models: &[&str]) -> Option<(String, String, String, bool)> {
        let models: Vec<String> = models.iter().map(|m| m.to_string()).collect();
        split(text, &models).map(|r| (r.name, r.ty, r.description, r.required))
    }

    fn row(name: &str, ty: &str, description: &str, required: bool) -> Option<(String, String, String, bool)> {
        Some((name.into(), ty.into(), description.into(), required))
    }

    #[test]
    fn run_together_cells_split_at_the_type_word() {
        assert_eq!(
            cells("RepoNamestringImage Repository NameYes", &[]),
            row("RepoName", "string", "Image Repository Name", true)
        );
        assert_eq!(cells("TotalCountintYes", &[]), row("TotalCount", "int", "", true));
        assert_eq!(
            cells("ImageSetarray[ImageSet]Image ListYes", &[]),
            row("ImageSet", "array[ImageSet]", "Image List", true)
        );
        assert_eq!(cells("OwnerPersonWho owns itNo", &["Person"]), row("Owner", "Person", "Who owns it", false));
        assert_eq!(cells("Disks.N.SizeintSize in GBYes", &[]), row("Disks.N.Size", "int", "Size in GB", true));
        assert_eq!(cells("Ratiodouble0.5 by defaultNo", &[]), row("Ratio", "double", "0.5 by default", false));
        assert_eq!(cells("Zonestring可用区Yes", &[]), row("Zone", "string", "可用区", true));
    }

    #[test]
    fn ambiguous_splits_prefer_a_description_that_reads_as_one() {
        // `int` inside the name: the description would start in lower case.
        assert_eq!(cells("PrintCountintHow many printsNo", &[]), row("PrintCount", "int", "How many prints", false));
        assert_eq!(cells("EndpointstringWhere to sendNo", &[]), row("Endpoint", "string", "Where to send", false));
        // `integer`, not `int` + "eger...".
        assert_eq!(cells("LimitintegerMost itemsNo", &[]), row("Limit", "integer", "Most items", false));
        // A model named like the start of the description.
        assert_eq!(cells("ImageNamestringImageNo", &["Image"]), row("ImageName", "string", "Image", false));
        // A lower-case description is kept when it is the only split.
        assert_eq!(cells("Limitintmost items per pageNo", &[]), row("Limit", "int", "most items per page", false));
    }

    #[test]
    fn rows_that_do_not_split_are_none() {
        assert_eq!(cells("RepoNamestringImage Repository Name", &[]), None, "no Yes/No");
        assert_eq!(cells("RatiodecimalA ratioNo", &[]), None, "no known type");
        assert_eq!(cells("stringNo", &[]), None, "no name");
    }

    #[test]
    fn a_description_broken_over_lines_is_joined() {
        let text = "Pick - PickThing\nRequest Parameters\nParameter NameTypeDescription InformationRequired\n\
                    KindstringThe kind. Enumeration values:\n> FAST, quick\n> SLOW, thoroughYes\n\
                    Brokenstringno flag here\nNamestringA nameNo\n";
        let mut problems = Vec::new();
        let page = read(text, &mut problems);
        let rows = page.request.unwrap();
        let got: Vec<_> = rows.iter().map(|r| (r.line, r.name.as_str(), r.description.as_str())).collect();
        assert_eq!(
            got,
            [(4, "Kind", "The kind. Enumeration values:<br>> FAST, quick<br>> SLOW, thorough"), (8, "Name", "A name")]
        );
        assert_eq!(problems, ["line 7: table row does not end with Yes or No; skipped"]);
    }
}
