//! One received request → one reply: faults, signature, parsing, the action, drift; and the
//! reply to a request whose body could not be read.
//!
//! Kept apart from the HTTP server so the whole decision is a plain function of the shared
//! state and the request's bytes. Nothing else in the crate decides what a reply says.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use uhub_sdk::AnyRequest;
use uhub_sdk::runtime::Fields;

use crate::codes::{Code, Reject};
use crate::drift;
use crate::faults::{self, Fault};
use crate::handlers::{self, Times};
use crate::request_log::RequestRecord;
use crate::state::Shared;

/// What the server sends back.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub retry_after: Option<u64>,
    /// Send half the body, then close the connection.
    pub cut: bool,
    /// Wait this long before sending.
    pub latency: Duration,
    /// Close the connection after sending.
    pub close: bool,
}

impl Reply {
    fn json(body: &Value) -> Self {
        Reply {
            status: 200,
            content_type: "application/json",
            body: serde_json::to_vec(body).expect("JSON values serialize"),
            retry_after: None,
            cut: false,
            latency: Duration::ZERO,
            close: false,
        }
    }

    fn text(status: u16, content_type: &'static str, body: String) -> Self {
        Reply { status, content_type, body: body.into_bytes(), ..Reply::json(&Value::Null) }
    }
}

/// Why the body of a request could not be read.
#[derive(Debug)]
pub(crate) enum BodyProblem {
    /// Larger than the mock accepts, announced or sent.
    TooLarge { limit: usize },
    /// Not complete within the body-read deadline.
    TooSlow { deadline: Duration },
    /// The connection failed mid-body.
    Broken(String),
}

/// The reply to a request whose body could not be read: an HTTP error, and the connection
/// closed, since what is left of the body cannot be told from a next request.
pub(crate) fn unreadable(problem: BodyProblem) -> Reply {
    let (status, text) = match problem {
        BodyProblem::TooLarge { limit } => (413, format!("uhub-mock: the request body is over {limit} bytes\n")),
        BodyProblem::TooSlow { deadline } => {
            (408, format!("uhub-mock: the request body did not arrive within {deadline:?}\n"))
        }
        BodyProblem::Broken(e) => (400, format!("uhub-mock: cannot read the body: {e}\n")),
    };
    Reply { close: true, ..Reply::text(status, "text/plain", text) }
}

/// Handles the form `fields` of one request.
pub(crate) fn process(shared: &Shared, fields: Fields) -> Reply {
    let action = fields.get("Action").unwrap_or_default();
    shared.counts.add(action);
    let plan = faults::plan(&mut shared.faults.lock().expect("faults lock"), action);
    // Checked once: the log records the outcome, and the normal path answers with it.
    let signature = check_signature(shared, &fields);
    let mut record = RequestRecord::new(action, &fields, signature.is_ok(), plan.fault.as_ref().map(Fault::label));
    if !plan.changes.is_empty() {
        let mut store = shared.store.lock().expect("store lock");
        for change in &plan.changes {
            store.apply(change);
        }
    }

    let mut reply = match &plan.fault {
        Some(Fault::Status { status, .. }) if !(100..=999).contains(status) => Reply::text(
            500,
            "text/plain",
            format!("uhub-mock: the injected status {status} is not an HTTP status (100 to 999)\n"),
        ),
        Some(Fault::Status { status, retry_after }) => Reply {
            retry_after: *retry_after,
            ..Reply::text(*status, "text/plain", format!("uhub-mock: injected HTTP {status}\n"))
        },
        Some(Fault::RetCode(code)) => {
            record.ret_code = Some(*code);
            let message = if *code == Code::Throttled.ret_code() {
                Code::Throttled.summary().to_owned()
            } else {
                format!("uhub-mock: injected RetCode {code}")
            };
            Reply::json(&error_body(action, *code, &message))
        }
        Some(Fault::HtmlPage) => Reply::text(
            200,
            "text/html",
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
             <body><h1>Bad Gateway</h1><p>uhub-mock: injected HTML page</p></body></html>\n"
                .to_owned(),
        ),
        _ => {
            let body = match answer(shared, action, &fields, signature) {
                Ok(body) => {
                    record.ret_code = Some(0);
                    body
                }
                Err(reject) => {
                    record.ret_code = Some(reject.code);
                    error_body(action, reject.code, &reject.message)
                }
            };
            let mut reply = Reply::json(&body);
            match plan.fault {
                Some(Fault::CloseMidResponse) => reply.cut = true,
                Some(Fault::StatusAfterAction(status)) if (100..=999).contains(&status) => {
                    reply = Reply::text(
                        status,
                        "text/plain",
                        format!("uhub-mock: injected HTTP {status} after the action\n"),
                    );
                }
                Some(Fault::TruncatedJson) => {
                    let half = reply.body.len() / 2;
                    reply.body.truncate(half);
                }
                _ => {}
            }
            reply
        }
    };
    reply.latency = plan.latency;
    shared.log.lock().expect("log lock").push(record);
    reply
}

/// The normal path: check, parse, run the action. `signature` is the outcome of
/// [`check_signature`] for these fields.
fn answer(shared: &Shared, action: &str, fields: &Fields, signature: Result<(), Reject>) -> Result<Value, Reject> {
    if action.is_empty() {
        return Err(Code::MissingAction.with("send the action's name as Action"));
    }
    signature?;
    let request = match AnyRequest::from_form(action, fields) {
        None => return Err(Code::UnknownAction.with(format!("\"{action}\""))),
        Some(Err(e)) => return Err(Code::InvalidParameter.with(e)),
        Some(Ok(request)) => request,
    };
    let times = if shared.drift.load(Ordering::Relaxed) { Times::Seconds } else { Times::Text };
    let mut body = handlers::handle(&mut shared.store.lock().expect("store lock"), request, times)?;
    if times == Times::Seconds {
        drift::drift(&mut body);
    }
    Ok(body)
}

