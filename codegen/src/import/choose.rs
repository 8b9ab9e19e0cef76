//! One page per action, chosen by rule, never by file order.
//!
//! UCloud's catalogue documents some actions on several pages: a current page and a
//! superseded one (a title marked `(旧)`, the older template, an older copy of the product's
//! folder such as `vpc2.0-api` beside `vpc-api`, a second file name for the same page), or a
//! `*_json` page, which is the same action called with a JSON body: another way to call it, not
//! a second definition of its fields. The rules below are tried in order; each one that tells
//! the pages apart drops those it finds superseded:
//!
//! 1. [`Rule::JsonBody`]: a page of the form-encoded call wins over a JSON-body page;
//! 2. [`Rule::MarkedOld`]: a page whose title does not mark it old wins over one that does;
//! 3. [`Rule::LegacyLayout`]: a page in today's layout wins over the older template;
//! 4. [`Rule::UnlistedFolder`]: a page of a folder the catalogue's navigation lists wins over
//!    one of a folder it does not list (an older copy of a product's folder);
//! 5. [`Rule::NotInSidebar`]: a page its product's sidebar links to wins over one no sidebar
//!    links to.
//!
//! Pages that remain and say the same (the same action, models and enums once imported) are one
//! page written twice; pages that remain and disagree are a conflict no rule settles, which the
//! caller refuses by the action's name.

/// One page of an action, with what the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// How the page is named in messages (its path).
    pub page: String,
    /// The product (folder) the page belongs to.
    pub product: String,
    /// A `*_json` page: the action called with a JSON body.
    pub json_body: bool,
    /// The title marks the page as the old one (`(旧)`).
    pub marked_old: bool,
    /// The older template (`# Response Elements`).
    pub legacy_layout: bool,
    /// Its folder is one the catalogue's navigation lists; `true` when there is no navigation.
    pub listed: bool,
    /// Its product's sidebar links to it; `true` when there is no sidebar.
    pub linked: bool,
    /// Pages with the same content key say the same (their imports are equal).
    pub content: u64,
}

/// A rule by which a page loses to another of the same action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    JsonBody,
    MarkedOld,
    LegacyLayout,
    UnlistedFolder,
    NotInSidebar,
}

impl Rule {
    const ALL: [Rule; 5] =
        [Rule::JsonBody, Rule::MarkedOld, Rule::LegacyLayout, Rule::UnlistedFolder, Rule::NotInSidebar];

    /// Whether a page loses by this rule (when some other page does not).
    fn loses(self, c: &Candidate) -> bool {
        match self {
            Rule::JsonBody => c.json_body,
            Rule::MarkedOld => c.marked_old,
            Rule::LegacyLayout => c.legacy_layout,
            Rule::UnlistedFolder => !c.listed,
            Rule::NotInSidebar => !c.linked,
        }
    }

    /// Why a page lost, as the batch prints it.
    pub fn why(self) -> &'static str {
        match self {
            Rule::JsonBody => "a JSON-body page is another way to call the action, not a definition of its fields",
            Rule::MarkedOld => "its title marks it old",
            Rule::LegacyLayout => "it is in the older layout",
            Rule::UnlistedFolder => "its folder is not in the catalogue's navigation (an older copy of a product)",
            Rule::NotInSidebar => "its product's sidebar does not link to it",
        }
    }
}

/// What the rules made of an action's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The page to import (an index into the candidates), and each other page with the rule
    /// it lost by (`None`: it says the same as the chosen page).
    One { chosen: usize, dropped: Vec<(usize, Option<Rule>)> },
    /// Pages that disagree and that no rule tells apart.
    Unsettled { left: Vec<usize> },
}

impl Choice {
    /// Pages dropped although they said something else: the conflicts the rules resolved.
    pub fn conflicts(&self, candidates: &[Candidate]) -> usize {
        match self {
            Choice::One { chosen, dropped } => {
                dropped.iter().filter(|(at, _)| candidates[*at].content != candidates[*chosen].content).count()
            }
            Choice::Unsettled { .. } => 0,
        }
    }
}

