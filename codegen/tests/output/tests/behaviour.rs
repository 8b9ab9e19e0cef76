//! What the golden modules do, beyond compiling: names, wire encoding, the form parsers,
//! tolerant decoding and pagination of the shapes the fixtures cover.

use uhub_golden::{keywords, scalars, widgets};
use uhub_sdk::runtime::serde_json;
use uhub_sdk::runtime::{Action, ClientBuilder, Fields, Form, Paginated, Response, Service, Target};

fn form_of<A: Action>(request: &A) -> Vec<(String, String)> {
    let mut form = Form::new();
    request.encode(&mut form);
    form.fields().to_vec()
}

/// The request a fake service would parse from what the SDK sends.
fn round_trip<A: Action>(request: &A) -> A {
    let mut form = Form::new();
    request.encode(&mut form);
    A::from_form(&Fields::parse(form.to_body().as_bytes())).expect("the SDK's own form parses")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A client of one fixture's service; nothing listens on port 9.
fn client<C: Service>() -> C {
    ClientBuilder::<C>::new()
        .keys("golden-public", "golden-private")
        .endpoint(C::Endpoint::custom("http://127.0.0.1:9".into()))
        .build()
        .expect("a client with keys and an endpoint")
}

#[test]
fn keyword_names_are_renamed_in_rust_and_kept_on_the_wire() {
    use keywords::{FindGadgetsRequest, GadgetType, Rule};
    let rule = Rule::new("g*").type_("glob").ref_(true).loop_count(2);
    let call =
        client::<keywords::Client>().find_gadgets(GadgetType::Match).match_("gad").async_(false).rules([rule.clone()]);
    let request: &FindGadgetsRequest = call.request();
    assert_eq!(request.gadget_type, GadgetType::Match);
    assert_eq!(
        form_of(request),
        pairs(&[
            ("Type", "match"),
            ("Match", "gad"),
            ("Async", "false"),
            ("Rules.0.Match", "g*"),
            ("Rules.0.Type", "glob"),
            ("Rules.0.Ref", "true"),
            ("Rules.0.Loop", "2"),
        ])
    );
    assert_eq!(&round_trip(request), request);
    assert_eq!(FindGadgetsRequest::NAME, "FindGadgets");
    assert_eq!(GadgetType::from_wire("type"), GadgetType::Type);
    assert_eq!(GadgetType::from_wire("glob"), GadgetType::Other("glob".into()));
}

#[test]
fn keyword_fields_decode_from_their_wire_names() {
    let body = br#"{"RetCode":0,"Where":"shelf 3","Type":"type","Rules":[{"Match":"g*","Type":"glob","Ref":"true","Loop":"2"}]}"#;
    let r: keywords::FindGadgetsResponse = uhub_sdk::runtime::response("FindGadgets", body, None).unwrap();
    assert_eq!(r.where_, "shelf 3");
    assert_eq!(r.gadget_type, Some(keywords::GadgetType::Type));
    let rule = &r.rules[0];
    assert_eq!(
        (rule.match_.as_str(), rule.type_.as_deref(), rule.ref_, rule.loop_count),
        ("g*", Some("glob"), Some(true), Some(2))
    );
}

#[test]
fn the_dispatcher_and_endpoint_of_a_fixture_are_its_own() {
    let fields = Fields::parse(b"Type=type&Match=x");
    let parsed = keywords::AnyRequest::from_form("FindGadgets", &fields).unwrap().unwrap();
    assert_eq!(parsed.action(), "FindGadgets");
    assert!(keywords::AnyRequest::from_form("GetRepo", &fields).is_none());
    let missing = keywords::AnyRequest::from_form("FindGadgets", &Fields::parse(b"Match=x")).unwrap().unwrap_err();
    assert_eq!(missing.param, "Type");
    assert_eq!(keywords::ACTIONS, ["FindGadgets", "PinGadgets"]);

    assert_eq!(keywords::Endpoint::GadgetCo.base_url(), "https://api.gadgets.test");
    assert_eq!(scalars::Endpoint::from_provider_name("GIZMOCLOUD"), Some(scalars::Endpoint::GizmoCloud));
    assert_eq!(scalars::Endpoint::PROVIDERS, [scalars::Endpoint::GizmoLab, scalars::Endpoint::GizmoCloud]);
    assert_eq!(scalars::Endpoint::Custom("x".into()).provider_name(), None);
}

#[test]
fn arrays_of_scalars_and_optional_bools_encode_and_parse_back() {
    let call = client::<scalars::Client>()
        .update_gizmo("g-1", 3)
        .enabled(true)
        .public(false)
        .names(["a".to_owned(), "b".to_owned()])
        .ports([80, 443])
        .flags([true, false]);
    let request = call.request();
    assert_eq!(
        form_of(request),
        pairs(&[
            ("GizmoId", "g-1"),
            ("Size", "3"),
            ("Enabled", "true"),
            ("Public", "false"),
            ("Names.0", "a"),
            ("Names.1", "b"),
            ("Ports.0", "80"),
            ("Ports.1", "443"),
            ("Flags.0", "true"),
            ("Flags.1", "false"),
        ])
    );
    assert_eq!(&round_trip(request), request);
    // Unset optionals and empty arrays are not sent at all.
    let bare = scalars::UpdateGizmoRequest::new("g-2", 0);
    assert_eq!(form_of(&bare), pairs(&[("GizmoId", "g-2"), ("Size", "0")]));
    assert_eq!(bare.check(), Ok(()));
    assert_eq!(scalars::UpdateGizmoRequest::new("", 1).check(), Err("GizmoId must not be empty".into()));
    assert_eq!((scalars::UpdateGizmoRequest::IDEMPOTENT, scalars::PingGizmoRequest::IDEMPOTENT), (false, true));
    assert!(form_of(&scalars::PingGizmoRequest::new()).is_empty());
}

#[test]
fn floats_and_times_encode_parse_back_and_refuse_nan() {
    let call =
        client::<scalars::Client>().update_gizmo("g-1", 3).ratio(0.5).weights([1.0, 2.5]).since("2024-05-01 18:00:00");
    let request = call.request();
    assert_eq!(
        form_of(request),
        pairs(&[
            ("GizmoId", "g-1"),
            ("Size", "3"),
            ("Ratio", "0.5"),
            ("Weights.0", "1"),
            ("Weights.1", "2.5"),
            ("Since", "2024-05-01 18:00:00"),
        ])
    );
    assert_eq!(&round_trip(request), request);
    assert_eq!(request.since.as_ref().and_then(|t| t.timestamp()).map(|t| t.as_second()), Some(1_714_557_600));
    // A form with a NaN is refused as a whole, naming the parameter.
    let mut form = Form::new();
    client::<scalars::Client>().update_gizmo("g-1", 3).ratio(f64::NAN).request().encode(&mut form);
    assert_eq!(form.problem().as_deref(), Some("Ratio is not a finite number"));
    let fields: Fields = [("GizmoId", "g"), ("Size", "1"), ("Ratio", "NaN")].into_iter().collect();
    let err = scalars::UpdateGizmoRequest::from_form(&fields).unwrap_err();
    assert_eq!(err.to_string(), "parameter Ratio: \"NaN\" is not a number");
}

#[tokio::test]
async fn a_call_with_a_nan_is_refused_before_sending() {
    // Nothing listens on port 9; a request that left would be a transport error instead.
    let err = client::<scalars::Client>().update_gizmo("g-1", 3).ratio(f64::INFINITY).send().await.unwrap_err();
    assert_eq!(err.to_string(), "UpdateGizmo: invalid request, not sent: Ratio is not a finite number");
}

#[test]
fn floats_and_times_decode_from_any_form_the_service_sends() {
    let body = br#"{"RetCode":0,"GizmoId":"g","Enabled":"true","Ratio":"0.25","CheckedAt":1714557600,
        "History":["2024-05-01 18:00:00","not a time",1714557600000]}"#;
    let r: scalars::UpdateGizmoResponse = uhub_sdk::runtime::response("UpdateGizmo", body, None).unwrap();
    assert_eq!(r.ratio, 0.25);
    assert_eq!(
        (r.checked_at.raw(), r.checked_at.timestamp().map(|t| t.as_second())),
        ("1714557600", Some(1_714_557_600))
    );
    let instants: Vec<_> = r.history.iter().map(|t| t.timestamp().map(|t| t.as_second())).collect();
    assert_eq!(instants, [Some(1_714_557_600), None, Some(1_714_557_600)]);
    assert_eq!(r.history[1], "not a time");
    // Times are written back as the text they came as.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        (json["CheckedAt"].clone(), json["Ratio"].clone()),
        (serde_json::json!("1714557600"), serde_json::json!(0.25))
    );
}

