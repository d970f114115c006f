//! `bedrock-private-network` and `bedrock-invocation-logging` on the ready fixture, changed one
//! fact at a time: every pass, fail, error and not-applicable path, each asserting the verdict
//! and the words that tell the user what is wrong.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::{InvocationLoggingPolicy, Profile};
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    BucketEncryptionRule, BucketPosture, CollectError, Collected, ErrorKind, IngressRule, KmsKey,
    LifecycleRule, PublicAccessBlock, RegionSnapshot, Snapshot, Subnet, VpcEndpoint,
};
use bedrock_audit::snapshot::{InvokeSimulation, SimulationResult};

const EAST: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";
const NETWORK: &str = "bedrock-private-network";
const LOGGING: &str = "bedrock-invocation-logging";
const VPC: &str = "vpc-0a1b2c3d4e5f60001";
const GROUP: &str = "sg-0b1c2d3e4f5a60001";
const RUNTIME: &str = "vpce-0c1d2e3f4a5b60001";
const BUCKET: &str = "claude-code-invocation-logs";
const FULL_ACCESS: &str =
    r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

fn ready() -> Snapshot {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("ready.snapshot.json");
    let text = std::fs::read_to_string(&path).unwrap();
    parse_snapshot(&text, &path).unwrap()
}

fn east(snapshot: &mut Snapshot) -> &mut RegionSnapshot {
    snapshot
        .regions
        .iter_mut()
        .find(|r| r.region == EAST)
        .unwrap()
}

fn data_mut<T>(section: &mut Collected<T>) -> &mut T {
    match section {
        Collected::Ok { data } => data,
        Collected::Failed { .. } => panic!("section is not readable in this fixture"),
    }
}

fn error(operation: &str, code: &str, kind: ErrorKind) -> CollectError {
    CollectError {
        operation: operation.into(),
        kind,
        code: code.into(),
        message: format!("{code} from the test"),
    }
}

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap();
    let findings = engine::run_rule(rule, snapshot, profile);
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

/// The one finding of a one-region run.
fn only(findings: Vec<Finding>) -> Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings.into_iter().next().unwrap()
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

// ---- bedrock-private-network ---------------------------------------------------------------

fn private_profile() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile.network.private_only = true;
    profile.network.allowed_cidrs = vec!["10.20.0.0/16".into()];
    profile
}

fn endpoint(id: &str, service: &str, subnets: &[&str]) -> VpcEndpoint {
    VpcEndpoint {
        endpoint_id: id.into(),
        vpc_id: VPC.into(),
        service_name: format!("com.amazonaws.{EAST}.{service}"),
        endpoint_type: "Interface".into(),
        state: "available".into(),
        private_dns_enabled: true,
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        security_group_ids: vec![GROUP.into()],
        policy_document: Some(FULL_ACCESS.into()),
        dns_names: None,
    }
}

/// The ready fixture with all three endpoints in one VPC across two zones.
fn private_ready() -> Snapshot {
    let mut snapshot = ready();
    let region = east(&mut snapshot);
    let subnets = ["subnet-0a11b22c33d44e501", "subnet-0a11b22c33d44e502"];
    let endpoints = data_mut(&mut region.vpc_endpoints);
    // The fixture's own control-plane and sts endpoints are replaced by named ones.
    endpoints.retain(|e| e.endpoint_id == RUNTIME);
    endpoints[0].policy_document = Some(FULL_ACCESS.into());
    endpoints.push(endpoint("vpce-bedrock", "bedrock", &subnets));
    endpoints.push(endpoint("vpce-sts", "sts", &subnets));
    region.vpc_endpoint_services = ["bedrock-runtime", "bedrock", "sts"]
        .iter()
        .map(|s| format!("com.amazonaws.{EAST}.{s}"))
        .collect();
    region.subnets = Some(Collected::ok(
        subnets
            .iter()
            .zip(["use1-az1", "use1-az2"])
            .map(|(id, zone)| Subnet {
                subnet_id: id.to_string(),
                vpc_id: VPC.into(),
                availability_zone: format!("{EAST}{}", &zone[7..]),
                availability_zone_id: Some(zone.into()),
            })
            .collect(),
    ));
    snapshot
}

fn runtime_endpoint(snapshot: &mut Snapshot) -> &mut VpcEndpoint {
    data_mut(&mut east(snapshot).vpc_endpoints)
        .iter_mut()
        .find(|e| e.endpoint_id == RUNTIME)
        .unwrap()
}

/// The private-path account with this policy on its bedrock-runtime endpoint.
fn with_runtime_policy(policy: &str) -> Snapshot {
    let mut snapshot = private_ready();
    runtime_endpoint(&mut snapshot).policy_document = Some(policy.into());
    snapshot
}

fn network_verdict(snapshot: &Snapshot, profile: &Profile) -> Finding {
    only(run(NETWORK, snapshot, profile))
}

#[test]
fn private_network_passes_with_all_three_endpoints_two_zones_and_an_allowing_policy() {
    let f = network_verdict(&private_ready(), &private_profile());
    assert_verdict(
        &f,
        Status::Pass,
        &["VPC vpc-0a1b2c3d4e5f60001", "10.20.0.0/16"],
    );
    assert!(f.resource.ends_with(&format!("vpc-endpoint/{RUNTIME}")));
}

#[test]
fn private_network_is_not_applicable_unless_the_profile_requires_it() {
    let mut profile = private_profile();
    profile.network.private_only = false;
    let f = network_verdict(&private_ready(), &profile);
    assert_verdict(&f, Status::NotApplicable, &["private_only = false"]);
}

#[test]
fn a_missing_control_plane_or_sts_endpoint_fails_naming_the_service() {
    for (service, why) in [
        ("bedrock", "ListInferenceProfiles"),
        ("sts", "credential refresh"),
    ] {
        let mut snapshot = private_ready();
        data_mut(&mut east(&mut snapshot).vpc_endpoints)
            .retain(|e| e.service_name != format!("com.amazonaws.{EAST}.{service}"));
        let f = network_verdict(&snapshot, &private_profile());
        assert_verdict(
            &f,
            Status::Fail,
            &[
                &format!("no interface endpoint for com.amazonaws.{EAST}.{service}"),
                why,
            ],
        );
    }
}

#[test]
fn a_control_plane_endpoint_in_another_vpc_does_not_count() {
    let mut snapshot = private_ready();
    for e in data_mut(&mut east(&mut snapshot).vpc_endpoints) {
        if e.endpoint_id == "vpce-bedrock" {
            e.vpc_id = "vpc-elsewhere".into();
        }
    }
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Fail, &["com.amazonaws.us-east-1.bedrock"]);
}

