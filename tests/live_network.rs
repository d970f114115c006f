//! Live scans for `bedrock-private-network` and `bedrock-invocation-logging`: the real binary
//! and SDK against moto (VPC endpoints with policies, subnets in several zones, security
//! groups, S3 bucket encryption, public access block and lifecycle) behind our test server
//! (Bedrock's invocation-logging configuration, and S3 AccessDenied where a scenario needs it).
//!
//! moto's quirks for these resources are listed in `tests/support/seed.rs`.

mod support;

use serde_json::json;
use support::account::TestAccount;
use support::scanner::ScanRun;
use support::seed::{
    EndpointSpec, LogGroupSpec, PrivatePathSpec, ReadyRegion, INVOCATION_LOG_GROUP,
};

const EAST: &str = "us-east-1";
const NETWORK: &str = "bedrock-private-network";
const LOGGING: &str = "bedrock-invocation-logging";
const BUCKET: &str = "claude-code-prompts";

/// A ready account whose us-east-1 network is completed by `spec`.
async fn private_account(spec: PrivatePathSpec) -> (TestAccount, ReadyRegion) {
    let (account, mut ready) = TestAccount::ready_with(&[EAST], EndpointSpec::Missing).await;
    let ready = ready.remove(0);
    let seeder = account.seeder(EAST).await;
    seeder
        .private_path(&ready.network, &spec)
        .await
        .unwrap_or_else(|e| panic!("seeding the private path: {e}"));
    (account, ready)
}

