//! What the generator says about broken specs: each case edits a small valid spec and lists
//! every problem expected, word for word, with its place.

use serde_json::{Value, json};
use uhub_codegen::names::{CALL_METHODS, CLIENT_METHODS, OPTION_PREFIX};

/// A small spec that is valid as it stands: a paginated listing, a write action, an enum, a
/// model, examples.
fn base() -> Value {
    json!({
        "product": "Shop",
        "description": "A service for these tests.",
        "providers": [
            {"name": "main", "title": "Main", "base_url": "https://api.example.com", "description": "The only one."}
        ],
        "common": [
            {"name": "ProjectId", "type": "string", "source": "client_default", "description": "Project."}
        ],
        "enums": [
            {"name": "Color", "description": "A colour.", "values": [
                {"value": "red", "description": "Red."},
                {"value": "blue", "description": "Blue."}
            ]}
        ],
        "models": [
            {"name": "Tag", "description": "A tag.", "fields": [
                {"name": "TagName", "type": "string", "required": true, "description": "Name."},
                {"name": "Color", "type": "Color", "description": "Colour."}
            ]}
        ],
        "actions": [
            {
                "name": "GetImageTag",
                "description": "Lists tags.",
                "idempotent": true,
                "request": [
                    {"name": "RepoName", "type": "string", "required": true, "description": "Repository."},
                    {"name": "Offset", "type": "int", "default": 0, "description": "Skip."},
                    {"name": "Limit", "type": "int", "default": 20, "description": "Page size."},
                    {"name": "TagName", "type": "string", "description": "Only this tag."}
                ],
                "response": [
                    {"name": "TotalCount", "type": "int", "required": true, "description": "All tags."},
                    {"name": "TagSet", "type": "array[Tag]", "required": true, "description": "This page."}
                ],
                "pagination": {"offset": "Offset", "limit": "Limit", "total": "TotalCount", "items": "TagSet"},
                "examples": [
                    {
                        "name": "documented",
                        "description": "One tag.",
                        "request": {"RepoName": "r", "Limit": 2},
                        "response": {"RetCode": 0, "TotalCount": 1, "TagSet": [{"TagName": "v1"}]}
                    }
                ]
            },
            {
                "name": "CreateTag",
                "description": "Creates a tag.",
                "idempotent": false,
                "request": [
                    {"name": "RepoName", "type": "string", "required": true, "description": "Repository."},
                    {"name": "Type", "type": "Color", "description": "Colour of the tag."}
                ],
                "response": [
                    {"name": "Message", "type": "string", "description": "A note."}
                ],
                "examples": [
                    {"name": "created", "description": "Made.", "request": {"RepoName": "r", "Type": "red"}, "response": {"RetCode": 0}}
                ]
            }
        ]
    })
}

fn action<'a>(spec: &'a mut Value, name: &str) -> &'a mut Value {
    spec["actions"].as_array_mut().unwrap().iter_mut().find(|a| a["name"] == name).expect("action in base")
}

fn param<'a>(spec: &'a mut Value, action_name: &str, name: &str) -> &'a mut Value {
    let a = action(spec, action_name);
    a["request"].as_array_mut().unwrap().iter_mut().find(|p| p["name"] == name).expect("param in base")
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().unwrap().push(item);
}

fn remove(object: &mut Value, key: &str) {
    object.as_object_mut().unwrap().remove(key).expect("key to remove");
}

fn text_param(name: &str, required: bool) -> Value {
    json!({"name": name, "type": "string", "required": required, "description": "A parameter."})
}

/// The generator's problems with a spec, one per entry. Parse errors end with where serde
/// stopped (` at line L column C`); that part is checked on its own below and cut here so the
/// cases do not depend on the layout of the base spec.
fn problems(spec: &Value) -> Vec<String> {
    let text = serde_json::to_string_pretty(spec).unwrap();
    match uhub_codegen::load(&text) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems
            .into_iter()
            .map(|p| match p.rfind(" at line ") {
                Some(i) => p[..i].to_owned(),
                None => p,
            })
            .collect(),
    }
}

struct Case {
    what: &'static str,
    edit: fn(&mut Value),
    problems: &'static [&'static str],
}

