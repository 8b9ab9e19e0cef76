//! What the mock remembers of each request, for tests to inspect.

use std::collections::VecDeque;

/// How many requests the log keeps (the oldest are dropped first).
pub const LOG_CAPACITY: usize = 10_000;

/// One request as the mock received it, for tests to inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The `Action` field, empty when missing.
    pub action: String,
    /// Every form field except `Signature`, sorted by name.
    pub fields: Vec<(String, String)>,
    pub signature_valid: bool,
    /// The `RetCode` answered; `None` when an injected fault replaced the answer.
    pub ret_code: Option<i64>,
    /// The injected fault that applied, if any (latency excluded).
    pub fault: Option<String>,
}

impl RequestRecord {
    /// The value of one field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The last requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    records: VecDeque<RequestRecord>,
}

impl RequestLog {
    pub fn push(&mut self, record: RequestRecord) {
        if self.records.len() == LOG_CAPACITY {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }

    pub fn clear(&mut self) {
        self.records.clear();
    }

    pub fn records(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }
}