fn scan(account: &TestAccount, profile: &str) -> ScanRun {
    let config = account.write("network.toml", profile);
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

const PRIVATE: &str = "[network]\nprivate_only = true\nallowed_cidrs = [\"10.20.0.0/16\"]\n";

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

#[tokio::test(flavor = "multi_thread")]
async fn a_fully_private_ready_account_passes_and_the_scan_reads_subnets_and_endpoints() {
    let (account, _) = private_account(PrivatePathSpec::complete()).await;
    let run = scan(&account, PRIVATE);
    assert_verdict(
        &run,
        NETWORK,
        "pass",
        &["interface endpoints for bedrock-runtime", "10.20.0.0/16"],
    );
    let operations = run.moto_operations();
    for wanted in ["ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints"] {
        assert!(
            operations.iter().any(|o| o == wanted),
            "{wanted} not called: {operations:?}"
        );
    }
}

/// Issue 20 item 6: developers admitted through a managed prefix list (Amazon VPC User
/// Guide, "Group CIDR blocks using managed prefix lists") are admitted; the scan reads the
/// list's entries with ec2:GetManagedPrefixListEntries, a read-only call.
#[tokio::test(flavor = "multi_thread")]
async fn developers_admitted_through_a_managed_prefix_list_pass() {
    let (account, ready) = private_account(PrivatePathSpec::complete()).await;
    let seeder = account.seeder(EAST).await;
    let list = seeder
        .admit_https_from_prefix_list(
            &ready.network.security_group_id,
            &["172.16.0.0/13", "172.24.0.0/13"],
        )
        .await
        .unwrap_or_else(|e| panic!("seeding the prefix list: {e}"));
    let run = scan(
        &account,
        "[network]\nprivate_only = true\nallowed_cidrs = [\"172.16.0.0/12\"]\n",
    );
    assert_verdict(&run, NETWORK, "pass", &["172.16.0.0/12"]);
    assert!(
        run.moto_operations()
            .iter()
            .any(|o| o == "ec2:GetManagedPrefixListEntries"),
        "{list} not read:\n{}",
        run.describe()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_control_plane_or_sts_endpoint_fails() {
    for (missing, present) in [("bedrock", "sts"), ("sts", "bedrock")] {
        let spec = PrivatePathSpec {
            services: vec![present],
            ..PrivatePathSpec::complete()
        };
        let (account, _) = private_account(spec).await;
        let run = scan(&account, PRIVATE);
        assert_verdict(
            &run,
            NETWORK,
            "fail",
            &[&format!(
                "no interface endpoint for com.amazonaws.{EAST}.{missing},"
            )],
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_availability_zone_fails() {
    let (account, _) = private_account(PrivatePathSpec {
        one_zone: true,
        ..PrivatePathSpec::complete()
    })
    .await;
    assert_verdict(
        &scan(&account, PRIVATE),
        NETWORK,
        "fail",
        &["in 1 Availability Zone(s)"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_security_group_open_to_the_internet_fails() {
    let (account, _) = private_account(PrivatePathSpec {
        open_to_world: true,
        ..PrivatePathSpec::complete()
    })
    .await;
    assert_verdict(
        &scan(&account, PRIVATE),
        NETWORK,
        "fail",
        &["admits HTTPS from 0.0.0.0/0"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_policy_denying_one_model_fails_and_an_unsupported_condition_is_an_error() {
    let deny_haiku = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Sid": "NoHaiku", "Effect": "Deny", "Principal": "*", "Action": "bedrock:InvokeModel*",
         "Resource": "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-*"}
    ]});
    let (account, _) = private_account(PrivatePathSpec {
        runtime_policy: Some(deny_haiku.to_string()),
        ..PrivatePathSpec::complete()
    })
    .await;
    // Through the `us.` profile: whether the endpoint evaluates the model request the profile
    // makes is undocumented, so undetermined (see tests/rules_network.rs).
    assert_verdict(
        &scan(&account, PRIVATE),
        NETWORK,
        "error",
        &[
            "anthropic.claude-haiku-4-5",
            "denied by statement \"NoHaiku\"",
            "no AWS source says",
        ],
    );

    let org_only = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}}]});
    let (account, _) = private_account(PrivatePathSpec {
        runtime_policy: Some(org_only.to_string()),
        ..PrivatePathSpec::complete()
    })
    .await;
    assert_verdict(
        &scan(&account, PRIVATE),
        NETWORK,
        "error",
        &["cannot judge", "StringEquals on aws:PrincipalOrgID"],
    );
}

fn logging(policy: &str, max: Option<u32>) -> String {
    format!(
        "[data_retention]\ninvocation_logging = \"{policy}\"\ninvocation_log_min_retention_days = 90\n{}",
        max.map(|m| format!("invocation_log_max_retention_days = {m}\n"))
            .unwrap_or_default()
    )
}

/// Points us-east-1's invocation logging at `log_group` and, when given, `bucket`.
fn log_to(account: &TestAccount, log_group: &str, bucket: Option<&str>) {
    account.bedrock.update(|seed| {
        let region = seed.region_mut(EAST);
        *region = std::mem::take(region).with_invocation_logging(log_group);
        if let (Some(bucket), Some(config)) = (bucket, region.logging.as_mut()) {
            config["s3Config"] = json!({"bucketName": bucket, "keyPrefix": "claude"});
        }
    });
}

/// What Bedrock needs to write to BUCKET (issue 22): the user guide's bucket policy under the
/// key prefix `claude` (the ready account has the CloudWatch delivery role already).
async fn bedrock_may_deliver(seeder: &support::seed::Seeder) {
    seeder
        .bedrock_bucket_policy(BUCKET, "claude", support::bedrock_server::ACCOUNT)
        .await
        .unwrap_or_else(|e| panic!("bucket policy: {e}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn required_logging_passes_with_a_kept_bucket_and_fails_when_off_or_unbounded() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let ready = &ready[0];
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(BUCKET, Some(&ready.key.arn), 365)
        .await
        .unwrap_or_else(|e| panic!("seeding the bucket: {e}"));
    bedrock_may_deliver(&seeder).await;
    log_to(&account, INVOCATION_LOG_GROUP, Some(BUCKET));
    let run = scan(&account, &logging("required", Some(400)));
    assert_verdict(&run, LOGGING, "pass", &["S3 bucket claude-code-prompts"]);
    let operations = run.moto_operations();
    for wanted in [
        "s3:GetBucketEncryption",
        "s3:GetPublicAccessBlock",
        "s3:GetBucketLifecycleConfiguration",
        "s3:GetBucketVersioning",
        "s3:ListBuckets",
    ] {
        assert!(
            operations.iter().any(|o| o == wanted),
            "{wanted} not called: {operations:?}"
        );
    }

    // A ceiling below the log group's 365 days and the bucket's expiry.
    assert_verdict(
        &scan(&account, &logging("required", Some(300))),
        LOGGING,
        "fail",
        &["keeps prompts 365 days, more than the allowed 300"],
    );

    // Forbidden while on.
    assert_verdict(
        &scan(&account, &logging("forbidden", None)),
        LOGGING,
        "fail",
        &["forbids keeping prompts"],
    );

    // Off: required fails, forbidden passes.
    account
        .bedrock
        .update(|seed| seed.region_mut(EAST).logging = None);
    assert_verdict(
        &scan(&account, &logging("required", None)),
        LOGGING,
        "fail",
        &["it is off in us-east-1"],
    );
    assert_verdict(
        &scan(&account, &logging("forbidden", None)),
        LOGGING,
        "pass",
        &["off in us-east-1"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_versioned_bucket_keeps_expired_prompts_until_its_noncurrent_versions_expire() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(BUCKET, Some(&ready[0].key.arn), 365)
        .await
        .unwrap_or_else(|e| panic!("seeding the bucket: {e}"));
    seeder
        .bucket_versioning(BUCKET, "Enabled")
        .await
        .unwrap_or_else(|e| panic!("versioning the bucket: {e}"));
    bedrock_may_deliver(&seeder).await;
    log_to(&account, INVOCATION_LOG_GROUP, Some(BUCKET));
    let profile = logging("required", Some(400));
    assert_verdict(
        &scan(&account, &profile),
        LOGGING,
        "fail",
        &["S3 bucket claude-code-prompts has versioning Enabled and no enabled lifecycle rule that expires the noncurrent versions"],
    );

    // 365 days current, then 60 noncurrent: 425 days, over the 400 allowed.
    seeder
        .bucket_expiry(BUCKET, 365, Some(60))
        .await
        .unwrap_or_else(|e| panic!("expiring noncurrent versions: {e}"));
    assert_verdict(
        &scan(&account, &profile),
        LOGGING,
        "fail",
        &["keeps prompts 425 days (365 as the current version, then 60 as a noncurrent one: versioning Enabled), more than the allowed 400"],
    );

    // Suspended still holds the versions written while it was on; 365 + 30 is within 400.
    seeder
        .bucket_expiry(BUCKET, 365, Some(30))
        .await
        .unwrap_or_else(|e| panic!("expiring noncurrent versions: {e}"));
    seeder
        .bucket_versioning(BUCKET, "Suspended")
        .await
        .unwrap_or_else(|e| panic!("suspending versioning: {e}"));
    let run = scan(&account, &profile);
    assert_verdict(&run, LOGGING, "pass", &["S3 bucket claude-code-prompts"]);
    let versioning = run
        .findings_of(LOGGING)
        .iter()
        .flat_map(|f| f.evidence.iter())
        .find(|e| e["source"] == "s3:GetBucketVersioning")
        .cloned();
    assert_eq!(
        versioning.map(|e| e["values"]["Status"].clone()),
        Some(serde_json::json!("Suspended")),
        "{}",
        run.describe()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bucket_key_is_described_after_the_bucket_and_judged_like_the_log_groups() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let seeder = account.seeder(EAST).await;
    let bucket_key = seeder
        .kms_key("invocation-log bucket key, not rotating", false)
        .await
        .unwrap_or_else(|e| panic!("seeding the key: {e}"));
    seeder
        .logging_bucket(BUCKET, Some(&bucket_key.arn), 365)
        .await
        .unwrap_or_else(|e| panic!("seeding the bucket: {e}"));
    log_to(&account, INVOCATION_LOG_GROUP, Some(BUCKET));
    let run = scan(&account, &logging("required", Some(400)));
    assert_verdict(
        &run,
        LOGGING,
        "fail",
        &[&format!(
            "S3 bucket claude-code-prompts: automatic rotation of key {} is off",
            bucket_key.id
        )],
    );
    let operations = run.moto_operations();
    for wanted in ["kms:DescribeKey", "kms:GetKeyRotationStatus"] {
        assert!(
            operations.iter().any(|o| o == wanted),
            "{wanted} not called: {operations:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_group_without_a_customer_managed_key_fails() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let seeder = account.seeder(EAST).await;
    seeder
        .log_group(&LogGroupSpec::new("/aws/bedrock/unencrypted", Some(180)))
        .await
        .unwrap_or_else(|e| panic!("seeding the log group: {e}"));
    log_to(&account, "/aws/bedrock/unencrypted", None);
    assert_verdict(
        &scan(&account, &logging("required", None)),
        LOGGING,
        "fail",
        &["log group /aws/bedrock/unencrypted: it has no KMS key"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_without_sse_kms_fails_and_a_denied_bucket_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let seeder = account.seeder(EAST).await;
    seeder
        .logging_bucket(BUCKET, None, 365)
        .await
        .unwrap_or_else(|e| panic!("seeding the bucket: {e}"));
    log_to(&account, INVOCATION_LOG_GROUP, Some(BUCKET));
    assert_verdict(
        &scan(&account, &logging("required", None)),
        LOGGING,
        "fail",
        &["has no default SSE-KMS encryption"],
    );

    account
        .bedrock
        .update(|seed| seed.account.s3_denied_buckets = vec![BUCKET.to_string()]);
    let run = scan(&account, &logging("required", Some(400)));
    let findings = run.findings_of(LOGGING);
    assert!(
        findings.iter().all(|f| f.status == "error")
            && findings.iter().any(|f| f
                .message
                .contains("s3:GetBucketEncryption failed with AccessDenied")
                && f.message
                    .contains("s3:GetBucketVersioning failed with AccessDenied")),
        "a denied bucket must be an error, never a pass\n{}",
        run.describe()
    );
}
