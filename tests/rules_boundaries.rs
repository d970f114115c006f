//! Boundary and precedence tests that the mutation run (`scripts/mutants`, TESTING.md) showed
//! were missing: each asserts a verdict and its message at the exact edge where a `<` turned
//! into `<=`, or one branch of a verdict taking another's place, would change what the user is told.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::Profile;
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, BasicEventSelector, CollectError, Collected,
    ErrorKind, IngressRule, LogGroup, RegionSnapshot, Snapshot, Trail, VpcEndpoint,
};

const EAST: &str = "us-east-1";

fn fixture(name: &str) -> Snapshot {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    parse_snapshot(&text, &path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn east() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile
}

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap_or_else(|| panic!("no rule {rule_id}"));
    let findings = engine::run_rule(rule, snapshot, profile);
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

fn region_mut<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut RegionSnapshot {
    snapshot
        .regions
        .iter_mut()
        .find(|r| r.region == name)
        .unwrap()
}

fn by_resource<'a>(findings: &'a [Finding], suffix: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.ends_with(suffix))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one finding for *{suffix}: {findings:#?}"
    );
    matching[0]
}

fn assert_verdict(f: &Finding, status: Status, fragments: &[&str]) {
    assert_eq!(f.status, status, "{}: {}", f.resource, f.message);
    for fragment in fragments {
        assert!(
            f.message.contains(fragment),
            "message of {} lacks {fragment:?}: {}",
            f.resource,
            f.message
        );
    }
}

fn data_mut<T>(section: &mut Collected<T>) -> &mut T {
    match section {
        Collected::Ok { data } => data,
        Collected::Failed { .. } => panic!("section is not readable in this fixture"),
    }
}

fn throttled(operation: &str) -> CollectError {
    CollectError {
        operation: operation.into(),
        kind: ErrorKind::Throttling,
        code: "ThrottlingException".into(),
        message: "Rate exceeded".into(),
    }
}

// ---- log-retention-set ---------------------------------------------------------------------

fn log_group(name: &str, days: Option<i32>) -> LogGroup {
    LogGroup {
        name: name.into(),
        arn: format!("arn:aws:logs:{EAST}:111122223333:log-group:{name}"),
        retention_in_days: days,
        kms_key_id: None,
    }
}

#[test]
fn log_retention_of_exactly_the_minimum_passes_and_one_day_less_fails() {
    let mut snapshot = fixture("ready.snapshot.json");
    let mut profile = east();
    profile.data_retention.min_log_retention_days = 30;
    region_mut(&mut snapshot, EAST).log_groups = Collected::ok(vec![
        log_group("/below", Some(29)),
        log_group("/exact", Some(30)),
        log_group("/above", Some(31)),
    ]);
    let findings = run("log-retention-set", &snapshot, &profile);
    assert_eq!(findings.len(), 3);
    assert_verdict(
        by_resource(&findings, ":/below"),
        Status::Fail,
        &["Log group /below keeps events for 29 days, less than the required 30."],
    );
    assert_verdict(
        by_resource(&findings, ":/exact"),
        Status::Pass,
        &["Log group /exact keeps events for 30 days (at least 30 required)."],
    );
    assert_verdict(
        by_resource(&findings, ":/above"),
        Status::Pass,
        &["keeps events for 31 days"],
    );
}

// ---- cloudtrail-enabled: management-event coverage and verdict precedence -------------------

const TRAIL: &str = "cloudtrail-enabled";

fn ready_trail(snapshot: &mut Snapshot) -> &mut Trail {
    &mut data_mut(&mut region_mut(snapshot, EAST).trails)[0]
}

fn trail_verdict(edit: impl FnOnce(&mut Trail)) -> Finding {
    let mut snapshot = fixture("ready.snapshot.json");
    edit(ready_trail(&mut snapshot));
    run(TRAIL, &snapshot, &east()).remove(0)
}

fn basic(read_write_type: &str, include_management_events: bool) -> BasicEventSelector {
    BasicEventSelector {
        read_write_type: read_write_type.into(),
        include_management_events,
    }
}