#[test]
fn an_sts_endpoint_without_private_dns_fails() {
    let mut snapshot = private_ready();
    for e in data_mut(&mut east(&mut snapshot).vpc_endpoints) {
        if e.endpoint_id == "vpce-sts" {
            e.private_dns_enabled = false;
            e.state = "pending".into();
        }
    }
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Fail,
        &[
            "sts endpoint vpce-sts has private DNS off",
            "vpce-sts is pending",
        ],
    );
}

#[test]
fn one_availability_zone_fails_and_two_subnets_in_one_zone_are_still_one() {
    let mut snapshot = private_ready();
    let subnets = east(&mut snapshot).subnets.as_mut().unwrap();
    for subnet in data_mut(subnets) {
        subnet.availability_zone_id = Some("use1-az1".into());
    }
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Fail, &["in 1 Availability Zone(s)"]);
}

#[test]
fn zones_are_those_of_the_runtime_endpoints_own_subnets() {
    // A subnet of another endpoint, listed first, in a zone of its own: it must not stand in
    // for the runtime endpoint's subnets, which span two zones.
    let mut snapshot = private_ready();
    let subnets = data_mut(east(&mut snapshot).subnets.as_mut().unwrap());
    subnets.insert(
        0,
        Subnet {
            subnet_id: "subnet-0ffffffffffffff99".into(),
            vpc_id: VPC.into(),
            availability_zone: format!("{EAST}c"),
            availability_zone_id: Some("use1-az9".into()),
        },
    );
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Pass, &[]);
}

#[test]
fn an_available_endpoint_with_private_dns_is_preferred_to_a_pending_one() {
    // Two sts endpoints in the runtime endpoint's VPC: the usable one decides, wherever it is
    // listed.
    let mut snapshot = private_ready();
    let endpoints = data_mut(&mut east(&mut snapshot).vpc_endpoints);
    let at = endpoints
        .iter()
        .position(|e| e.endpoint_id == "vpce-sts")
        .unwrap();
    let mut pending = endpoints[at].clone();
    pending.endpoint_id = "vpce-sts-pending".into();
    pending.state = "pending".into();
    endpoints.insert(at, pending);
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Pass, &[]);
    // And with only the pending one, the rule fails naming it.
    let endpoints = data_mut(&mut east(&mut snapshot).vpc_endpoints);
    endpoints.retain(|e| e.endpoint_id != "vpce-sts");
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Fail, &["vpce-sts-pending"]);
}

#[test]
fn unread_subnets_are_an_error_not_a_pass() {
    let mut snapshot = private_ready();
    east(&mut snapshot).subnets = Some(Collected::failed(error(
        "ec2:DescribeSubnets",
        "UnauthorizedOperation",
        ErrorKind::AccessDenied,
    )));
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &["ec2:DescribeSubnets failed with UnauthorizedOperation"],
    );

    let mut older = private_ready();
    east(&mut older).subnets = None;
    let f = network_verdict(&older, &private_profile());
    assert_verdict(&f, Status::Error, &["subnets were not collected"]);
}

#[test]
fn a_snapshot_that_never_asked_for_bedrock_and_sts_endpoints_is_an_error() {
    let mut snapshot = private_ready();
    let region = east(&mut snapshot);
    region.vpc_endpoint_services.clear();
    data_mut(&mut region.vpc_endpoints).retain(|e| e.endpoint_id == RUNTIME);
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &["com.amazonaws.us-east-1.bedrock endpoints were not collected"],
    );
}

#[test]
fn no_runtime_endpoint_fails_for_the_region_and_unreadable_endpoints_are_an_error() {
    let mut snapshot = private_ready();
    data_mut(&mut east(&mut snapshot).vpc_endpoints).retain(|e| e.endpoint_id != RUNTIME);
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Fail,
        &["No Interface VPC endpoint for com.amazonaws.us-east-1.bedrock-runtime"],
    );

    let mut unreadable = private_ready();
    east(&mut unreadable).vpc_endpoints = Collected::failed(error(
        "ec2:DescribeVpcEndpoints",
        "RequestLimitExceeded",
        ErrorKind::Throttling,
    ));
    let f = network_verdict(&unreadable, &private_profile());
    assert_verdict(&f, Status::Error, &["RequestLimitExceeded"]);
}

#[test]
fn a_security_group_open_to_the_internet_fails_even_when_the_developers_are_admitted() {
    for world in ["0.0.0.0/0", "::/0"] {
        let mut snapshot = private_ready();
        let groups = data_mut(&mut east(&mut snapshot).security_groups);
        groups[0].ingress[0].cidr_blocks = vec!["10.0.0.0/8".into(), world.into()];
        let f = network_verdict(&snapshot, &private_profile());
        assert_verdict(&f, Status::Fail, &[&format!("admits HTTPS from {world}")]);
    }
}

#[test]
fn every_allowed_cidr_must_be_inside_an_admitted_block() {
    let mut profile = private_profile();
    // 10.0.0.0/8 (the fixture's rule) contains 10.20.0.0/16 but not 192.168.0.0/16.
    profile.network.allowed_cidrs = vec!["10.20.0.0/16".into(), "192.168.0.0/16".into()];
    let f = network_verdict(&private_ready(), &profile);
    assert_verdict(
        &f,
        Status::Fail,
        &["do not admit HTTPS from 192.168.0.0/16"],
    );
    assert!(!f.message.contains("10.20.0.0/16,"), "{}", f.message);

    let mut snapshot = private_ready();
    let groups = data_mut(&mut east(&mut snapshot).security_groups);
    groups[0].ingress = vec![IngressRule {
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        cidr_blocks: vec!["10.0.0.0/8".into()],
        source_group_ids: vec![],
        prefix_list_ids: vec![],
    }];
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Fail, &["do not admit HTTPS from 10.20.0.0/16"]);
}

