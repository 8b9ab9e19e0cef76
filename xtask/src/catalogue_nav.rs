//! What a catalogue of pages says about which pages are current, beside the pages themselves:
//! the navigation of the whole catalogue (`apinav.json` beside the product folders, which lists
//! each product's folder) and each product's sidebar (`<folder>/_sidebar.md`, which links to
//! its pages as `(api/<folder>/<page>)`). Where a catalogue has neither, nothing is ruled out.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The folders a navigation lists and the pages sidebars link to.
#[derive(Debug, Default)]
pub struct Navigation {
    /// Folder names the catalogue's navigation lists; `None` when no navigation was found.
    listed: Option<BTreeSet<String>>,
    /// Folders that have a sidebar, and the (folder, page stem) pairs sidebars link to.
    sidebars: BTreeSet<String>,
    linked: BTreeSet<(String, String)>,
}

impl Navigation {
    /// Reads the navigation found in, or right above, the folders given, and the sidebars of
    /// the folders the pages are in.
    pub fn read(given: &[PathBuf], pages: &[PathBuf]) -> Navigation {
        let mut nav = Navigation::default();
        let places = given.iter().filter(|p| p.is_dir()).flat_map(|d| [Some(d.as_path()), d.parent()]).flatten();
        for place in places {
            if let Ok(text) = fs::read_to_string(place.join("apinav.json")) {
                nav.listed.get_or_insert_with(BTreeSet::new).extend(folders_in(&text));
            }
        }
        let folders: BTreeSet<&Path> = pages.iter().filter_map(|p| p.parent()).collect();
        for folder in folders {
            let Ok(text) = fs::read_to_string(folder.join("_sidebar.md")) else { continue };
            nav.sidebars.insert(name(folder));
            nav.linked.extend(links_in(&text));
        }
        nav
    }

    /// Whether the page's folder is one the navigation lists (or there is no navigation).
    pub fn listed(&self, page: &Path) -> bool {
        let folder = page.parent().map(name).unwrap_or_default();
        self.listed.as_ref().is_none_or(|l| l.contains(&folder))
    }

    /// Whether a sidebar links to the page (or its folder has no sidebar).
    pub fn linked(&self, page: &Path) -> bool {
        let folder = page.parent().map(name).unwrap_or_default();
        let stem = page.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        !self.sidebars.contains(&folder) || self.linked.contains(&(folder, stem))
    }
}

fn name(folder: &Path) -> String {
    folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The folders a navigation file links to: every `/api/<folder>/` in it.
fn folders_in(text: &str) -> BTreeSet<String> {
    text.split("/api/").skip(1).filter_map(|rest| rest.split_once('/')).map(|(folder, _)| folder.to_owned()).collect()
}

/// The (folder, page) pairs a sidebar links to: `(api/<folder>/<page>)`, `.md` or not.
fn links_in(text: &str) -> BTreeSet<(String, String)> {
    text.split("(api/")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .filter_map(|(target, _)| target.split_once('/'))
        .map(|(folder, page)| (folder.to_owned(), page.trim_end_matches(".md").to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_and_sidebars_are_read_as_links() {
        let nav =
            r#"{"api": [{"links": "/api/vpc-api/README", "name": "VPC"}, {"links": "/api/ulb-api/index?id=alb"}]}"#;
        assert_eq!(folders_in(nav), BTreeSet::from(["vpc-api".to_owned(), "ulb-api".to_owned()]));
        let sidebar = "- [概览](api/ulb-api/README.md)\n    - [创建 - CreateRule](api/ulb-api/create_rule_json)\n";
        assert_eq!(
            links_in(sidebar),
            BTreeSet::from([
                ("ulb-api".to_owned(), "README".to_owned()),
                ("ulb-api".to_owned(), "create_rule_json".to_owned())
            ])
        );
    }
}
