//! What makes our test server one whole account: IAM's SimulatePrincipalPolicy and
//! ListServiceSpecificCredentials (query protocol, XML answers, IAM's XML error shape) and
//! Service Quotas' ListServiceQuotas for `bedrock` (JSON 1.1), answered from a seeded
//! scenario, and every other request forwarded to moto unchanged (method, path, query,
//! headers, body). Requests are routed by the service in the SigV4 credential scope and by
//! `Action` / `X-Amz-Target`, as AWS's own front ends do.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::bedrock_server::{BedrockRegion, FaultKind, ACCOUNT};

#[derive(Debug, Clone)]
pub struct SeedApiKey {
    pub user: String,
    pub id: String,
    /// Active or Inactive.
    pub status: String,
    pub created: String,
    pub expires: Option<String>,
}

impl SeedApiKey {
    pub fn new(user: &str, id: &str, status: &str) -> SeedApiKey {
        SeedApiKey {
            user: user.into(),
            id: id.into(),
            status: status.into(),
            created: "2025-10-02T09:14:00Z".into(),
            expires: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SeedQuota {
    pub code: String,
    pub name: String,
    pub value: f64,
}

impl SeedQuota {
    pub fn new(code: &str, name: &str, value: f64) -> SeedQuota {
        SeedQuota {
            code: code.into(),
            name: name.into(),
            value,
        }
    }

    /// Plenty for Sonnet 4.5, Haiku 4.5 and Opus 4.1 through `us.`/`global.` profiles, plus
    /// the near-misses a loose matcher would take (Sonnet 4, the 1M-context variant).
    pub fn claude_ready() -> Vec<SeedQuota> {
        let cross = "Cross-region model inference";
        vec![
            SeedQuota::new("L-59759B4A", &format!("{cross} tokens per minute for Anthropic Claude Sonnet 4.5 V1"), 4_000_000.0),
            SeedQuota::new("L-12D9F6D4", &format!("{cross} requests per minute for Anthropic Claude Sonnet 4.5 V1"), 2_000.0),
            SeedQuota::new("L-8D5D4E2A", &format!("{cross} tokens per minute for Anthropic Claude Sonnet 4.5 V1 1M Context Length"), 0.0),
            SeedQuota::new("L-1F5BC8B4", &format!("{cross} tokens per minute for Anthropic Claude Sonnet 4 V1"), 0.0),
            SeedQuota::new("L-58BE175A", &format!("{cross} tokens per minute for Anthropic Claude Haiku 4.5"), 4_000_000.0),
            SeedQuota::new("L-3B5E2B1C", &format!("{cross} requests per minute for Anthropic Claude Haiku 4.5"), 2_000.0),
            SeedQuota::new("L-2A1E0C77", &format!("{cross} tokens per minute for Anthropic Claude Opus 4.1"), 1_000_000.0),
            SeedQuota::new("L-6C0F4D21", &format!("{cross} requests per minute for Anthropic Claude Opus 4.1"), 500.0),
            SeedQuota::new("L-4E1A9C3F", "On-demand model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1", 400_000.0),
            SeedQuota::new("L-5B2D7E60", "On-demand model inference requests per minute for Anthropic Claude Sonnet 4.5 V1", 200.0),
            SeedQuota::new("L-6C3E8F71", "On-demand model inference tokens per minute for Anthropic Claude Haiku 4.5", 400_000.0),
            SeedQuota::new("L-7D4F9A82", "On-demand model inference requests per minute for Anthropic Claude Haiku 4.5", 200.0),
            SeedQuota::new("L-7A2C4F19", &format!("Global {cross} tokens per minute for Anthropic Claude Sonnet 4.5 V1"), 5_000_000.0),
            SeedQuota::new("L-9E3D2B10", "Model units per provisioned model for Amazon Titan Text Express", 0.0),
            // Per-day quotas: "Model invocation max tokens per day for ${model}", by default the
            // per-minute quota × 24 × 60, and the account-wide "Cross-Model Max Tokens Per Day"
            // (Bedrock user guide, Quotas for the bedrock-runtime endpoint). Plenty here.
            SeedQuota::new("L-D1A5E0F2", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1", 5_760_000_000.0),
            SeedQuota::new("L-D2B6F1A3", "Model invocation max tokens per day for Anthropic Claude Haiku 4.5", 5_760_000_000.0),
            SeedQuota::new("L-C0FFEE01", "Cross-Model Max Tokens Per Day", 20_000_000_000.0),
            // Decoys a loose matcher would take: another context length, batch.
            SeedQuota::new("L-D3C7A2B4", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 1M Context Length", 0.0),
            SeedQuota::new("L-B4D8C3E5", "Batch inference max tokens per day for Anthropic Claude Sonnet 4.5 V1", 0.0),
        ]
    }

    /// The spelling the Bedrock user guide documents today (Quotas for the bedrock-runtime
    /// endpoint: "Cross-Region InvokeModel tokens per minute for ${model}", "On-demand
    /// InvokeModel tokens per minute for ${model}", "Model invocation max tokens per day for
    /// ${model}", "Cross-Model Max Tokens Per Day"; global profiles have "Global cross-Region"
    /// quotas), with no requests-per-minute rows: "RPM applies to some models on the
    /// bedrock-runtime endpoint but not others". `daily` is the Sonnet 4.5 per-day value (new
    /// accounts get reduced ones). Decoys: the 1M-context, batch and V2 variants.
    pub fn current_names(daily: f64) -> Vec<SeedQuota> {
        vec![
            SeedQuota::new("L-A1000001", "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1", 4_000_000.0),
            SeedQuota::new("L-A1000002", "Global cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1", 5_000_000.0),
            SeedQuota::new("L-A1000003", "On-demand InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1", 400_000.0),
            SeedQuota::new("L-A1000004", "Cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 4.5", 4_000_000.0),
            SeedQuota::new("L-A1000005", "Global cross-Region InvokeModel tokens per minute for Anthropic Claude Haiku 4.5", 5_000_000.0),
            SeedQuota::new("L-A1000006", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1", daily),
            SeedQuota::new("L-A1000007", "Model invocation max tokens per day for Anthropic Claude Haiku 4.5", 5_760_000_000.0),
            SeedQuota::new("L-A1000008", "Cross-Model Max Tokens Per Day", 20_000_000_000.0),
            SeedQuota::new("L-A1000009", "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1 1M Context Length", 0.0),
            SeedQuota::new("L-A100000A", "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V2", 0.0),
            SeedQuota::new("L-A100000B", "Batch inference Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1", 0.0),
            SeedQuota::new("L-A100000C", "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 1M Context Length", 0.0),
        ]
    }
}

/// IAM and Service Quotas state of the account.
#[derive(Debug, Clone)]
pub struct AccountSeed {
    /// `aws:RequestedRegion` values an SCP denies (explicit deny, AllowedByOrganizations false).
    pub scp_denied_regions: Vec<String>,
    /// Regions the permissions boundary leaves out (implicit deny).
    pub boundary_denied_regions: Vec<String>,
    /// The principal's identity policies (name, document), evaluated with the context each
    /// call gives (see `iam_eval`). Empty: one policy allowing everything Claude Code calls.
    pub identity_policies: Vec<(String, Value)>,
    /// Service control policies (name, document) on top of FullAWSAccess: their Deny
    /// statements are evaluated with their conditions and resource scoping.
    pub scps: Vec<(String, Value)>,
    pub simulate_fault: Option<FaultKind>,
    /// Results (one per action) per SimulatePrincipalPolicy page: small, so simulations
    /// exercise `Marker`.
    pub simulation_page_size: usize,
    pub api_keys: Vec<SeedApiKey>,
    pub credentials_fault: Option<FaultKind>,
    pub quotas_fault: Option<FaultKind>,
    /// Quotas per ListServiceQuotas page.
    pub quota_page_size: usize,
    /// moto 5.2.5 ignores `MaxItems` on iam:ListUsers and answers every user at once; when
    /// set, this server cuts moto's answer into pages of this size (IsTruncated + Marker).
    pub list_users_page_size: Option<usize>,
    /// S3 buckets whose configuration reads (encryption, public access block, lifecycle,
    /// versioning)
    /// answer 403 AccessDenied, as a bucket policy or another account's bucket would.
    pub s3_denied_buckets: Vec<String>,
    /// Accounts whose role cannot be assumed: sts:AssumeRole into them answers AccessDenied,
    /// as a missing role or a trust policy that leaves the scanner out does.
    pub assume_role_denied_accounts: Vec<String>,
    /// CloudWatch's Bedrock runtime metrics (GetMetricData in RPC v2 CBOR, which moto lacks).
    pub metrics: super::cloudwatch_server::MetricsSeed,
    /// The Anthropic use-case form GetUseCaseForModelAccess returns (its JSON text); `None`:
    /// never submitted in this account.
    pub use_case_form: Option<String>,
    /// The effective Bedrock policy organizations:DescribeEffectivePolicy returns for
    /// `BEDROCK_POLICY`; `None`: none applies (EffectivePolicyNotFoundException).
    pub bedrock_policy: Option<Value>,
    pub effective_policy_fault: Option<FaultKind>,
}

impl Default for AccountSeed {
    fn default() -> Self {
        AccountSeed {
            scp_denied_regions: Vec::new(),
            boundary_denied_regions: Vec::new(),
            identity_policies: Vec::new(),
            scps: Vec::new(),
            simulate_fault: None,
            simulation_page_size: 1,
            api_keys: Vec::new(),
            credentials_fault: None,
            quotas_fault: None,
            quota_page_size: 4,
            list_users_page_size: None,
            s3_denied_buckets: Vec::new(),
            assume_role_denied_accounts: Vec::new(),
            metrics: Default::default(),
            use_case_form: Some(
                r#"{"companyName":"Example Corp","companyWebsite":"https://example.com","intendedUsers":"0","industryOption":"Software","useCases":"Claude Code for our developers"}"#
                    .to_string(),
            ),
            bedrock_policy: None,
            effective_policy_fault: None,
        }
    }
}

/// The operation a request for this server's account services names, if it is one it answers.
pub enum AccountOp {
    SimulatePrincipalPolicy,
    ListServiceSpecificCredentials,
    ListServiceQuotas,
    /// organizations:DescribeEffectivePolicy, which moto 5.2.5 does not implement.
    DescribeEffectivePolicy,
    /// sts:AssumeRole into an account of `assume_role_denied_accounts`.
    DeniedAssumeRole,
}

impl AccountOp {
    pub fn name(&self) -> &'static str {
        match self {
            AccountOp::SimulatePrincipalPolicy => "SimulatePrincipalPolicy",
            AccountOp::ListServiceSpecificCredentials => "ListServiceSpecificCredentials",
            AccountOp::ListServiceQuotas => "ListServiceQuotas",
            AccountOp::DescribeEffectivePolicy => "DescribeEffectivePolicy",
            AccountOp::DeniedAssumeRole => "AssumeRole",
        }
    }
}

/// The operation name of a query-protocol or JSON request (for the call log).
pub fn operation_name(service: &str, headers: &HeaderMap, body: &str) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    form(body)
        .get("Action")
        .cloned()
        .unwrap_or_else(|| format!("{service}?"))
}

/// Which account operation this server answers itself.
pub fn route(
    seed: &AccountSeed,
    service: &str,
    headers: &HeaderMap,
    body: &str,
) -> Option<AccountOp> {
    match service {
        "sts" => {
            let form = form(body);
            let denied = form.get("Action").map(String::as_str) == Some("AssumeRole")
                && form.get("RoleArn").is_some_and(|arn| {
                    seed.assume_role_denied_accounts
                        .iter()
                        .any(|account| arn.contains(&format!(":{account}:")))
                });
            denied.then_some(AccountOp::DeniedAssumeRole)
        }
        "iam" => match form(body).get("Action").map(String::as_str) {
            Some("SimulatePrincipalPolicy") => Some(AccountOp::SimulatePrincipalPolicy),
            Some("ListServiceSpecificCredentials") => {
                Some(AccountOp::ListServiceSpecificCredentials)
            }
            _ => None,
        },
        "organizations" => {
            let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
            (target == Some("AWSOrganizationsV20161128.DescribeEffectivePolicy"))
                .then_some(AccountOp::DescribeEffectivePolicy)
        }
        "servicequotas" => {
            let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
            let code = serde_json::from_str::<Value>(body).ok().and_then(|b| {
                b.get("ServiceCode")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            (target == Some("ServiceQuotasV20190624.ListServiceQuotas")
                && code.as_deref() == Some("bedrock"))
            .then_some(AccountOp::ListServiceQuotas)
        }
        _ => None,
    }
}

pub fn answer(
    op: &AccountOp,
    seed: &AccountSeed,
    regions: &BTreeMap<String, BedrockRegion>,
    region: &str,
    body: &str,
) -> Response {
    match op {
        AccountOp::SimulatePrincipalPolicy => simulate(seed, &form(body)),
        AccountOp::ListServiceSpecificCredentials => credentials(seed, &form(body)),
        AccountOp::ListServiceQuotas => quotas(seed, regions, region, body),
        AccountOp::DescribeEffectivePolicy => effective_policy(seed, body),
        AccountOp::DeniedAssumeRole => iam_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!(
                "User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: sts:AssumeRole on resource: {}",
                form(body).get("RoleArn").cloned().unwrap_or_default()
            ),
        ),
    }
}

/// SimulatePrincipalPolicy as the current API reference describes it (doc comments of
/// `simulate_principal_policy`, `EvaluationResult` and `ResourceSpecificResult` in aws-sdk-iam
/// 1.133): the context entries given are the request context (`aws:RequestedRegion`,
/// `bedrock:InferenceProfileArn`, …, `unspecified` included); identity policies and SCPs are
/// evaluated with their conditions; the answer holds ONE `EvaluationResult` per action whose
/// top-level fields aggregate every resource (the most restrictive decision, the union of
/// matched statements and missing context values, `EvalResourceName` a template or `*`), and
/// the per-resource decision with its own MatchedStatements and MissingContextValues inside
/// `ResourceSpecificResults` when resource ARNs are given.
fn simulate(seed: &AccountSeed, params: &BTreeMap<String, String>) -> Response {
    if let Some(kind) = seed.simulate_fault {
        return iam_fault(kind, "iam:SimulatePrincipalPolicy");
    }
    let Some(principal) = params.get("PolicySourceArn") else {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "PolicySourceArn is required",
        );
    };
    let actions = members(params, "ActionNames.member.");
    let resources = members(params, "ResourceArns.member.");
    if actions.is_empty() {
        return iam_error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "ActionNames is required",
        );
    }
    let context = context_entries(params);
    let mut results = Vec::new();
    for action in &actions {
        results.push(action_result(seed, principal, action, &resources, &context));
    }
    let start = match params.get("Marker") {
        None => 0,
        Some(marker) => match marker.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return iam_error(StatusCode::BAD_REQUEST, "InvalidInput", "Invalid Marker."),
        },
    };
    let size = seed.simulation_page_size.max(1);
    let end = (start + size).min(results.len());
    let page = results.get(start..end).unwrap_or_default().concat();
    let more = end < results.len();
    let marker = if more {
        format!("<Marker>page-{end}</Marker>")
    } else {
        String::new()
    };
    iam_ok(
        "SimulatePrincipalPolicy",
        &format!("<EvaluationResults>{page}</EvaluationResults><IsTruncated>{more}</IsTruncated>{marker}"),
    )
}

/// `ContextEntries.member.N.ContextKeyName` / `.ContextKeyValues.member.M`, keys lower-cased
/// (context keys are case-insensitive).
fn context_entries(params: &BTreeMap<String, String>) -> super::iam_eval::Context {
    let mut context = super::iam_eval::Context::new();
    for n in 1.. {
        let Some(name) = params.get(&format!("ContextEntries.member.{n}.ContextKeyName")) else {
            break;
        };
        let values = members(
            params,
            &format!("ContextEntries.member.{n}.ContextKeyValues.member."),
        );
        context.insert(name.to_ascii_lowercase(), values);
    }
    context
}

/// The decision for one resource.
pub struct ResourceDecision {
    /// `allowed`, `explicitDeny` or `implicitDeny`, as SimulatePrincipalPolicy spells them.
    pub decision: &'static str,
    matched: Vec<String>,
    missing: Vec<String>,
    scp_denies: bool,
    boundary_denies: bool,
}

/// What this server's SimulatePrincipalPolicy decides for one action and resource
/// (`tests/policy_oracle.rs` checks it against an independent evaluator).
pub fn decide(
    seed: &AccountSeed,
    action: &str,
    resource: &str,
    context: &super::iam_eval::Context,
) -> ResourceDecision {
    use super::iam_eval::evaluate;
    let region = context
        .get("aws:requestedregion")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_default();
    let scp = evaluate(&seed.scps, action, resource, context);
    let scp_denies = seed.scp_denied_regions.contains(&region) || !scp.denied_by.is_empty();
    let boundary_denies = seed.boundary_denied_regions.contains(&region);
    let (identity, default_allow) = if seed.identity_policies.is_empty() {
        (Default::default(), true)
    } else {
        (
            evaluate(&seed.identity_policies, action, resource, context),
            false,
        )
    };
    let super::iam_eval::Evaluation {
        allowed_by,
        denied_by,
        missing,
    } = identity;
    let missing: Vec<String> = missing.into_iter().collect();
    let (decision, matched) = if scp_denies {
        ("explicitDeny", Vec::new())
    } else if !denied_by.is_empty() {
        ("explicitDeny", denied_by)
    } else if boundary_denies {
        ("implicitDeny", Vec::new())
    } else if default_allow {
        ("allowed", vec!["ClaudeCodeBedrockAccess".to_string()])
    } else if !allowed_by.is_empty() {
        ("allowed", allowed_by)
    } else {
        ("implicitDeny", Vec::new())
    };
    ResourceDecision {
        decision,
        matched,
        missing,
        scp_denies,
        boundary_denies,
    }
}

fn statements_xml(ids: &[String]) -> String {
    let members: String = ids
        .iter()
        .map(|id| {
            format!(
                "<member><SourcePolicyId>{}</SourcePolicyId><SourcePolicyType>user-managed</SourcePolicyType></member>",
                xml_escape(id)
            )
        })
        .collect();
    format!("<MatchedStatements>{members}</MatchedStatements>")
}

fn missing_xml(keys: &[String]) -> String {
    let members: String = keys
        .iter()
        .map(|k| format!("<member>{}</member>", xml_escape(k)))
        .collect();
    format!("<MissingContextValues>{members}</MissingContextValues>")
}

fn boundary_xml(principal: &str, denies: bool) -> String {
    if principal.contains(":role/") || principal.contains(":user/") {
        format!(
            "<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>{}</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>",
            !denies
        )
    } else {
        String::new()
    }
}

/// One `EvaluationResult` for `action` over every resource asked about.
fn action_result(
    seed: &AccountSeed,
    principal: &str,
    action: &str,
    resources: &[String],
    context: &super::iam_eval::Context,
) -> String {
    let rank = |d: &str| match d {
        "explicitDeny" => 2,
        "implicitDeny" => 1,
        _ => 0,
    };
    if resources.is_empty() {
        let one = decide(seed, action, "*", context);
        return format!(
            "<member><EvalActionName>{}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>{}</EvalDecision>{}{}<OrganizationsDecisionDetail><AllowedByOrganizations>{}</AllowedByOrganizations></OrganizationsDecisionDetail>{}</member>",
            xml_escape(action),
            one.decision,
            statements_xml(&one.matched),
            missing_xml(&one.missing),
            !one.scp_denies,
            boundary_xml(principal, one.boundary_denies)
        );
    }
    let decisions: Vec<(&String, ResourceDecision)> = resources
        .iter()
        .map(|r| (r, decide(seed, action, r, context)))
        .collect();
    let worst = decisions
        .iter()
        .map(|(_, d)| d.decision)
        .max_by_key(|d| rank(d))
        .unwrap_or("implicitDeny");
    let union = |pick: fn(&ResourceDecision) -> &Vec<String>| -> Vec<String> {
        decisions
            .iter()
            .flat_map(|(_, d)| pick(d).iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let scp_denies = decisions.iter().any(|(_, d)| d.scp_denies);
    let boundary_denies = decisions.iter().any(|(_, d)| d.boundary_denies);
    let specific: String = decisions
        .iter()
        .map(|(resource, d)| {
            format!(
                "<member><EvalResourceName>{}</EvalResourceName><EvalResourceDecision>{}</EvalResourceDecision>{}{}{}</member>",
                xml_escape(resource),
                d.decision,
                statements_xml(&d.matched),
                missing_xml(&d.missing),
                boundary_xml(principal, d.boundary_denies)
            )
        })
        .collect();
    format!(
        "<member><EvalActionName>{}</EvalActionName><EvalResourceName>arn:${{Partition}}:bedrock:${{Region}}::foundation-model/${{ResourceId}}</EvalResourceName><EvalDecision>{worst}</EvalDecision>{}{}<OrganizationsDecisionDetail><AllowedByOrganizations>{}</AllowedByOrganizations></OrganizationsDecisionDetail>{}<ResourceSpecificResults>{specific}</ResourceSpecificResults></member>",
        xml_escape(action),
        statements_xml(&union(|d| &d.matched)),
        missing_xml(&union(|d| &d.missing)),
        !scp_denies,
        boundary_xml(principal, boundary_denies)
    )
}

fn credentials(seed: &AccountSeed, params: &BTreeMap<String, String>) -> Response {
    if let Some(kind) = seed.credentials_fault {
        return iam_fault(kind, "iam:ListServiceSpecificCredentials");
    }
    let user = params.get("UserName").cloned().unwrap_or_default();
    let service = params.get("ServiceName");
    let members: String = seed
        .api_keys
        .iter()
        .filter(|k| k.user == user)
        .filter(|_| service.is_none_or(|s| s == "bedrock.amazonaws.com"))
        .map(|k| {
            let expires = k
                .expires
                .as_ref()
                .map(|e| format!("<ExpirationDate>{e}</ExpirationDate>"))
                .unwrap_or_default();
            format!(
                "<member><UserName>{}</UserName><Status>{}</Status><ServiceUserName>{}-at-{ACCOUNT}</ServiceUserName><CreateDate>{}</CreateDate>{expires}<ServiceSpecificCredentialId>{}</ServiceSpecificCredentialId><ServiceName>bedrock.amazonaws.com</ServiceName></member>",
                xml_escape(&k.user), k.status, xml_escape(&k.user), k.created, k.id
            )
        })
        .collect();
    iam_ok(
        "ListServiceSpecificCredentials",
        &format!("<ServiceSpecificCredentials>{members}</ServiceSpecificCredentials><IsTruncated>false</IsTruncated>"),
    )
}

fn quotas(
    seed: &AccountSeed,
    regions: &BTreeMap<String, BedrockRegion>,
    region: &str,
    body: &str,
) -> Response {
    if let Some(kind) = seed.quotas_fault {
        return json_fault(kind);
    }
    let request: Value = serde_json::from_str(body).unwrap_or_default();
    let start = match request.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidPaginationTokenException",
                    "Invalid token",
                )
            }
        },
    };
    let empty = Vec::new();
    let all = regions.get(region).map_or(&empty, |r| &r.quotas);
    let max = request
        .get("MaxResults")
        .and_then(Value::as_u64)
        .unwrap_or(100) as usize;
    let size = max.min(seed.quota_page_size.max(1));
    let end = (start + size).min(all.len());
    let page: Vec<Value> = all
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|q| {
            json!({
                "ServiceCode": "bedrock",
                "ServiceName": "Amazon Bedrock",
                "QuotaArn": format!("arn:aws:servicequotas:{region}:{ACCOUNT}:bedrock/{}", q.code),
                "QuotaCode": q.code,
                "QuotaName": q.name,
                "Value": q.value,
                "Unit": "None",
                "Adjustable": true,
                "GlobalQuota": false,
            })
        })
        .collect();
    let mut out = json!({ "Quotas": page });
    if end < all.len() {
        out["NextToken"] = json!(format!("page-{end}"));
    }
    let mut response = Response::new(Body::from(out.to_string()));
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