const CASES: &[Case] = &[
    // Products: each a namespace of its own.
    Case {
        what: "a product's field of a type only the spec's own product declares",
        edit: |s| {
            s["products"] = json!([{"name": "shelf", "actions": [{"name": "GetShelf", "description": "",
                "idempotent": true, "response": [{"name": "Tags", "type": "array[Tag]", "description": ""}]}]}]);
        },
        problems: &["actions.GetShelf.response.Tags: unknown type \"shelf::Tag\""],
    },
    Case {
        what: "a product's model of a type another product declares",
        edit: |s| {
            s["products"] = json!([
                {"name": "shelf", "enums": [{"name": "Size", "description": "", "values": [{"value": "s", "description": ""}]}]},
                {"name": "rack", "models": [{"name": "Slot", "description": "", "fields": [
                    {"name": "Size", "type": "Size", "description": ""}]}]}
            ]);
        },
        problems: &["models.rack::Slot.Size: unknown type \"rack::Size\""],
    },
    Case {
        what: "products named badly, twice, or as the spec's own",
        edit: |s| s["products"] = json!([{"name": "Shelf"}, {"name": "rack"}, {"name": "rack"}, {"name": "shop"}]),
        problems: &[
            "products.Shelf: a product's name is lower case: a letter, then letters, digits, `_`, `-` or `.`",
            "products.rack: appears twice",
            "products.shop: is the spec's own product, whose types and actions are at the top",
        ],
    },
    Case {
        what: "an action in two products",
        edit: |s| {
            let a = json!({"name": "GetShelf", "description": "", "idempotent": true});
            s["products"] = json!([{"name": "shelf", "actions": [a.clone()]}, {"name": "rack", "actions": [a]}]);
        },
        problems: &["actions: duplicate name \"GetShelf\""],
    },
    Case {
        what: "a type name with the product separator",
        edit: |s| s["models"][0]["name"] = json!("shop::Tag"),
        problems: &[
            "models.shop::Tag: \"shop::Tag\" is not a valid name (letters, digits and _; starting with a letter)",
            "actions.GetImageTag.response.TagSet: unknown type \"Tag\"",
        ],
    },
    // Free-form JSON: read from responses, never sent.
    Case {
        what: "a request parameter of free-form JSON",
        edit: |s| param(s, "GetImageTag", "TagName")["type"] = json!("json"),
        problems: &[
            "actions.GetImageTag.request.TagName: a request cannot send free-form JSON (its type is `json`); `json` is for responses only",
        ],
    },
    Case {
        what: "a request parameter of a model holding free-form JSON",
        edit: |s| {
            push(&mut s["models"][0]["fields"], json!({"name": "Extra", "type": "json", "description": "Anything."}));
            push(
                &mut action(s, "CreateTag")["request"],
                json!({"name": "Tags", "type": "array[Tag]", "description": "Tags."}),
            );
        },
        problems: &[
            "actions.CreateTag.request.Tags: a request cannot send free-form JSON (Tag.Extra is `json`); `json` is for responses only",
        ],
    },
    // Types and references.
    Case {
        what: "misspelt scalar type",
        edit: |s| param(s, "GetImageTag", "TagName")["type"] = json!("strng"),
        problems: &["actions.GetImageTag.request.TagName: unknown type \"strng\""],
    },
    Case {
        what: "reference to a missing model",
        edit: |s| action(s, "GetImageTag")["response"][1]["type"] = json!("array[Tags]"),
        problems: &["actions.GetImageTag.response.TagSet: unknown type \"Tags\""],
    },
    Case {
        what: "model field of a missing enum",
        edit: |s| s["models"][0]["fields"][1]["type"] = json!("Colour"),
        problems: &["models.Tag.Color: unknown type \"Colour\""],
    },
    Case {
        what: "array of arrays",
        edit: |s| param(s, "GetImageTag", "TagName")["type"] = json!("array[array[string]]"),
        problems: &["actions.GetImageTag.request.TagName: nested arrays are not supported: \"array[array[string]]\""],
    },
    Case {
        what: "unknown doc_type",
        edit: |s| param(s, "GetImageTag", "TagName")["doc_type"] = json!("str"),
        problems: &["actions.GetImageTag.request.TagName: doc_type: unknown type \"str\""],
    },
    // Duplicates.
    Case {
        what: "duplicate action",
        edit: |s| {
            let copy = action(s, "CreateTag").clone();
            push(&mut s["actions"], copy);
        },
        problems: &["actions: duplicate name \"CreateTag\""],
    },
    Case {
        what: "duplicate parameter",
        edit: |s| push(&mut action(s, "CreateTag")["request"], text_param("RepoName", false)),
        problems: &["actions.CreateTag.request: duplicate name \"RepoName\""],
    },
    Case {
        what: "duplicate response field",
        edit: |s| {
            let copy = action(s, "GetImageTag")["response"][0].clone();
            push(&mut action(s, "GetImageTag")["response"], copy);
        },
        problems: &["actions.GetImageTag.response: duplicate name \"TotalCount\""],
    },
    Case {
        what: "duplicate model",
        edit: |s| {
            let copy = s["models"][0].clone();
            push(&mut s["models"], copy);
        },
        problems: &["types: duplicate name \"Tag\""],
    },
    Case {
        what: "duplicate enum",
        edit: |s| {
            let copy = s["enums"][0].clone();
            push(&mut s["enums"], copy);
        },
        problems: &["types: duplicate name \"Color\""],
    },
    Case {
        what: "a model named like an enum",
        edit: |s| push(&mut s["models"], json!({"name": "Color", "description": "Clash.", "fields": []})),
        problems: &["types: duplicate name \"Color\""],
    },
    Case {
        what: "duplicate enum value",
        edit: |s| push(&mut s["enums"][0]["values"], json!({"value": "red", "description": "Again."})),
        problems: &["enums.Color: duplicate name \"red\""],
    },
    Case {
        what: "duplicate example",
        edit: |s| {
            let copy = action(s, "CreateTag")["examples"][0].clone();
            push(&mut action(s, "CreateTag")["examples"], copy);
        },
        problems: &["actions.CreateTag.examples: duplicate name \"created\""],
    },
    Case {
        what: "two example names, one test name",
        edit: |s| {
            let mut copy = action(s, "CreateTag")["examples"][0].clone();
            copy["name"] = json!("Created");
            push(&mut action(s, "CreateTag")["examples"], copy);
        },
        problems: &["actions.CreateTag.examples: \"created\" and \"Created\" both become the Rust name `created`"],
    },
    Case {
        what: "duplicate provider",
        edit: |s| {
            let copy = s["providers"][0].clone();
            push(&mut s["providers"], copy);
        },
        problems: &["providers: duplicate name \"main\"", "providers: duplicate name \"Main\""],
    },
    // Pagination.
    Case {
        what: "pagination names a missing parameter",
        edit: |s| action(s, "GetImageTag")["pagination"]["limit"] = json!("PageSize"),
        problems: &["actions.GetImageTag.pagination: limit names \"PageSize\", which is not a request parameter"],
    },
    Case {
        what: "pagination names a missing field",
        edit: |s| action(s, "GetImageTag")["pagination"]["items"] = json!("Tags"),
        problems: &["actions.GetImageTag.pagination: items names \"Tags\", which is not a response field"],
    },
    Case {
        what: "pagination offset of the wrong type (its default no longer fits either)",
        edit: |s| param(s, "GetImageTag", "Offset")["type"] = json!("string"),
        problems: &[
            "actions.GetImageTag.request.Offset: default 0 does not fit type string",
            "actions.GetImageTag.pagination: offset \"Offset\" must be an optional int parameter",
        ],
    },
    Case {
        what: "pagination limit that is required",
        edit: |s| param(s, "GetImageTag", "Limit")["required"] = json!(true),
        problems: &["actions.GetImageTag.pagination: limit \"Limit\" must be an optional int parameter"],
    },
    Case {
        what: "pagination total that is optional",
        edit: |s| action(s, "GetImageTag")["response"][0]["required"] = json!(false),
        problems: &["actions.GetImageTag.pagination: total \"TotalCount\" must be a required int field"],
    },
    Case {
        what: "pagination items that is not an array",
        edit: |s| action(s, "GetImageTag")["response"][1]["type"] = json!("Tag"),
        problems: &["actions.GetImageTag.pagination: items \"TagSet\" must be an array field"],
    },
    // Keys and JSON types (parse errors: the first one only, named like the validator's places).
    Case {
        what: "misspelt key in a parameter",
        edit: |s| {
            let p = param(s, "GetImageTag", "TagName");
            p["requird"] = json!(true);
        },
        problems: &[
            "actions.GetImageTag.request.TagName.requird: unknown field `requird`, expected one of `name`, `type`, `doc_type`, `required`, `default`, `rust_name`, `description`",
        ],
    },
    Case {
        what: "unknown top-level key",
        edit: |s| s["version"] = json!(2),
        problems: &[
            "version: unknown field `version`, expected one of `$schema`, `product`, `description`, `providers`, `common`, `enums`, `models`, `actions`, `products`",
        ],
    },
    Case {
        what: "unknown key in an enum value (entries without a name are numbered)",
        edit: |s| s["enums"][0]["values"][1]["label"] = json!("Blue"),
        problems: &["enums.Color.values[1].label: unknown field `label`, expected `value` or `description`"],
    },
    Case {
        what: "unknown key in pagination",
        edit: |s| action(s, "GetImageTag")["pagination"]["size"] = json!("Limit"),
        problems: &[
            "actions.GetImageTag.pagination.size: unknown field `size`, expected one of `offset`, `limit`, `total`, `items`",
        ],
    },
    Case {
        what: "missing key",
        edit: |s| remove(action(s, "CreateTag"), "idempotent"),
        problems: &["actions.CreateTag: missing field `idempotent`"],
    },
    Case {
        what: "wrong JSON type",
        edit: |s| param(s, "CreateTag", "RepoName")["required"] = json!("yes"),
        problems: &["actions.CreateTag.request.RepoName.required: invalid type: string \"yes\", expected a boolean"],
    },
    Case {
        what: "unknown common source",
        edit: |s| s["common"][0]["source"] = json!("env"),
        problems: &["common.ProjectId.source: unknown variant `env`, expected `client_default`"],
    },
    // Defaults and examples.
    Case {
        what: "default of the wrong type",
        edit: |s| param(s, "GetImageTag", "Limit")["default"] = json!("20"),
        problems: &["actions.GetImageTag.request.Limit: default \"20\" does not fit type int"],
    },
    Case {
        what: "default outside the enum",
        edit: |s| param(s, "CreateTag", "Type")["default"] = json!("green"),
        problems: &["actions.CreateTag.request.Type: default \"green\" is not a value of enum Color"],
    },
    Case {
        what: "example value of the wrong type",
        edit: |s| action(s, "GetImageTag")["examples"][0]["request"]["Limit"] = json!("two"),
        problems: &["actions.GetImageTag.examples.documented.request.Limit: \"two\" does not fit type int"],
    },
    Case {
        what: "example value outside the enum",
        edit: |s| action(s, "CreateTag")["examples"][0]["request"]["Type"] = json!("green"),
        problems: &["actions.CreateTag.examples.created.request.Type: \"green\" is not a value of enum Color"],
    },
    Case {
        what: "example parameter the action lacks",
        edit: |s| action(s, "GetImageTag")["examples"][0]["request"]["Page"] = json!(1),
        problems: &["actions.GetImageTag.examples.documented.request.Page: is not a parameter of this action"],
    },
    Case {
        what: "example without a required parameter",
        edit: |s| remove(&mut action(s, "GetImageTag")["examples"][0]["request"], "RepoName"),
        problems: &["actions.GetImageTag.examples.documented.request: required parameter \"RepoName\" is missing"],
    },
    Case {
        what: "example response that is not an object",
        edit: |s| action(s, "GetImageTag")["examples"][0]["response"] = json!([1]),
        problems: &["actions.GetImageTag.examples.documented.response: must be a JSON object"],
    },
    // Names and Rust keywords.
    Case {
        what: "wire name that is no identifier",
        edit: |s| param(s, "GetImageTag", "TagName")["name"] = json!("Tag-Name"),
        problems: &[
            "actions.GetImageTag.request.Tag-Name: \"Tag-Name\" is not a valid name (letters, digits and _; starting with a letter)",
        ],
    },
    Case {
        what: "keyword as rust_name",
        edit: |s| param(s, "GetImageTag", "TagName")["rust_name"] = json!("type"),
        problems: &["actions.GetImageTag.request.TagName: rust_name \"type\" is not a usable snake_case identifier"],
    },
    Case {
        what: "camelCase rust_name",
        edit: |s| param(s, "GetImageTag", "TagName")["rust_name"] = json!("tagName"),
        problems: &["actions.GetImageTag.request.TagName: rust_name \"tagName\" is not a usable snake_case identifier"],
    },
    Case {
        what: "parameter the runtime sets",
        edit: |s| push(&mut action(s, "CreateTag")["request"], text_param("ProjectId", false)),
        problems: &["actions.CreateTag.request.ProjectId: is set by the runtime and cannot be declared per action"],
    },
    Case {
        what: "response field the runtime reads",
        edit: |s| {
            push(
                &mut action(s, "CreateTag")["response"],
                json!({"name": "RetCode", "type": "int", "description": "Code."}),
            )
        },
        problems: &["actions.CreateTag.response.RetCode: is read by the runtime and cannot be declared"],
    },
    Case {
        what: "Message that is not text",
        edit: |s| action(s, "CreateTag")["response"][0]["type"] = json!("int"),
        problems: &["actions.CreateTag.response.Message: the service's Message is text; declare it as a string"],
    },
    Case {
        what: "model that contains itself",
        edit: |s| push(&mut s["models"][0]["fields"], json!({"name": "Parent", "type": "Tag", "description": "Up."})),
        problems: &["models.Tag: contains itself (Tag.Parent), which no struct can; make one of these fields an array"],
    },
    Case {
        what: "two models that contain each other (reported once)",
        edit: |s| {
            push(&mut s["models"][0]["fields"], json!({"name": "Owner", "type": "Owner", "description": "Who."}));
            push(
                &mut s["models"],
                json!({"name": "Owner", "description": "Owner.", "fields": [
                    {"name": "Favourite", "type": "Tag", "description": "Best tag."},
                    {"name": "Tags", "type": "array[Tag]", "description": "Arrays are fine."}
                ]}),
            );
        },
        problems: &[
            "models.Tag: contains itself (Tag.Owner → Owner.Favourite), which no struct can; make one of these fields an array",
        ],
    },
    Case {
        what: "from_string field that is optional",
        edit: |s| {
            s["models"][0]["from_string"] = json!("TagName");
            s["models"][0]["fields"][0]["required"] = json!(false);
        },
        problems: &["models.Tag: from_string field \"TagName\" must be a required string"],
    },
    Case {
        what: "from_string naming no field",
        edit: |s| s["models"][0]["from_string"] = json!("Name"),
        problems: &["models.Tag: from_string names \"Name\", which is not a field"],
    },
    Case {
        what: "provider named like the custom endpoint",
        edit: |s| s["providers"][0]["title"] = json!("Custom"),
        problems: &["providers.main: title \"Custom\" is taken by `Endpoint::Custom`, the variant for any other URL"],
    },
    Case {
        what: "provider without a scheme",
        edit: |s| s["providers"][0]["base_url"] = json!("api.example.com"),
        problems: &["providers.main: base_url \"api.example.com\" must start with http:// or https://"],
    },
    Case {
        what: "no providers",
        edit: |s| s["providers"] = json!([]),
        problems: &["providers: at least one provider is needed"],
    },
    Case {
        what: "common parameter that is not a string",
        edit: |s| s["common"][0]["type"] = json!("int"),
        problems: &["common.ProjectId: common parameters must be strings, not \"int\""],
    },
    // Everything is reported, in spec order, not only the first problem.
    Case {
        what: "several problems at once",
        edit: |s| {
            s["enums"][0]["values"] = json!([]);
            param(s, "GetImageTag", "TagName")["type"] = json!("strng");
            param(s, "GetImageTag", "Limit")["default"] = json!(-1.5);
            action(s, "GetImageTag")["pagination"]["total"] = json!("Total");
            push(&mut action(s, "CreateTag")["request"], text_param("RepoName", true));
            action(s, "CreateTag")["examples"][0]["request"]["Type"] = json!(3);
        },
        problems: &[
            "enums.Color: an enum needs at least one value",
            "actions.GetImageTag.request.Limit: default -1.5 does not fit type int",
            "actions.GetImageTag.request.TagName: unknown type \"strng\"",
            "actions.GetImageTag.pagination: total names \"Total\", which is not a response field",
            "actions.CreateTag.request: duplicate name \"RepoName\"",
            "actions.CreateTag.examples.created.request.Type: 3 does not fit type Color",
        ],
    },
];

