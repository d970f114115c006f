//! `claude-code-settings` and `claude-code-secrets` on fixture settings files
//! (fixtures/claude-settings/) judged against the ready snapshot: a correct config, each
//! failure, a secret in each credential variable and an access-key id, merged precedence
//! across three files, and the not-applicable case.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::claude_code::settings::load_all;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::Profile;
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    ClaudeSettings, CollectError, Collected, ErrorKind, Guardrail, GuardrailRead, Snapshot,
};

const SETTINGS: &str = "claude-code-settings";
const SECRETS: &str = "claude-code-secrets";
const EAST: &str = "us-east-1";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn ready() -> Snapshot {
    let path = fixture("ready.snapshot.json");
    parse_snapshot(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}

fn profile() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile
}

/// The ready snapshot with these settings files (`KIND=name` under fixtures/claude-settings).
fn with_settings(files: &[&str]) -> Snapshot {
    let arguments: Vec<String> = files
        .iter()
        .map(|f| {
            let (kind, name) = f.split_once('=').unwrap_or(("managed", f));
            format!(
                "{kind}={}",
                fixture(&format!("claude-settings/{name}")).display()
            )
        })
        .collect();
    let mut snapshot = ready();
    snapshot.claude_settings = load_all(&arguments).unwrap_or_else(|e| panic!("{e}"));
    snapshot
}

fn run(rule_id: &str, snapshot: &Snapshot) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap();
    let findings = engine::run_rule(rule, snapshot, &profile());
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

/// The one finding whose resource ends with `suffix`.
fn at<'a>(findings: &'a [Finding], suffix: &str) -> &'a Finding {
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

fn statuses(findings: &[Finding]) -> Vec<(String, Status)> {
    findings
        .iter()
        .map(|f| (f.resource.rsplit('#').next().unwrap().to_string(), f.status))
        .collect()
}

#[test]
fn both_rules_are_not_applicable_without_settings_and_name_the_flag() {
    let mut snapshot = ready();
    snapshot.claude_settings = None;
    for rule in [SETTINGS, SECRETS] {
        let findings = run(rule, &snapshot);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::NotApplicable);
        assert!(
            findings[0].message.contains("--claude-settings"),
            "{}",
            findings[0].message
        );
    }
}

#[test]
fn a_correct_config_passes_every_check_and_names_file_and_path() {
    let snapshot = with_settings(&["correct.json"]);
    let findings = run(SETTINGS, &snapshot);
    for f in &findings {
        assert_eq!(f.status, Status::Pass, "{}: {}", f.resource, f.message);
        assert!(
            f.resource.contains("correct.json#env."),
            "names file and JSON path: {}",
            f.resource
        );
    }
    let checked: Vec<String> = statuses(&findings).into_iter().map(|(r, _)| r).collect();
    assert_eq!(
        checked,
        [
            "env.CLAUDE_CODE_USE_BEDROCK",
            "env.AWS_REGION",
            "env.ANTHROPIC_MODEL",
            "env.ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "env.ANTHROPIC_BEDROCK_BASE_URL",
            "env.ANTHROPIC_BEDROCK_BASE_URL/signing-region",
        ]
    );
    let secrets = run(SECRETS, &snapshot);
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].status, Status::Pass);
}

#[test]
fn bedrock_off_fails() {
    let findings = run(SETTINGS, &with_settings(&["bedrock-off.json"]));
    let f = at(&findings, "#env.CLAUDE_CODE_USE_BEDROCK");
    assert_eq!(f.status, Status::Fail);
    assert!(f.message.contains("\"0\""), "{}", f.message);
}

#[test]
fn a_missing_region_fails_and_the_models_cannot_be_judged() {
    let findings = run(SETTINGS, &with_settings(&["region-missing.json"]));
    // Neither AWS_REGION nor AWS_DEFAULT_REGION: each machine's AWS profile region, else
    // us-east-1 (code.claude.com, Amazon Bedrock): the settings do not decide it.
    let region = at(&findings, "claude-settings#env.AWS_REGION");
    assert_eq!(region.status, Status::Error);
    assert!(
        region.message.contains("do not decide the region"),
        "{}",
        region.message
    );
    assert!(
        region.message.contains("region-missing.json"),
        "{}",
        region.message
    );
    assert_eq!(at(&findings, "#env.ANTHROPIC_MODEL").status, Status::Error);
}

#[test]
fn a_region_that_was_not_scanned_is_an_error_never_a_pass() {
    let findings = run(SETTINGS, &with_settings(&["region-not-scanned.json"]));
    let region = at(&findings, "#env.AWS_REGION");
    assert_eq!(region.status, Status::Error);
    assert!(
        region.message.contains("Region not scanned"),
        "{}",
        region.message
    );
    assert!(region.message.contains("eu-west-1"), "{}", region.message);
    assert!(region.remediation.contains("--region eu-west-1"));
    for model in ["#env.ANTHROPIC_MODEL", "#env.ANTHROPIC_DEFAULT_HAIKU_MODEL"] {
        let f = findings
            .iter()
            .find(|f| f.resource.ends_with(model) && f.region == "eu-west-1")
            .unwrap_or_else(|| panic!("{model}: {findings:#?}"));
        assert_eq!(f.status, Status::Error, "{}", f.message);
    }
    assert!(!findings
        .iter()
        .any(|f| f.status == Status::Pass && f.region == "eu-west-1"));
}

#[test]
fn a_model_other_than_the_profiles_is_judged_not_skipped() {
    // Opus 4.1 is not in the ready snapshot: no profile listed, no availability collected.
    let findings = run(SETTINGS, &with_settings(&["unknown-profile.json"]));
    let opus = at(&findings, "#env.ANTHROPIC_DEFAULT_OPUS_MODEL");
    assert_eq!(opus.status, Status::Fail, "{}", opus.message);
    assert!(
        opus.message
            .contains("lists no inference profile us.anthropic.claude-opus-4-1"),
        "{}",
        opus.message
    );
    assert_eq!(opus.region, EAST);
    assert!(opus
        .evidence
        .iter()
        .any(|e| e.values.get("matches_rollout_profile") == Some(&serde_json::json!(false))));
    assert_eq!(at(&findings, "#env.ANTHROPIC_MODEL").status, Status::Pass);
}

