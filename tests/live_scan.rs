//! Live scans: the real `bedrock-audit scan` binary, the real AWS SDK, moto on 127.0.0.1 and
//! our Bedrock test server. Each scenario seeds a ready account, breaks one thing, and checks
//! that exactly the rule about that thing objects — with the other rules still judged — and
//! that the scan made only read calls (every run asserts that on both servers' request logs).

mod support;

use std::collections::BTreeSet;

use bedrock_audit::rules::REGISTRY;
use serde_json::Value;
use support::account::TestAccount;
use support::bedrock_server::{
    BedrockOp, BedrockSeed, Fault, FaultKind, SeedAvailability, SeedGuardrail, HAIKU_4_5,
    SONNET_4_5,
};
use support::scanner::{FindingView, ScanRun};
use support::seed::{EndpointSpec, LogGroupSpec, INVOCATION_LOG_GROUP};

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";

const MODEL_ACCESS: &str = "bedrock-model-access";
const INFERENCE_PROFILES: &str = "bedrock-inference-profiles";
const VPC_ENDPOINT: &str = "bedrock-runtime-vpc-endpoint";
const CLOUDTRAIL: &str = "cloudtrail-enabled";
const LOG_RETENTION: &str = "log-retention-set";
const KMS_KEYS: &str = "kms-keys-configured";
const NO_ZDR: &str = "no-zdr-assumption";

fn mentions(finding: &FindingView, text: &str) -> bool {
    finding.resource.contains(text) || finding.message.contains(text)
}

fn evidence_mentions(finding: &FindingView, text: &str) -> bool {
    finding
        .evidence
        .iter()
        .any(|e| e.to_string().contains(text))
}

/// Every rule reported something, and nothing but `pass` / `not_applicable` — except the
/// rules named in `except`, which the caller judges itself.
fn assert_other_rules_pass(run: &ScanRun, except: &[&str]) {
    let findings = run.findings();
    for rule in REGISTRY.iter().filter(|r| !except.contains(&r.id)) {
        let of_rule: Vec<&FindingView> = findings.iter().filter(|f| f.rule_id == rule.id).collect();
        assert!(
            !of_rule.is_empty(),
            "{} reported nothing\n{}",
            rule.id,
            run.describe()
        );
        for finding in of_rule {
            assert!(
                finding.status == "pass" || finding.status == "not_applicable",
                "{} should pass here but said {}: {}\n{}",
                rule.id,
                finding.status,
                finding.message,
                run.describe()
            );
        }
    }
}

/// The rule failed on a resource named by `needle`, and every other rule passed.
fn assert_only_rule_fails(run: &ScanRun, rule_id: &str, needle: &str) {
    let failing: Vec<FindingView> = run
        .findings_of(rule_id)
        .into_iter()
        .filter(|f| f.status == "fail")
        .collect();
    assert!(
        failing.iter().any(|f| mentions(f, needle)),
        "{rule_id} should fail on {needle}\n{}",
        run.describe()
    );
    assert!(
        !run.findings_of(rule_id).iter().any(|f| f.status == "error"),
        "{rule_id} must judge, not error\n{}",
        run.describe()
    );
    assert!(
        failing.iter().all(|f| !f.evidence.is_empty()),
        "a failing finding carries its evidence\n{}",
        run.describe()
    );
    assert_other_rules_pass(run, &[rule_id]);
    assert_eq!(
        run.code,
        1,
        "a failing finding fails the run\n{}",
        run.describe()
    );
}

/// A profile under which every rule judges the ready account: the developers' role (the test
/// server allows it everything), a private path from the seeded VPC, and prompt logs kept.
const EVERY_RULE_JUDGES: &str =
    "[access]\ndeveloper_principals = [\"arn:aws:iam::123456789012:role/ClaudeCodeDevelopers\"]\n\
[network]\nprivate_only = true\nallowed_cidrs = [\"10.20.0.0/16\"]\n\
[data_retention]\ninvocation_logging = \"required\"\ninvocation_log_max_retention_days = 400\n";

