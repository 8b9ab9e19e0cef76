//! Deleting tags: bounded concurrency, each outcome recorded with the service's request id.
//!
//! Throttling and brief outages are ridden out by the client's retry policy (see
//! `context::patient`); a deletion that still fails is reported, never retried blindly, and the
//! others go on. Deleting by tag name leaves other tags that share the digest.

use futures::StreamExt;
use serde::Serialize;
use uhub_sdk::Client;

use crate::progress::Progress;
use crate::refs::TagRef;

/// What happened to one deletion.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub repo: String,
    pub image: String,
    pub tag: String,
    /// `deleted` or `failed`.
    pub result: &'static str,
    /// The service's id for the (last) request, to quote to support.
    pub request_id: Option<String>,
    pub error: Option<String>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// Deletes `tags` with at most `concurrency` requests in flight; outcomes in the order given.
pub async fn delete_tags(client: &Client, tags: &[TagRef], concurrency: usize, progress: &Progress) -> Vec<Outcome> {
    let mut outcomes: Vec<(usize, Outcome)> = futures::stream::iter(tags.iter().enumerate())
        .map(|(i, tag)| async move {
            let result = client.delete_repo_image(&tag.image.repo, &tag.image.image).tag_name(&tag.tag).send().await;
            progress.advance(1);
            let outcome = match result {
                Ok(deleted) => {
                    let request_id = deleted.request_id().map(str::to_owned);
                    Outcome { result: "deleted", request_id, error: None, ..named(tag) }
                }
                Err(e) => {
                    progress.println(&format!("failed to delete {tag}: {e}"));
                    Outcome {
                        result: "failed",
                        request_id: e.request_id().map(str::to_owned),
                        error: Some(e.to_string()),
                        ..named(tag)
                    }
                }
            };
            (i, outcome)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, o)| o).collect()
}

fn named(tag: &TagRef) -> Outcome {
    Outcome {
        repo: tag.image.repo.clone(),
        image: tag.image.image.clone(),
        tag: tag.tag.clone(),
        result: "",
        request_id: None,
        error: None,
    }
}

impl crate::output::Row for Outcome {
    fn headers() -> &'static [&'static str] {
        &["TAG", "RESULT", "REQUEST ID / ERROR"]
    }

    fn cells(&self) -> Vec<String> {
        let detail = match (&self.error, &self.request_id) {
            (Some(e), _) => e.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => "-".to_owned(),
        };
        vec![format!("{}/{}:{}", self.repo, self.image, self.tag), self.result.to_owned(), detail]
    }

    fn name(&self) -> String {
        format!("{}/{}:{}", self.repo, self.image, self.tag)
    }
}
