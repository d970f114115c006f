//! `no-zdr-assumption`: Anthropic's zero data retention (ZDR) is not available through Amazon
//! Bedrock, so a rollout whose policy requires it must not go through Bedrock. Retention on
//! Bedrock can never be zero: CloudTrail's event history keeps 90 days of management events
//! in every account, and model-invocation logging, when on, stores prompts and completions.
//!
//! One `global` finding on the profile's requirement, plus one per target region saying what
//! Bedrock retains there (fail when ZDR is required, since each region then retains data the
//! policy forbids; error when the invocation-logging configuration could not be read).

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{RuleContext, WithEvidence};

const INVOCATION_LOGGING: &str = "bedrock:GetModelInvocationLoggingConfiguration";
const PROFILE_KEY: &str = "data_retention.zero_data_retention_required";
const EVENT_HISTORY_DAYS: u32 = 90;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let required = ctx.profile.data_retention.zero_data_retention_required;
    let profile_evidence = Evidence::new("profile", None)
        .with(PROFILE_KEY, required)
        .with("zdr_available_on_bedrock", false);
    let mut findings = vec![if required {
        ctx.finding(
            Status::Fail,
            "global",
            format!("profile/{PROFILE_KEY}"),
            "The rollout requires zero data retention, which Anthropic does not offer through Amazon Bedrock. Use the Anthropic API under a ZDR agreement, or Claude in Azure AI Foundry where Anthropic's ZDR terms apply, or change the requirement.",
        )
    } else {
        ctx.finding(
            Status::Pass,
            "global",
            format!("profile/{PROFILE_KEY}"),
            "The rollout does not assume zero data retention, which is not available through Amazon Bedrock.",
        )
    }
    .with_evidence(profile_evidence)];

    findings.extend(ctx.per_region(|region, snapshot, findings| {
        let resource = format!("bedrock-model-invocation-logging/{region}");
        let config = match snapshot.invocation_logging.as_result() {
            Ok(config) => config,
            Err(error) => {
                findings.push(ctx.unreadable(
                    region,
                    resource,
                    &format!("the Bedrock model-invocation logging configuration of {region}"),
                    error,
                ));
                return;
            }
        };
        let mut evidence = Evidence::new(INVOCATION_LOGGING, Some(region))
            .with("logging_enabled", config.is_some())
            .with("cloudtrail_event_history_days", EVENT_HISTORY_DAYS);
        let retained = match config {
            None => format!(
                "Model-invocation logging is off, so Bedrock stores no prompts or completions in {region}; CloudTrail event history still keeps {EVENT_HISTORY_DAYS} days of management events."
            ),
            Some(config) => {
                evidence = evidence
                    .with("cloudWatchConfig.logGroupName", &config.cloudwatch_log_group)
                    .with("s3Config.bucketName", &config.s3_bucket)
                    .with("textDataDeliveryEnabled", config.text_data_delivery)
                    .with("imageDataDeliveryEnabled", config.image_data_delivery)
                    .with("embeddingDataDeliveryEnabled", config.embedding_data_delivery);
                let destinations: Vec<String> = config
                    .cloudwatch_log_group
                    .iter()
                    .map(|g| format!("CloudWatch log group {g}"))
                    .chain(config.s3_bucket.iter().map(|b| format!("S3 bucket {b}")))
                    .collect();
                let what = if config.text_data_delivery {
                    "prompts and completions"
                } else {
                    "invocation metadata (text delivery off)"
                };
                format!(
                    "Model-invocation logging is on in {region}: {what} are stored in {} for as long as their retention allows; CloudTrail event history also keeps {EVENT_HISTORY_DAYS} days of management events.",
                    if destinations.is_empty() { "no destination".to_string() } else { destinations.join(" and ") }
                )
            }
        };
        let (status, message) = if required {
            (
                Status::Fail,
                format!("Zero data retention is required, but Bedrock retains data in {region}. {retained}"),
            )
        } else {
            (
                Status::Pass,
                format!("Retention in {region} is known, not zero. {retained}"),
            )
        };
        findings.push(
            ctx.finding(status, region, resource, message)
                .with_evidence(evidence)
                .with_evidence(Evidence::new("profile", None).with(PROFILE_KEY, required)),
        );
    }));
    findings
}
