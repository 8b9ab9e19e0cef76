//! The page's request and response examples as a spec example.
//!
//! The request example is a URL and `&Key=Value` lines. Dotted keys fold into nested values the
//! way the SDK sends them: `Disks.0.Size=20` and `Disks.0.Type=SSD` become
//! `"Disks": [{"Size": 20, "Type": "SSD"}]`, `Ids.1=b` the second item of `Ids`. Each value is
//! typed by the imported parameter it lands in (ints, floats and bools as JSON numbers and
//! booleans). A key given twice keeps its first value (pages repeat `ProjectId`; a client
//! sends each parameter once).

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::context::Context;
use super::dotted;
use crate::spec::{Enum, Example, Field, Model, TypeRef};

/// The name of the example an import takes from its page.
pub(super) const FROM_PAGE: &str = "from_page";

/// The types an example's values are read with: the page's own, then the target spec's.
pub(super) struct Known<'k> {
    pub params: &'k [Field],
    pub models: &'k [Model],
    pub enums: &'k [Enum],
    /// The spec's enums whose values a description of the page listed (see `Builder::listed`).
    pub listed: &'k [String],
    pub ctx: Context<'k>,
}

impl Known<'_> {
    fn model(&self, ty: &TypeRef) -> Option<&Model> {
        let name = ty.name()?;
        self.models.iter().find(|m| m.name == name).or_else(|| self.ctx.model(name))
    }

    fn enumeration(&self, ty: &TypeRef) -> Option<&Enum> {
        let name = ty.name()?;
        self.enums.iter().find(|e| e.name == name).or_else(|| self.ctx.enum_named(name))
    }
}

/// What the examples yield.
#[derive(Debug, Default)]
pub(super) struct Folded {
    pub example: Option<Example>,
    /// Enums the request example gives a value outside of.
    pub off_list: Vec<String>,
}

/// Reads the examples; `envelope` names request keys the runtime sends itself. What does
/// not fit the imported parameters goes to `warnings` and is left out of the example: the
/// table is the API, the example only illustrates it.
pub(super) fn fold(
    request: &[String],
    response: &[String],
    known: &Known,
    envelope: &[&str],
    warnings: &mut Vec<String>,
) -> Folded {
    let problems = warnings;
    let mut folded = Folded::default();
    if response.iter().all(|l| l.trim().is_empty()) {
        return folded;
    }
    let body = response.join("\n");
    // The first JSON document; rendered pages follow it with their footer.
    let response = match serde_json::Deserializer::from_str(&body).into_iter::<Value>().next() {
        Some(Ok(v @ Value::Object(_))) => v,
        Some(Ok(_)) => {
            problems.push("response example is not a JSON object; skipped".into());
            return folded;
        }
        Some(Err(e)) => {
            problems.push(format!("response example is not JSON ({e}); skipped"));
            return folded;
        }
        None => return folded,
    };
    let mut request = request_values(request, known, envelope, &mut folded.off_list, problems);
    let missing: Vec<&str> =
        known.params.iter().filter(|p| p.required && !request.contains_key(&p.name)).map(|p| p.name.as_str()).collect();
    if !request.is_empty() && !missing.is_empty() {
        problems.push(format!(
            "request example: required {} not set; the example keeps only its response",
            missing.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
        ));
        request.clear();
    }
    folded.example = Some(Example {
        name: FROM_PAGE.into(),
        description: "The example the reference page shows.".into(),
        request,
        response,
    });
    folded
}

/// The response example's JSON document, when it has one.
pub(super) fn response_json(lines: &[String]) -> Option<Value> {
    let body = lines.join("\n");
    serde_json::Deserializer::from_str(&body).into_iter::<Value>().next()?.ok()
}

/// Every value the document holds under the key `name`, at any depth; a list's items stand
/// for the list.
pub(super) fn values_under<'v>(doc: &'v Value, name: &str, values: &mut Vec<&'v Value>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::Array(list) if key == name => values.extend(list),
                    _ if key == name => values.push(value),
                    _ => values_under(value, name, values),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| values_under(v, name, values)),
        _ => {}
    }
}

/// A value being built from dotted keys.
enum Slot {
    Empty,
    Value(Value),
    Object(Vec<(String, Slot)>),
    List(BTreeMap<usize, Slot>),
}

/// A request example line's `key=value` (the last one of a URL's query, or a form line).
pub(super) fn pair(line: &str) -> Option<(&str, &str)> {
    line.rsplit_once('?').map_or(line, |(_, query)| query).trim().trim_start_matches('&').split_once('=')
}