#[test]
fn a_bare_model_id_fails() {
    let findings = run(SETTINGS, &with_settings(&["bare-model.json"]));
    let f = at(&findings, "#env.ANTHROPIC_MODEL");
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.message.contains("bare foundation-model id"),
        "{}",
        f.message
    );
    // "true" turns Bedrock on as well as "1".
    assert_eq!(
        at(&findings, "#env.CLAUDE_CODE_USE_BEDROCK").status,
        Status::Pass
    );
}

#[test]
fn model_access_problems_fail_the_setting() {
    let mut snapshot = with_settings(&["correct.json"]);
    let region = &mut snapshot.regions[0];
    let availability = region
        .model_availability
        .get_mut("anthropic.claude-haiku-4-5-20251001-v1:0")
        .unwrap();
    if let Collected::Ok { data } = availability {
        data.authorization_status = "NOT_AUTHORIZED".into();
    }
    let findings = run(SETTINGS, &snapshot);
    let haiku: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.ends_with("#env.ANTHROPIC_DEFAULT_HAIKU_MODEL") && f.region == EAST)
        .collect();
    assert_eq!(haiku.len(), 1);
    assert_eq!(haiku[0].status, Status::Fail);
    assert!(
        haiku[0].message.contains("NOT_AUTHORIZED"),
        "{}",
        haiku[0].message
    );
}

#[test]
fn unreadable_inference_profiles_make_the_model_an_error() {
    let mut snapshot = with_settings(&["correct.json"]);
    snapshot.regions[0].inference_profiles = Collected::failed(CollectError {
        operation: "bedrock:ListInferenceProfiles".into(),
        kind: ErrorKind::AccessDenied,
        code: "AccessDeniedException".into(),
        message: "denied".into(),
    });
    let findings = run(SETTINGS, &snapshot);
    let f = at(&findings, "#env.ANTHROPIC_MODEL");
    assert_eq!(f.status, Status::Error, "{}", f.message);
}

#[test]
fn an_unpinned_fast_model_runs_background_tasks_on_the_main_model() {
    // Table row "Haiku not pinned": on Bedrock, background tasks default to the primary model
    // "because Haiku may not be enabled in every account or region" (code.claude.com, Amazon
    // Bedrock), and the primary model is judged in its own finding.
    let findings = run(SETTINGS, &with_settings(&["fast-not-pinned.json"]));
    let f = at(
        &findings,
        "claude-settings#env.ANTHROPIC_DEFAULT_HAIKU_MODEL",
    );
    assert_eq!(f.status, Status::Pass);
    assert!(
        f.message.contains("background tasks on the main model"),
        "{}",
        f.message
    );
}

#[test]
fn the_deprecated_small_fast_model_is_reported_with_its_replacement() {
    let findings = run(SETTINGS, &with_settings(&["deprecated-small-fast.json"]));
    let f = findings
        .iter()
        .find(|f| {
            f.resource.ends_with("#env.ANTHROPIC_SMALL_FAST_MODEL")
                && f.message.contains("is deprecated")
        })
        .expect("the deprecation is reported");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message.contains("ANTHROPIC_DEFAULT_HAIKU_MODEL"),
        "{}",
        f.message
    );
    // The client still reads it for background tasks: the model it names is judged too.
    let model = findings
        .iter()
        .find(|f| {
            f.resource.ends_with("#env.ANTHROPIC_SMALL_FAST_MODEL")
                && !f.message.contains("is deprecated")
        })
        .expect("the model it names is judged");
    assert_eq!(model.status, Status::Pass, "{}", model.message);
}

#[test]
fn a_fast_model_region_that_was_not_scanned_is_an_error() {
    let findings = run(
        SETTINGS,
        &with_settings(&["small-fast-region-not-scanned.json"]),
    );
    let f = at(&findings, "#env.ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION");
    assert_eq!(f.status, Status::Error);
    assert!(f.message.contains("us-west-2"), "{}", f.message);
    // The Haiku model is served from that region, so it cannot be judged either.
    let haiku = findings
        .iter()
        .find(|f| {
            f.resource.ends_with("#env.ANTHROPIC_DEFAULT_HAIKU_MODEL") && f.region == "us-west-2"
        })
        .expect("haiku judged in the fast-model region");
    assert_eq!(haiku.status, Status::Error);
}

#[test]
fn base_url_must_be_https_and_the_endpoint() {
    let http = run(SETTINGS, &with_settings(&["base-url-http.json"]));
    let f = at(&http, "#env.ANTHROPIC_BEDROCK_BASE_URL");
    assert_eq!(f.status, Status::Fail);
    assert!(f.message.contains("not an HTTPS URL"), "{}", f.message);

    let proxy = run(SETTINGS, &with_settings(&["base-url-not-endpoint.json"]));
    let f = at(&proxy, "#env.ANTHROPIC_BEDROCK_BASE_URL");
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.message
            .contains("does not name the bedrock-runtime interface endpoint"),
        "{}",
        f.message
    );

    let vpce = run(SETTINGS, &with_settings(&["base-url-vpce.json"]));
    assert_eq!(
        at(&vpce, "#env.ANTHROPIC_BEDROCK_BASE_URL").status,
        Status::Pass
    );

    // Without private DNS the regional name does not reach the endpoint.
    let mut snapshot = with_settings(&["correct.json"]);
    if let Collected::Ok { data } = &mut snapshot.regions[0].vpc_endpoints {
        data[0].private_dns_enabled = false;
    }
    let findings = run(SETTINGS, &snapshot);
    assert_eq!(
        at(&findings, "#env.ANTHROPIC_BEDROCK_BASE_URL").status,
        Status::Fail
    );
}

