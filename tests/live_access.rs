//! Live scans for the access and capacity rules: the real binary and SDK against one endpoint
//! (our test server answering IAM simulation, API keys and Bedrock's Service Quotas, and
//! forwarding everything else to moto). Each scenario asserts the verdict and the message,
//! and every run asserts that only reads were made (both servers' logs).

mod support;

use support::account::TestAccount;
use support::account_server::{SeedApiKey, SeedQuota};
use support::bedrock_server::FaultKind;
use support::scanner::{FindingView, ScanRun};

const EAST: &str = "us-east-1";
const DEVELOPER: &str = "arn:aws:iam::123456789012:role/ClaudeCodeDevelopers";
const INVOKE: &str = "developer-invoke-permissions";
const QUOTAS: &str = "bedrock-quotas";
const KEYS: &str = "bedrock-api-keys";
const SONNET_TPM: &str =
    "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1";

fn scan(account: &TestAccount, profile_extra: &str) -> ScanRun {
    scan_with(account, profile_extra, &[])
}

fn scan_with(account: &TestAccount, profile_extra: &str, extra_args: &[&str]) -> ScanRun {
    let config = account.write(
        "access.toml",
        &format!("[access]\ndeveloper_principals = [\"{DEVELOPER}\"]\n{profile_extra}"),
    );
    let mut env = account.env();
    // Keep the retries (throttling is under test) but not their production back-off.
    env.set("BEDROCK_AUDIT_INITIAL_BACKOFF_MS", "10");
    account.run_with_env(
        &env,
        &[
            "scan",
            "--format",
            "json",
            "--region",
            EAST,
            "--config",
            &config.display().to_string(),
        ]
        .into_iter()
        .chain(extra_args.iter().copied())
        .collect::<Vec<_>>(),
    )
}

fn one(run: &ScanRun, rule: &str) -> FindingView {
    let findings = run.findings_of(rule);
    assert!(
        !findings.is_empty(),
        "{rule} reported nothing\n{}",
        run.describe()
    );
    findings[0].clone()
}

fn assert_verdict(run: &ScanRun, rule: &str, status: &str, fragments: &[&str]) {
    let findings = run.findings_of(rule);
    let found = findings
        .iter()
        .any(|f| f.status == status && fragments.iter().all(|t| f.message.contains(t)));
    assert!(
        found,
        "{rule} should be {status} with {fragments:?}\n{}",
        run.describe()
    );
}

async fn create_users(account: &TestAccount, names: &[String]) {
    use futures::StreamExt;
    let config = support::seed::sdk_config(&account.moto.url(), EAST).await;
    let iam = aws_sdk_iam::Client::new(&config);
    let failed = futures::stream::iter(names)
        .map(|name| {
            let iam = iam.clone();
            async move { iam.create_user().user_name(name).send().await.is_err() }
        })
        .buffer_unordered(16)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    assert_eq!(failed, 0, "could not create {failed} users");
}

#[tokio::test]
async fn allowed_everywhere_passes_with_every_destination_simulated() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER, "from us-east-1"]);
    // One call per requested region (us-east-1, us-east-2, us-west-2), each followed past
    // its first page, with aws:RequestedRegion set per call.
    let simulations: Vec<_> = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "SimulatePrincipalPolicy")
        .collect();
    assert!(
        simulations.len() > 3,
        "pages were not followed: {simulations:?}"
    );
    assert_verdict(&run, QUOTAS, "pass", &["L-59759B4A"]);
    assert_verdict(&run, KEYS, "pass", &["0 users checked"]);
    assert_eq!(run.code, 0, "{}", run.describe());
}

