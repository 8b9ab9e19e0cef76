//! Deleting tags: each one re-checked right before it is deleted, with bounded concurrency,
//! every outcome recorded with the service's request id.
//!
//! UHub deletes a tag by name (`DeleteRepoImage` with `TagName`), so a plan is a promise about
//! names unless something holds it to digests. Immediately before each deletion the tag is read
//! again (`GetImageTag` with `TagName`); it is deleted only when its digest and push time are
//! still the plan's, otherwise it is left alone and reported `changed`. What remains is the
//! window between that read and the deletion: one round trip (a few milliseconds to the
//! service, the re-check's answer and the delete request in flight). A push landing exactly
//! there is deleted; the API offers no conditional delete to close it.
//!
//! Throttling and brief outages are ridden out by the client's retry policy (see
//! `context::patient`). A retried deletion that is told "not found" on a later attempt is a
//! success: an earlier attempt deleted the tag and only its answer was lost. A deletion that
//! still fails is reported, never retried blindly, and the others go on. On SIGINT, SIGTERM or
//! the deadline no new deletion starts and those in flight get [`interrupt::GRACE`] to finish.

use futures::StreamExt;
use serde::Serialize;
use uhub_sdk::Client;

use crate::input::refs::TagRef;
use crate::interrupt;
use crate::retention::audit::AuditLog;
use crate::tag::Tag;
use crate::terminal::progress::Progress;

/// One deletion to make: the tag, and what it must still be for the deletion to go ahead.
#[derive(Clone, Debug)]
pub struct Doomed {
    pub tag: TagRef,
    /// The tag as planned (or read before the prompt): its digest and push time must be the
    /// same right before deleting.
    pub planned: Tag,
    /// Why it is deleted, for the report and the audit log.
    pub reason: Option<String>,
}

/// What happened to one deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deletion {
    /// Deleted by this run.
    Deleted,
    /// The service refused or could not be reached; the tag may still exist.
    Failed,
    /// Pushed again (or its digest no longer the expected one) since the plan; left alone.
    Changed,
    /// Already gone before this run deleted it (someone else did); nothing to do.
    Gone,
    /// Not started: the run was interrupted or timed out first.
    NotStarted,
    /// Still in flight when the run stopped waiting: the tag may or may not be deleted.
    Unknown,
}

impl Deletion {
    pub fn as_str(self) -> &'static str {
        match self {
            Deletion::Deleted => "deleted",
            Deletion::Failed => "failed",
            Deletion::Changed => "changed",
            Deletion::Gone => "gone",
            Deletion::NotStarted => "not_started",
            Deletion::Unknown => "unknown",
        }
    }
}

/// What happened to one deletion, and what the tag was when it was planned.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub repo: String,
    pub image: String,
    pub tag: String,
    pub result: Deletion,
    /// The digest read before deleting (the plan's).
    pub digest: Option<String>,
    /// The push time read before deleting (the plan's), RFC 3339.
    pub pushed: Option<String>,
    /// The service's id for the (last) request, to quote to support.
    pub request_id: Option<String>,
    pub error: Option<String>,
    /// Why a tag was `changed`, or how a `deleted` one was found deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        matches!(self.result, Deletion::Failed | Deletion::Unknown)
    }

    fn of(doomed: &Doomed, result: Deletion) -> Outcome {
        Outcome {
            repo: doomed.tag.image.repo.clone(),
            image: doomed.tag.image.image.clone(),
            tag: doomed.tag.tag.clone(),
            result,
            digest: doomed.planned.digest.clone(),
            pushed: doomed.planned.pushed.map(crate::time::rfc3339),
            request_id: None,
            error: None,
            note: None,
        }
    }

    /// Appends this deletion's outcome to the audit log.
    pub async fn audit(&self, log: &AuditLog, reason: Option<&str>) {
        let reference = crate::terminal::output::Row::name(self);
        log.write(&crate::retention::audit::Record {
            time: crate::time::rfc3339(jiff::Timestamp::now()),
            command: log.command(),
            action: "delete_tag",
            reference: &reference,
            digest: self.digest.as_deref(),
            pushed: self.pushed.as_deref(),
            reason,
            result: self.result.as_str(),
            request_id: self.request_id.as_deref(),
            error: self.error.as_deref(),
            note: self.note.as_deref(),
        })
        .await;
    }

    fn noted(mut self, note: impl Into<String>) -> Outcome {
        self.note = Some(note.into());
        self
    }

    fn with_error(mut self, e: &uhub_sdk::Error, context: &str) -> Outcome {
        self.request_id = e.request_id().map(str::to_owned);
        self.error = Some(format!("{context}{e}"));
        self
    }
}

