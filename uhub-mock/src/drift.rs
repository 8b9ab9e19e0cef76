//! Drift mode: the shapes the reference pages' own examples show, which differ from their
//! field tables and which real responses also use.
//!
//! Applied to a documented response body: totals become strings, times numbers, the text
//! flags `"true"`/`"false"` JSON booleans, and repository lists plain names.

use serde_json::Value;

/// Rewrites a documented response body into its drifted shape.
pub(crate) fn drift(body: &mut Value) {
    let Value::Object(map) = body else { return };
    for (key, value) in map.iter_mut() {
        match (key.as_str(), &*value) {
            ("TotalCount", Value::Number(n)) => *value = Value::String(n.to_string()),
            ("RepoSet", Value::Array(items)) => {
                *value = Value::Array(items.iter().map(|item| item["RepoName"].clone()).collect());
            }
            (_, Value::Array(_)) => {
                if let Value::Array(items) = value {
                    items.iter_mut().for_each(drift_item);
                }
            }
            _ => {}
        }
    }
}

fn drift_item(item: &mut Value) {
    let Value::Object(map) = item else { return };
    for (key, value) in map.iter_mut() {
        let Value::String(text) = &*value else { continue };
        if key.ends_with("Time") {
            if let Ok(secs) = text.parse::<i64>() {
                *value = Value::from(secs);
            }
        } else if key.starts_with("Is") && (text == "true" || text == "false") {
            *value = Value::Bool(text == "true");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drifts_totals_times_flags_and_repo_lists() {
        let mut tags = json!({"RetCode": 0, "TotalCount": 2, "TagSet": [
            {"TagName": "v1", "UpdateTime": "1714557600", "IsShared": "true"}]});
        drift(&mut tags);
        assert_eq!(
            tags,
            json!({"RetCode": 0, "TotalCount": "2", "TagSet": [
                {"TagName": "v1", "UpdateTime": 1714557600, "IsShared": true}]})
        );
        let mut repos = json!({"TotalCount": 1, "RepoSet": [{"RepoName": "web", "IsShared": "false"}]});
        drift(&mut repos);
        assert_eq!(repos, json!({"TotalCount": "1", "RepoSet": ["web"]}));
    }
}
