//! Service Quotas: Bedrock's per-model quotas (tokens and requests per minute, tokens per day)
//! and the account-wide `Cross-Model Max Tokens Per Day` in a region.

use aws_sdk_servicequotas::Client;

use super::paging::{all_pages, pages};
use crate::snapshot::{Collected, ServiceQuota};

pub const LIST_SERVICE_QUOTAS: &str = "servicequotas:ListServiceQuotas";

/// Every Bedrock quota whose name mentions Anthropic or Claude, plus the cross-model quotas
/// that cap every model (Bedrock has hundreds of quotas; the rest are not about Claude Code),
/// every page.
pub async fn bedrock_quotas(client: &Client) -> Collected<Vec<ServiceQuota>> {
    let stream = pages!(client
        .list_service_quotas()
        .service_code("bedrock")
        // The largest page the API allows: fewer calls.
        .max_results(100)
        .into_paginator()
        .send());
    all_pages(
        LIST_SERVICE_QUOTAS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.quotas().iter().filter_map(|q| {
                let name = q.quota_name()?;
                let lower = name.to_ascii_lowercase();
                if !(lower.contains("anthropic")
                    || lower.contains("claude")
                    || lower.contains("cross-model"))
                {
                    return None;
                }
                Some(ServiceQuota {
                    quota_code: q.quota_code()?.to_string(),
                    quota_name: name.to_string(),
                    value: q.value(),
                    adjustable: q.adjustable(),
                })
            }))
        },
    )
    .await
}
