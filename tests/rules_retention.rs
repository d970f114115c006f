//! Data retention on the ready fixture, changed one fact at a time: how the S3 destinations of
//! `bedrock-invocation-logging` are judged (lifecycle reach, Object Lock, the large-data
//! bucket, the bucket policy) and how `no-zdr-assumption` judges the account's retention mode.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::{InvocationLoggingPolicy, Profile, ProviderDataSharing};
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    BucketEncryptionRule, BucketPosture, CollectError, Collected, DataRetentionSetting, ErrorKind,
    InferenceProfile, LargeDataDelivery, LifecycleRule, LoggingRole, ObjectLock, PublicAccessBlock,
    RegionSnapshot, Snapshot,
};

const EAST: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";
const LOGGING: &str = "bedrock-invocation-logging";
const BUCKET: &str = "claude-code-invocation-logs";
/// Where Bedrock writes in BUCKET under the key prefix `claude` (Bedrock user guide, "Monitor
/// model invocation using CloudWatch Logs and Amazon S3", the example bucket policy:
/// `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/*`).
const LOG_PATH: &str = "claude/AWSLogs/111122223333/BedrockModelInvocationLogs/";

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

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap();
    let findings = engine::run_rule(rule, snapshot, profile);
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
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

/// Logging required, kept at least 30 and at most 400 days.
fn required() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile.data_retention.invocation_logging = InvocationLoggingPolicy::Required;
    profile.data_retention.invocation_log_min_retention_days = 30;
    profile.data_retention.invocation_log_max_retention_days = Some(400);
    profile
}

fn bucket_key() -> String {
    format!("arn:aws:kms:{EAST}:{ACCOUNT}:key/logs")
}

fn lifecycle_rule(id: &str, prefix: Option<&str>, days: Option<i32>) -> LifecycleRule {
    LifecycleRule {
        id: Some(id.into()),
        status: "Enabled".into(),
        prefix: prefix.map(str::to_string),
        narrowed_by_tags_or_size: false,
        expiration_days: days,
        expiration_date: None,
        noncurrent_expiration_days: None,
    }
}

/// A bucket that passes: SSE-KMS under a good key, public access blocked, a 365-day rule on
/// the whole key prefix, versioning never enabled.
fn good_bucket(name: &str) -> BucketPosture {
    BucketPosture {
        bucket: name.into(),
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
        lifecycle_rules: Collected::ok(vec![lifecycle_rule(
            "expire-prompts",
            Some("claude/"),
            Some(365),
        )]),
        versioning: Some(Collected::ok(String::new())),
        object_lock: Some(Collected::ok(None)),
        policy: Some(Collected::ok(Some(bedrock_policy(name)))),
    }
}

/// The user guide's bucket policy for Bedrock (model-invocation-logging.html, "Set up an
/// Amazon S3 destination"), for `bucket` under the key prefix `claude`.
fn bedrock_policy(bucket: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AmazonBedrockLogsWrite","Effect":"Allow","Principal":{{"Service":"bedrock.amazonaws.com"}},"Action":["s3:PutObject"],"Resource":["arn:aws:s3:::{bucket}/claude/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"],"Condition":{{"StringEquals":{{"aws:SourceAccount":"{ACCOUNT}"}},"ArnLike":{{"aws:SourceArn":"arn:aws:bedrock:{EAST}:{ACCOUNT}:*"}}}}}}]}}"#
    )
}

/// The ready fixture logging to `posture` too, under the key prefix `claude`.
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

fn with_rules(rules: Vec<LifecycleRule>) -> Snapshot {
    let mut posture = good_bucket(BUCKET);
    posture.lifecycle_rules = Collected::ok(rules);
    with_bucket(posture)
}

fn logging_verdict(snapshot: &Snapshot) -> Finding {
    let mut findings = run(LOGGING, snapshot, &required());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings.remove(0)
}

// ---- lifecycle: which rules count for the minimum, which for the maximum -------------------