fn field(name: &str, equals: &[&str], not_equals: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector {
        field: name.into(),
        equals: equals.iter().map(|v| v.to_string()).collect(),
        not_equals: not_equals.iter().map(|v| v.to_string()).collect(),
    }
}

fn with_selectors(
    basic: Vec<BasicEventSelector>,
    advanced: Vec<Vec<AdvancedFieldSelector>>,
) -> Finding {
    trail_verdict(|trail| {
        let selectors = data_mut(&mut trail.event_selectors);
        selectors.basic = basic;
        selectors.advanced = advanced
            .into_iter()
            .map(|field_selectors| AdvancedEventSelector {
                name: None,
                field_selectors,
            })
            .collect();
    })
}

#[test]
fn cloudtrail_basic_selectors_count_read_and_write_separately() {
    assert_verdict(
        &with_selectors(vec![basic("ReadOnly", true)], vec![]),
        Status::Fail,
        &["org-audit: records only read management events"],
    );
    assert_verdict(
        &with_selectors(vec![basic("WriteOnly", true)], vec![]),
        Status::Fail,
        &["org-audit: records only write management events"],
    );
    assert_verdict(
        &with_selectors(
            vec![basic("ReadOnly", true), basic("WriteOnly", true)],
            vec![],
        ),
        Status::Pass,
        &["Trail org-audit (home us-east-1) is logging"],
    );
    // A selector that excludes management events covers nothing, whatever its type.
    assert_verdict(
        &with_selectors(vec![basic("All", false)], vec![]),
        Status::Fail,
        &["org-audit: records no management events"],
    );
}

#[test]
fn cloudtrail_advanced_selectors_read_not_equals_and_ignore_data_events() {
    let management = || field("eventCategory", &["Management"], &[]);
    assert_verdict(
        &with_selectors(
            vec![],
            vec![vec![management(), field("readOnly", &[], &["false"])]],
        ),
        Status::Fail,
        &["records only read management events"],
    );
    assert_verdict(
        &with_selectors(
            vec![],
            vec![vec![management(), field("readOnly", &[], &["true"])]],
        ),
        Status::Fail,
        &["records only write management events"],
    );
    assert_verdict(
        &with_selectors(
            vec![],
            vec![
                vec![management(), field("readOnly", &["true"], &[])],
                vec![management(), field("readOnly", &[], &["true"])],
            ],
        ),
        Status::Pass,
        &[],
    );
    // Data events are not management events, even when the selector names eventCategory.
    assert_verdict(
        &with_selectors(
            vec![],
            vec![vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::S3::Object"], &[]),
            ]],
        ),
        Status::Fail,
        &["records no management events"],
    );
}

#[test]
fn cloudtrail_a_read_only_value_it_does_not_know_covers_nothing() {
    // readOnly = "unknown" is neither reads nor writes: beside a read-only selector, writes are
    // still missing.
    let management = || field("eventCategory", &["Management"], &[]);
    assert_verdict(
        &with_selectors(
            vec![],
            vec![
                vec![management(), field("readOnly", &["true"], &[])],
                vec![management(), field("readOnly", &["unknown"], &[])],
            ],
        ),
        Status::Fail,
        &["records only read management events"],
    );
}

#[test]
fn cloudtrail_a_known_miss_fails_even_when_something_else_is_unreadable() {
    let finding = trail_verdict(|trail| {
        trail.is_multi_region = false;
        trail.event_selectors = Collected::failed(throttled("cloudtrail:GetEventSelectors"));
    });
    assert_verdict(
        &finding,
        Status::Fail,
        &[
            "No trail in us-east-1 meets every requirement",
            "org-audit: single-region, event selectors unreadable (cloudtrail:GetEventSelectors ThrottlingException)",
        ],
    );
}

#[test]
fn cloudtrail_an_unreadable_status_alone_is_an_error_not_a_pass() {
    let finding = trail_verdict(|trail| {
        trail.status = Collected::failed(throttled("cloudtrail:GetTrailStatus"));
    });
    assert_verdict(
        &finding,
        Status::Error,
        &[
            "No trail in us-east-1 is confirmed to meet every requirement.",
            "Could not read the status of trail org-audit",
            "org-audit: status unreadable (cloudtrail:GetTrailStatus ThrottlingException)",
        ],
    );
}

