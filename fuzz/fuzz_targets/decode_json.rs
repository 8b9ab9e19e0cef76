//! Structure-aware: well-formed JSON shaped like UHub responses, with every field's value
//! drawn from any JSON kind, so the tolerant decoders see every mix of types.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use uhub_sdk::runtime::response;
use uhub_sdk::*;

const KEYS: &[&str] = &[
    "RetCode",
    "Message",
    "Action",
    "TotalCount",
    "RepoSet",
    "ImageSet",
    "TagSet",
    "RepoName",
    "ImageName",
    "TagName",
    "CreateTime",
    "UpdateTime",
    "Description",
    "IsShared",
    "IsOutSide",
    "PullCount",
    "LatestTag",
    "Digest",
];

#[derive(Arbitrary, Debug)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(u8, J)>),
}

fn to_value(j: &J, depth: u32) -> Value {
    match j {
        _ if depth > 6 => Value::Null,
        J::Null => Value::Null,
        J::Bool(b) => Value::from(*b),
        J::Int(i) => Value::from(*i),
        J::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        J::Str(s) => Value::from(s.as_str()),
        J::Arr(items) => Value::Array(items.iter().map(|i| to_value(i, depth + 1)).collect()),
        J::Obj(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (KEYS[*k as usize % KEYS.len()].to_owned(), to_value(v, depth + 1)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fuzz_target!(|j: J| {
    let body = serde_json::to_vec(&to_value(&j, 0)).unwrap();
    let _ = response::<GetRepoResponse>("GetRepo", &body, None);
    let _ = response::<GetRepoImageResponse>("GetRepoImage", &body, None);
    let _ = response::<GetImageTagResponse>("GetImageTag", &body, None);
    let _ = response::<CreateRepoResponse>("CreateRepo", &body, None);
});