/// organizations:DescribeEffectivePolicy (JSON 1.1) as the API reference describes it (doc
/// comments of `describe_effective_policy` and `EffectivePolicy` in aws-sdk-organizations
/// 1.137): without `TargetId` the caller's own account; the answer's `EffectivePolicy` holds
/// `PolicyContent` (the policy as a JSON string), `TargetId` and `PolicyType`; an account with
/// no policy of the type answers `EffectivePolicyNotFoundException`. Only `BEDROCK_POLICY` is
/// served.
fn effective_policy(seed: &AccountSeed, body: &str) -> Response {
    if let Some(kind) = seed.effective_policy_fault {
        return json_fault(kind);
    }
    let request: Value = serde_json::from_str(body).unwrap_or_default();
    if request.get("PolicyType").and_then(Value::as_str) != Some("BEDROCK_POLICY") {
        return json_error(
            StatusCode::BAD_REQUEST,
            "InvalidInputException",
            "This test server serves the BEDROCK_POLICY type only.",
        );
    }
    match &seed.bedrock_policy {
        None => json_error(
            StatusCode::BAD_REQUEST,
            "EffectivePolicyNotFoundException",
            "We can't find an effective policy of the specified type.",
        ),
        Some(policy) => {
            let out = json!({
                "EffectivePolicy": {
                    "PolicyContent": policy.to_string(),
                    "LastUpdatedTimestamp": 1_793_000_000,
                    "TargetId": ACCOUNT,
                    "PolicyType": "BEDROCK_POLICY",
                }
            });
            let mut response = Response::new(Body::from(out.to_string()));
            response.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            response
        }
    }
}