#[test]
fn skipping_bedrock_auth_needs_a_gateway() {
    let alone = run(
        SETTINGS,
        &with_settings(&["skip-auth-without-gateway.json"]),
    );
    assert_eq!(
        at(&alone, "#env.CLAUDE_CODE_SKIP_BEDROCK_AUTH").status,
        Status::Fail
    );
    let gateway = run(SETTINGS, &with_settings(&["gateway.json"]));
    assert_eq!(
        at(&gateway, "#env.CLAUDE_CODE_SKIP_BEDROCK_AUTH").status,
        Status::Pass
    );
    assert_eq!(
        at(&gateway, "#env.ANTHROPIC_BEDROCK_BASE_URL").status,
        Status::Pass
    );
}

fn guardrail_read(guardrail: Collected<Guardrail>) -> GuardrailRead {
    GuardrailRead {
        region: EAST.into(),
        identifier: "gr-claude".into(),
        version: Some("1".into()),
        guardrail,
    }
}

fn denied(kind: ErrorKind, code: &str) -> Collected<Guardrail> {
    Collected::failed(CollectError {
        operation: "bedrock:GetGuardrail".into(),
        kind,
        code: code.into(),
        message: "from the test".into(),
    })
}

#[test]
fn a_guardrail_is_judged_from_get_guardrail() {
    let judged = |read: Option<GuardrailRead>| {
        let mut snapshot = with_settings(&["guardrail.json"]);
        if let Some(read) = read {
            snapshot
                .claude_settings
                .as_mut()
                .unwrap()
                .guardrails
                .push(read);
        }
        let findings = run(SETTINGS, &snapshot);
        at(&findings, "#env.ANTHROPIC_CUSTOM_HEADERS").clone()
    };
    // Not read at all (e.g. settings given to evaluate only): error, not pass.
    let f = judged(None);
    assert_eq!(f.status, Status::Error, "{}", f.message);

    let ready = Guardrail {
        guardrail_id: "gr-claude".into(),
        guardrail_arn: format!("arn:aws:bedrock:{EAST}:111122223333:guardrail/gr-claude"),
        name: "claude".into(),
        version: "1".into(),
        status: "READY".into(),
    };
    let f = judged(Some(guardrail_read(Collected::ok(ready.clone()))));
    assert_eq!(f.status, Status::Pass, "{}", f.message);
    assert!(f
        .evidence
        .iter()
        .any(|e| e.source == "bedrock:GetGuardrail"));

    let f = judged(Some(guardrail_read(Collected::ok(Guardrail {
        status: "FAILED".into(),
        ..ready
    }))));
    assert_eq!(f.status, Status::Fail);

    let f = judged(Some(guardrail_read(denied(
        ErrorKind::NotFound,
        "ResourceNotFoundException",
    ))));
    assert_eq!(f.status, Status::Fail);
    assert!(f.message.contains("does not exist"), "{}", f.message);

    let f = judged(Some(guardrail_read(denied(
        ErrorKind::AccessDenied,
        "AccessDeniedException",
    ))));
    assert_eq!(
        f.status,
        Status::Error,
        "a guardrail that cannot be read is an error"
    );
}

#[test]
fn a_literal_secret_in_each_credential_variable_fails_and_is_redacted() {
    for (file, variable) in [
        ("secret-aws-secret-access-key.json", "AWS_SECRET_ACCESS_KEY"),
        ("secret-aws-session-token.json", "AWS_SESSION_TOKEN"),
        (
            "secret-aws-bearer-token-bedrock.json",
            "AWS_BEARER_TOKEN_BEDROCK",
        ),
        ("secret-anthropic-api-key.json", "ANTHROPIC_API_KEY"),
    ] {
        let snapshot = with_settings(&[file]);
        let saved = serde_json::to_string(&snapshot).unwrap();
        assert!(
            !saved.contains("SECRETVALUE"),
            "{file}: the snapshot holds the secret"
        );
        let findings = run(SECRETS, &snapshot);
        let f = at(&findings, &format!("{file}#env.{variable}"));
        assert_eq!(f.status, Status::Fail, "{file}");
        assert!(f.message.contains(variable), "{}", f.message);
        assert!(f.message.contains("sha256 prefix"), "{}", f.message);
        assert!(!serde_json::to_string(&findings)
            .unwrap()
            .contains("SECRETVALUE"));
    }
}

