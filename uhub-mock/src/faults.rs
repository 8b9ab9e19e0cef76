//! Faults injected on demand: per action or for every action, always or for the next N calls.
//!
//! A rejecting fault (an HTTP status, a `RetCode`, an HTML page) answers before the action
//! runs, so the store is unchanged, as when a gateway turns a request away. A breaking fault
//! (closing the connection mid-response, truncated JSON) and added latency act after the
//! action ran, so the change is made but the client does not learn it: the case that makes
//! retrying a write unsafe.

use std::time::Duration;

/// One kind of misbehaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long before answering (several latency rules add up).
    Latency(Duration),
    /// Answers with this HTTP status (e.g. 429, 500, 502, 503, 504) and a short text body,
    /// with `Retry-After: <seconds>` when given.
    Status { status: u16, retry_after: Option<u64> },
    /// Answers HTTP 200 with this `RetCode` (e.g. 153 or 2xxx) and a message.
    RetCode(i64),
    /// Sends the headers and half the body, then closes the connection.
    CloseMidResponse,
    /// Answers HTTP 200 with the first half of the JSON body.
    TruncatedJson,
    /// Answers HTTP 200 with an HTML error page, as a misconfigured proxy does.
    HtmlPage,
}

impl Fault {
    /// An HTTP status fault without `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status { status, retry_after: None }
    }

    /// The mock's name for the fault in its request log.
    pub(crate) fn label(&self) -> String {
        match self {
            Fault::Latency(d) => format!("latency {}ms", d.as_millis()),
            Fault::Status { status, .. } => format!("HTTP {status}"),
            Fault::RetCode(code) => format!("RetCode {code}"),
            Fault::CloseMidResponse => "close mid-response".to_owned(),
            Fault::TruncatedJson => "truncated JSON".to_owned(),
            Fault::HtmlPage => "HTML page".to_owned(),
        }
    }
}

/// When a fault applies: which action (or all) and how many more times (or always).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub(crate) fault: Fault,
    pub(crate) action: Option<String>,
    pub(crate) remaining: Option<u32>,
}

impl FaultRule {
    /// The fault on every request of every action, until cleared.
    pub fn new(fault: Fault) -> Self {
        FaultRule { fault, action: None, remaining: None }
    }

    /// Only requests for this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }
}

impl From<Fault> for FaultRule {
    fn from(fault: Fault) -> Self {
        FaultRule::new(fault)
    }
}

/// What the rules decided for one request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub latency: Duration,
    /// The first matching fault other than latency.
    pub fault: Option<Fault>,
}

/// Picks the faults for a request of `action` and uses up one of each rule that applied.
pub(crate) fn plan(rules: &mut Vec<FaultRule>, action: &str) -> Plan {
    let mut plan = Plan::default();
    for rule in rules.iter_mut() {
        if rule.remaining == Some(0) || rule.action.as_deref().is_some_and(|a| a != action) {
            continue;
        }
        match &rule.fault {
            Fault::Latency(d) => plan.latency += *d,
            _ if plan.fault.is_some() => continue,
            other => plan.fault = Some(other.clone()),
        }
        if let Some(n) = &mut rule.remaining {
            *n -= 1;
        }
    }
    rules.retain(|r| r.remaining != Some(0));
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_action_and_run_out() {
        let mut rules = vec![
            FaultRule::new(Fault::status(503)).action("GetRepo").times(2),
            FaultRule::new(Fault::Latency(Duration::from_millis(5))),
            FaultRule::new(Fault::Latency(Duration::from_millis(7))).times(1),
            FaultRule::new(Fault::RetCode(153)),
        ];
        let first = plan(&mut rules, "GetRepo");
        assert_eq!(first, Plan { latency: Duration::from_millis(12), fault: Some(Fault::status(503)) });
        // The 503 rule had priority, so the RetCode rule was not used up.
        assert_eq!(plan(&mut rules, "GetImageTag").fault, Some(Fault::RetCode(153)));
        assert_eq!(plan(&mut rules, "GetRepo").fault, Some(Fault::status(503)));
        let fourth = plan(&mut rules, "GetRepo");
        assert_eq!(fourth, Plan { latency: Duration::from_millis(5), fault: Some(Fault::RetCode(153)) });
        assert_eq!(rules.len(), 2);
    }
}
