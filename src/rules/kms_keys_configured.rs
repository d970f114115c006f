//! `kms-keys-configured`: CloudTrail trails and CloudWatch log groups in the target regions
//! (including the group that receives Bedrock model-invocation logs) are encrypted with a
//! customer-managed KMS key that is Enabled and rotates automatically. That key is what lets
//! the organisation control, audit and revoke access to prompts and API records at rest.
//!
//! One finding per trail (judged once, in its home region when that is a target region) and
//! per log group. A key the snapshot does not hold, or whose description failed, is `error`.
//! A key whose type cannot rotate automatically (KeyRotation::Unsupported) fails: the rule
//! asks for automatic rotation, and the message says how to act.

use std::collections::BTreeMap;

use crate::finding::{Evidence, Finding, Status};
use crate::rules::support::{judge_kms_key, Judgement};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::RegionSnapshot;

const TRAILS: &str = "cloudtrail:DescribeTrails";
const LOG_GROUPS: &str = "logs:DescribeLogGroups";
const INVOCATION_LOGGING: &str = "bedrock:GetModelInvocationLoggingConfiguration";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let account = ctx.snapshot.account_label();
    let judging_region = trail_regions(ctx);
    ctx.per_region(|region, snapshot, findings| {
        let before = findings.len();

        match snapshot.trails.as_result() {
            Err(error) => findings.push(ctx.unreadable(
                region,
                format!("arn:aws:cloudtrail:{region}:{account}:trail/*"),
                &format!("the CloudTrail trails of {region}"),
                error,
            )),
            Ok(trails) => {
                for trail in trails
                    .iter()
                    .filter(|t| judging_region.get(t.arn.as_str()).map(|r| r.as_str()) == Some(region))
                {
                    findings.push(encryption_finding(
                        ctx,
                        snapshot,
                        region,
                        &trail.arn,
                        &format!("Trail {}", trail.name),
                        trail.kms_key_id.as_deref(),
                        Evidence::new(TRAILS, Some(region))
                            .with("Name", &trail.name)
                            .with("TrailARN", &trail.arn)
                            .with("HomeRegion", &trail.home_region)
                            .with("KmsKeyId", &trail.kms_key_id),
                    ));
                }
            }
        }

        let invocation_group = match snapshot.invocation_logging.as_result() {
            Ok(Some(config)) => config.cloudwatch_log_group.as_deref(),
            // Without the config the groups are still all judged; only the label is lost.
            _ => None,
        };
        match snapshot.log_groups.as_result() {
            Err(error) => findings.push(ctx.unreadable(
                region,
                format!("arn:aws:logs:{region}:{account}:log-group:*"),
                &format!("the CloudWatch log groups of {region}"),
                error,
            )),
            Ok(groups) => {
                for group in groups {
                    let receives_invocations = invocation_group == Some(group.name.as_str());
                    let label = if receives_invocations {
                        format!("Log group {} (Bedrock model-invocation logs)", group.name)
                    } else {
                        format!("Log group {}", group.name)
                    };
                    findings.push(encryption_finding(
                        ctx,
                        snapshot,
                        region,
                        &group.arn,
                        &label,
                        group.kms_key_id.as_deref(),
                        Evidence::new(LOG_GROUPS, Some(region))
                            .with("logGroupName", &group.name)
                            .with("logGroupArn", &group.arn)
                            .with("kmsKeyId", &group.kms_key_id)
                            .with("receives_bedrock_invocation_logs", receives_invocations),
                    ));
                }
                if let Some(name) = invocation_group {
                    if !groups.iter().any(|g| g.name == name) {
                        findings.push(
                            ctx.finding(
                                Status::Fail,
                                region,
                                format!("arn:aws:logs:{region}:{account}:log-group:{name}"),
                                format!(
                                    "Bedrock model-invocation logging writes to log group {name}, which does not exist in {region}: create it encrypted with a customer-managed key."
                                ),
                            )
                            .with_evidence(
                                Evidence::new(INVOCATION_LOGGING, Some(region))
                                    .with("cloudWatchConfig.logGroupName", name),
                            )
                            .with_evidence(
                                Evidence::new(LOG_GROUPS, Some(region))
                                    .with("logGroupName", name)
                                    .with("exists", false),
                            ),
                        );
                    }
                }
            }
        }

        if findings.len() == before {
            findings.push(
                ctx.finding(
                    Status::NotApplicable,
                    region,
                    format!("region/{region}"),
                    format!("No trail homed in {region} and no CloudWatch log group there; nothing to encrypt."),
                )
                .with_evidence(
                    Evidence::new(TRAILS, Some(region)).with("trails_judged_here", 0),
                )
                .with_evidence(Evidence::new(LOG_GROUPS, Some(region)).with("log_group_count", 0)),
            );
        }
    })
}

/// Where each visible trail is judged: its home region when that is a target region holding
/// it, else the first target region that lists it. A multi-region trail shows up in every
/// region; judging it once keeps one finding per trail.
fn trail_regions<'a>(ctx: &'a RuleContext) -> BTreeMap<&'a str, &'a String> {
    let mut chosen: BTreeMap<&str, &String> = BTreeMap::new();
    for region in ctx.target_regions() {
        let Some(trails) = ctx.snapshot.region(region).and_then(|r| r.trails.data()) else {
            continue;
        };
        for trail in trails {
            let is_home = &trail.home_region == region;
            match chosen.get(trail.arn.as_str()) {
                Some(current) if !is_home || *current == &trail.home_region => {}
                _ => {
                    chosen.insert(trail.arn.as_str(), region);
                }
            }
        }
    }
    chosen
}

/// The finding for one resource that should be encrypted: its own evidence, then its key's.
fn encryption_finding(
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    resource: &str,
    label: &str,
    key: Option<&str>,
    evidence: Evidence,
) -> Finding {
    let mut judgement = Judgement::new();
    judgement.evidence(evidence);
    judge_kms_key(&mut judgement, snapshot, region, key);
    judgement.finding(
        ctx,
        region,
        resource,
        &format!("{label} is not protected by a usable customer-managed key"),
        format!(
            "{label} is encrypted with customer-managed key {}, which is Enabled and rotates automatically.",
            key.unwrap_or_default()
        ),
    )
}