#[test]
fn an_access_key_id_anywhere_fails() {
    let snapshot = with_settings(&["secret-access-key-id.json"]);
    assert!(!serde_json::to_string(&snapshot)
        .unwrap()
        .contains("SECRETEXAMPLE"));
    let findings = run(SECRETS, &snapshot);
    assert_eq!(
        statuses(&findings),
        [
            ("awsCredentialExport".to_string(), Status::Fail),
            ("env.AWS_ACCESS_KEY_ID".to_string(), Status::Fail),
        ]
    );
    // The export command echoes its credentials: the whole command is the literal.
    assert!(
        findings[0].message.contains("prints a literal credential"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[1].message.contains("access-key id"),
        "{}",
        findings[1].message
    );
}

#[test]
fn three_files_merge_in_claude_codes_precedence() {
    // user < project < managed, whatever the order on the command line.
    let snapshot = with_settings(&[
        "managed=precedence/managed-settings.json",
        "user=precedence/user.json",
        "project=precedence/project.json",
    ]);
    let findings = run(SETTINGS, &snapshot);
    let decided_by = |suffix: &str| {
        let f = findings
            .iter()
            .find(|f| f.resource.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix}: {findings:#?}"));
        (f.resource.clone(), f.status)
    };
    let (resource, status) = decided_by("#env.CLAUDE_CODE_USE_BEDROCK");
    assert!(resource.ends_with("precedence/managed-settings.json#env.CLAUDE_CODE_USE_BEDROCK"));
    assert_eq!(status, Status::Pass);
    let (resource, status) = decided_by("#env.AWS_REGION");
    assert!(
        resource.ends_with("precedence/project.json#env.AWS_REGION"),
        "{resource}"
    );
    assert_eq!(status, Status::Pass);
    let (resource, status) = decided_by("#env.ANTHROPIC_MODEL");
    assert!(
        resource.ends_with("precedence/managed-settings.json#env.ANTHROPIC_MODEL"),
        "{resource}"
    );
    assert_eq!(status, Status::Pass);
    let (resource, _) = decided_by("#env.ANTHROPIC_DEFAULT_HAIKU_MODEL");
    assert!(resource.ends_with("precedence/project.json#env.ANTHROPIC_DEFAULT_HAIKU_MODEL"));
    assert!(
        findings.iter().all(|f| f.status == Status::Pass),
        "{findings:#?}"
    );
}

#[test]
fn invalid_json_names_file_line_and_column() {
    let path = fixture("claude-settings/invalid.json");
    let err = load_all(&[format!("user={}", path.display())])
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid.json"), "{err}");
    assert!(err.contains("not valid JSON at line 5, column 5"), "{err}");
}

#[test]
fn a_file_of_unknown_kind_asks_for_kind_equals_path() {
    let path = fixture("claude-settings/correct.json");
    let err = load_all(&[path.display().to_string()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("KIND=PATH"), "{err}");
}

#[test]
fn settings_survive_a_snapshot_round_trip() {
    let snapshot = with_settings(&["correct.json", "user=secret-anthropic-api-key.json"]);
    let text = bedrock_audit::snapshot_file::snapshot_file_json(&[&snapshot], &[]).unwrap();
    let back = parse_snapshot(&text, Path::new("round-trip.json")).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(run(SETTINGS, &back), run(SETTINGS, &snapshot));
    assert_eq!(run(SECRETS, &back), run(SECRETS, &snapshot));
}

#[test]
fn a_snapshot_with_an_empty_settings_list_is_not_applicable_not_judged() {
    // A snapshot may carry `"claude_settings": {"files": []}`: no file was given, so neither
    // rule judges anything (not a pass over zero files, not a failure of unset variables).
    let mut snapshot = ready();
    snapshot.claude_settings = Some(ClaudeSettings {
        files: Vec::new(),
        guardrails: Vec::new(),
    });
    for rule in [SETTINGS, SECRETS] {
        let findings = run(rule, &snapshot);
        assert_eq!(findings.len(), 1, "{rule}: {findings:#?}");
        assert_eq!(findings[0].status, Status::NotApplicable, "{rule}");
        assert!(
            findings[0].message.contains("--claude-settings"),
            "{}",
            findings[0].message
        );
    }
}

#[test]
fn a_region_not_scanned_names_the_regions_the_scan_covered() {
    let snapshot = with_settings(&["region-not-scanned.json"]);
    let scanned: Vec<&str> = snapshot.regions.iter().map(|r| r.region.as_str()).collect();
    let covered = format!("the scan covered {}", scanned.join(", "));
    let findings = run(SETTINGS, &snapshot);
    let region = at(&findings, "#env.AWS_REGION");
    assert!(
        region
            .message
            .contains(&format!("{covered}. Scan it (--region eu-west-1)")),
        "{}",
        region.message
    );
    let model = at(&findings, "#env.ANTHROPIC_MODEL");
    assert!(
        model
            .message
            .contains(&format!("region not scanned (eu-west-1; {covered})")),
        "{}",
        model.message
    );
}

#[test]
fn each_model_setting_says_whether_it_is_a_rollout_model() {
    // The primary model and the fast model each match the profile's rollout; neither needs
    // to be both.
    let findings = run(SETTINGS, &with_settings(&["correct.json"]));
    for variable in ["#env.ANTHROPIC_MODEL", "#env.ANTHROPIC_DEFAULT_HAIKU_MODEL"] {
        let f = at(&findings, variable);
        assert!(
            f.evidence
                .iter()
                .any(|e| e.values.get("matches_rollout_profile") == Some(&serde_json::json!(true))),
            "{variable}: {:#?}",
            f.evidence
        );
    }
}

#[test]
fn only_bedrock_runtime_interface_endpoints_constrain_the_base_url() {
    // An interface endpoint of another service, or a bedrock-runtime endpoint that is not an
    // interface endpoint, is not one the base URL would have to name.
    for (service, kind) in [
        ("com.amazonaws.us-east-1.s3", "Interface"),
        ("com.amazonaws.us-east-1.bedrock-runtime", "Gateway"),
    ] {
        let mut snapshot = with_settings(&["base-url-not-endpoint.json"]);
        if let Collected::Ok { data } = &mut snapshot.regions[0].vpc_endpoints {
            data[0].service_name = service.into();
            data[0].endpoint_type = kind.into();
        }
        let findings = run(SETTINGS, &snapshot);
        let f = at(&findings, "#env.ANTHROPIC_BEDROCK_BASE_URL");
        assert_eq!(f.status, Status::Pass, "{service} {kind}: {}", f.message);
        assert!(
            f.message.contains(
                "us-east-1 has no bedrock-runtime interface endpoint it would have to name"
            ),
            "{}",
            f.message
        );
    }
}

#[test]
fn a_vpce_base_url_must_name_this_endpoint_in_this_region() {
    for url in [
        // Another endpoint's DNS name in the right region.
        "https://vpce-0ffffffffffffffff-abcd1234.bedrock-runtime.us-east-1.vpce.amazonaws.com",
        // This endpoint's id, under another region's name.
        "https://vpce-0c1d2e3f4a5b60001-abcd1234.bedrock-runtime.us-west-2.vpce.amazonaws.com",
    ] {
        let mut snapshot = with_settings(&["base-url-vpce.json"]);
        snapshot.claude_settings.as_mut().unwrap().files[0].content["env"]
            ["ANTHROPIC_BEDROCK_BASE_URL"] = url.into();
        let findings = run(SETTINGS, &snapshot);
        let f = at(&findings, "#env.ANTHROPIC_BEDROCK_BASE_URL");
        assert_eq!(f.status, Status::Fail, "{url}: {}", f.message);
        assert!(
            f.message
                .contains("does not name the bedrock-runtime interface endpoint of us-east-1"),
            "{}",
            f.message
        );
    }
}

#[test]
fn a_guardrail_is_judged_from_the_read_of_that_id_version_and_region_only() {
    let ready_in = |region: &str, identifier: &str, version: &str| GuardrailRead {
        region: region.into(),
        identifier: identifier.into(),
        version: Some(version.into()),
        guardrail: Collected::ok(Guardrail {
            guardrail_id: identifier.into(),
            guardrail_arn: format!("arn:aws:bedrock:{region}:111122223333:guardrail/{identifier}"),
            name: identifier.into(),
            version: version.into(),
            status: "READY".into(),
        }),
    };
    // READY reads of the same guardrail in another region, of another guardrail, and of
    // another version: none of them is the one the headers name.
    let neighbours = vec![
        ready_in("us-west-2", "gr-claude", "1"),
        ready_in(EAST, "gr-other", "1"),
        ready_in(EAST, "gr-claude", "2"),
    ];
    let judged = |reads: Vec<GuardrailRead>| {
        let mut snapshot = with_settings(&["guardrail.json"]);
        snapshot.claude_settings.as_mut().unwrap().guardrails = reads;
        let findings = run(SETTINGS, &snapshot);
        at(&findings, "#env.ANTHROPIC_CUSTOM_HEADERS").clone()
    };
    let f = judged(neighbours.clone());
    assert_eq!(f.status, Status::Error, "{}", f.message);
    assert!(
        f.message
            .contains("guardrail gr-claude version 1: bedrock:GetGuardrail was not called for it in us-east-1"),
        "{}",
        f.message
    );

    let mut reads = neighbours;
    let mut failed = ready_in(EAST, "gr-claude", "1");
    if let Collected::Ok { data } = &mut failed.guardrail {
        data.status = "FAILED".into();
    }
    reads.push(failed);
    let f = judged(reads);
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message.contains("is FAILED in us-east-1"),
        "{}",
        f.message
    );
}

/// The ready snapshot with `correct.json` changed by `edit` (parsed, and so redacted, as
/// `--claude-settings` would).
fn with_correct_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Snapshot {
    let path = fixture("claude-settings/correct.json");
    let mut content: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut content);
    let file = bedrock_audit::claude_code::settings::parse_file(
        &content.to_string(),
        "managed-settings.json",
        bedrock_audit::snapshot::SettingsKind::Managed,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut snapshot = ready();
    snapshot.claude_settings = Some(ClaudeSettings {
        files: vec![file],
        guardrails: Vec::new(),
    });
    snapshot
}

fn with_base_url(url: &str) -> Snapshot {
    with_correct_edited(|c| c["env"]["ANTHROPIC_BEDROCK_BASE_URL"] = url.into())
}

/// Issue 24 (critical): the host is the one Node's WHATWG URL parser gives, and Claude Code
/// runs on Node. In the URL Standard's host state (https://url.spec.whatwg.org/#host-state) a
/// `\` ends the host of a special (`https:`) URL just as `/` does, so this URL's host is
/// `evil.example` and signed requests or a bearer token would go there; the `@…amazonaws.com`
/// is path. A parser splitting the authority on `/ ? #` alone read the AWS name and passed it.
#[test]
fn a_backslash_before_the_aws_name_is_another_host_and_fails() {
    let findings = run(
        SETTINGS,
        &with_base_url("https://evil.example\\@bedrock-runtime.us-east-1.amazonaws.com"),
    );
    let f = at(&findings, "#env.ANTHROPIC_BEDROCK_BASE_URL");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message
            .contains("does not name the bedrock-runtime interface endpoint"),
        "{}",
        f.message
    );
    let host = f
        .evidence
        .iter()
        .find_map(|e| e.values.get("url_host"))
        .expect("the host judged is in the evidence");
    assert_eq!(host, "evil.example");
    // The regional name itself still passes (private DNS is on in the ready snapshot).
    let ok = run(
        SETTINGS,
        &with_base_url("https://bedrock-runtime.us-east-1.amazonaws.com/"),
    );
    assert_eq!(
        at(&ok, "#env.ANTHROPIC_BEDROCK_BASE_URL").status,
        Status::Pass
    );
    // Another port is another service.
    let port = run(
        SETTINGS,
        &with_base_url("https://bedrock-runtime.us-east-1.amazonaws.com:8443"),
    );
    assert_eq!(
        at(&port, "#env.ANTHROPIC_BEDROCK_BASE_URL").status,
        Status::Fail
    );
}

#[test]
fn user_info_in_the_base_url_fails_and_is_never_shown() {
    for url in [
        "https://admin:PW-probe-1@bedrock-runtime.us-east-1.amazonaws.com",
        "https://PW-probe-1@bedrock-runtime.us-east-1.amazonaws.com",
    ] {
        let snapshot = with_base_url(url);
        let settings = run(SETTINGS, &snapshot);
        let f = at(&settings, "#env.ANTHROPIC_BEDROCK_BASE_URL");
        assert_eq!(f.status, Status::Fail, "{url}: {}", f.message);
        let secrets = run(SECRETS, &snapshot);
        let s = at(&secrets, "#env.ANTHROPIC_BEDROCK_BASE_URL");
        assert_eq!(s.status, Status::Fail);
        assert!(s.message.contains("user info"), "{}", s.message);
        let all = serde_json::to_string(&(&snapshot, &settings, &secrets)).unwrap();
        assert!(!all.contains("PW-probe-1"), "{url}");
    }
}

/// Every shape of issue 24's list, each a failing finding naming file, path and kind, none
/// holding the secret. Formats: IAM User Guide "Unique identifiers" (AKIA/ASIA/ABIA/ACCA),
/// Amazon Bedrock User Guide "API keys" (long-term keys are IAM service-specific credentials,
/// `ABSK…` as issued; short-term keys are an encoded SigV4 pre-signed URL,
/// `bedrock-api-key-…`), code.claude.com/docs/en/env-vars (ANTHROPIC_API_KEY is sent as
/// x-api-key, ANTHROPIC_AUTH_TOKEN as `Authorization: Bearer`, ANTHROPIC_CUSTOM_HEADERS are
/// `Name: Value` lines) and /settings (apiKeyHelper, awsCredentialExport, otelHeadersHelper
/// print the credential; MCP servers take an `env` map).
#[test]
fn secrets_in_every_shape_fail_with_path_and_kind() {
    let snapshot = with_correct_edited(|c| {
        let env = &mut c["env"];
        env["ANTHROPIC_CUSTOM_HEADERS"] = "X-Amzn-Bedrock-GuardrailIdentifier: gr-1\nAuthorization: Bearer probe-gw-token-1\nx-api-key: probe-key-2".into();
        env["NESTED"] = serde_json::json!({ "deep": ["AKIAPROBEEXAMPLE0003"] });
        env["ANTHROPIC_AUTH_TOKEN"] = "probe-auth-token-4".into();
        env["ANTHROPIC_API_KEY"] = "sk-ant-api03-probe5xyz".into();
        env["AWS_SECRET_ACCESS_KEY"] = serde_json::json!(987_654_321_987_u64);
        env["SOME_VAR"] = "ABSKQmVkcm9ja0FQSUtleXByb2JlNg==".into();
        env["SHORT"] = "bedrock-api-key-YmVkcm9jay5wcm9iZTc=".into();
        env["ASIAPROBEEXAMPLE0008"] = "as a key".into();
        c["mcpServers"] =
            serde_json::json!({ "x": { "env": { "AWS_SECRET_ACCESS_KEY": "probe-nested-9" } } });
        c["apiKeyHelper"] = "echo probe-helper-10".into();
        c["awsCredentialExport"] = r#"echo '{"Credentials":{"AccessKeyId":"x","SecretAccessKey":"probe-secret-11","SessionToken":"probe-token-12"}}'"#.into();
    });
    let findings = run(SECRETS, &snapshot);
    let failing: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            (
                f.resource.rsplit('#').next().unwrap().to_string(),
                f.evidence[0].values["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |path: &str, reason: &str| {
        failing
            .iter()
            .any(|(p, r)| p.starts_with(path) && r == reason)
    };
    for (path, reason) in [
        ("env.ANTHROPIC_CUSTOM_HEADERS", "authorization_header"),
        ("env.NESTED.deep[0]", "access_key_id"),
        ("env.ANTHROPIC_AUTH_TOKEN", "secret_variable"),
        ("env.ANTHROPIC_API_KEY", "secret_variable"),
        ("env.AWS_SECRET_ACCESS_KEY", "secret_variable"),
        ("env.SOME_VAR", "bedrock_api_key"),
        ("env.SHORT", "bedrock_short_term_api_key"),
        ("env.<redacted aws-access-key-id sha256:", "access_key_id"),
        ("mcpServers.x.env.AWS_SECRET_ACCESS_KEY", "secret_variable"),
        ("apiKeyHelper", "command_literal"),
        ("awsCredentialExport", "command_literal"),
    ] {
        assert!(has(path, reason), "{path} {reason}: {failing:#?}");
    }
    // Two credential headers, one line each; the guardrail header stays readable.
    assert_eq!(
        failing
            .iter()
            .filter(|(p, _)| p == "env.ANTHROPIC_CUSTOM_HEADERS")
            .count(),
        2
    );
    let everything =
        serde_json::to_string(&(&snapshot, &findings, run(SETTINGS, &snapshot))).unwrap();
    for secret in [
        "probe-gw-token-1",
        "probe-key-2",
        "AKIAPROBEEXAMPLE0003",
        "probe-auth-token-4",
        "sk-ant-api03-probe5xyz",
        "ABSKQmVkcm9ja0FQSUtleXByb2JlNg==",
        "bedrock-api-key-YmVkcm9jay5wcm9iZTc=",
        "ASIAPROBEEXAMPLE0008",
        "probe-nested-9",
        "probe-helper-10",
        "probe-secret-11",
        "probe-token-12",
    ] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    assert!(!everything.contains("987654321987"));
    assert!(everything.contains("X-Amzn-Bedrock-GuardrailIdentifier: gr-1"));
}

/// A snapshot is input: one holding a literal secret and an empty list of redactions (written
/// by hand, or by an older version) is redacted on load and the rule fails on its content.
#[test]
fn a_snapshot_holding_a_literal_secret_is_redacted_on_load_and_fails() {
    let mut snapshot = ready();
    snapshot.claude_settings = Some(ClaudeSettings {
        files: vec![bedrock_audit::snapshot::SettingsFile {
            path: "managed-settings.json".into(),
            kind: bedrock_audit::snapshot::SettingsKind::Managed,
            content: serde_json::json!({
                "env": { "AWS_SESSION_TOKEN": "probe-literal-token" },
                "awsCredentialExport": "<redacted sha256:AKIAPROBEEXAMPLE0001>"
            }),
            redactions: Vec::new(),
        }],
        guardrails: Vec::new(),
    });
    // Judged in memory, before any load: the rule reads the content, not the list.
    let direct = run(SECRETS, &snapshot);
    assert_eq!(
        direct.iter().filter(|f| f.status == Status::Fail).count(),
        2,
        "{direct:#?}"
    );
    assert!(!serde_json::to_string(&direct)
        .unwrap()
        .contains("probe-literal-token"));
    let text = bedrock_audit::snapshot_file::snapshot_file_json(&[&snapshot], &[]).unwrap();
    assert!(
        text.contains("probe-literal-token"),
        "the planted file holds it"
    );
    let loaded = parse_snapshot(&text, Path::new("planted.json")).unwrap();
    let shown = serde_json::to_string(&loaded).unwrap();
    assert!(!shown.contains("probe-literal-token"), "{shown}");
    assert!(!shown.contains("AKIAPROBEEXAMPLE0001"), "{shown}");
    let findings = run(SECRETS, &loaded);
    assert_eq!(
        statuses(&findings),
        [
            ("awsCredentialExport".to_string(), Status::Fail),
            ("env.AWS_SESSION_TOKEN".to_string(), Status::Fail),
        ]
    );
}

/// Issue 24: a 36 MB settings value made an 849 MB SARIF. Each quoted value is cut like an
/// AWS message (4 KiB) in the evidence and shorter in messages.
#[test]
fn a_huge_settings_value_is_capped_in_findings() {
    let huge = "m".repeat(2_000_000);
    let snapshot = with_correct_edited(|c| {
        c["env"]["CLAUDE_CODE_USE_BEDROCK"] = huge.clone().into();
        c["env"]["ANTHROPIC_SMALL_FAST_MODEL"] = huge.clone().into();
        c["env"]["ANTHROPIC_MODEL"] = huge.clone().into();
        c["env"]["ANTHROPIC_BEDROCK_BASE_URL"] = format!("https://{huge}").into();
    });
    let findings = run(SETTINGS, &snapshot);
    let size = serde_json::to_string(&findings).unwrap().len();
    let largest = findings
        .iter()
        .map(|f| (serde_json::to_string(f).unwrap().len(), f.resource.clone()))
        .max();
    assert!(
        size < 100_000,
        "findings are {size} bytes; largest {largest:?}"
    );
    let headers = with_correct_edited(|c| {
        c["env"]["ANTHROPIC_CUSTOM_HEADERS"] =
            format!("X-Amzn-Bedrock-GuardrailIdentifier: {huge}").into();
    });
    let region = with_correct_edited(|c| c["env"]["AWS_REGION"] = huge.clone().into());
    for snapshot in [headers, region] {
        let findings = run(SETTINGS, &snapshot);
        let size = serde_json::to_string(&findings).unwrap().len();
        let largest = findings
            .iter()
            .map(|f| (serde_json::to_string(f).unwrap().len(), f.resource.clone()))
            .max();
        assert!(
            size < 100_000,
            "findings are {size} bytes; largest {largest:?}"
        );
    }
}

/// Issue 24 asked that a model id be judged as Claude Code receives it, not as a rule of thumb
/// trims it. The real client is the oracle here: 2.1.328 streams from the trimmed id when
/// `ANTHROPIC_MODEL` is padded with spaces (`tests/claude_client.rs`, "a model id padded with
/// spaces"), so the padded id is judged as that trimmed id, and the finding names it.
#[test]
fn a_padded_model_id_is_judged_as_the_trimmed_id_the_client_sends() {
    let snapshot = with_correct_edited(|c| {
        c["env"]["ANTHROPIC_MODEL"] = " us.anthropic.claude-sonnet-4-5-20250929-v1:0 ".into();
    });
    let findings = run(SETTINGS, &snapshot);
    let f = at(&findings, "#env.ANTHROPIC_MODEL");
    assert_eq!(f.status, Status::Pass, "{}", f.message);
    assert!(
        f.message
            .contains("\"us.anthropic.claude-sonnet-4-5-20250929-v1:0\""),
        "{}",
        f.message
    );
}

// ---- issue 21: one test per row of the table, each the verdict Claude Code's behaviour
// implies. Sources: code.claude.com "Model configuration" (aliases, [1m], model setting),
// "Amazon Bedrock" (region order, background model, application inference profiles),
// "Environment variables"; and the real client 2.1.328 (tests/claude_client.rs).

/// The ready snapshot with one managed settings file holding `json`.
fn with_inline(name: &str, json: &str) -> Snapshot {
    let dir = std::env::temp_dir().join(format!("rules-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, json).unwrap();
    let mut snapshot = ready();
    snapshot.claude_settings =
        load_all(&[format!("managed={}", path.display())]).unwrap_or_else(|e| panic!("{e}"));
    snapshot
}

const SONNET: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

fn env_json(pairs: &[(&str, &str)]) -> String {
    let env: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    serde_json::json!({ "env": env }).to_string()
}

fn non_pass(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| format!("{} {:?}: {}", f.resource, f.status, f.message))
        .collect()
}

#[test]
fn row_an_alias_resolves_to_its_pinned_model() {
    for alias in ["sonnet", "Sonnet", "opusplan"] {
        let snapshot = with_inline(
            "alias",
            &env_json(&[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", EAST),
                ("ANTHROPIC_MODEL", alias),
                ("ANTHROPIC_DEFAULT_SONNET_MODEL", SONNET),
                ("ANTHROPIC_DEFAULT_OPUS_MODEL", SONNET),
                ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
            ]),
        );
        let findings = run(SETTINGS, &snapshot);
        assert!(
            non_pass(&findings).is_empty(),
            "{alias}: {:#?}",
            non_pass(&findings)
        );
        let main = at(&findings, "#env.ANTHROPIC_MODEL");
        assert!(main.message.contains(SONNET), "{}", main.message);
    }
}

#[test]
fn row_the_1m_suffix_is_stripped() {
    let snapshot = with_inline(
        "one-million",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", &format!("{SONNET}[1m]")),
            ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
        ]),
    );
    let findings = run(SETTINGS, &snapshot);
    assert!(non_pass(&findings).is_empty(), "{:#?}", non_pass(&findings));
}

#[test]
fn row_an_active_application_inference_profile_arn_passes() {
    let arn = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/team0sonnet";
    let mut snapshot = with_inline(
        "application-profile",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", arn),
            ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
        ]),
    );
    if let Collected::Ok { data } = &mut snapshot.regions[0].inference_profiles {
        data.push(bedrock_audit::snapshot::InferenceProfile {
            id: "team0sonnet".into(),
            arn: arn.into(),
            name: "team sonnet".into(),
            status: "ACTIVE".into(),
            profile_type: "APPLICATION".into(),
            model_arns: vec![format!(
                "arn:aws:bedrock:us-east-1::foundation-model/{}",
                SONNET.trim_start_matches("us.")
            )],
        });
    }
    let findings = run(SETTINGS, &snapshot);
    let main = at(&findings, "#env.ANTHROPIC_MODEL");
    assert_eq!(main.status, Status::Pass, "{}", main.message);
}

