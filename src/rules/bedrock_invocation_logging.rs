//! `bedrock-invocation-logging`: model-invocation logging stores full prompts and completions,
//! i.e. developers' source code. The profile says whether it must be kept
//! (`invocation_logging = "required"`: on, with text delivery, in every target region, to a
//! CloudWatch log group encrypted with a usable customer-managed key and expiring between the
//! minimum and the maximum, and to an S3 bucket, if any, with SSE-KMS under a usable
//! customer-managed key, a full public access block and a lifecycle expiration within the same
//! bounds, noncurrent versions included when the bucket is versioned), must not be kept
//! (`"forbidden"`: off in every target region), or is not a policy (`"any"`: not applicable,
//! saying what is configured).
//!
//! One finding per target region. A destination that cannot be read is `error`; a bucket the
//! account does not own and cannot read is `error` as a cross-account destination.

use crate::finding::{Evidence, Finding, Status};
use crate::profile::InvocationLoggingPolicy;
use crate::rules::support::{judge_kms_key, Judgement};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{
    BucketPosture, CollectError, Collected, InvocationLoggingConfig, RegionSnapshot,
};

const INVOCATION_LOGGING: &str = "bedrock:GetModelInvocationLoggingConfiguration";
const LOG_GROUPS: &str = "logs:DescribeLogGroups";
const LIST_BUCKETS: &str = "s3:ListBuckets";
const ENCRYPTION: &str = "s3:GetBucketEncryption";
const PUBLIC_ACCESS_BLOCK: &str = "s3:GetPublicAccessBlock";
const LIFECYCLE: &str = "s3:GetBucketLifecycleConfiguration";
const VERSIONING: &str = "s3:GetBucketVersioning";
const PROFILE_KEY: &str = "data_retention.invocation_logging";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let policy = ctx.profile.data_retention.invocation_logging;
    ctx.per_region(|region, snapshot, findings| {
        let resource = format!("bedrock-model-invocation-logging/{region}");
        let profile_evidence = Evidence::new("profile", None)
            .with(PROFILE_KEY, policy.as_str())
            .with(
                "data_retention.invocation_log_min_retention_days",
                ctx.profile.data_retention.invocation_log_min_retention_days,
            )
            .with(
                "data_retention.invocation_log_max_retention_days",
                ctx.profile.data_retention.invocation_log_max_retention_days,
            );
        let config = match snapshot.invocation_logging.as_result() {
            Ok(config) => config.as_ref(),
            Err(error) if policy != InvocationLoggingPolicy::Any => {
                findings.push(ctx.unreadable(
                    region,
                    resource,
                    &format!("the Bedrock model-invocation logging configuration of {region}"),
                    error,
                ));
                return;
            }
            Err(error) => {
                findings.push(
                    ctx.finding(
                        Status::NotApplicable,
                        region,
                        resource,
                        format!(
                            "The profile sets no policy for invocation logging ({PROFILE_KEY} = \"any\"); its configuration in {region} could not be read ({} failed with {}).",
                            error.operation, error.code
                        ),
                    )
                    .with_evidence(profile_evidence),
                );
                return;
            }
        };
        let evidence = config_evidence(region, config);
        let finding = match (policy, config) {
            (InvocationLoggingPolicy::Any, _) => ctx.finding(
                Status::NotApplicable,
                region,
                resource,
                format!(
                    "The profile sets no policy for invocation logging ({PROFILE_KEY} = \"any\"). In {region}: {}",
                    describe(config)
                ),
            ),
            (InvocationLoggingPolicy::Forbidden, None) => ctx.finding(
                Status::Pass,
                region,
                resource,
                format!("Model-invocation logging is off in {region}, as the profile requires: Bedrock stores no prompts or completions."),
            ),
            (InvocationLoggingPolicy::Forbidden, Some(_)) => ctx.finding(
                Status::Fail,
                region,
                resource,
                format!(
                    "The profile forbids keeping prompts, but in {region} {}",
                    describe(config)
                ),
            ),
            (InvocationLoggingPolicy::Required, None) => ctx.finding(
                Status::Fail,
                region,
                resource,
                format!("The profile requires model-invocation logging, but it is off in {region}: no prompt or completion is kept for audit."),
            ),
            (InvocationLoggingPolicy::Required, Some(config)) => {
                let mut judgement = required(ctx, snapshot, region, config);
                judgement.evidence(evidence.clone());
                judgement.evidence(profile_evidence.clone());
                findings.push(judgement.finding(
                    ctx,
                    region,
                    &resource,
                    &format!("Model-invocation logging in {region} does not meet the profile's policy"),
                    format!(
                        "Model-invocation logging in {region} keeps prompts and completions as the profile requires: {}, encrypted with a customer-managed key and expiring within the retention bounds.",
                        destinations(config).join(" and ")
                    ),
                ));
                return;
            }
        };
        findings.push(finding.with_evidence(evidence).with_evidence(profile_evidence));
    })
}

