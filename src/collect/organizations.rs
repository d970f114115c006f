//! The organisation the account belongs to: organizations:DescribeOrganization. Its id is the
//! value of `aws:PrincipalOrgID` for the account's principals, which endpoint policies use to
//! admit only the organisation's callers.

use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError;

use super::error::failed;
use crate::snapshot::Collected;

const DESCRIBE_ORGANIZATION: &str = "organizations:DescribeOrganization";

/// `Some(id)` for a member account, `None` for an account in no organisation: AWS answers
/// `AWSOrganizationsNotInUseException` then (DescribeOrganization, AWS Organizations API
/// Reference), which is a fact, not a failure. Any other error is recorded as failed.
pub async fn organization_id(client: &aws_sdk_organizations::Client) -> Collected<Option<String>> {
    match client.describe_organization().send().await {
        Ok(out) => match out.organization().and_then(|o| o.id()) {
            Some(id) if !id.is_empty() => Collected::ok(Some(id.to_string())),
            _ => Collected::failed(crate::snapshot::CollectError {
                operation: DESCRIBE_ORGANIZATION.to_string(),
                kind: crate::snapshot::ErrorKind::Other,
                code: "IncompleteResponse".to_string(),
                message: "the response named no organization id".to_string(),
            }),
        },
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(DescribeOrganizationError::AwsOrganizationsNotInUseException(_))
            ) =>
        {
            Collected::ok(None)
        }
        Err(err) => failed(DESCRIBE_ORGANIZATION, &err),
    }
}