#[test]
fn row_aws_default_region_alone_decides_the_region() {
    let snapshot = with_inline(
        "default-region",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_DEFAULT_REGION", EAST),
            ("ANTHROPIC_MODEL", SONNET),
            ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
        ]),
    );
    let findings = run(SETTINGS, &snapshot);
    assert!(non_pass(&findings).is_empty(), "{:#?}", non_pass(&findings));
    assert_eq!(
        at(&findings, "#env.AWS_DEFAULT_REGION").status,
        Status::Pass
    );
}

#[test]
fn row_truthy_values_turn_bedrock_on_as_the_client_reads_them() {
    for (value, on) in [
        ("yes", true),
        ("ON", true),
        (" True ", true),
        ("1", true),
        ("no", false),
        ("2", false),
    ] {
        let snapshot = with_inline(
            "truthy",
            &env_json(&[
                ("CLAUDE_CODE_USE_BEDROCK", value),
                ("AWS_REGION", EAST),
                ("ANTHROPIC_MODEL", SONNET),
            ]),
        );
        let f = at(&run(SETTINGS, &snapshot), "#env.CLAUDE_CODE_USE_BEDROCK").clone();
        assert_eq!(f.status == Status::Pass, on, "{value:?}: {}", f.message);
    }
}

#[test]
fn row_an_unset_main_model_is_the_clients_default_and_is_judged() {
    // Client 2.1.328 streams from <prefix>.anthropic.claude-opus-5-5 when nothing is pinned;
    // the ready account offers no such profile, so the setting fails instead of passing.
    let snapshot = with_inline(
        "unset-model",
        &env_json(&[("CLAUDE_CODE_USE_BEDROCK", "1"), ("AWS_REGION", EAST)]),
    );
    let findings = run(SETTINGS, &snapshot);
    let main = at(&findings, "claude-settings#model/primary");
    assert_eq!(main.status, Status::Fail, "{}", main.message);
    assert!(
        main.message.contains("us.anthropic.claude-opus-5-5"),
        "{}",
        main.message
    );
}