fn config_evidence(region: &str, config: Option<&InvocationLoggingConfig>) -> Evidence {
    let evidence =
        Evidence::new(INVOCATION_LOGGING, Some(region)).with("logging_enabled", config.is_some());
    match config {
        None => evidence,
        Some(config) => evidence
            .with(
                "cloudWatchConfig.logGroupName",
                &config.cloudwatch_log_group,
            )
            .with("s3Config.bucketName", &config.s3_bucket)
            .with("s3Config.keyPrefix", &config.s3_key_prefix)
            .with("textDataDeliveryEnabled", config.text_data_delivery),
    }
}

fn destinations(config: &InvocationLoggingConfig) -> Vec<String> {
    config
        .cloudwatch_log_group
        .iter()
        .map(|g| format!("CloudWatch log group {g}"))
        .chain(config.s3_bucket.iter().map(|b| format!("S3 bucket {b}")))
        .collect()
}

/// What is configured, as a sentence.
fn describe(config: Option<&InvocationLoggingConfig>) -> String {
    match config {
        None => "model-invocation logging is off.".into(),
        Some(config) => {
            let places = destinations(config);
            format!(
                "model-invocation logging is on, storing {} in {}.",
                if config.text_data_delivery {
                    "prompts and completions"
                } else {
                    "invocation metadata (text delivery off)"
                },
                if places.is_empty() {
                    "no destination".to_string()
                } else {
                    places.join(" and ")
                }
            )
        }
    }
}

fn required(
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    config: &InvocationLoggingConfig,
) -> Judgement {
    let mut judgement = Judgement::new();
    if !config.text_data_delivery {
        judgement.problem("text delivery is off, so prompts and completions are not kept");
    }
    if config.cloudwatch_log_group.is_none() && config.s3_bucket.is_none() {
        judgement.problem("it names no destination");
    }
    if let Some(name) = &config.cloudwatch_log_group {
        log_group(&mut judgement, ctx, snapshot, region, name);
    }
    if let Some(bucket) = &config.s3_bucket {
        match snapshot
            .invocation_log_bucket
            .as_ref()
            .filter(|b| &b.bucket == bucket)
        {
            None => judgement.missing(
                format!("S3 bucket {bucket} was not read (a snapshot from an older bedrock-audit)"),
                Evidence::new(ENCRYPTION, Some(region))
                    .with("Bucket", bucket)
                    .with("collected", false),
            ),
            Some(posture) => bucket_checks(&mut judgement, ctx, snapshot, region, config, posture),
        }
    }
    judgement
}

/// Retention between the profile's bounds; `what` names the destination.
fn retention(judgement: &mut Judgement, ctx: &RuleContext, what: &str, days: Option<i64>) {
    let min = i64::from(ctx.profile.data_retention.invocation_log_min_retention_days);
    let max = ctx
        .profile
        .data_retention
        .invocation_log_max_retention_days
        .map(i64::from);
    match days {
        None => judgement.problem(format!("{what} never expires, so prompts are kept forever")),
        Some(days) if days < min => judgement.problem(format!(
            "{what} keeps prompts {days} days, less than the required {min}"
        )),
        Some(days) => {
            if let Some(max) = max.filter(|max| days > *max) {
                judgement.problem(format!(
                    "{what} keeps prompts {days} days, more than the allowed {max}"
                ));
            }
        }
    }
}

