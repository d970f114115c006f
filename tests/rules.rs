//! Rule tests on snapshot fixtures: for every rule the pass, fail and error paths (and
//! not_applicable where a rule has one), plus the fail-closed and evidence properties that
//! hold for all of them.

use std::path::{Path, PathBuf};

use bedrock_audit::app::{parse_snapshot, DEMO_SNAPSHOT};
use bedrock_audit::engine::{self, RuleSelection};
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::{InvocationLoggingPolicy, Profile};
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, CollectError, Collected, ErrorKind, IngressRule,
    KeyRotation, Snapshot,
};

const ACCOUNT: &str = "111122223333";
const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
const DEVELOPER: &str = "arn:aws:iam::111122223333:role/ClaudeCodeDevelopers";

// ---- helpers -------------------------------------------------------------------------------

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn snapshot(name: &str) -> Snapshot {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap();
    parse_snapshot(&text, &path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ready() -> Snapshot {
    snapshot("ready.snapshot.json")
}

fn profile(name: Option<&str>, regions: &[&str]) -> Profile {
    let mut profile = match name {
        Some(name) => {
            let path = fixture_path(&format!("profiles/{name}"));
            Profile::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
        }
        None => Profile::default(),
    };
    // Every fixture profile names the developers whose permissions the fixtures simulate, and
    // holds the account to a private path and kept, bounded prompt logs, so that every rule
    // judges the fixtures rather than being not applicable.
    profile.access.developer_principals = vec![DEVELOPER.to_string()];
    profile.network.private_only = true;
    profile.network.allowed_cidrs = vec!["10.0.0.0/8".to_string()];
    profile.data_retention.invocation_logging = InvocationLoggingPolicy::Required;
    profile.data_retention.invocation_log_min_retention_days = 30;
    profile.data_retention.invocation_log_max_retention_days = Some(400);
    profile.rollout.regions = regions.iter().map(|r| r.to_string()).collect();
    profile
}

fn east() -> Profile {
    profile(None, &[EAST])
}

fn both() -> Profile {
    profile(None, &[EAST, WEST])
}

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap_or_else(|| panic!("no rule {rule_id}"));
    let findings = engine::run_rule(rule, snapshot, profile);
    for f in &findings {
        assert_eq!(f.rule_id, rule_id);
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

/// The one finding in `region` whose resource ends with `resource_suffix`.
fn one<'a>(findings: &'a [Finding], region: &str, resource_suffix: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.region == region && f.resource.ends_with(resource_suffix))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one finding in {region} for *{resource_suffix}, got {:#?}",
        findings
            .iter()
            .map(|f| (&f.region, &f.resource, f.status))
            .collect::<Vec<_>>()
    );
    matching[0]
}

fn assert_finding(f: &Finding, status: Status, fragments: &[&str]) {
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

fn statuses(findings: &[Finding]) -> Vec<Status> {
    findings.iter().map(|f| f.status).collect()
}

fn data_mut<T>(section: &mut Collected<T>) -> &mut T {
    match section {
        Collected::Ok { data } => data,
        Collected::Failed { .. } => panic!("section is not readable in this fixture"),
    }
}

fn denied(operation: &str) -> CollectError {
    CollectError {
        operation: operation.into(),
        kind: ErrorKind::AccessDenied,
        code: "AccessDeniedException".into(),
        message: format!("not authorized to perform: {operation}"),
    }
}

fn region_mut<'a>(
    snapshot: &'a mut Snapshot,
    name: &str,
) -> &'a mut bedrock_audit::snapshot::RegionSnapshot {
    snapshot
        .regions
        .iter_mut()
        .find(|r| r.region == name)
        .unwrap()
}

// ---- properties of every rule --------------------------------------------------------------

#[test]
fn ready_snapshot_passes_every_rule() {
    let findings = engine::evaluate(&ready(), &east(), &RuleSelection::default());
    for rule in rules::REGISTRY {
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.rule_id == rule.id).collect();
        assert!(!mine.is_empty(), "{} made no finding", rule.id);
        for f in mine {
            assert_eq!(
                f.status,
                Status::Pass,
                "{} {}: {}",
                f.rule_id,
                f.resource,
                f.message
            );
            assert_eq!(f.account, ACCOUNT);
        }
    }
}

#[test]
fn not_ready_snapshot_fails_every_rule() {
    let snapshot = snapshot("not-ready.snapshot.json");
    let profile = profile(Some("zdr-required.toml"), &[EAST]);
    let findings = engine::evaluate(&snapshot, &profile, &RuleSelection::default());
    for rule in rules::REGISTRY {
        assert!(
            findings
                .iter()
                .any(|f| f.rule_id == rule.id && f.status == Status::Fail),
            "{} did not fail on the not-ready snapshot",
            rule.id
        );
    }
    assert!(findings.iter().all(|f| f.status != Status::Error));
}

#[test]
fn unreadable_snapshot_gives_errors_and_no_pass_in_the_unreadable_region() {
    let findings = engine::evaluate(
        &snapshot("unreadable.snapshot.json"),
        &both(),
        &RuleSelection::default(),
    );
    for f in findings.iter().filter(|f| f.region == EAST) {
        // Every section us-east-1's rules read failed there except the VPC endpoints.
        assert_eq!(
            f.status,
            Status::Error,
            "{} {}: {}",
            f.rule_id,
            f.resource,
            f.message
        );
    }
    // claude-code-secrets reads only the settings files, which cannot be unreadable.
    for rule in rules::REGISTRY
        .iter()
        .filter(|r| r.id != "claude-code-secrets")
    {
        assert!(
            findings
                .iter()
                .any(|f| f.rule_id == rule.id && f.status == Status::Error),
            "{} made no error finding on the unreadable snapshot",
            rule.id
        );
    }
}