#[test]
fn row_a_pinned_opus_is_audited_by_the_model_rules() {
    // Reachable through /model opus: bedrock-model-access judges it (it was never judged).
    let opus = "us.anthropic.claude-opus-4-1-20250805-v1:0";
    let snapshot = with_inline(
        "pinned-opus",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", SONNET),
            ("ANTHROPIC_DEFAULT_OPUS_MODEL", opus),
        ]),
    );
    let findings = run("bedrock-model-access", &snapshot);
    let f = findings
        .iter()
        .find(|f| f.message.contains("anthropic.claude-opus-4-1"))
        .unwrap_or_else(|| panic!("opus judged: {findings:#?}"));
    assert_ne!(f.status, Status::Pass, "{}", f.message);
    assert!(
        f.evidence.iter().any(|e| e
            .values
            .get("origin")
            .is_some_and(|o| o.to_string().contains("ANTHROPIC_DEFAULT_OPUS_MODEL"))),
        "{:#?}",
        f.evidence
    );
}

#[test]
fn row_a_guardrail_identifier_without_its_version_fails() {
    let snapshot = with_inline(
        "guardrail-no-version",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", SONNET),
            (
                "ANTHROPIC_CUSTOM_HEADERS",
                "X-Amzn-Bedrock-GuardrailIdentifier: gr-1",
            ),
        ]),
    );
    let f = at(&run(SETTINGS, &snapshot), "#env.ANTHROPIC_CUSTOM_HEADERS").clone();
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message.contains("X-Amzn-Bedrock-GuardrailVersion"),
        "{}",
        f.message
    );
}