/// Issue 20 item 6: a security group allows what any of its rules allows (Amazon VPC User
/// Guide, "Security group rules"), so halves of a developer network in two rules admit it.
#[test]
fn an_allowed_cidr_covered_by_the_union_of_several_rules_passes() {
    let mut profile = private_profile();
    profile.network.allowed_cidrs = vec!["10.0.0.0/8".into()];
    let mut snapshot = private_ready();
    let groups = data_mut(&mut east(&mut snapshot).security_groups);
    let https = |cidr: &str| IngressRule {
        protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        cidr_blocks: vec![cidr.into()],
        source_group_ids: vec![],
        prefix_list_ids: vec![],
    };
    groups[0].ingress = vec![https("10.0.0.0/9"), https("10.128.0.0/9")];
    assert_verdict(&network_verdict(&snapshot, &profile), Status::Pass, &[]);

    let groups = data_mut(&mut east(&mut snapshot).security_groups);
    groups[0].ingress = vec![https("10.0.0.0/9"), https("10.192.0.0/10")];
    assert_verdict(
        &network_verdict(&snapshot, &profile),
        Status::Fail,
        &["do not admit HTTPS from 10.0.0.0/8"],
    );
}

/// Issue 20 item 6: a rule naming a managed prefix list admits every CIDR in the list (Amazon
/// VPC User Guide, "Group CIDR blocks using managed prefix lists"; the entries are read with
/// ec2:GetManagedPrefixListEntries).
#[test]
fn a_security_group_rule_through_a_managed_prefix_list_is_judged_by_its_cidrs() {
    let through_list = |list: Option<Collected<Vec<String>>>| {
        let mut snapshot = private_ready();
        let region = east(&mut snapshot);
        let groups = data_mut(&mut region.security_groups);
        groups[0].ingress = vec![IngressRule {
            protocol: "tcp".into(),
            from_port: Some(443),
            to_port: Some(443),
            cidr_blocks: vec![],
            source_group_ids: vec![],
            prefix_list_ids: vec!["pl-0123456789abcdef0".into()],
        }];
        if let Some(list) = list {
            region
                .prefix_lists
                .insert("pl-0123456789abcdef0".into(), list);
        }
        network_verdict(&snapshot, &private_profile())
    };
    let cidrs = |blocks: &[&str]| Collected::ok(blocks.iter().map(|b| b.to_string()).collect());
    assert_verdict(
        &through_list(Some(cidrs(&["10.20.0.0/17", "10.20.128.0/17"]))),
        Status::Pass,
        &[],
    );
    assert_verdict(
        &through_list(Some(cidrs(&["192.168.0.0/16"]))),
        Status::Fail,
        &["do not admit HTTPS from 10.20.0.0/16"],
    );
    assert_verdict(
        &through_list(Some(cidrs(&["10.20.0.0/16", "0.0.0.0/0"]))),
        Status::Fail,
        &["admits HTTPS from 0.0.0.0/0"],
    );
    let f = through_list(Some(Collected::failed(error(
        "ec2:GetManagedPrefixListEntries",
        "UnauthorizedOperation",
        ErrorKind::AccessDenied,
    ))));
    assert_verdict(
        &f,
        Status::Error,
        &["pl-0123456789abcdef0", "UnauthorizedOperation"],
    );
    assert!(!f.message.contains("do not admit"), "{}", f.message);
    assert_verdict(
        &through_list(None),
        Status::Error,
        &["pl-0123456789abcdef0 was not collected"],
    );
}

/// Issue 20: "Find and cite which requests a source-region VPC endpoint policy actually
/// evaluates for a cross-region profile; judge only those." The request a developer sends (the
/// profile, or a bare model id) passes the endpoint; for the foundation-model requests a profile
/// makes on the developer's behalf no AWS source says (IAM and SCPs are documented to evaluate
/// them: Bedrock user guide, inference-profiles-prereq), so denying them is undetermined.
#[test]
fn an_endpoint_policy_that_denies_a_model_fails_when_called_directly_and_is_undetermined_through_a_profile(
) {
    const NO_HAIKU: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Sid":"NoHaiku","Effect":"Deny","Principal":"*","Action":"bedrock:Invoke*",
             "Resource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-*"}]}"#;
    let snapshot = with_runtime_policy(NO_HAIKU);
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &[
            "foundation-model/anthropic.claude-haiku-4-5",
            "denied by statement \"NoHaiku\"",
            "no AWS source says whether a source-region endpoint policy is evaluated",
        ],
    );
    assert!(
        !f.message.contains("claude-sonnet"),
        "only Haiku is denied: {}",
        f.message
    );
    // The fast model called by its foundation-model id: the request itself is denied.
    let mut direct = private_profile();
    direct.rollout.fast_model = "anthropic.claude-haiku-4-5-20251001-v1:0".into();
    let f = network_verdict(&snapshot, &direct);
    assert_verdict(
        &f,
        Status::Fail,
        &[
            "blocks 2 request(s)",
            "foundation-model/anthropic.claude-haiku-4-5",
            "denied by statement \"NoHaiku\"",
        ],
    );
}

#[test]
fn a_policy_denying_everything_counts_every_request_and_lists_the_first_five() {
    let snapshot = with_runtime_policy(
        r#"{"Statement":[{"Sid":"Nothing","Effect":"Deny","Principal":"*","Action":"bedrock:*","Resource":"*"}]}"#,
    );
    let f = network_verdict(&snapshot, &private_profile());
    let policy = f
        .evidence
        .iter()
        .find(|e| e.values.contains_key("policy_requests_judged"))
        .expect("the policy evidence");
    let judged = policy.values["policy_requests_judged"]
        .as_u64()
        .expect("a count") as usize;
    let denied = policy.values["policy_requests_denied"]
        .as_array()
        .expect("a list")
        .len();
    let routed = policy.values["policy_routed_requests_denied"]
        .as_array()
        .expect("a list")
        .len();
    assert!(judged > 5, "{judged} requests judged");
    assert!(denied > 0 && routed > 0, "{denied} direct, {routed} routed");
    assert_eq!(denied + routed, judged, "every request is denied");
    assert_verdict(
        &f,
        Status::Fail,
        &[
            &format!("blocks {denied} request(s)"),
            &format!("would deny {routed} foundation-model request(s)"),
        ],
    );
}

#[test]
fn exactly_five_blocked_requests_are_all_listed_with_nothing_more() {
    // Sonnet's model in its three regions and Haiku's in two, through the `us.` profiles.
    let snapshot = with_runtime_policy(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Sid":"Five","Effect":"Deny","Principal":"*","Action":"bedrock:InvokeModel",
             "Resource":["arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-*",
                         "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-*",
                         "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-haiku-*"]}]}"#,
    );
    let f = network_verdict(&snapshot, &private_profile());
    let routed = f
        .evidence
        .iter()
        .find_map(|e| e.values.get("policy_routed_requests_denied"))
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    assert_eq!(routed, 5, "{}", f.message);
    assert_verdict(
        &f,
        Status::Error,
        &["would deny 5 foundation-model request(s)"],
    );
    assert!(!f.message.contains("more"), "{}", f.message);
}