/// Deletes `doomed` with at most `concurrency` tags in hand at once (a re-check, then the
/// deletion); outcomes in the order given, each written to `audit` as it ends.
pub async fn delete_tags(
    client: &Client,
    doomed: &[Doomed],
    concurrency: usize,
    progress: &Progress,
    audit: &AuditLog,
) -> Vec<Outcome> {
    let _deleting = interrupt::Deleting::start();
    let mut outcomes: Vec<(usize, Outcome)> = futures::stream::iter(doomed.iter().enumerate())
        .map(|(i, d)| async move {
            // A deletion starts when its turn comes: after a stop, or once the audit log could
            // not be written, none does.
            let outcome = if interrupt::reason().is_some() {
                Outcome::of(d, Deletion::NotStarted)
            } else if audit.is_broken() {
                Outcome::of(d, Deletion::NotStarted).noted("not started: the audit log could not be written")
            } else {
                let bounded = async {
                    interrupt::stopped().await;
                    tokio::time::sleep(interrupt::GRACE).await;
                };
                tokio::select! {
                    outcome = delete_one(client, d, audit) => outcome,
                    () = bounded => Outcome::of(d, Deletion::Unknown)
                        .noted("still in flight when the run stopped waiting; check the tag"),
                }
            };
            progress.advance(1);
            if outcome.failed() {
                let why = outcome.error.as_deref().unwrap_or("unknown");
                progress.println(&format!("failed to delete {}: {why}", d.tag));
            }
            outcome.audit(audit, d.reason.as_deref()).await;
            (i, outcome)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, o)| o).collect()
}

/// The outcome of a tag found missing before anything was asked: nothing to delete.
pub fn missing(tag: &TagRef) -> Outcome {
    let planned = Tag { name: tag.tag.clone(), pushed: None, update_time: String::new(), digest: None };
    Outcome::of(&Doomed { tag: tag.clone(), planned, reason: None }, Deletion::Gone)
        .noted("does not exist; nothing to delete")
}

/// The outcome of a deletion the caller decided not to start, and why (`note`).
pub fn not_started(d: &Doomed, note: String) -> Outcome {
    Outcome::of(d, Deletion::NotStarted).noted(note)
}

/// The outcome of a tag given with `@sha256:...` whose digest is another one already when read
/// before the prompt: it is left alone, never asked about.
pub fn pin_mismatch(d: &Doomed) -> Option<Outcome> {
    let pinned = d.tag.digest.as_deref()?;
    (d.planned.digest.as_deref() != Some(pinned)).then(|| {
        let now = d.planned.digest.as_deref().unwrap_or("unknown");
        Outcome::of(d, Deletion::Changed).noted(format!("digest {now} is not the pinned {pinned}; not deleted"))
    })
}