/// Failing one section of the ready snapshot must turn the rules that read it to `error`, and
/// no `pass` may rest on evidence from the failed operation.
#[test]
fn a_failed_section_never_yields_a_pass() {
    type Breaker = fn(&mut Snapshot, CollectError);
    let cases: &[(&str, &[&str], Breaker)] = &[
        (
            "bedrock:ListFoundationModels",
            &["bedrock-model-access"],
            |s, e| region_mut(s, EAST).foundation_models = Collected::failed(e),
        ),
        (
            "bedrock:GetFoundationModelAvailability",
            &["bedrock-model-access"],
            |s, e| {
                for entry in region_mut(s, EAST).model_availability.values_mut() {
                    *entry = Collected::failed(e.clone());
                }
            },
        ),
        (
            // Without the profiles, neither the profiles nor the regions they route to are known.
            "bedrock:ListInferenceProfiles",
            &["bedrock-inference-profiles", "bedrock-model-access"],
            |s, e| region_mut(s, EAST).inference_profiles = Collected::failed(e),
        ),
        (
            "bedrock:GetFoundationModelAvailability",
            &["bedrock-model-access"],
            |s, e| {
                for models in region_mut(s, EAST).destination_availability.values_mut() {
                    for entry in models.values_mut() {
                        *entry = Collected::failed(e.clone());
                    }
                }
            },
        ),
        (
            "bedrock:GetModelInvocationLoggingConfiguration",
            &["bedrock-invocation-logging"],
            |s, e| region_mut(s, EAST).invocation_logging = Collected::failed(e),
        ),
        (
            "bedrock:GetAccountDataRetention",
            &["no-zdr-assumption"],
            |s, e| {
                for mode in region_mut(s, EAST)
                    .data_retention
                    .iter_mut()
                    .flat_map(|modes| modes.values_mut())
                {
                    *mode = Collected::failed(e.clone());
                }
            },
        ),
        (
            "ec2:DescribeVpcEndpoints",
            &["bedrock-runtime-vpc-endpoint"],
            |s, e| region_mut(s, EAST).vpc_endpoints = Collected::failed(e),
        ),
        (
            "ec2:DescribeSecurityGroups",
            &["bedrock-runtime-vpc-endpoint"],
            |s, e| region_mut(s, EAST).security_groups = Collected::failed(e),
        ),
        (
            "cloudtrail:DescribeTrails",
            &["cloudtrail-enabled", "kms-keys-configured"],
            |s, e| region_mut(s, EAST).trails = Collected::failed(e),
        ),
        (
            "cloudtrail:GetTrailStatus",
            &["cloudtrail-enabled"],
            |s, e| {
                for trail in data_mut(&mut region_mut(s, EAST).trails) {
                    trail.status = Collected::failed(e.clone());
                }
            },
        ),
        (
            "cloudtrail:GetEventSelectors",
            &["cloudtrail-enabled"],
            |s, e| {
                for trail in data_mut(&mut region_mut(s, EAST).trails) {
                    trail.event_selectors = Collected::failed(e.clone());
                }
            },
        ),
        (
            "logs:DescribeLogGroups",
            &["log-retention-set", "kms-keys-configured"],
            |s, e| region_mut(s, EAST).log_groups = Collected::failed(e),
        ),
        ("kms:DescribeKey", &["kms-keys-configured"], |s, e| {
            for key in region_mut(s, EAST).kms_keys.values_mut() {
                *key = Collected::failed(e.clone());
            }
        }),
        (
            "kms:GetKeyRotationStatus",
            &["kms-keys-configured"],
            |s, e| {
                for key in region_mut(s, EAST).kms_keys.values_mut() {
                    data_mut(key).rotation = Collected::failed(e.clone());
                }
            },
        ),
    ];
    for (operation, dependents, breaker) in cases {
        let mut snapshot = ready();
        breaker(&mut snapshot, denied(operation));
        let findings = engine::evaluate(&snapshot, &east(), &RuleSelection::default());
        for rule_id in *dependents {
            assert!(
                findings.iter().any(|f| f.rule_id == *rule_id
                    && f.status == Status::Error
                    && f.message.contains(operation)),
                "{operation} failed but {rule_id} made no error naming it"
            );
        }
        for f in findings.iter().filter(|f| f.status == Status::Pass) {
            assert!(
                f.evidence.iter().all(|e| e.source != *operation),
                "{} {} passed on evidence from failed {operation}",
                f.rule_id,
                f.resource
            );
            assert!(
                !dependents.contains(&f.rule_id.as_ref())
                    || f.evidence
                        .iter()
                        .all(|e| !e.values.contains_key("error_code")),
                "{} {} passed despite a read error",
                f.rule_id,
                f.resource
            );
        }
    }
}

#[test]
fn every_finding_has_evidence_naming_an_operation() {
    let cases = [
        ("ready.snapshot.json", None, vec![EAST]),
        (
            "not-ready.snapshot.json",
            Some("zdr-required.toml"),
            vec![EAST],
        ),
        (
            "not-ready.snapshot.json",
            Some("misconfigured-models.toml"),
            vec![EAST],
        ),
        ("unreadable.snapshot.json", None, vec![EAST, WEST]),
        ("demo.snapshot.json", None, vec![EAST, WEST]),
    ];
    for (file, profile_name, regions) in cases {
        let findings = engine::evaluate(
            &snapshot(file),
            &profile(profile_name, &regions),
            &RuleSelection::default(),
        );
        for f in &findings {
            let names_operation = f.evidence.iter().any(|e| {
                e.source.split_once(':').is_some_and(|(service, op)| {
                    !service.is_empty() && op.starts_with(|c: char| c.is_ascii_uppercase())
                })
            });
            // The findings judged on the profile alone.
            let profile_only = ["no-zdr-assumption", "bedrock-private-network"]
                .contains(&f.rule_id.as_ref())
                && f.region == "global";
            // Findings judged on a Claude Code settings file name it as their source.
            let settings_file = f.rule_id.starts_with("claude-code-")
                && f.evidence.iter().any(|e| e.source == "claude-settings");
            assert!(
                names_operation
                    || settings_file
                    || (profile_only && f.evidence.iter().any(|e| e.source == "profile")),
                "{file}: {} {} has no evidence naming an operation: {:?}",
                f.rule_id,
                f.resource,
                f.evidence
            );
            if f.region != "global" {
                assert!(f
                    .evidence
                    .iter()
                    .any(|e| e.region.as_deref() == Some(f.region.as_str())));
            }
            assert!(!f.remediation.trim().is_empty());
        }
    }
}