/// `data_retention` / `rollout` keys for a `--config` file, regions from the scan.
fn profile_file(account: &TestAccount, body: &str) -> String {
    account
        .write("bedrock-audit.toml", body)
        .display()
        .to_string()
}

#[tokio::test]
async fn ready_account_passes_every_rule() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let config = profile_file(&account, EVERY_RULE_JUDGES);
    // With the Claude Code settings a rollout would push, so the settings rules judge too.
    let settings = account.write(
        "managed-settings.json",
        &serde_json::json!({ "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": EAST,
            "ANTHROPIC_MODEL": format!("us.{SONNET_4_5}"),
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": format!("us.{HAIKU_4_5}"),
        }})
        .to_string(),
    );
    let run = account.scan_json(
        &[EAST],
        &[
            "--config",
            &config,
            "--claude-settings",
            &settings.display().to_string(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.describe());
    assert_other_rules_pass(&run, &[]);
    let passing: BTreeSet<String> = run
        .findings()
        .into_iter()
        .filter(|f| f.status == "pass")
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(
        passing.len(),
        REGISTRY.len(),
        "every rule passes something: {passing:?}\n{}",
        run.describe()
    );
    let report = run.report();
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(report["summary"]["error"], 0);

    // The scan read every service it judges.
    let operations = run.moto_operations();
    for expected in [
        "sts:GetCallerIdentity",
        "ec2:DescribeVpcEndpoints",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "logs:DescribeLogGroups",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
    ] {
        assert!(
            operations.iter().any(|o| o == expected),
            "{expected} not called: {operations:?}"
        );
    }
    let bedrock: BTreeSet<&str> = run
        .bedrock_calls
        .iter()
        .map(|c| c.operation.as_str())
        .collect();
    for expected in [
        "ListFoundationModels",
        "GetFoundationModelAvailability",
        "ListInferenceProfiles",
    ] {
        assert!(
            bedrock.contains(expected),
            "{expected} not called: {bedrock:?}"
        );
    }
    // Four profiles at two per page: the scanner followed nextToken.
    let profile_pages = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "ListInferenceProfiles" && c.region == EAST)
        .count();
    assert!(profile_pages >= 2, "{:?}", run.bedrock_calls);
}

#[tokio::test]
async fn model_access_not_granted_fails_model_access() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        for region in seed.regions.values_mut() {
            region
                .availability
                .insert(HAIKU_4_5.into(), SeedAvailability::not_authorized());
        }
    });
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, MODEL_ACCESS, "haiku");
}

#[tokio::test]
async fn model_access_missing_in_a_destination_region_fails_model_access() {
    // Access is fine where the scan looks (us-east-1) but not in us-east-2, where the `us.`
    // profile also sends requests: some developers' requests would fail.
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.region_mut("us-east-2")
            .availability
            .insert(SONNET_4_5.into(), SeedAvailability::not_authorized());
    });
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, MODEL_ACCESS, "us-east-2");
    let failing: Vec<FindingView> = run
        .findings_of(MODEL_ACCESS)
        .into_iter()
        .filter(|f| f.status == "fail")
        .collect();
    assert_eq!(
        failing.len(),
        1,
        "only the primary model\n{}",
        run.describe()
    );
    assert!(
        failing[0].message.contains("NOT_AUTHORIZED"),
        "{}",
        failing[0].message
    );
    assert!(
        run.bedrock_calls
            .iter()
            .any(|c| c.operation == "GetFoundationModelAvailability" && c.region == "us-east-2"),
        "the destination was asked: {:?}",
        run.bedrock_calls
    );
}