fn iam_fault(kind: FaultKind, action: &str) -> Response {
    match kind {
        FaultKind::AccessDenied => iam_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!("User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: {action} because no identity-based policy allows the {action} action"),
        ),
        FaultKind::Throttle => iam_error(StatusCode::BAD_REQUEST, "Throttling", "Rate exceeded"),
        FaultKind::HostileAccessDenied => iam_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &super::bedrock_server::hostile_message(),
        ),
    }
}

fn iam_ok(operation: &str, inner: &str) -> Response {
    xml_response(
        StatusCode::OK,
        format!(
            "<{operation}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><{operation}Result>{inner}</{operation}Result><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></{operation}Response>"
        ),
    )
}

/// IAM's error shape (query protocol).
fn iam_error(status: StatusCode, code: &str, message: &str) -> Response {
    xml_response(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>",
            xml_escape(message)
        ),
    )
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    response
}

/// A fault in JSON 1.1: both Service Quotas and Organizations name their throttling error
/// `TooManyRequestsException` and their denial `AccessDeniedException` (400, per their API
/// references).
fn json_fault(kind: FaultKind) -> Response {
    let (code, message) = match kind {
        FaultKind::Throttle => ("TooManyRequestsException", "Rate exceeded".to_string()),
        FaultKind::AccessDenied => (
            "AccessDeniedException",
            "You do not have sufficient access to perform this action.".to_string(),
        ),
        FaultKind::HostileAccessDenied => (
            "AccessDeniedException",
            super::bedrock_server::hostile_message(),
        ),
    };
    json_error(StatusCode::BAD_REQUEST, code, &message)
}

