//! `log-retention-set`: every CloudWatch log group in the target regions has a retention
//! policy of at least `min_log_retention_days`. A group without one never expires, which is
//! both a cost and a data-retention surprise when Bedrock invocation logs land there.

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{RuleContext, WithEvidence};

const SOURCE: &str = "logs:DescribeLogGroups";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let min_days = ctx.profile.data_retention.min_log_retention_days;
    ctx.per_region(|region, snapshot, findings| {
        let groups = match snapshot.log_groups.as_result() {
            Ok(groups) => groups,
            Err(error) => {
                findings.push(ctx.unreadable(
                    region,
                    format!(
                        "arn:aws:logs:{region}:{}:log-group:*",
                        ctx.snapshot.account_label()
                    ),
                    "the region's CloudWatch log groups",
                    error,
                ));
                return;
            }
        };
        if groups.is_empty() {
            findings.push(
                ctx.finding(
                    Status::NotApplicable,
                    region,
                    format!(
                        "arn:aws:logs:{region}:{}:log-group:*",
                        ctx.snapshot.account_label()
                    ),
                    format!("No CloudWatch log groups in {region}; nothing to judge."),
                )
                .with_evidence(Evidence::new(SOURCE, Some(region)).with("log_group_count", 0)),
            );
            return;
        }
        for group in groups {
            let evidence = Evidence::new(SOURCE, Some(region))
                .with("logGroupName", &group.name)
                .with("retentionInDays", group.retention_in_days)
                .with("min_log_retention_days", min_days);
            let (status, message) = match group.retention_in_days {
                None => (
                    Status::Fail,
                    format!(
                        "Log group {} has no retention policy, so its events never expire; set one of at least {min_days} days.",
                        group.name
                    ),
                ),
                Some(days) if i64::from(days) < i64::from(min_days) => (
                    Status::Fail,
                    format!(
                        "Log group {} keeps events for {days} days, less than the required {min_days}.",
                        group.name
                    ),
                ),
                Some(days) => (
                    Status::Pass,
                    format!(
                        "Log group {} keeps events for {days} days (at least {min_days} required).",
                        group.name
                    ),
                ),
            };
            findings.push(
                ctx.finding(status, region, group.arn.clone(), message)
                    .with_evidence(evidence),
            );
        }
    })
}