/// Issue 24: a rule narrower than the log path (a longer prefix, a tag or size filter, a fixed
/// date, a status not known) still deletes prompts; any such rule expiring them sooner than the
/// minimum fails, even next to a whole-prefix rule that keeps them long enough.
#[test]
fn a_narrower_rule_that_deletes_prompts_sooner_than_the_minimum_fails() {
    let whole = || lifecycle_rule("expire-prompts", Some("claude/"), Some(365));
    let narrower_prefix =
        lifecycle_rule("one-day", Some(&format!("{LOG_PATH}us-east-1/")), Some(1));
    let mut tagged = lifecycle_rule("tagged", None, Some(1));
    tagged.narrowed_by_tags_or_size = true;
    let mut dated = lifecycle_rule("dated", Some("claude/"), None);
    dated.expiration_date = Some("2027-01-01T00:00:00Z".into());
    let mut unknown_status = lifecycle_rule("pending", Some("claude/"), Some(1));
    unknown_status.status = "Pending".into();
    for (rule, fragments) in [
        (
            narrower_prefix,
            vec![
                "lifecycle rule \"one-day\" (limited by prefix",
                "expires the objects under claude/AWSLogs/111122223333/BedrockModelInvocationLogs/ after 1 days, less than the required 30",
            ],
        ),
        (tagged, vec!["a tag or size filter", "after 1 days, less than the required 30"]),
        (
            dated,
            vec!["on a fixed date (2027-01-01T00:00:00Z) whatever their age"],
        ),
        (unknown_status, vec!["status \"Pending\"", "after 1 days"]),
    ] {
        let f = logging_verdict(&with_rules(vec![whole(), rule]));
        assert_verdict(&f, Status::Fail, &fragments);
    }
}

/// Issue 22: a rule on the folder Bedrock writes to covers every log object (Bedrock user
/// guide, model-invocation-logging.html: `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/`).
#[test]
fn a_rule_on_the_bedrock_log_folder_covers_every_log_object() {
    let f = logging_verdict(&with_rules(vec![lifecycle_rule(
        "bedrock-folder",
        Some(LOG_PATH),
        Some(365),
    )]));
    assert_verdict(&f, Status::Pass, &[]);
    // The folder of another account, or a sibling folder, reaches none of them.
    for prefix in [
        "claude/AWSLogs/999999999999/BedrockModelInvocationLogs/",
        "claude/AWSLogs/111122223333/CloudTrail/",
    ] {
        let f = logging_verdict(&with_rules(vec![lifecycle_rule(
            "elsewhere",
            Some(prefix),
            Some(1),
        )]));
        assert_verdict(
            &f,
            Status::Fail,
            &["no enabled lifecycle rule that surely expires every object under claude/AWSLogs/111122223333/BedrockModelInvocationLogs/"],
        );
        assert!(
            !f.message.contains("less than the required"),
            "{}",
            f.message
        );
    }
}

/// Only a rule that surely reaches every log object bounds the maximum: a narrower rule that
/// expires them within the bounds does not prove that all of them expire.
#[test]
fn a_narrower_rule_does_not_bound_the_maximum() {
    let mut tagged = lifecycle_rule("tagged", Some("claude/"), Some(90));
    tagged.narrowed_by_tags_or_size = true;
    let mut dated = lifecycle_rule("dated", None, None);
    dated.expiration_date = Some("2020-01-01T00:00:00Z".into());
    for rule in [
        lifecycle_rule(
            "region-only",
            Some(&format!("{LOG_PATH}us-east-1/")),
            Some(90),
        ),
        tagged,
    ] {
        let f = logging_verdict(&with_rules(vec![rule]));
        assert_verdict(&f, Status::Fail, &["so prompts are kept forever"]);
    }
    let f = logging_verdict(&with_rules(vec![dated]));
    assert_verdict(
        &f,
        Status::Fail,
        &["on a fixed date", "so prompts are kept forever"],
    );
}