/// JSON 1.1's error shape.
fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = Response::new(Body::from(
        json!({ "__type": code, "message": message }).to_string(),
    ));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response
}

fn members(params: &BTreeMap<String, String>, prefix: &str) -> Vec<String> {
    let mut indexed: Vec<(usize, String)> = params
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.parse().ok()?, v.clone())))
        .collect();
    indexed.sort();
    indexed.into_iter().map(|(_, v)| v).collect()
}

fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    super::bedrock_server::percent_decode(&text.replace('+', " "))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sends the request to moto as it came and returns moto's answer as it came.
pub async fn forward(
    upstream: SocketAddr,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match forward_raw(upstream, method, path_and_query, headers, body).await {
        Ok(response) => response,
        Err(e) => {
            let mut response = Response::new(Body::from(format!("forwarding to moto failed: {e}")));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

async fn forward_raw(
    upstream: SocketAddr,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = tokio::net::TcpStream::connect(upstream).await?;
    let mut head = format!("{method} {path_and_query} HTTP/1.1\r\n").into_bytes();
    for (name, value) in headers {
        // Framing is this hop's own: one request per connection, length-delimited.
        if [
            "connection",
            "content-length",
            "transfer-encoding",
            "keep-alive",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    stream.write_all(&head).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("moto's answer has no header end"))?;
    let head_text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut payload = raw[split + 4..].to_vec();
    let mut lines = head_text.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("moto's answer has no status"))?;
    let mut response_headers = Vec::new();
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_string());
        if name == "transfer-encoding" {
            chunked = value.eq_ignore_ascii_case("chunked");
            continue;
        }
        if name == "connection" || name == "content-length" || name == "keep-alive" {
            continue;
        }
        response_headers.push((name, value));
    }
    if chunked {
        payload = dechunk(&payload)?;
    }
    let mut response = Response::new(Body::from(payload));
    *response.status_mut() = StatusCode::from_u16(status).map_err(std::io::Error::other)?;
    for (name, value) in response_headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

fn dechunk(mut data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| std::io::Error::other("bad chunk"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(std::io::Error::other)?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(
            data.get(..size)
                .ok_or_else(|| std::io::Error::other("short chunk"))?,
        );
        data = data.get(size + 2..).unwrap_or_default();
    }
}

/// Whether this is an iam:ListUsers request, and from which user (by `Marker`) it continues.
pub fn list_users_marker(service: &str, body: &str) -> Option<usize> {
    let params = form(body);
    if service != "iam" || params.get("Action").map(String::as_str) != Some("ListUsers") {
        return None;
    }
    Some(
        params
            .get("Marker")
            .and_then(|m| m.strip_prefix("user-"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    )
}

/// Cuts moto's complete ListUsers answer into the page that starts at `start`.
pub async fn repage_users(response: Response, start: usize, size: usize) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (Some(open), Some(close)) = (text.find("<Users>"), text.find("</Users>")) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let inner = &text[open + "<Users>".len()..close];
    let members: Vec<&str> = inner
        .split("</member>")
        .filter(|m| m.contains("<member>"))
        .collect();
    let end = (start + size.max(1)).min(members.len());
    let page: String = members
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|m| format!("{m}</member>"))
        .collect();
    let more = end < members.len();
    let marker = if more {
        format!("<Marker>user-{end}</Marker>")
    } else {
        String::new()
    };
    let rest = &text[close + "</Users>".len()..];
    // moto's own IsTruncated (false) is replaced by the page's.
    let rest = rest
        .replace("<IsTruncated>false</IsTruncated>", "")
        .replace("<IsTruncated>False</IsTruncated>", "");
    let body = format!(
        "{}<Users>{page}</Users><IsTruncated>{more}</IsTruncated>{marker}{rest}",
        &text[..open]
    );
    let mut parts = parts;
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(body))
}

/// Whether a request is S3's GetBucketVersioning (`GET /<bucket>?versioning`).
pub fn is_get_bucket_versioning(service: &str, method: &Method, query: &str) -> bool {
    service == "s3"
        && method == Method::GET
        && query
            .split('&')
            .any(|part| part.split('=').next() == Some("versioning"))
}

/// moto names the root element of its GetBucketVersioning answer `GetBucketVersioningResponse`;
/// S3 names it `VersioningConfiguration`, and the SDK refuses any other root. The answer is
/// otherwise S3's, so only the name is put right.
pub async fn s3_versioning_root(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes)
        .replace("GetBucketVersioningResponse", "VersioningConfiguration");
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(text))
}