#[test]
fn an_endpoint_policy_that_allows_only_profiles_is_undetermined_on_the_foundation_models() {
    let snapshot = with_runtime_policy(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"bedrock:InvokeModel*","Resource":"arn:aws:bedrock:*:*:inference-profile/*"}]}"#,
    );
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &[
            "no statement allows it",
            "foundation-model/",
            "allow them to be sure",
        ],
    );
}

#[test]
fn an_endpoint_policy_with_an_unsupported_condition_is_an_error_naming_it() {
    let snapshot = with_runtime_policy(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorgid"}}}]}"#,
    );
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &["cannot judge", "StringEquals on aws:PrincipalOrgID"],
    );
    assert!(
        f.remediation.contains("does not guess"),
        "{}",
        f.remediation
    );
}

#[test]
fn a_malformed_or_absent_policy_is_an_error() {
    let mut snapshot = private_ready();
    runtime_endpoint(&mut snapshot).policy_document = Some("{not json".into());
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Error, &["cannot be read", "not valid JSON"]);

    let mut absent = private_ready();
    runtime_endpoint(&mut absent).policy_document = None;
    let f = network_verdict(&absent, &private_profile());
    assert_verdict(&f, Status::Error, &["returned no PolicyDocument"]);
}

#[test]
fn a_policy_naming_principals_is_judged_against_the_developer_principals() {
    let policy = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ClaudeCodeDevelopers"},"Action":"*","Resource":"*"}]}"#;
    let mut snapshot = private_ready();
    for e in data_mut(&mut east(&mut snapshot).vpc_endpoints) {
        e.policy_document = Some(policy.into());
    }
    // No developer principal configured: the rule cannot tell.
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Error, &["no developer principal is configured"]);

    let mut profile = private_profile();
    profile.access.developer_principals =
        vec![format!("arn:aws:iam::{ACCOUNT}:role/ClaudeCodeDevelopers")];
    assert_verdict(&network_verdict(&snapshot, &profile), Status::Pass, &[]);

    profile.access.developer_principals = vec![format!("arn:aws:iam::{ACCOUNT}:role/Contractors")];
    let f = network_verdict(&snapshot, &profile);
    assert_verdict(
        &f,
        Status::Fail,
        &["for arn:aws:iam::111122223333:role/Contractors"],
    );
}

/// Issue 24: a Deny through a policy variable was compared literally and the rule passed.
/// IAM substitutes variables under Version 2012-10-17 (IAM User Guide, "IAM policy elements:
/// Variables and tags", which lists VPC endpoint policies among the policies that use them).
#[test]
fn a_deny_through_a_policy_variable_is_judged_with_the_variable_substituted() {
    let deny_here = |resource: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},
            {{"Sid":"NotHere","Effect":"Deny","Principal":"*","Action":"bedrock:Invoke*","Resource":"{resource}"}}]}}"#
        )
    };
    let snapshot = with_runtime_policy(&deny_here(
        "arn:aws:bedrock:${aws:RequestedRegion}::foundation-model/*",
    ));
    let f = network_verdict(&snapshot, &private_profile());
    // Substituted, the Deny applies (to the models the profiles route to: undetermined, see
    // an_endpoint_policy_that_denies_a_model_…).
    assert_verdict(
        &f,
        Status::Error,
        &["denied by statement \"NotHere\"", "would deny"],
    );

    // A variable whose value is not known before the request: undetermined, never a pass.
    let snapshot = with_runtime_policy(&deny_here(
        "arn:aws:bedrock:*::foundation-model/${aws:PrincipalTag/allowed-model}",
    ));
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(&f, Status::Error, &["${aws:PrincipalTag/allowed-model}"]);
}

/// Issue 24: a Deny naming one session of the developer role was read as not applying. A
/// role session is a principal of its own (IAM User Guide, "AWS JSON policy elements:
/// Principal", role sessions), so the developer who runs as dev1 is denied and others are not.
#[test]
fn a_deny_naming_one_session_of_the_developer_role_is_an_error() {
    let policy = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},
        {{"Effect":"Deny","Principal":{{"AWS":"arn:aws:sts::{ACCOUNT}:assumed-role/ClaudeCodeDevelopers/dev1"}},"Action":"*","Resource":"*"}}]}}"#
    );
    let mut profile = private_profile();
    profile.access.developer_principals =
        vec![format!("arn:aws:iam::{ACCOUNT}:role/ClaudeCodeDevelopers")];
    let f = network_verdict(&with_runtime_policy(&policy), &profile);
    assert_verdict(&f, Status::Error, &["one session", "dev1"]);
}

/// Issue 20 item 6: an endpoint policy admitting only the organisation's principals
/// (aws:PrincipalOrgID, IAM User Guide "AWS global condition context keys") is decided once
/// organizations:DescribeOrganization told the account's organisation.
#[test]
fn an_organisation_only_endpoint_policy_is_decided_when_the_organisation_is_known() {
    let policy = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
        "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;
    let mut profile = private_profile();
    profile.access.developer_principals =
        vec![format!("arn:aws:iam::{ACCOUNT}:role/ClaudeCodeDevelopers")];
    let with_org = |organization: Option<Collected<Option<String>>>| {
        let mut snapshot = with_runtime_policy(policy);
        snapshot.organization_id = organization;
        snapshot
    };
    let member = with_org(Some(Collected::ok(Some("o-a1b2c3d4e5".into()))));
    assert_verdict(&network_verdict(&member, &profile), Status::Pass, &[]);

    let other = with_org(Some(Collected::ok(Some("o-zzzzzzzzzz".into()))));
    assert_verdict(
        &network_verdict(&other, &profile),
        Status::Fail,
        &["no statement allows it"],
    );

    let no_organization = with_org(Some(Collected::ok(None)));
    assert_verdict(
        &network_verdict(&no_organization, &profile),
        Status::Fail,
        &["no statement allows it"],
    );

    // Not read (an older snapshot), or a developer role in another account: undetermined.
    assert_verdict(
        &network_verdict(&with_org(None), &profile),
        Status::Error,
        &["aws:PrincipalOrgID"],
    );
    let mut elsewhere = profile.clone();
    elsewhere.access.developer_principals =
        vec!["arn:aws:iam::444455556666:role/ClaudeCodeDevelopers".into()];
    assert_verdict(
        &network_verdict(&member, &elsewhere),
        Status::Error,
        &["aws:PrincipalOrgID"],
    );
}

