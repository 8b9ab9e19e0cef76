//! The doc importer on pages written for these tests (tests/pages/), and merging into the spec.

use std::path::Path;

use uhub_codegen::import::{Refused, import, merge};
use uhub_codegen::spec;

fn page(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages").join(name)).unwrap()
}

fn real_spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/uhub.json")).unwrap()
}

#[test]
fn chinese_page_maps_params_fields_models_and_example() {
    let i = import(&page("zh_get_image_tag.md")).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    let a = &i.action;
    assert_eq!(a.name, "GetImageTag");
    assert_eq!(a.description, "列出一个镜像的全部标签。");
    let params: Vec<_> = a.request.iter().map(|p| (p.name.as_str(), p.ty.clone(), p.required)).collect();
    assert_eq!(
        params,
        [
            ("RepoName", "string".into(), true),
            ("ImageName", "string".into(), true),
            ("Offset", "int".into(), false),
            ("Limit", "int".into(), false),
            ("TagName", "string".into(), false)
        ]
    );
    let fields: Vec<_> = a.response.iter().map(|f| (f.name.as_str(), f.ty.clone())).collect();
    assert_eq!(fields, [("TotalCount", "int".into()), ("TagSet", "array[TagSet]".into())]);
    assert_eq!(i.models.len(), 1);
    assert_eq!(i.models[0].fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["UpdateTime", "TagName"]);
    // The page repeats ProjectId; the first value is kept, and ints are typed.
    let ex = &a.examples[0];
    assert_eq!(ex.request["ProjectId"], "p1");
    assert_eq!(ex.request["Limit"], 5);
    assert_eq!(ex.response["TotalCount"], "1");
}

#[test]
fn english_page_with_nested_models_and_arrays_of_scalars() {
    let i = import(&page("en_nested.md")).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    assert_eq!(i.action.name, "DescribePipeline");
    assert!(i.action.idempotent, "Describe actions read only");
    assert_eq!(i.action.request[0].ty, "array[string]");
    assert_eq!(i.action.request[1].ty, "bool");
    let names: Vec<_> = i.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Pipeline", "Stage", "Person"]);
    assert_eq!(i.models[0].fields[1].ty, "array[Stage]");
    assert_eq!(i.models[0].fields[2].ty, "Person");
    // The imported entry is a valid spec once added to one.
    let mut s = spec::parse(&real_spec()).unwrap();
    merge(&mut s, i);
    uhub_codegen::load(&spec::to_text(&s)).expect("merged spec is valid");
}

#[test]
fn malformed_page_reports_each_problem_instead_of_guessing() {
    let i = import(&page("en_malformed.md")).unwrap();
    let expected = [
        "line 11: request.Ratio: unknown type \"decimal\"; skipped",
        "line 12: table row has 3 cells, expected 4; skipped",
        "line 14: Maybe: required column \"sometimes\" is not Yes or No; taken as No",
        "models.Missing: referenced but no table describes it; the fields of that type are skipped",
        "line 24: model table Orphan is not referenced by any field; skipped",
    ];
    for e in expected {
        assert!(i.problems.iter().any(|p| p == e), "missing {e:?} in {:#?}", i.problems);
    }
    assert_eq!(i.problems.len(), expected.len(), "{:#?}", i.problems);
    // A broken example is the example's problem, not the API's.
    assert!(i.warnings.iter().any(|w| w.starts_with("response example is not JSON")), "{:#?}", i.warnings);
    let params: Vec<_> = i.action.request.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["Good", "Maybe"]);
    // The field of the undescribed type is left out with it, so what is imported is valid.
    assert!(i.action.response.is_empty(), "{:?}", i.action.response);
    let mut s = spec::parse(&real_spec()).unwrap();
    merge(&mut s, i);
    uhub_codegen::load(&spec::to_text(&s)).expect("merged spec is valid");
}

