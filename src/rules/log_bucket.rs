//! Judges an S3 bucket model-invocation logging writes prompts to, for
//! `bedrock-invocation-logging`: the `s3Config` destination and the CloudWatch destination's
//! `largeDataDeliveryS3Config` are judged by this one piece of code.
//!
//! Where Bedrock writes: `<keyPrefix>/AWSLogs/<account>/BedrockModelInvocationLogs/…` (Bedrock
//! user guide, "Monitor model invocation using CloudWatch Logs and Amazon S3", the example
//! bucket policy of "Set up an Amazon S3 destination":
//! <https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html>).
//!
//! Lifecycle rules are judged fail closed, in two directions: a rule that MAY reach log
//! objects (a narrower prefix inside the log path, a tag or size filter, a fixed `Date`, a
//! status this version does not know) counts against the minimum, since it can delete prompts
//! sooner; only a rule that SURELY reaches every log object (enabled, a prefix the log path
//! starts with, no tag or size filter, an age in days) bounds the longest time a prompt is kept.

use crate::finding::Evidence;
use crate::rules::service_grant::{self, Grant, ServiceRequest};
use crate::rules::support::{judge_kms_key, Judgement};
use crate::rules::RuleContext;
use crate::snapshot::{
    BucketPosture, CollectError, Collected, LifecycleRule, ObjectLock, RegionSnapshot,
};

const LIST_BUCKETS: &str = "s3:ListBuckets";
const ENCRYPTION: &str = "s3:GetBucketEncryption";
const PUBLIC_ACCESS_BLOCK: &str = "s3:GetPublicAccessBlock";
const LIFECYCLE: &str = "s3:GetBucketLifecycleConfiguration";
const VERSIONING: &str = "s3:GetBucketVersioning";
const OBJECT_LOCK: &str = "s3:GetObjectLockConfiguration";
const POLICY: &str = "s3:GetBucketPolicy";

/// The folder under the account's `AWSLogs/<account>/` that Bedrock writes invocation logs to.
const BEDROCK_LOGS_FOLDER: &str = "BedrockModelInvocationLogs/";

/// One S3 destination of the logging configuration.
pub struct LogDestination<'a> {
    /// How messages name it: `S3 bucket` or `large-data S3 bucket`.
    pub kind: &'static str,
    pub bucket: &'a str,
    /// The destination's `keyPrefix`, as configured.
    pub key_prefix: Option<&'a str>,
}

impl LogDestination<'_> {
    fn name(&self) -> String {
        format!("{} {}", self.kind, self.bucket)
    }
}

/// Where Bedrock writes log objects in a bucket.
struct LogsPath {
    /// `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/`, with `<account>` when the
    /// audited account is unknown.
    shown: String,
    /// The part of the path known for certain: the whole path, or only `<prefix>/AWSLogs/`
    /// when the account is unknown (a rule naming any account may then reach the logs).
    known: String,
}

impl LogsPath {
    fn new(key_prefix: Option<&str>, account: Option<&str>) -> LogsPath {
        let prefix = key_prefix
            .filter(|p| !p.is_empty())
            .map(|p| format!("{}/", p.trim_end_matches('/')))
            .unwrap_or_default();
        let base = format!("{prefix}AWSLogs/");
        match account {
            Some(account) => {
                let full = format!("{base}{account}/{BEDROCK_LOGS_FOLDER}");
                LogsPath {
                    shown: full.clone(),
                    known: full,
                }
            }
            None => LogsPath {
                shown: format!("{base}<account>/{BEDROCK_LOGS_FOLDER}"),
                known: base,
            },
        }
    }
}

/// How far a lifecycle rule reaches into the log objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Enabled, unfiltered, and its prefix contains the whole log path.
    Every,
    /// It may delete some log objects: a prefix inside the log path, a tag or size filter, or
    /// a status other than `Enabled` / `Disabled`.
    Some,
    Nothing,
}

fn reach(rule: &LifecycleRule, logs: &LogsPath) -> Reach {
    if rule.status.eq_ignore_ascii_case("Disabled") {
        return Reach::Nothing;
    }
    let prefix = rule.prefix.as_deref().unwrap_or("");
    if logs.known.starts_with(prefix) {
        if rule.status.eq_ignore_ascii_case("Enabled") && !rule.narrowed_by_tags_or_size {
            Reach::Every
        } else {
            Reach::Some
        }
    } else if prefix.starts_with(&logs.known) {
        Reach::Some
    } else {
        Reach::Nothing
    }
}