/// A spec whose Rust names would collide, and what the generated code says instead: the spec
/// stays valid and the wire names stay as written.
struct Rename {
    what: &'static str,
    edit: fn(&mut Value),
    /// (file, text it contains)
    generated: &'static [(&'static str, &'static str)],
}

const RENAMES: &[Rename] = &[
    Rename {
        what: "two type names, one Rust type: the second is numbered",
        edit: |s| push(&mut s["models"], json!({"name": "tag", "description": "Clash.", "fields": []})),
        generated: &[("types.rs", "pub struct Tag {"), ("types.rs", "pub struct Tag2 {")],
    },
    Rename {
        what: "param `Type` of enum Color is named `color`, so a param `Color` is numbered",
        edit: |s| {
            let mut p = text_param("Color", false);
            p["type"] = json!("Color");
            push(&mut action(s, "CreateTag")["request"], p);
        },
        generated: &[
            ("create_tag.rs", "pub color: Option<Color>,"),
            ("create_tag.rs", "pub color_2: Option<Color>,"),
            ("create_tag.rs", "field(\"Color\", ::uhub_sdk::runtime::WireField::value(&self.color_2));"),
        ],
    },
    Rename {
        what: "keyword params `Match` and `Match_` both want `match_`",
        edit: |s| {
            push(&mut action(s, "CreateTag")["request"], text_param("Match", false));
            push(&mut action(s, "CreateTag")["request"], text_param("Match_", false));
        },
        generated: &[
            ("create_tag.rs", "pub fn match_(mut self"),
            ("create_tag.rs", "pub fn match_2(mut self"),
            ("create_tag.rs", "pub fn set_match_2(mut self"),
        ],
    },
    Rename {
        what: "action whose method would be a keyword",
        edit: |s| action(s, "CreateTag")["name"] = json!("Match"),
        generated: &[("client.rs", "pub fn match_("), ("match_.rs", "const NAME: &'static str = \"Match\";")],
    },
    Rename {
        what: "action whose module is a generated file keeps its method",
        edit: |s| action(s, "CreateTag")["name"] = json!("Types"),
        generated: &[
            ("client.rs", "pub fn types("),
            ("mod.rs", "mod types_;"),
            ("types_.rs", "pub struct TypesRequest"),
        ],
    },
    Rename {
        what: "action whose method Client already has",
        edit: |s| action(s, "CreateTag")["name"] = json!("Credentials"),
        generated: &[("client.rs", "pub fn credentials_(")],
    },
    Rename {
        what: "action whose method Client gets from a derive",
        edit: |s| action(s, "CreateTag")["name"] = json!("Clone"),
        generated: &[("client.rs", "pub fn clone_("), ("dispatch.rs", "Clone(CloneRequest)")],
    },
    Rename {
        what: "two actions, one method: the second is numbered, type names too",
        edit: |s| {
            let mut copy = action(s, "CreateTag").clone();
            copy["name"] = json!("Create_Tag");
            push(&mut s["actions"], copy);
        },
        generated: &[
            ("client.rs", "pub fn create_tag("),
            ("client.rs", "pub fn create_tag_2("),
            ("create_tag_2.rs", "pub struct CreateTag2Request {"),
            ("create_tag_2.rs", "const NAME: &'static str = \"Create_Tag\";"),
            ("dispatch.rs", "\"Create_Tag\" => {"),
            ("dispatch.rs", "CreateTag2Request::from_form(fields).map(AnyRequest::CreateTag2)"),
        ],
    },
    Rename {
        what: "optional parameter whose setter Call already has",
        edit: |s| push(&mut action(s, "CreateTag")["request"], text_param("Send", false)),
        generated: &[
            ("create_tag.rs", "pub fn send_(mut self, value: impl Into<String>)"),
            ("create_tag.rs", "pub fn set_send_(mut self"),
            ("create_tag.rs", "field(\"Send\", ::uhub_sdk::runtime::WireField::value(&self.send_));"),
        ],
    },
    Rename {
        what: "parameters whose setters would hide a derived method or a with_/set_ method",
        edit: |s| {
            for name in ["Clone", "Default", "WithRetry", "SetName", "Name"] {
                push(&mut action(s, "CreateTag")["request"], text_param(name, false));
            }
        },
        generated: &[
            ("create_tag.rs", "pub fn clone_(mut self"),
            ("create_tag.rs", "pub fn default_(mut self"),
            ("create_tag.rs", "pub fn with_retry_(mut self"),
            ("create_tag.rs", "pub fn set_name_(mut self"),
            ("create_tag.rs", "pub fn set_set_name_(mut self"),
            ("create_tag.rs", "pub fn name(mut self"),
            ("create_tag.rs", "pub fn set_name(mut self"),
        ],
    },
    Rename {
        what: "parameter named like the common ProjectId field",
        edit: |s| push(&mut action(s, "CreateTag")["request"], text_param("Project_Id", false)),
        generated: &[("create_tag.rs", "pub project_id_: Option<String>,")],
    },
    Rename {
        what: "response field that would be a second `message`",
        edit: |s| action(s, "CreateTag")["response"][0]["name"] = json!("message"),
        generated: &[("create_tag.rs", "pub message_: Option<String>,"), ("create_tag.rs", "message: Option<String>,")],
    },
    Rename {
        what: "model field named like the model's constructor or a derived method",
        edit: |s| {
            push(&mut s["models"][0]["fields"], json!({"name": "New", "type": "bool", "description": "N."}));
            push(&mut s["models"][0]["fields"], json!({"name": "Default", "type": "bool", "description": "D."}));
        },
        generated: &[
            ("types.rs", "pub fn new_(mut self, value: bool) -> Self"),
            ("types.rs", "pub fn default_(mut self, value: bool) -> Self"),
            ("types.rs", "..Self::default()"),
        ],
    },
    Rename {
        what: "enum values that would be the fallback variant, or one variant",
        edit: |s| {
            push(&mut s["enums"][0]["values"], json!({"value": "other", "description": "Other."}));
            push(&mut s["enums"][0]["values"], json!({"value": "RED", "description": "Shouting."}));
        },
        generated: &[("types.rs", "\"other\" => Self::Other2,"), ("types.rs", "\"RED\" => Self::Red2,")],
    },
    Rename {
        what: "models named like a prelude type, an SDK root type and a generated request",
        edit: |s| {
            for name in ["Result", "Error", "CreateTagRequest"] {
                push(&mut s["models"], json!({"name": name, "description": "Clash.", "fields": []}));
            }
        },
        generated: &[
            ("types.rs", "pub struct Result2 {"),
            ("types.rs", "pub struct Error2 {"),
            ("types.rs", "pub struct CreateTagRequest2 {"),
        ],
    },
];