// ---- bedrock-runtime-vpc-endpoint: which endpoints count, port ranges, sources, evidence ----

const ENDPOINT: &str = "bedrock-runtime-vpc-endpoint";

fn https_rule(protocol: &str, from: Option<i32>, to: Option<i32>) -> IngressRule {
    IngressRule {
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        cidr_blocks: vec!["10.0.0.0/8".into()],
        source_group_ids: vec![],
        prefix_list_ids: vec![],
    }
}

fn endpoint_verdict(rule: IngressRule) -> Status {
    let mut snapshot = fixture("ready.snapshot.json");
    data_mut(&mut region_mut(&mut snapshot, EAST).security_groups)[0].ingress = vec![rule];
    let findings = run(ENDPOINT, &snapshot, &east());
    assert_eq!(findings.len(), 1);
    findings[0].status
}

#[test]
fn vpc_endpoint_port_minus_one_means_every_port_only_when_both_ends_say_so() {
    assert_eq!(
        endpoint_verdict(https_rule("tcp", Some(-1), Some(-1))),
        Status::Pass
    );
    assert_eq!(
        endpoint_verdict(https_rule("tcp", Some(-1), Some(80))),
        Status::Fail
    );
    assert_eq!(
        endpoint_verdict(https_rule("tcp", Some(80), Some(-1))),
        Status::Fail
    );
    assert_eq!(
        endpoint_verdict(https_rule("6", Some(443), Some(443))),
        Status::Pass
    );
    assert_eq!(
        endpoint_verdict(https_rule("icmp", Some(-1), Some(-1))),
        Status::Fail
    );
    assert_eq!(
        endpoint_verdict(https_rule("tcp", Some(443), Some(444))),
        Status::Pass
    );
    assert_eq!(
        endpoint_verdict(https_rule("tcp", Some(444), Some(500))),
        Status::Fail
    );
}

#[test]
fn vpc_endpoint_a_security_group_source_is_a_source() {
    let mut rule = https_rule("tcp", Some(443), Some(443));
    rule.cidr_blocks.clear();
    rule.source_group_ids = vec!["sg-0developers".into()];
    assert_eq!(endpoint_verdict(rule), Status::Pass);
}

fn other_endpoint(service: &str, endpoint_type: &str) -> VpcEndpoint {
    VpcEndpoint {
        endpoint_id: "vpce-0other".into(),
        vpc_id: "vpc-0a1b2c3d4e5f60001".into(),
        service_name: service.into(),
        endpoint_type: endpoint_type.into(),
        state: "available".into(),
        private_dns_enabled: true,
        subnet_ids: vec!["subnet-0a11b22c33d44e501".into()],
        security_group_ids: vec!["sg-0b1c2d3e4f5a60001".into()],
        policy_document: None,
        dns_names: None,
    }
}

#[test]
fn vpc_endpoint_only_interface_endpoints_for_bedrock_runtime_count() {
    for other in [
        other_endpoint("com.amazonaws.us-east-1.s3", "Interface"),
        other_endpoint("com.amazonaws.us-east-1.bedrock-runtime", "Gateway"),
    ] {
        let mut snapshot = fixture("ready.snapshot.json");
        region_mut(&mut snapshot, EAST).vpc_endpoints = Collected::ok(vec![other]);
        let findings = run(ENDPOINT, &snapshot, &east());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_verdict(
            &findings[0],
            Status::Fail,
            &[
                "No Interface VPC endpoint for com.amazonaws.us-east-1.bedrock-runtime in us-east-1",
                "VPCs without one: vpc-0a1b2c3d4e5f60001.",
            ],
        );
        assert!(findings[0].resource.ends_with(":vpc-endpoint/*"));
    }
}