/// S3's XML 403 for a configuration read of a denied bucket, or `None` to forward the request.
/// Path-style requests (`/<bucket>?encryption`), as the SDK sends to an IP-address endpoint.
pub fn s3_denial(
    seed: &AccountSeed,
    service: &str,
    method: &Method,
    path: &str,
    query: &str,
) -> Option<(&'static str, Response)> {
    // Only reads are denied here; anything else goes on to moto, whose recorder judges it.
    if service != "s3" || method != Method::GET {
        return None;
    }
    let bucket = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let operation = [
        ("encryption", "GetBucketEncryption"),
        ("publicAccessBlock", "GetPublicAccessBlock"),
        ("lifecycle", "GetBucketLifecycleConfiguration"),
        ("versioning", "GetBucketVersioning"),
        ("object-lock", "GetObjectLockConfiguration"),
        ("policy", "GetBucketPolicy"),
    ]
    .iter()
    .find(|(name, _)| {
        query
            .split('&')
            .any(|part| part.split('=').next() == Some(name))
    })
    .map(|(_, operation)| *operation)?;
    if !seed.s3_denied_buckets.iter().any(|b| b == bucket) {
        return None;
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>{bucket}-denied</RequestId></Error>"
    );
    let response = Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header("content-type", "application/xml")
        .body(Body::from(body))
        .ok()?;
    Some((operation, response))
}