#[test]
fn a_page_that_is_not_an_api_page_is_an_error() {
    assert_eq!(
        import("hello\nworld").unwrap_err().to_string(),
        "not an API page: no title line of the form `# <summary> - <Action>` (markdown) \
         or `<summary> - <Action>` (page text)"
    );
    let refused = |page: &str| match import(page).unwrap_err() {
        Refused::NotApi(why) => why,
        other => panic!("{other:?}"),
    };
    assert!(refused("# Release notes\n\nnothing").contains("does not end with ` - <Action>` or `-<Action>`"));
    assert!(refused("# Notes - GetThing\n\n## Overview\n\ntext").contains("no request-parameter"));
    assert!(refused("# Disk types-reference\n\n| a | b |\n|---|---|").contains("does not end with"));
}

#[test]
fn importing_an_existing_action_keeps_hand_set_parts_and_generated_code() {
    let text = real_spec();
    let before = uhub_codegen::generate(&text).unwrap();
    let mut s = spec::parse(&text).unwrap();
    let notes = merge(&mut s, import(&page("zh_get_image_tag.md")).unwrap());
    assert_eq!(notes, Vec::<String>::new());
    let merged = spec::to_text(&s);
    assert_eq!(merged, text, "nothing differs, so the spec is unchanged");
    assert_eq!(uhub_codegen::generate(&merged).unwrap(), before);
}

#[test]
fn merge_adds_new_params_and_reports_changed_flags() {
    let mut s = spec::parse(&real_spec()).unwrap();
    let mut i = import(&page("zh_get_image_tag.md")).unwrap();
    i.action.request[3].required = true; // Limit
    i.action.request.push(i.action.request[4].clone());
    i.action.request[5].name = "Sort".into();
    let notes = merge(&mut s, i);
    assert_eq!(
        notes,
        ["actions.GetImageTag.request.Limit: required false → true", "actions.GetImageTag.request.Sort: added"]
    );
    let a = s.actions.iter().find(|a| a.name == "GetImageTag").unwrap();
    assert!(a.idempotent && a.pagination.is_some(), "hand-set parts kept");
}

#[test]
fn spec_file_is_in_canonical_form() {
    let text = real_spec();
    assert!(
        spec::to_text(&spec::parse(&text).unwrap()) == text,
        "spec/uhub.json is not in canonical form (key order, indentation); run `cargo xtask fmt-spec`"
    );
}

// ---------------------------------------------------------------------------------------------
// Merging the new shapes

/// The real spec with `page` merged in, as text, and the notes the merge printed.
fn merged(page_name: &str) -> (String, Vec<String>) {
    let mut s = spec::parse(&real_spec()).unwrap();
    let i = uhub_codegen::import::import_for(&page(page_name), &s).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    let notes = merge(&mut s, i);
    (spec::to_text(&s), notes)
}

