//! Every action through the SDK against the mock: results, state changes and the service's
//! rules for writes.

mod common;

use common::{LIMIT, client, demo};
use tokio::time::timeout;
use uhub_mock::{Code, Image, MAX_REPOS_PER_PROJECT, MockUHub, Repo};
use uhub_sdk::{Error, RepoType};

fn code_of(e: &Error) -> i64 {
    e.code().unwrap_or_else(|| panic!("expected an API error, got {e}"))
}

async fn repo_names(c: &uhub_sdk::Client, kind: RepoType, project: Option<&str>) -> Vec<String> {
    let mut call = c.get_repo().repo_type(kind).limit(100);
    if let Some(p) = project {
        call = call.project_id(p);
    }
    call.await.expect("GetRepo").repo_set.into_iter().map(|r| r.repo_name).collect()
}

#[tokio::test]
async fn get_repo_filters_by_type_with_public_as_the_default() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let default = c.get_repo().await.unwrap();
        assert_eq!(default.total_count, 2);
        let names: Vec<_> = default.repo_set.iter().map(|r| r.repo_name.as_str()).collect();
        assert_eq!(names, ["tools", "web"], "public only, by name");
        assert!(default.repo_set.iter().all(|r| r.is_shared));
        assert_eq!(repo_names(&c, RepoType::Private, None).await, ["backend", "ml-models"]);
        let web = &default.repo_set[1];
        assert_eq!(web.description, "Front-end images served to the public site");
        assert!(web.is_out_side);
        assert_eq!(web.create_time.raw().len(), "2024-03-01 08:00:00".len(), "{}", web.create_time);
        assert!(web.create_time.timestamp().is_some(), "the documented text form reads as an instant");
        // The mock asked for the type it was given.
        let log = mock.request_log();
        assert_eq!(log[0].field("Type"), None);
        assert_eq!(log[1].field("Type"), Some("private"));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn get_repo_image_lists_images_with_pull_counts_and_latest_tag() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let images = client(&mock).get_repo_image("web").await.unwrap();
        assert_eq!(images.total_count, 2);
        let nginx = &images.image_set[0];
        assert_eq!(
            (nginx.image_name.as_str(), nginx.repo_name.as_str(), nginx.pull_count, nginx.latest_tag.as_str()),
            ("nginx", "web", 15_230, "1.3.19")
        );
        assert_eq!(images.image_set[1].image_name, "node");
        let missing = client(&mock).get_repo_image("nope").await.unwrap_err();
        assert_eq!(code_of(&missing), Code::RepoNotFound.ret_code());
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn get_image_tag_pages_newest_first_and_filters_by_name() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let first = c.get_image_tag("web", "nginx").await.unwrap();
        assert_eq!(first.total_count, 320);
        assert_eq!(first.tag_set.len(), 20, "documented default Limit");
        assert_eq!(first.tag_set[0].tag_name, "1.3.19");
        assert!(first.tag_set[0].digest.as_deref().unwrap().starts_with("sha256:"));
        let later = c.get_image_tag("web", "nginx").offset(300).limit(50).await.unwrap();
        assert_eq!(later.tag_set.len(), 20);
        assert_eq!(later.tag_set.last().unwrap().tag_name, "1.0.0");
        let one = c.get_image_tag("web", "nginx").tag_name("1.2.3").await.unwrap();
        assert_eq!((one.total_count, one.tag_set[0].tag_name.as_str()), (1, "1.2.3"));
        let none = c.get_image_tag("web", "nginx").tag_name("9.9.9").await.unwrap();
        assert_eq!((none.total_count, none.tag_set.len()), (0, 0));
        let missing = c.get_image_tag("web", "apache").await.unwrap_err();
        assert_eq!(code_of(&missing), Code::ImageNotFound.ret_code());
        assert!(missing.to_string().contains("apache"), "{missing}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn paging_edge_cases() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let past = c.get_image_tag("web", "nginx").offset(1000).await.unwrap();
        assert_eq!((past.total_count, past.tag_set.len()), (320, 0), "Offset past the end");
        let zero = c.get_image_tag("web", "nginx").limit(0).await.unwrap();
        assert_eq!((zero.total_count, zero.tag_set.len()), (320, 0), "Limit 0");
        let all = c.get_image_tag("web", "nginx").limit(100_000).await.unwrap();
        assert_eq!(all.tag_set.len(), 320, "a large Limit returns everything");
        let negative = c.get_image_tag("web", "nginx").offset(-1).await.unwrap_err();
        assert_eq!(code_of(&negative), 230);
        assert!(negative.to_string().contains("Offset"), "{negative}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn create_update_and_delete_are_visible_to_the_get_actions() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let created = c.create_repo("cache").description("build cache").await.unwrap();
        assert!(created.message.as_deref().unwrap().contains("cache"));
        assert_eq!(repo_names(&c, RepoType::Private, None).await, ["backend", "cache", "ml-models"]);

        c.update_repo("cache").is_shared(true).description("shared cache").await.unwrap();
        let public = c.get_repo().await.unwrap();
        let cache = public.repo_set.iter().find(|r| r.repo_name == "cache").expect("now public");
        assert_eq!(cache.description, "shared cache");
        assert!(cache.create_time.timestamp().is_some());
        assert!(cache.update_time.timestamp() > cache.create_time.timestamp());
        // Leaving a parameter unset leaves the value alone.
        c.update_repo("cache").await.unwrap();
        assert!(c.get_repo().await.unwrap().repo_set.iter().any(|r| r.repo_name == "cache"));

        c.delete_repo("cache").await.unwrap();
        assert_eq!(repo_names(&c, RepoType::Public, None).await, ["tools", "web"]);
        let again = c.delete_repo("cache").await.unwrap_err();
        assert_eq!(code_of(&again), Code::RepoNotFound.ret_code());
        let update_missing = c.update_repo("cache").await.unwrap_err();
        assert_eq!(code_of(&update_missing), Code::RepoNotFound.ret_code());
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn created_repositories_are_private_unless_shared() {
    timeout(LIMIT, async {
        let mock = MockUHub::builder().start().await.unwrap();
        let c = client(&mock);
        c.create_repo("a").await.unwrap();
        c.create_repo("b").is_shared(true).await.unwrap();
        c.create_repo("c").is_shared(false).await.unwrap();
        assert_eq!(repo_names(&c, RepoType::Private, None).await, ["a", "c"]);
        assert_eq!(repo_names(&c, RepoType::Public, None).await, ["b"]);
        assert_eq!(mock.request_log()[1].field("IsShared"), Some("true"));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn repository_names_are_unique_and_valid() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let duplicate = c.create_repo("web").await.unwrap_err();
        assert_eq!(code_of(&duplicate), Code::RepoExists.ret_code());
        assert!(duplicate.request_id().is_some());
        let invalid = c.create_repo("Not Valid").await.unwrap_err();
        assert_eq!(code_of(&invalid), 230);
        assert!(invalid.to_string().contains("RepoName"), "{invalid}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_project_holds_at_most_eight_repositories() {
    timeout(LIMIT, async {
        let mock = demo().await; // four repositories already
        let c = client(&mock);
        for i in 4..MAX_REPOS_PER_PROJECT {
            c.create_repo(format!("extra-{i}")).await.unwrap();
        }
        let over = c.create_repo("one-too-many").await.unwrap_err();
        assert_eq!(code_of(&over), Code::RepoLimit.ret_code());
        assert!(over.to_string().contains('8'), "{over}");
        // Other projects have their own quota and their own repositories.
        c.create_repo("one-too-many").project_id("org-other").await.unwrap();
        assert_eq!(repo_names(&c, RepoType::Private, Some("org-other")).await, ["one-too-many"]);
        assert!(!repo_names(&c, RepoType::Private, None).await.contains(&"one-too-many".to_owned()));
        // Freeing a slot lets the next one in.
        c.delete_repo("extra-4").await.unwrap();
        c.create_repo("one-too-many").await.unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn only_an_empty_repository_can_be_deleted() {
    timeout(LIMIT, async {
        let mock = demo().await;
        let c = client(&mock);
        let refused = c.delete_repo("backend").await.unwrap_err();
        assert_eq!(code_of(&refused), Code::RepoNotEmpty.ret_code());
        assert!(refused.to_string().contains("2 image(s)"), "{refused}");
        c.delete_repo_image("backend", "api-server").await.unwrap();
        c.delete_repo_image("backend", "worker").await.unwrap();
        c.delete_repo("backend").await.unwrap();
        assert_eq!(repo_names(&c, RepoType::Private, None).await, ["ml-models"]);
        // An empty repository from the start is deletable too.
        c.delete_repo("tools").await.unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn deleting_an_image_removes_one_tag_or_all_of_them() {
    timeout(LIMIT, async {
        let mock = MockUHub::builder()
            .repo(Repo::new("r").image(Image::new("app").tags(["v1", "v2", "v3"])).image(Image::new("db").tags(["15"])))
            .start()
            .await
            .unwrap();
        let c = client(&mock);
        c.delete_repo_image("r", "app").tag_name("v2").await.unwrap();
        let tags: Vec<_> = c.get_image_tag("r", "app").await.unwrap().tag_set.into_iter().map(|t| t.tag_name).collect();
        assert_eq!(tags, ["v3", "v1"]);
        let gone = c.delete_repo_image("r", "app").tag_name("v2").await.unwrap_err();
        assert_eq!(code_of(&gone), Code::TagNotFound.ret_code());

        // Without TagName every tag goes, and the image with them.
        c.delete_repo_image("r", "app").await.unwrap();
        let images = c.get_repo_image("r").await.unwrap();
        assert_eq!(images.image_set.iter().map(|i| i.image_name.as_str()).collect::<Vec<_>>(), ["db"]);
        let missing = c.get_image_tag("r", "app").await.unwrap_err();
        assert_eq!(code_of(&missing), Code::ImageNotFound.ret_code());

        // Deleting the last tag by name removes the image as well.
        c.delete_repo_image("r", "db").tag_name("15").await.unwrap();
        assert_eq!(c.get_repo_image("r").await.unwrap().total_count, 0);
        c.delete_repo("r").await.unwrap();
    })
    .await
    .unwrap();
}