#[test]
fn vpc_endpoint_says_when_the_region_has_no_vpc_at_all() {
    let mut snapshot = fixture("ready.snapshot.json");
    let region = region_mut(&mut snapshot, EAST);
    region.vpc_endpoints = Collected::ok(vec![]);
    region.vpcs = Collected::ok(vec![]);
    let findings = run(ENDPOINT, &snapshot, &east());
    assert_verdict(
        &findings[0],
        Status::Fail,
        &["over the public endpoint. The region has no VPC yet."],
    );
    assert!(!findings[0].message.contains("VPCs without one"));
}

#[test]
fn vpc_endpoint_evidence_names_the_vpcs_with_and_without_an_endpoint() {
    let mut snapshot = fixture("ready.snapshot.json");
    let region = region_mut(&mut snapshot, EAST);
    let mut second = data_mut(&mut region.vpcs)[0].clone();
    second.vpc_id = "vpc-0second".into();
    data_mut(&mut region.vpcs).push(second);
    let findings = run(ENDPOINT, &snapshot, &east());
    assert_eq!(findings[0].status, Status::Pass);
    let vpcs = findings[0]
        .evidence
        .iter()
        .find(|e| e.source == "ec2:DescribeVpcs")
        .expect("VPC evidence");
    assert_eq!(
        vpcs.values["vpcs"],
        serde_json::json!(["vpc-0a1b2c3d4e5f60001", "vpc-0second"])
    );
    assert_eq!(
        vpcs.values["vpcs_without_endpoint"],
        serde_json::json!(["vpc-0second"])
    );
}

// ---- bedrock-inference-profiles: which profile is judged, suggestions, geographies ----------

const PROFILES: &str = "bedrock-inference-profiles";
const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

#[test]
fn inference_profiles_judge_the_profile_named_not_the_first_listed() {
    for disabled in [SONNET, HAIKU] {
        let mut snapshot = fixture("ready.snapshot.json");
        for profile in data_mut(&mut region_mut(&mut snapshot, EAST).inference_profiles) {
            if profile.id == format!("us.{disabled}") {
                profile.status = "DISABLED".into();
            }
        }
        let findings = run(PROFILES, &snapshot, &east());
        for finding in &findings {
            if finding.resource.ends_with(&format!("us.{disabled}")) {
                assert_verdict(
                    finding,
                    Status::Fail,
                    &[&format!(
                        "inference profile us.{disabled} is DISABLED, not ACTIVE"
                    )],
                );
            } else {
                assert_verdict(finding, Status::Pass, &["is an ACTIVE inference profile"]);
            }
        }
    }
}

fn bare_ids(primary: &str, fast: &str, region: &str) -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![region.to_string()];
    profile.rollout.primary_model = primary.into();
    profile.rollout.fast_model = fast.into();
    profile
}

#[test]
fn inference_profiles_suggest_the_listed_profile_of_the_same_model() {
    let snapshot = fixture("ready.snapshot.json");
    let findings = run(PROFILES, &snapshot, &bare_ids(SONNET, HAIKU, EAST));
    assert_verdict(
        by_resource(&findings, "model-role/primary"),
        Status::Fail,
        &[&format!("use an inference-profile id such as us.{SONNET}")],
    );
    assert_verdict(
        by_resource(&findings, "model-role/fast"),
        Status::Fail,
        &[&format!("use an inference-profile id such as us.{HAIKU}")],
    );
    for finding in &findings {
        assert!(
            !finding.message.contains("full version suffix"),
            "{}",
            finding.message
        );
    }
    // An id without its date still finds the listed profile that extends it.
    let findings = run(
        PROFILES,
        &snapshot,
        &bare_ids("anthropic.claude-sonnet-4-5", HAIKU, EAST),
    );
    assert_verdict(
        by_resource(&findings, "model-role/primary"),
        Status::Fail,
        &[&format!("such as us.{SONNET}")],
    );
}

