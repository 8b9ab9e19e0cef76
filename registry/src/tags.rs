//! A repository's tags (for sync files) and when an image was built, read with bounds: a
//! registry that pages forever, in a loop or elsewhere, or sends a huge page gets an error,
//! not our memory; a name in its list that is not a tag is refused, never requested.

use std::collections::HashSet;

use reqwest::Url;
use serde::Deserialize;

use crate::manifest::{self, Parsed};
use crate::names::{self, InvalidName};
use crate::{Error, Registry, link};

/// Tags asked for per page (registries may send fewer, and say where the next page is).
const PAGE: usize = 1000;
/// The most tags read from one repository.
pub const MAX_TAGS: usize = 100_000;
/// The most pages read from one repository: 100,000 tags at 50 a page.
pub const MAX_PAGES: usize = 2_000;
/// The largest page read.
pub const MAX_PAGE_BYTES: u64 = 8 << 20;
/// The most bytes read for one repository's list, all pages together: [`MAX_TAGS`] tags of
/// the longest name a tag may have, with room to spare.
pub const MAX_LIST_BYTES: u64 = 32 << 20;
/// The refused names kept to be shown (the rest are counted): at most this many...
pub const MAX_REFUSED_KEPT: usize = 100;
/// ...and at most this many bytes of them, so a registry's huge names are not held.
pub const MAX_REFUSED_BYTES: usize = 256 << 10;

/// A repository's tags as its registry listed them: the valid ones, sorted, and the names
/// that are not tags, refused without a request made for them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagList {
    pub tags: Vec<String>,
    /// The first refused names, in the order listed (bounded by [`MAX_REFUSED_KEPT`] and
    /// [`MAX_REFUSED_BYTES`]).
    pub refused: Vec<InvalidName>,
    /// Refused names beyond those kept.
    pub refused_more: usize,
}

impl TagList {
    fn refuse(&mut self, name: InvalidName) {
        let kept: usize = self.refused.iter().map(|r| r.name.len()).sum();
        if self.refused.len() < MAX_REFUSED_KEPT && kept + name.name.len() <= MAX_REFUSED_BYTES {
            self.refused.push(name);
        } else {
            self.refused_more += 1;
        }
    }

    /// How many names were refused in all.
    pub fn refused_count(&self) -> usize {
        self.refused.len() + self.refused_more
    }
}

#[derive(Deserialize)]
struct TagPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// The names of one page of a tag list (`{"name": ..., "tags": [...]}`; `null` or no `tags`
/// is an empty page), unchecked: the caller checks each.
#[doc(hidden)]
pub fn parse_page(body: &[u8]) -> Result<Vec<String>, String> {
    let page: TagPage = serde_json::from_slice(body).map_err(|e| format!("the answer is not a tag list: {e}"))?;
    Ok(page.tags.unwrap_or_default())
}

#[derive(Deserialize)]
struct Created {
    created: Option<String>,
}

/// The error of a listing that cannot go on.
fn listing_error(target: &str, message: String) -> Error {
    Error::Registry { action: "list tags of", target: target.to_owned(), message, status: None, transient: false }
}

/// The first page's URL: `?n=` and, when paging without `Link`, `&last=`.
fn page_url(registry: &Registry, repository: &str, page: usize, last: Option<&str>) -> Url {
    let mut url = registry.url(repository, &["tags", "list"]);
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("n", &page.to_string());
        if let Some(last) = last {
            query.append_pair("last", last);
        }
    }
    url
}

/// Where a `Link` header says the next page is, resolved against the page it came with:
/// only on the same scheme, host and port as the first page and at the same path (this
/// repository's tag list), so a registry cannot send us, with its credentials, anywhere else.
#[doc(hidden)]
pub fn next_page(current: &Url, first: &Url, header: &str) -> Result<Option<Url>, String> {
    let Some(uri) = link::next(header).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let mut next = current.join(uri).map_err(|e| format!("the next page {} is not a URL: {e}", names::shown(uri)))?;
    next.set_fragment(None);
    let origin = |u: &Url| (u.scheme().to_owned(), u.host_str().map(str::to_owned), u.port_or_known_default());
    if origin(&next) != origin(first) || !next.username().is_empty() || next.password().is_some() {
        return Err(format!(
            "the next page is on {}, not on {}; refused",
            names::shown(&next.origin().ascii_serialization()),
            first.origin().ascii_serialization()
        ));
    }
    if next.path() != first.path() {
        return Err(format!(
            "the next page {} is not this repository's tag list ({}); refused",
            names::shown(next.path()),
            first.path()
        ));
    }
    Ok(Some(next))
}

impl Registry {
    /// Every tag of `repository`, sorted, with the names that are not tags refused: pages
    /// followed by their `Link: <...>; rel="next"` (relative or absolute, on this registry and
    /// this repository's tag list only), or, from a registry that sends no `Link`, by
    /// `?n=&last=` while pages come full. Bounded: [`MAX_TAGS`] tags, [`MAX_PAGES`] pages,
    /// [`MAX_LIST_BYTES`] bytes; a page asked twice (a loop) or a linked page with nothing new
    /// is an error, as is a link elsewhere.
    pub async fn list_tags(&self, repository: &str) -> Result<TagList, Error> {
        self.list_tags_by(repository, PAGE).await
    }

