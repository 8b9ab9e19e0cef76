//! What each action does to the store, and the response it gives.
//!
//! Responses are built from the SDK's own generated response types and serialized by serde,
//! so their wire names come from the spec like everything else. An action the spec has but
//! this file does not handle answers `RetCode` 161 saying so.

// The generated types are `#[non_exhaustive]`, so outside their crate they can only be made
// from `Default` and then filled in.
#![allow(clippy::field_reassign_with_default)]

use serde_json::Value;
use uhub_sdk::Time;
use uhub_sdk::jiff::Timestamp;
use uhub_sdk::{
    AnyRequest, CreateRepoResponse, DeleteRepoImageResponse, DeleteRepoResponse, GetImageTagResponse,
    GetRepoImageResponse, GetRepoResponse, ImageSet, RepoSet, RepoType, TagSet, UpdateRepoResponse,
};

use crate::codes::{Code, Reject};
use crate::store::{
    MAX_DESCRIPTION_BYTES, MAX_PROJECT_ID_BYTES, MAX_PROJECTS, MAX_REPOS_PER_PROJECT, Store, StoredImage, StoredRepo,
    StoredTag, UNREADABLE_TIME,
};

/// The documented defaults of `Offset` and `Limit`.
const DEFAULT_OFFSET: i64 = 0;
const DEFAULT_LIMIT: i64 = 20;

/// How times are written: the documented text, or the Unix seconds drifted responses carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Times {
    Text,
    Seconds,
}

impl Times {
    fn format(self, secs: i64) -> Time {
        match self {
            // `YYYY-MM-DD HH:MM:SS` in UTC+8, as the service writes it.
            Times::Text => Time::from_timestamp(Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)),
            Times::Seconds => Time::parse(secs.to_string()),
        }
    }
}