/// Issue 20 item 6, "enforced or merely available": each developer's InvokeModel simulated
/// from outside the endpoint (no aws:SourceVpce, a public aws:SourceIp). Allowed: the private
/// path can be bypassed, which the pass says, and `require_enforced` fails. Source: AWS
/// PrivateLink Guide, "Control access to VPC endpoints using endpoint policies", and the IAM
/// User Guide's aws:SourceVpce key, the documented way to require the endpoint.
#[test]
fn an_invoke_allowed_from_outside_the_endpoint_is_available_not_enforced() {
    let developer = format!("arn:aws:iam::{ACCOUNT}:role/ClaudeCodeDevelopers");
    let outside = |decision: &str, missing: &[&str]| {
        let mut snapshot = private_ready();
        east(&mut snapshot).outside_origin_simulations = Some(vec![InvokeSimulation {
            principal: developer.clone(),
            requested_region: EAST.into(),
            inference_profile_arn: None,
            context: Default::default(),
            action_names: vec!["bedrock:InvokeModel".into()],
            resource_arns: vec!["arn:aws:bedrock:us-east-1::foundation-model/x".into()],
            results: Collected::ok(vec![SimulationResult {
                action: "bedrock:InvokeModel".into(),
                resource: "arn:aws:bedrock:us-east-1::foundation-model/x".into(),
                decision: decision.into(),
                allowed_by_organizations: Some(true),
                allowed_by_permissions_boundary: None,
                matched_statements: vec![],
                missing_context_values: missing.iter().map(|k| k.to_string()).collect(),
            }]),
        }]);
        snapshot
    };
    let mut profile = private_profile();
    profile.access.developer_principals = vec![developer.clone()];
    let mut required = profile.clone();
    required.network.require_enforced = true;

    let allowed = outside("allowed", &[]);
    assert_verdict(
        &network_verdict(&allowed, &profile),
        Status::Pass,
        &["available but not enforced", &developer],
    );
    assert_verdict(
        &network_verdict(&allowed, &required),
        Status::Fail,
        &["available but not enforced", "require_enforced"],
    );

    let denied = outside("explicitDeny", &["aws:SourceVpce"]);
    assert_verdict(
        &network_verdict(&denied, &required),
        Status::Pass,
        &["enforced"],
    );

    // A deny that turns on a key the simulation did not have decides nothing.
    let unclear = outside("implicitDeny", &["aws:MultiFactorAuthPresent"]);
    assert_verdict(
        &network_verdict(&unclear, &required),
        Status::Error,
        &["aws:MultiFactorAuthPresent"],
    );
    assert_verdict(&network_verdict(&unclear, &profile), Status::Pass, &[]);

    // Not simulated (older snapshot) or unreadable: an error only when enforcement is required.
    let mut older = private_ready();
    east(&mut older).outside_origin_simulations = None;
    assert_verdict(
        &network_verdict(&older, &required),
        Status::Error,
        &["not simulated"],
    );
    assert_verdict(&network_verdict(&older, &profile), Status::Pass, &[]);
    let mut failed = outside("allowed", &[]);
    east(&mut failed)
        .outside_origin_simulations
        .as_mut()
        .unwrap()[0]
        .results = Collected::failed(error(
        "iam:SimulatePrincipalPolicy",
        "AccessDenied",
        ErrorKind::AccessDenied,
    ));
    assert_verdict(
        &network_verdict(&failed, &required),
        Status::Error,
        &["AccessDenied"],
    );
    let mut nobody = required.clone();
    nobody.access.developer_principals.clear();
    assert_verdict(
        &network_verdict(&allowed, &nobody),
        Status::Error,
        &["developer_principals"],
    );
}

#[test]
fn the_control_plane_endpoint_policy_must_allow_the_inference_profile_calls() {
    let mut snapshot = private_ready();
    for e in data_mut(&mut east(&mut snapshot).vpc_endpoints) {
        if e.endpoint_id == "vpce-bedrock" {
            e.policy_document = Some(
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"bedrock:ListInferenceProfiles","Resource":"*"}]}"#.into(),
            );
        }
    }
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Fail,
        &["vpce-bedrock", "bedrock:GetInferenceProfile"],
    );
}

#[test]
fn unreadable_security_groups_are_an_error() {
    let mut snapshot = private_ready();
    east(&mut snapshot).security_groups = Collected::failed(error(
        "ec2:DescribeSecurityGroups",
        "UnauthorizedOperation",
        ErrorKind::AccessDenied,
    ));
    let f = network_verdict(&snapshot, &private_profile());
    assert_verdict(
        &f,
        Status::Error,
        &["security groups", "UnauthorizedOperation"],
    );
}

// ---- bedrock-invocation-logging ------------------------------------------------------------

fn logging_profile(policy: InvocationLoggingPolicy) -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile.data_retention.invocation_logging = policy;
    profile.data_retention.invocation_log_min_retention_days = 30;
    profile.data_retention.invocation_log_max_retention_days = Some(400);
    profile
}

fn required() -> Profile {
    logging_profile(InvocationLoggingPolicy::Required)
}

fn logging_off(snapshot: &mut Snapshot) {
    east(snapshot).invocation_logging = Collected::ok(None);
}

fn invocation_group_days(snapshot: &mut Snapshot, days: Option<i32>) {
    for g in data_mut(&mut east(snapshot).log_groups) {
        if g.name == "/aws/bedrock/model-invocations" {
            g.retention_in_days = days;
        }
    }
}

fn good_bucket() -> BucketPosture {
    BucketPosture {
        bucket: BUCKET.into(),
        owned_by_account: Collected::ok(true),
        encryption: Collected::ok(Some(vec![BucketEncryptionRule {
            sse_algorithm: "aws:kms".into(),
            kms_master_key_id: Some(bucket_key()),
            bucket_key_enabled: Some(true),
        }])),
        public_access_block: Collected::ok(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        })),
        lifecycle_rules: Collected::ok(vec![LifecycleRule {
            id: Some("expire-prompts".into()),
            status: "Enabled".into(),
            prefix: Some("claude/".into()),
            narrowed_by_tags_or_size: false,
            expiration_days: Some(365),
            expiration_date: None,
            noncurrent_expiration_days: None,
        }]),
        versioning: Some(Collected::ok(String::new())),
        object_lock: Some(Collected::ok(None)),
        policy: Some(Collected::ok(Some(bedrock_policy()))),
    }
}