/// With the account unknown, a rule naming any account under `AWSLogs/` may reach the logs
/// (minimum), but none surely does (maximum).
#[test]
fn with_the_account_unknown_account_specific_rules_count_only_against_the_minimum() {
    let mut snapshot = with_rules(vec![lifecycle_rule(
        "bedrock-folder",
        Some(LOG_PATH),
        Some(1),
    )]);
    snapshot.identity = Collected::failed(CollectError {
        operation: "sts:GetCallerIdentity".into(),
        kind: ErrorKind::AccessDenied,
        code: "AccessDenied".into(),
        message: "denied".into(),
    });
    let f = logging_verdict(&snapshot);
    assert_verdict(
        &f,
        Status::Fail,
        &[
            "after 1 days, less than the required 30",
            "claude/AWSLogs/<account>/BedrockModelInvocationLogs/",
            "so prompts are kept forever",
        ],
    );
}

// ---- no-zdr-assumption: the data retention mode where requests are served ------------------

const ZDR: &str = "no-zdr-assumption";
const WEST: &str = "us-west-2";

fn retention_profile(zdr_required: bool, sharing: ProviderDataSharing) -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile.data_retention.zero_data_retention_required = zdr_required;
    profile.data_retention.provider_data_sharing = sharing;
    profile
}

fn mode(mode: &str) -> Collected<DataRetentionSetting> {
    Collected::ok(DataRetentionSetting {
        mode: mode.into(),
        updated_at: Some("2026-10-01T12:00:00Z".into()),
    })
}

/// The ready fixture with every region the us. profiles route to (us-east-1, us-east-2,
/// us-west-2) at `others`, and `region` at `its`.
fn with_modes(region: &str, its: Collected<DataRetentionSetting>, others: &str) -> Snapshot {
    let mut snapshot = ready();
    let modes = east(&mut snapshot).data_retention.get_or_insert_default();
    for serving in [EAST, "us-east-2", WEST] {
        modes.insert(serving.to_string(), mode(others));
    }
    modes.insert(region.to_string(), its);
    snapshot
}

fn zdr_verdict(snapshot: &Snapshot, profile: &Profile) -> Finding {
    let mut findings = run(ZDR, snapshot, profile);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    findings.remove(0)
}

#[test]
fn the_ready_account_passes_and_names_every_region_requests_are_served_in() {
    let f = zdr_verdict(
        &ready(),
        &retention_profile(false, ProviderDataSharing::Forbidden),
    );
    assert_verdict(
        &f,
        Status::Pass,
        &[
            "us-east-1: default",
            "us-east-2: default",
            "us-west-2: default",
        ],
    );
    assert_eq!(f.resource, "bedrock-data-retention/us-east-1");
    assert!(f
        .evidence
        .iter()
        .any(|e| e.source == "bedrock:GetAccountDataRetention"
            && e.region.as_deref() == Some(WEST)
            && e.values["mode"] == "default"));
}

/// Each mode, in the source region and in a destination region, against each requirement:
/// zero retention needs `none` everywhere; forbidden provider sharing refuses
/// `provider_data_share` only (`aws_review` does not pass data to the provider: SDK
/// `DataRetentionMode` docs); allowed sharing with no ZDR accepts every known mode.
#[test]
fn each_mode_in_the_source_or_a_destination_region_is_judged_against_the_profile() {
    use ProviderDataSharing::{Allowed, Forbidden};
    for region in [EAST, WEST] {
        for m in [
            "none",
            "default",
            "inherit",
            "aws_review",
            "provider_data_share",
        ] {
            for (zdr, sharing) in [
                (true, Forbidden),
                (true, Allowed),
                (false, Forbidden),
                (false, Allowed),
            ] {
                let f = zdr_verdict(
                    &with_modes(region, mode(m), "none"),
                    &retention_profile(zdr, sharing),
                );
                let fails_zdr = zdr && m != "none";
                let fails_sharing = sharing == Forbidden && m == "provider_data_share";
                let expected = if fails_zdr || fails_sharing {
                    Status::Fail
                } else {
                    Status::Pass
                };
                assert_eq!(
                    f.status, expected,
                    "{region} {m} zdr={zdr} {sharing:?}: {}",
                    f.message
                );
                if fails_zdr {
                    assert!(f.message.contains(&format!("zero data retention is required, but the data retention mode of {region}")), "{}", f.message);
                }
                if fails_sharing {
                    assert!(
                        f.message
                            .contains("may share prompts with the model provider"),
                        "{}",
                        f.message
                    );
                }
            }
        }
    }
}

