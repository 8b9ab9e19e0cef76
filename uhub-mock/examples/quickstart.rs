//! The README's main command: `cargo run --example quickstart`.
//!
//! Starts a fake UHub in this process (no account, no network), then uses the SDK as a real
//! program would: lists repositories, the images of one, and every tag of an image page by
//! page.

use futures::TryStreamExt;
use uhub_mock::MockUHub;
use uhub_sdk::RepoType;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockUHub::builder().seed_demo().start().await?;
    println!("fake UHub at {} (demo data)\n", mock.base_url());

    // Against the real service: Client::from_env()? or
    // Client::builder().keys(public, private).endpoint(Endpoint::UCloud).build()?
    let client = mock.client_builder().build()?;

    println!("{:<12} {:<8} {:<20} DESCRIPTION", "REPOSITORY", "KIND", "UPDATED");
    for kind in [RepoType::Public, RepoType::Private] {
        let repos = client.get_repo().repo_type(kind.clone()).into_paginator().collect_all().await?;
        for repo in repos {
            println!("{:<12} {:<8} {:<20} {}", repo.repo_name, kind.as_str(), repo.update_time, repo.description);
        }
    }

    println!("\nimages in web:");
    println!("{:<12} {:>8} {:<10} UPDATED", "IMAGE", "PULLS", "LATEST");
    for image in client.get_repo_image("web").await?.image_set {
        println!("{:<12} {:>8} {:<10} {}", image.image_name, image.pull_count, image.latest_tag, image.update_time);
    }

    println!("\ntags of web/nginx, newest first, 100 per page:");
    let mut pages = client.get_image_tag("web", "nginx").into_paginator().page_size(100).pages();
    let mut number = 0;
    while let Some(page) = pages.try_next().await? {
        number += 1;
        let first = page.items.first().map_or("", |t| t.tag_name.as_str());
        let last = page.items.last().map_or("", |t| t.tag_name.as_str());
        println!("page {number}: {:>3} tags  {first} .. {last}  (total {})", page.items.len(), page.total);
    }

    let one = client.get_image_tag("web", "nginx").tag_name("1.3.19").await?;
    if let Some(tag) = one.tag_set.first() {
        println!(
            "\nweb/nginx:{} pushed {} digest {}",
            tag.tag_name,
            tag.update_time,
            tag.digest.as_deref().unwrap_or("-")
        );
    }
    println!("\n{} requests served, every one signature-checked", mock.total_requests());
    Ok(())
}
