//! The actions imported from the test pages (`codegen/tests/fixtures/imported.json`, made by
//! `import-doc --write` alone) work end to end: arrays of scalars and of objects, a model inside
//! a model, floats, enums proposed from descriptions and typed times go on the wire as UCloud's
//! SDKs send them, signed; their responses decode; and the generated parser a fake service
//! uses accepts the form and refuses a malformed one, naming the parameter.

use uhub_golden::imported::{
    self, Client, CreateBuildRunnerNic, CreateBuildRunnerNicPublicIp, CreateBuildRunnerNicPublicIpBilling,
    CreateBuildRunnerRequest, CreateBuildRunnerVolume, CreateBuildRunnerVolumeKind, GetWebhookLogEvent,
};
use uhub_sdk::runtime::{Action, ClientBuilder, Fields, Target, sign};

fn client() -> Client {
    ClientBuilder::<Client>::new()
        .keys("pk-imported", "sk-imported")
        .endpoint(imported::Endpoint::custom("http://127.0.0.1:9".into()))
        .project_id("org-1")
        .build()
        .unwrap()
}

fn runner() -> imported::Call<CreateBuildRunnerRequest> {
    let ssd = CreateBuildRunnerVolume::new(CreateBuildRunnerVolumeKind::Ssd, 40).boot(true);
    let hdd = CreateBuildRunnerVolume::new(CreateBuildRunnerVolumeKind::Hdd, 500);
    let ip = CreateBuildRunnerNicPublicIp::new().bandwidth(5).billing(CreateBuildRunnerNicPublicIpBilling::Traffic);
    let nic = CreateBuildRunnerNic::new().subnet_id("subnet-7").public_ip(ip);
    client().create_build_runner("cn-bj2", "cn-bj2-04", [ssd, hdd]).labels(["ci", "gpu"]).nics([nic]).cpu_share(0.5)
}

#[test]
fn nested_arrays_floats_and_enums_go_on_the_wire_signed() {
    let signed = runner().signed_request().unwrap();
    let fields: Vec<(&str, &str)> = signed.fields().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (signature, rest) = fields.split_last().unwrap();
    assert_eq!(
        rest,
        [
            ("Region", "cn-bj2"),
            ("Zone", "cn-bj2-04"),
            ("Labels.0", "ci"),
            ("Labels.1", "gpu"),
            ("Volumes.0.Kind", "SSD"),
            ("Volumes.0.SizeGB", "40"),
            ("Volumes.0.Boot", "true"),
            ("Volumes.1.Kind", "HDD"),
            ("Volumes.1.SizeGB", "500"),
            ("Nics.0.SubnetId", "subnet-7"),
            ("Nics.0.PublicIp.Bandwidth", "5"),
            ("Nics.0.PublicIp.Billing", "Traffic"),
            ("CpuShare", "0.5"),
            ("ProjectId", "org-1"),
            ("Action", "CreateBuildRunner"),
            ("PublicKey", "pk-imported"),
        ]
    );
    assert_eq!(*signature, ("Signature", sign(rest, "sk-imported").as_str()));
    // Whole floats go as integers, as UCloud's SDKs send them.
    let whole = runner().cpu_share(2.0).weight(0.25).signed_request().unwrap();
    let get = |name: &str| whole.fields().iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!((get("CpuShare").as_deref(), get("Weight").as_deref()), (Some("2"), Some("0.25")));
}

#[test]
fn the_generated_parser_reads_what_the_client_sends_and_names_what_is_missing() {
    let signed = runner().signed_request().unwrap();
    let fields = Fields::parse(signed.body().as_bytes());
    let parsed = imported::AnyRequest::from_form("CreateBuildRunner", &fields).unwrap().unwrap();
    // The client's default project was filled in on the way out.
    let mut expected = runner().request().clone();
    expected.project_id = Some("org-1".into());
    assert_eq!(parsed, imported::AnyRequest::CreateBuildRunner(expected));
    // A form without its required list of volumes is a missing parameter, as a fake answers 230.
    let without: Fields = fields.iter().filter(|(k, _)| !k.starts_with("Volumes.")).collect();
    let err = CreateBuildRunnerRequest::from_form(&without).unwrap_err();
    assert_eq!(err.to_string(), "parameter Volumes: is required but missing");
    let bad_float: Fields = fields.iter().map(|(k, v)| (k, if k == "CpuShare" { "half" } else { v })).collect();
    assert_eq!(
        CreateBuildRunnerRequest::from_form(&bad_float).unwrap_err().to_string(),
        "parameter CpuShare: \"half\" is not a number"
    );
    let bad_enum: Fields = fields.iter().map(|(k, v)| (k, if k == "Volumes.1.Kind" { "NVMe" } else { v })).collect();
    assert_eq!(
        CreateBuildRunnerRequest::from_form(&bad_enum).unwrap_err().to_string(),
        "parameter Volumes.1.Kind: \"NVMe\" is not one of SSD, HDD"
    );
}

#[test]
fn nested_responses_with_floats_times_and_drift_decode() {
    let body = br#"{"RetCode": 0, "TotalCount": "2", "LogSet": [
        {"Event": "push", "Latency": "0.25", "Receiver": {"Url": "https://ci.test/hook"}, "StatusCode": 200, "SentTime": 1714557600},
        null,
        {"Event": "tag", "Latency": 1, "Receiver": null, "SentTime": "2024-05-01 18:00:00"}]}"#;
    let r: imported::GetWebhookLogResponse = uhub_sdk::runtime::response("GetWebhookLog", body, None).unwrap();
    assert_eq!(r.total_count, 2);
    assert_eq!(r.log_set.len(), 2, "the null item is skipped");
    let (first, second) = (&r.log_set[0], &r.log_set[1]);
    assert_eq!((first.event.as_str(), first.latency, first.status_code), ("push", 0.25, Some(200)));
    assert_eq!(first.receiver.as_ref().map(|x| x.url.as_str()), Some("https://ci.test/hook"));
    assert_eq!((second.latency, second.receiver.is_none()), (1.0, true));
    let instants: Vec<_> = r.log_set.iter().map(|l| l.sent_time.timestamp().map(|t| t.as_second())).collect();
    assert_eq!(instants, [Some(1_714_557_600), Some(1_714_557_600)]);
    // Enums proposed from a description are typed on the request side.
    let call = client().get_webhook_log("hook-9").events([GetWebhookLogEvent::Push, GetWebhookLogEvent::Tag]).limit(2);
    let mut form = uhub_sdk::runtime::Form::new();
    call.request().encode(&mut form);
    let sent: Vec<(&str, &str)> = form.fields().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(sent, [("HookId", "hook-9"), ("Events.0", "push"), ("Events.1", "tag"), ("Limit", "2")]);
}
