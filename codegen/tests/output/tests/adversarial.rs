//! The adversarial fixture (`codegen/tests/fixtures/adversarial.json`): wire names that collide in
//! Rust (with each other after case conversion, keywords, derived and trait methods, the
//! generator's items and the SDK's root) compile under renamed Rust names, reach every action,
//! and keep their wire names on the way out and in.

use uhub_golden::adversarial::{
    self, AnyRequest, Client, Default2, Error2, GetIpSet2Request, GetIpSetRequest, IpSet, IpSet2, Option2, SignRequest,
    SignRequest2, SignResponse, Signed2Request, Switch, UHostIpSet,
};
use uhub_sdk::runtime::{Action, ClientBuilder, Fields, Form, Response, Service, Target};

fn form_of<A: Action>(request: &A) -> Vec<(String, String)> {
    let mut form = Form::new();
    request.encode(&mut form);
    form.fields().to_vec()
}

fn client() -> Client {
    ClientBuilder::<Client>::new()
        .keys("golden-public", "golden-private")
        .endpoint(<Client as Service>::Endpoint::custom("http://127.0.0.1:9".into()))
        .build()
        .expect("a client with keys and an endpoint")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// UCloud's `UHostIPSet` has a field `Default`: its setter is `default_`, and the constructor's
/// `..Self::default()` still means `Default::default`.
#[test]
fn a_model_field_named_default_is_set_with_default_and_sent_as_default() {
    let host = UHostIpSet::new("10.0.0.1").default_(true).ip_set("a").ip_set_2("b").new_(3).clone_("c").type_("t");
    assert_eq!(host.default_, Some(true));
    assert_eq!(UHostIpSet::default().default_, None);
    let call = client()
        .sign("p")
        .default_(false)
        .send_("s")
        .clone_("c")
        .with_retry_(2)
        .set_name_("sn")
        .name("n")
        .project_id_("other")
        .hosts([host])
        .switch(Switch::On2);
    assert_eq!(
        form_of(call.request()),
        pairs(&[
            ("Payload", "p"),
            ("Send", "s"),
            ("Default", "false"),
            ("Clone", "c"),
            ("WithRetry", "2"),
            ("SetName", "sn"),
            ("Name", "n"),
            ("ProjectID", "other"),
            ("Hosts.0.IP", "10.0.0.1"),
            ("Hosts.0.Default", "true"),
            ("Hosts.0.IPSet", "a"),
            ("Hosts.0.IpSet", "b"),
            ("Hosts.0.New", "3"),
            ("Hosts.0.Clone", "c"),
            ("Hosts.0.Type", "t"),
            ("Switch", "ON"),
        ])
    );
    // The common ProjectId and the action's ProjectID are two fields.
    let call = call.project_id("org-1");
    assert_eq!(call.request().project_id.as_deref(), Some("org-1"));
    assert_eq!(call.request().project_id_.as_deref(), Some("other"));
    // A fake service parses the same form back to the same request.
    let mut form = Form::new();
    call.request().encode(&mut form);
    let fields = Fields::parse(form.to_body().as_bytes());
    let parsed = AnyRequest::from_form("Sign", &fields).expect("an action of the spec").expect("parses");
    assert_eq!(parsed, AnyRequest::Sign(call.request().clone()));
}

#[test]
fn actions_whose_names_collide_in_rust_are_all_reachable_under_their_wire_names() {
    let client = client();
    assert_eq!(client.get_ip_set().request(), &GetIpSetRequest::new());
    assert_eq!(client.get_ip_set_2().request(), &GetIpSet2Request::new());
    assert_eq!(GetIpSetRequest::NAME, "GetIPSet");
    assert_eq!(GetIpSet2Request::NAME, "GetIpSet");
    assert_eq!(<adversarial::TypesRequest as Action>::NAME, "Types");
    assert_eq!(<adversarial::CloneRequest as Action>::NAME, "Clone");
    assert_eq!(<adversarial::MatchRequest as Action>::NAME, "Match");
    assert_eq!(<adversarial::CredentialsRequest as Action>::NAME, "Credentials");
    assert_eq!(Signed2Request::NAME, "Signed");
    assert_eq!(SignRequest::NAME, "Sign");
    let _: adversarial::Call<adversarial::TypesRequest> = client.types();
    let _: adversarial::Call<adversarial::CloneRequest> = client.clone_();
    let _: adversarial::Call<adversarial::MatchRequest> = client.match_();
    let _: adversarial::Call<adversarial::CredentialsRequest> = client.credentials_();
    let _: adversarial::Call<Signed2Request> = client.signed();
    // Client's own methods keep their meaning.
    assert_eq!(client.credentials().public_key(), "golden-public");
    let copy: Client = client.clone();
    assert_eq!(copy.base_url(), client.base_url());
    let empty = Fields::parse(b"");
    for (wire, expected) in [
        ("GetIPSet", AnyRequest::GetIpSet(GetIpSetRequest::new())),
        ("GetIpSet", AnyRequest::GetIpSet2(GetIpSet2Request::new())),
        ("Signed", AnyRequest::Signed2(Signed2Request::new())),
    ] {
        let parsed = AnyRequest::from_form(wire, &empty).expect("an action of the spec").expect("parses");
        assert_eq!(parsed.action(), wire);
        assert_eq!(parsed, expected);
    }
    assert_eq!(
        adversarial::ACTIONS,
        ["Sign", "GetIPSet", "GetIpSet", "Types", "Clone", "Match", "Signed", "Credentials"]
    );
}

#[test]
fn response_fields_named_like_the_envelope_decode_from_their_own_wire_names() {
    let body = br#"{"RetCode": 0, "Message": "service note", "RequestId": "in-body", "message": "field",
        "IPSet": {"Name": "upper"}, "IpSet": {"Name": "camel"}, "Error": {"Code": 7}, "Default": {"Value": "d"}}"#;
    let mut response: SignResponse =
        uhub_sdk::runtime::response("Sign", body, Some("from-header")).expect("the body decodes");
    assert_eq!(response.request_id(), Some("from-header"));
    assert_eq!(response.request_id_.as_deref(), Some("in-body"));
    assert_eq!(response.envelope().message, Some("service note"));
    assert_eq!(response.message_.as_deref(), Some("field"));
    assert_eq!(response.ip_set, Some(IpSet2::new().name("upper")));
    assert_eq!(response.ip_set_2, Some(IpSet::new().name("camel")));
    assert_eq!(response.error, Some(Error2::new().code(7)));
    assert_eq!(response.default, Some(Default2::new().value("d")));
    let _unused: Option<SignRequest2> = None;
}

#[test]
fn enum_values_that_collide_in_rust_are_numbered_and_read_back_by_wire_value() {
    for (wire, variant) in
        [("on", Switch::On), ("ON", Switch::On2), ("Other", Switch::Other2), ("self", Switch::Self2), ("1", Switch::V1)]
    {
        assert_eq!(Switch::from_wire(wire), variant);
        assert_eq!(variant.as_str(), wire);
    }
    assert_eq!(Switch::from_wire("off"), Switch::Other("off".into()));
    assert_eq!(Option2::from_wire("a").as_str(), "a");
}
