//! Shapes of UCloud's whole catalogue, on pages written for these tests (tests/pages/): the
//! older layout and the title without spaces, cell quirks (escaped and unescaped pipes, rows
//! repeated), `object` and bare `array` typed by the page's evidence, references spelled
//! differently from their table, pages of another kind, and a catalogue merged page by page.

use std::path::Path;

use serde_json::json;
use uhub_codegen::import::{Catalog, Import, Refused, import, import_for, merge};
use uhub_codegen::spec::{self, Field};

fn page(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages").join(name)).unwrap()
}

fn real_spec() -> spec::Spec {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/uhub.json")).unwrap();
    spec::parse(&text).unwrap()
}

/// Fields as (name, type, required).
fn shape(fields: &[Field]) -> Vec<(String, String, bool)> {
    fields.iter().map(|f| (f.name.clone(), f.ty.to_string(), f.required)).collect()
}

fn owned(items: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    items.iter().map(|(n, t, r)| (n.to_string(), t.to_string(), *r)).collect()
}

fn model<'i>(i: &'i Import, name: &str) -> &'i spec::Model {
    i.models.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no model {name} in {:#?}", i.models))
}

#[test]
fn the_older_layout_with_a_title_without_spaces_imports_whole() {
    let i = import(&page("zh_older_layout.md")).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    assert_eq!(i.action.name, "SetMirrorSync");
    assert_eq!(i.action.description, "为一组镜像仓库设置同步方式");
    // `.n` rows are lists; `Region` is the action's own parameter.
    assert_eq!(
        shape(&i.action.request),
        owned(&[
            ("Region", "string", true),
            ("RepoIds", "array[string]", true),
            ("Weights", "array[int]", false),
            ("Mode", "string", true)
        ])
    );
    // `# Response Elements`, then `## <Model>` tables with no data-model heading.
    assert_eq!(
        shape(&i.action.response),
        owned(&[
            ("SyncSet", "array[MirrorSyncSet]", true),
            ("Targets", "array[string]", false),
            ("Owner", "AccountInfo", false)
        ])
    );
    assert_eq!(
        shape(&model(&i, "MirrorSyncSet").fields),
        owned(&[("SyncId", "string", true), ("Progress", "int", false)])
    );
    // A table without a required column: nothing is required.
    assert_eq!(
        shape(&model(&i, "AccountInfo").fields),
        owned(&[("AccountId", "string", false), ("Email", "string", false)])
    );
}