#[test]
fn a_region_missing_from_the_snapshot_is_an_error_for_every_rule() {
    let profile = profile(None, &["eu-west-1"]);
    // bedrock-api-keys is account-wide: it judges no region. The Claude Code settings rules
    // judge the regions the settings name, not the target regions (tests/rules_settings.rs
    // covers a settings region missing from the snapshot).
    for rule in rules::REGISTRY
        .iter()
        .filter(|r| r.id != "bedrock-api-keys" && !r.id.starts_with("claude-code-"))
    {
        let findings = run(rule.id, &ready(), &profile);
        let f = one(&findings, "eu-west-1", "region/eu-west-1");
        assert_finding(f, Status::Error, &["holds no data for eu-west-1"]);
    }
}

#[test]
fn demo_snapshot_shows_every_verdict() {
    let snapshot = parse_snapshot(DEMO_SNAPSHOT, Path::new("demo")).unwrap();
    let regions: Vec<&str> = snapshot.regions.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, [EAST, WEST]);
    let findings = engine::evaluate(&snapshot, &both(), &RuleSelection::default());
    for status in [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::NotApplicable,
    ] {
        assert!(
            statuses(&findings).contains(&status),
            "demo has no {status:?} finding"
        );
    }
}

// ---- bedrock-model-access ------------------------------------------------------------------

const MODEL_ACCESS: &str = "bedrock-model-access";

#[test]
fn model_access_passes_when_both_models_are_available() {
    let findings = run(MODEL_ACCESS, &ready(), &east());
    assert_eq!(findings.len(), 2);
    let primary = one(&findings, EAST, &format!("foundation-model/{SONNET}"));
    assert_finding(primary, Status::Pass, &["primary", "ANTHROPIC_MODEL"]);
    assert_eq!(
        primary.resource,
        format!("arn:aws:bedrock:us-east-1::foundation-model/{SONNET}")
    );
    let fast = one(&findings, EAST, &format!("foundation-model/{HAIKU}"));
    assert_finding(
        fast,
        Status::Pass,
        &["fast", "ANTHROPIC_DEFAULT_HAIKU_MODEL"],
    );
    assert!(fast
        .evidence
        .iter()
        .any(|e| e.source == "bedrock:GetFoundationModelAvailability"
            && e.values["authorizationStatus"] == "AUTHORIZED"));
}

#[test]
fn model_access_fails_on_agreement_and_authorization() {
    let findings = run(MODEL_ACCESS, &snapshot("not-ready.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Fail,
        &[
            "agreement is NOT_AVAILABLE",
            "Model use case details have not been submitted",
            "use-case form",
        ],
    );
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Fail,
        &["NOT_AUTHORIZED", "IAM"],
    );
}

#[test]
fn model_access_fails_on_entitlement_region_legacy_and_unlisted_models() {
    let mut snapshot = ready();
    let region = region_mut(&mut snapshot, EAST);
    let sonnet = data_mut(region.model_availability.get_mut(SONNET).unwrap());
    sonnet.entitlement_availability = "NOT_AVAILABLE".into();
    sonnet.region_availability = "NOT_AVAILABLE".into();
    let models = data_mut(&mut region.foundation_models);
    models
        .iter_mut()
        .find(|m| m.model_id == SONNET)
        .unwrap()
        .lifecycle_status = Some("LEGACY".into());
    models.retain(|m| m.model_id != HAIKU);
    let findings = run(MODEL_ACCESS, &snapshot, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Fail,
        &[
            "entitlementAvailability is NOT_AVAILABLE",
            "regionAvailability is NOT_AVAILABLE",
            "LEGACY",
        ],
    );
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Fail,
        &["does not list"],
    );
}

#[test]
fn model_access_is_error_when_unreadable_or_not_collected() {
    let findings = run(MODEL_ACCESS, &snapshot("unreadable.snapshot.json"), &both());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Error,
        &["ThrottlingException", "ListFoundationModels"],
    );
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Error,
        &["was not collected"],
    );
    assert_finding(one(&findings, WEST, HAIKU), Status::Error, &["Timeout"]);
    assert_finding(one(&findings, WEST, SONNET), Status::Pass, &[]);

    // Only the availability missing, everything else readable: still no pass.
    let mut snapshot = ready();
    region_mut(&mut snapshot, EAST)
        .model_availability
        .remove(HAIKU);
    let findings = run(MODEL_ACCESS, &snapshot, &east());
    let f = one(&findings, EAST, HAIKU);
    assert_finding(f, Status::Error, &["not collected"]);
    assert!(f.remediation.contains("Scan again"));
}

#[test]
fn model_access_failure_outranks_an_unreadable_model_list() {
    let findings = run(MODEL_ACCESS, &snapshot("demo.snapshot.json"), &both());
    assert_finding(
        one(&findings, WEST, SONNET),
        Status::Fail,
        &["ERROR", "Not checked", "ListFoundationModels"],
    );
    assert_finding(
        one(&findings, WEST, HAIKU),
        Status::Error,
        &["ThrottlingException"],
    );
}

// ---- bedrock-inference-profiles ------------------------------------------------------------

const PROFILES: &str = "bedrock-inference-profiles";