#[test]
fn a_page_with_lists_of_objects_nested_models_and_enums_merges_into_a_spec_that_generates() {
    let (text, notes) = merged("en_start_deploy_job.md");
    assert_eq!(
        notes,
        [
            "models.MountSpec: added",
            "models.StartDeployJobRule: added",
            "models.StartDeployJobSchedule: added",
            "actions.StartDeployJob: added; review its idempotency, pagination and descriptions",
            "enums.StartDeployJobStrategy: added, proposed from the page (values rolling, recreate)",
        ]
    );
    let files = uhub_codegen::generate(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(files.iter().any(|f| f.path == "start_deploy_job.rs"), "a module for the action");
    let types = &files.iter().find(|f| f.path == "types.rs").unwrap().contents;
    for item in ["pub struct MountSpec", "pub struct StartDeployJobRule", "pub enum StartDeployJobStrategy"] {
        assert!(types.contains(item), "no `{item}` in types.rs");
    }
}

#[test]
fn pages_with_floats_merge_into_a_spec_that_generates() {
    for name in ["zh_create_build_runner.md", "plain_get_webhook_log.txt"] {
        let (text, _) = merged(name);
        uhub_codegen::generate(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_hand_set_time_is_kept_over_the_page_s_string_or_int() {
    let mut s = spec::parse(&real_spec()).unwrap();
    let tag_set = s.models.iter_mut().find(|m| m.name == "TagSet").unwrap();
    tag_set.fields.iter_mut().find(|f| f.name == "UpdateTime").unwrap().ty = "time".into();
    let before = s.clone();
    assert_eq!(merge(&mut s, import(&page("zh_get_image_tag.md")).unwrap()), Vec::<String>::new());
    let as_int = page("zh_get_image_tag.md").replace("| **UpdateTime** | string |", "| **UpdateTime** | int |");
    assert_eq!(merge(&mut s, import(&as_int).unwrap()), Vec::<String>::new());
    assert_eq!(s, before);
}

#[test]
fn a_proposed_enum_is_added_only_when_a_merged_field_uses_it() {
    let mut s = spec::parse(&real_spec()).unwrap();
    merge(&mut s, import(&page("en_start_deploy_job.md")).unwrap());
    // The maintainer types Strategy with an enum of their own.
    let action = s.actions.iter_mut().find(|a| a.name == "StartDeployJob").unwrap();
    action.request.iter_mut().find(|p| p.name == "Strategy").unwrap().ty = "RepoType".into();
    s.enums.retain(|e| e.name != "StartDeployJobStrategy");
    let notes = merge(&mut s, import(&page("en_start_deploy_job.md")).unwrap());
    assert_eq!(notes, Vec::<String>::new(), "the hand-set enum stays and the proposal is not added again");
    assert!(!s.enums.iter().any(|e| e.name == "StartDeployJobStrategy"));
}

#[test]
fn a_page_says_whether_it_is_marked_old_in_the_older_layout_or_a_json_body_call() {
    use uhub_codegen::import::PageFacts;
    let current = import(&page("zh_get_image_tag.md")).unwrap().page;
    assert_eq!(
        current,
        PageFacts {
            summary: "查询镜像的标签".into(),
            marked_old: false,
            legacy_layout: false,
            json_body: false,
            sent: current.sent.clone()
        }
    );
    // The request example's pairs as written, the duplicate ProjectId too.
    let sent: Vec<(&str, &str)> = current.sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        sent,
        [
            ("Action", "GetImageTag"),
            ("ProjectId", "p1"),
            ("RepoName", "r1"),
            ("ImageName", "i1"),
            ("Offset", "0"),
            ("Limit", "5"),
            ("ProjectId", "p2")
        ]
    );
    assert!(import(&page("zh_older_layout.md")).unwrap().page.legacy_layout);
    let old =
        page("zh_get_image_tag.md").replace("# 查询镜像的标签 - GetImageTag", "# 查询镜像的标签（旧） - GetImageTag");
    let facts = import(&old).unwrap().page;
    assert!(facts.marked_old && !facts.legacy_layout, "{facts:?}");
    let json = "# 读取 - ReadThing\n\n## Request Parameters\n\n| Parameter Name | Type | Description | Required |\n\
                |:---|:---|:---|:---|\n| **Id** | string | Which | **Yes** |\n\n## Response Field\n\n\
                | Field Name | Type | Description | Required |\n|:---|:---|:---|:---|\n| **RetCode** | int | Status | **Yes** |\n\n\
                ## Request Example\n\n```\ncurl -X POST https://api.ucloud.cn \\\n  -H 'Content-Type: application/json' \\\n  \
                --data '{\"Action\": \"ReadThing\", \"Id\": \"x\"}'\n```\n";
    assert!(import(json).unwrap().page.json_body);
}

#[test]
fn a_field_spelt_in_another_case_by_a_second_page_is_the_same_field() {
    let mut s = spec::parse(&real_spec()).unwrap();
    let shouting =
        page("zh_get_image_tag.md").replace("| **TagName** | string | 名称 |", "| **TAGNAME** | string | 名称 |");
    let notes = merge(&mut s, import(&shouting).unwrap());
    assert_eq!(notes, ["models.TagSet.TAGNAME: the field TagName in another case; its name is kept"]);
    let tag_set = s.models.iter().find(|m| m.name == "TagSet").unwrap();
    let names: Vec<&str> = tag_set.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("TagName")).count(), 1, "{names:?}");
}