#[tokio::test]
async fn an_scp_denying_one_destination_fails_naming_the_region_and_the_scp() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account
        .bedrock
        .update(|seed| seed.account.scp_denied_regions = vec!["us-east-2".into()]);
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &[
            "in us-east-2",
            "bedrock:InvokeModel",
            "service control policy",
        ],
    );
    let finding = one(&run, INVOKE);
    assert!(
        !finding.message.contains("in us-west-2,"),
        "{}",
        finding.message
    );
    assert_eq!(run.code, 1);
}

#[tokio::test]
async fn a_permissions_boundary_leaving_an_implicit_deny_fails() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account
        .bedrock
        .update(|seed| seed.account.boundary_denied_regions = vec!["us-west-2".into()]);
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &["in us-west-2", "implicitDeny", "permissions boundary"],
    );
}

#[tokio::test]
async fn simulate_access_denied_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account
        .bedrock
        .update(|seed| seed.account.simulate_fault = Some(FaultKind::AccessDenied));
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "error",
        &["iam:SimulatePrincipalPolicy failed with AccessDenied"],
    );
    assert!(run.findings_of(INVOKE).iter().all(|f| f.status != "pass"));
}

#[tokio::test]
async fn a_quota_of_zero_fails_with_the_increase_command() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        let quota = seed
            .region_mut(EAST)
            .quotas
            .iter_mut()
            .find(|q| q.name == SONNET_TPM)
            .expect("seeded");
        quota.value = 0.0;
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &[
            "is 0",
            "request-service-quota-increase --service-code bedrock --quota-code L-59759B4A",
        ],
    );
}

#[tokio::test]
async fn a_quota_below_the_teams_need_fails_naming_both_numbers() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let run = scan(&account, "[capacity]\ndevelopers = 50\n");
    // 2,000 requests per minute seeded; 50 × 7 = 350 needed: RPM passes. 4,000,000 tokens
    // seeded; 50 × (200,000 + 5 × 4,000) = 11,000,000 needed: TPM fails.
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &[
            "is 4000000 but 50 developers × (200000 input + 5 × 4000 output) tokens per minute need 11000000",
            "--desired-value 11000000 --region us-east-1",
        ],
    );
}

/// Seeds the quota names the Bedrock user guide documents today, without RPM rows, with the
/// Sonnet 4.5 per-day quota at `daily` (see `SeedQuota::current_names`).
fn current_names(account: &TestAccount, daily: f64) {
    account
        .bedrock
        .update(|seed| seed.region_mut(EAST).quotas = SeedQuota::current_names(daily));
}

/// Row 1 of issue 23: a new account's reduced daily quota (100,000) with ten developers. The
/// old check passed it; Bedrock throttles every request once the day's tokens are used.
#[tokio::test]
async fn a_reduced_daily_quota_fails_with_the_current_quota_names() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 100_000.0);
    let run = scan(&account, "[capacity]\ndevelopers = 10\n");
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &[
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 (L-A1000006) is 100000 but 10 developers × 5000000 tokens a day need 50000000",
            "--quota-code L-A1000006 --desired-value 50000000 --region us-east-1",
        ],
    );
    // The decoys seeded at 0 (1M context, V2, batch, the 1M-context daily) are not taken.
    let primary = one(&run, QUOTAS);
    assert!(
        !primary.message.contains("L-A1000009"),
        "{}",
        primary.message
    );
    assert!(
        !primary.message.contains("L-A100000A"),
        "{}",
        primary.message
    );
    assert!(
        !primary.message.contains("L-A100000B"),
        "{}",
        primary.message
    );
    assert!(
        !primary.message.contains("L-A100000C"),
        "{}",
        primary.message
    );
}

/// Row 2: an account that lists no requests-per-minute quota for the model ("RPM applies to
/// some models on the bedrock-runtime endpoint but not others") passes on its token quotas.
#[tokio::test]
async fn an_account_without_rpm_rows_passes_on_its_token_quotas() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 5_760_000_000.0);
    let run = scan(&account, "[capacity]\ndevelopers = 10\n");
    let findings = run.findings_of(QUOTAS);
    assert_eq!(findings.len(), 2, "{}", run.describe());
    for f in &findings {
        assert_eq!(f.status, "pass", "{}", f.message);
        assert!(
            f.message
                .contains("Cross-Model Max Tokens Per Day (L-A1000008)"),
            "{}",
            f.message
        );
    }
    assert!(findings[0].message.contains("Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1 (L-A1000001)"));
}

