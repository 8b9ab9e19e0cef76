//! What a reader finds on a page, whatever its format: the title, the sections and their table
//! rows, as written. Nothing here is mapped to spec types yet.

/// The parts of an API page, named by their headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Other,
    Overview,
    PublicParams,
    Request,
    Response,
    Models,
    RequestExample,
    ResponseExample,
}

/// Heading words in both languages, most specific first ("request example" before "request").
const HEADINGS: &[(&[&str], Section)] = &[
    (&["请求示例", "request example", "example request"], Section::RequestExample),
    (&["响应示例", "response example", "example response"], Section::ResponseExample),
    (&["公共参数", "public parameter", "common parameter"], Section::PublicParams),
    (&["请求参数", "request parameter"], Section::Request),
    // `Response Elements` is the older layout's heading.
    (&["响应字段", "response field", "response element"], Section::Response),
    (&["数据模型", "data model"], Section::Models),
    (&["简介", "overview"], Section::Overview),
];

/// Headings that start a part the importer does not read (so text under them is not taken
/// for the part before).
const OTHER_HEADINGS: &[&str] = &["definition", "定义", "example", "examples", "示例", "使用方法"];

/// The section a markdown heading starts, matched on the words it contains.
pub(super) fn section_containing(heading: &str) -> Option<Section> {
    let h = heading.to_lowercase();
    HEADINGS.iter().find(|(words, _)| words.iter().any(|w| h.contains(w))).map(|(_, s)| *s)
}

/// The section a bare line of page text starts: the whole line must be a heading (`Request
/// Parameters`, `Response Field`), since any sentence may contain the words.
pub(super) fn section_named(line: &str) -> Option<Section> {
    // Singular or plural: `Response Field` and `Response Fields` are the same heading.
    let stem = |s: &str| s.strip_suffix('s').unwrap_or(s).to_owned();
    let h = stem(&line.trim().to_lowercase());
    let is = |words: &[&str]| words.iter().any(|w| stem(w) == h);
    HEADINGS
        .iter()
        .find(|(words, _)| is(words))
        .map(|(_, s)| *s)
        .or_else(|| is(OTHER_HEADINGS).then_some(Section::Other))
}

/// One table row as written: name, type, description, required.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    pub line: usize,
    pub name: String,
    pub ty: String,
    pub description: String,
    pub required: bool,
}

/// A data-model table: the line of its heading, its name and its rows.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ModelTable {
    pub line: usize,
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Default)]
pub(super) struct Page {
    /// The title line's number and text, `<summary> - <Action>`.
    pub title: Option<(usize, String)>,
    pub overview: Vec<String>,
    pub request: Option<Vec<Row>>,
    pub response: Option<Vec<Row>>,
    pub models: Vec<ModelTable>,
    /// The request example's lines: a URL, then `&Key=Value` lines.
    pub request_example: Vec<String>,
    /// The response example's text: a JSON document, maybe followed by page furniture.
    pub response_example: Vec<String>,
    /// The first HTTP request line of a code block (`PUT /<key_name> HTTP/1.1`), with its line
    /// number: the page documents a REST call of object storage, not an `Action=` call.
    pub http_call: Option<(usize, String)>,
    /// Laid out in the older template (`# Response Elements` and its tables), which UCloud
    /// superseded: when an action also has a page in today's layout, that one is current.
    pub legacy_layout: bool,
}

impl Page {
    /// Files finished rows under the section they were read in.
    pub fn file(&mut self, section: Section, model: Option<(usize, String)>, rows: Vec<Row>) {
        match (section, model) {
            (Section::Request, _) => self.request.get_or_insert_with(Vec::new).extend(rows),
            (Section::Response, _) => self.response.get_or_insert_with(Vec::new).extend(rows),
            (Section::Models, Some((line, name))) => self.models.push(ModelTable { line, name, rows }),
            _ => {}
        }
    }
}

/// Whether a line is an HTTP request line: a method, a path, and `HTTP/<version>` (which some
/// pages leave out).
pub(super) fn is_http_request_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default();
    let path = words.next().unwrap_or_default();
    let version = words.next();
    ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"].contains(&method)
        && path.starts_with('/')
        && version.is_none_or(|v| v.starts_with("HTTP/"))
        && words.next().is_none()
}

/// Splits a title into its summary and action: `<summary> - <Action>`, and the older form
/// `<summary>-<Action>` with no spaces around the dash. `None` when it ends in no action name.
pub(super) fn title_action(title: &str) -> Option<(&str, &str)> {
    let (summary, action) = title.trim().rsplit_once(['-', '－', '–', '—'])?;
    let action = action.trim();
    (is_type_name(action) && !summary.trim().is_empty()).then_some((summary.trim(), action))
}

/// Whether `s` can name a parameter or field, dots included (`Disks.N.Size`).
pub(super) fn is_field_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Whether `s` can name an action or a model: an ASCII capital, then letters and digits.
pub(super) fn is_type_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The required column: `Yes`/`No` in either language; `None` when it is neither.
pub(super) fn required_flag(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "是" | "true" => Some(true),
        "no" | "否" | "false" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_headings_match_whole_lines_only() {
        assert_eq!(section_named("Request Parameters"), Some(Section::Request));
        assert_eq!(section_named("Response Field"), Some(Section::Response));
        assert_eq!(section_named("Response Fields"), Some(Section::Response));
        assert_eq!(section_named("Data Model"), Some(Section::Models));
        assert_eq!(section_named("Example"), Some(Section::Other));
        assert_eq!(section_named("请求示例"), Some(Section::RequestExample));
        assert_eq!(section_named("See the request parameters below"), None);
    }
}
