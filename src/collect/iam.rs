//! IAM: policy simulations for the developer principals, and long-term Bedrock API keys.
//!
//! IAM lists end with `IsTruncated = false`; a truncated page without a new `Marker`, or one
//! that repeats the previous marker, leaves the listing incomplete, which fails the section.

use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult, Statement};
use aws_sdk_iam::Client;

use super::error::{from_sdk, pagination_incomplete};
use crate::access_plan::{
    SimulationRequest, INFERENCE_PROFILE_ARN_KEY, REQUESTED_REGION_KEY, SECURE_TRANSPORT_KEY,
};
use crate::snapshot::{
    ApiKey, CollectError, Collected, MatchedStatement, SimulationResult, UnreadableUser,
};

pub const SIMULATE: &str = "iam:SimulatePrincipalPolicy";
pub const LIST_USERS: &str = "iam:ListUsers";
pub const LIST_CREDENTIALS: &str = "iam:ListServiceSpecificCredentials";
/// The service name of long-term Bedrock API keys.
pub const BEDROCK_SERVICE_NAME: &str = "bedrock.amazonaws.com";

/// A guard against a service that never ends a listing.
const MAX_PAGES: usize = 10_000;

/// The marker for the next page, `None` when the listing is complete, or why it is not.
fn next_marker(
    operation: &str,
    is_truncated: bool,
    marker: Option<&str>,
    previous: Option<&str>,
    pages_read: usize,
) -> Result<Option<String>, CollectError> {
    if !is_truncated {
        return Ok(None);
    }
    match marker.filter(|m| !m.is_empty()) {
        None => Err(pagination_incomplete(
            operation,
            &format!("page {pages_read} said IsTruncated but gave no Marker, so the rest cannot be read"),
        )),
        Some(m) if Some(m) == previous => Err(pagination_incomplete(
            operation,
            &format!("page {pages_read} repeated the previous Marker, so the listing never reached its end"),
        )),
        Some(_) if pages_read >= MAX_PAGES => Err(pagination_incomplete(
            operation,
            &format!("stopped after {MAX_PAGES} pages: the listing did not end"),
        )),
        Some(m) => Ok(Some(m.to_string())),
    }
}

fn after_pages(mut error: CollectError, pages_read: usize) -> CollectError {
    if pages_read > 0 {
        error.message = format!(
            "{} (failed after {pages_read} page(s); the partial list was discarded)",
            error.message
        );
    }
    error
}

/// One simulation, every page of it, with the request context of the decisions it asks
/// about: `aws:RequestedRegion`, `bedrock:InferenceProfileArn` when the request is made through
/// a profile, and the other entries of [`SimulationRequest::extra_context`].
pub async fn simulate(
    client: &Client,
    request: &SimulationRequest,
) -> Collected<Vec<SimulationResult>> {
    simulate_in_context(client, request, Vec::new()).await
}

/// [`simulate`] as if the request came from outside the private path: `aws:SourceIp` a public
/// address and no `aws:SourceVpce` (absent keys are simply not sent). If this is allowed, the
/// endpoint is available but not enforced.
pub async fn simulate_outside_origin(
    client: &Client,
    request: &SimulationRequest,
) -> Collected<Vec<SimulationResult>> {
    let source_ip = ContextEntry::builder()
        .context_key_name("aws:SourceIp")
        .context_key_values(crate::access_plan::OUTSIDE_SOURCE_IP)
        .context_key_type(ContextKeyTypeEnum::Ip)
        .build();
    simulate_in_context(client, request, vec![source_ip]).await
}

async fn simulate_in_context(
    client: &Client,
    request: &SimulationRequest,
    extra_context: Vec<ContextEntry>,
) -> Collected<Vec<SimulationResult>> {
    let entry = |key: &str, value: &str, kind: ContextKeyTypeEnum| {
        ContextEntry::builder()
            .context_key_name(key)
            .context_key_values(value)
            .context_key_type(kind)
            .build()
    };
    let mut context = vec![entry(
        REQUESTED_REGION_KEY,
        &request.requested_region,
        ContextKeyTypeEnum::String,
    )];
    if let Some(profile) = &request.inference_profile_arn {
        context.push(entry(
            INFERENCE_PROFILE_ARN_KEY,
            profile,
            ContextKeyTypeEnum::String,
        ));
    }
    for (key, value) in request.extra_context() {
        let kind = if key == SECURE_TRANSPORT_KEY {
            ContextKeyTypeEnum::Boolean
        } else {
            ContextKeyTypeEnum::String
        };
        context.push(entry(&key, &value, kind));
    }
    context.extend(extra_context);
    let mut results = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages_read = 0;
    loop {
        let page = client
            .simulate_principal_policy()
            .policy_source_arn(&request.principal)
            .set_action_names(Some(request.actions.clone()))
            .set_resource_arns(Some(request.resources.clone()))
            .set_context_entries(Some(context.clone()))
            .set_marker(marker.clone())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                return Collected::failed(after_pages(from_sdk(SIMULATE, &err), pages_read))
            }
        };
        pages_read += 1;
        results.extend(
            page.evaluation_results()
                .iter()
                .flat_map(simulation_results),
        );
        match next_marker(
            SIMULATE,
            page.is_truncated(),
            page.marker(),
            marker.as_deref(),
            pages_read,
        ) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => return Collected::ok(results),
            Err(error) => return Collected::failed(error),
        }
    }
}