/// Row 3: 40 developers × 100,000 tokens fit a 4,000,000 quota as a raw count; Bedrock counts
/// Sonnet 4.5's output 5×, so 40 × (100,000 + 5 × 4,000) = 4,800,000 do not.
#[tokio::test]
async fn output_burndown_fails_a_team_that_fits_a_raw_count() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 5_760_000_000.0);
    let run = scan(
        &account,
        "[capacity]\ndevelopers = 40\ninput_tokens_per_minute_per_developer = 100000\n",
    );
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &[
            "(L-A1000001) is 4000000 but 40 developers × (100000 input + 5 × 4000 output) tokens per minute need 4800000",
            "--quota-code L-A1000001 --desired-value 4800000 --region us-east-1",
        ],
    );
}

/// The account-wide daily cap is read (its name mentions no model) and judged.
#[tokio::test]
async fn the_cross_model_daily_quota_is_collected_and_judged() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 5_760_000_000.0);
    account.bedrock.update(|seed| {
        let quota = seed
            .region_mut(EAST)
            .quotas
            .iter_mut()
            .find(|q| q.name == "Cross-Model Max Tokens Per Day")
            .expect("seeded");
        quota.value = 30_000_000.0;
    });
    let run = scan(&account, "[capacity]\ndevelopers = 10\n");
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &["Cross-Model Max Tokens Per Day (L-A1000008) is 30000000 but 10 developers × 5000000 tokens a day (all models together) need 50000000"],
    );
}

/// CLAUDE_CODE_MAX_OUTPUT_TOKENS from the managed settings sets the reservation: 40,000
/// context + 64,000 = 104,000 a request, so 38 of 40 developers fit a 4,000,000 quota.
#[tokio::test]
async fn the_settings_max_output_tokens_limits_developers_in_flight() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 5_760_000_000.0);
    let settings = account.write(
        "managed-settings.json",
        r#"{"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "CLAUDE_CODE_MAX_OUTPUT_TOKENS": "64000"}}"#,
    );
    let argument = format!("managed={}", settings.display());
    let run = scan_with(
        &account,
        "[capacity]\ndevelopers = 40\ninput_tokens_per_minute_per_developer = 50000\noutput_tokens_per_minute_per_developer = 1000\n",
        &["--claude-settings", &argument],
    );
    assert_verdict(
        &run,
        QUOTAS,
        "fail",
        &[
            "40000 context + 64000 max_tokens",
            "managed-settings.json#env.CLAUDE_CODE_MAX_OUTPUT_TOKENS",
            "only 38 of the 40 developers can have a request in flight at once",
            "--quota-code L-A1000001 --desired-value 4160000 --region us-east-1",
            "or set CLAUDE_CODE_MAX_OUTPUT_TOKENS=60000",
        ],
    );
}

/// A `global.` profile takes the "Global cross-Region" quota, never the cross-Region one.
#[tokio::test]
async fn a_global_profile_takes_the_global_quota_by_its_current_name() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    current_names(&account, 5_760_000_000.0);
    let run = scan(
        &account,
        "[rollout]\nprimary_model = \"global.anthropic.claude-sonnet-4-5-20250929-v1:0\"\n[capacity]\ndevelopers = 10\n",
    );
    let primary = one(&run, QUOTAS);
    assert_eq!(primary.status, "pass", "{}", primary.message);
    assert!(
        primary.message.contains("(L-A1000002)"),
        "{}",
        primary.message
    );
    assert!(
        !primary.message.contains("(L-A1000001)"),
        "{}",
        primary.message
    );
}