#[tokio::test]
async fn bare_model_id_in_the_profile_fails_inference_profiles() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    // Current Claude models are served only through inference profiles: a bare foundation
    // model id in ANTHROPIC_MODEL fails at the first request.
    let config = profile_file(
        &account,
        &format!("[rollout]\nregions = [\"{EAST}\"]\nprimary_model = \"{SONNET_4_5}\"\n"),
    );
    let run = account.scan_json(&[EAST], &["--config", &config]);
    assert_only_rule_fails(&run, INFERENCE_PROFILES, SONNET_4_5);
}

#[tokio::test]
async fn missing_runtime_endpoint_fails_vpc_endpoint() {
    let (account, ready) = TestAccount::ready_with(&[EAST], EndpointSpec::Missing).await;
    assert!(ready[0].network.endpoint_id.is_empty());
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, VPC_ENDPOINT, EAST);
}

#[tokio::test]
async fn runtime_endpoint_without_private_dns_fails_vpc_endpoint() {
    let (account, ready) = TestAccount::ready_with(&[EAST], EndpointSpec::NoPrivateDns).await;
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, VPC_ENDPOINT, &ready[0].network.endpoint_id);
}

#[tokio::test]
async fn trail_not_logging_fails_cloudtrail() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .stop_logging(&ready[0].trail_name)
        .await
        .expect("stop logging");
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, CLOUDTRAIL, &ready[0].trail_name);
}

#[tokio::test]
async fn log_group_without_retention_fails_log_retention() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .log_group(
            &LogGroupSpec::new("/claude-code/never-expires", None).encrypted(&ready[0].key.arn),
        )
        .await
        .expect("seed log group");
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, LOG_RETENTION, "/claude-code/never-expires");
    let failing: Vec<FindingView> = run
        .findings_of(LOG_RETENTION)
        .into_iter()
        .filter(|f| f.status == "fail")
        .collect();
    assert_eq!(
        failing.len(),
        1,
        "only the one group fails\n{}",
        run.describe()
    );
}

#[tokio::test]
async fn key_rotation_off_fails_kms_keys() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .kms
        .disable_key_rotation()
        .key_id(&ready[0].key.id)
        .send()
        .await
        .expect("disable rotation");
    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, KMS_KEYS, &ready[0].key.id);
}

#[tokio::test]
async fn key_pending_deletion_fails_kms_keys() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .schedule_key_deletion(&ready[0].key)
        .await
        .expect("schedule deletion");
    let run = account.scan_json(&[EAST], &[]);
    let kms = run.findings_of(KMS_KEYS);
    assert!(
        kms.iter().any(|f| f.status == "fail"
            && mentions(f, &ready[0].key.id)
            && evidence_mentions(f, "PendingDeletion")),
        "a key pending deletion fails, with its state as evidence\n{}",
        run.describe()
    );
    assert!(
        !kms.iter().any(|f| f.status == "pass"),
        "{}",
        run.describe()
    );
    assert_other_rules_pass(&run, &[KMS_KEYS]);
    assert_eq!(run.code, 1);
}

#[tokio::test]
async fn zero_data_retention_required_fails_no_zdr_assumption() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let config = profile_file(
        &account,
        &format!("[rollout]\nregions = [\"{EAST}\"]\n\n[data_retention]\nzero_data_retention_required = true\n"),
    );
    let run = account.scan_json(&[EAST], &["--config", &config]);
    let zdr = run.findings_of(NO_ZDR);
    assert!(
        zdr.iter().any(|f| f.status == "fail"),
        "ZDR required while the data retention mode is inherit (never set): fails\n{}",
        run.describe()
    );
    assert_other_rules_pass(&run, &[NO_ZDR]);
    assert_eq!(run.code, 1);
}