#[test]
fn documented_text_bools_are_served_as_text_and_others_as_json() {
    let body =
        br#"{"RetCode":0,"GizmoId":"g-1","Enabled":"true","Archived":false,"Ports":[80,"443"],"Message":"done"}"#;
    let mut r: scalars::UpdateGizmoResponse = uhub_sdk::runtime::response("UpdateGizmo", body, None).unwrap();
    assert!(r.enabled);
    assert_eq!(r.envelope().message, Some("done"));
    assert_eq!((r.archived, r.ports.as_slice()), (Some(false), &[80, 443][..]));
    let json: serde_json::Value = serde_json::to_value(&r).unwrap();
    assert_eq!(json["Enabled"], "true");
    assert_eq!(json["Archived"], false);
}

#[test]
fn a_paginated_fixture_pages_through_its_items() {
    use widgets::{ListWidgetsRequest, WidgetColor};
    let mut request =
        client::<widgets::Client>().list_widgets().color(WidgetColor::DarkBlue).limit(2).request().clone();
    assert_eq!((request.offset(), request.limit()), (None, Some(2)));
    request.set_offset(4);
    assert_eq!(form_of(&request), pairs(&[("Color", "dark-blue"), ("Offset", "4"), ("Limit", "2")]));
    let body = br#"{"RetCode":0,"TotalCount":"5","WidgetSet":[{"WidgetId":"w-5","Color":"2tone","Size":{"Width":"7","Height":8},"Parts":["bolt",{"PartName":"gear","Size":{"Width":1,"Height":1,"Unit":"cm"}}]}]}"#;
    let response = uhub_sdk::runtime::response("ListWidgets", body, None).unwrap();
    let page = ListWidgetsRequest::into_page(response);
    assert_eq!(page.total, 5);
    let w = &page.items[0];
    assert_eq!((w.widget_id.as_str(), &w.color, w.size.width, w.size.height), ("w-5", &WidgetColor::V2tone, 7, 8));
    // A bare string stands for a part with only its name (the model's from_string).
    assert_eq!(w.parts[0], widgets::Part::new("bolt"));
    assert_eq!(w.parts[1].size.as_ref().map(|s| s.unit.as_deref()), Some(Some("cm")));
    assert_eq!(WidgetColor::VALUES, ["red", "dark-blue", "2tone"]);
}