    /// [`Registry::list_tags`] asking for `page` tags a page (at least 1), so tests can make
    /// a real registry page.
    #[doc(hidden)]
    pub async fn list_tags_by(&self, repository: &str, page: usize) -> Result<TagList, Error> {
        names::check_repository(repository)?;
        let page_size = page.max(1);
        let target = format!("{}/{repository}", self.host());
        let first = page_url(self, repository, page_size, None);
        let mut list = TagList::default();
        let mut seen_tags: HashSet<String> = HashSet::new();
        let mut seen_pages: HashSet<String> = HashSet::new();
        let mut read_bytes: u64 = 0;
        let mut linked = false;
        let mut next = Some(first.clone());
        while let Some(url) = next.take() {
            if !seen_pages.insert(url.as_str().to_owned()) {
                return Err(listing_error(
                    &target,
                    format!("the registry's pages loop: the next page {} was read before", names::shown(url.as_str())),
                ));
            }
            if seen_pages.len() > MAX_PAGES {
                return Err(listing_error(&target, format!("more than {MAX_PAGES} pages; refused")));
            }
            let (body, header) = self
                .retry()
                .run(|| async {
                    let answer = self.request(reqwest::Method::GET, &url, repository, "list tags of", &target).await?;
                    let header = link_header(&answer).map_err(|e| listing_error(&target, e))?;
                    let too_large =
                        || listing_error(&target, format!("a page larger than {MAX_PAGE_BYTES} bytes; refused"));
                    let body = self.read_body(answer, MAX_PAGE_BYTES, "list tags of", &target, too_large).await?;
                    Ok((body, header))
                })
                .await?;
            read_bytes += body.len() as u64;
            if read_bytes > MAX_LIST_BYTES {
                return Err(listing_error(&target, format!("a list larger than {MAX_LIST_BYTES} bytes; refused")));
            }
            let page = parse_page(&body).map_err(|e| listing_error(&target, e))?;
            drop(body);
            let full = page.len() >= page_size;
            let mut new = 0;
            let mut last_valid = None;
            for name in page {
                match names::check_tag(&name) {
                    Ok(()) => {
                        last_valid = Some(name.clone());
                        if seen_tags.insert(name.clone()) {
                            new += 1;
                            list.tags.push(name);
                        }
                    }
                    Err(refused) => {
                        new += 1;
                        list.refuse(refused);
                    }
                }
            }
            if list.tags.len() + list.refused_count() > MAX_TAGS {
                return Err(listing_error(&target, format!("more than {MAX_TAGS} tags; refused")));
            }
            next = match header {
                Some(header) => next_page(&url, &first, &header).map_err(|e| listing_error(&target, e))?,
                None => None,
            };
            if next.is_some() {
                linked = true;
                // A linked page that adds nothing: the registry is not paging, and what it
                // lists may be incomplete.
                if new == 0 {
                    return Err(listing_error(
                        &target,
                        format!("page {} brought no new tag but links to another; refused", seen_pages.len()),
                    ));
                }
            } else if !linked && full && new > 0 {
                // A registry without `Link`: ask from the last tag while pages come full. A full
                // page of refused names leaves nothing to ask from (a refused name is never
                // sent back): stopping there quietly could hide every tag after it.
                let Some(last) = last_valid else {
                    return Err(listing_error(
                        &target,
                        format!(
                            "page {} is full of names that are not tags and the registry sends no Link to the next; refused",
                            seen_pages.len()
                        ),
                    ));
                };
                next = Some(page_url(self, repository, page_size, Some(&last)));
            }
        }
        list.tags.sort();
        Ok(list)
    }

    /// When the image `repository:reference` was built, from its config's `created` (the
    /// first platform's for an index); `None` when the config gives none.
    pub async fn created(&self, repository: &str, reference: &str) -> Result<Option<String>, Error> {
        Registry::checked(repository, reference)?;
        let target = self.target(repository, reference);
        let top = self.get_manifest(repository, reference).await?;
        let config = match manifest::parse(&top.bytes, &target)? {
            Parsed::Image { config, .. } => config,
            Parsed::Index { children } => {
                let Some(first) = children.iter().find(|c| c.platform.as_ref().is_none_or(|p| !p.is_unknown())) else {
                    return Ok(None);
                };
                let child = self.get_manifest(repository, &first.digest).await?;
                match manifest::parse(&child.bytes, &target)? {
                    Parsed::Image { config, .. } => config,
                    Parsed::Index { .. } => return Ok(None),
                }
            }
        };
        if config.size > crate::registry::MAX_MANIFEST_BYTES {
            return Ok(None);
        }
        let bytes = crate::blob::read_small(self, repository, &config.digest, config.size).await?;
        Ok(serde_json::from_slice::<Created>(&bytes).ok().and_then(|c| c.created))
    }
}

/// The `Link` headers of an answer as one list (`None` without one); one that is not text
/// is an error.
fn link_header(answer: &reqwest::Response) -> Result<Option<String>, String> {
    let mut joined: Option<String> = None;
    for value in answer.headers().get_all(reqwest::header::LINK) {
        let text = value.to_str().map_err(|_| "the Link header is not ASCII text".to_owned())?;
        let all = joined.get_or_insert_with(String::new);
        if !all.is_empty() {
            all.push_str(", ");
        }
        all.push_str(text);
        if all.len() > link::MAX_LINK_HEADER {
            return Err(format!("the Link headers are longer than {} bytes", link::MAX_LINK_HEADER));
        }
    }
    Ok(joined)
}