#[tokio::test]
async fn one_bad_log_group_deep_in_300_is_found() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let bad = "/app/service-257";
    let groups = (0..300)
        .map(|i| {
            let name = format!("/app/service-{i:03}");
            let retention = if name == bad { None } else { Some(90) };
            LogGroupSpec::new(name, retention).encrypted(&ready[0].key.arn)
        })
        .collect();
    account
        .seeder(EAST)
        .await
        .log_groups(groups)
        .await
        .expect("seed 300 log groups");

    let run = account.scan_json(&[EAST], &[]);
    assert_only_rule_fails(&run, LOG_RETENTION, bad);
    let retention = run.findings_of(LOG_RETENTION);
    let failing: Vec<&FindingView> = retention.iter().filter(|f| f.status == "fail").collect();
    assert_eq!(failing.len(), 1, "{}", run.describe());
    let passing = retention.iter().filter(|f| f.status == "pass").count();
    assert_eq!(
        passing,
        299 + 3,
        "every other group judged, the ready account's three too"
    );
    let pages = run
        .moto_calls
        .iter()
        .filter(|c| c.operation == "DescribeLogGroups")
        .count();
    assert!(pages >= 7, "303 groups need 7 pages of 50, saw {pages}");
}

#[tokio::test]
async fn access_denied_is_an_error_not_a_pass() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.faults.push(Fault {
            operation: BedrockOp::GetFoundationModelAvailability,
            kind: FaultKind::AccessDenied,
            region: None,
        });
    });
    let run = account.scan_json(&[EAST], &[]);
    let access = run.findings_of(MODEL_ACCESS);
    assert!(
        access
            .iter()
            .any(|f| f.status == "error" && evidence_mentions(f, "AccessDeniedException")),
        "{}",
        run.describe()
    );
    assert!(
        !access.iter().any(|f| f.status == "pass"),
        "an unreadable section never passes\n{}",
        run.describe()
    );
    assert_other_rules_pass(&run, &[MODEL_ACCESS, INFERENCE_PROFILES]);
    assert_eq!(run.code, 1, "errors fail the run by default");

    let tolerant = account.scan_json(&[EAST], &["--allow-errors"]);
    assert_eq!(
        tolerant.code,
        0,
        "--allow-errors: nothing else fails\n{}",
        tolerant.describe()
    );
}

#[tokio::test]
async fn persistent_throttling_is_an_error_and_other_rules_are_still_judged() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.faults.push(Fault {
            operation: BedrockOp::ListInferenceProfiles,
            kind: FaultKind::Throttle,
            region: None,
        });
    });
    let mut env = account.env();
    // Keep the retries (the behaviour under test) but not their production back-off.
    env.set("BEDROCK_AUDIT_INITIAL_BACKOFF_MS", "10");
    let run = account.run_with_env(&env, &["scan", "--format", "json", "--region", EAST]);

    let profiles = run.findings_of(INFERENCE_PROFILES);
    assert!(
        profiles
            .iter()
            .any(|f| f.status == "error" && evidence_mentions(f, "ThrottlingException")),
        "{}",
        run.describe()
    );
    assert!(
        !profiles.iter().any(|f| f.status == "pass"),
        "{}",
        run.describe()
    );
    let attempts = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "ListInferenceProfiles")
        .count();
    assert!(
        attempts >= 2,
        "throttling is retried before giving up: {attempts}"
    );
    // Without the profiles, the regions whose data retention mode governs are unknown too.
    assert!(
        run.findings_of(NO_ZDR).iter().all(|f| f.status == "error"),
        "{}",
        run.describe()
    );
    assert_other_rules_pass(&run, &[INFERENCE_PROFILES, MODEL_ACCESS, NO_ZDR]);
    assert_eq!(run.code, 1);
}