#[test]
fn an_unknown_unread_or_uncollected_mode_is_an_error_never_a_pass() {
    let profile = retention_profile(false, ProviderDataSharing::Allowed);
    let f = zdr_verdict(
        &with_modes(WEST, mode("retain_forever"), "default"),
        &profile,
    );
    assert_verdict(&f, Status::Error, &["\"retain_forever\"", "does not know"]);
    for (kind, code) in [
        (ErrorKind::AccessDenied, "AccessDeniedException"),
        (ErrorKind::Throttling, "ThrottlingException"),
    ] {
        let failed = Collected::failed(CollectError {
            operation: "bedrock:GetAccountDataRetention".into(),
            kind,
            code: code.into(),
            message: format!("{code} from the test"),
        });
        let f = zdr_verdict(&with_modes(WEST, failed, "default"), &profile);
        assert_verdict(
            &f,
            Status::Error,
            &[
                "bedrock:GetAccountDataRetention failed with",
                code,
                "us-west-2",
            ],
        );
    }
    // A destination the scan did not ask about, and a snapshot from before the field existed.
    let mut snapshot = ready();
    east(&mut snapshot)
        .data_retention
        .as_mut()
        .unwrap()
        .remove(WEST);
    assert_verdict(
        &zdr_verdict(&snapshot, &profile),
        Status::Error,
        &["us-west-2", "was not called there"],
    );
    east(&mut snapshot).data_retention = None;
    assert_verdict(
        &zdr_verdict(&snapshot, &profile),
        Status::Error,
        &["a snapshot from an older bedrock-audit"],
    );
}

/// A model that requires retention is refused under `none` (user guide, "Data retention"):
/// a fail of its own kind, whatever the profile asks.
#[test]
fn a_model_that_requires_retention_is_blocked_under_mode_none() {
    let mut profile = retention_profile(false, ProviderDataSharing::Forbidden);
    profile.rollout.primary_model = "anthropic.claude-fable-5-1".into();
    let f = zdr_verdict(&with_modes(EAST, mode("none"), "none"), &profile);
    assert_verdict(
        &f,
        Status::Fail,
        &[
            "primary model anthropic.claude-fable-5-1 is blocked in us-east-1",
            "Claude Code's requests will fail",
        ],
    );
    assert_verdict(
        &zdr_verdict(&with_modes(EAST, mode("aws_review"), "none"), &profile),
        Status::Pass,
        &[],
    );
    profile.data_retention.zero_data_retention_required = true;
    let f = zdr_verdict(&with_modes(EAST, mode("default"), "none"), &profile);
    assert_verdict(
        &f,
        Status::Fail,
        &[
            "retains data whatever the mode",
            "zero data retention is required",
        ],
    );
}

