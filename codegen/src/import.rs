//! UCloud API pages (markdown, Chinese or English headings) → spec entries.
//!
//! A page has a title line `# <summary> - <Action>`, an overview paragraph, tables of public
//! parameters, request parameters and response fields, one table per data model, and request
//! and response examples. The importer maps what it can and lists what it could not (an
//! unknown type, a model nobody references, a malformed row) instead of guessing.

use serde_json::{Map, Value};

use crate::spec::{Action, Example, Field, Model, Spec};

/// Parameters and fields every page lists that the runtime handles itself.
const ENVELOPE_PARAMS: &[&str] = &["Action", "PublicKey", "Signature", "ProjectId", "SecurityToken"];
const ENVELOPE_FIELDS: &[&str] = &["RetCode", "Action", "Message"];

/// What a page yields: the action, the models it references, and what could not be mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub action: Action,
    pub models: Vec<Model>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    Overview,
    PublicParams,
    Request,
    Response,
    Models,
    RequestExample,
    ResponseExample,
}

fn section(heading: &str) -> Option<Section> {
    let h = heading.to_lowercase();
    let is = |words: &[&str]| words.iter().any(|w| h.contains(w));
    Some(if is(&["请求示例", "request example"]) {
        Section::RequestExample
    } else if is(&["响应示例", "response example"]) {
        Section::ResponseExample
    } else if is(&["公共参数", "public parameter", "common parameter"]) {
        Section::PublicParams
    } else if is(&["请求参数", "request parameter"]) {
        Section::Request
    } else if is(&["响应字段", "response field"]) {
        Section::Response
    } else if is(&["数据模型", "data model"]) {
        Section::Models
    } else if is(&["简介", "overview"]) {
        Section::Overview
    } else {
        return None;
    })
}

/// One table row as written: name, type, description, required.
struct Row {
    line: usize,
    name: String,
    ty: String,
    description: String,
    required: bool,
}

#[derive(Default)]
struct Page {
    title: Option<(usize, String)>,
    overview: Vec<String>,
    public: Vec<Row>,
    request: Option<Vec<Row>>,
    response: Option<Vec<Row>>,
    models: Vec<(usize, String, Vec<Row>)>,
    request_example: Vec<String>,
    response_example: Vec<String>,
}

/// Imports one page.
pub fn import(text: &str) -> Result<Import, String> {
    let mut problems = Vec::new();
    let page = read(text, &mut problems);
    let Some((_, title)) = &page.title else {
        return Err("not an API page: no title line of the form `# <summary> - <Action>`".into());
    };
    let Some(action_name) = title.rsplit(" - ").next().map(str::trim).filter(|n| is_action_name(n)) else {
        return Err(format!("not an API page: the title {title:?} does not end with ` - <Action>`"));
    };
    let (Some(request), Some(response)) = (&page.request, &page.response) else {
        return Err(format!("not an API page: {action_name} has no request-parameter or response-field table"));
    };
    let mut referenced = Vec::new();
    let params = fields(request, "request", ENVELOPE_PARAMS, &mut referenced, &mut problems);
    let outputs = fields(response, "response", ENVELOPE_FIELDS, &mut referenced, &mut problems);
    let mut models = Vec::new();
    // Models may reference further models; walk until no new names appear.
    let mut i = 0;
    while i < referenced.len() {
        let name = referenced[i].clone();
        i += 1;
        match page.models.iter().find(|(_, n, _)| *n == name) {
            Some((_, _, rows)) => {
                let fields = fields(rows, &format!("models.{name}"), &[], &mut referenced, &mut problems);
                models.push(Model { name, description: String::new(), from_string: None, fields });
            }
            None => problems.push(format!("models.{name}: referenced but no table describes it")),
        }
    }
    for (line, name, _) in &page.models {
        if !referenced.contains(name) {
            problems.push(format!("line {line}: model table {name} is not referenced by any field; skipped"));
        }
    }
    let examples = example(&page, &params, &mut problems).into_iter().collect();
    let description = page.overview.join(" ").trim().to_owned();
    let action = Action {
        name: action_name.to_owned(),
        description,
        idempotent: action_name.starts_with("Get") || action_name.starts_with("Describe"),
        request: params,
        response: outputs,
        pagination: None,
        examples,
    };
    Ok(Import { action, models, problems })
}