/// Picks one page of an action by the rules of this module.
pub fn choose(candidates: &[Candidate]) -> Choice {
    let mut left: Vec<usize> = (0..candidates.len()).collect();
    let mut dropped = Vec::new();
    for rule in Rule::ALL {
        let (losing, winning): (Vec<usize>, Vec<usize>) = left.iter().partition(|at| rule.loses(&candidates[**at]));
        if !losing.is_empty() && !winning.is_empty() {
            dropped.extend(losing.into_iter().map(|at| (at, Some(rule))));
            left = winning;
        }
    }
    let first = left[0];
    let same = |at: &usize| candidates[*at].content == candidates[first].content;
    let one_product = left.iter().all(|at| candidates[*at].product == candidates[first].product);
    if !(left.iter().all(same) && one_product) {
        return Choice::Unsettled { left };
    }
    dropped.extend(left[1..].iter().map(|at| (*at, None)));
    dropped.sort();
    Choice::One { chosen: first, dropped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, content: u64) -> Candidate {
        let product = path.split('/').next().unwrap_or_default().trim_end_matches("-api").to_owned();
        Candidate {
            page: path.into(),
            product,
            json_body: path.ends_with("_json.md"),
            marked_old: false,
            legacy_layout: false,
            listed: true,
            linked: true,
            content,
        }
    }

    #[test]
    fn a_json_body_page_never_defines_the_fields_even_when_the_sidebar_links_only_to_it() {
        let form = Candidate { linked: false, ..page("ulb-api/create_rule.md", 1) };
        let json = page("ulb-api/create_rule_json.md", 2);
        let choice = choose(&[json.clone(), form.clone()]);
        assert_eq!(choice, Choice::One { chosen: 1, dropped: vec![(0, Some(Rule::JsonBody))] });
        assert_eq!(choice.conflicts(&[json, form]), 1);
    }

    #[test]
    fn the_old_page_loses_whatever_the_file_order() {
        let old = Candidate { marked_old: true, ..page("uhost-api/create_uhost_instance_old.md", 1) };
        let new = page("uhost-api/create_uhost_instance.md", 2);
        for (pages, chosen) in [(vec![old.clone(), new.clone()], 1), (vec![new, old], 0)] {
            let Choice::One { chosen: got, dropped } = choose(&pages) else { panic!("unsettled") };
            assert_eq!(got, chosen);
            assert_eq!(dropped, [(1 - chosen, Some(Rule::MarkedOld))]);
        }
    }

    #[test]
    fn the_older_layout_an_unlisted_folder_and_an_unlinked_page_lose_in_that_order() {
        let legacy = Candidate { legacy_layout: true, ..page("unetworkacl-api/create_network_acl.md", 1) };
        let copy = Candidate { listed: false, ..page("vpc2.0-api/create_network_acl.md", 2) };
        let current = page("vpc-api/create_network_acl.md", 3);
        let choice = choose(&[legacy, copy, current]);
        assert_eq!(
            choice,
            Choice::One { chosen: 2, dropped: vec![(0, Some(Rule::LegacyLayout)), (1, Some(Rule::UnlistedFolder))] }
        );
        let twin = Candidate { linked: false, ..page("uk8s-api/del_uk_8s_cluster.md", 1) };
        let linked = page("uk8s-api/del_uk8s_cluster.md", 2);
        assert_eq!(choose(&[twin, linked]), Choice::One { chosen: 1, dropped: vec![(0, Some(Rule::NotInSidebar))] });
    }

    #[test]
    fn pages_that_say_the_same_are_one_page_and_no_conflict() {
        let pages = [page("ussl-api/get_certificate.md", 7), page("ussl-api/get_cert.md", 7)];
        let choice = choose(&pages);
        assert_eq!(choice, Choice::One { chosen: 0, dropped: vec![(1, None)] });
        assert_eq!(choice.conflicts(&pages), 0);
    }

    #[test]
    fn pages_that_disagree_and_no_rule_tells_apart_are_unsettled() {
        let pages = [
            page("ucompshare-api/create_ul_host_instance.md", 1),
            page("ulighthost-api/create_ul_host_instance.md", 2),
        ];
        assert_eq!(choose(&pages), Choice::Unsettled { left: vec![0, 1] });
        // The same text in two products: which product owns the action is not settled either.
        let pages = [page("ucompshare-api/get_ul_host.md", 1), page("ulighthost-api/get_ul_host.md", 1)];
        assert_eq!(choose(&pages), Choice::Unsettled { left: vec![0, 1] });
    }
}