#[tokio::test]
async fn two_regions_are_scanned_and_judged_separately() {
    let (account, ready) = TestAccount::ready(&[EAST, WEST]).await;
    account
        .seeder(WEST)
        .await
        .log_group(&LogGroupSpec::new("/west/unbounded", None).encrypted(&ready[1].key.arn))
        .await
        .expect("seed");
    let run = account.scan_json(&[EAST, WEST], &[]);

    assert_only_rule_fails(&run, LOG_RETENTION, "/west/unbounded");
    let failing: Vec<FindingView> = run
        .findings()
        .into_iter()
        .filter(|f| f.status == "fail")
        .collect();
    assert!(
        failing.iter().all(|f| f.region == WEST),
        "{}",
        run.describe()
    );
    for rule in [MODEL_ACCESS, VPC_ENDPOINT, LOG_RETENTION] {
        let regions: BTreeSet<String> = run
            .findings_of(rule)
            .into_iter()
            .map(|f| f.region)
            .collect();
        assert!(
            regions.contains(EAST) && regions.contains(WEST),
            "{rule} judged both regions: {regions:?}"
        );
    }
    for region in [EAST, WEST] {
        assert!(run
            .bedrock_calls
            .iter()
            .any(|c| c.region == region && c.operation == "ListFoundationModels"));
        assert!(run
            .moto_calls
            .iter()
            .any(|c| c.region == region && c.operation == "DescribeLogGroups"));
    }
    assert_eq!(
        run.report()["scan"]["regions"],
        serde_json::json!([EAST, WEST])
    );
}

#[tokio::test]
async fn a_saved_snapshot_evaluates_to_the_same_findings() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .log_group(
            &LogGroupSpec::new("/claude-code/never-expires", None).encrypted(&ready[0].key.arn),
        )
        .await
        .expect("seed");
    let snapshot = account.path("account.snapshot.json").display().to_string();
    let scanned = account.scan_json(&[EAST], &["--save-snapshot", &snapshot]);
    assert_eq!(scanned.code, 1, "{}", scanned.describe());

    let text = std::fs::read_to_string(&snapshot).expect("snapshot written");
    let file: bedrock_audit::snapshot::SnapshotFile =
        serde_json::from_str(&text).expect("the snapshot is a SnapshotFile");
    assert_eq!(
        file.schema_version,
        bedrock_audit::snapshot::SNAPSHOT_SCHEMA_VERSION
    );
    let [parsed] = file.accounts.as_slice() else {
        panic!("one account in {text}")
    };
    assert_eq!(parsed.account_id(), Some("123456789012"));
    let east = parsed.region(EAST).expect("us-east-1 in the snapshot");
    assert!(east.log_groups.data().is_some_and(|groups| groups
        .iter()
        .any(|g| g.name == "/claude-code/never-expires")));

    let evaluated = account.run(&["evaluate", "--snapshot", &snapshot, "--format", "json"]);
    assert_eq!(evaluated.code, scanned.code);
    assert!(
        evaluated.moto_calls.is_empty() && evaluated.bedrock_calls.is_empty(),
        "evaluate makes no AWS calls"
    );
    let findings = |run: &ScanRun| run.report()["findings"].clone();
    assert_eq!(findings(&evaluated), findings(&scanned));
    assert_eq!(evaluated.report()["summary"], scanned.report()["summary"]);
}