fn log_group(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    name: &str,
) {
    let groups = match snapshot.log_groups.as_result() {
        Ok(groups) => groups,
        Err(error) => {
            judgement.unreadable(format!("log group {name}"), error);
            return;
        }
    };
    let Some(group) = groups.iter().find(|g| g.name == name) else {
        judgement.evidence(
            Evidence::new(LOG_GROUPS, Some(region))
                .with("logGroupName", name)
                .with("exists", false),
        );
        judgement.problem(format!(
            "its log group {name} does not exist, so invocations are not logged"
        ));
        return;
    };
    judgement.evidence(
        Evidence::new(LOG_GROUPS, Some(region))
            .with("logGroupName", &group.name)
            .with("logGroupArn", &group.arn)
            .with("retentionInDays", group.retention_in_days)
            .with("kmsKeyId", &group.kms_key_id),
    );
    retention(
        judgement,
        ctx,
        &format!("log group {name}"),
        group.retention_in_days.map(i64::from),
    );
    // Problems name the key; say which destination it protects.
    let mut key_judgement = Judgement::new();
    judge_kms_key(
        &mut key_judgement,
        snapshot,
        region,
        group.kms_key_id.as_deref(),
    );
    judgement.absorb(key_judgement, &format!("log group {name}: "));
}

fn bucket_checks(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    config: &InvocationLoggingConfig,
    posture: &BucketPosture,
) {
    let bucket = &posture.bucket;
    let foreign = match posture.owned_by_account.as_result() {
        Ok(owned) => !owned,
        Err(error) => {
            judgement.unreadable(format!("whether the account owns bucket {bucket}"), error);
            false
        }
    };
    judgement.evidence(
        Evidence::new(LIST_BUCKETS, Some(region))
            .with("Bucket", bucket)
            .with("owned_by_account", posture.owned_by_account.data()),
    );
    // A failed read of a bucket the account does not own is the usual cross-account case.
    let unreadable = |judgement: &mut Judgement, what: &str, error: &CollectError| {
        if error.code == "NoSuchBucket" {
            judgement.problem(format!("its S3 bucket {bucket} does not exist"));
        } else if foreign {
            judgement.unreadable(
                format!("the {what} of bucket {bucket}: cross-account destination not readable (the bucket is not in this account's bucket list)"),
                error,
            );
        } else {
            judgement.unreadable(format!("the {what} of bucket {bucket}"), error);
        }
    };

    match posture.encryption.as_result() {
        Err(error) => unreadable(judgement, "default encryption", error),
        Ok(rules) => {
            judgement.evidence(
                Evidence::new(ENCRYPTION, Some(region))
                    .with("Bucket", bucket)
                    .with("Rules", rules),
            );
            let kms = rules
                .iter()
                .flatten()
                .find(|r| r.sse_algorithm.starts_with("aws:kms"));
            match kms {
                None => judgement.problem(format!(
                    "S3 bucket {bucket} has no default SSE-KMS encryption ({}), so prompts are not under a key the organisation controls",
                    match rules {
                        None => "no default encryption".to_string(),
                        Some(rules) => rules.iter().map(|r| r.sse_algorithm.clone()).collect::<Vec<_>>().join(", "),
                    }
                )),
                // The key is judged as the log group's is: customer managed, Enabled, rotating.
                Some(rule) => {
                    let mut key_judgement = Judgement::new();
                    match rule.kms_master_key_id.as_deref() {
                        None => key_judgement.problem(
                            "its default SSE-KMS encryption names no key, so S3 uses the AWS managed key aws/s3, whose policy the organisation cannot change and whose use it cannot revoke",
                        ),
                        Some(key) => judge_kms_key(&mut key_judgement, snapshot, region, Some(key)),
                    }
                    judgement.absorb(key_judgement, &format!("S3 bucket {bucket}: "));
                }
            }
        }
    }

    match posture.public_access_block.as_result() {
        Err(error) => unreadable(judgement, "public access block", error),
        Ok(block) => {
            judgement.evidence(
                Evidence::new(PUBLIC_ACCESS_BLOCK, Some(region))
                    .with("Bucket", bucket)
                    .with("PublicAccessBlockConfiguration", block),
            );
            let off: Vec<&str> = match block {
                None => vec!["all four settings (no configuration)"],
                Some(b) => [
                    ("BlockPublicAcls", b.block_public_acls),
                    ("IgnorePublicAcls", b.ignore_public_acls),
                    ("BlockPublicPolicy", b.block_public_policy),
                    ("RestrictPublicBuckets", b.restrict_public_buckets),
                ]
                .into_iter()
                .filter(|(_, on)| !on)
                .map(|(name, _)| name)
                .collect(),
            };
            if !off.is_empty() {
                judgement.problem(format!(
                    "S3 bucket {bucket} does not block public access: {} off",
                    off.join(", ")
                ));
            }
        }
    }

    let versioning = posture.versioning.as_ref().map(Collected::as_result);
    match posture.lifecycle_rules.as_result() {
        Err(error) => unreadable(judgement, "lifecycle configuration", error),
        Ok(rules) => {
            judgement.evidence(
                Evidence::new(LIFECYCLE, Some(region))
                    .with("Bucket", bucket)
                    .with("Rules", rules),
            );
            let logs_path = logs_path(config, ctx.snapshot.account_id());
            // The rules that reach every log object; the one that expires them soonest governs.
            let covering = || {
                rules
                    .iter()
                    .filter(|r| {
                        r.status.eq_ignore_ascii_case("Enabled") && !r.narrowed_by_tags_or_size
                    })
                    .filter(|r| r.prefix.as_deref().is_none_or(|p| logs_path.starts_with(p)))
            };
            let expiry = covering().filter_map(|r| r.expiration_days).min();
            match expiry {
                None => judgement.problem(format!(
                    "S3 bucket {bucket} has no enabled lifecycle rule that expires every object under {logs_path} after a number of days, so prompts are kept forever"
                )),
                Some(days) => {
                    retention(
                        judgement,
                        ctx,
                        &format!("S3 bucket {bucket}"),
                        Some(i64::from(days)),
                    );
                    let versioned = versioning
                        .and_then(Result::ok)
                        .filter(|status| is_versioned(status) == Some(true));
                    if let Some(status) = versioned {
                        let noncurrent = covering()
                            .filter_map(|r| r.noncurrent_expiration_days)
                            .min();
                        noncurrent_versions(judgement, ctx, bucket, status, &logs_path, days, noncurrent);
                    }
                }
            }
        }
    }

    match versioning {
        None => judgement.missing(
            format!("whether S3 bucket {bucket} keeps noncurrent versions ({VERSIONING} was not called: a snapshot from an older bedrock-audit)"),
            Evidence::new(VERSIONING, Some(region))
                .with("Bucket", bucket)
                .with("collected", false),
        ),
        Some(Err(error)) => unreadable(judgement, "versioning", error),
        Some(Ok(status)) => {
            judgement.evidence(
                Evidence::new(VERSIONING, Some(region))
                    .with("Bucket", bucket)
                    .with("Status", status),
            );
            if is_versioned(status).is_none() {
                judgement.undetermined(format!(
                    "S3 bucket {bucket} has a versioning status this version of bedrock-audit does not know ({status:?})"
                ));
            }
        }
    }
}

