//! Scanning several accounts: assume the audit role in each (sts:AssumeRole, which issues
//! temporary credentials and changes nothing in the account), then read it exactly as a single
//! scan does, with a `Scan` of its own, so no cache or finding of one account reaches another.
//! Credentials come from the SDK's assume-role provider behind its credentials cache, which
//! assumes the role again before the credentials expire: a long scan outlives the session.

use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_sdk_sts::config::ProvideCredentials;
use aws_types::sdk_config::SdkConfig;

use super::trace::{TraceSink, TraceTarget};
use super::{
    check_credentials, collect_with, first_region, load_base_config, write_trace, Limits,
    ScanOptions,
};
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::snapshot::Snapshot;
use crate::untrusted_text::{capped, quoted, MESSAGE_QUOTE_LIMIT};

/// The one call a multi-account scan makes that is not a Describe, List or Get: it issues
/// temporary credentials for the audit role and changes nothing.
pub const ASSUME_ROLE_ACTION: &str = "sts:AssumeRole";

/// What the principal that runs a scan of several accounts needs beyond the audit role in
/// each account (which needs what `iam-policy` prints): listing the organisation (`--org`)
/// and assuming the roles. Kept out of [`super::operations::OPERATIONS`], which is the audit
/// role's policy.
pub const ORCHESTRATION_ACTIONS: &[&str] = &[LIST_ACCOUNTS, ASSUME_ROLE_ACTION];

/// How to reach each account.
#[derive(Debug, Clone)]
pub struct RoleOptions {
    pub role_name: String,
    pub external_id: Option<String>,
    pub session_name: String,
    pub max_parallel: usize,
}

/// One account's outcome: its snapshot, or why it could not be read at all.
#[derive(Debug)]
pub struct AccountScan {
    pub account: String,
    /// The role assumed (`None`: the scanner's own account, read with its own credentials).
    pub role_arn: Option<String>,
    pub snapshot: std::result::Result<Snapshot, String>,
}

/// `BEDROCK_AUDIT_ROLE_SESSION_SECONDS`: the assumed-role session length (default one hour).
/// Tests set it short to see the credentials renewed during a scan.
fn session_length() -> Result<Duration> {
    match std::env::var("BEDROCK_AUDIT_ROLE_SESSION_SECONDS") {
        Err(_) => Ok(Duration::from_secs(3600)),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seconds @ 1..=43_200) => Ok(Duration::from_secs(seconds)),
            _ => Err(Error::Input(format!(
                "BEDROCK_AUDIT_ROLE_SESSION_SECONDS=\"{}\": expected a whole number of seconds from 1 to 43200",
                quoted(&text, MESSAGE_QUOTE_LIMIT)
            ))),
        },
    }
}

/// Reads every account, at most `role.max_parallel` at a time, and hands each to `on_account`
/// in the order given, as soon as it and those before it are read (so the caller can judge
/// it and let its snapshot go).
pub async fn collect_accounts(
    options: &ScanOptions,
    profile: &Profile,
    accounts: &[String],
    role: &RoleOptions,
    mut on_account: impl FnMut(AccountScan),
) -> Result<()> {
    use futures::StreamExt;
    let first_region = first_region(options)?;
    let limits = Limits::from_env()?;
    let session = session_length()?;
    let base = load_base_config(options, first_region, limits).await;
    check_credentials(&base, options, limits).await?;
    // The scanner's own account is read with its own credentials, never through a role.
    let identity = super::sts::caller_identity(&aws_sdk_sts::Client::new(&base)).await;
    let own_account = identity.data().map(|i| i.account.clone());
    let partition = identity
        .data()
        .map_or("aws", |i| partition_of(&i.arn))
        .to_string();
    // One trace for the run, each record filed under its account.
    let sink = options
        .trace_calls
        .as_ref()
        .map(|_| std::sync::Arc::new(TraceSink::default()));
    let base = &base;
    let partition = &partition;
    let own_account = &own_account;
    let sink_ref = &sink;
    futures::stream::iter(accounts)
        .map(|account| async move {
            let trace = sink_ref.clone().map(|sink| TraceTarget {
                sink,
                account: Some(account.clone()),
            });
            if own_account.as_deref() == Some(account.as_str()) {
                return AccountScan {
                    account: account.clone(),
                    role_arn: None,
                    snapshot: collect_with(options, profile, base.clone(), trace)
                        .await
                        .map_err(|e| e.to_string()),
                };
            }
            let role_arn = format!("arn:{partition}:iam::{account}:role/{}", role.role_name);
            let snapshot = scan_through_role(
                options, profile, base, &role_arn, account, role, session, limits, trace,
            )
            .await;
            AccountScan {
                account: account.clone(),
                role_arn: Some(role_arn),
                snapshot,
            }
        })
        .buffered(role.max_parallel.max(1))
        .for_each(|scan| {
            on_account(scan);
            std::future::ready(())
        })
        .await;
    write_trace(options, sink.as_deref())
}