#[test]
fn names_that_collide_in_rust_are_renamed_and_keep_their_wire_names() {
    let mut failures = Vec::new();
    for case in RENAMES {
        let mut spec = base();
        (case.edit)(&mut spec);
        let files = match uhub_codegen::generate(&serde_json::to_string(&spec).unwrap()) {
            Ok(files) => files,
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.what));
                continue;
            }
        };
        for (path, text) in case.generated {
            match files.iter().find(|f| f.path == *path) {
                Some(f) if f.contents.contains(text) => {}
                Some(_) => failures.push(format!("{}: {path} lacks {text:?}", case.what)),
                None => failures.push(format!("{}: no file {path}", case.what)),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), RENAMES.len(), failures.join("\n"));
}

/// A `rust_name` is the spec's own choice: when it is taken, it is refused, not renamed.
#[test]
fn a_rust_name_that_is_taken_is_refused_with_its_place() {
    let mut spec = base();
    param(&mut spec, "GetImageTag", "TagName")["rust_name"] = json!("send");
    for name in ["First", "Second"] {
        let p = json!({"name": name, "type": "string", "rust_name": "both", "description": "O."});
        push(&mut action(&mut spec, "CreateTag")["request"], p);
    }
    assert_eq!(
        problems(&spec),
        [
            "actions.GetImageTag.request.TagName: rust_name \"send\" is taken in this struct",
            "actions.CreateTag.request.Second: rust_name \"both\" is taken in this struct",
        ]
    );
}

