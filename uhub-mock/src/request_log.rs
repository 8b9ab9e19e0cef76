//! What the mock remembers of each request, for tests to inspect, within fixed bounds.
//!
//! The mock runs in CI beside programs that may send anything, so the log is bounded three
//! ways: at most [`LOG_CAPACITY`] records, at most [`LOG_MAX_BYTES`] in all, and each record
//! at most [`LOG_MAX_FIELDS`] fields whose names and values are at most
//! [`LOG_VALUE_MAX_BYTES`] each. Secrets a request carries (`Signature`, `SecurityToken`) are
//! never kept.

use std::collections::VecDeque;

use uhub_sdk::runtime::Fields;

/// How many requests the log keeps (the oldest are dropped first).
pub const LOG_CAPACITY: usize = 10_000;

/// How many bytes the log's records may hold in all (the oldest are dropped first). A record
/// counts the bytes of its texts plus a fixed overhead for itself and each field; at about
/// 800 bytes for a typical SDK request, [`LOG_CAPACITY`] of them fit with room to spare.
pub const LOG_MAX_BYTES: usize = 16 << 20;

/// The longest action, field name or value kept whole. A longer one is kept as its first
/// `LOG_VALUE_MAX_BYTES` bytes (cut back to a character boundary) followed by
/// `…[truncated: N bytes]`, N being its full length. UHub's own values are far shorter.
pub const LOG_VALUE_MAX_BYTES: usize = 1024;

/// How many fields of one request the log keeps: the first ones by name. The SDK sends about
/// ten; the count of the others is [`RequestRecord::omitted_fields`].
pub const LOG_MAX_FIELDS: usize = 64;

/// Fields that carry secrets: kept out of the log, whatever else is kept.
const NOT_LOGGED: [&str; 2] = ["Signature", "SecurityToken"];

/// One request as the mock received it, for tests to inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The `Action` field, empty when missing (truncated past [`LOG_VALUE_MAX_BYTES`]).
    pub action: String,
    /// The form fields except `Signature` and `SecurityToken`, sorted by name: at most
    /// [`LOG_MAX_FIELDS`], names and values truncated past [`LOG_VALUE_MAX_BYTES`].
    pub fields: Vec<(String, String)>,
    /// Fields the request had beyond the [`LOG_MAX_FIELDS`] kept (secrets not counted).
    pub omitted_fields: usize,
    pub signature_valid: bool,
    /// The `RetCode` answered; `None` when an injected fault replaced the answer.
    pub ret_code: Option<i64>,
    /// The injected fault that applied, if any (latency excluded).
    pub fault: Option<String>,
}

impl RequestRecord {
    /// The record of a request with these form `fields`, answer not yet known.
    pub(crate) fn new(action: &str, fields: &Fields, signature_valid: bool, fault: Option<String>) -> Self {
        let mut loggable = fields.iter().filter(|(name, _)| !NOT_LOGGED.contains(name));
        let kept = loggable.by_ref().take(LOG_MAX_FIELDS).map(|(name, value)| (clip(name), clip(value))).collect();
        RequestRecord {
            action: clip(action),
            fields: kept,
            omitted_fields: loggable.count(),
            signature_valid,
            ret_code: None,
            fault,
        }
    }

    /// The value of one field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// What the record counts against [`LOG_MAX_BYTES`].
    fn cost(&self) -> usize {
        const TEXT: usize = std::mem::size_of::<String>();
        let fields: usize = self.fields.iter().map(|(name, value)| 2 * TEXT + name.len() + value.len()).sum();
        std::mem::size_of::<Self>() + self.action.len() + self.fault.as_ref().map_or(0, String::len) + fields
    }
}

/// `text` whole when short, else its start and its full length.
fn clip(text: &str) -> String {
    if text.len() <= LOG_VALUE_MAX_BYTES {
        return text.to_owned();
    }
    let mut end = LOG_VALUE_MAX_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated: {} bytes]", &text[..end], text.len())
}

/// The last requests, oldest first, within [`LOG_CAPACITY`] and [`LOG_MAX_BYTES`].
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    records: VecDeque<RequestRecord>,
    bytes: usize,
}

impl RequestLog {
    pub fn push(&mut self, record: RequestRecord) {
        let cost = record.cost();
        while self.records.len() >= LOG_CAPACITY || (self.bytes + cost > LOG_MAX_BYTES && !self.records.is_empty()) {
            let Some(oldest) = self.records.pop_front() else { break };
            self.bytes -= oldest.cost();
        }
        self.bytes += cost;
        self.records.push_back(record);
    }