#[test]
fn inference_profiles_suggest_the_regions_geography_when_nothing_is_listed() {
    for (region, prefix) in [
        ("us-east-1", "us"),
        ("eu-west-1", "eu"),
        ("ap-northeast-1", "apac"),
        ("us-gov-west-1", "us-gov"),
    ] {
        let mut snapshot = fixture("ready.snapshot.json");
        let mut copy = snapshot.regions[0].clone();
        copy.region = region.into();
        copy.inference_profiles = Collected::ok(vec![]);
        snapshot.regions = vec![copy];
        let findings = run(PROFILES, &snapshot, &bare_ids(SONNET, HAIKU, region));
        assert_verdict(
            by_resource(&findings, "model-role/primary"),
            Status::Fail,
            &[&format!(
                "such as {prefix}.{SONNET} (with its full version suffix)"
            )],
        );
    }
}

// ---- rules::support::Judgement: precedence and what the message lists -----------------------

const ACCESS: &str = "bedrock-model-access";

#[test]
fn every_unreadable_input_is_named_once_in_an_error() {
    let mut snapshot = fixture("ready.snapshot.json");
    let region = region_mut(&mut snapshot, EAST);
    region.model_availability.insert(
        SONNET.into(),
        Collected::failed(throttled("bedrock:GetFoundationModelAvailability")),
    );
    region.foundation_models = Collected::failed(throttled("bedrock:ListFoundationModels"));
    let findings = run(ACCESS, &snapshot, &east());
    let primary = by_resource(&findings, &format!("foundation-model/{SONNET}"));
    assert_verdict(
        primary,
        Status::Error,
        &[
            &format!("Could not read the availability of {SONNET}"),
            &format!(
                " Also not checked: the lifecycle of {SONNET} (bedrock:ListFoundationModels failed with ThrottlingException)."
            ),
        ],
    );
    // Only one input unreadable: nothing else to list.
    let fast = by_resource(&findings, &format!("foundation-model/{HAIKU}"));
    assert_verdict(fast, Status::Error, &[&format!("the lifecycle of {HAIKU}")]);
    assert!(
        !fast.message.contains("Also not checked"),
        "{}",
        fast.message
    );
}

// ---- kms-keys-configured: where a multi-region trail is judged, which group gets the label --

const KMS: &str = "kms-keys-configured";
const WEST: &str = "us-west-2";

/// The region in which the org-audit trail, homed in `home` and visible in both target
/// regions, gets its one finding.
fn kms_trail_judged_in(home: &str) -> String {
    let mut snapshot = fixture("ready.snapshot.json");
    data_mut(&mut region_mut(&mut snapshot, EAST).trails)[0].home_region = home.into();
    let mut west = snapshot.regions[0].clone();
    west.region = WEST.into();
    snapshot.regions.push(west);
    let mut profile = east();
    profile.rollout.regions = vec![EAST.into(), WEST.into()];
    let findings = run(KMS, &snapshot, &profile);
    let trail: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.ends_with(":trail/org-audit"))
        .collect();
    assert_eq!(trail.len(), 1, "one finding per trail: {trail:#?}");
    assert_verdict(trail[0], Status::Pass, &["Trail org-audit is encrypted"]);
    trail[0].region.clone()
}

#[test]
fn kms_judges_a_trail_in_its_home_region_else_in_the_first_target_region() {
    assert_eq!(kms_trail_judged_in(EAST), EAST);
    assert_eq!(kms_trail_judged_in(WEST), WEST);
    assert_eq!(kms_trail_judged_in("eu-west-1"), EAST);
}

#[test]
fn kms_labels_only_the_group_that_receives_invocation_logs() {
    let findings = run(KMS, &fixture("ready.snapshot.json"), &east());
    assert_verdict(
        by_resource(&findings, "log-group:/aws/bedrock/model-invocations"),
        Status::Pass,
        &["Log group /aws/bedrock/model-invocations (Bedrock model-invocation logs) is encrypted with customer-managed key"],
    );
    let other = by_resource(&findings, "log-group:/aws/cloudtrail/org-audit");
    assert_verdict(
        other,
        Status::Pass,
        &["Log group /aws/cloudtrail/org-audit is encrypted"],
    );
    assert!(
        !other.message.contains("model-invocation logs"),
        "{}",
        other.message
    );
}
