//! CloudWatch Logs: every log group's retention and encryption key.

use aws_sdk_cloudwatchlogs::Client;

use super::paging::{all_pages, pages};
use crate::snapshot::{Collected, LogGroup};

const DESCRIBE_LOG_GROUPS: &str = "logs:DescribeLogGroups";

pub async fn collect(client: &Client) -> Collected<Vec<LogGroup>> {
    let stream = pages!(client.describe_log_groups().into_paginator().send());
    all_pages(
        DESCRIBE_LOG_GROUPS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.log_groups().iter().map(|g| {
                LogGroup {
                    name: g.log_group_name().unwrap_or_default().to_string(),
                    // `logGroupArn` is the plain ARN; `arn` carries a trailing `:*`.
                    arn: g
                        .log_group_arn()
                        .map(str::to_string)
                        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()))
                        .unwrap_or_default(),
                    retention_in_days: g.retention_in_days(),
                    kms_key_id: g.kms_key_id().filter(|k| !k.is_empty()).map(str::to_string),
                }
            }))
        },
    )
    .await
}