/// How a rule is named in a message, with why it only may reach the log objects.
fn describe_rule(rule: &LifecycleRule, reach: Reach) -> String {
    let id = rule
        .id
        .as_deref()
        .map_or_else(|| "(no id)".to_string(), |id| format!("{id:?}"));
    if reach == Reach::Every {
        return format!("lifecycle rule {id}");
    }
    let mut limits = Vec::new();
    if let Some(prefix) = rule.prefix.as_deref().filter(|p| !p.is_empty()) {
        limits.push(format!("prefix {prefix:?}"));
    }
    if rule.narrowed_by_tags_or_size {
        limits.push("a tag or size filter".to_string());
    }
    if !rule.status.eq_ignore_ascii_case("Enabled") {
        limits.push(format!("status {:?}", rule.status));
    }
    format!(
        "lifecycle rule {id} (limited by {}, it may still reach log objects)",
        limits.join(" and ")
    )
}

/// Judges the bucket of `destination`; `posture` is what the scan read about it (`None`: not
/// collected, a snapshot from an older bedrock-audit).
pub fn judge(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    destination: &LogDestination,
    posture: Option<&BucketPosture>,
) {
    let name = destination.name();
    let Some(posture) = posture.filter(|p| p.bucket == destination.bucket) else {
        judgement.missing(
            format!("{name} was not read (a snapshot from an older bedrock-audit)"),
            Evidence::new(ENCRYPTION, Some(region))
                .with("Bucket", destination.bucket)
                .with("collected", false),
        );
        return;
    };
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
            judgement.problem(format!("its {name} does not exist"));
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
                    "{name} has no default SSE-KMS encryption ({}), so prompts are not under a key the organisation controls",
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
                    judgement.absorb(key_judgement, &format!("{name}: "));
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
                    "{name} does not block public access: {} off",
                    off.join(", ")
                ));
            }
        }
    }

    let logs = LogsPath::new(destination.key_prefix, ctx.snapshot.account_id());
    let lock = match posture.object_lock.as_ref().map(Collected::as_result) {
        None => {
            judgement.missing(
                format!("whether {name} has an Object Lock default retention ({OBJECT_LOCK} was not called: a snapshot from an older bedrock-audit)"),
                Evidence::new(OBJECT_LOCK, Some(region))
                    .with("Bucket", bucket)
                    .with("collected", false),
            );
            None
        }
        Some(Err(error)) => {
            unreadable(judgement, "Object Lock configuration", error);
            None
        }
        Some(Ok(lock)) => {
            judgement.evidence(
                Evidence::new(OBJECT_LOCK, Some(region))
                    .with("Bucket", bucket)
                    .with("ObjectLockConfiguration", lock),
            );
            lock.as_ref().and_then(lock_days)
        }
    };
    let versioning = posture.versioning.as_ref().map(Collected::as_result);
    match posture.lifecycle_rules.as_result() {
        Err(error) => unreadable(judgement, "lifecycle configuration", error),
        Ok(rules) => {
            judgement.evidence(
                Evidence::new(LIFECYCLE, Some(region))
                    .with("Bucket", bucket)
                    .with("log_objects_path", &logs.shown)
                    .with("Rules", rules),
            );
            let versioned = versioning
                .and_then(Result::ok)
                .filter(|status| is_versioned(status) == Some(true))
                .map(String::as_str);
            lifecycle(judgement, ctx, &name, &logs, rules, versioned, lock);
        }
    }

    match versioning {
        None => judgement.missing(
            format!("whether {name} keeps noncurrent versions ({VERSIONING} was not called: a snapshot from an older bedrock-audit)"),
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
                    "{name} has a versioning status this version of bedrock-audit does not know ({status:?})"
                ));
            }
        }
    }

    match posture.policy.as_ref().map(Collected::as_result) {
        None => judgement.missing(
            format!("whether {name} lets Bedrock write ({POLICY} was not called: a snapshot from an older bedrock-audit)"),
            Evidence::new(POLICY, Some(region))
                .with("Bucket", bucket)
                .with("collected", false),
        ),
        Some(Err(error)) => unreadable(judgement, "bucket policy", error),
        Some(Ok(document)) => {
            judgement.evidence(
                Evidence::new(POLICY, Some(region))
                    .with("Bucket", bucket)
                    .with("has_policy", document.is_some())
                    .with("bedrock_writes_under", &logs.shown),
            );
            match document {
                None => judgement.problem(format!(
                    "{name} has no bucket policy, so Bedrock (bedrock.amazonaws.com) may not write log objects to it and logging stores nothing there"
                )),
                Some(document) => {
                    bedrock_write(judgement, ctx, region, &name, bucket, &logs, document)
                }
            }
        }
    }
}