#[test]
fn request_models_are_built_with_new_and_chained_setters() {
    use keywords::Rule;
    let rule = Rule::new("g*").type_("glob").loop_count(2);
    assert_eq!(
        (rule.match_.as_str(), rule.type_.as_deref(), rule.ref_, rule.loop_count),
        ("g*", Some("glob"), None, Some(2))
    );
    // String arrays take anything that turns into strings, arrays of literals included.
    let call = client::<keywords::Client>().pin_gadgets(["g1", "g2"], [rule]).note("n");
    assert_eq!(
        form_of(call.request()),
        pairs(&[
            ("GadgetIds.0", "g1"),
            ("GadgetIds.1", "g2"),
            ("Pins.0.Match", "g*"),
            ("Pins.0.Type", "glob"),
            ("Pins.0.Loop", "2"),
            ("Note", "n"),
        ])
    );
    assert_eq!(&round_trip(call.request()), call.request());
}

#[tokio::test]
async fn an_empty_required_array_is_refused_before_sending_and_missing_to_a_parser() {
    use keywords::{PinGadgetsRequest, Rule};
    let none: [&str; 0] = [];
    let err = client::<keywords::Client>().pin_gadgets(none, [Rule::new("x")]).send().await.unwrap_err();
    assert_eq!(err.to_string(), "PinGadgets: invalid request, not sent: GadgetIds needs at least one element");
    let err = client::<keywords::Client>().pin_gadgets(["g"], []).send().await.unwrap_err();
    assert_eq!(err.to_string(), "PinGadgets: invalid request, not sent: Pins needs at least one element");
    // A fake of the service built on the generated parser reports them as missing parameters.
    let no_ids: Fields = [("Pins.0.Match", "x")].into_iter().collect();
    assert_eq!(
        PinGadgetsRequest::from_form(&no_ids).unwrap_err().to_string(),
        "parameter GadgetIds: is required but missing"
    );
    let no_pins: Fields = [("GadgetIds.0", "g")].into_iter().collect();
    assert_eq!(
        PinGadgetsRequest::from_form(&no_pins).unwrap_err().to_string(),
        "parameter Pins: is required but missing"
    );
}