#[test]
fn model_access_checks_every_region_a_cross_region_profile_routes_to() {
    // Passing: the evidence shows the other destinations of the `us.` profile were judged.
    let findings = run(MODEL_ACCESS, &ready(), &east());
    let primary = one(&findings, EAST, SONNET);
    assert_eq!(primary.status, Status::Pass);
    for destination in ["us-east-2", WEST] {
        assert!(
            primary
                .evidence
                .iter()
                .any(|e| e.region.as_deref() == Some(destination)
                    && e.values["routed_from_profile"]
                        == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "no evidence from {destination}: {:#?}",
            primary.evidence
        );
    }

    // Failing: access is denied in one destination region only.
    let mut snapshot = ready();
    let region = region_mut(&mut snapshot, EAST);
    let east_2 = region
        .destination_availability
        .get_mut("us-east-2")
        .unwrap();
    data_mut(east_2.get_mut(SONNET).unwrap()).authorization_status = "NOT_AUTHORIZED".into();
    let findings = run(MODEL_ACCESS, &snapshot, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Fail,
        &[
            "in us-east-2",
            "us.anthropic.claude-sonnet-4-5",
            "NOT_AUTHORIZED",
        ],
    );
    assert_eq!(one(&findings, EAST, HAIKU).status, Status::Pass);

    // Error: a destination that was not collected, or could not be read, is never a pass.
    let mut snapshot = ready();
    region_mut(&mut snapshot, EAST)
        .destination_availability
        .get_mut(WEST)
        .unwrap()
        .remove(HAIKU);
    let findings = run(MODEL_ACCESS, &snapshot, &east());
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Error,
        &["us-west-2", "was not collected"],
    );
    let mut snapshot = ready();
    *region_mut(&mut snapshot, EAST)
        .destination_availability
        .get_mut(WEST)
        .unwrap()
        .get_mut(HAIKU)
        .unwrap() = Collected::failed(denied("bedrock:GetFoundationModelAvailability"));
    let findings = run(MODEL_ACCESS, &snapshot, &east());
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Error,
        &["us-west-2", "AccessDeniedException"],
    );

    // The unreadable fixture's destination that answered AccessDenied.
    let unreadable = self::snapshot("unreadable.snapshot.json");
    let findings = run(MODEL_ACCESS, &unreadable, &both());
    assert_finding(
        one(&findings, WEST, HAIKU),
        Status::Error,
        &["us-east-2", "AccessDeniedException"],
    );
}

#[test]
fn inference_profiles_pass_for_active_sonnet_and_haiku_4_5() {
    let findings = run(PROFILES, &ready(), &east());
    assert_eq!(statuses(&findings), [Status::Pass, Status::Pass]);
    let fast = one(&findings, EAST, &format!("inference-profile/us.{HAIKU}"));
    assert_eq!(
        fast.resource,
        format!("arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.{HAIKU}")
    );
    assert!(fast
        .evidence
        .iter()
        .any(|e| e.source == "bedrock:ListInferenceProfiles" && e.values["status"] == "ACTIVE"));
    assert!(fast.evidence.iter().any(|e| e.source == "profile"));
}

#[test]
fn inference_profiles_fail_on_bare_ids_and_old_haiku() {
    let findings = run(
        PROFILES,
        &ready(),
        &profile(Some("misconfigured-models.toml"), &[EAST]),
    );
    let primary = one(&findings, EAST, "model-role/primary");
    assert_finding(
        primary,
        Status::Fail,
        &["bare foundation-model id", &format!("such as us.{SONNET}")],
    );
    let fast = one(
        &findings,
        EAST,
        "inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
    );
    assert_finding(
        fast,
        Status::Fail,
        &[
            "Haiku 3.5",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "older than 4.5",
        ],
    );
}

#[test]
fn inference_profiles_fail_on_missing_inactive_or_wrong_family() {
    let findings = run(PROFILES, &snapshot("not-ready.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, HAIKU),
        Status::Fail,
        &["lists no inference profile"],
    );
    assert_finding(one(&findings, EAST, SONNET), Status::Pass, &[]);

    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).inference_profiles)[0].status = "DISABLED".into();
    let mut swapped = east();
    swapped.rollout.primary_model = format!("us.{HAIKU}");
    swapped.rollout.fast_model = format!("us.{SONNET}");
    let findings = run(PROFILES, &snapshot, &swapped);
    assert_finding(
        one(&findings, EAST, &format!("us.{HAIKU}")),
        Status::Fail,
        &["not Sonnet or Opus"],
    );
    assert_finding(
        one(&findings, EAST, &format!("us.{SONNET}")),
        Status::Fail,
        &["DISABLED, not ACTIVE", "not Haiku"],
    );
}

#[test]
fn inference_profiles_error_when_unreadable_but_fail_when_certain() {
    let unreadable = snapshot("unreadable.snapshot.json");
    let findings = run(PROFILES, &unreadable, &east());
    for f in &findings {
        assert_finding(
            f,
            Status::Error,
            &["bedrock:ListInferenceProfiles", "AccessDeniedException"],
        );
    }
    // A bare id is wrong whatever the region lists.
    let findings = run(
        PROFILES,
        &unreadable,
        &profile(Some("misconfigured-models.toml"), &[EAST]),
    );
    assert_finding(
        one(&findings, EAST, "model-role/primary"),
        Status::Fail,
        &["bare foundation-model id", "Not checked"],
    );
}

// ---- bedrock-runtime-vpc-endpoint ----------------------------------------------------------

const ENDPOINT: &str = "bedrock-runtime-vpc-endpoint";

#[test]
fn vpc_endpoint_passes_when_available_private_and_open_on_443() {
    let findings = run(ENDPOINT, &ready(), &east());
    let f = one(&findings, EAST, "vpc-endpoint/vpce-0c1d2e3f4a5b60001");
    assert_finding(f, Status::Pass, &["private DNS on", "TCP 443"]);
    assert_eq!(
        f.resource,
        format!("arn:aws:ec2:us-east-1:{ACCOUNT}:vpc-endpoint/vpce-0c1d2e3f4a5b60001")
    );
    assert!(f
        .evidence
        .iter()
        .any(|e| e.source == "ec2:DescribeSecurityGroups"));
}

