//! `bedrock-invocation-logging`: model-invocation logging stores full prompts and completions,
//! i.e. developers' source code. The profile says whether it must be kept
//! (`invocation_logging = "required"`: on, with text delivery, in every target region, to a
//! CloudWatch log group encrypted with a usable customer-managed key, expiring between the
//! minimum and the maximum, delivered by a role Bedrock can assume; and to S3 destinations, the
//! `s3Config` bucket and the large-data bucket, judged alike by [`log_bucket`]), must not be kept
//! (`"forbidden"`: no prompt content stored, i.e. off, or on with every content delivery off),
//! or is not a policy (`"any"`: not applicable, saying what is configured).
//!
//! One finding per target region. A destination that cannot be read is `error`; a bucket the
//! account does not own and cannot read is `error` as a cross-account destination.

use crate::finding::{Evidence, Finding, Status};
use crate::profile::InvocationLoggingPolicy;
use crate::rules::log_bucket::{self, LogDestination};
use crate::rules::service_grant::{self, Grant, ServiceRequest};
use crate::rules::support::{judge_kms_key, Judgement};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{Collected, InvocationLoggingConfig, LargeDataDelivery, RegionSnapshot};

const INVOCATION_LOGGING: &str = "bedrock:GetModelInvocationLoggingConfiguration";
const LOG_GROUPS: &str = "logs:DescribeLogGroups";
const PROFILE_KEY: &str = "data_retention.invocation_logging";
const GET_ROLE: &str = "iam:GetRole";

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
            // "forbidden" means no prompt content is stored: logging that keeps only
            // invocation metadata (every content delivery off) meets it.
            (InvocationLoggingPolicy::Forbidden, Some(config)) => {
                let stored = stored_content(config);
                if stored.is_empty() {
                    ctx.finding(
                        Status::Pass,
                        region,
                        resource,
                        format!(
                            "Model-invocation logging is on in {region} but stores no prompt content: text, image and embedding delivery are off, so only invocation metadata (model, token counts, timing, caller) is kept in {}. The profile forbids keeping prompts, and none are kept.",
                            destinations(config).join(" and ")
                        ),
                    )
                } else {
                    ctx.finding(
                        Status::Fail,
                        region,
                        resource,
                        format!(
                            "The profile forbids keeping prompts, but model-invocation logging in {region} stores {} in {}.",
                            stored.join(", "),
                            destinations(config).join(" and ")
                        ),
                    )
                }
            }
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
            .with(
                "cloudWatchConfig.largeDataDeliveryS3Config.bucketName",
                config
                    .large_data_delivery
                    .as_ref()
                    .and_then(|d| d.bucket.as_ref()),
            )
            .with("textDataDeliveryEnabled", config.text_data_delivery),
    }
}

fn destinations(config: &InvocationLoggingConfig) -> Vec<String> {
    config
        .cloudwatch_log_group
        .iter()
        .map(|g| format!("CloudWatch log group {g}"))
        .chain(config.s3_bucket.iter().map(|b| format!("S3 bucket {b}")))
        .chain(
            config
                .large_data_delivery
                .iter()
                .filter_map(|d| d.bucket.as_ref())
                .map(|b| format!("large-data S3 bucket {b}")),
        )
        .collect()
}

