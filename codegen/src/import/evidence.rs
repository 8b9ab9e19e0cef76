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

/// Whether a response's or model's `...Time` field is a point in time, by the page's own
/// evidence, not by its name: `Ok(why)` when the response example's values under the field
/// are all Unix times or date text (zeros, "not set", aside), or, with no such value, when its
/// description says so (a timestamp, Unix time, a date); `Err(why)` otherwise: an example
/// value that is no time (`3`, `"02:00"`), a description of a duration or an hour of the day
/// (`单位小时`, `时长`, "seconds"), or nothing said at all. Durations and hours keep the
/// page's type, which decodes whatever the service sends.
pub(super) fn time(example: Option<&serde_json::Value>, field: &str, description: &str) -> Result<String, String> {
    let mut values = Vec::new();
    if let Some(example) = example {
        example::values_under(example, field, &mut values);
    }
    let set: Vec<&serde_json::Value> = values.into_iter().filter(|v| !is_unset(v)).collect();
    if let Some(other) = set.iter().find(|v| !looks_like_time(v)) {
        return Err(format!("the response example's value {other} is no Unix time or date"));
    }
    if !set.is_empty() {
        return Ok("the response example's values are Unix times or dates".to_owned());
    }
    let said = description.to_lowercase();
    let marks = |words: &[&'static str]| words.iter().find(|w| said.contains(**w)).copied();
    if let Some(word) = marks(&["时间戳", "timestamp", "unix", "日期", "date", "yyyy"]) {
        return Ok(format!("its description says {word:?}"));
    }
    if let Some(word) = marks(&["时长", "单位", "小时", "周期", "区间", "duration", "second", "minute", "hour", "day"])
    {
        return Err(format!("its description says {word:?}, a duration or an hour"));
    }
    Err("neither its description nor the response example says it is a Unix time or a date".to_owned())
}

/// A value that says "not set" rather than what the field holds: `0`, `""`, `null`.
fn is_unset(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty() || s.trim() == "0",
        serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// Unix seconds or milliseconds (a number from 1e9: September 2001 on), as a number or digits,
/// or date text (`2024-05-01 18:00:00`, `2024/05/01`, RFC 3339).
fn looks_like_time(v: &serde_json::Value) -> bool {
    let unix = |n: f64| n >= 1e9;
    match v {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(unix),
        serde_json::Value::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<f64>() {
                return unix(n);
            }
            let b = s.as_bytes();
            b.len() >= 10
                && b[..4].iter().all(u8::is_ascii_digit)
                && matches!(b[4], b'-' | b'/')
                && b[5..7].iter().all(u8::is_ascii_digit)
                && b[7] == b[4]
                && b[8..10].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::time;

    #[test]
    fn a_time_is_a_time_by_its_example_or_description_never_by_its_name_alone() {
        let example = json!({ "Set": [{ "CreateTime": 1714557600, "BackupBeginTime": 3, "Window": "02:00" }] });
        assert!(time(Some(&example), "CreateTime", "").is_ok());
        let dates = json!({ "ExpireTime": ["2024-05-01 18:00:00", "0", ""] });
        assert!(time(Some(&dates), "ExpireTime", "").is_ok(), "zeros and empty text are not set");
        assert_eq!(
            time(Some(&example), "BackupBeginTime", "备份开始时间，Unix 时间戳"),
            Err("the response example's value 3 is no Unix time or date".to_owned()),
            "the example beats the description"
        );
        assert!(time(Some(&example), "Window", "").is_err());
        assert!(time(None, "ExpireTime", "资源有效期 unix timestamp, 单位秒").is_ok());
        assert_eq!(
            time(None, "BackupBeginTime", "备份开始时间，单位小时计，默认3点"),
            Err("its description says \"单位\", a duration or an hour".to_owned())
        );
        assert!(time(None, "RunTime", "实例运行时长").is_err());
        assert!(time(None, "CreateTime", "创建时间").is_err(), "nothing says which form it takes");
    }
}