/// UCloud's check: the signature of every other field under the public key's private key.
fn check_signature(shared: &Shared, fields: &Fields) -> Result<(), Reject> {
    let Some(signature) = fields.get("Signature") else {
        return Err(Code::MissingSignature.with("send the request's Signature"));
    };
    let public_key = fields.get("PublicKey").unwrap_or_default();
    let Some(private_key) = shared.keys.get(public_key) else {
        return Err(Code::UnknownPublicKey.with(format!("\"{public_key}\" is not registered with the mock")));
    };
    let signed: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "Signature").collect();
    if uhub_sdk::runtime::sign(&signed, private_key.expose()) == signature {
        Ok(())
    } else {
        Err(Code::WrongSignature.with("the signature does not match the fields and the key"))
    }
}

fn error_body(action: &str, code: i64, message: &str) -> Value {
    let name = if action.is_empty() { "Response".to_owned() } else { format!("{action}Response") };
    json!({ "Action": name, "RetCode": code, "Message": message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use uhub_sdk::runtime::Secret;

    const PUBLIC: &str = "test-public";
    const PRIVATE: &str = "test-private";

    fn demo() -> Shared {
        let mut store = Store::new("org-demo".to_owned());
        crate::demo::repos().into_iter().for_each(|repo| store.seed(repo));
        let keys = [(PUBLIC.to_owned(), Secret::new(PRIVATE))].into_iter().collect();
        Shared::new(keys, store, Vec::new(), false)
    }

    fn signed(fields: &[(&str, &str)]) -> Fields {
        let mut all = fields.to_vec();
        all.push(("PublicKey", PUBLIC));
        let signature = uhub_sdk::runtime::sign(&all, PRIVATE);
        all.push(("Signature", &signature));
        all.into_iter().collect()
    }

    fn ret_code(reply: &Reply) -> i64 {
        serde_json::from_slice::<Value>(&reply.body).expect("JSON")["RetCode"].as_i64().expect("RetCode")
    }

    fn project_count(shared: &Shared) -> usize {
        shared.store.lock().expect("store lock").projects.len()
    }

    #[test]
    fn an_injected_status_that_http_cannot_carry_is_reported_as_such() {
        let shared = demo();
        shared.faults.lock().unwrap().push(Fault::status(1000).into());
        let reply = process(&shared, signed(&[("Action", "GetRepo")]));
        assert_eq!(reply.status, 500);
        assert!(String::from_utf8_lossy(&reply.body).contains("1000 is not an HTTP status"));
    }

    #[test]
    fn status_after_action_makes_the_change_and_reports_a_failure() {
        let shared = demo();
        let rule = crate::faults::FaultRule::new(Fault::StatusAfterAction(502)).action("DeleteRepoImage");
        shared.faults.lock().unwrap().push(rule.times(1));
        let delete =
            [("Action", "DeleteRepoImage"), ("RepoName", "web"), ("ImageName", "nginx"), ("TagName", "1.3.19")];
        assert_eq!(process(&shared, signed(&delete)).status, 502);
        assert_eq!(ret_code(&process(&shared, signed(&delete))), 1606, "the first request had deleted it");
    }

    #[test]
    fn a_change_rule_acts_just_before_the_nth_request() {
        let shared = demo();
        let change = Fault::Change(crate::faults::Change::repush("web", "nginx", "1.0.0"));
        shared
            .faults
            .lock()
            .unwrap()
            .push(crate::faults::FaultRule::new(change).action("GetImageTag").on_call(2).times(1));
        let newest = [("Action", "GetImageTag"), ("RepoName", "web"), ("ImageName", "nginx"), ("Limit", "1")];
        let first =
            |reply: Reply| serde_json::from_slice::<Value>(&reply.body).unwrap()["TagSet"][0]["TagName"].clone();
        assert_eq!(first(process(&shared, signed(&newest))), "1.3.19");
        assert_eq!(first(process(&shared, signed(&newest))), "1.0.0", "re-pushed just before the second call");
        assert!(shared.store.lock().unwrap().changes()[0].applied);
    }

    #[test]
    fn only_creating_a_repository_creates_a_project() {
        let shared = demo();
        let before = project_count(&shared);
        let cases = [
            ("GetRepo", 0),
            ("GetRepoImage", 1604),
            ("GetImageTag", 1604),
            ("UpdateRepo", 1604),
            ("DeleteRepo", 1604),
            ("DeleteRepoImage", 1604),
        ];
        for (i, (action, code)) in cases.into_iter().enumerate() {
            let project = format!("org-new-{i}");
            let fields = [("Action", action), ("ProjectId", &project), ("RepoName", "web"), ("ImageName", "nginx")];
            assert_eq!(ret_code(&process(&shared, signed(&fields))), code, "{action}");
        }
        assert_eq!(project_count(&shared), before, "reads and failed changes leave no project behind");

        let create = [("Action", "CreateRepo"), ("ProjectId", "org-new"), ("RepoName", "fresh")];
        assert_eq!(ret_code(&process(&shared, signed(&create))), 0);
        assert_eq!(project_count(&shared), before + 1);
    }
}