#[tokio::test]
async fn trace_calls_lists_every_call_and_only_reads() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    // A full scan includes the guardrail that Claude Code settings name.
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .guardrails
            .push(SeedGuardrail::ready("gr-claude", "1"))
    });
    let settings = account.write(
        "managed-settings.json",
        &serde_json::json!({ "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": EAST,
            "ANTHROPIC_MODEL": format!("us.{SONNET_4_5}"),
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": format!("us.{HAIKU_4_5}"),
            "ANTHROPIC_CUSTOM_HEADERS": "X-Amzn-Bedrock-GuardrailIdentifier: gr-claude\nX-Amzn-Bedrock-GuardrailVersion: 1",
        }})
        .to_string(),
    );
    let trace = account.path("calls.jsonl");
    let run = account.scan_json(
        &[EAST],
        &[
            "--trace-calls",
            &trace.display().to_string(),
            "--claude-settings",
            &settings.display().to_string(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.describe());

    let text = std::fs::read_to_string(&trace).expect("trace written");
    let records: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("trace line {l}: {e}")))
        .collect();
    assert!(!records.is_empty());
    let mut attempts_to_bedrock = 0;
    let mut attempts_to_moto = 0;
    for record in &records {
        let action = record["action"].as_str().expect("action");
        let (service, operation) = action.split_once(':').expect("service:Operation");
        assert!(
            ["Describe", "List", "Get"]
                .iter()
                .any(|p| operation.starts_with(p)),
            "non-read call traced: {record}"
        );
        // Only model access and the data retention mode are read outside the scanned region:
        // in the other regions the configured `us.` profiles route to.
        let region = record["region"].as_str().unwrap_or_default();
        let allowed = region == EAST
            || ([
                "bedrock:GetFoundationModelAvailability",
                "bedrock:GetAccountDataRetention",
            ]
            .contains(&action)
                && ["us-east-2", WEST].contains(&region));
        assert!(allowed, "{record}");
        let attempts = record["attempts"].as_u64().unwrap_or(1) as usize;
        // What our test server answers itself; it forwards the rest to moto.
        let answered_here = service == "bedrock"
            || service == "servicequotas"
            || service == "cloudwatch"
            || (service == "organizations" && operation == "DescribeEffectivePolicy")
            || (service == "iam"
                && ["SimulatePrincipalPolicy", "ListServiceSpecificCredentials"]
                    .contains(&operation));
        if answered_here {
            attempts_to_bedrock += attempts;
        } else {
            attempts_to_moto += attempts;
        }
    }
    // The trace is complete: it accounts for every request the servers received, all of
    // them through the one endpoint.
    let answered = run.bedrock_calls.iter().filter(|c| !c.forwarded).count();
    assert_eq!(attempts_to_bedrock, answered, "{text}");
    assert_eq!(attempts_to_moto, run.moto_calls.len(), "{text}");
    assert_eq!(
        attempts_to_bedrock + attempts_to_moto,
        run.bedrock_calls.len(),
        "{text}"
    );
}

#[tokio::test]
async fn missing_region_stops_the_scan_with_exit_2_and_the_sdk_region_is_the_default() {
    let account = TestAccount::new(BedrockSeed::claude_ready(&[EAST]));
    let mut env = account.env();
    env.remove("AWS_REGION");
    let run = account.run_with_env(&env, &["scan", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stdout.is_empty(), "no partial report: {}", run.stdout);
    assert!(run.stderr.contains("no region to scan"), "{}", run.stderr);
    assert!(run.bedrock_calls.is_empty() && run.moto_calls.is_empty());

    env.set("AWS_REGION", WEST);
    let run = account.run_with_env(&env, &["scan", "--format", "json"]);
    assert_eq!(run.report()["scan"]["regions"], serde_json::json!([WEST]));
}

#[tokio::test]
async fn missing_credentials_stop_the_scan_with_exit_2() {
    let account = TestAccount::new(BedrockSeed::claude_ready(&[EAST]));
    let mut env = account.env();
    env.remove("AWS_ACCESS_KEY_ID");
    env.remove("AWS_SECRET_ACCESS_KEY");
    let run = account.run_with_env(&env, &["scan", "--format", "json", "--region", EAST]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stdout.is_empty(), "no partial report: {}", run.stdout);
    let stderr = run.stderr.to_lowercase();
    assert!(stderr.contains("credentials"), "{}", run.stderr);
    assert!(!stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.bedrock_calls.is_empty() && run.moto_calls.is_empty(),
        "nothing is sent without credentials"
    );
}

#[tokio::test]
async fn table_json_and_sarif_report_the_same_scan() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    account
        .seeder(EAST)
        .await
        .log_group(
            &LogGroupSpec::new("/claude-code/never-expires", None).encrypted(&ready[0].key.arn),
        )
        .await
        .expect("seed");

    let json = account.scan_json(&[EAST], &[]);
    assert_eq!(json.code, 1);
    let failing_rules: BTreeSet<String> = json
        .findings()
        .into_iter()
        .filter(|f| f.status == "fail")
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(failing_rules, BTreeSet::from([LOG_RETENTION.to_string()]));

    let table = account.run(&["scan", "--region", EAST, "--color", "never"]);
    assert_eq!(table.code, 1, "{}", table.describe());
    assert!(table.stdout.contains(LOG_RETENTION), "{}", table.stdout);
    assert!(
        table.stdout.contains("/claude-code/never-expires"),
        "{}",
        table.stdout
    );
    assert!(
        !table.stdout.contains('\u{1b}'),
        "no colour escapes with --color never"
    );

    let sarif_run = account.run(&["scan", "--region", EAST, "--format", "sarif"]);
    assert_eq!(sarif_run.code, 1, "{}", sarif_run.describe());
    let sarif: Value = serde_json::from_str(&sarif_run.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "bedrock-audit");
    let results = run["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["ruleId"] == LOG_RETENTION
            && r.to_string().contains("/claude-code/never-expires")),
        "{}",
        sarif_run.stdout
    );
    // The invocation-log group passes and is not reported as a problem.
    assert!(!results.iter().any(|r| r["ruleId"] == LOG_RETENTION
        && r["level"] == "error"
        && r.to_string().contains(INVOCATION_LOG_GROUP)));
}

