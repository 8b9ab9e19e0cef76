//! What a page's vague types stand for, by the page's own evidence: a bare `array` (of
//! what?), an `object` (which table?), and a reference spelled otherwise than its table. Each
//! answer comes with the reason a `note:` line gives; no evidence, no answer.

use std::collections::BTreeSet;

use super::example;
use super::page::{ModelTable, Page, Row};
use super::types;

/// What a bare `array` or `object` row is, by the page's own evidence: the one data-model
/// table its description names; the table named like the field itself; else, for a response
/// or model field, what the response example holds under that name — objects whose keys are
/// (mostly, ignoring case) one table's fields, or (for a list) all strings, ints, numbers or
/// bools. `None` when nothing says.
pub(super) fn evidence(
    tables: &[ModelTable],
    example: Option<&serde_json::Value>,
    row: &Row,
    request: bool,
    object: bool,
) -> Option<(String, String)> {
    if let Some(table) = element_named_in(&row.description, tables) {
        return Some((table.to_owned(), format!("its description names the table {table}")));
    }
    let field = row.name.rsplit('.').next()?;
    if let Some(table) = tables.iter().find(|t| key(&t.name) == key(field)) {
        return Some((table.name.clone(), format!("the table {} has its name", table.name)));
    }
    if request {
        return None;
    }
    let mut items = Vec::new();
    example::values_under(example?, field, &mut items);
    let why = if object { "the response example's values" } else { "the response example's items" };
    let all = |pred: fn(&serde_json::Value) -> bool| !items.is_empty() && items.iter().all(|v| pred(v));
    // An object is a table or nothing; a list may hold scalars.
    if !object {
        for (pred, ty, what) in SCALAR_ITEMS {
            if all(pred) {
                return Some((ty.into(), format!("{why} are {what}")));
            }
        }
    }
    if !all(serde_json::Value::is_object) {
        return None;
    }
    let keys: BTreeSet<String> =
        items.iter().filter_map(|v| v.as_object()).flat_map(|o| o.keys()).map(|k| key(k)).collect();
    // The table holding most of the keys, if it holds more than half of them and no other
    // table holds as many.
    let overlap = |t: &ModelTable| t.rows.iter().filter(|r| keys.contains(&key(&r.name))).count();
    let best = tables.iter().map(overlap).max()?;
    let mut winners = tables.iter().filter(|t| overlap(t) == best);
    let table = winners.next()?;
    (2 * best > keys.len() && winners.next().is_none())
        .then(|| (table.name.clone(), format!("{why} have the fields of the table {}", table.name)))
}

/// What a list's example items may all be: a test, the spec type, how a note says it.
type ScalarItems = (fn(&serde_json::Value) -> bool, &'static str, &'static str);

const SCALAR_ITEMS: [ScalarItems; 4] = [
    (serde_json::Value::is_string, "string", "strings"),
    (serde_json::Value::is_i64, "int", "ints"),
    (serde_json::Value::is_number, "float", "numbers"),
    (serde_json::Value::is_boolean, "bool", "bools"),
];

/// The one bare `array` or `object` row of the page that [`evidence`] cannot explain, paired
/// with the one data-model table no row refers to, when there is exactly one of each.
pub(super) fn orphan(page: &Page, example: Option<&serde_json::Value>) -> Option<(usize, String)> {
    let tables = &page.models[..];
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let mut unexplained = Vec::new();
    let rows = page.request.iter().flatten().map(|r| (r, true));
    let rows = rows.chain(page.response.iter().flatten().map(|r| (r, false)));
    let rows = rows.chain(tables.iter().flat_map(|t| &t.rows).map(|r| (r, false)));
    for (row, request) in rows {
        match row.ty.trim().to_lowercase().as_str() {
            vague @ ("array" | "object") => match evidence(tables, example, row, request, vague == "object") {
                Some((ty, _)) => drop(claimed.insert(ty)),
                None => unexplained.push(row.line),
            },
            _ => {
                let mut referenced = Vec::new();
                types::map(&row.ty, &mut referenced, &|w| resolve(tables, w));
                claimed.extend(referenced);
            }
        }
    }
    let mut orphans = tables.iter().filter(|t| !claimed.contains(&t.name));
    match (unexplained.as_slice(), orphans.next(), orphans.next()) {
        ([line], Some(table), None) => Some((*line, table.name.clone())),
        _ => None,
    }
}

/// A name as compared loosely: ASCII letters and digits, lower-cased.
fn key(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

/// The one data-model table of the page whose name the description mentions as a word
/// (`获取的Binlog信息列表 UDBInstanceBinlogSet`, `参见 FirewallInfo`); `None` for none or several.
fn element_named_in<'t>(description: &str, tables: &'t [ModelTable]) -> Option<&'t str> {
    let words: BTreeSet<&str> = description.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let mut named = tables.iter().filter(|t| words.contains(t.name.as_str())).map(|t| t.name.as_str());
    let first = named.next()?;
    named.all(|n| n == first).then_some(first)
}

/// The page's table a type word refers to: the table of that name, else the one table whose
/// name is spelled the same but for case and `_`/`-` (`[*IpInfo*](#IPInfo)` over a table
/// `IPInfo`); else the word as written.
pub(super) fn resolve(tables: &[ModelTable], word: &str) -> String {
    if tables.iter().any(|t| t.name == word) {
        return word.to_owned();
    }
    let mut alike = tables.iter().filter(|t| key(&t.name) == key(word));
    match (alike.next(), alike.next()) {
        (Some(t), None) => t.name.clone(),
        _ => word.to_owned(),
    }
}
