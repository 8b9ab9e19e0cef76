//! `uhub api ACTION Key=Value...`: any action of the spec, printed as JSON.

use uhub_sdk::AnyRequest;
use uhub_sdk::runtime::{Fields, Form};

use crate::cli::ApiArgs;
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::terminal::confirm::{Ask, confirm};

pub async fn run(ctx: &Ctx, args: ApiArgs) -> anyhow::Result<Status> {
    let request = parse(&args)?;
    if request.action().starts_with("Delete") {
        let question = format!("send {} {}", request.action(), args.params.join(" "));
        confirm(ctx.yes, Ask { question, items: &[], type_to_confirm: None }).await?;
    }
    // Generated for every action of the spec: a new action needs no code here.
    let answer = request.send(&ctx.client).await?;
    let pretty = serde_json::to_string_pretty(&answer)?;
    // `-q` is one line: the answer as compact JSON.
    ctx.out.object(&answer, &pretty, Some(&crate::terminal::sanitize::stdout(&serde_json::to_string(&answer)?)))?;
    Ok(Status::Ok)
}

/// Parses `Key=Value` pairs with the SDK's generated parser; refuses names it does not use, so a
/// typo is not silently dropped.
fn parse(args: &ApiArgs) -> anyhow::Result<AnyRequest> {
    let mut pairs = Vec::new();
    for param in &args.params {
        let Some((key, value)) = param.split_once('=') else {
            return Err(exit::usage(format!("{param:?} is not Key=Value, e.g. RepoName=web")));
        };
        pairs.push((key.to_owned(), value.to_owned()));
    }
    let fields: Fields = pairs.iter().cloned().collect();
    let request = match AnyRequest::from_form(&args.action, &fields) {
        None => {
            return Err(exit::usage(format!(
                "unknown action {:?}; the actions are {}",
                args.action,
                uhub_sdk::ACTIONS.join(", ")
            )));
        }
        Some(Err(e)) => return Err(exit::usage(format!("{}: {e}", args.action))),
        Some(Ok(request)) => request,
    };
    let mut sent = Form::new();
    request.encode(&mut sent);
    let unknown: Vec<&str> =
        pairs.iter().map(|(k, _)| k.as_str()).filter(|k| !sent.fields().iter().any(|(s, _)| s == k)).collect();
    if !unknown.is_empty() {
        return Err(exit::usage(format!(
            "{}: {} is not a parameter of this action (names are the API's, case-sensitive, e.g. RepoName)",
            args.action,
            unknown.join(", ")
        )));
    }
    Ok(request)
}
