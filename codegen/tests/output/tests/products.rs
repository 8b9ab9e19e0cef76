//! Products are namespaces (`codegen/tests/fixtures/products.json`): the spec's own product and
//! two others each have a `NodeInfo`, and each action decodes its own. uec's state is a number,
//! umongodb's a word; had the models been merged by name, one of the two would not decode.
//! Each product is a module of its own, with its own client: its types keep their names there.

use uec::GetUEcNodeResponse;
use uhub_golden::products::umongodb::{DescribeUMongoDbInstanceResponse, NodeState};
use uhub_golden::products::{ListFleetNodesResponse, NodeInfo, spare, uec, umongodb};
use uhub_sdk::runtime::serde_json::json;
use uhub_sdk::runtime::{ListLimits, response, response_within};

#[test]
fn each_product_decodes_its_own_node_info() {
    let uec: GetUEcNodeResponse =
        response("GetUEcNode", br#"{"RetCode": 0, "Node": {"State": 1}, "Disks": [{"SizeGB": 40}]}"#, None).unwrap();
    let node: uec::NodeInfo = uec.node.unwrap();
    assert_eq!(node.state, Some(1));
    let disks: Vec<uec::DiskSet> = uec.disks;
    assert_eq!(disks[0].size_gb, Some(40));

    let mongo: DescribeUMongoDbInstanceResponse =
        response("DescribeUMongoDBInstance", br#"{"RetCode": 0, "NodeInfo": [{"State": "Running"}]}"#, None).unwrap();
    let nodes: Vec<umongodb::NodeInfo> = mongo.node_info;
    assert_eq!(nodes[0].state, Some(NodeState::Running));

    let own: ListFleetNodesResponse =
        response("ListFleetNodes", br#"{"RetCode": 0, "Nodes": [{"NodeId": "n-1"}]}"#, None).unwrap();
    let nodes: Vec<NodeInfo> = own.nodes;
    assert_eq!(nodes[0].node_id, "n-1");
}

#[test]
fn free_form_json_is_kept_as_sent_and_its_items_count_against_the_list_caps() {
    let body =
        br#"{"RetCode": 0, "Labels": {"team": "edge", "tiers": [1, null, "gold", 2.5]}, "Node": {"Extra": [null]}}"#;
    let uec: GetUEcNodeResponse = response("GetUEcNode", body, None).unwrap();
    assert_eq!(uec.labels, Some(json!({"team": "edge", "tiers": [1, null, "gold", 2.5]})));
    assert_eq!(uec.node.unwrap().extra, Some(json!([null])));

    // Two entries and four items: six list items, past a cap of five in all.
    let capped = response_within::<GetUEcNodeResponse>("GetUEcNode", body, None, ListLimits::new(None, 5));
    let error = capped.unwrap_err().to_string();
    assert!(error.contains("more than 5 list items in all"), "{error}");
    let fits = response_within::<GetUEcNodeResponse>("GetUEcNode", body, None, ListLimits::new(None, 7));
    assert!(fits.is_ok(), "{fits:?}");
}

/// Each product has a client of its own, which sends only its own actions, and lists them.
#[test]
fn each_product_has_its_own_client_and_actions() {
    assert_eq!(uhub_golden::products::ACTIONS, ["ListFleetNodes"]);
    assert_eq!(uec::ACTIONS, ["GetUEcNode"]);
    assert_eq!(umongodb::ACTIONS, ["DescribeUMongoDBInstance"]);
    let client = uec::Client::builder().keys("public", "private").build().unwrap();
    let signed = client.get_uec_node().signed_request().unwrap();
    assert!(signed.fields().contains(&("Action".to_owned(), "GetUEcNode".to_owned())), "{:?}", signed.fields());
    assert!(uec::AnyRequest::from_form("DescribeUMongoDBInstance", &Default::default()).is_none());
    // A product with a model and no action: its types are there, its dispatch knows nothing.
    assert!(spare::ACTIONS.is_empty());
    assert!(spare::AnyRequest::from_form("GetUEcNode", &Default::default()).is_none());
    assert_eq!(spare::Quota::default().limit, None);
}
