//! `bedrock-api-keys`: no IAM user holds an Active long-term Bedrock API key (an IAM
//! service-specific credential for bedrock.amazonaws.com), unless the profile accepts them.
//!
//! Account-wide (region `global`). One `fail` per Active key; users whose keys could not be
//! listed, or a user listing that failed, are `error`; an older snapshot without the section
//! is `error` ("not collected"), never `pass`.

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{ApiKey, Collected};

const REGION: &str = "global";
const LIST_CREDENTIALS: &str = "iam:ListServiceSpecificCredentials";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let account = ctx.snapshot.account_label();
    let account_resource = format!("arn:aws:iam::{account}:root");
    let keys = match &ctx.snapshot.bedrock_api_keys {
        None => {
            let mut finding = ctx.finding(
                Status::Error,
                REGION,
                &account_resource,
                "Long-term Bedrock API keys were not collected: the snapshot comes from an older version. The rule cannot judge what it cannot read.",
            );
            finding.remediation = "Scan again with this version (bedrock-audit scan) so the snapshot holds the account's Bedrock API keys.".into();
            return vec![finding
                .with_evidence(Evidence::new(LIST_CREDENTIALS, None).with("collected", false))];
        }
        Some(Collected::Failed { error }) => {
            return vec![ctx.unreadable(
                REGION,
                &account_resource,
                "the account's IAM users",
                error,
            )]
        }
        Some(Collected::Ok { data }) => data,
    };
    let allowed = ctx.profile.access.allow_long_term_api_keys;
    let active: Vec<&ApiKey> = keys
        .keys
        .iter()
        .filter(|k| k.status.eq_ignore_ascii_case("Active"))
        .collect();
    let mut findings = Vec::new();
    if !allowed {
        for key in &active {
            findings.push(
                ctx.finding(
                    Status::Fail,
                    REGION,
                    key_resource(&account, key),
                    format!(
                        "IAM user {} holds an Active long-term Bedrock API key {} (created {}, expires {}): a static secret that bypasses SSO and session policies.",
                        key.user_name,
                        key.credential_id,
                        key.create_date.as_deref().unwrap_or("at an unknown date"),
                        key.expiration_date.as_deref().unwrap_or("never"),
                    ),
                )
                .with_evidence(key_evidence(key)),
            );
        }
    }
    // Active, Inactive and Expired are the statuses IAM documents; anything else is not
    // guessed at: it could be a usable key.
    for key in keys.keys.iter().filter(|k| {
        !["Active", "Inactive", "Expired"]
            .iter()
            .any(|known| k.status.eq_ignore_ascii_case(known))
    }) {
        let mut finding = ctx.finding(
            Status::Error,
            REGION,
            key_resource(&account, key),
            format!(
                "IAM user {}'s Bedrock API key {} has a status this version does not know ({:?}): it cannot be judged usable or not.",
                key.user_name, key.credential_id, key.status
            ),
        );
        finding.remediation = format!(
            "Check the key with `aws iam list-service-specific-credentials --user-name {} --service-name bedrock.amazonaws.com`; deactivate or delete it if it is a long-term key.",
            crate::rules::support::shell_word(&key.user_name)
        ).into();
        findings.push(finding.with_evidence(key_evidence(key)));
    }
    for user in &keys.unreadable {
        findings.push(ctx.unreadable(
            REGION,
            format!("arn:aws:iam::{account}:user/{}", user.user_name),
            &format!("the Bedrock API keys of IAM user {}", user.user_name),
            &user.error,
        ));
    }
    if findings.is_empty() {
        // Every key left is Inactive or Expired: an unknown status made an error above.
        let inactive = keys.keys.len() - active.len();
        let message = if allowed && !active.is_empty() {
            format!(
                "{} Active long-term Bedrock API key(s) among {} IAM users, accepted by the profile ([access] allow_long_term_api_keys = true).",
                active.len(),
                keys.users_checked
            )
        } else {
            format!(
                "No IAM user holds an Active long-term Bedrock API key ({} users checked, {inactive} inactive key(s)).",
                keys.users_checked
            )
        };
        let mut finding = ctx.finding(Status::Pass, REGION, &account_resource, message);
        finding.evidence.push(
            Evidence::new(LIST_CREDENTIALS, None)
                .with("ServiceName", "bedrock.amazonaws.com")
                .with("users_checked", keys.users_checked)
                .with("active_keys", active.len())
                .with("inactive_keys", inactive),
        );
        for key in active {
            finding.evidence.push(key_evidence(key));
        }
        findings.push(finding);
    }
    findings
}

/// The ARN-like name a key's finding is reported under (waivers and baselines match on it).
fn key_resource(account: &str, key: &ApiKey) -> String {
    format!(
        "arn:aws:iam::{account}:user/{}/service-specific-credential/{}",
        key.user_name, key.credential_id
    )
}

fn key_evidence(key: &ApiKey) -> Evidence {
    Evidence::new(LIST_CREDENTIALS, None)
        .with("UserName", &key.user_name)
        .with("ServiceSpecificCredentialId", &key.credential_id)
        .with("Status", &key.status)
        .with("CreateDate", &key.create_date)
        .with("ExpirationDate", &key.expiration_date)
}