#[test]
fn vpc_endpoint_fails_on_state_dns_and_security_groups() {
    let findings = run(ENDPOINT, &snapshot("not-ready.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, "vpce-0c1d2e3f4a5b60001"),
        Status::Fail,
        &[
            "pendingAcceptance",
            "private DNS is off",
            "allows inbound TCP 443",
            "sg-0b1c2d3e4f5a60009",
        ],
    );
}

#[test]
fn vpc_endpoint_fails_for_a_region_without_one_and_names_the_vpcs() {
    let findings = run(ENDPOINT, &snapshot("demo.snapshot.json"), &both());
    let f = one(&findings, WEST, "vpc-endpoint/*");
    assert_finding(
        f,
        Status::Fail,
        &[
            "No Interface VPC endpoint",
            "com.amazonaws.us-west-2.bedrock-runtime",
            "vpc-0d4c3b2a1f0e90003",
        ],
    );
    assert_eq!(
        one(&findings, EAST, "vpce-0c1d2e3f4a5b60001").status,
        Status::Pass
    );
}

#[test]
fn vpc_endpoint_reads_security_group_rules_exactly() {
    let case = |rule: IngressRule| {
        let mut snapshot = ready();
        data_mut(&mut region_mut(&mut snapshot, EAST).security_groups)[0].ingress = vec![rule];
        run(ENDPOINT, &snapshot, &east())[0].status
    };
    let rule = |protocol: &str, from: Option<i32>, to: Option<i32>, cidrs: &[&str]| IngressRule {
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        cidr_blocks: cidrs.iter().map(|c| c.to_string()).collect(),
        source_group_ids: vec![],
        prefix_list_ids: vec![],
    };
    assert_eq!(case(rule("-1", None, None, &["10.0.0.0/8"])), Status::Pass);
    assert_eq!(
        case(rule("tcp", Some(0), Some(65535), &["10.0.0.0/8"])),
        Status::Pass
    );
    assert_eq!(
        case(rule("tcp", Some(8443), Some(8443), &["10.0.0.0/8"])),
        Status::Fail
    );
    assert_eq!(
        case(rule("udp", Some(443), Some(443), &["10.0.0.0/8"])),
        Status::Fail
    );
    assert_eq!(case(rule("tcp", Some(443), Some(443), &[])), Status::Fail);
}

#[test]
fn vpc_endpoint_errors_when_endpoints_or_groups_are_unreadable() {
    let findings = run(ENDPOINT, &snapshot("unreadable.snapshot.json"), &both());
    assert_finding(
        one(&findings, EAST, "vpce-0c1d2e3f4a5b60001"),
        Status::Error,
        &["ec2:DescribeSecurityGroups", "AccessDeniedException"],
    );
    assert_finding(
        one(&findings, WEST, "vpc-endpoint/*"),
        Status::Error,
        &["ec2:DescribeVpcEndpoints", "Timeout"],
    );

    // A security group the snapshot lacks cannot confirm port 443.
    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).security_groups).clear();
    let findings = run(ENDPOINT, &snapshot, &east());
    assert_finding(&findings[0], Status::Error, &["not collected"]);
}

#[test]
fn vpc_endpoint_uses_vpcs_only_as_evidence() {
    let mut snapshot = ready();
    region_mut(&mut snapshot, EAST).vpcs = Collected::failed(denied("ec2:DescribeVpcs"));
    let findings = run(ENDPOINT, &snapshot, &east());
    assert_eq!(findings[0].status, Status::Pass);
    assert!(findings[0]
        .evidence
        .iter()
        .any(|e| e.source == "ec2:DescribeVpcs" && e.values.contains_key("error_code")));
}

// ---- cloudtrail-enabled --------------------------------------------------------------------

const TRAIL: &str = "cloudtrail-enabled";

#[test]
fn cloudtrail_passes_with_one_complete_trail_seen_from_any_region() {
    let findings = run(TRAIL, &snapshot("demo.snapshot.json"), &both());
    for region in [EAST, WEST] {
        let f = one(&findings, region, "trail/*");
        assert_finding(f, Status::Pass, &["org-audit", "home us-east-1"]);
        assert_eq!(
            f.resource,
            format!("arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/*")
        );
        assert!(f
            .evidence
            .iter()
            .any(|e| e.source == "cloudtrail:GetTrailStatus" && e.values["IsLogging"] == true));
    }
}