#[test]
fn option_setters_forward_an_optional_value_or_clear_it() {
    let maybe_match: Option<String> = Some("gad".into());
    let call =
        client::<keywords::Client>().find_gadgets(keywords::GadgetType::Match).set_match_(maybe_match).set_async_(None);
    assert_eq!((call.request().match_.as_deref(), call.request().async_), (Some("gad"), None));
    let call = call.match_("x").set_match_(None).set_rules(Some(vec![keywords::Rule::new("r")]));
    assert_eq!((call.request().match_.as_deref(), call.request().rules.len()), (None, 1));
    let call = call.set_rules(None);
    assert!(call.request().rules.is_empty());
}

/// `Debug` and `==` of generated types read the same listing as serialization: wire names,
/// values as sent, unset optional fields left out, and a response's request id.
#[test]
fn debug_and_equality_show_the_wire_view() {
    let body =
        br#"{"RetCode":0,"GizmoId":"g-1","Enabled":"true","Ports":[80],"CheckedAt":"1714557600","Message":"done"}"#;
    let r: scalars::UpdateGizmoResponse = uhub_sdk::runtime::response("UpdateGizmo", body, Some("req-1")).unwrap();
    assert_eq!(
        format!("{r:?}"),
        r#"UpdateGizmoResponse { GizmoId: "g-1", Enabled: "true", Names: [], Ports: [80], Ratio: 0.0, CheckedAt: "1714557600", History: [], Message: "done", RetCode: 0, request_id: Some("req-1") }"#
    );
    let same: scalars::UpdateGizmoResponse = uhub_sdk::runtime::response("UpdateGizmo", body, Some("req-1")).unwrap();
    assert_eq!(r, same);
    let other_call: scalars::UpdateGizmoResponse =
        uhub_sdk::runtime::response("UpdateGizmo", body, Some("req-2")).unwrap();
    assert_ne!(r, other_call, "the request id is compared");
    let mut changed = same.clone();
    changed.ports.push(443);
    assert_ne!(r, changed);

    let request = scalars::UpdateGizmoRequest::new("g-1", 2);
    assert_eq!(request, scalars::UpdateGizmoRequest::new("g-1", 2));
    assert_ne!(request, scalars::UpdateGizmoRequest::new("g-2", 2));
    assert_eq!(
        format!("{request:?}"),
        r#"UpdateGizmoRequest { GizmoId: "g-1", Size: 2, Names: [], Ports: [], Flags: [], Weights: [] }"#
    );
}