#[tokio::test]
async fn a_quota_absent_from_the_list_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .quotas
            .retain(|q| q.name != SONNET_TPM)
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        QUOTAS,
        "error",
        &["lists no cross-Region tokens per minute quota for Claude Sonnet 4.5"],
    );
}

#[tokio::test]
async fn throttled_list_service_quotas_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account
        .bedrock
        .update(|seed| seed.account.quotas_fault = Some(FaultKind::Throttle));
    let run = scan(&account, "");
    assert_verdict(
        &run,
        QUOTAS,
        "error",
        &["servicequotas:ListServiceQuotas failed with TooManyRequestsException"],
    );
    assert!(run.findings_of(QUOTAS).iter().all(|f| f.status == "error"));
}

#[tokio::test]
async fn an_active_long_term_key_fails_and_an_inactive_one_passes() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    create_users(&account, &["alice".to_string(), "bob".to_string()]).await;
    account.bedrock.update(|seed| {
        seed.account.api_keys = vec![SeedApiKey::new("alice", "ACCAALICEKEY00000001", "Active")];
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        KEYS,
        "fail",
        &[
            "IAM user alice",
            "ACCAALICEKEY00000001",
            "created 2025-10-02T09:14:00Z",
            "expires never",
        ],
    );
    assert!(
        !run.stdout.contains("testing"),
        "a credential leaked into the report"
    );

    account
        .bedrock
        .update(|seed| seed.account.api_keys[0].status = "Inactive".into());
    let run = scan(&account, "");
    assert_verdict(&run, KEYS, "pass", &["2 users checked", "1 inactive"]);
}

#[tokio::test]
async fn two_thousand_users_across_pages_are_all_checked() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let names: Vec<String> = (0..2000).map(|i| format!("dev-{i:04}")).collect();
    create_users(&account, &names).await;
    account.bedrock.update(|seed| {
        seed.account.api_keys = vec![SeedApiKey::new(
            "dev-1999",
            "ACCALASTUSERKEY00001",
            "Active",
        )];
        // moto answers every user at once; real IAM pages (at most 1,000 a page).
        seed.account.list_users_page_size = Some(700);
    });
    let run = scan(&account, "");
    // The last user is on the last page of ListUsers: found only if every page was read.
    assert_verdict(&run, KEYS, "fail", &["IAM user dev-1999"]);
    let list_users = run
        .moto_calls
        .iter()
        .filter(|c| c.operation == "ListUsers")
        .count();
    assert_eq!(
        list_users, 3,
        "ListUsers was not followed through its 3 pages"
    );
    let per_user = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "ListServiceSpecificCredentials")
        .count();
    assert_eq!(per_user, 2000);
    eprintln!("2,000 users scanned in {:?}", run.elapsed);
}

// ---- The request context of a real request (issue 20) ----
//
// Each scenario seeds the test server with an AWS-documented policy; its
// SimulatePrincipalPolicy evaluates identity policies and SCPs with the context entries the
// scanner sends (see tests/support/iam_eval.rs for the documented rules it imitates).

const DISCOVERY: &str = "developer-model-discovery";
const GLOBAL_PRIMARY: &str =
    "[rollout]\nprimary_model = \"global.anthropic.claude-sonnet-4-5-20250929-v1:0\"\n";

/// Bedrock user guide, *Prerequisites for inference profiles*: to let a role invoke models only
/// through an inference profile, allow `foundation-model/*` with a condition on
/// `bedrock:InferenceProfileArn`.
fn models_only_through_profiles() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeAndDiscoverProfiles",
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel*", "bedrock:GetInferenceProfile", "bedrock:ListInferenceProfiles"],
                "Resource": ["arn:aws:bedrock:*:*:inference-profile/*", "arn:aws:bedrock:*:*:application-inference-profile/*"]
            },
            {
                "Sid": "ModelsOnlyThroughProfiles",
                "Effect": "Allow",
                "Action": "bedrock:InvokeModel*",
                "Resource": "arn:aws:bedrock:*::foundation-model/*",
                "Condition": {"StringLike": {"bedrock:InferenceProfileArn": "arn:aws:bedrock:*:*:inference-profile/*"}}
            }
        ]
    })
}