    pub fn clear(&mut self) {
        self.records.clear();
        self.bytes = 0;
    }

    pub fn records(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, &str)]) -> RequestRecord {
        let fields: Fields = fields.iter().copied().collect();
        RequestRecord::new(fields.get("Action").unwrap_or_default(), &fields, true, None)
    }

    /// A GetImageTag as the SDK sends it.
    fn typical() -> RequestRecord {
        record(&[
            ("Action", "GetImageTag"),
            ("ImageName", "nginx"),
            ("Limit", "100"),
            ("Offset", "300"),
            ("ProjectId", "org-abc123"),
            ("PublicKey", "ucloudsomeone@example.com1296235120854146120"),
            ("RepoName", "web"),
            ("SecurityToken", "sts-token"),
            ("Signature", "4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65"),
            ("TagName", "1.2.3"),
        ])
    }

    #[test]
    fn long_texts_keep_their_start_and_say_how_long_they_were() {
        let long = "d".repeat(5000);
        let kept = record(&[("Action", &long), ("Description", &long)]);
        let expected = format!("{}…[truncated: 5000 bytes]", "d".repeat(LOG_VALUE_MAX_BYTES));
        assert_eq!(kept.action, expected);
        assert_eq!(kept.field("Description"), Some(expected.as_str()));
        assert_eq!(kept.field(&expected), None, "names are cut too, so the long name is not found");

        // Three-byte characters: the cut falls back to the last whole one.
        let wide = "中".repeat(400);
        let cut = clip(&wide);
        assert_eq!(cut, format!("{}…[truncated: 1200 bytes]", "中".repeat(LOG_VALUE_MAX_BYTES / 3)));
        assert_eq!(clip("short"), "short");
        assert_eq!(clip(&"x".repeat(LOG_VALUE_MAX_BYTES)).len(), LOG_VALUE_MAX_BYTES, "the limit itself is whole");
    }

    #[test]
    fn secrets_are_never_kept_and_extra_fields_are_counted() {
        let kept = typical();
        assert_eq!(kept.field("Signature"), None);
        assert_eq!(kept.field("SecurityToken"), None);
        assert_eq!(kept.field("TagName"), Some("1.2.3"));
        assert_eq!((kept.fields.len(), kept.omitted_fields), (8, 0));

        let names: Vec<String> = (0..LOG_MAX_FIELDS + 10).map(|i| format!("F{i:03}")).collect();
        let mut many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
        many.push(("Signature", "00"));
        let kept = record(&many);
        assert_eq!((kept.fields.len(), kept.omitted_fields), (LOG_MAX_FIELDS, 10));
        assert_eq!(kept.fields[0].0, "F000", "the first fields by name are kept");
    }

    #[test]
    fn the_log_keeps_the_newest_records_within_its_byte_budget() {
        // The largest record the log can hold: every field at the size limit.
        let big = "b".repeat(10 * LOG_VALUE_MAX_BYTES);
        let names: Vec<String> = (0..LOG_MAX_FIELDS).map(|i| format!("{i:02}{big}")).collect();
        let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), big.as_str())).collect();
        let largest = record(&fields);
        assert!(largest.cost() < LOG_MAX_BYTES / 50, "one record is a small part of the budget");

        let mut log = RequestLog::default();
        let rounds = 2 * LOG_MAX_BYTES / largest.cost();
        for i in 0..rounds {
            let mut r = largest.clone();
            r.action = format!("{i:06}");
            log.push(r);
        }
        assert!(log.bytes <= LOG_MAX_BYTES, "{} bytes", log.bytes);
        assert_eq!(log.bytes, log.records.iter().map(RequestRecord::cost).sum::<usize>());
        let kept = log.records();
        assert_eq!(kept.len(), LOG_MAX_BYTES / kept[0].cost());
        assert_eq!(kept.last().unwrap().action, format!("{:06}", rounds - 1), "the newest is kept");

        log.clear();
        assert_eq!((log.records().len(), log.bytes), (0, 0));
    }

    #[test]
    fn the_record_count_limit_applies_first_to_typical_requests() {
        assert!(LOG_CAPACITY * typical().cost() <= LOG_MAX_BYTES, "a typical record costs {}", typical().cost());
        let mut log = RequestLog::default();
        for i in 0..LOG_CAPACITY + 5 {
            let mut r = typical();
            r.ret_code = Some(i as i64);
            log.push(r);
        }
        let kept = log.records();
        assert_eq!(kept.len(), LOG_CAPACITY);
        assert_eq!(kept[0].ret_code, Some(5), "the oldest went first");
    }
}