// ------------------------------------------------------------- CI gates and audit evidence

#[tokio::test]
async fn iam_policy_actions_equal_the_operations_a_full_scan_makes() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    // A developer principal to simulate, a user whose API keys are listed and an S3 bucket
    // for the invocation logs, so a full scan makes every call it can.
    let config = profile_file(&account, EVERY_RULE_JUDGES);
    account
        .seeder(EAST)
        .await
        .logging_bucket("claude-code-prompts", Some(&ready[0].key.arn), 365)
        .await
        .expect("seed the logging bucket");
    account
        .seeder(EAST)
        .await
        .bedrock_bucket_policy("claude-code-prompts", "", support::bedrock_server::ACCOUNT)
        .await
        .expect("let Bedrock write to the logging bucket");
    account.bedrock.update(|seed| {
        if let Some(config) = seed.region_mut(EAST).logging.as_mut() {
            config["s3Config"] = serde_json::json!({ "bucketName": "claude-code-prompts" });
        }
    });
    // A security-group rule through a managed prefix list, whose entries the scan reads.
    account
        .seeder(EAST)
        .await
        .admit_https_from_prefix_list(&ready[0].network.security_group_id, &["10.0.0.0/8"])
        .await
        .expect("seed a prefix-list rule");
    let iam = aws_sdk_iam::Client::new(&support::seed::sdk_config(&account.moto.url(), EAST).await);
    iam.create_user()
        .user_name("developer")
        .send()
        .await
        .expect("create user");
    // An account in an organisation, whose SCPs (moto attaches FullAWSAccess) the scan reads.
    aws_sdk_organizations::Client::new(&support::seed::sdk_config(&account.moto.url(), EAST).await)
        .create_organization()
        .send()
        .await
        .expect("create organization");
    // A full scan includes the guardrail that Claude Code settings name.
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .guardrails
            .push(SeedGuardrail::ready("gr-claude", "1"))
    });
    let settings = account.write(
        "managed-settings.json",
        &serde_json::json!({ "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": EAST,
            "ANTHROPIC_MODEL": format!("us.{SONNET_4_5}"),
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": format!("us.{HAIKU_4_5}"),
            "ANTHROPIC_CUSTOM_HEADERS": "X-Amzn-Bedrock-GuardrailIdentifier: gr-claude\nX-Amzn-Bedrock-GuardrailVersion: 1",
        }})
        .to_string(),
    );
    let trace = account.path("calls.jsonl");
    let run = account.scan_json(
        &[EAST],
        &[
            "--trace-calls",
            &trace.display().to_string(),
            "--config",
            &config,
            "--claude-settings",
            &settings.display().to_string(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.describe());
    let traced: BTreeSet<String> = std::fs::read_to_string(&trace)
        .expect("trace written")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let record: Value = serde_json::from_str(l).expect("trace line is JSON");
            record["action"].as_str().expect("action").to_string()
        })
        .collect();

    let policy_run = account.run(&["iam-policy"]);
    assert_eq!(policy_run.code, 0, "{}", policy_run.describe());
    let policy: Value = serde_json::from_str(&policy_run.stdout).expect("policy is JSON");
    let granted: BTreeSet<String> = policy["Statement"][0]["Action"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    assert_eq!(
        granted, traced,
        "the policy must grant exactly what a full scan calls"
    );
}