/// Runs one parsed request against the store; the `Ok` value is the response body.
pub(crate) fn handle(store: &mut Store, request: AnyRequest, times: Times) -> Result<Value, Reject> {
    let action = request.action();
    let mut body = match request {
        AnyRequest::GetRepo(r) => {
            let shared = !matches!(r.repo_type, Some(RepoType::Private));
            let repos = store.project(r.project_id.as_deref());
            let matching: Vec<&StoredRepo> = repos.values().filter(|repo| repo.is_shared == shared).collect();
            let (total, page) = page(&matching, r.offset, r.limit)?;
            let mut resp = GetRepoResponse::default();
            resp.total_count = total;
            resp.repo_set = page.iter().map(|repo| repo_set(repo, times)).collect();
            to_value(&resp)
        }
        AnyRequest::GetRepoImage(r) => {
            let repo = find_repo(store.project(r.project_id.as_deref()), &r.repo_name)?;
            let images: Vec<&StoredImage> = repo.images.values().collect();
            let (total, page) = page(&images, r.offset, r.limit)?;
            let mut resp = GetRepoImageResponse::default();
            resp.total_count = total;
            resp.image_set = page.iter().map(|image| image_set(&repo.name, image, times)).collect();
            to_value(&resp)
        }
        AnyRequest::GetImageTag(r) => {
            let repo = find_repo(store.project(r.project_id.as_deref()), &r.repo_name)?;
            let image = find_image(repo, &r.image_name)?;
            let tags: Vec<_> =
                image.tags.iter().rev().filter(|t| r.tag_name.as_ref().is_none_or(|name| &t.name == name)).collect();
            let (total, page) = page(&tags, r.offset, r.limit)?;
            let mut resp = GetImageTagResponse::default();
            resp.total_count = total;
            resp.tag_set = page
                .iter()
                .map(|t| {
                    let mut tag = TagSet::default();
                    tag.tag_name = t.name.clone();
                    tag.update_time =
                        if t.unreadable_time { Time::parse(UNREADABLE_TIME) } else { times.format(t.pushed) };
                    tag.digest = Some(t.digest.clone());
                    tag
                })
                .collect();
            to_value(&resp)
        }
        AnyRequest::CreateRepo(r) => {
            check_repo_name(&r.repo_name)?;
            check_description(r.description.as_deref())?;
            if let Some(project) = r.project_id.as_deref().filter(|p| p.len() > MAX_PROJECT_ID_BYTES) {
                return Err(Code::InvalidParameter
                    .with(format!("ProjectId is {} bytes; at most {MAX_PROJECT_ID_BYTES}", project.len())));
            }
            if store.project_would_exceed_cap(r.project_id.as_deref()) {
                return Err(Code::StoreFull.with(format!(
                    "it holds at most {MAX_PROJECTS} projects; delete the repositories of one, or name an existing project"
                )));
            }
            let now = store.tick();
            let repos = store.project_or_create(r.project_id.as_deref());
            if repos.contains_key(&r.repo_name) {
                return Err(Code::RepoExists.with(format!("\"{}\"", r.repo_name)));
            }
            if repos.len() >= MAX_REPOS_PER_PROJECT {
                return Err(
                    Code::RepoLimit.with(format!("a project holds at most {MAX_REPOS_PER_PROJECT} repositories"))
                );
            }
            repos.insert(
                r.repo_name.clone(),
                StoredRepo {
                    name: r.repo_name.clone(),
                    description: r.description.unwrap_or_default(),
                    is_shared: r.is_shared.unwrap_or(false),
                    is_out_side: false,
                    created: now,
                    updated: now,
                    images: Default::default(),
                },
            );
            let mut resp = CreateRepoResponse::default();
            resp.message = Some(format!("repository {} created", r.repo_name));
            to_value(&resp)
        }
        AnyRequest::UpdateRepo(r) => {
            check_description(r.description.as_deref())?;
            let now = store.tick();
            let repo = find_repo_mut(store.project_mut(r.project_id.as_deref()), &r.repo_name)?;
            if let Some(text) = r.description {
                repo.description = text;
            }
            if let Some(shared) = r.is_shared {
                repo.is_shared = shared;
            }
            repo.updated = now;
            let mut resp = UpdateRepoResponse::default();
            resp.message = Some(format!("repository {} updated", r.repo_name));
            to_value(&resp)
        }
        AnyRequest::DeleteRepo(r) => {
            let repo = find_repo(store.project(r.project_id.as_deref()), &r.repo_name)?;
            if !repo.images.is_empty() {
                return Err(Code::RepoNotEmpty.with(format!(
                    "\"{}\" still holds {} image(s); delete them first",
                    r.repo_name,
                    repo.images.len()
                )));
            }
            if let Some(repos) = store.project_mut(r.project_id.as_deref()) {
                repos.remove(&r.repo_name);
            }
            store.drop_if_empty(r.project_id.as_deref());
            to_value(&DeleteRepoResponse::default())
        }
        AnyRequest::DeleteRepoImage(r) => {
            let now = store.tick();
            let repo = find_repo_mut(store.project_mut(r.project_id.as_deref()), &r.repo_name)?;
            let image = repo
                .images
                .get_mut(&r.image_name)
                .ok_or_else(|| Code::ImageNotFound.with(format!("\"{}\" in \"{}\"", r.image_name, r.repo_name)))?;
            let removed: Vec<StoredTag> = match &r.tag_name {
                Some(tag) => {
                    // By name only: tags sharing its digest (aliases) stay.
                    let Some(at) = image.tags.iter().position(|t| &t.name == tag) else {
                        return Err(Code::TagNotFound.with(format!("\"{}:{tag}\"", r.image_name)));
                    };
                    let removed = image.tags.remove(at);
                    image.updated = now;
                    // An image is its tags: with the last one gone, the image goes too.
                    if image.tags.is_empty() {
                        repo.images.remove(&r.image_name);
                    }
                    vec![removed]
                }
                None => repo.images.remove(&r.image_name).map(|i| i.tags).unwrap_or_default(),
            };
            repo.updated = now;
            store.record_removed(&r.repo_name, &r.image_name, &removed);
            to_value(&DeleteRepoImageResponse::default())
        }
        other => {
            return Err(Code::UnknownAction
                .with(format!("{} is in the spec but not supported by uhub-mock yet", other.action())));
        }
    };
    if let Value::Object(map) = &mut body {
        map.insert("Action".to_owned(), Value::String(format!("{action}Response")));
    }
    Ok(body)
}

fn to_value<T: serde::Serialize>(response: &T) -> Value {
    serde_json::to_value(response).expect("generated responses serialize to JSON")
}