#[test]
fn a_bare_array_or_object_is_typed_by_the_page_s_evidence_and_says_which() {
    let i = import(&page("zh_older_layout.md")).unwrap();
    assert_eq!(
        i.notes,
        [
            "response.SyncSet: the page's type is `array`; its description names the table MirrorSyncSet, so it is a \
             list of MirrorSyncSet",
            "response.Targets: the page's type is `array`; the response example's items are strings, so it is a list \
             of string",
            "response.Owner: the page's type is `object`; the response example's values have the fields of the table \
             AccountInfo, so it is a AccountInfo",
        ]
    );
    // Without that evidence the items are not guessed: the row is free-form JSON, and says so.
    let text = page("zh_older_layout.md").replace(r#""Targets": ["hub.example/a", "hub.example/b"],"#, "");
    let i = import(&text).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    let targets = i.action.response.iter().find(|f| f.name == "Targets").unwrap();
    assert_eq!(targets.ty, "json");
    assert!(
        i.notes.contains(
            &"response.Targets: the page's type is `array` and nothing says of what, so it is `json` (any value, \
              kept as sent)"
                .to_owned()
        ),
        "{:#?}",
        i.notes
    );
    assert_eq!(i.action.response.len(), 3);
    // In a request the row cannot be sent: it is listed, and the rest imports.
    let text = "# 读取 - ReadThing\n\n## Request Parameters\n\n| Parameter Name | Type | Description | Required |\n\
                |:---|:---|:---|:---|\n| **Id** | string | Which | **Yes** |\n| **Targets** | array | Where | No |\n\n\
                ## Response Field\n\n| Field Name | Type | Description | Required |\n|:---|:---|:---|:---|\n\
                | **RetCode** | int | Status | **Yes** |\n";
    let i = import(text).unwrap();
    assert_eq!(
        i.problems,
        ["line 8: request.Targets: type `array` does not say of what; neither the description nor a table shows \
          the items' type, and a request cannot send free-form JSON; skipped"]
    );
}

#[test]
fn the_one_unexplained_row_takes_the_one_table_nothing_refers_to() {
    // No description names the table and the example is empty: the older layout documents
    // the field by the page's only table that no field refers to.
    let text = page("zh_older_layout.md")
        .replace("同步任务列表，参见 MirrorSyncSet", "同步任务列表")
        .replace(r#""SyncSet": [{"SyncId": "sync-1", "Progress": 40}],"#, "");
    let i = import(&text).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    assert_eq!(i.action.response[0].ty, "array[MirrorSyncSet]");
    assert!(
        i.notes[0].ends_with(
            "MirrorSyncSet is the only table of the page no field refers to, so it is a list of MirrorSyncSet"
        ),
        "{:?}",
        i.notes
    );
}

#[test]
fn pipes_in_cells_never_lose_a_parameter() {
    let i = import(&page("zh_cell_quirks.md")).unwrap();
    let request = &i.action.request;
    assert_eq!(
        shape(request),
        owned(&[
            ("Rule", "array[string]", true),
            ("Scope", "string", false),
            ("Note", "string", false),
            ("Node", "array[DescribeImageRuleNode]", true)
        ])
    );
    // `\|` is a pipe of the text; an unescaped one splits a cell, and the extra cells are the
    // description's.
    assert_eq!(request[0].description, "规则，格式为 来源|协议|端口，例如 \"10.0.0.0/8|tcp|443\"");
    assert_eq!(request[2].description, "备注，不能含有|与换行");
    // A row repeated word for word (`Node.N.Zone`, once per node the page means) is one row.
    assert_eq!(shape(&model(&i, "DescribeImageRuleNode").fields), owned(&[("Zone", "string", true)]));
    // The example's value with pipes lands whole.
    assert_eq!(i.action.examples[0].request["Rule"], json!(["10.0.0.0/8|tcp|443"]));
}

#[test]
fn references_spelled_unlike_their_table_and_tables_named_like_generated_types() {
    let i = import(&page("zh_cell_quirks.md")).unwrap();
    // `[*IpRule*](#IPRule)` refers to the table `IPRule`; `RuleOverviewItem` is a model
    // although its heading contains "overview".
    assert_eq!(i.action.response[0].ty, "array[IPRule]");
    assert_eq!(model(&i, "IPRule").fields[1].ty, "RuleOverviewItem");
    assert_eq!(model(&i, "RuleOverviewItem").fields[0].name, "Hits");
    // The table named like the action's generated response type is renamed, and so is the
    // reference to it.
    assert_eq!(i.action.response[1].ty, "DescribeImageRuleResponse2");
    assert_eq!(shape(&model(&i, "DescribeImageRuleResponse2").fields), owned(&[("Total", "int", false)]));
    assert!(!i.problems.iter().any(|p| p.contains("not referenced")), "{:#?}", i.problems);
    // The whole import is a valid spec once merged.
    let mut s = real_spec();
    merge(&mut s, i);
    uhub_codegen::load(&spec::to_text(&s)).expect("merged spec is valid");
}

#[test]
fn an_object_nothing_describes_is_free_form_json_and_example_faults_are_warnings() {
    let i = import(&page("zh_cell_quirks.md")).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    assert_eq!(i.action.response.iter().find(|f| f.name == "Labels").unwrap().ty, "json");
    // The whole import is a valid spec once merged: the SDK keeps the value as sent.
    let mut s = real_spec();
    merge(&mut s, i.clone());
    uhub_codegen::load(&spec::to_text(&s)).expect("merged spec is valid");
    assert_eq!(i.warnings, ["request example: Colour is not a request parameter of the page; skipped"]);
    // The example's value outside the listed ones withdraws the proposed enum, as before.
    assert_eq!(i.action.request[1].ty, "string");
    assert!(i.enums.is_empty());
}

#[test]
fn example_faults_of_the_older_layout_are_warnings() {
    let i = import(&page("zh_older_layout.md")).unwrap();
    assert_eq!(
        i.warnings,
        [
            "request example: RepoIds.n=repo-b: \"n\" is not an item number; skipped",
            "request example: Weights.0=heavy: not an int; skipped",
        ]
    );
    // What fits is kept.
    assert_eq!(
        serde_json::Value::Object(i.action.examples[0].request.clone()),
        json!({ "Region": "cn-bj2", "RepoIds": ["repo-a"], "Mode": "Full" })
    );
}

#[test]
fn an_http_call_documented_by_headers_is_refused_by_name() {
    let refused = import(&page("zh_http_header_call.md")).unwrap_err();
    assert_eq!(
        refused,
        Refused::OtherKind(
            "PutBlob is an HTTP call (line 12: `PUT /<blob_name> HTTP/1.1`) documented by its method, path and \
             headers, not an `Action=PutBlob` call with parameters; the spec describes only the latter"
                .into()
        )
    );
    assert!(refused.to_string().starts_with("a page of another kind: PutBlob is an HTTP call"));
}

#[test]
fn a_catalogue_imports_page_after_page_as_merging_one_by_one_does() {
    let pages: Vec<String> = ["zh_older_layout.md", "zh_cell_quirks.md", "zh_create_build_runner.md", "en_nested.md"]
        .iter()
        .map(|p| page(p))
        .collect();
    let mut catalog = Catalog::new(real_spec());
    let mut one_by_one = real_spec();
    for text in &pages {
        let batch_notes = catalog.merge(catalog.import(text).unwrap());
        let imported = import_for(text, &one_by_one).unwrap();
        let single_notes = merge(&mut one_by_one, imported);
        assert_eq!(batch_notes, single_notes);
    }
    assert_eq!(catalog.spec(), one_by_one);
    // Names made for a later page see the models an earlier one added: a second copy of a
    // page under another action name reuses the spec's models instead of clashing.
    let again = pages[1].replace("DescribeImageRule", "DescribeImageRuleAgain");
    let i = catalog.import(&again).unwrap();
    assert_eq!(i.action.request[3].ty, "array[DescribeImageRuleAgainNode]");
    catalog.merge(i);
    uhub_codegen::load(&spec::to_text(&catalog.spec())).expect("merged catalogue is valid");
}

#[test]
fn a_second_page_of_an_action_keeps_the_merged_example_valid() {
    // Two products document one action; the second page's example is taken (an imported
    // example follows its page), and its value outside the enum the first page made is
    // dropped from it with a warning instead of making the spec invalid.
    let first = page("zh_cell_quirks.md").replace("&Scope=everyone\n", "&Scope=public\n");
    let mut catalog = Catalog::new(real_spec());
    let i = catalog.import(&first).unwrap();
    assert_eq!(i.action.request[1].ty, "DescribeImageRuleScope");
    catalog.merge(i);
    let second = page("zh_cell_quirks.md").replace("&Rule.0=10.0.0.0/8|tcp|443\n", "&Rule.0=0.0.0.0/0|udp|53\n");
    let i = catalog.import(&second).unwrap();
    assert_eq!(
        i.warnings,
        [
            "request example: Scope=everyone: not a value of enum DescribeImageRuleScope; skipped",
            "request example: Colour is not a request parameter of the page; skipped",
        ]
    );
    let notes = catalog.merge(i);
    assert!(notes.contains(&"actions.DescribeImageRule.examples: the page's example".to_owned()), "{notes:#?}");
    let merged = catalog.spec();
    let action = merged.actions.iter().find(|a| a.name == "DescribeImageRule").unwrap();
    assert_eq!(action.examples[0].request["Rule"], json!(["0.0.0.0/0|udp|53"]));
    uhub_codegen::load(&spec::to_text(&catalog.spec())).expect("merged catalogue is valid");
}

#[test]
fn which_page_lists_an_enum_first_changes_nothing_in_the_merged_spec() {
    // Two actions' pages list the same values for `Scope`; one's own example sends a value
    // off that list, so for that page the list is not the field's type. Whether the other
    // page made the enum first (it is then the spec's) must not matter, in either order or
    // when the pages are imported again.
    let off_list = page("zh_cell_quirks.md").replace("DescribeImageRule", "CreateImageRule");
    let on_list = page("zh_cell_quirks.md").replace("&Scope=everyone\n", "&Scope=public\n");
    let merged = |pages: &[&String]| {
        let mut catalog = Catalog::new(real_spec());
        for text in pages {
            catalog.merge(catalog.import(text).unwrap());
        }
        catalog
    };
    let mut one = merged(&[&off_list, &on_list]);
    let other = merged(&[&on_list, &off_list]);
    // The same entries, whatever order they were added in.
    let sorted = |catalog: &Catalog| {
        let mut spec = catalog.spec();
        spec.actions.sort_by(|a, b| a.name.cmp(&b.name));
        spec.models.sort_by(|a, b| a.name.cmp(&b.name));
        spec.enums.sort_by(|a, b| a.name.cmp(&b.name));
        spec
    };
    assert_eq!(sorted(&one), sorted(&other));
    let scope = |catalog: &Catalog, action: &str| {
        let spec = catalog.spec();
        let a = spec.actions.iter().find(|a| a.name == action).unwrap();
        a.request.iter().find(|p| p.name == "Scope").unwrap().ty.to_string()
    };
    assert_eq!(scope(&one, "CreateImageRule"), "string");
    assert_eq!(scope(&one, "DescribeImageRule"), "DescribeImageRuleScope");
    let before = one.spec();
    for text in [&off_list, &on_list] {
        one.merge(one.import(text).unwrap());
    }
    assert_eq!(one.spec(), before, "imported again, the pages change nothing");
}

#[test]
fn an_example_that_sets_less_than_the_merged_action_requires_keeps_only_its_response() {
    // The second page does not list `Mode`, so the merged action still requires it, and the
    // second page's example (which does not set it) loses its request.
    let mut catalog = Catalog::new(real_spec());
    catalog.merge(catalog.import(&page("zh_older_layout.md")).unwrap());
    let second = page("zh_older_layout.md").replace("|Mode|string|同步方式|**Yes**|\n", "").replace("&Mode=Full\n", "");
    let notes = catalog.merge(catalog.import(&second).unwrap());
    assert!(
        notes.contains(
            &"actions.SetMirrorSync.examples.from_page: its request lacks the required Mode; only its response is kept"
                .to_owned()
        ),
        "{notes:#?}"
    );
    let merged = catalog.spec();
    let action = merged.actions.iter().find(|a| a.name == "SetMirrorSync").unwrap();
    assert!(action.examples[0].request.is_empty());
    uhub_codegen::load(&spec::to_text(&catalog.spec())).expect("merged catalogue is valid");
}

#[test]
fn titles_in_emphasis_or_below_the_first_level_and_request_lines_without_a_version() {
    // `# **<summary>-<Action>**`, `## <summary> - <Action>` on a page without a `#` heading, and
    // `GET /?list` with no `HTTP/1.1`: still the page of an HTTP call, refused by name.
    let page = page("zh_http_header_call.md");
    let variants = [
        page.replace("# 上传对象 - PutBlob", "# **上传对象-PutBlob**"),
        page.replace("# 上传对象 - PutBlob", "## 上传对象 - PutBlob"),
        page.replace("PUT /<blob_name> HTTP/1.1", "PUT /<blob_name>"),
    ];
    for text in variants {
        match import(&text) {
            Err(Refused::OtherKind(why)) => {
                assert!(why.starts_with("PutBlob is an HTTP call (line 12: `PUT /<blob_name>"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
    // A level-2 heading that is not of the title's form is no title.
    let no_title = page.replace("# 上传对象 - PutBlob", "## 上传对象");
    assert!(matches!(import(&no_title), Err(Refused::NotApi(_))));
}

/// A page of `action` whose response lists `Widgets`, of a table `Widget` with these rows.
fn widget_page(action: &str, rows: &[(&str, &str, bool)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(name, ty, required)| format!("|{name}|{ty}|a field|{}|\n", if *required { "**Yes**" } else { "No" }))
        .collect();
    format!(
        "# 列出部件-{action}\n\n# Request Parameters\n|Parameter name|Type|Description|Required|\n|---|---|---|---|\n\
         |Zone|string|可用区|No|\n\n# Response Elements\n|Parameter name|Type|Description|Required|\n|---|---|---|---|\n\
         |Widgets|array[Widget]|部件|No|\n\n## Widget\n|Parameter name|Type|Description|Required|\n|---|---|---|---|\n{rows}"
    )
}

#[test]
fn a_table_another_action_s_page_also_has_decodes_what_both_send() {
    let mut catalog = Catalog::new(real_spec());
    let first = widget_page(
        "ListWidgets",
        &[("Id", "string", true), ("Size", "int", true), ("Colour", "string", true), ("Ratio", "int", true)],
    );
    catalog.merge(catalog.import(&first).unwrap());
    // Another action's page of the same product with a table of the same name that requires
    // nothing (a page silent on which fields are always there): fewer fields, one more, one of
    // another type, an int the other says is a float.
    let second = widget_page(
        "ListGadgets",
        &[("Id", "string", false), ("Size", "string", false), ("Weight", "int", false), ("Ratio", "float", false)],
    );
    let notes = catalog.merge(catalog.import(&second).unwrap());
    assert_eq!(
        notes,
        [
            "models.Widget.Colour: required true → false: ListGadgets's page does not list it",
            "models.Widget.Id: required true → false: ListGadgets's page says so",
            "models.Widget.Size: ListGadgets's page says string; the spec's int is kept, as other actions use it",
            "models.Widget.Size: required true → false: ListGadgets's page says so",
            "models.Widget.Weight: added, optional: other actions' pages do not list it",
            "models.Widget.Ratio: ListGadgets's page says float; int → float, which reads both",
            "models.Widget.Ratio: required true → false: ListGadgets's page says so",
            "actions.ListGadgets: added; review its idempotency, pagination and descriptions",
        ]
    );
    let merged = catalog.spec();
    let widget = merged.models.iter().find(|m| m.name == "Widget").unwrap();
    assert_eq!(
        shape(&widget.fields),
        owned(&[
            ("Id", "string", false),
            ("Size", "int", false),
            ("Colour", "string", false),
            ("Ratio", "float", false),
            ("Weight", "int", false)
        ])
    );
    // The first action's page, imported again, is one of the pages the shared model serves:
    // it does not undo what the other page made of it (Size required again, Ratio an int
    // again), so the merged spec does not depend on which page came last.
    let notes = catalog.merge(catalog.import(&first).unwrap());
    assert!(!notes.iter().any(|n| n.contains("required false → true") || n.contains("→ int")), "{notes:#?}");
    assert_eq!(catalog.spec(), merged);
    uhub_codegen::load(&spec::to_text(&catalog.spec())).expect("merged catalogue is valid");
}

/// Each action's `Widgets` list type, by action.
type Uses = Vec<(String, String)>;
/// Each `Widget...` model's fields as (name, type, required), by model.
type Shapes = Vec<(String, Vec<(String, String, bool)>)>;

/// The model each action's `Widgets` list is of, and each model's fields, of a merged spec.
fn widgets(catalog: &Catalog) -> (Uses, Shapes) {
    let spec = catalog.spec();
    let uses = spec.actions.iter().filter_map(|a| {
        let list = a.response.iter().find(|f| f.name == "Widgets")?;
        Some((a.name.clone(), list.ty.to_string()))
    });
    let models = spec.models.iter().filter(|m| m.name.starts_with("Widget"));
    (uses.collect(), models.map(|m| (m.name.clone(), shape(&m.fields))).collect())
}

#[test]
fn a_table_leaving_out_a_field_the_other_requires_is_another_object() {
    let mut catalog = Catalog::new(real_spec());
    let checks =
        [("Id", "string", true), ("State", "string", true), ("Type", "string", true), ("Hint", "string", true)];
    catalog.merge(catalog.import(&widget_page("ListChecks", &checks)).unwrap());
    // Requires its fields and leaves out two the first requires: other objects, which merged
    // would gain fields they never send.
    let brief = [("Id", "string", true), ("State", "string", true)];
    let notes = catalog.merge(catalog.import(&widget_page("ListBriefChecks", &brief)).unwrap());
    assert_eq!(notes[0], "models.Widget2: added", "{notes:#?}");
    // Leaves out nothing the first requires (Hint is there, optional): the same object.
    let fuller =
        [("Id", "string", true), ("State", "string", true), ("Type", "string", true), ("Hint", "string", false)];
    catalog.merge(catalog.import(&widget_page("ListFullChecks", &fuller)).unwrap());
    // Requires nothing: silent on what the objects carry, the same object as the first.
    let silent = [("Id", "string", false), ("State", "string", false)];
    catalog.merge(catalog.import(&widget_page("ListSilentChecks", &silent)).unwrap());
    let (uses, models) = widgets(&catalog);
    assert_eq!(
        uses,
        [
            ("ListChecks".to_owned(), "array[Widget]".to_owned()),
            ("ListBriefChecks".to_owned(), "array[Widget2]".to_owned()),
            ("ListFullChecks".to_owned(), "array[Widget]".to_owned()),
            ("ListSilentChecks".to_owned(), "array[Widget]".to_owned()),
        ]
    );
    assert_eq!(
        models,
        [
            (
                "Widget".to_owned(),
                owned(&[
                    ("Id", "string", false),
                    ("State", "string", false),
                    ("Type", "string", false),
                    ("Hint", "string", false)
                ])
            ),
            ("Widget2".to_owned(), owned(&[("Id", "string", true), ("State", "string", true)])),
        ]
    );
    // Imported again, each page finds its model and changes nothing.
    let before = widgets(&catalog);
    let again = catalog.import(&widget_page("ListBriefChecks", &brief)).unwrap();
    assert_eq!(catalog.merge(again), Vec::<String>::new());
    assert_eq!(widgets(&catalog), before);
    // An action's own page that now requires one more field updates the action's model: it
    // is the same table, documented anew, not another object.
    let grown = [("Id", "string", true), ("State", "string", true), ("Since", "int", true)];
    let notes = catalog.merge(catalog.import(&widget_page("ListBriefChecks", &grown)).unwrap());
    assert_eq!(notes, ["models.Widget2.Since: added"]);
    uhub_codegen::load(&spec::to_text(&catalog.spec())).expect("merged catalogue is valid");
}

#[test]
fn tables_are_read_by_their_header_whatever_columns_they_have() {
    // No description column; a required column; columns in another order than usual.
    let text = "# 测试 - ReadColumns\n\n### 请求参数\n\n|Name|Type|Required|\n|---|---|---|\n|Id|string|**Yes**|\n\n\
                ### 响应字段\n\n|必填|字段名|描述信息|类型|\n|---|---|---|---|\n|Yes|Size|大小|int|\n";
    let i = import(text).unwrap();
    assert_eq!(i.problems, Vec::<String>::new());
    assert_eq!(shape(&i.action.request), owned(&[("Id", "string", true)]));
    assert_eq!(i.action.request[0].description, "");
    assert_eq!(shape(&i.action.response), owned(&[("Size", "int", true)]));
    assert_eq!(i.action.response[0].description, "大小");
}