#[test]
fn row_a_base_url_in_another_region_than_the_signing_region_fails() {
    let snapshot = with_inline(
        "base-url-region",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", SONNET),
            (
                "ANTHROPIC_BEDROCK_BASE_URL",
                "https://bedrock-runtime.us-west-2.amazonaws.com",
            ),
        ]),
    );
    let f = at(
        &run(SETTINGS, &snapshot),
        "#env.ANTHROPIC_BEDROCK_BASE_URL/signing-region",
    )
    .clone();
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert!(
        f.message.contains("us-west-2") && f.message.contains("us-east-1"),
        "{}",
        f.message
    );
}

#[test]
fn other_providers_and_tiers_are_recognised() {
    let snapshot = with_inline(
        "providers",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("CLAUDE_CODE_USE_MANTLE", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_MODEL", SONNET),
            ("ANTHROPIC_BEDROCK_SERVICE_TIER", "fast"),
            ("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "8192"),
        ]),
    );
    let findings = run(SETTINGS, &snapshot);
    assert_eq!(
        at(&findings, "#env.CLAUDE_CODE_USE_MANTLE").status,
        Status::Error
    );
    assert_eq!(
        at(&findings, "#env.ANTHROPIC_BEDROCK_SERVICE_TIER").status,
        Status::Fail
    );
    let tokens = at(&findings, "#env.CLAUDE_CODE_MAX_OUTPUT_TOKENS");
    assert_eq!(tokens.status, Status::Pass);
    assert!(tokens.message.contains("8192"), "{}", tokens.message);
    let snapshot = with_inline(
        "tier",
        &env_json(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", EAST),
            ("ANTHROPIC_BEDROCK_SERVICE_TIER", "flex"),
        ]),
    );
    assert_eq!(
        at(
            &run(SETTINGS, &snapshot),
            "#env.ANTHROPIC_BEDROCK_SERVICE_TIER"
        )
        .status,
        Status::Pass
    );
}