/// Re-checks one tag against its plan, then deletes it if it is unchanged, its intent recorded
/// first. The only place `DeleteRepoImage` is sent with a `TagName`: the names are checked
/// here, before any request, so an empty or malformed tag (which the service might read as
/// "every tag", or as another name) never reaches it, whichever path built the deletion.
async fn delete_one(client: &Client, d: &Doomed, audit: &AuditLog) -> Outcome {
    if let Err(refused) = deletable(&d.tag) {
        return Outcome {
            error: Some(format!("refused: {refused}; nothing was sent")),
            ..Outcome::of(d, Deletion::Failed)
        };
    }
    match reread(client, &d.tag).await {
        Err(e) => return Outcome::of(d, Deletion::Failed).with_error(&e, "re-checking before deleting: "),
        Ok(None) => return Outcome::of(d, Deletion::Gone).noted("no longer exists; nothing to delete"),
        Ok(Some(now)) => {
            if let Some(why) = changed(d, &now) {
                return Outcome::of(d, Deletion::Changed).noted(format!("changed since the plan ({why}); not deleted"));
            }
        }
    }
    let reference = format!("{}:{}", d.tag.image, d.tag.tag);
    let pushed = d.planned.pushed.map(crate::time::rfc3339);
    let digest = d.planned.digest.as_deref();
    if let Err(e) = audit.intent("delete_tag", &reference, digest, pushed.as_deref(), d.reason.as_deref()).await {
        return Outcome::of(d, Deletion::NotStarted).noted(format!("not deleted: {e:#}"));
    }
    let image = &d.tag.image;
    match client.delete_repo_image(&image.repo, &image.image).tag_name(&d.tag.tag).send().await {
        Ok(deleted) => {
            Outcome { request_id: deleted.request_id().map(str::to_owned), ..Outcome::of(d, Deletion::Deleted) }
        }
        Err(e) if not_found(&e) && e.attempts() > 1 => Outcome {
            request_id: e.request_id().map(str::to_owned),
            ..Outcome::of(d, Deletion::Deleted).noted(format!(
                "attempt {} was told the tag does not exist: an earlier attempt of this deletion deleted it",
                e.attempts()
            ))
        },
        Err(e) if not_found(&e) => Outcome {
            request_id: e.request_id().map(str::to_owned),
            ..Outcome::of(d, Deletion::Gone).noted("deleted by someone else between the re-check and the deletion")
        },
        Err(e) => Outcome::of(d, Deletion::Failed).with_error(&e, ""),
    }
}

/// Whether a tag's names may go into a deletion: the OCI grammar for the tag, and for
/// `REPO/IMAGE` as a repository name. Empty names fail it.
pub fn deletable(tag: &TagRef) -> Result<(), uhub_registry::InvalidName> {
    uhub_registry::names::check_tag(&tag.tag)?;
    uhub_registry::names::check_repository(&format!("{}/{}", tag.image.repo, tag.image.image))
}

/// The tag as the service has it now; `None` when it (or its image or repository) is gone.
pub async fn reread(client: &Client, tag: &TagRef) -> Result<Option<Tag>, uhub_sdk::Error> {
    let image = &tag.image;
    match client.get_image_tag(&image.repo, &image.image).tag_name(&tag.tag).send().await {
        // The name is matched exactly here, whatever matching the service does.
        Ok(found) => Ok(found.tag_set.iter().find(|t| t.tag_name == tag.tag).map(Tag::from_set)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why the tag is no longer the one planned, if it is not.
fn changed(d: &Doomed, now: &Tag) -> Option<String> {
    if let Some(pinned) = d.tag.digest.as_deref().filter(|p| now.digest.as_deref() != Some(*p)) {
        return Some(format!("digest {} is not the pinned {pinned}", now.digest.as_deref().unwrap_or("unknown")));
    }
    if now.digest != d.planned.digest {
        let show = |d: &Option<String>| crate::tag::short_digest(d.as_deref());
        return Some(format!("digest {} → {}", show(&d.planned.digest), show(&now.digest)));
    }
    if now.update_time != d.planned.update_time {
        return Some(format!("pushed again at {}", now.update_time));
    }
    None
}

/// The service's "no such tag, image or repository" (the codes uhub-mock documents).
fn not_found(e: &uhub_sdk::Error) -> bool {
    use uhub_mock::Code;
    let codes = [Code::TagNotFound, Code::ImageNotFound, Code::RepoNotFound];
    e.code().is_some_and(|c| codes.iter().any(|code| code.ret_code() == c))
}

impl crate::terminal::output::Row for Outcome {
    fn headers() -> &'static [&'static str] {
        &["TAG", "DIGEST", "RESULT", "REQUEST ID", "NOTE / ERROR"]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            format!("{}/{}:{}", self.repo, self.image, self.tag),
            crate::tag::short_digest(self.digest.as_deref()),
            self.result.as_str().to_owned(),
            self.request_id.clone().unwrap_or_else(|| "-".to_owned()),
            self.error.clone().or_else(|| self.note.clone()).unwrap_or_default(),
        ]
    }

    fn name(&self) -> String {
        format!("{}/{}:{}", self.repo, self.image, self.tag)
    }
}

/// Counts of a run's outcomes, and the exit status they call for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub deleted: usize,
    pub failed: usize,
    pub changed: usize,
    pub gone: usize,
    pub not_started: usize,
    pub unknown: usize,
}