fn request_values(
    lines: &[String],
    known: &Known,
    envelope: &[&str],
    off_list: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Map<String, Value> {
    let mut top: Vec<(String, Slot)> = Vec::new();
    for line in lines {
        let Some((key, raw)) = pair(line) else { continue };
        if key.split('.').count() > 2 * dotted::MAX_DEPTH {
            problems.push(format!("request example: {key} nests deeper than any parameter; skipped"));
            continue;
        }
        let mut path = key.split('.');
        let name = path.next().unwrap_or_default();
        let ty = match known.params.iter().find(|p| p.name == name) {
            Some(p) => &p.ty,
            // A common parameter, sent as text.
            None if key == "ProjectId" => &TypeRef::String,
            None if envelope.contains(&key) => continue,
            None => {
                problems.push(format!("request example: {key} is not a request parameter of the page; skipped"));
                continue;
            }
        };
        let rest: Vec<&str> = path.collect();
        if let Err(why) = insert(entry(&mut top, name), ty, &rest, raw, known, off_list) {
            problems.push(format!("request example: {key}={raw}: {why}; skipped"));
        }
    }
    top.into_iter().filter_map(|(k, slot)| Some((k, value(slot)?))).collect()
}

fn entry<'s>(fields: &'s mut Vec<(String, Slot)>, name: &str) -> &'s mut Slot {
    let at = fields.iter().position(|(k, _)| k == name).unwrap_or_else(|| {
        fields.push((name.to_owned(), Slot::Empty));
        fields.len() - 1
    });
    &mut fields[at].1
}

fn insert(
    slot: &mut Slot,
    ty: &TypeRef,
    rest: &[&str],
    raw: &str,
    known: &Known,
    off_list: &mut Vec<String>,
) -> Result<(), String> {
    if let Some(item) = ty.element() {
        let Some((index, rest)) = rest.split_first() else {
            return Err(format!("a list ({ty}) is sent item by item, as `.0`, `.1`, ..."));
        };
        let index: usize = index.parse().map_err(|_| format!("{index:?} is not an item number"))?;
        if let Slot::Empty = slot {
            *slot = Slot::List(BTreeMap::new());
        }
        let Slot::List(items) = slot else { return Err("given both as a list and otherwise".into()) };
        return insert(items.entry(index).or_insert(Slot::Empty), item, rest, raw, known, off_list);
    }
    if let Some(model) = known.model(ty) {
        let Some((name, rest)) = rest.split_first() else {
            return Err(format!("a {ty} is sent field by field, as `.Field`"));
        };
        let Some(field) = model.fields.iter().find(|f| f.name == *name) else {
            return Err(format!("{ty} has no field {name}"));
        };
        if let Slot::Empty = slot {
            *slot = Slot::Object(Vec::new());
        }
        let Slot::Object(fields) = slot else { return Err("given both as an object and otherwise".into()) };
        return insert(entry(fields, name), &field.ty, rest, raw, known, off_list);
    }
    if !rest.is_empty() {
        return Err(format!("a {ty} has no parts"));
    }
    if let Slot::Empty = slot {
        *slot = Slot::Value(scalar(ty, raw, known, off_list)?);
    }
    Ok(())
}

/// One value, typed; an enum's value outside its list is kept as text and recorded.
fn scalar(ty: &TypeRef, raw: &str, known: &Known, off_list: &mut Vec<String>) -> Result<Value, String> {
    Ok(match ty {
        TypeRef::Int => Value::from(raw.parse::<i64>().map_err(|_| "not an int")?),
        TypeRef::Float => match raw.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => raw.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number).ok_or("not a number")?,
        },
        TypeRef::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err("not true or false".into()),
        },
        TypeRef::Time => raw.parse::<i64>().map_or_else(|_| Value::from(raw), Value::from),
        _ => {
            // A value outside a list the page itself gives (its proposal, or the spec's enum of
            // the same values, which another page proposed first) withdraws it for this page;
            // one outside an enum the spec already gives the field is the example's mistake.
            // Whether another page came first must not matter: the merged spec would depend
            // on the order of its pages.
            if let Some(e) = known.enumeration(ty).filter(|e| !e.values.iter().any(|v| v.value == raw)) {
                let pages_own = known.enums.iter().any(|p| p.name == e.name) || known.listed.contains(&e.name);
                if !pages_own {
                    return Err(format!("not a value of enum {}", e.name));
                }
                if !off_list.contains(&e.name) {
                    off_list.push(e.name.clone());
                }
            }
            Value::from(raw)
        }
    })
}

/// The JSON of a slot; parts a skipped key left empty are dropped.
fn value(slot: Slot) -> Option<Value> {
    match slot {
        Slot::Empty => None,
        Slot::Value(v) => Some(v),
        Slot::Object(fields) => {
            let map: Map<String, Value> = fields.into_iter().filter_map(|(k, s)| Some((k, value(s)?))).collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Slot::List(items) => {
            let items: Vec<Value> = items.into_values().filter_map(value).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
    }
}