/// A global profile may be served in any commercial region (user guide, cross-Region
/// inference): their modes are not read, so a requirement on them cannot be judged.
#[test]
fn a_global_profile_cannot_be_judged_when_the_profile_constrains_the_mode() {
    let global = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let mut snapshot = ready();
    let region = east(&mut snapshot);
    let profiles = match &mut region.inference_profiles {
        Collected::Ok { data } => data,
        Collected::Failed { .. } => unreachable!(),
    };
    profiles.push(InferenceProfile {
        id: global.into(),
        arn: format!("arn:aws:bedrock:{EAST}:{ACCOUNT}:inference-profile/{global}"),
        name: "Global Claude Sonnet 4.5".into(),
        status: "ACTIVE".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        model_arns: vec![
            format!("arn:aws:bedrock:{EAST}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
        ],
    });
    let mut profile = retention_profile(false, ProviderDataSharing::Forbidden);
    profile.rollout.primary_model = global.into();
    assert_verdict(
        &zdr_verdict(&snapshot, &profile),
        Status::Error,
        &["global inference profile", "any commercial region"],
    );
    profile.data_retention.provider_data_sharing = ProviderDataSharing::Allowed;
    assert_verdict(&zdr_verdict(&snapshot, &profile), Status::Pass, &[]);
}

// ---- the large-data bucket, Object Lock, delivery, and "forbidden" ------------------------

const LARGE: &str = "claude-code-large-bodies";

/// With the CloudWatch destination's `largeDataDeliveryS3Config` on `posture`.
fn with_large_data_bucket(posture: BucketPosture) -> Snapshot {
    let mut snapshot = with_bucket(good_bucket(BUCKET));
    let region = east(&mut snapshot);
    let config = data_mut(&mut region.invocation_logging).as_mut().unwrap();
    config.large_data_delivery = Some(LargeDataDelivery {
        bucket: Some(LARGE.into()),
        key_prefix: Some("claude".into()),
    });
    region.large_data_log_bucket = Some(posture);
    snapshot
}

/// Issue 22: large request and response bodies go to `largeDataDeliveryS3Config` (Bedrock API
/// reference, CloudWatchConfig): that bucket holds prompts and is judged like the S3 one.
#[test]
fn the_large_data_bucket_is_judged_like_the_s3_destination() {
    assert_verdict(
        &logging_verdict(&with_large_data_bucket(good_bucket(LARGE))),
        Status::Pass,
        &["large-data S3 bucket claude-code-large-bodies"],
    );
    let mut unencrypted = good_bucket(LARGE);
    unencrypted.encryption = Collected::ok(None);
    assert_verdict(
        &logging_verdict(&with_large_data_bucket(unencrypted)),
        Status::Fail,
        &["large-data S3 bucket claude-code-large-bodies has no default SSE-KMS encryption"],
    );
    let mut one_day = good_bucket(LARGE);
    one_day.lifecycle_rules = Collected::ok(vec![
        lifecycle_rule("expire-prompts", Some("claude/"), Some(365)),
        lifecycle_rule("one-day", Some(LOG_PATH), Some(1)),
    ]);
    assert_verdict(
        &logging_verdict(&with_large_data_bucket(one_day)),
        Status::Fail,
        &["large-data S3 bucket claude-code-large-bodies: lifecycle rule \"one-day\""],
    );
    // Configured but not read (an older snapshot), and not collected at all.
    let mut snapshot = with_large_data_bucket(good_bucket(LARGE));
    east(&mut snapshot).large_data_log_bucket = None;
    assert_verdict(
        &logging_verdict(&snapshot),
        Status::Error,
        &["large-data S3 bucket claude-code-large-bodies was not read"],
    );
    let mut snapshot = with_bucket(good_bucket(BUCKET));
    data_mut(&mut east(&mut snapshot).invocation_logging)
        .as_mut()
        .unwrap()
        .large_data_delivery = None;
    assert_verdict(
        &logging_verdict(&snapshot),
        Status::Error,
        &["largeDataDeliveryS3Config was not collected"],
    );
}

/// S3 Object Lock keeps each version for its default retention whatever the lifecycle says
/// (S3 user guide, "Locking objects with Object Lock").
#[test]
fn an_object_lock_longer_than_the_maximum_fails() {
    let lock = |days: Option<i32>, years: Option<i32>| {
        let mut posture = good_bucket(BUCKET);
        posture.versioning = Some(Collected::ok("Enabled".into()));
        posture.lifecycle_rules = Collected::ok(vec![LifecycleRule {
            noncurrent_expiration_days: Some(30),
            ..lifecycle_rule("expire-prompts", Some("claude/"), Some(365))
        }]);
        posture.object_lock = Some(Collected::ok(Some(ObjectLock {
            enabled: "Enabled".into(),
            mode: Some("COMPLIANCE".into()),
            days,
            years,
        })));
        with_bucket(posture)
    };
    assert_verdict(
        &logging_verdict(&lock(Some(3650), None)),
        Status::Fail,
        &[
            "keeps prompts 3650 days under its Object Lock default retention (COMPLIANCE)",
            "more than the allowed 400",
        ],
    );
    assert_verdict(
        &logging_verdict(&lock(None, Some(10))),
        Status::Fail,
        &["3660 days"],
    );
    assert_verdict(&logging_verdict(&lock(Some(90), None)), Status::Pass, &[]);
    let mut unread = good_bucket(BUCKET);
    unread.object_lock = None;
    assert_verdict(
        &logging_verdict(&with_bucket(unread)),
        Status::Error,
        &["s3:GetObjectLockConfiguration was not called"],
    );
}

/// A destination Bedrock cannot write to stores nothing (user guide: the S3 destination needs
/// the bucket policy for bedrock.amazonaws.com; the CloudWatch destination a role Bedrock can
/// assume).
#[test]
fn a_destination_bedrock_cannot_write_to_fails() {
    let mut no_policy = good_bucket(BUCKET);
    no_policy.policy = Some(Collected::ok(None));
    assert_verdict(
        &logging_verdict(&with_bucket(no_policy)),
        Status::Fail,
        &["has no bucket policy, so Bedrock (bedrock.amazonaws.com) may not write"],
    );
    let mut other_account = good_bucket(BUCKET);
    other_account.policy = Some(Collected::ok(Some(
        bedrock_policy(BUCKET).replace(ACCOUNT, "999999999999"),
    )));
    assert_verdict(
        &logging_verdict(&with_bucket(other_account)),
        Status::Fail,
        &["has no statement allowing Bedrock"],
    );

    let mut snapshot = with_bucket(good_bucket(BUCKET));
    east(&mut snapshot).invocation_log_role = Some(Collected::ok(None));
    assert_verdict(
        &logging_verdict(&snapshot),
        Status::Fail,
        &["delivery role arn:aws:iam::111122223333:role/BedrockInvocationLogging does not exist"],
    );
    let mut snapshot = with_bucket(good_bucket(BUCKET));
    east(&mut snapshot).invocation_log_role = Some(Collected::ok(Some(LoggingRole {
        arn: "arn:aws:iam::111122223333:role/BedrockInvocationLogging".into(),
        trust_policy: Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into()),
    })));
    assert_verdict(
        &logging_verdict(&snapshot),
        Status::Fail,
        &["does not trust bedrock.amazonaws.com"],
    );
    let mut snapshot = with_bucket(good_bucket(BUCKET));
    east(&mut snapshot).invocation_log_role = None;
    assert_verdict(
        &logging_verdict(&snapshot),
        Status::Error,
        &["iam:GetRole was not called"],
    );
}