/// Bedrock delivers to CloudWatch Logs by assuming `cloudWatchConfig.roleArn` (user guide,
/// "Set up a CloudWatch Logs destination": the role trusts `bedrock.amazonaws.com`, with
/// `aws:SourceAccount` and `aws:SourceArn` conditions). A role that is missing, or that Bedrock
/// may not assume, means logging silently stores nothing.
fn delivery_role(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    config: &InvocationLoggingConfig,
) {
    let Some(arn) = &config.cloudwatch_role_arn else {
        judgement.problem(
            "its CloudWatch destination names no role for Bedrock to deliver with, so nothing reaches the log group",
        );
        return;
    };
    let role = match snapshot
        .invocation_log_role
        .as_ref()
        .map(Collected::as_result)
    {
        None => {
            judgement.missing(
                format!("whether Bedrock can assume role {arn} ({GET_ROLE} was not called: a snapshot from an older bedrock-audit)"),
                Evidence::new(GET_ROLE, None).with("RoleArn", arn).with("collected", false),
            );
            return;
        }
        Some(Err(error)) => {
            judgement.unreadable(
                format!("role {arn}, which Bedrock delivers to CloudWatch with"),
                error,
            );
            return;
        }
        Some(Ok(role)) => role,
    };
    judgement.evidence(
        Evidence::new(GET_ROLE, None)
            .with("RoleArn", arn)
            .with("exists", role.is_some()),
    );
    let Some(role) = role else {
        judgement.problem(format!(
            "its CloudWatch delivery role {arn} does not exist, so Bedrock cannot deliver and nothing reaches the log group"
        ));
        return;
    };
    let Some(account) = ctx.snapshot.account_id() else {
        judgement.undetermined(format!(
            "whether role {arn} lets Bedrock assume it for this account (the account is unknown)"
        ));
        return;
    };
    let request = ServiceRequest {
        action: "sts:AssumeRole",
        resource: None,
        account,
        region,
    };
    match role.trust_policy.as_deref().map(|doc| service_grant::decide(doc, &request)) {
        Some(Grant::Allowed) => {}
        None | Some(Grant::NotAllowed) => judgement.problem(format!(
            "its CloudWatch delivery role {arn} does not trust bedrock.amazonaws.com for this account and region, so Bedrock cannot assume it and nothing reaches the log group"
        )),
        Some(Grant::Denied(statement)) => judgement.problem(format!(
            "the trust policy of its CloudWatch delivery role {arn} denies bedrock.amazonaws.com (statement {statement}), so nothing reaches the log group"
        )),
        Some(Grant::Undetermined(why)) => judgement.undetermined(format!(
            "whether Bedrock may assume its CloudWatch delivery role {arn} ({why})"
        )),
    }
}

/// The prompt content the configuration delivers to its destinations.
fn stored_content(config: &InvocationLoggingConfig) -> Vec<&'static str> {
    [
        (config.text_data_delivery, "prompt and completion text"),
        (config.image_data_delivery, "images from prompts"),
        (config.embedding_data_delivery, "embeddings"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, what)| what)
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
        delivery_role(&mut judgement, ctx, snapshot, region, config);
    }
    if let Some(bucket) = &config.s3_bucket {
        let destination = LogDestination {
            kind: "S3 bucket",
            bucket,
            key_prefix: config.s3_key_prefix.as_deref(),
        };
        log_bucket::judge(
            &mut judgement,
            ctx,
            snapshot,
            region,
            &destination,
            snapshot.invocation_log_bucket.as_ref(),
        );
    }
    // Bodies too large for a CloudWatch event (most Claude Code turns) go to this bucket
    // instead: it holds prompts just the same.
    match &config.large_data_delivery {
        Some(LargeDataDelivery {
            bucket: Some(bucket),
            key_prefix,
        }) => {
            let destination = LogDestination {
                kind: "large-data S3 bucket",
                bucket,
                key_prefix: key_prefix.as_deref(),
            };
            log_bucket::judge(
                &mut judgement,
                ctx,
                snapshot,
                region,
                &destination,
                snapshot.large_data_log_bucket.as_ref(),
            );
        }
        Some(_) => {}
        None if config.cloudwatch_log_group.is_some() => judgement.missing(
            "whether the CloudWatch destination sends large bodies to an S3 bucket (cloudWatchConfig.largeDataDeliveryS3Config was not collected: a snapshot from an older bedrock-audit)",
            Evidence::new(INVOCATION_LOGGING, Some(region))
                .with("cloudWatchConfig.largeDataDeliveryS3Config", "not collected"),
        ),
        None => {}
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