/// One page of `items` and the total, with the documented defaults.
fn page<T: Clone>(items: &[T], offset: Option<i64>, limit: Option<i64>) -> Result<(i64, Vec<T>), Reject> {
    let offset = offset.unwrap_or(DEFAULT_OFFSET);
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if offset < 0 {
        return Err(Code::InvalidParameter.with(format!("Offset {offset} is negative")));
    }
    if limit < 0 {
        return Err(Code::InvalidParameter.with(format!("Limit {limit} is negative")));
    }
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(items.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)).min(items.len());
    Ok((items.len() as i64, items[start..end].to_vec()))
}

fn find_repo<'a>(
    repos: &'a std::collections::BTreeMap<String, StoredRepo>,
    name: &str,
) -> Result<&'a StoredRepo, Reject> {
    repos.get(name).ok_or_else(|| Code::RepoNotFound.with(format!("\"{name}\"")))
}

fn find_repo_mut<'a>(
    repos: Option<&'a mut std::collections::BTreeMap<String, StoredRepo>>,
    name: &str,
) -> Result<&'a mut StoredRepo, Reject> {
    repos.and_then(|repos| repos.get_mut(name)).ok_or_else(|| Code::RepoNotFound.with(format!("\"{name}\"")))
}

fn find_image<'a>(repo: &'a StoredRepo, name: &str) -> Result<&'a StoredImage, Reject> {
    repo.images.get(name).ok_or_else(|| Code::ImageNotFound.with(format!("\"{name}\" in \"{}\"", repo.name)))
}

/// A description the store keeps: at most [`MAX_DESCRIPTION_BYTES`].
fn check_description(text: Option<&str>) -> Result<(), Reject> {
    match text {
        Some(text) if text.len() > MAX_DESCRIPTION_BYTES => Err(Code::InvalidParameter
            .with(format!("Description is {} bytes; at most {MAX_DESCRIPTION_BYTES}", text.len()))),
        _ => Ok(()),
    }
}

/// Registry naming: 1 to 64 of `a-z 0-9 . _ -`, starting with a letter or digit.
fn check_repo_name(name: &str) -> Result<(), Reject> {
    let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    let starts_well = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if starts_well && name.len() <= 64 && name.chars().all(valid_char) {
        Ok(())
    } else {
        Err(Code::InvalidParameter.with(format!(
            "RepoName \"{name}\": use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        )))
    }
}

fn repo_set(repo: &StoredRepo, times: Times) -> RepoSet {
    let mut set = RepoSet::default();
    set.repo_name = repo.name.clone();
    set.description = repo.description.clone();
    set.is_shared = repo.is_shared;
    set.is_out_side = repo.is_out_side;
    set.create_time = times.format(repo.created);
    set.update_time = times.format(repo.updated);
    set
}

fn image_set(repo: &str, image: &StoredImage, times: Times) -> ImageSet {
    let mut set = ImageSet::default();
    set.image_name = image.name.clone();
    set.repo_name = repo.to_owned();
    set.pull_count = image.pull_count;
    set.latest_tag = image.latest_tag().to_owned();
    set.create_time = times.format(image.created);
    set.update_time = times.format(image.updated);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_uses_documented_defaults_and_clamps_past_the_end() {
        let items: Vec<i32> = (0..45).collect();
        assert_eq!(page(&items, None, None).unwrap(), (45, (0..20).collect()));
        assert_eq!(page(&items, Some(40), Some(20)).unwrap(), (45, (40..45).collect()));
        assert_eq!(page(&items, Some(100), None).unwrap(), (45, vec![]));
        assert_eq!(page(&items, Some(0), Some(0)).unwrap(), (45, vec![]));
        assert_eq!(page(&items, Some(i64::MAX), Some(i64::MAX)).unwrap(), (45, vec![]));
        assert_eq!(page(&items, Some(-1), None).unwrap_err().code, 230);
    }

    #[test]
    fn repo_names_follow_registry_rules() {
        assert!(check_repo_name("my-repo_1.x").is_ok());
        for bad in ["", "-lead", "Upper", "has space", "中文", &"a".repeat(65)] {
            assert_eq!(check_repo_name(bad).unwrap_err().code, 230, "{bad:?}");
        }
    }
}