#[test]
fn the_base_spec_is_valid() {
    assert_eq!(problems(&base()), Vec::<String>::new());
}

#[test]
fn each_broken_spec_reports_exactly_its_problems() {
    let mut failures = Vec::new();
    for case in CASES {
        let mut spec = base();
        (case.edit)(&mut spec);
        let got = problems(&spec);
        if got != case.problems {
            failures.push(format!("{}\n  expected: {:#?}\n  got:      {got:#?}", case.what, case.problems));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn a_parse_error_gives_the_line_of_the_problem() {
    let mut spec = base();
    param(&mut spec, "CreateTag", "Type")["descripton"] = json!("typo");
    let text = serde_json::to_string_pretty(&spec).unwrap();
    let err = uhub_codegen::load(&text).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    let problem = &err.problems[0];
    assert!(
        problem.starts_with("actions.CreateTag.request.Type.descripton: unknown field `descripton`, "),
        "{problem}"
    );
    let line: usize = problem.split(" at line ").nth(1).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("\"descripton\""), "line {line} of\n{text}");
}

#[test]
fn text_that_is_not_a_spec_is_reported_where_reading_stopped() {
    let err = uhub_codegen::load("nope").unwrap_err();
    assert_eq!(err.problems, ["spec: expected ident at line 1 column 2"]);
    let err = uhub_codegen::load("{\"product\": ").unwrap_err();
    assert_eq!(err.problems, ["product: EOF while parsing a value at line 1 column 12"]);
    let err = uhub_codegen::load("\"UHub\"").unwrap_err();
    assert_eq!(err.problems, ["spec: invalid type: string \"UHub\", expected struct Spec at line 1 column 6"]);
}

/// Keyword wire names get Rust names that compile and say what they hold.
#[test]
fn keyword_names_become_usable_rust_names() {
    let mut spec = base();
    push(
        &mut action(&mut spec, "CreateTag")["request"],
        json!({"name": "Match", "type": "bool", "description": "Flag."}),
    );
    push(&mut spec["models"][0]["fields"], json!({"name": "Ref", "type": "array[string]", "description": "Refs."}));
    push(
        &mut spec["models"][0]["fields"],
        json!({"name": "Loop", "type": "int", "rust_name": "loop_count", "description": "Count."}),
    );
    let files = uhub_codegen::generate(&serde_json::to_string(&spec).unwrap()).expect("valid");
    let file = |name: &str| &files.iter().find(|f| f.path == name).unwrap().contents;
    let create = file("create_tag.rs");
    // `Type` of enum Color is named after its type; a scalar keyword gets a trailing underscore.
    assert!(create.contains("pub color: Option<Color>,"), "{create}");
    assert!(create.contains("pub match_: Option<bool>,"), "{create}");
    assert!(create.contains("pub fn color(mut self, value: Color) -> Self"), "{create}");
    assert!(create.contains("pub fn match_(mut self, value: bool) -> Self"), "{create}");
    assert!(create.contains("pub fn set_color(mut self, value: Option<Color>) -> Self"), "{create}");
    assert!(create.contains("pub fn set_match_(mut self, value: Option<bool>) -> Self"), "{create}");
    assert!(create.contains("field(\"Type\", ::uhub_sdk::runtime::WireField::value(&self.color));"), "{create}");
    assert!(create.contains("field(\"Match\", ::uhub_sdk::runtime::WireField::value(&self.match_));"), "{create}");
    let types = file("types.rs");
    assert!(types.contains("pub ref_: Vec<String>,"), "{types}");
    assert!(types.contains("pub loop_count: Option<i64>,"), "{types}");
    assert!(!types.contains("pub r#"), "{types}");
}

/// The names the validator keeps spec names away from are exactly the methods the generator
/// gives `Call` and `Client` besides setters and action methods: read from its own output.
#[test]
fn reserved_method_names_are_the_generated_ones() {
    let files = uhub_codegen::generate(&serde_json::to_string(&base()).unwrap()).expect("valid");
    let client = &files.iter().find(|f| f.path == "client.rs").unwrap().contents;
    let ast = syn::parse_file(client).unwrap();
    let methods_of = |type_name: &str| {
        let mut names = Vec::new();
        for item in &ast.items {
            let syn::Item::Impl(imp) = item else { continue };
            let syn::Type::Path(ty) = &*imp.self_ty else { continue };
            if imp.trait_.is_some() || ty.path.segments.last().unwrap().ident != type_name {
                continue;
            }
            for it in &imp.items {
                if let syn::ImplItem::Fn(f) = it {
                    names.push(f.sig.ident.to_string());
                }
            }
        }
        names.sort();
        names
    };
    let call: Vec<String> = methods_of("Call").into_iter().filter(|m| !m.starts_with(OPTION_PREFIX)).collect();
    let mut expected_call: Vec<String> = CALL_METHODS.iter().map(|s| s.to_string()).collect();
    expected_call.sort();
    assert_eq!(call, expected_call);
    // The spec's actions are the only other methods of Client.
    let spec = base();
    let actions = spec["actions"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap());
    let mut expected_client: Vec<String> =
        CLIENT_METHODS.iter().map(|s| s.to_string()).chain(actions.map(uhub_codegen::names::method)).collect();
    expected_client.sort();
    assert_eq!(methods_of("Client"), expected_client);
}