fn statements(statements: &[Statement]) -> Vec<MatchedStatement> {
    statements
        .iter()
        .map(|s| MatchedStatement {
            source_policy_id: s.source_policy_id().map(str::to_string),
            source_policy_type: s.source_policy_type().map(|t| t.as_str().to_string()),
        })
        .collect()
}

/// One result per (action, resource). The simulator returns one `EvaluationResult` per action
/// whose top-level fields aggregate every resource asked about, and the decision for each
/// resource, with its own MatchedStatements and MissingContextValues, inside
/// `ResourceSpecificResults` (doc comments of `EvaluationResult` and `ResourceSpecificResult`
/// in aws-sdk-iam 1.133). An answer without per-resource entries (older simulators, or no
/// resource) is read from the top level. The Organizations detail exists only at the top
/// level: a resource denied while the aggregate says an SCP denied is reported with it.
fn simulation_results(result: &EvaluationResult) -> Vec<SimulationResult> {
    let allowed_by_organizations = result
        .organizations_decision_detail()
        .map(|d| d.allowed_by_organizations());
    let top_boundary = result
        .permissions_boundary_decision_detail()
        .map(|d| d.allowed_by_permissions_boundary());
    let per_resource = result.resource_specific_results();
    if per_resource.is_empty() {
        return vec![SimulationResult {
            action: result.eval_action_name().to_string(),
            resource: result.eval_resource_name().unwrap_or("*").to_string(),
            decision: result.eval_decision().as_str().to_string(),
            allowed_by_organizations,
            allowed_by_permissions_boundary: top_boundary,
            matched_statements: statements(result.matched_statements()),
            missing_context_values: result.missing_context_values().to_vec(),
        }];
    }
    per_resource
        .iter()
        .map(|specific| {
            let decision = specific.eval_resource_decision().as_str().to_string();
            let denied = decision != "allowed";
            SimulationResult {
                action: result.eval_action_name().to_string(),
                resource: specific.eval_resource_name().to_string(),
                allowed_by_organizations: match allowed_by_organizations {
                    Some(false) if !denied => None,
                    other => other,
                },
                allowed_by_permissions_boundary: specific
                    .permissions_boundary_decision_detail()
                    .map(|d| d.allowed_by_permissions_boundary())
                    .or(match top_boundary {
                        Some(false) if !denied => None,
                        other => other,
                    }),
                matched_statements: statements(specific.matched_statements()),
                missing_context_values: specific.missing_context_values().to_vec(),
                decision,
            }
        })
        .collect()
}

/// Every IAM user name, every page (1,000 a page, the most IAM allows).
pub async fn user_names(client: &Client) -> Collected<Vec<String>> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages_read = 0;
    loop {
        let page = client
            .list_users()
            .max_items(1000)
            .set_marker(marker.clone())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                return Collected::failed(after_pages(from_sdk(LIST_USERS, &err), pages_read))
            }
        };
        pages_read += 1;
        names.extend(page.users().iter().map(|u| u.user_name().to_string()));
        match next_marker(
            LIST_USERS,
            page.is_truncated(),
            page.marker(),
            marker.as_deref(),
            pages_read,
        ) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => return Collected::ok(names),
            Err(error) => return Collected::failed(error),
        }
    }
}

/// One user's Bedrock API keys: metadata only (the API never returns the secret).
pub async fn api_keys_of(client: &Client, user: &str) -> Result<Vec<ApiKey>, UnreadableUser> {
    let unreadable = |error| UnreadableUser {
        user_name: user.to_string(),
        error,
    };
    let mut keys = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages_read = 0;
    loop {
        let page = client
            .list_service_specific_credentials()
            .user_name(user)
            .service_name(BEDROCK_SERVICE_NAME)
            .set_marker(marker.clone())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                return Err(unreadable(after_pages(
                    from_sdk(LIST_CREDENTIALS, &err),
                    pages_read,
                )))
            }
        };
        pages_read += 1;
        keys.extend(
            page.service_specific_credentials()
                .iter()
                // The filter is the service's; keep only what it was asked for.
                .filter(|c| c.service_name().eq_ignore_ascii_case(BEDROCK_SERVICE_NAME))
                .map(|c| ApiKey {
                    user_name: c.user_name().to_string(),
                    credential_id: c.service_specific_credential_id().to_string(),
                    status: c.status().as_str().to_string(),
                    create_date: date_text(Some(c.create_date())),
                    expiration_date: date_text(c.expiration_date()),
                }),
        );
        match next_marker(
            LIST_CREDENTIALS,
            page.is_truncated(),
            page.marker(),
            marker.as_deref(),
            pages_read,
        ) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => return Ok(keys),
            Err(error) => return Err(unreadable(error)),
        }
    }
}

fn date_text(date: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    date.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_ends_only_when_not_truncated() {
        assert_eq!(
            next_marker("iam:ListUsers", false, Some("m"), None, 1),
            Ok(None)
        );
        assert_eq!(
            next_marker("iam:ListUsers", true, Some("m2"), Some("m1"), 2),
            Ok(Some("m2".to_string()))
        );
        for (marker, previous) in [(None, None), (Some(""), None), (Some("m1"), Some("m1"))] {
            let error =
                next_marker("iam:ListUsers", true, marker, previous, 3).expect_err("incomplete");
            assert_eq!(error.code, "PaginationIncomplete");
            assert!(error.message.contains("page 3"), "{}", error.message);
        }
        assert!(next_marker("iam:ListUsers", true, Some("m"), None, MAX_PAGES).is_err());
        assert!(next_marker("iam:ListUsers", true, Some("m"), None, MAX_PAGES - 1).is_ok());
    }
}