impl Tally {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Tally {
        let mut t = Tally::default();
        for o in outcomes {
            match o.result {
                Deletion::Deleted => t.deleted += 1,
                Deletion::Failed => t.failed += 1,
                Deletion::Changed => t.changed += 1,
                Deletion::Gone => t.gone += 1,
                Deletion::NotStarted => t.not_started += 1,
                Deletion::Unknown => t.unknown += 1,
            }
        }
        t
    }

    /// A stop wins (its own status), then failures (4), then changes since the plan (6).
    pub fn status(&self) -> crate::exit::Status {
        use crate::exit::Status;
        match interrupt::reason() {
            Some(interrupt::Reason::Interrupted) => Status::Interrupted,
            Some(interrupt::Reason::TimedOut) => Status::TimedOut,
            None if self.failed + self.unknown > 0 => Status::PartialFailure,
            None if self.changed > 0 => Status::ChangedSincePlan,
            None => Status::Ok,
        }
    }

    /// One line for people: what happened to how many.
    pub fn line(&self) -> String {
        let mut parts = vec![format!("deleted {}", self.deleted)];
        for (n, what) in [
            (self.failed, "failed"),
            (self.changed, "changed since the plan (left alone)"),
            (self.gone, "already gone"),
            (self.not_started, "not started"),
            (self.unknown, "unknown (in flight when stopped)"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::refs::ImageRef;

    fn doomed(pinned: Option<&str>, digest: &str, update_time: &str) -> Doomed {
        let tag = TagRef {
            image: ImageRef { repo: "r".into(), image: "app".into() },
            tag: "v1".into(),
            digest: pinned.map(str::to_owned),
        };
        let planned =
            Tag { name: "v1".into(), pushed: None, update_time: update_time.into(), digest: Some(digest.into()) };
        Doomed { tag, planned, reason: None }
    }

    fn now(digest: &str, update_time: &str) -> Tag {
        Tag { name: "v1".into(), pushed: None, update_time: update_time.into(), digest: Some(digest.into()) }
    }

    #[test]
    fn a_tag_is_deleted_only_while_digest_and_push_time_are_the_plans() {
        let d = doomed(None, "sha256:aaa", "2024-03-01 08:00:00");
        assert_eq!(changed(&d, &now("sha256:aaa", "2024-03-01 08:00:00")), None);
        assert_eq!(changed(&d, &now("sha256:bbb", "2024-03-01 08:00:00")).unwrap(), "digest sha256:aaa → sha256:bbb");
        assert_eq!(
            changed(&d, &now("sha256:aaa", "2024-03-02 08:00:00")).unwrap(),
            "pushed again at 2024-03-02 08:00:00",
            "the same image pushed again is still a change: the plan promised this push"
        );
    }

    #[test]
    fn a_pinned_digest_must_still_be_the_tags() {
        let d = doomed(Some("sha256:aaa"), "sha256:bbb", "t");
        assert!(changed(&d, &now("sha256:bbb", "t")).unwrap().contains("is not the pinned sha256:aaa"));
        let outcome = pin_mismatch(&d).expect("read before the prompt, already another digest");
        assert_eq!(outcome.result, Deletion::Changed);
        assert!(pin_mismatch(&doomed(Some("sha256:aaa"), "sha256:aaa", "t")).is_none());
    }
}
