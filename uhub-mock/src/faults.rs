//! Faults injected on demand: per action or for every action, always or for the next N calls.
//!
//! A rejecting fault (an HTTP status, a `RetCode`, an HTML page) answers before the action
//! runs, so the store is unchanged, as when a gateway turns a request away. A breaking fault
//! (closing the connection mid-response, truncated JSON) and added latency act after the
//! action ran, so the change is made but the client does not learn it: the case that makes
//! retrying a write unsafe.
//!
//! A change ([`Fault::Change`]) is another client's doing: a tag pushed again or deleted just
//! before the matching request runs, so a race between two clients is a test, not an argument.
//! With [`FaultRule::on_call`] a rule waits for the Nth matching request.

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
    /// Runs the action, then answers this HTTP status instead of its result, as a gateway that
    /// gave up waiting for the service does: the change is made, the client is told it failed.
    StatusAfterAction(u16),
    /// Makes this change to the store just before the request runs (the request itself is
    /// answered normally, unless another rule says otherwise).
    Change(Change),
}

/// What another client does to the store meanwhile (in the default project).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Pushes the tag again: a new digest and push time. Nothing happens when it does not
    /// exist (so a test knows every name it may see).
    Repush { repo: String, image: String, tag: String },
    /// Deletes the tag; nothing happens when it does not exist.
    DeleteTag { repo: String, image: String, tag: String },
}

impl Change {
    pub fn repush(repo: impl Into<String>, image: impl Into<String>, tag: impl Into<String>) -> Self {
        Change::Repush { repo: repo.into(), image: image.into(), tag: tag.into() }
    }

    pub fn delete_tag(repo: impl Into<String>, image: impl Into<String>, tag: impl Into<String>) -> Self {
        Change::DeleteTag { repo: repo.into(), image: image.into(), tag: tag.into() }
    }
}

/// A change as it was applied: `applied` is false when its tag did not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedChange {
    pub change: Change,
    pub applied: bool,
    /// The digest the tag has after a re-push.
    pub digest: Option<String>,
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
            Fault::StatusAfterAction(status) => format!("HTTP {status} after the action"),
            Fault::Change(Change::Repush { tag, .. }) => format!("re-push {tag}"),
            Fault::Change(Change::DeleteTag { tag, .. }) => format!("delete {tag}"),
        }
    }
}

/// When a fault applies: which action (or all) and how many more times (or always).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub(crate) fault: Fault,
    pub(crate) action: Option<String>,
    pub(crate) remaining: Option<u32>,
    /// Matching requests to let pass before the rule applies.
    pub(crate) skip: u32,
}

impl FaultRule {
    /// The fault on every request of every action, until cleared.
    pub fn new(fault: Fault) -> Self {
        FaultRule { fault, action: None, remaining: None, skip: 0 }
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

    /// Applies from the `n`th matching request on (counting from 1, from when the rule was
    /// added); with `.times(1)`, to that request only.
    pub fn on_call(mut self, n: u32) -> Self {
        self.skip = n.saturating_sub(1);
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
    /// The first matching fault other than latency and changes.
    pub fault: Option<Fault>,
    /// Changes to make before the request runs, in the order of their rules.
    pub changes: Vec<Change>,
}

/// Picks the faults for a request of `action` and uses up one of each rule that applied.
pub(crate) fn plan(rules: &mut Vec<FaultRule>, action: &str) -> Plan {
    let mut plan = Plan::default();
    for rule in rules.iter_mut() {
        if rule.remaining == Some(0) || rule.action.as_deref().is_some_and(|a| a != action) {
            continue;
        }
        if rule.skip > 0 {
            rule.skip -= 1;
            continue;
        }
        match &rule.fault {
            Fault::Latency(d) => plan.latency += *d,
            Fault::Change(change) => plan.changes.push(change.clone()),
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
        assert_eq!(
            first,
            Plan { latency: Duration::from_millis(12), fault: Some(Fault::status(503)), changes: vec![] }
        );
        // The 503 rule had priority, so the RetCode rule was not used up.
        assert_eq!(plan(&mut rules, "GetImageTag").fault, Some(Fault::RetCode(153)));
        assert_eq!(plan(&mut rules, "GetRepo").fault, Some(Fault::status(503)));
        let fourth = plan(&mut rules, "GetRepo");
        assert_eq!(
            fourth,
            Plan { latency: Duration::from_millis(5), fault: Some(Fault::RetCode(153)), changes: vec![] }
        );
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn a_rule_can_wait_for_the_nth_call_and_changes_take_no_fault_slot() {
        let repush = Fault::Change(Change::repush("r", "i", "v1"));
        let mut rules = vec![
            FaultRule::new(repush).action("DeleteRepoImage").on_call(3).times(1),
            FaultRule::new(Fault::status(502)).action("DeleteRepoImage").on_call(3).times(1),
        ];
        assert_eq!(plan(&mut rules, "GetImageTag"), Plan::default(), "other actions do not count");
        assert_eq!(plan(&mut rules, "DeleteRepoImage"), Plan::default());
        assert_eq!(plan(&mut rules, "DeleteRepoImage"), Plan::default());
        let third = plan(&mut rules, "DeleteRepoImage");
        assert_eq!(third.changes, [Change::repush("r", "i", "v1")]);
        assert_eq!(third.fault, Some(Fault::status(502)));
        assert!(rules.is_empty());
    }
}