/// "forbidden" means no prompt content is stored: metadata-only logging meets it.
#[test]
fn forbidden_passes_metadata_only_logging_and_names_stored_content_otherwise() {
    let mut profile = required();
    profile.data_retention.invocation_logging = InvocationLoggingPolicy::Forbidden;
    let mut snapshot = ready();
    let config = data_mut(&mut east(&mut snapshot).invocation_logging)
        .as_mut()
        .unwrap();
    config.text_data_delivery = false;
    let f = run(LOGGING, &snapshot, &profile).remove(0);
    assert_verdict(
        &f,
        Status::Pass,
        &["stores no prompt content", "only invocation metadata"],
    );
    assert!(
        !f.message.contains("forbids keeping prompts, but"),
        "{}",
        f.message
    );
    let config = data_mut(&mut east(&mut snapshot).invocation_logging)
        .as_mut()
        .unwrap();
    config.image_data_delivery = true;
    let f = run(LOGGING, &snapshot, &profile).remove(0);
    assert_verdict(&f, Status::Fail, &["forbids keeping prompts, but model-invocation logging in us-east-1 stores images from prompts"]);
}

#[test]
fn provider_data_sharing_parses_and_refuses_other_values() {
    let path = Path::new("retention.toml");
    let parsed = Profile::parse(
        "[data_retention]\nprovider_data_sharing = \"allowed\"\n",
        path,
    )
    .expect("allowed parses");
    assert_eq!(
        parsed.data_retention.provider_data_sharing,
        ProviderDataSharing::Allowed
    );
    assert_eq!(
        Profile::default().data_retention.provider_data_sharing,
        ProviderDataSharing::Forbidden
    );
    let error = Profile::parse(
        "[data_retention]\nprovider_data_sharing = \"sometimes\"\n",
        path,
    )
    .expect_err("an unknown value is refused")
    .to_string();
    assert!(
        error.contains("provider_data_sharing") && error.contains("retention.toml"),
        "{error}"
    );
}