#[allow(clippy::too_many_arguments)]
async fn scan_through_role(
    options: &ScanOptions,
    profile: &Profile,
    base: &SdkConfig,
    role_arn: &str,
    account: &str,
    role: &RoleOptions,
    session: Duration,
    limits: Limits,
    trace: Option<TraceTarget>,
) -> std::result::Result<Snapshot, String> {
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .session_name(&role.session_name)
        .session_length(session)
        .configure(base);
    if let Some(id) = &role.external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.build().await;
    // Assume once up front: a role that cannot be assumed is reported as such, not as a
    // failure of every call.
    match tokio::time::timeout(limits.operation_timeout, provider.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => {
            let chain = super::error::error_chain(&err);
            return Err(format!(
                "{ASSUME_ROLE_ACTION} on {role_arn} failed: {}",
                capped(chain.lines().next().unwrap_or_default(), 1024)
            ));
        }
        Err(_) => return Err(format!("{ASSUME_ROLE_ACTION} on {role_arn} timed out")),
    }
    let config = base
        .to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build();
    let snapshot = collect_with(options, profile, config, trace)
        .await
        .map_err(|e| e.to_string())?;
    // The role lives in the account named, so its identity must be that account; anything
    // else would file one account's state under another's id.
    match snapshot.account_id() {
        Some(seen) if seen != account => Err(format!(
            "the role {role_arn} reports account {seen}, not {account}"
        )),
        _ => Ok(snapshot),
    }
}

/// `arn:aws-cn:sts::…` → `aws-cn`.
fn partition_of(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// The organisation's ACTIVE accounts (organizations:ListAccounts, every page), as the
/// management or a delegated-administrator account sees them. A listing that cannot be read
/// stops the run: scanning part of an organisation as if it were all of it would be a false
/// picture.
pub async fn organization_accounts(options: &ScanOptions) -> Result<Vec<String>> {
    let first_region = first_region(options)?;
    let limits = Limits::from_env()?;
    let base = load_base_config(options, first_region, limits).await;
    check_credentials(&base, options, limits).await?;
    let client = aws_sdk_organizations::Client::new(&base);
    let stream = super::paging::pages!(client.list_accounts().into_paginator().send());
    let listed = super::paging::all_pages(
        LIST_ACCOUNTS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(
                page.accounts()
                    .iter()
                    .map(|a| (a.id().unwrap_or_default().to_string(), account_state(a))),
            )
        },
    )
    .await;
    let accounts = match listed {
        crate::snapshot::Collected::Ok { data } => data,
        crate::snapshot::Collected::Failed { error } => {
            return Err(Error::Environment(format!(
                "--org: cannot list the organization's accounts: {} failed with {}: {} (run from the management account or a delegated administrator, or name the accounts with --accounts)",
                error.operation, error.code, error.message
            )))
        }
    };
    let mut active = Vec::new();
    for (id, state) in accounts {
        if !crate::account_list::is_account_id(&id) {
            return Err(Error::Environment(format!(
                "--org: {LIST_ACCOUNTS} returned \"{}\", which is not an account id",
                quoted(&id, MESSAGE_QUOTE_LIMIT)
            )));
        }
        if state.eq_ignore_ascii_case("ACTIVE") {
            active.push(id);
        }
    }
    Ok(active)
}

const LIST_ACCOUNTS: &str = "organizations:ListAccounts";

/// `State` (the current field), else the older `Status`.
#[allow(deprecated)]
fn account_state(account: &aws_sdk_organizations::types::Account) -> String {
    account
        .state()
        .map(|s| s.as_str().to_string())
        .or_else(|| account.status().map(|s| s.as_str().to_string()))
        .unwrap_or_default()
}