/// The minimum against every rule that may reach the log objects; the maximum against the
/// rules that surely reach all of them (plus their noncurrent versions when `versioned`).
fn lifecycle(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    name: &str,
    logs: &LogsPath,
    rules: &[LifecycleRule],
    versioned: Option<&str>,
    lock: Option<(i64, &str)>,
) {
    let min = i64::from(ctx.profile.data_retention.invocation_log_min_retention_days);
    let max = ctx
        .profile
        .data_retention
        .invocation_log_max_retention_days
        .map(i64::from);
    let path = &logs.shown;
    let reaching: Vec<(&LifecycleRule, Reach)> = rules
        .iter()
        .map(|rule| (rule, reach(rule, logs)))
        .filter(|(_, reach)| *reach != Reach::Nothing)
        .collect();

    for (rule, reach) in &reaching {
        let described = describe_rule(rule, *reach);
        if let Some(date) = &rule.expiration_date {
            judgement.problem(format!(
                "{name}: {described} deletes the objects under {path} on a fixed date ({date}) whatever their age, so prompts written shortly before it are kept less than the required {min} days"
            ));
        }
        if let Some(days) = rule.expiration_days.map(i64::from).filter(|d| *d < min) {
            judgement.problem(format!(
                "{name}: {described} expires the objects under {path} after {days} days, less than the required {min}"
            ));
        }
    }

    let surely = || reaching.iter().filter(|(_, reach)| *reach == Reach::Every);
    let Some(current_days) = surely()
        .filter_map(|(rule, _)| rule.expiration_days)
        .map(i64::from)
        .min()
    else {
        judgement.problem(format!(
            "{name} has no enabled lifecycle rule that surely expires every object under {path} after a number of days (rules limited by a narrower prefix, tags or size, or expiring on a fixed date, do not bound it), so prompts are kept forever"
        ));
        return;
    };
    // Object Lock keeps every version until its default retention ends, whatever expired it:
    // a prompt is kept at least that long.
    if let (Some(max), Some((lock_days, mode))) = (max, lock) {
        if lock_days > max {
            judgement.problem(format!(
                "{name} keeps prompts {lock_days} days under its Object Lock default retention ({mode}), which no lifecycle rule can shorten, more than the allowed {max}"
            ));
        }
    }
    let Some(status) = versioned else {
        if let Some(max) = max.filter(|max| current_days > *max) {
            judgement.problem(format!(
                "{name} keeps prompts {current_days} days, more than the allowed {max}"
            ));
        }
        return;
    };
    // In a versioned bucket an expired log object stays as a noncurrent version (so does one
    // written while versioning was on, once it is suspended): a prompt is kept for the
    // current expiry plus the noncurrent one.
    let Some(noncurrent_days) = surely()
        .filter_map(|(rule, _)| rule.noncurrent_expiration_days)
        .map(i64::from)
        .min()
    else {
        judgement.problem(format!(
            "{name} has versioning {status} and no enabled lifecycle rule that expires the noncurrent versions under {path}, so every expired prompt is kept forever as a noncurrent version"
        ));
        return;
    };
    let kept = current_days + noncurrent_days;
    if let Some(max) = max.filter(|max| kept > *max) {
        judgement.problem(format!(
            "{name} keeps prompts {kept} days ({current_days} as the current version, then {noncurrent_days} as a noncurrent one: versioning {status}), more than the allowed {max}"
        ));
    }
}

/// The Object Lock default retention in days (a year counted as 366, the longer reading),
/// with its mode; `None` when there is no default retention.
fn lock_days(lock: &ObjectLock) -> Option<(i64, &str)> {
    let mode = lock.mode.as_deref()?;
    let days = lock
        .days
        .map(i64::from)
        .or_else(|| lock.years.map(|years| i64::from(years) * 366))?;
    Some((days, mode))
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

/// Whether the bucket policy lets Bedrock write log objects for this account and region, as
/// the user guide's example policy does ("Set up an Amazon S3 destination": `Allow`,
/// `Principal.Service = bedrock.amazonaws.com`, `s3:PutObject` on
/// `<bucket>/<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/*`, conditions
/// `aws:SourceAccount = <account>` and `aws:SourceArn like arn:aws:bedrock:<region>:<account>:*`).
/// Without such a grant, logging silently stores nothing.
fn bedrock_write(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    region: &str,
    name: &str,
    bucket: &str,
    logs: &LogsPath,
    document: &str,
) {
    let Some(account) = ctx.snapshot.account_id() else {
        judgement.undetermined(format!(
            "whether the policy of {name} lets Bedrock write for this account (the account is unknown)"
        ));
        return;
    };
    let request = ServiceRequest {
        action: "s3:PutObject",
        resource: Some(format!(
            "arn:aws:s3:::{bucket}/{}{region}/2026/01/01/00/log.json.gz",
            logs.known
        )),
        account,
        region,
    };
    let path = &logs.shown;
    match service_grant::decide(document, &request) {
        Grant::Allowed => {}
        Grant::Denied(statement) => judgement.problem(format!(
            "the policy of {name} denies Bedrock (bedrock.amazonaws.com) s3:PutObject under {path} (statement {statement}), so logging stores nothing there"
        )),
        Grant::NotAllowed => judgement.problem(format!(
            "the policy of {name} has no statement allowing Bedrock (bedrock.amazonaws.com) s3:PutObject under {path} for account {account} in {region}, so logging stores nothing there"
        )),
        Grant::Undetermined(why) => judgement.undetermined(format!(
            "whether the policy of {name} lets Bedrock write log objects ({why})"
        )),
    }
}