/// The user guide's bucket policy for Bedrock (model-invocation-logging.html, "Set up an
/// Amazon S3 destination"), for BUCKET under the key prefix `claude`.
fn bedrock_policy() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AmazonBedrockLogsWrite","Effect":"Allow","Principal":{{"Service":"bedrock.amazonaws.com"}},"Action":["s3:PutObject"],"Resource":["arn:aws:s3:::{BUCKET}/claude/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"],"Condition":{{"StringEquals":{{"aws:SourceAccount":"{ACCOUNT}"}},"ArnLike":{{"aws:SourceArn":"arn:aws:bedrock:{EAST}:{ACCOUNT}:*"}}}}}}]}}"#
    )
}

/// The bucket's key, described like the ready fixture's key: customer managed, Enabled,
/// rotating.
fn bucket_key() -> String {
    format!("arn:aws:kms:{EAST}:{ACCOUNT}:key/logs")
}

/// The ready fixture logging to the good bucket too, under `claude/`.
fn with_bucket(posture: BucketPosture) -> Snapshot {
    let mut snapshot = ready();
    let region = east(&mut snapshot);
    let mut key = region
        .kms_keys
        .values()
        .next()
        .and_then(|key| key.data())
        .cloned()
        .expect("the ready fixture describes a key");
    key.arn = bucket_key();
    key.key_id = "logs".into();
    region.kms_keys.insert(bucket_key(), Collected::ok(key));
    let config = data_mut(&mut region.invocation_logging).as_mut().unwrap();
    config.s3_bucket = Some(BUCKET.into());
    config.s3_key_prefix = Some("claude".into());
    region.invocation_log_bucket = Some(posture);
    snapshot
}

fn logging_verdict(snapshot: &Snapshot, profile: &Profile) -> Finding {
    only(run(LOGGING, snapshot, profile))
}

#[test]
fn logging_any_is_not_applicable_and_says_what_is_configured() {
    let f = logging_verdict(&ready(), &logging_profile(InvocationLoggingPolicy::Any));
    assert_verdict(
        &f,
        Status::NotApplicable,
        &["\"any\"", "on, storing prompts and completions in CloudWatch log group /aws/bedrock/model-invocations"],
    );
    let mut off = ready();
    logging_off(&mut off);
    let f = logging_verdict(&off, &logging_profile(InvocationLoggingPolicy::Any));
    assert_verdict(&f, Status::NotApplicable, &["logging is off"]);
}

#[test]
fn logging_forbidden_passes_when_off_and_fails_when_on() {
    let forbidden = logging_profile(InvocationLoggingPolicy::Forbidden);
    let f = logging_verdict(&ready(), &forbidden);
    assert_verdict(
        &f,
        Status::Fail,
        &["forbids keeping prompts", "/aws/bedrock/model-invocations"],
    );
    let mut off = ready();
    logging_off(&mut off);
    assert_verdict(
        &logging_verdict(&off, &forbidden),
        Status::Pass,
        &["off in us-east-1"],
    );
}

#[test]
fn logging_required_passes_on_the_ready_account_and_fails_when_off() {
    assert_verdict(
        &logging_verdict(&ready(), &required()),
        Status::Pass,
        &["CloudWatch log group /aws/bedrock/model-invocations"],
    );
    let mut off = ready();
    logging_off(&mut off);
    assert_verdict(
        &logging_verdict(&off, &required()),
        Status::Fail,
        &["it is off in us-east-1"],
    );
}

#[test]
fn an_unreadable_logging_configuration_is_an_error_when_a_policy_is_set() {
    for policy in [
        InvocationLoggingPolicy::Required,
        InvocationLoggingPolicy::Forbidden,
    ] {
        let mut snapshot = ready();
        east(&mut snapshot).invocation_logging = Collected::failed(error(
            "bedrock:GetModelInvocationLoggingConfiguration",
            "AccessDeniedException",
            ErrorKind::AccessDenied,
        ));
        let f = logging_verdict(&snapshot, &logging_profile(policy));
        assert_verdict(&f, Status::Error, &["AccessDeniedException"]);
    }
    // With no policy the rule judges nothing, so an unread configuration is not an error:
    // it says what could not be read.
    let mut snapshot = ready();
    east(&mut snapshot).invocation_logging = Collected::failed(error(
        "bedrock:GetModelInvocationLoggingConfiguration",
        "AccessDeniedException",
        ErrorKind::AccessDenied,
    ));
    let f = logging_verdict(&snapshot, &logging_profile(InvocationLoggingPolicy::Any));
    assert_verdict(
        &f,
        Status::NotApplicable,
        &["\"any\"", "could not be read", "AccessDeniedException"],
    );
}

#[test]
fn text_delivery_off_fails_when_logging_is_required() {
    let mut snapshot = ready();
    data_mut(&mut east(&mut snapshot).invocation_logging)
        .as_mut()
        .unwrap()
        .text_data_delivery = false;
    assert_verdict(
        &logging_verdict(&snapshot, &required()),
        Status::Fail,
        &["text delivery is off"],
    );
}

#[test]
fn log_group_retention_must_lie_between_the_bounds_and_must_expire() {
    for (days, fragment) in [
        (
            Some(401),
            "keeps prompts 401 days, more than the allowed 400",
        ),
        (Some(29), "keeps prompts 29 days, less than the required 30"),
        (None, "never expires"),
    ] {
        let mut snapshot = ready();
        invocation_group_days(&mut snapshot, days);
        assert_verdict(
            &logging_verdict(&snapshot, &required()),
            Status::Fail,
            &[fragment],
        );
    }
    for days in [30, 400] {
        let mut snapshot = ready();
        invocation_group_days(&mut snapshot, Some(days));
        assert_verdict(&logging_verdict(&snapshot, &required()), Status::Pass, &[]);
    }
    // Without a ceiling any expiry at or above the minimum passes.
    let mut profile = required();
    profile.data_retention.invocation_log_max_retention_days = None;
    let mut snapshot = ready();
    invocation_group_days(&mut snapshot, Some(3653));
    assert_verdict(&logging_verdict(&snapshot, &profile), Status::Pass, &[]);
}

#[test]
fn a_log_group_without_a_customer_managed_key_fails() {
    let mut snapshot = ready();
    for g in data_mut(&mut east(&mut snapshot).log_groups) {
        g.kms_key_id = None;
    }
    assert_verdict(
        &logging_verdict(&snapshot, &required()),
        Status::Fail,
        &["log group /aws/bedrock/model-invocations: it has no KMS key"],
    );
}