fn is_action_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Splits the page into its sections and tables.
fn read(text: &str, problems: &mut Vec<String>) -> Page {
    let mut page = Page::default();
    let mut current = Section::Other;
    let mut model: Option<(usize, String)> = None;
    let mut in_code = false;
    let mut table: Vec<Row> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let flush = |page: &mut Page, current: Section, model: &Option<(usize, String)>, table: &mut Vec<Row>| {
        let rows = std::mem::take(table);
        match (current, model) {
            (Section::Request, _) => page.request.get_or_insert_with(Vec::new).extend(rows),
            (Section::Response, _) => page.response.get_or_insert_with(Vec::new).extend(rows),
            (Section::PublicParams, _) => page.public.extend(rows),
            (Section::Models, Some((line, name))) => page.models.push((*line, name.clone(), rows)),
            _ => {}
        }
    };
    for (n, raw) in lines.iter().enumerate() {
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
            flush(&mut page, current, &model, &mut table);
            match section(heading) {
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
    flush(&mut page, current, &model, &mut table);
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
    let required = match clean(cells[3]).to_lowercase().as_str() {
        "yes" | "是" | "true" => true,
        "no" | "否" | "false" | "" => false,
        other => {
            problems.push(format!("line {number}: {name}: required column {other:?} is not Yes or No; taken as No"));
            false
        }
    };
    Some(Row { line: number, name, ty: clean(cells[1]), description: clean(cells[2]), required })
}

fn is_field_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Maps a page type to a spec type; `None` when it cannot be mapped.
fn map_type(ty: &str, referenced: &mut Vec<String>) -> Option<String> {
    let t = ty.trim();
    if let Some(inner) = t.strip_prefix("array[").and_then(|r| r.strip_suffix(']')) {
        return map_type(inner, referenced).filter(|i| !i.starts_with("array[")).map(|i| format!("array[{i}]"));
    }
    match t.to_lowercase().as_str() {
        "string" => Some("string".into()),
        "int" | "integer" | "int64" | "int32" => Some("int".into()),
        "bool" | "boolean" => Some("bool".into()),
        _ if t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            if !referenced.iter().any(|r| r == t) {
                referenced.push(t.to_owned());
            }
            Some(t.to_owned())
        }
        _ => None,
    }
}

fn fields(
    rows: &[Row],
    place: &str,
    skip: &[&str],
    referenced: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for r in rows {
        if skip.contains(&r.name.as_str()) {
            continue;
        }
        if r.name.contains('.') {
            problems.push(format!("line {}: {place}.{}: dotted names are not supported; skipped", r.line, r.name));
            continue;
        }
        if out.iter().any(|f| f.name == r.name) {
            problems.push(format!("line {}: {place}.{} appears twice; the first is kept", r.line, r.name));
            continue;
        }
        let Some(ty) = map_type(&r.ty, referenced) else {
            problems.push(format!("line {}: {place}.{}: unknown type {:?}; skipped", r.line, r.name, r.ty));
            continue;
        };
        out.push(Field {
            name: r.name.clone(),
            ty,
            doc_type: None,
            required: r.required,
            default: None,
            rust_name: None,
            description: r.description.clone(),
        });
    }
    out
}

/// The page's request/response example pair, typed by the imported parameters.
fn example(page: &Page, params: &[Field], problems: &mut Vec<String>) -> Option<Example> {
    if page.response_example.is_empty() {
        return None;
    }
    let body = page.response_example.join("\n");
    let response: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("response example is not JSON ({e}); skipped"));
            return None;
        }
    };
    let mut request = Map::new();
    for line in &page.request_example {
        let pair = line.rsplit_once('?').map_or(line.as_str(), |(_, query)| query).trim_start_matches('&');
        let Some((k, v)) = pair.split_once('=') else { continue };
        if k == "Action" || request.contains_key(k) {
            continue; // pages repeat ProjectId; a client sends each parameter once
        }
        let ty = params.iter().find(|p| p.name == k).map(|p| p.ty.as_str());
        let value = match ty {
            Some("int") => v.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(v)),
            Some("bool") => v.parse::<bool>().map(Value::from).unwrap_or_else(|_| Value::from(v)),
            Some(_) => Value::from(v),
            None if k == "ProjectId" => Value::from(v),
            None => continue,
        };
        request.insert(k.to_owned(), value);
    }
    Some(Example {
        name: "from_page".into(),
        description: "The example the reference page shows.".into(),
        request,
        response,
    })
}

/// Merges an import into a spec. A new action is appended; an existing one keeps what pages do
/// not carry or what we wrote by hand (idempotency, pagination, examples, descriptions, enum
/// and bool types over documented strings, defaults, fields the page lacks) and takes from the
/// page new parameters and fields and changed `required` flags. Returns what changed.
pub fn merge(spec: &mut Spec, import: Import) -> Vec<String> {
    let mut notes = Vec::new();
    for m in import.models {
        match spec.models.iter_mut().find(|e| e.name == m.name) {
            Some(existing) => merge_fields(&mut existing.fields, m.fields, &format!("models.{}", m.name), &mut notes),
            None => {
                notes.push(format!("models.{}: added", m.name));
                spec.models.push(m);
            }
        }
    }
    let a = import.action;
    match spec.actions.iter_mut().find(|e| e.name == a.name) {
        Some(existing) => {
            let place = format!("actions.{}", a.name);
            merge_fields(&mut existing.request, a.request, &format!("{place}.request"), &mut notes);
            merge_fields(&mut existing.response, a.response, &format!("{place}.response"), &mut notes);
            if existing.examples.is_empty() {
                existing.examples = a.examples;
            }
        }
        None => {
            notes.push(format!("actions.{}: added; review its idempotency, pagination and descriptions", a.name));
            spec.actions.push(a);
        }
    }
    notes
}

fn merge_fields(existing: &mut Vec<Field>, page: Vec<Field>, place: &str, notes: &mut Vec<String>) {
    for f in page {
        match existing.iter_mut().find(|e| e.name == f.name) {
            Some(e) => {
                let same_type = e.ty == f.ty
                    || e.doc_type.as_deref() == Some(f.ty.as_str())
                    || (f.ty == "string" && !is_scalar(&e.ty));
                if !same_type {
                    notes.push(format!("{place}.{}: type {} → {}", f.name, e.ty, f.ty));
                    e.ty = f.ty;
                }
                if e.required != f.required {
                    notes.push(format!("{place}.{}: required {} → {}", f.name, e.required, f.required));
                    e.required = f.required;
                }
            }
            None => {
                notes.push(format!("{place}.{}: added", f.name));
                existing.push(f);
            }
        }
    }
}

fn is_scalar(ty: &str) -> bool {
    matches!(ty, "string" | "int" | "bool") || ty.starts_with("array[")
}