/// The region-deny SCP of AWS's knowledge center (*bedrock-access-denied-exception*, "Deny
/// actions to invoke a foundation model except through the inference profile in the specified
/// Regions"), with us-east-1 approved: its exception is keyed on `bedrock:InferenceProfileArn`.
fn region_deny_scp_exempting_profiles() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyModelsOutsideApprovedRegionsExceptThroughProfiles",
            "Effect": "Deny",
            "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            "Resource": "arn:aws:bedrock:*::foundation-model/*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]},
                "ArnNotLike": {"bedrock:InferenceProfileArn": [
                    "arn:aws:bedrock:*:*:application-inference-profile/*",
                    "arn:aws:bedrock:*:*:inference-profile/*"
                ]}
            }
        }]
    })
}

fn calls_named(run: &ScanRun, operation: &str) -> usize {
    run.bedrock_calls
        .iter()
        .filter(|c| c.operation == operation)
        .count()
}

#[tokio::test]
async fn models_allowed_only_through_a_profile_pass_because_requests_carry_the_profile_arn() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.account.identity_policies =
            vec![("ClaudeCodeBedrock".into(), models_only_through_profiles())];
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER, "from us-east-1"]);
    assert_verdict(&run, DISCOVERY, "pass", &[DEVELOPER]);
    run.assert_read_only();
}

#[tokio::test]
async fn the_sample_region_deny_scp_exempting_profiles_passes_and_without_the_exemption_fails() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.account.scps = vec![("RegionGuard".into(), region_deny_scp_exempting_profiles())];
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);

    // The same SCP without its exception denies the us. profile's other destinations.
    account.bedrock.update(|seed| {
        let mut scp = region_deny_scp_exempting_profiles();
        if let Some(condition) = scp["Statement"][0]["Condition"].as_object_mut() {
            condition.remove("ArnNotLike");
        }
        seed.account.scps = vec![("RegionGuard".into(), scp)];
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &["in us-east-2", "explicitDeny", "service control policy"],
    );
}

#[tokio::test]
async fn a_global_primary_is_judged_in_unspecified_and_an_scp_denying_unspecified_fails_it() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let run = scan(&account, GLOBAL_PRIMARY);
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);
    // The region-less model ARN is a destination of its own, not an error.
    assert!(
        run.findings_of("bedrock-model-access")
            .iter()
            .all(|f| f.status != "error"),
        "{}",
        run.describe()
    );

    account.bedrock.update(|seed| {
        seed.account.scps = vec![(
            "NoGlobalInference".into(),
            serde_json::json!({"Statement": [{
                "Effect": "Deny",
                "Action": "bedrock:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "unspecified"}}
            }]}),
        )];
    });
    let run = scan(&account, GLOBAL_PRIMARY);
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &[
            "in unspecified",
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "service control policy",
        ],
    );
}

/// The data-perimeter guard (IAM user guide, *aws:SourceVpce*): deny unless the request comes
/// through the named VPC endpoint.
fn deny_outside_endpoint(endpoint_id: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowBedrock", "Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
            {"Sid": "OnlyThroughTheEndpoint", "Effect": "Deny", "Action": "bedrock:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint_id}}}
        ]
    })
}

#[tokio::test]
async fn a_deny_on_the_requests_origin_is_an_error_naming_the_key_until_private_only_supplies_it() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let endpoint = ready[0].network.endpoint_id.clone();
    account.bedrock.update(|seed| {
        seed.account.identity_policies =
            vec![("DataPerimeter".into(), deny_outside_endpoint(&endpoint))];
    });
    let run = scan(&account, "");
    // The simulator reports aws:SourceVpce missing inside ResourceSpecificResults: undecidable.
    assert_verdict(
        &run,
        INVOKE,
        "error",
        &[
            "aws:SourceVpce",
            "DataPerimeter/OnlyThroughTheEndpoint",
            "private_only = true",
        ],
    );
    assert!(run.findings_of(INVOKE).iter().all(|f| f.status != "fail"));

    // With the profile saying requests come through the endpoint, the scan supplies it.
    let run = scan(&account, "[network]\nprivate_only = true\n");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);
}

#[tokio::test]
async fn a_deny_on_the_source_ip_is_an_error_not_a_fail() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.account.identity_policies = vec![(
            "CorporateNetwork".into(),
            serde_json::json!({"Statement": [
                {"Sid": "AllowBedrock", "Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
                {"Sid": "OnlyFromTheOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
            ]}),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "error", &["aws:SourceIp", "egress"]);
    assert!(run.findings_of(INVOKE).iter().all(|f| f.status != "fail"));
}

#[tokio::test]
async fn denied_discovery_is_a_low_severity_finding_and_invocation_still_passes() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.account.identity_policies = vec![(
            "InvokeOnly".into(),
            serde_json::json!({"Statement": [{
                "Sid": "Invoke", "Effect": "Allow", "Action": "bedrock:InvokeModel*", "Resource": "*"
            }]}),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);
    assert_verdict(
        &run,
        DISCOVERY,
        "fail",
        &[
            "bedrock:ListInferenceProfiles",
            "implicitDeny",
            "model picker",
        ],
    );
    let discovery = one(&run, DISCOVERY);
    assert_eq!(discovery.severity, "low");
    // Calls: per principal and target region, one discovery call, then one per (region,
    // profile) for each configured profile: us-east-1, us-east-2 and us-west-2 for both.
    assert_eq!(
        calls_named(&run, "SimulatePrincipalPolicy"),
        // 1 discovery call + 2 profiles × 3 regions, each of two actions answered one per page.
        (1 + 2 * 3) * 2
    );
}

#[tokio::test]
async fn an_enforced_guardrail_the_developers_may_not_apply_fails_naming_it() {
    use support::bedrock_server::SeedGuardrail;
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let guardrail = "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr0enforced";
    account.bedrock.update(|seed| {
        let region = seed.region_mut(EAST);
        region.guardrails = vec![SeedGuardrail::ready("gr0enforced", "2")];
        // Two configurations, so the listing is followed past its first page; the second
        // covers another provider's model only.
        region.enforced_guardrails = vec![
            serde_json::json!({
                "configId": "cfg1", "guardrailArn": guardrail, "guardrailId": "gr0enforced",
                "guardrailVersion": "2", "owner": "ACCOUNT", "inputTags": "IGNORE",
                "createdAt": "2026-11-01T10:00:00Z", "updatedAt": "2026-11-01T10:00:00Z"
            }),
            serde_json::json!({
                "configId": "cfg2", "guardrailArn": guardrail, "guardrailId": "gr0enforced",
                "guardrailVersion": "2", "owner": "ACCOUNT",
                "modelEnforcement": {"includedModels": ["amazon.nova-pro-v1:0"], "excludedModels": []}
            }),
        ];
        // Claude Code's documented policy, without bedrock:ApplyGuardrail.
        seed.account.identity_policies = vec![(
            "ClaudeCodeBedrock".into(),
            serde_json::json!({"Statement": [{
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel*", "bedrock:ListInferenceProfiles", "bedrock:GetInferenceProfile"],
                "Resource": "*"
            }]}),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &[guardrail, "bedrock:ApplyGuardrail", "implicitDeny"],
    );
    assert_eq!(calls_named(&run, "ListEnforcedGuardrailsConfiguration"), 2);
    run.assert_read_only();

    // Allowed to apply it: the invocation verdict passes again.
    account.bedrock.update(|seed| {
        seed.account.identity_policies[0].1["Statement"][0]["Action"]
            .as_array_mut()
            .expect("a list")
            .push(serde_json::json!("bedrock:ApplyGuardrail"));
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);
}

/// Claude Code's Bedrock page and the Bedrock user guide (*Request access to models*): the first
/// invocation of a model subscribes to it through AWS Marketplace, called via Bedrock.
fn invoke_policy_with_marketplace(marketplace: bool) -> serde_json::Value {
    let mut statements = vec![serde_json::json!({
        "Sid": "Invoke", "Effect": "Allow",
        "Action": ["bedrock:InvokeModel*", "bedrock:ListInferenceProfiles", "bedrock:GetInferenceProfile"],
        "Resource": "*"
    })];
    if marketplace {
        statements.push(serde_json::json!({
            "Sid": "FirstUseThroughBedrock", "Effect": "Allow",
            "Action": ["aws-marketplace:Subscribe", "aws-marketplace:Unsubscribe", "aws-marketplace:ViewSubscriptions"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}
        }));
    }
    serde_json::json!({ "Statement": statements })
}

#[tokio::test]
async fn a_model_not_yet_subscribed_needs_a_developer_who_can_complete_the_first_use() {
    const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        let availability = seed
            .region_mut(EAST)
            .availability
            .get_mut(SONNET)
            .expect("seeded");
        availability.agreement = "NOT_AVAILABLE".into();
        seed.account.identity_policies = vec![(
            "ClaudeCodeBedrock".into(),
            invoke_policy_with_marketplace(false),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &[
            "agreement for anthropic.claude-sonnet-4-5-20250929-v1:0 is NOT_AVAILABLE",
            "no developer principal may complete its first use",
            "aws-marketplace:Subscribe",
        ],
    );

    account.bedrock.update(|seed| {
        seed.account.identity_policies = vec![(
            "ClaudeCodeBedrock".into(),
            invoke_policy_with_marketplace(true),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);
    let finding = one(&run, INVOKE);
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.to_string().contains("first_use_possible_by")
                && e.to_string().contains(DEVELOPER)),
        "{}",
        run.describe()
    );
}

/// Issue 20, item 5, against the test server's GetUseCaseForModelAccess (wire format in its
/// comment) and moto's Organizations: an agreement NOT_AVAILABLE is made by the first
/// invocation once Anthropic's use-case form is on file (Bedrock user guide, model-access.html:
/// "Anthropic requires first-time customers to submit use case details before invoking a model
/// once per account or once at the organization's management account"). Without the form a
/// standalone account fails; a member account, which may inherit its management account's form
/// ("The form submission at the root account will be inherited by other accounts in the same
/// AWS Organization"), cannot be judged from inside and is `error`.
#[tokio::test]
async fn first_use_needs_the_anthropic_use_case_form_here_or_in_the_management_account() {
    const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    const ACCESS: &str = "bedrock-model-access";
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .availability
            .get_mut(SONNET)
            .expect("seeded")
            .agreement = "NOT_AVAILABLE".into();
    });
    let sonnet = |run: &ScanRun| {
        run.findings_of(ACCESS)
            .into_iter()
            .find(|f| f.resource.contains("claude-sonnet"))
            .unwrap_or_else(|| panic!("{}", run.describe()))
    };
    let on_file = scan(&account, "");
    let finding = sonnet(&on_file);
    assert_eq!(finding.status, "pass", "{}", on_file.describe());
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e["source"] == "bedrock:GetUseCaseForModelAccess"),
        "{:?}",
        finding.evidence
    );
    let calls = on_file
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "GetUseCaseForModelAccess")
        .count();
    assert_eq!(calls, 1, "one read per account");

    account
        .bedrock
        .update(|seed| seed.account.use_case_form = None);
    let standalone = scan(&account, "");
    let finding = sonnet(&standalone);
    assert_eq!(finding.status, "fail", "{}", standalone.describe());
    assert!(
        finding
            .message
            .contains("no Anthropic use-case form is on file"),
        "{}",
        finding.message
    );

    let config = support::seed::sdk_config(&account.moto.url(), EAST).await;
    aws_sdk_organizations::Client::new(&config)
        .create_organization()
        .send()
        .await
        .expect("create organization");
    let member = scan(&account, "");
    let finding = sonnet(&member);
    assert_eq!(finding.status, "error", "{}", member.describe());
    assert!(
        finding.message.contains("management account"),
        "{}",
        finding.message
    );
}

/// Issue 20, item 4: "where readable, the organisation's effective BEDROCK_POLICY". The test
/// server answers organizations:DescribeEffectivePolicy (moto 5.2.5 has no such operation)
/// with a policy in the documented syntax (AWS Organizations user guide, Amazon Bedrock policy
/// syntax: `bedrock.guardrail_inference.<region>.<config>.identifier` = the management
/// account's guardrail ARN `:<version>`). Each developer must be allowed bedrock:ApplyGuardrail
/// on that guardrail, simulated like an account-level one; an unpinned identifier fails; a
/// policy that cannot be read is `error`.
#[tokio::test]
async fn a_guardrail_the_organisations_bedrock_policy_enforces_is_judged_like_the_accounts() {
    const ORG_GUARDRAIL: &str = "arn:aws:bedrock:us-east-1:111111111111:guardrail/orgguard01";
    let policy = |identifier: &str| {
        serde_json::json!({"bedrock": {"guardrail_inference": {"us-east-1": {"company": {
            "identifier": {"@@assign": identifier},
            "selective_content_guarding": {"system": {"@@assign": "selective"}, "messages": {"@@assign": "comprehensive"}},
            "model_enforcement": {"included_models": {"@@assign": ["ALL"]}, "excluded_models": {"@@assign": []}}
        }}}}})
    };
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let pinned = policy(&format!("{ORG_GUARDRAIL}:4"));
    account.bedrock.update(move |seed| {
        seed.account.bedrock_policy = Some(pinned);
        // Claude Code's documented policy, without bedrock:ApplyGuardrail.
        seed.account.identity_policies = vec![(
            "ClaudeCodeBedrock".into(),
            invoke_policy_with_marketplace(false),
        )];
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "fail",
        &[
            ORG_GUARDRAIL,
            "the organisation's Bedrock policy makes Bedrock enforce",
            "bedrock:ApplyGuardrail",
            "implicitDeny",
        ],
    );
    assert_eq!(
        calls_named(&run, "DescribeEffectivePolicy"),
        1,
        "one read per account"
    );

    // Allowed to apply the management account's guardrail: the invocation verdict passes.
    account.bedrock.update(|seed| {
        seed.account.identity_policies[0].1["Statement"]
            .as_array_mut()
            .expect("a list")
            .push(serde_json::json!({"Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": ORG_GUARDRAIL}));
    });
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "pass", &[DEVELOPER]);

    // No version pinned: Bedrock rejects every invocation ("that version cannot be DRAFT").
    let unpinned = policy(ORG_GUARDRAIL);
    account
        .bedrock
        .update(move |seed| seed.account.bedrock_policy = Some(unpinned));
    let run = scan(&account, "");
    assert_verdict(&run, INVOKE, "fail", &["pins no numbered version"]);

    // Unreadable: never a pass.
    account.bedrock.update(|seed| {
        seed.account.effective_policy_fault = Some(FaultKind::AccessDenied);
    });
    let run = scan(&account, "");
    assert_verdict(
        &run,
        INVOKE,
        "error",
        &["organizations:DescribeEffectivePolicy failed with AccessDeniedException"],
    );
}