#[tokio::test]
async fn baseline_from_the_previous_scan_fails_only_on_a_new_failure() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let baseline = account.path("baseline.json").display().to_string();
    let first = account.scan_json(&[EAST], &["--output", &baseline]);
    assert_eq!(first.code, 0, "{}", first.describe());

    let unchanged = account.scan_json(&[EAST], &["--baseline", &baseline]);
    assert_eq!(
        unchanged.code,
        0,
        "nothing regressed\n{}",
        unchanged.describe()
    );
    assert_eq!(unchanged.report()["summary"]["new"], 0);

    account
        .seeder(EAST)
        .await
        .log_group(&LogGroupSpec::new("/claude-code/regressed", None).encrypted(&ready[0].key.arn))
        .await
        .expect("seed log group");
    let regressed = account.scan_json(&[EAST], &["--baseline", &baseline]);
    assert_eq!(
        regressed.code,
        1,
        "one new failure\n{}",
        regressed.describe()
    );
    let report = regressed.report();
    assert_eq!(report["summary"]["new"], 1);
    let new: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["baseline"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "{}", regressed.describe());
    assert_eq!(new[0]["rule_id"], LOG_RETENTION);
    assert!(new[0]["resource"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/claude-code/regressed"));

    // With a waiver for that group the same run passes the gate, and the finding says why.
    let waivers = account.write(
        "waivers.toml",
        "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"arn:aws:logs:*:log-group:/claude-code/regressed*\"\njustification = \"Retention set by the log pipeline next sprint (TICKET-42)\"\nowner = \"platform@example.com\"\nexpires = 2999-01-01\n",
    );
    let waived = account.scan_json(
        &[EAST],
        &[
            "--baseline",
            &baseline,
            "--waivers",
            &waivers.display().to_string(),
        ],
    );
    assert_eq!(waived.code, 0, "{}", waived.describe());
    assert_eq!(waived.report()["summary"]["waived"], 1);
}

#[tokio::test]
async fn evidence_bundle_of_a_scan_verifies_and_names_a_tampered_file() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let bundle = account.path("evidence");
    let bundle_arg = bundle.display().to_string();
    let run = account.scan_json(&[EAST], &["--evidence", &bundle_arg]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.stderr.contains("sha256"), "{}", run.stderr);

    let verified = account.run(&["verify", &bundle_arg]);
    assert_eq!(verified.code, 0, "{}", verified.describe());
    assert!(verified.stdout.contains("INTACT") && verified.stdout.contains("REPRODUCED"));
    // The bundle's report is the scan's report.
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(saved["findings"], run.report()["findings"]);

    let snapshot = bundle.join("snapshot.json");
    let text = std::fs::read_to_string(&snapshot).expect("snapshot.json");
    std::fs::write(
        &snapshot,
        text.replacen("\"is_logging\": true", "\"is_logging\": false", 1),
    )
    .expect("tamper");
    let tampered = account.run(&["verify", &bundle_arg]);
    assert_eq!(tampered.code, 1, "{}", tampered.describe());
    assert!(
        tampered.stdout.contains("snapshot.json: modified"),
        "{}",
        tampered.stdout
    );
}
