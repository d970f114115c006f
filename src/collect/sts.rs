//! Who is being audited: sts:GetCallerIdentity.

use crate::snapshot::{CallerIdentity, CollectError, Collected, ErrorKind};

use super::error::failed;

const GET_CALLER_IDENTITY: &str = "sts:GetCallerIdentity";

pub async fn caller_identity(client: &aws_sdk_sts::Client) -> Collected<CallerIdentity> {
    match client.get_caller_identity().send().await {
        Ok(out) => match out.account() {
            Some(account) if !account.is_empty() => Collected::ok(CallerIdentity {
                account: account.to_string(),
                arn: out.arn().unwrap_or_default().to_string(),
                user_id: out.user_id().unwrap_or_default().to_string(),
            }),
            _ => Collected::failed(CollectError {
                operation: GET_CALLER_IDENTITY.to_string(),
                kind: ErrorKind::Other,
                code: "IncompleteResponse".to_string(),
                message: "the response named no account".to_string(),
            }),
        },
        Err(err) => failed(GET_CALLER_IDENTITY, &err),
    }
}