#[test]
fn a_missing_or_unreadable_log_group_is_a_fail_or_an_error() {
    let mut snapshot = ready();
    data_mut(&mut east(&mut snapshot).log_groups)
        .retain(|g| g.name != "/aws/bedrock/model-invocations");
    assert_verdict(
        &logging_verdict(&snapshot, &required()),
        Status::Fail,
        &["does not exist"],
    );

    let mut unreadable = ready();
    east(&mut unreadable).log_groups = Collected::failed(error(
        "logs:DescribeLogGroups",
        "ThrottlingException",
        ErrorKind::Throttling,
    ));
    assert_verdict(
        &logging_verdict(&unreadable, &required()),
        Status::Error,
        &["ThrottlingException"],
    );
}

#[test]
fn a_well_kept_bucket_passes() {
    let f = logging_verdict(&with_bucket(good_bucket()), &required());
    assert_verdict(&f, Status::Pass, &["S3 bucket claude-code-invocation-logs"]);
}

#[test]
fn a_bucket_without_sse_kms_fails() {
    for encryption in [
        None,
        Some(vec![BucketEncryptionRule {
            sse_algorithm: "AES256".into(),
            kms_master_key_id: None,
            bucket_key_enabled: None,
        }]),
    ] {
        let mut posture = good_bucket();
        posture.encryption = Collected::ok(encryption);
        let f = logging_verdict(&with_bucket(posture), &required());
        assert_verdict(&f, Status::Fail, &["has no default SSE-KMS encryption"]);
    }
}

#[test]
fn the_bucket_key_must_be_customer_managed_enabled_and_rotating() {
    // SSE-KMS naming no key is the AWS managed key aws/s3.
    let mut posture = good_bucket();
    posture.encryption = Collected::ok(Some(vec![BucketEncryptionRule {
        sse_algorithm: "aws:kms".into(),
        kms_master_key_id: None,
        bucket_key_enabled: None,
    }]));
    assert_verdict(
        &logging_verdict(&with_bucket(posture), &required()),
        Status::Fail,
        &["S3 bucket claude-code-invocation-logs: its default SSE-KMS encryption names no key, so S3 uses the AWS managed key aws/s3"],
    );

    // The bucket's key changed in place, one fact at a time.
    let with_bucket_key = |edit: fn(&mut KmsKey)| {
        let mut snapshot = with_bucket(good_bucket());
        let key = east(&mut snapshot)
            .kms_keys
            .get_mut(&bucket_key())
            .expect("with_bucket describes the bucket key");
        edit(data_mut(key));
        snapshot
    };
    assert_verdict(
        &logging_verdict(
            &with_bucket_key(|k| k.key_state = "Disabled".into()),
            &required(),
        ),
        Status::Fail,
        &["S3 bucket claude-code-invocation-logs: key logs is Disabled, not Enabled"],
    );
    assert_verdict(
        &logging_verdict(&with_bucket_key(|k| k.key_manager = "AWS".into()), &required()),
        Status::Fail,
        &["S3 bucket claude-code-invocation-logs: key logs is managed by AWS, not a customer-managed key"],
    );

    // Not described (a snapshot of an earlier build) or not describable: error, never pass.
    let mut undescribed = with_bucket(good_bucket());
    east(&mut undescribed).kms_keys.remove(&bucket_key());
    assert_verdict(
        &logging_verdict(&undescribed, &required()),
        Status::Error,
        &["key arn:aws:kms:us-east-1:111122223333:key/logs was not described"],
    );
    let mut denied = with_bucket(good_bucket());
    east(&mut denied).kms_keys.insert(
        bucket_key(),
        Collected::failed(error(
            "kms:DescribeKey",
            "AccessDeniedException",
            ErrorKind::AccessDenied,
        )),
    );
    assert_verdict(
        &logging_verdict(&denied, &required()),
        Status::Error,
        &[
            "KMS key logs",
            "kms:DescribeKey failed with AccessDeniedException",
        ],
    );
}

#[test]
fn a_bucket_without_a_full_public_access_block_fails() {
    let mut posture = good_bucket();
    posture.public_access_block = Collected::ok(Some(PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: false,
        restrict_public_buckets: true,
    }));
    let f = logging_verdict(&with_bucket(posture), &required());
    assert_verdict(
        &f,
        Status::Fail,
        &["does not block public access: BlockPublicPolicy off"],
    );

    let mut none = good_bucket();
    none.public_access_block = Collected::ok(None);
    let f = logging_verdict(&with_bucket(none), &required());
    assert_verdict(&f, Status::Fail, &["no configuration"]);
}

#[test]
fn a_bucket_lifecycle_must_expire_every_log_object_within_the_bounds() {
    let rule =
        |prefix: Option<&str>, days: Option<i32>, status: &str, narrowed: bool| LifecycleRule {
            id: None,
            status: status.into(),
            prefix: prefix.map(str::to_string),
            narrowed_by_tags_or_size: narrowed,
            expiration_days: days,
            expiration_date: None,
            noncurrent_expiration_days: None,
        };
    for (rules, fragment) in [
        (vec![], "no enabled lifecycle rule"),
        (
            vec![rule(Some("claude/"), Some(365), "Disabled", false)],
            "no enabled lifecycle rule",
        ),
        (
            vec![rule(Some("other/"), Some(365), "Enabled", false)],
            "no enabled lifecycle rule",
        ),
        (
            vec![rule(None, Some(365), "Enabled", true)],
            "no enabled lifecycle rule",
        ),
        (
            vec![rule(Some(""), Some(500), "Enabled", false)],
            "500 days, more than the allowed 400",
        ),
        (
            vec![rule(Some("claude/AWSLogs/"), Some(7), "Enabled", false)],
            "7 days, less than the required 30",
        ),
    ] {
        let mut posture = good_bucket();
        posture.lifecycle_rules = Collected::ok(rules);
        let f = logging_verdict(&with_bucket(posture), &required());
        assert_verdict(&f, Status::Fail, &[fragment]);
    }
    // The rule that expires soonest governs; a whole-bucket rule covers the prefix.
    let mut posture = good_bucket();
    posture.lifecycle_rules = Collected::ok(vec![
        rule(None, Some(600), "Enabled", false),
        rule(Some("claude/"), Some(90), "Enabled", false),
    ]);
    assert_verdict(
        &logging_verdict(&with_bucket(posture), &required()),
        Status::Pass,
        &[],
    );
}

