//! Live scans for data retention: `no-zdr-assumption` against the account's retention mode,
//! read per region from our Bedrock test server (GetAccountDataRetention, which moto lacks),
//! and the parts of `bedrock-invocation-logging` issue 22 added, against moto's S3 and IAM:
//! the large-data bucket, Object Lock, lifecycle prefixes on the path Bedrock writes, the
//! bucket policy and the CloudWatch delivery role.

mod support;

use serde_json::json;
use support::account::TestAccount;
use support::bedrock_server::{BedrockOp, Fault, FaultKind, ACCOUNT};
use support::scanner::ScanRun;
use support::seed::INVOCATION_LOG_GROUP;

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
const ZDR: &str = "no-zdr-assumption";
const LOGGING: &str = "bedrock-invocation-logging";
const BUCKET: &str = "claude-code-prompts";
const LARGE: &str = "claude-code-large-bodies";

fn scan(account: &TestAccount, profile: &str) -> ScanRun {
    let config = account.write("retention.toml", profile);
    let run = account.run(&[
        "scan",
        "--format",
        "json",
        "--region",
        EAST,
        "--config",
        &config.display().to_string(),
    ]);
    run.assert_read_only();
    run
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

fn retention(zdr: bool, sharing: &str) -> String {
    format!("[data_retention]\nzero_data_retention_required = {zdr}\nprovider_data_sharing = \"{sharing}\"\n")
}

fn set_mode(account: &TestAccount, region: &str, mode: Option<&str>) {
    account
        .bedrock
        .update(|seed| seed.region_mut(region).data_retention = mode.map(str::to_string));
}

/// Each mode in the source region and in a destination of the `us.` profiles, judged end to
/// end. The Bedrock test server answers GetAccountDataRetention per region in its wire format
/// (API reference: `GET /data-retention` → `{"mode", "updatedAt"}`).
#[tokio::test(flavor = "multi_thread")]
async fn each_mode_in_the_source_and_a_destination_region_is_judged() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    // Never set anywhere: `inherit`, which meets the default profile.
    let run = scan(&account, &retention(false, "forbidden"));
    assert_verdict(
        &run,
        ZDR,
        "pass",
        &["us-east-1: inherit", "us-west-2: inherit"],
    );
    let asked: Vec<&str> = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == BedrockOp::GetAccountDataRetention.name())
        .map(|c| c.region.as_str())
        .collect();
    for region in ["us-east-1", "us-east-2", "us-west-2"] {
        assert_eq!(
            asked.iter().filter(|r| **r == region).count(),
            1,
            "GetAccountDataRetention in {region} once: {asked:?}"
        );
    }

    for (region, other) in [(EAST, WEST), (WEST, EAST)] {
        set_mode(&account, other, Some("none"));
        set_mode(&account, "us-east-2", Some("none"));
        for mode in [
            "none",
            "default",
            "inherit",
            "aws_review",
            "provider_data_share",
        ] {
            set_mode(&account, region, Some(mode));
            for (zdr, sharing) in [
                (true, "forbidden"),
                (false, "forbidden"),
                (false, "allowed"),
            ] {
                let run = scan(&account, &retention(zdr, sharing));
                let fails = (zdr && mode != "none")
                    || (sharing == "forbidden" && mode == "provider_data_share");
                let statuses = run.statuses_of(ZDR);
                assert_eq!(
                    statuses,
                    vec![if fails { "fail" } else { "pass" }],
                    "{mode} in {region}, zdr {zdr}, sharing {sharing}\n{}",
                    run.describe()
                );
                if fails {
                    assert_verdict(&run, ZDR, "fail", &[&format!("mode of {region}")]);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_denied_or_throttled_mode_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    set_mode(&account, WEST, Some("keep_everything"));
    assert_verdict(
        &scan(&account, &retention(false, "allowed")),
        ZDR,
        "error",
        &["\"keep_everything\"", "does not know"],
    );
    set_mode(&account, WEST, None);
    for (kind, code) in [
        (FaultKind::AccessDenied, "AccessDeniedException"),
        (FaultKind::Throttle, "ThrottlingException"),
    ] {
        account.bedrock.update(|seed| {
            seed.faults = vec![Fault {
                operation: BedrockOp::GetAccountDataRetention,
                kind,
                region: Some(WEST.to_string()),
            }]
        });
        assert_verdict(
            &scan(&account, &retention(false, "forbidden")),
            ZDR,
            "error",
            &[
                "bedrock:GetAccountDataRetention failed with",
                code,
                "us-west-2",
            ],
        );
    }
}

fn logging_profile(max: u32) -> String {
    format!("[data_retention]\ninvocation_logging = \"required\"\ninvocation_log_min_retention_days = 90\ninvocation_log_max_retention_days = {max}\n")
}

/// Points us-east-1's logging at the ready log group, with `s3Config` on BUCKET and, when
/// given, `largeDataDeliveryS3Config` on `large`, both under the key prefix `claude`.
fn log_to_buckets(account: &TestAccount, large: Option<&str>) {
    account.bedrock.update(|seed| {
        let region = seed.region_mut(EAST);
        *region = std::mem::take(region).with_invocation_logging(INVOCATION_LOG_GROUP);
        if let Some(config) = region.logging.as_mut() {
            config["s3Config"] = json!({"bucketName": BUCKET, "keyPrefix": "claude"});
            if let Some(large) = large {
                config["cloudWatchConfig"]["largeDataDeliveryS3Config"] =
                    json!({"bucketName": large, "keyPrefix": "claude"});
            }
        }
    });
}

/// A bucket that passes every check: encrypted with the ready key, public access blocked,
/// expiring after 365 days, with the user guide's policy for Bedrock.
async fn kept_bucket(account: &TestAccount, key_arn: Option<&str>, name: &str) {
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(name, key_arn, 365)
        .await
        .unwrap_or_else(|e| panic!("seeding bucket {name}: {e}"));
    seeder
        .bedrock_bucket_policy(name, "claude", ACCOUNT)
        .await
        .unwrap_or_else(|e| panic!("bucket policy of {name}: {e}"));
}

/// Points the CloudWatch destination at role `name` (the ready account's role is
/// `support::seed::LOGGING_ROLE`, trusting bedrock.amazonaws.com).
fn deliver_with(account: &TestAccount, name: &str) {
    account.bedrock.update(|seed| {
        if let Some(config) = seed.region_mut(EAST).logging.as_mut() {
            config["cloudWatchConfig"]["roleArn"] =
                json!(format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
        }
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complete_logging_setup_passes_and_each_new_gap_fails() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let key = ready[0].key.arn.clone();
    kept_bucket(&account, Some(&key), BUCKET).await;
    log_to_buckets(&account, None);
    let run = scan(&account, &logging_profile(400));
    assert_verdict(&run, LOGGING, "pass", &["S3 bucket claude-code-prompts"]);
    let operations = run.moto_operations();
    for wanted in [
        "s3:GetObjectLockConfiguration",
        "s3:GetBucketPolicy",
        "iam:GetRole",
    ] {
        assert!(
            operations.iter().any(|o| o == wanted),
            "{wanted} not called: {operations:?}"
        );
    }

    // The large-data bucket, unencrypted, is judged like the S3 destination.
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(LARGE, None, 365)
        .await
        .unwrap_or_else(|e| panic!("seeding {LARGE}: {e}"));
    seeder
        .bedrock_bucket_policy(LARGE, "claude", ACCOUNT)
        .await
        .unwrap_or_else(|e| panic!("policy of {LARGE}: {e}"));
    log_to_buckets(&account, Some(LARGE));
    assert_verdict(
        &scan(&account, &logging_profile(400)),
        LOGGING,
        "fail",
        &["large-data S3 bucket claude-code-large-bodies has no default SSE-KMS encryption"],
    );
    log_to_buckets(&account, None);

    // A lifecycle rule on the folder Bedrock writes covers every log object; a narrower
    // one-day rule beside it deletes prompts sooner than the 90-day minimum.
    let bedrock_folder = format!("claude/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/");
    seeder
        .bucket_lifecycle(BUCKET, &[("bedrock-folder", &bedrock_folder, 365)])
        .await
        .unwrap_or_else(|e| panic!("lifecycle: {e}"));
    assert_verdict(&scan(&account, &logging_profile(400)), LOGGING, "pass", &[]);
    let one_region = format!("{bedrock_folder}us-east-1/");
    seeder
        .bucket_lifecycle(
            BUCKET,
            &[
                ("bedrock-folder", &bedrock_folder, 365),
                ("one-day", &one_region, 1),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("lifecycle: {e}"));
    assert_verdict(
        &scan(&account, &logging_profile(400)),
        LOGGING,
        "fail",
        &[
            "lifecycle rule \"one-day\"",
            "after 1 days, less than the required 90",
        ],
    );
    seeder
        .bucket_expiry(BUCKET, 365, None)
        .await
        .unwrap_or_else(|e| panic!("lifecycle: {e}"));

    // An Object Lock default retention of ten years, beyond the 400-day maximum.
    seeder
        .bucket_expiry(BUCKET, 365, Some(30))
        .await
        .unwrap_or_else(|e| panic!("lifecycle: {e}"));
    seeder
        .bucket_object_lock(BUCKET, "COMPLIANCE", 3650)
        .await
        .unwrap_or_else(|e| panic!("object lock: {e}"));
    assert_verdict(
        &scan(&account, &logging_profile(400)),
        LOGGING,
        "fail",
        &["keeps prompts 3650 days under its Object Lock default retention (COMPLIANCE)"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_destination_bedrock_cannot_write_to_fails() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(BUCKET, Some(&ready[0].key.arn), 365)
        .await
        .unwrap_or_else(|e| panic!("seeding the bucket: {e}"));
    log_to_buckets(&account, None);
    // No bucket policy, and a delivery role that does not exist.
    deliver_with(&account, "Missing");
    let run = scan(&account, &logging_profile(400));
    assert_verdict(
        &run,
        LOGGING,
        "fail",
        &[
            "S3 bucket claude-code-prompts has no bucket policy, so Bedrock (bedrock.amazonaws.com) may not write",
            &format!("delivery role arn:aws:iam::{ACCOUNT}:role/Missing does not exist"),
        ],
    );
    // A policy for another account, and a role trusting another service.
    seeder
        .bedrock_bucket_policy(BUCKET, "claude", "999999999999")
        .await
        .unwrap_or_else(|e| panic!("policy: {e}"));
    seeder
        .logging_role("TrustsLambda", "lambda.amazonaws.com")
        .await
        .unwrap_or_else(|e| panic!("seeding the role: {e}"));
    deliver_with(&account, "TrustsLambda");
    assert_verdict(
        &scan(&account, &logging_profile(400)),
        LOGGING,
        "fail",
        &[
            "has no statement allowing Bedrock (bedrock.amazonaws.com) s3:PutObject",
            "does not trust bedrock.amazonaws.com",
        ],
    );
}

/// Issue 22: "Where the organisation's SCPs pin the mode (condition key
/// `bedrock:DataRetentionMode`), say so in the evidence when they can be read." The scan
/// follows the account up to the root (organizations:ListParents), lists the SCPs attached at
/// each level (ListPoliciesForTarget, SCPs inherit down the tree: AWS Organizations user guide,
/// *SCP evaluation*) and reads each (DescribePolicy), all against moto's Organizations. An
/// account in no organisation records an empty list; the verdict does not change (an SCP keeps
/// the mode from changing, it does not set it).
#[tokio::test]
async fn an_scp_pinning_the_mode_is_named_in_the_evidence() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    set_mode(&account, EAST, Some("none"));
    for region in ["us-east-2", WEST] {
        set_mode(&account, region, Some("none"));
    }
    let profile = retention(true, "forbidden");
    let outside = scan(&account, &profile);
    let finding = outside.findings_of(ZDR)[0].clone();
    assert_eq!(finding.status, "pass", "{}", outside.describe());
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e["values"]["scps_using_the_key"] == json!([])),
        "{:?}",
        finding.evidence
    );

    let config = support::seed::sdk_config(&account.moto.url(), EAST).await;
    let organizations = aws_sdk_organizations::Client::new(&config);
    organizations
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create organization");
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "KeepZeroRetention",
            "Effect": "Deny",
            "Action": "bedrock:PutAccountDataRetention",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"bedrock:DataRetentionMode": "none"}}
        }, {
            "Sid": "Unrelated",
            "Effect": "Deny",
            "Action": "s3:DeleteBucket",
            "Resource": "*"
        }]
    });
    let policy = organizations
        .create_policy()
        .name("pin-zero-retention")
        .description("keeps Bedrock at zero data retention")
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .content(document.to_string())
        .send()
        .await
        .expect("create policy");
    let policy_id = policy
        .policy()
        .and_then(|p| p.policy_summary())
        .and_then(|s| s.id())
        .expect("policy id")
        .to_string();
    organizations
        .attach_policy()
        .policy_id(&policy_id)
        .target_id(ACCOUNT)
        .send()
        .await
        .expect("attach policy");

    let inside = scan(&account, &profile);
    let finding = inside.findings_of(ZDR)[0].clone();
    assert_eq!(finding.status, "pass", "{}", inside.describe());
    assert!(
        finding
            .message
            .contains(&format!("SCP {policy_id} (pin-zero-retention)")),
        "{}",
        finding.message
    );
    let pinned = finding
        .evidence
        .iter()
        .find(|e| e["values"]["PolicyId"] == json!(policy_id))
        .map(|e| &e["values"])
        .unwrap_or_else(|| panic!("{:?}", finding.evidence));
    let statements = pinned["statements"].as_array().expect("statements");
    assert_eq!(
        statements.len(),
        1,
        "only the statement using the key: {pinned}"
    );
    assert!(statements[0]
        .as_str()
        .is_some_and(|s| s.contains("KeepZeroRetention")));
    assert_eq!(pinned["attached_to"], json!([ACCOUNT]));
    let operations = inside.moto_operations();
    for op in ["ListParents", "ListPoliciesForTarget", "DescribePolicy"] {
        assert!(
            operations.iter().any(|o| o.ends_with(op)),
            "{op} not called: {operations:?}"
        );
    }
}
