//! The organisation the account belongs to: organizations:DescribeOrganization. Its id is the
//! value of `aws:PrincipalOrgID` for the account's principals, which endpoint policies use to
//! admit only the organisation's callers.

use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError;

use std::collections::BTreeMap;

use super::error::failed;
use super::paging::{all_pages, pages};
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

const LIST_PARENTS: &str = "organizations:ListParents";
const LIST_POLICIES_FOR_TARGET: &str = "organizations:ListPoliciesForTarget";
const DESCRIBE_POLICY: &str = "organizations:DescribePolicy";
/// The condition key an SCP uses to pin the data retention mode (Bedrock user guide, *Data
/// retention*: "use the bedrock:DataRetentionMode condition key in a service control policy").
pub const DATA_RETENTION_MODE_KEY: &str = "bedrock:DataRetentionMode";
/// An account sits under at most five levels of OUs below the root (AWS Organizations quotas:
/// "OU maximum nesting in a root: five levels"); a longer chain is not followed.
const MAX_PARENTS: usize = 6;

/// The service control policies that apply to `account` (attached to it, to each OU above it,
/// or to the root: SCPs inherit down the tree, AWS Organizations user guide, *SCP evaluation*)
/// with a statement that uses `bedrock:DataRetentionMode`. Evidence of whether the
/// organisation pins the mode. The calls succeed only from the management account or a
/// delegated administrator; anywhere else they fail (AccessDenied), which is recorded.
pub async fn data_retention_scps(
    client: &aws_sdk_organizations::Client,
    account: &str,
) -> Collected<Vec<crate::snapshot::RetentionScp>> {
    use aws_sdk_organizations::types::{ParentType, PolicyType};
    let mut targets = vec![account.to_string()];
    while targets.len() <= MAX_PARENTS {
        let Some(child) = targets.last() else { break };
        let parents = match client.list_parents().child_id(child).send().await {
            Ok(out) => out,
            Err(err) => return failed(LIST_PARENTS, &err),
        };
        let Some(parent) = parents.parents().first() else {
            break;
        };
        let Some(id) = parent.id() else { break };
        targets.push(id.to_string());
        if parent.r#type() == Some(&ParentType::Root) {
            break;
        }
    }
    // Policy id → (name, the targets it is attached to).
    let mut attached: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for target in &targets {
        let stream = pages!(client
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ServiceControlPolicy)
            .into_paginator()
            .send());
        let listed = all_pages(
            LIST_POLICIES_FOR_TARGET,
            stream,
            |page| page.next_token(),
            |page, out: &mut Vec<(String, String)>| {
                out.extend(page.policies().iter().filter_map(|p| {
                    Some((
                        p.id()?.to_string(),
                        p.name().unwrap_or_default().to_string(),
                    ))
                }))
            },
        )
        .await;
        let policies = match listed {
            Collected::Ok { data } => data,
            Collected::Failed { error } => return Collected::failed(error),
        };
        for (id, name) in policies {
            attached
                .entry(id)
                .or_insert_with(|| (name, Vec::new()))
                .1
                .push(target.clone());
        }
    }
    let mut found = Vec::new();
    for (id, (name, targets)) in attached {
        let content = match client.describe_policy().policy_id(&id).send().await {
            Ok(out) => out
                .policy()
                .and_then(|p| p.content())
                .unwrap_or_default()
                .to_string(),
            Err(err) => return failed(DESCRIBE_POLICY, &err),
        };
        let statements = statements_using(&content, DATA_RETENTION_MODE_KEY);
        if !statements.is_empty() {
            found.push(crate::snapshot::RetentionScp {
                policy_id: id,
                policy_name: name,
                attached_to: targets,
                statements,
            });
        }
    }
    Collected::ok(found)
}

/// The statements of a policy document whose `Condition` uses `key` (condition keys are
/// case-insensitive, IAM user guide, *Condition element*), each as compact JSON. A document
/// that is not JSON has none.
pub fn statements_using(document: &str, key: &str) -> Vec<String> {
    let Ok(policy) = serde_json::from_str::<serde_json::Value>(document) else {
        return Vec::new();
    };
    let statements: Vec<&serde_json::Value> = match policy.get("Statement") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(one @ serde_json::Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    statements
        .into_iter()
        .filter(|statement| {
            statement
                .get("Condition")
                .and_then(serde_json::Value::as_object)
                .is_some_and(|operators| {
                    operators.values().any(|keys| {
                        keys.as_object()
                            .is_some_and(|keys| keys.keys().any(|k| k.eq_ignore_ascii_case(key)))
                    })
                })
        })
        .map(|statement| statement.to_string())
        .collect()
}

const DESCRIBE_EFFECTIVE_POLICY: &str = "organizations:DescribeEffectivePolicy";

/// The account's effective Bedrock policy (`BEDROCK_POLICY`), whose guardrails Bedrock
/// enforces on every invocation. "You can call this operation from any account in a
/// organization", without a target for the caller's own account (doc comment of
/// `describe_effective_policy`, aws-sdk-organizations 1.137). `None` when the account has none
/// or the policy type is not enabled (`EffectivePolicyNotFoundException`), or the account is in
/// no organisation (`AWSOrganizationsNotInUseException`); any other error is recorded.
pub async fn effective_bedrock_policy(
    client: &aws_sdk_organizations::Client,
) -> Collected<Option<String>> {
    use aws_sdk_organizations::operation::describe_effective_policy::DescribeEffectivePolicyError;
    use aws_sdk_organizations::types::EffectivePolicyType;
    match client
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::BedrockPolicy)
        .send()
        .await
    {
        Ok(out) => Collected::ok(
            out.effective_policy()
                .and_then(|p| p.policy_content())
                .map(str::to_string),
        ),
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(
                    DescribeEffectivePolicyError::EffectivePolicyNotFoundException(_)
                        | DescribeEffectivePolicyError::AwsOrganizationsNotInUseException(_)
                )
            ) =>
        {
            Collected::ok(None)
        }
        Err(err) => failed(DESCRIBE_EFFECTIVE_POLICY, &err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_statements_by_condition_key_whatever_its_case() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"PinZdr","Effect":"Deny","Action":"bedrock:PutAccountDataRetention",
             "Resource":"*","Condition":{"StringNotEquals":{"Bedrock:DataRetentionMode":"none"}}},
            {"Effect":"Deny","Action":"s3:*","Resource":"*",
             "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#;
        let found = statements_using(doc, DATA_RETENTION_MODE_KEY);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("PinZdr"));
        let single = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"bedrock:dataretentionmode":"provider_data_share"}}}}"#;
        assert_eq!(statements_using(single, DATA_RETENTION_MODE_KEY).len(), 1);
        assert!(statements_using("not json", DATA_RETENTION_MODE_KEY).is_empty());
        assert!(statements_using(
            r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#,
            DATA_RETENTION_MODE_KEY
        )
        .is_empty());
    }
}