#[test]
fn cloudtrail_fails_and_names_what_each_trail_misses() {
    let findings = run(TRAIL, &snapshot("not-ready.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, "trail/*"),
        Status::Fail,
        &["legacy-trail: not logging, single-region, records only read management events, log file validation off"],
    );

    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).trails).clear();
    assert_finding(
        &run(TRAIL, &snapshot, &east())[0],
        Status::Fail,
        &["No CloudTrail trail"],
    );

    // moto's default: no selectors at all.
    let mut snapshot = ready();
    data_mut(&mut data_mut(&mut region_mut(&mut snapshot, EAST).trails)[0].event_selectors)
        .basic
        .clear();
    assert_finding(
        &run(TRAIL, &snapshot, &east())[0],
        Status::Fail,
        &["records no management events"],
    );
}

#[test]
fn cloudtrail_reads_advanced_selectors() {
    let with_advanced = |read_only: Option<&str>| {
        let mut snapshot = ready();
        let trail = &mut data_mut(&mut region_mut(&mut snapshot, EAST).trails)[0];
        let selectors = data_mut(&mut trail.event_selectors);
        selectors.basic.clear();
        let mut fields = vec![AdvancedFieldSelector {
            field: "eventCategory".into(),
            equals: vec!["Management".into()],
            not_equals: vec![],
        }];
        if let Some(value) = read_only {
            fields.push(AdvancedFieldSelector {
                field: "readOnly".into(),
                equals: vec![value.into()],
                not_equals: vec![],
            });
        }
        selectors.advanced = vec![AdvancedEventSelector {
            name: Some("Management events".into()),
            field_selectors: fields,
        }];
        run(TRAIL, &snapshot, &east()).remove(0)
    };
    assert_eq!(with_advanced(None).status, Status::Pass);
    assert_finding(
        &with_advanced(Some("false")),
        Status::Fail,
        &["only write management events"],
    );
    assert_finding(
        &with_advanced(Some("true")),
        Status::Fail,
        &["only read management events"],
    );
}

#[test]
fn cloudtrail_unreadable_trails_cannot_pass() {
    let findings = run(TRAIL, &snapshot("unreadable.snapshot.json"), &both());
    assert_finding(
        one(&findings, EAST, "trail/*"),
        Status::Error,
        &["GetTrailStatus", "AccessDeniedException", "org-audit"],
    );
    assert_finding(
        one(&findings, WEST, "trail/*"),
        Status::Error,
        &["DescribeTrails", "ThrottlingException"],
    );

    // A failing trail next to an unreadable one: the unreadable one might pass, so error.
    let mut snapshot = snapshot("not-ready.snapshot.json");
    let mut unreadable = ready().regions[0].trails.data().unwrap()[0].clone();
    unreadable.event_selectors = Collected::failed(denied("cloudtrail:GetEventSelectors"));
    data_mut(&mut region_mut(&mut snapshot, EAST).trails).push(unreadable.clone());
    assert_finding(
        &run(TRAIL, &snapshot, &east())[0],
        Status::Error,
        &["GetEventSelectors", "legacy-trail: not logging"],
    );

    // A passing trail next to an unreadable one: the region is covered.
    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).trails).push(Clone::clone(&{
        let mut t = unreadable;
        t.name = "other".into();
        t.arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/other");
        t
    }));
    assert_eq!(run(TRAIL, &snapshot, &east())[0].status, Status::Pass);
}

// ---- kms-keys-configured -------------------------------------------------------------------

const KMS: &str = "kms-keys-configured";

#[test]
fn kms_passes_for_rotating_customer_keys_and_accepts_bare_key_ids() {
    let findings = run(KMS, &ready(), &east());
    assert_eq!(statuses(&findings), [Status::Pass; 3]);
    assert_finding(
        one(&findings, EAST, "log-group:/aws/bedrock/model-invocations"),
        Status::Pass,
        &["Bedrock model-invocation logs"],
    );
    // moto reports a trail's key as a bare id.
    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).trails)[0].kms_key_id =
        Some("1234abcd-12ab-34cd-56ef-1234567890ab".into());
    let findings = run(KMS, &snapshot, &east());
    assert_eq!(
        one(&findings, EAST, ":trail/org-audit").status,
        Status::Pass
    );
}

#[test]
fn kms_fails_on_missing_aws_managed_deleted_and_non_rotating_keys() {
    let findings = run(KMS, &snapshot("not-ready.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, ":trail/legacy-trail"),
        Status::Fail,
        &["has no KMS key"],
    );
    assert_finding(
        one(&findings, EAST, "log-group:/aws/bedrock/model-invocations"),
        Status::Fail,
        &["has no KMS key", "Bedrock model-invocation logs"],
    );
    assert_finding(
        one(&findings, EAST, "log-group:/aws/cloudtrail/legacy-trail"),
        Status::Fail,
        &["managed by AWS"],
    );
    assert_finding(
        one(&findings, EAST, "log-group:/claude-code/otel"),
        Status::Fail,
        &["scheduled for deletion on 2026-12-01"],
    );
    assert_finding(
        one(&findings, EAST, "log-group:/claude-code/gateway"),
        Status::Fail,
        &["automatic rotation", "is off"],
    );

    let mut snapshot = ready();
    for key in region_mut(&mut snapshot, EAST).kms_keys.values_mut() {
        data_mut(key).rotation = Collected::ok(KeyRotation::Unsupported);
    }
    for f in run(KMS, &snapshot, &east()) {
        assert_finding(&f, Status::Fail, &["cannot rotate automatically"]);
    }
}

#[test]
fn kms_fails_when_invocation_logging_targets_a_missing_group() {
    let mut snapshot = ready();
    data_mut(&mut region_mut(&mut snapshot, EAST).log_groups)
        .retain(|g| g.name != "/aws/bedrock/model-invocations");
    let findings = run(KMS, &snapshot, &east());
    assert_finding(
        one(&findings, EAST, "log-group:/aws/bedrock/model-invocations"),
        Status::Fail,
        &["does not exist"],
    );
}

#[test]
fn kms_errors_on_unreadable_or_uncollected_keys_and_sections() {
    let findings = run(KMS, &snapshot("unreadable.snapshot.json"), &both());
    assert_finding(
        one(&findings, EAST, ":trail/org-audit"),
        Status::Error,
        &["kms:DescribeKey", "AccessDeniedException"],
    );
    assert_finding(
        one(&findings, EAST, "log-group:*"),
        Status::Error,
        &["logs:DescribeLogGroups"],
    );
    assert_finding(
        one(&findings, WEST, "trail/*"),
        Status::Error,
        &["cloudtrail:DescribeTrails"],
    );
    assert_finding(
        one(&findings, WEST, "log-group:/aws/bedrock/model-invocations"),
        Status::Error,
        &["kms:GetKeyRotationStatus"],
    );

    let mut snapshot = ready();
    region_mut(&mut snapshot, EAST).kms_keys.clear();
    for f in run(KMS, &snapshot, &east()) {
        assert_finding(&f, Status::Error, &["was not described"]);
    }
}

#[test]
fn kms_judges_a_multi_region_trail_once_and_is_not_applicable_on_an_empty_region() {
    let findings = run(KMS, &snapshot("demo.snapshot.json"), &both());
    let trail_findings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.ends_with(":trail/org-audit"))
        .collect();
    assert_eq!(trail_findings.len(), 1);
    assert_eq!(trail_findings[0].region, EAST);
    assert_finding(
        one(&findings, WEST, "region/us-west-2"),
        Status::NotApplicable,
        &["nothing to encrypt"],
    );
}

// ---- log-retention-set (the model rule) ----------------------------------------------------

#[test]
fn log_retention_covers_pass_fail_error_and_not_applicable() {
    let findings = run(
        "log-retention-set",
        &snapshot("demo.snapshot.json"),
        &both(),
    );
    assert_finding(
        one(&findings, EAST, "log-group:/aws/cloudtrail/org-audit"),
        Status::Pass,
        &["365 days"],
    );
    assert_finding(
        one(&findings, EAST, "claude-code-usage-export"),
        Status::Fail,
        &["no retention policy"],
    );
    assert_finding(
        one(&findings, WEST, "log-group:*"),
        Status::NotApplicable,
        &[],
    );
    let findings = run(
        "log-retention-set",
        &snapshot("unreadable.snapshot.json"),
        &east(),
    );
    assert_finding(
        one(&findings, EAST, "log-group:*"),
        Status::Error,
        &["ThrottlingException"],
    );
}

// ---- no-zdr-assumption ---------------------------------------------------------------------
// (every mode, requirement and failure is in tests/rules_retention.rs)

const ZDR: &str = "no-zdr-assumption";

#[test]
fn zdr_passes_on_the_ready_account_naming_each_region_and_mode() {
    let findings = run(ZDR, &ready(), &east());
    let f = one(&findings, EAST, "bedrock-data-retention/us-east-1");
    assert_finding(
        f,
        Status::Pass,
        &[
            "us-east-1: default",
            "us-west-2: default",
            "no sharing with the model provider",
        ],
    );
    assert!(f.evidence.iter().any(|e| e.source == "profile"
        && e.values["data_retention.zero_data_retention_required"] == false
        && e.values["data_retention.provider_data_sharing"] == "forbidden"));
}

#[test]
fn zdr_fails_when_required_and_the_mode_is_not_none() {
    let findings = run(ZDR, &ready(), &profile(Some("zdr-required.toml"), &[EAST]));
    let f = one(&findings, EAST, "us-east-1");
    assert_finding(
        f,
        Status::Fail,
        &[
            "zero data retention is required, but the data retention mode of us-east-1",
            "is default",
        ],
    );
    assert!(!f.message.contains("which Bedrock does not offer"));
}

#[test]
fn zdr_is_error_when_the_mode_is_unreadable() {
    let findings = run(ZDR, &snapshot("unreadable.snapshot.json"), &east());
    assert_finding(
        one(&findings, EAST, "bedrock-data-retention/us-east-1"),
        Status::Error,
        &["GetAccountDataRetention", "ThrottlingException"],
    );
}

// ---- bedrock-model-access: first use ------------------------------------------------------
//
// "Anthropic requires first-time customers to submit use case details before invoking a model
// once per account or once at the organization's management account ... The form submission
// at the root account will be inherited by other accounts in the same AWS Organization"
// (Bedrock user guide, model-access.html). An agreement that is NOT_AVAILABLE or PENDING is
// made by the first invocation once the form is on file; ERROR is a failed agreement.

fn sonnet_agreement(snapshot: &mut Snapshot, status: &str) {
    let region = region_mut(snapshot, EAST);
    let sonnet = data_mut(region.model_availability.get_mut(SONNET).unwrap());
    sonnet.agreement_status = status.into();
}

fn use_case(
    snapshot: &mut Snapshot,
    form: Option<Collected<bedrock_audit::snapshot::UseCaseForm>>,
    organization: Option<Option<&str>>,
) {
    snapshot.anthropic_use_case = form;
    snapshot.organization_id = organization.map(|o| Collected::ok(o.map(str::to_string)));
}

fn form(submitted: bool) -> Option<Collected<bedrock_audit::snapshot::UseCaseForm>> {
    Some(Collected::ok(bedrock_audit::snapshot::UseCaseForm {
        submitted,
        form_bytes: if submitted { 300 } else { 0 },
    }))
}

#[test]
fn an_agreement_the_first_invocation_makes_passes_when_the_use_case_form_is_on_file() {
    for status in ["NOT_AVAILABLE", "PENDING"] {
        let mut snapshot = ready();
        sonnet_agreement(&mut snapshot, status);
        use_case(&mut snapshot, form(true), Some(None));
        let findings = run(MODEL_ACCESS, &snapshot, &east());
        let finding = one(&findings, EAST, SONNET);
        assert_finding(finding, Status::Pass, &["made by the first invocation"]);
        assert!(
            finding.evidence.iter().any(|e| {
                e.source == "bedrock:GetUseCaseForModelAccess"
                    && e.values["first_use"].as_str().is_some_and(|t| {
                        t.contains(status) && t.contains("aws-marketplace:Subscribe")
                    })
            }),
            "{:?}",
            finding.evidence
        );
    }
}

#[test]
fn without_the_form_a_standalone_account_fails_and_a_member_account_cannot_be_judged() {
    let mut standalone = ready();
    sonnet_agreement(&mut standalone, "NOT_AVAILABLE");
    use_case(&mut standalone, form(false), Some(None));
    let findings = run(MODEL_ACCESS, &standalone, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Fail,
        &[
            "no Anthropic use-case form is on file",
            "put-use-case-for-model-access",
        ],
    );

    // A member account may inherit the management account's form, which it cannot read.
    let mut member = ready();
    sonnet_agreement(&mut member, "NOT_AVAILABLE");
    use_case(&mut member, form(false), Some(Some("o-exampleorg1")));
    let findings = run(MODEL_ACCESS, &member, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Error,
        &["management account", "inherited"],
    );

    // Organisation unknown: the same.
    let mut unknown = ready();
    sonnet_agreement(&mut unknown, "NOT_AVAILABLE");
    use_case(&mut unknown, form(false), None);
    let findings = run(MODEL_ACCESS, &unknown, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Error,
        &["organisation"],
    );
}

#[test]
fn an_unread_form_or_an_older_snapshot_is_an_error_and_a_failed_agreement_fails() {
    let mut unread = ready();
    sonnet_agreement(&mut unread, "NOT_AVAILABLE");
    use_case(
        &mut unread,
        Some(Collected::failed(CollectError {
            operation: "bedrock:GetUseCaseForModelAccess".into(),
            kind: ErrorKind::AccessDenied,
            code: "AccessDeniedException".into(),
            message: "not authorized".into(),
        })),
        Some(None),
    );
    let findings = run(MODEL_ACCESS, &unread, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Error,
        &["bedrock:GetUseCaseForModelAccess failed with AccessDeniedException"],
    );

    let mut older = ready();
    sonnet_agreement(&mut older, "PENDING");
    use_case(&mut older, None, None);
    let findings = run(MODEL_ACCESS, &older, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Error,
        &["not collected"],
    );

    let mut failed = ready();
    sonnet_agreement(&mut failed, "ERROR");
    use_case(&mut failed, form(true), Some(None));
    let findings = run(MODEL_ACCESS, &failed, &east());
    assert_finding(
        one(&findings, EAST, SONNET),
        Status::Fail,
        &["agreement is ERROR", "the agreement failed"],
    );
}

// ---- bedrock-throttling-history -------------------------------------------------------------
//
// Bedrock user guide, "Monitor bedrock-runtime inference using CloudWatch metrics":
// `Invocations` counts accepted requests, `InvocationThrottles` refused attempts (not counted
// as invocations, each retry counted again), by `ModelId`. The share judged is
// throttles ÷ (invocations + throttles).

const THROTTLING: &str = "bedrock-throttling-history";
const SONNET_PROFILE: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

fn with_history(invocations: f64, throttles: f64) -> Snapshot {
    use bedrock_audit::snapshot::{HourlySum, InvocationHistory, ModelInvocationHistory};
    let mut snapshot = ready();
    let region = region_mut(&mut snapshot, EAST);
    let point = |sum: f64| {
        (sum > 0.0)
            .then(|| HourlySum {
                hour: "2026-11-18T10:00:00Z".into(),
                sum,
            })
            .into_iter()
            .collect::<Vec<_>>()
    };
    region.invocation_history = Some(Collected::ok(InvocationHistory {
        start: "2026-11-13T09:00:00Z".into(),
        end: "2026-11-20T09:00:00Z".into(),
        period_seconds: 3600,
        models: vec![
            ModelInvocationHistory {
                model_id: SONNET_PROFILE.into(),
                invocations: point(invocations),
                throttles: point(throttles),
            },
            ModelInvocationHistory {
                model_id: "us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
                invocations: Vec::new(),
                throttles: Vec::new(),
            },
        ],
    }));
    snapshot
}

fn sonnet_throttling(snapshot: &Snapshot, profile: &Profile) -> Finding {
    run(THROTTLING, snapshot, profile)
        .into_iter()
        .find(|f| f.resource.ends_with(SONNET_PROFILE))
        .expect("a finding for the primary model")
}

#[test]
fn throttling_history_fails_above_the_tolerated_share_and_passes_at_or_below_it() {
    // 2 of 200 attempts = exactly 1%: tolerated (the rule fails only above it).
    let at = sonnet_throttling(&with_history(198.0, 2.0), &east());
    assert_finding(
        &at,
        Status::Pass,
        &[
            "2 of 200 attempts throttled (1.00%)",
            "within the 1% tolerated",
        ],
    );
    // 3 of 200 = 1.5%: above.
    let above = sonnet_throttling(&with_history(197.0, 3.0), &east());
    assert_finding(
        &above,
        Status::Fail,
        &[
            "3 of 200 attempts throttled (1.50%)",
            "above the 1% tolerated",
            "worst hour 2026-11-18T10:00:00Z: 3 throttled, 197 served",
            "throttled on 1 of 7 days",
        ],
    );
    let numbers = above
        .evidence
        .iter()
        .find(|e| e.source == "cloudwatch:GetMetricData")
        .expect("metric evidence");
    assert_eq!(numbers.values["InvocationThrottles"], 3.0);
    assert_eq!(numbers.values["throttled_percent"], 1.5);
    assert_eq!(numbers.values["throttled_percent_tolerated"], 1.0);
    assert_eq!(numbers.values["Invocations"], 197.0);
    assert_eq!(numbers.values["ModelId"], SONNET_PROFILE);
    // A profile that tolerates nothing fails a single throttle.
    let mut strict = east();
    strict.capacity.throttled_percent_tolerated = 0.0;
    let one = sonnet_throttling(&with_history(999.0, 1.0), &strict);
    assert_finding(
        &one,
        Status::Fail,
        &["1 of 1000 attempts throttled (0.10%)"],
    );
    // Throttles alone (every attempt refused) fail.
    let all = sonnet_throttling(&with_history(0.0, 5.0), &east());
    assert_finding(&all, Status::Fail, &["5 of 5 attempts throttled (100.00%)"]);
}

#[test]
fn a_model_without_datapoints_has_no_history_and_passes_saying_so() {
    let findings = run(THROTTLING, &with_history(0.0, 0.0), &east());
    assert_eq!(
        findings.len(),
        2,
        "one per model Claude Code calls in the region"
    );
    for f in &findings {
        assert_finding(f, Status::Pass, &["No history", "bedrock-quotas"]);
    }
}

#[test]
fn throttling_history_not_collected_unread_or_missing_a_model_is_an_error() {
    let mut older = ready();
    region_mut(&mut older, EAST).invocation_history = None;
    assert_finding(
        &sonnet_throttling(&older, &east()),
        Status::Error,
        &["not collected"],
    );

    let mut denied = ready();
    region_mut(&mut denied, EAST).invocation_history = Some(Collected::failed(CollectError {
        operation: "cloudwatch:GetMetricData".into(),
        kind: ErrorKind::AccessDenied,
        code: "AccessDenied".into(),
        message: "not authorized".into(),
    }));
    assert_finding(
        &sonnet_throttling(&denied, &east()),
        Status::Error,
        &["cloudwatch:GetMetricData failed with AccessDenied"],
    );

    let mut partial = with_history(10.0, 0.0);
    if let Some(Collected::Ok { data }) = &mut region_mut(&mut partial, EAST).invocation_history {
        data.models.retain(|m| m.model_id != SONNET_PROFILE);
    }
    assert_finding(
        &sonnet_throttling(&partial, &east()),
        Status::Error,
        &["were not read"],
    );
}