/// Whether a bucket with this versioning status can hold noncurrent versions: `Enabled`, or
/// `Suspended` (the versions written while it was on remain); not when it was never enabled
/// (empty). `None`: a status this version does not know.
fn is_versioned(status: &str) -> Option<bool> {
    match status {
        "Enabled" | "Suspended" => Some(true),
        "" => Some(false),
        _ => None,
    }
}

/// In a versioned bucket an expired log object stays as a noncurrent version (so does one
/// written while versioning was on, once it is suspended): a prompt is kept for the current
/// expiry plus the noncurrent one.
fn noncurrent_versions(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    bucket: &str,
    status: &str,
    logs_path: &str,
    current_days: i32,
    noncurrent_days: Option<i32>,
) {
    let Some(noncurrent_days) = noncurrent_days else {
        judgement.problem(format!(
            "S3 bucket {bucket} has versioning {status} and no enabled lifecycle rule that expires the noncurrent versions under {logs_path}, so every expired prompt is kept forever as a noncurrent version"
        ));
        return;
    };
    let kept = i64::from(current_days) + i64::from(noncurrent_days);
    if let Some(max) = ctx
        .profile
        .data_retention
        .invocation_log_max_retention_days
        .map(i64::from)
        .filter(|max| kept > *max)
    {
        judgement.problem(format!(
            "S3 bucket {bucket} keeps prompts {kept} days ({current_days} as the current version, then {noncurrent_days} as a noncurrent one: versioning {status}), more than the allowed {max}"
        ));
    }
}

/// Where Bedrock writes log objects in the bucket: `<prefix>/AWSLogs/<account>/…`.
fn logs_path(config: &InvocationLoggingConfig, account: Option<&str>) -> String {
    let prefix = config
        .s3_key_prefix
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| format!("{}/", p.trim_end_matches('/')))
        .unwrap_or_default();
    format!("{prefix}AWSLogs/{}/", account.unwrap_or("<account>"))
}
