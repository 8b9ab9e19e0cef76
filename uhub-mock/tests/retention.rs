//! What retention tools need from the mock: tags sharing a digest, deleting one name leaving
//! its aliases, push times placed by the test, and a time no client can read.

use std::time::Duration;

use uhub_mock::{Image, MockUHub, Repo, UNREADABLE_TIME};
use uhub_sdk::{Client, RetryPolicy, TagSet};

const LIMIT: Duration = Duration::from_secs(20);

async fn tags(client: &Client, repo: &str, image: &str) -> Vec<TagSet> {
    let listing = client.get_image_tag(repo, image).limit(100);
    tokio::time::timeout(LIMIT, listing).await.expect("in time").expect("listing succeeds").tag_set
}

#[tokio::test]
async fn deleting_a_tag_by_name_leaves_its_aliases() {
    let mock = MockUHub::builder()
        .repo(Repo::new("r").image(Image::new("app").tags(["v1", "v2"]).alias("latest", "v2")))
        .start()
        .await
        .unwrap();
    let client = mock.client_builder().retry_policy(RetryPolicy::disabled()).build().unwrap();
    let before = tags(&client, "r", "app").await;
    let digest = |tags: &[TagSet], name: &str| tags.iter().find(|t| t.tag_name == name).and_then(|t| t.digest.clone());
    assert_eq!(digest(&before, "latest"), digest(&before, "v2"));

    let delete = client.delete_repo_image("r", "app").tag_name("v2");
    tokio::time::timeout(LIMIT, delete).await.unwrap().unwrap();

    let after = tags(&client, "r", "app").await;
    let names: Vec<&str> = after.iter().map(|t| t.tag_name.as_str()).collect();
    assert_eq!(names, ["latest", "v1"]);
    assert_eq!(digest(&after, "latest"), digest(&before, "v2"));
}

#[tokio::test]
async fn tags_carry_the_push_times_the_test_gave_and_list_newest_first() {
    let mock = MockUHub::builder()
        .repo(
            Repo::new("r").image(
                Image::new("app")
                    .tag_at("recent", 1_700_000_000)
                    .tag_at("old", 1_600_000_000)
                    .tag_with_unreadable_time("odd"),
            ),
        )
        .clock(1_650_000_000)
        .start()
        .await
        .unwrap();
    mock.set_drift(true); // times as Unix seconds, which need no time zone to compare
    let client = mock.client_builder().build().unwrap();
    let listed: Vec<(String, String)> =
        tags(&client, "r", "app").await.into_iter().map(|t| (t.tag_name, t.update_time.raw().to_owned())).collect();
    // "odd" was pushed on the fake clock, which the builder set between the two given times.
    assert_eq!(
        listed,
        [
            ("recent".to_owned(), "1700000000".to_owned()),
            ("odd".to_owned(), UNREADABLE_TIME.to_owned()),
            ("old".to_owned(), "1600000000".to_owned()),
        ]
    );
}

#[tokio::test]
async fn the_clock_set_while_running_stamps_later_changes() {
    let mock = MockUHub::builder().drift(true).start().await.unwrap();
    let client = mock.client_builder().build().unwrap();
    mock.set_clock(1_800_000_000);
    // A minute per change: the repository, then the image with its first tag.
    mock.add_repo(Repo::new("r").image(Image::new("app").tags(["v1"])));
    let listed = tags(&client, "r", "app").await;
    assert_eq!(listed[0].update_time, "1800000120");
}