/// An enabled whole-bucket rule expiring log objects after `days` and their noncurrent versions
/// after `noncurrent` days.
fn versioned_bucket(status: &str, days: i32, noncurrent: Option<i32>) -> BucketPosture {
    let mut posture = good_bucket();
    posture.versioning = Some(Collected::ok(status.into()));
    posture.lifecycle_rules = Collected::ok(vec![LifecycleRule {
        id: Some("expire-prompts".into()),
        status: "Enabled".into(),
        prefix: None,
        narrowed_by_tags_or_size: false,
        expiration_days: Some(days),
        expiration_date: None,
        noncurrent_expiration_days: noncurrent,
    }]);
    posture
}

#[test]
fn a_versioned_bucket_must_expire_noncurrent_versions_within_the_maximum() {
    // required(): at least 30 days, at most 400.
    for status in ["Enabled", "Suspended"] {
        let f = logging_verdict(
            &with_bucket(versioned_bucket(status, 365, None)),
            &required(),
        );
        assert_verdict(
            &f,
            Status::Fail,
            &[&format!("has versioning {status} and no enabled lifecycle rule that expires the noncurrent versions under claude/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/, so every expired prompt is kept forever")],
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| e.source == "s3:GetBucketVersioning"
                    && e.values.get("Status").is_some_and(|v| v == status)),
            "{:?}",
            f.evidence
        );
    }
    // 365 current + 36 noncurrent = 401 > 400; 365 + 35 = 400 is within.
    let f = logging_verdict(
        &with_bucket(versioned_bucket("Enabled", 365, Some(36))),
        &required(),
    );
    assert_verdict(
        &f,
        Status::Fail,
        &["keeps prompts 401 days (365 as the current version, then 36 as a noncurrent one: versioning Enabled), more than the allowed 400"],
    );
    assert_verdict(
        &logging_verdict(
            &with_bucket(versioned_bucket("Enabled", 365, Some(35))),
            &required(),
        ),
        Status::Pass,
        &[],
    );
    // Versioning never enabled: no noncurrent versions to expire.
    assert_verdict(
        &logging_verdict(&with_bucket(versioned_bucket("", 365, None)), &required()),
        Status::Pass,
        &[],
    );
    // A noncurrent expiration in a rule that does not reach the log objects does not count.
    let mut posture = versioned_bucket("Enabled", 365, None);
    let Collected::Ok { data: rules } = &mut posture.lifecycle_rules else {
        unreachable!("versioned_bucket sets readable rules")
    };
    rules.push(LifecycleRule {
        id: Some("other".into()),
        status: "Enabled".into(),
        prefix: Some("other/".into()),
        narrowed_by_tags_or_size: false,
        expiration_days: None,
        expiration_date: None,
        noncurrent_expiration_days: Some(1),
    });
    assert_verdict(
        &logging_verdict(&with_bucket(posture), &required()),
        Status::Fail,
        &["no enabled lifecycle rule that expires the noncurrent versions"],
    );
}

#[test]
fn unread_or_unknown_versioning_is_an_error_never_a_pass() {
    let mut denied = good_bucket();
    denied.versioning = Some(Collected::failed(error(
        "s3:GetBucketVersioning",
        "AccessDenied",
        ErrorKind::AccessDenied,
    )));
    assert_verdict(
        &logging_verdict(&with_bucket(denied), &required()),
        Status::Error,
        &[
            "versioning of bucket claude-code-invocation-logs",
            "AccessDenied",
        ],
    );
    // A snapshot of an earlier build holds no versioning status.
    let mut older = good_bucket();
    older.versioning = None;
    assert_verdict(
        &logging_verdict(&with_bucket(older), &required()),
        Status::Error,
        &["s3:GetBucketVersioning was not called"],
    );
    let f = logging_verdict(
        &with_bucket(versioned_bucket("MfaOnly", 365, Some(1))),
        &required(),
    );
    assert_verdict(&f, Status::Error, &["versioning status", "\"MfaOnly\""]);
    // A problem seen in what was read still fails.
    let mut failing = versioned_bucket("Enabled", 365, None);
    failing.public_access_block = Collected::ok(None);
    failing.versioning = None;
    assert_verdict(
        &logging_verdict(&with_bucket(failing), &required()),
        Status::Fail,
        &["does not block public access"],
    );
}

#[test]
fn an_unreadable_bucket_is_an_error_and_a_foreign_one_says_cross_account() {
    let denied = || {
        error(
            "s3:GetBucketEncryption",
            "AccessDenied",
            ErrorKind::AccessDenied,
        )
    };
    let mut posture = good_bucket();
    posture.encryption = Collected::failed(denied());
    let f = logging_verdict(&with_bucket(posture), &required());
    assert_verdict(
        &f,
        Status::Error,
        &[
            "default encryption of bucket claude-code-invocation-logs",
            "AccessDenied",
        ],
    );
    assert!(!f.message.contains("cross-account"), "{}", f.message);

    let mut foreign = good_bucket();
    foreign.owned_by_account = Collected::ok(false);
    foreign.encryption = Collected::failed(denied());
    let f = logging_verdict(&with_bucket(foreign), &required());
    assert_verdict(
        &f,
        Status::Error,
        &["cross-account destination not readable"],
    );

    // A foreign bucket that can be read is judged like any other.
    let mut readable = good_bucket();
    readable.owned_by_account = Collected::ok(false);
    assert_verdict(
        &logging_verdict(&with_bucket(readable), &required()),
        Status::Pass,
        &[],
    );
}

#[test]
fn a_deleted_bucket_fails_and_an_unread_one_is_an_error() {
    let mut posture = good_bucket();
    posture.lifecycle_rules = Collected::failed(error(
        "s3:GetBucketLifecycleConfiguration",
        "NoSuchBucket",
        ErrorKind::NotFound,
    ));
    let f = logging_verdict(&with_bucket(posture), &required());
    assert_verdict(
        &f,
        Status::Fail,
        &["bucket claude-code-invocation-logs does not exist"],
    );

    let mut snapshot = with_bucket(good_bucket());
    east(&mut snapshot).invocation_log_bucket = None;
    let f = logging_verdict(&snapshot, &required());
    assert_verdict(&f, Status::Error, &["was not read"]);
}

#[test]
fn a_problem_in_one_destination_fails_even_when_another_is_unreadable() {
    let mut posture = good_bucket();
    posture.public_access_block = Collected::failed(error(
        "s3:GetPublicAccessBlock",
        "AccessDenied",
        ErrorKind::AccessDenied,
    ));
    let mut snapshot = with_bucket(posture);
    invocation_group_days(&mut snapshot, None);
    let f = logging_verdict(&snapshot, &required());
    assert_verdict(
        &f,
        Status::Fail,
        &["never expires", "Not checked: the public access block"],
    );
}