/// The models judged are those Claude Code will call (issue 21's resolution): a model that
/// requires retention, reachable only through the settings (`/model opus` reaches
/// `ANTHROPIC_DEFAULT_OPUS_MODEL`, code.claude.com "Model configuration"), is blocked under
/// `none` although the profile's own models are not.
#[test]
fn a_model_pinned_only_in_the_settings_is_judged_for_retention() {
    let profile = retention_profile(false, ProviderDataSharing::Forbidden);
    let mut snapshot = with_modes(EAST, mode("none"), "none");
    let settings = serde_json::json!({ "env": {
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": EAST,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": "anthropic.claude-fable-5-1",
    }});
    let file = bedrock_audit::claude_code::settings::parse_file(
        &settings.to_string(),
        "managed-settings.json",
        bedrock_audit::snapshot::SettingsKind::Managed,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    snapshot.claude_settings = Some(bedrock_audit::snapshot::ClaudeSettings {
        files: vec![file],
        guardrails: Vec::new(),
    });
    let f = zdr_verdict(&snapshot, &profile);
    assert_verdict(
        &f,
        Status::Fail,
        &["anthropic.claude-fable-5-1 is blocked in us-east-1"],
    );
    // Without the settings file, the profile's models alone pass under `none`.
    assert_verdict(
        &zdr_verdict(&with_modes(EAST, mode("none"), "none"), &profile),
        Status::Pass,
        &[],
    );
}

/// SCPs pinning the mode are evidence, never a verdict: readable, unreadable (a member account
/// cannot read its organisation's policies) or not collected, the mode alone decides.
#[test]
fn scps_pinning_the_mode_are_evidence_and_leave_the_verdict_to_the_mode() {
    use bedrock_audit::snapshot::RetentionScp;
    let profile = retention_profile(false, ProviderDataSharing::Forbidden);
    let base = zdr_verdict(&ready(), &profile);
    assert_eq!(base.status, Status::Pass, "{}", base.message);

    // Read, and none uses the key: said in the evidence, nothing in the message.
    let mut none = ready();
    none.data_retention_scps = Some(Collected::ok(Vec::new()));
    let finding = zdr_verdict(&none, &profile);
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(
        !finding.message.contains("constrains"),
        "{}",
        finding.message
    );
    let evidence = serde_json::to_value(&finding.evidence).unwrap().to_string();
    assert!(evidence.contains("\"scps_using_the_key\":[]"), "{evidence}");

    let mut pinned = ready();
    pinned.data_retention_scps = Some(Collected::ok(vec![RetentionScp {
        policy_id: "p-pin0001".into(),
        policy_name: "pin-retention".into(),
        attached_to: vec!["ou-ab12-cdef3456".into()],
        statements: vec![r#"{"Effect":"Deny","Action":"bedrock:PutAccountDataRetention","Resource":"*","Condition":{"StringNotEquals":{"bedrock:DataRetentionMode":"default"}}}"#.into()],
    }]));
    let finding = zdr_verdict(&pinned, &profile);
    assert_verdict(&finding, Status::Pass, &["SCP p-pin0001 (pin-retention)"]);
    let evidence = serde_json::to_value(&finding.evidence).unwrap();
    assert!(
        evidence.to_string().contains("ou-ab12-cdef3456"),
        "{evidence}"
    );

    let mut denied = ready();
    denied.data_retention_scps = Some(Collected::failed(CollectError {
        operation: "organizations:ListParents".into(),
        kind: ErrorKind::AccessDenied,
        code: "AccessDeniedException".into(),
        message: "You don't have permissions to access this resource.".into(),
    }));
    let finding = zdr_verdict(&denied, &profile);
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(!finding.message.contains("SCP"), "{}", finding.message);
    let evidence = serde_json::to_value(&finding.evidence).unwrap().to_string();
    assert!(evidence.contains("\"readable\":false"), "{evidence}");
    assert!(evidence.contains("AccessDeniedException"), "{evidence}");

    // A mode that fails still fails with an SCP in place.
    let mut sharing = with_modes(EAST, mode("provider_data_share"), "default");
    sharing.data_retention_scps = pinned.data_retention_scps.clone();
    assert_eq!(zdr_verdict(&sharing, &profile).status, Status::Fail);
}
