//! Tag lists page by page as registries page them: docker-registry's own `n=` with `Link`,
//! and loopback servers paging like Docker Hub, GHCR, Quay and Harbor, or not paging at all;
//! a `Link` elsewhere, an endless chain and a loop end with an error.

use std::sync::Arc;

use uhub_loopback::{Handler, Received, Reply, Server};
use uhub_registry::tags::MAX_PAGES;
use uhub_registry::{Credentials, Error, Registry, RetryPolicy};
use uhub_testreg::{Kind, Proxy, Registry as TestRegistry, image};

fn anonymous(host: &str) -> Registry {
    let retry = RetryPolicy { attempts: 3, first_pause: std::time::Duration::from_millis(10) };
    Registry::with_retry(host, Credentials::Anonymous, retry).unwrap()
}

/// `t000` ... `t249`, sorted as registries sort them.
fn all_tags() -> Vec<String> {
    (0..250).map(|n| format!("t{n:03}")).collect()
}

/// The value of `name` in the request's query.
fn param<'a>(request: &'a Received, name: &str) -> Option<&'a str> {
    let query = request.path.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// A server listing [`all_tags`] 100 a page whatever `n` says, the next page found by
/// `next_of(addr, last tag of this page)` and written as `Link` by `link`.
async fn paging_server(link: impl Fn(&str, &str) -> String + Send + Sync + 'static) -> Server {
    let link = Arc::new(link);
    Server::start(Handler::new(move |request| {
        if request.path == "/v2/" {
            return Reply::json("{}");
        }
        let tags = all_tags();
        let from = match param(request, "last") {
            Some(last) => tags.iter().position(|t| t == last).map_or(tags.len(), |i| i + 1),
            None => 0,
        };
        let page: Vec<&String> = tags.iter().skip(from).take(100).collect();
        let body = serde_json::json!({ "name": "o/app", "tags": page }).to_string();
        let host = request.header("host").unwrap_or_default().to_owned();
        match page.last() {
            Some(last) if from + page.len() < tags.len() => Reply::json(body).header("Link", link(&host, last)),
            _ => Reply::json(body),
        }
    }))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_registry_paged_by_100_gives_all_250_tags() {
    let reg = TestRegistry::start();
    let pushed = image::push_image(&reg.target(), "app", "t000", &[100], 1).await;
    for tag in all_tags().iter().skip(1) {
        image::tag_manifest(&reg.target(), "app", &pushed.digest, tag).await;
    }
    let proxy = Proxy::counting(&reg.host());
    let list = anonymous(&proxy.host()).list_tags_by("app", 100).await.unwrap();
    assert_eq!(list.tags, all_tags());
    assert_eq!(list.refused_count(), 0);
    // docker-registry (2.8) pages in its own order, so how many pages is its business; each
    // after the first is where its `Link` said (`last=`), and none is asked twice.
    let seen: Vec<String> = proxy.requests_seen().into_iter().map(|(_, path)| path).collect();
    assert!(seen.len() >= 2 && seen[0] == "/v2/app/tags/list?n=100", "{seen:?}");
    assert!(seen[1..].iter().all(|p| p.starts_with("/v2/app/tags/list?") && p.contains("last=")), "{seen:?}");
    assert_eq!(seen.iter().collect::<std::collections::HashSet<_>>().len(), seen.len(), "{seen:?}");
    assert_eq!(proxy.counts().requests("GET", Kind::Tags), seen.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_registrys_link_is_followed_to_the_last_page() {
    type Link = fn(&str, &str) -> String;
    let ways: [(&str, Link); 5] = [
        // Docker Hub: absolute.
        ("docker hub", |host, last| format!("<http://{host}/v2/o/app/tags/list?last={last}&n=100>; rel=\"next\"")),
        // GHCR: relative, n and last.
        ("ghcr", |_, last| format!("</v2/o/app/tags/list?n=100&last={last}>; rel=\"next\"")),
        // Quay: relative, an extra parameter, unquoted rel among other links.
        ("quay", |_, last| {
            format!("</v2/o/app/tags/list?n=50&last={last}&next_page=gAAAA{last}>;rel=next, </help>; rel=\"help\"")
        }),
        // Harbor: absolute with last=, several rels.
        ("harbor", |host, last| {
            format!("<http://{host}/v2/o/app/tags/list?last={last}&n=100>; rel=\"prev next\"; title=\"more, later\"")
        }),
        // A relative reference without the path.
        ("query only", |_, last| format!("<?last={last}>; rel=\"next\"")),
    ];
    for (name, link) in ways {
        let server = paging_server(link).await;
        let list =
            anonymous(&server.addr().to_string()).list_tags("o/app").await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(list.tags, all_tags(), "{name}");
        let pages = server.requests().iter().filter(|r| r.path.starts_with("/v2/o/app/tags/list")).count();
        assert_eq!(pages, 3, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_link_full_pages_are_followed_by_last() {
    let server = Server::start(Handler::new(|request| {
        if request.path == "/v2/" {
            return Reply::json("{}");
        }
        let n: usize = param(request, "n").and_then(|n| n.parse().ok()).unwrap_or(1000);
        let tags = all_tags();
        let from = param(request, "last").map_or(0, |last| tags.iter().position(|t| t == last).unwrap() + 1);
        let page: Vec<&String> = tags.iter().skip(from).take(n).collect();
        Reply::json(serde_json::json!({ "name": "o/app", "tags": page }).to_string())
    }))
    .await;
    let list = anonymous(&server.addr().to_string()).list_tags_by("o/app", 100).await.unwrap();
    assert_eq!(list.tags, all_tags());
    // Three full or short pages, and one more after the last full one.
    assert_eq!(server.requests().iter().filter(|r| r.path.contains("/tags/list")).count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_page_of_refused_names_without_link_is_an_error_not_the_end() {
    // Three names a page, none of them a tag, and no Link: nothing valid to ask `last=` from.
    let server = Server::start(Handler::new(|request| {
        if request.path == "/v2/" {
            return Reply::json("{}");
        }
        Reply::json(r#"{"name":"o/app","tags":["../a","-b","c/../d"]}"#)
    }))
    .await;
    let err = anonymous(&server.addr().to_string()).list_tags_by("o/app", 3).await.unwrap_err();
    let err = err.to_string();
    assert!(err.contains("page 1 is full of names that are not tags") && err.ends_with("refused"), "{err}");
    assert_eq!(server.requests().iter().filter(|r| r.path.contains("/tags/list")).count(), 1);
}

/// The error `list_tags` ends with against a server answering `reply` to every tag list.
async fn listing_error(reply: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> (String, usize) {
    let server = Server::start(Handler::new(
        move |request| if request.path == "/v2/" { Reply::json("{}") } else { reply(request) },
    ))
    .await;
    let err = anonymous(&server.addr().to_string()).list_tags("o/app").await.unwrap_err();
    assert!(matches!(err, Error::Registry { action: "list tags of", .. }), "{err:?}");
    let pages = server.requests().iter().filter(|r| r.path.contains("/tags/list")).count();
    (err.to_string(), pages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_elsewhere_is_an_error_naming_it_and_is_not_followed() {
    for (link, names) in [
        ("<http://localhost:1/v2/o/app/tags/list?last=a>; rel=\"next\"", "http://localhost:1"),
        ("<https://evil.example/v2/o/app/tags/list>; rel=\"next\"", "https://evil.example"),
        ("<//evil.example/v2/o/app/tags/list>; rel=\"next\"", "http://evil.example"),
        ("</v2/other/tags/list?last=a>; rel=\"next\"", "\"/v2/other/tags/list\""),
        ("</v2/o/app/manifests/latest>; rel=\"next\"", "\"/v2/o/app/manifests/latest\""),
        ("</v2/o/app/tags/list/../../../../api/v2.0/projects>; rel=\"next\"", "\"/v2/api/v2.0/projects\""),
    ] {
        let link = link.to_owned();
        let (err, pages) =
            listing_error(move |_| Reply::json(r#"{"name":"o/app","tags":["a"]}"#).header("Link", link.clone())).await;
        assert!(err.contains(names) && err.ends_with("refused"), "{link_shown}: {err}", link_shown = names);
        assert_eq!(pages, 1, "{err}");
    }
    let (err, _) = listing_error(|_| Reply::json(r#"{"tags":["a"]}"#).header("Link", "</x; rel=next")).await;
    assert!(err.contains("the Link header has a < without its >"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_chain_ends_at_the_page_bound() {
    // Each page a new tag and a link to the page after it.
    let (err, pages) = listing_error(|request| {
        let k: u64 = param(request, "k").and_then(|k| k.parse().ok()).unwrap_or(0);
        Reply::json(format!(r#"{{"name":"o/app","tags":["t{k}"]}}"#))
            .header("Link", format!("</v2/o/app/tags/list?k={}>; rel=\"next\"", k + 1))
    })
    .await;
    assert!(err.contains("/o/app: more than 2000 pages; refused"), "{err}");
    assert_eq!(pages, MAX_PAGES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loop_or_a_chain_of_empty_pages_is_an_error() {
    // Page 1 links to page 2, page 2 to page 3, which links back to page 2.
    let (err, pages) = listing_error(|request| {
        let k = param(request, "k").unwrap_or("1");
        let next = if k == "1" {
            "2"
        } else if k == "2" {
            "3"
        } else {
            "2"
        };
        Reply::json(format!(r#"{{"name":"o/app","tags":["t{k}"]}}"#))
            .header("Link", format!("</v2/o/app/tags/list?k={next}>; rel=\"next\""))
    })
    .await;
    assert!(err.contains("the registry's pages loop: the next page") && err.contains("k=2"), "{err}");
    assert_eq!(pages, 3);
    // New URLs, never a new tag.
    let (err, pages) = listing_error(|request| {
        let k: u64 = param(request, "k").and_then(|k| k.parse().ok()).unwrap_or(0);
        Reply::json(r#"{"name":"o/app","tags":[]}"#)
            .header("Link", format!("</v2/o/app/tags/list?k={}>; rel=next", k + 1))
    })
    .await;
    assert!(err.contains("page 1 brought no new tag but links to another; refused"), "{err}");
    assert_eq!(pages, 1);
}
