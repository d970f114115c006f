//! `developer-invoke-permissions`: each developer principal may invoke the primary and fast
//! models in every region a request can be served from, as iam:SimulatePrincipalPolicy sees
//! it (identity policies, permissions boundaries and the SCPs of the principal's account).
//!
//! One finding per target region and principal. Every invocation the models need (see
//! [`crate::access_plan::needed_decisions`]: the profile in the source region, the foundation
//! model in each destination, `unspecified` for a `global.` profile, each simulated with the
//! request context a real request carries) must be `allowed`; a deny fails and names the
//! region, the action and what denied it. A decision that turns on a context key the scan
//! could not supply (MissingContextValues) is `error` naming the key: the request's origin
//! decides it. A decision that was not simulated, or whose simulation failed, leaves the
//! finding `error`, never `pass`. Discovery (List/GetInferenceProfile) is judged by
//! `developer-model-discovery`, at a lower severity: Claude Code works without it.

use crate::access_plan::{
    needed_decisions, NeededDecision, SimulationRequest, APPLY_GUARDRAIL, FIRST_USE_ACTIONS,
    INVOKE_MODEL, INVOKE_STREAM,
};
use crate::bedrock_policy::ORGANIZATION_OWNER;
use crate::finding::{Evidence, Finding, Status};
use crate::model_ids::{foundation_model_id, UNSPECIFIED_REGION};
use crate::rules::support::Judgement;
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{
    Collected, EnforcedGuardrail, InvokeSimulation, RegionSnapshot, SimulationResult,
};

const SIMULATE: &str = "iam:SimulatePrincipalPolicy";
const ENFORCED: &str = "bedrock:ListEnforcedGuardrailsConfiguration";
const GET_GUARDRAIL: &str = "bedrock:GetGuardrail";
const PROFILES: &str = "bedrock:ListInferenceProfiles";

/// The finding every developer-principal rule gives when the profile names none.
pub(super) fn no_principals(ctx: &RuleContext) -> Vec<Finding> {
    let principals = &ctx.profile.access.developer_principals;
    vec![ctx
        .finding(
            Status::NotApplicable,
            "global",
            "access.developer_principals",
            "The profile names no developer principals, so their Bedrock permissions were not simulated. Set [access] developer_principals to the IAM roles, users or groups your developers run Claude Code as.",
        )
        .with_evidence(
            Evidence::new("profile", None).with("access.developer_principals", principals),
        )]
}

fn is_invocation(action: &str) -> bool {
    action == INVOKE_MODEL || action == INVOKE_STREAM
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let principals = &ctx.profile.access.developer_principals;
    if principals.is_empty() {
        return no_principals(ctx);
    }
    ctx.per_region(|region, snapshot, findings| {
        for principal in principals {
            let (mut judgement, checked) = judge(snapshot, region, principal, ctx, is_invocation);
            judge_enforced_guardrails(&mut judgement, snapshot, region, principal, ctx);
            judge_first_use(&mut judgement, snapshot, region, ctx);
            let subject = format!(
                "{principal} cannot use Claude Code's models from {region}"
            );
            let pass = format!(
                "{principal} is allowed every invocation Claude Code makes from {region}: {checked} decisions (InvokeModel and InvokeModelWithResponseStream on the inference profile and on the model in every region its requests are served in, each with the request's aws:RequestedRegion and bedrock:InferenceProfileArn)."
            );
            findings.push(judgement.finding(ctx, region, principal, &subject, pass));
        }
    })
}

/// Judges the decisions of the configured models whose action `wanted` selects.
pub(super) fn judge(
    snapshot: &RegionSnapshot,
    region: &str,
    principal: &str,
    ctx: &RuleContext,
    wanted: fn(&str) -> bool,
) -> (Judgement, usize) {
    let mut judgement = Judgement::new();
    let mut checked = 0;
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    judgement.evidence(crate::claude_code::models::resolution_evidence(
        &resolution,
        region,
    ));
    for role in resolution.roles_in(region) {
        let profiles = match snapshot.inference_profiles.as_result() {
            Ok(profiles) => profiles.as_slice(),
            Err(error) => {
                judgement.unreadable(
                    format!(
                        "the regions the {} model {} is served in",
                        role.role, role.model_id
                    ),
                    error,
                );
                continue;
            }
        };
        let needed = match needed_decisions(region, role.model_id, profiles) {
            Ok(needed) => needed,
            Err(why) => {
                judgement.missing(
                    format!("the {} model's permissions: {why}", role.role),
                    Evidence::new(PROFILES, Some(region))
                        .with("configured", role.model_id)
                        .with("listed", false),
                );
                continue;
            }
        };
        for decision in needed.iter().filter(|d| wanted(d.action)) {
            checked += 1;
            judge_decision(
                &mut judgement,
                &snapshot.invoke_simulations,
                principal,
                region,
                decision,
            );
        }
    }
    (judgement, checked)
}

/// Whether an enforced configuration applies to the model `model_id` (a foundation-model id):
/// without `modelEnforcement` it applies to every model; otherwise when an included entry names
/// the model (by id or ARN, `*` and `ALL` meaning every model) and no excluded entry does.
fn guardrail_applies(config: &EnforcedGuardrail, model_id: &str) -> bool {
    let names = |entry: &String| {
        let entry = entry.trim();
        entry == "*" || entry.eq_ignore_ascii_case("ALL") || foundation_model_id(entry) == model_id
    };
    let included = config
        .included_models
        .as_ref()
        .is_none_or(|models| models.iter().any(names));
    included && !config.excluded_models.iter().any(names)
}

const EFFECTIVE_POLICY: &str = "organizations:DescribeEffectivePolicy";

/// Enforced guardrails, the account's and the organisation's (its Bedrock policy): Bedrock
/// applies each to every invocation of the models it covers, so each must be a pinned
/// (numbered) version, an account's must exist and be READY, and each developer must be allowed
/// bedrock:ApplyGuardrail on it, or every request is denied.
fn judge_enforced_guardrails(
    judgement: &mut Judgement,
    snapshot: &RegionSnapshot,
    region: &str,
    principal: &str,
    ctx: &RuleContext,
) {
    let empty = Vec::new();
    let configs = match &snapshot.enforced_guardrails {
        None => {
            judgement.missing(
                format!("the enforced guardrails of {region} were not collected ({ENFORCED} was not called; an older snapshot)"),
                Evidence::new(ENFORCED, Some(region)).with("collected", false),
            );
            &empty
        }
        Some(Collected::Failed { error }) => {
            judgement.unreadable(
                format!("the account's enforced guardrails in {region}, which every invocation must pass"),
                error,
            );
            &empty
        }
        Some(Collected::Ok { data }) => data,
    };
    let organization = organization_guardrails(judgement, ctx, region);
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    let models: Vec<&str> = resolution
        .roles_in(region)
        .iter()
        .map(|role| foundation_model_id(role.model_id))
        .collect();
    judgement.evidence(
        Evidence::new(ENFORCED, Some(region))
            .with("enforced_configurations", configs.len())
            .with("organization_configurations", organization.len()),
    );
    for config in configs.iter().chain(&organization) {
        let from_organization = config.owner.as_deref() == Some(ORGANIZATION_OWNER);
        let applies: Vec<&str> = models
            .iter()
            .copied()
            .filter(|model| guardrail_applies(config, model))
            .collect();
        let name = config
            .guardrail_arn
            .as_deref()
            .or(config.guardrail_id.as_deref())
            .unwrap_or("(no guardrail named)");
        judgement.evidence(
            Evidence::new(
                if from_organization {
                    EFFECTIVE_POLICY
                } else {
                    ENFORCED
                },
                Some(region),
            )
            .with("configId", &config.config_id)
            .with("guardrailArn", &config.guardrail_arn)
            .with("guardrailVersion", &config.guardrail_version)
            .with("owner", &config.owner)
            .with("modelEnforcement.includedModels", &config.included_models)
            .with("modelEnforcement.excludedModels", &config.excluded_models)
            .with("applies_to_configured_models", &applies),
        );
        if applies.is_empty() {
            continue;
        }
        let mut part = Judgement::new();
        match &config.guardrail {
            // The policy pins the version itself; the guardrail lives in the management account,
            // which this account may not read ("The Guardrail must be owned by the Management
            // account", AWS Organizations user guide, Bedrock policy syntax).
            None if from_organization => {
                let version = config.guardrail_version.as_deref().unwrap_or_default();
                if version.is_empty() || version.eq_ignore_ascii_case("DRAFT") {
                    part.problem("the organisation's Bedrock policy pins no numbered version of it (its identifier must end in :<version>), so Bedrock rejects every invocation");
                }
            }
            None => part.missing(
                "the configuration names no guardrail the scan could read".to_string(),
                Evidence::new(ENFORCED, Some(region)).with("configId", &config.config_id),
            ),
            Some(Collected::Failed { error }) => {
                part.unreadable(format!("the enforced guardrail {name}"), error)
            }
            Some(Collected::Ok { data }) => {
                judgement.evidence(
                    Evidence::new(GET_GUARDRAIL, Some(region))
                        .with("guardrailArn", &data.guardrail_arn)
                        .with("version", &data.version)
                        .with("status", &data.status),
                );
                if !data.status.eq_ignore_ascii_case("READY") {
                    part.problem(format!(
                        "its status is {}, not READY, so invocations it applies to fail",
                        data.status
                    ));
                }
                if data.version.eq_ignore_ascii_case("DRAFT") || data.version.is_empty() {
                    part.problem("no numbered version is pinned (the working draft changes under every request)");
                }
            }
        }
        match &config.guardrail_arn {
            Some(arn) => judge_decision(
                &mut part,
                &snapshot.invoke_simulations,
                principal,
                region,
                &NeededDecision {
                    requested_region: region.to_string(),
                    action: APPLY_GUARDRAIL,
                    resource: arn.clone(),
                    inference_profile_arn: None,
                },
            ),
            None => part.missing(
                "the configuration gives no guardrail ARN to simulate bedrock:ApplyGuardrail on"
                    .to_string(),
                Evidence::new(ENFORCED, Some(region)).with("configId", &config.config_id),
            ),
        }
        let enforcer = if from_organization {
            "the organisation's Bedrock policy makes Bedrock enforce"
        } else {
            "Bedrock enforces"
        };
        judgement.absorb(
            part,
            &format!(
                "the guardrail {name} that {enforcer} on {} in {region}: ",
                applies.join(", ")
            ),
        );
    }
}

/// The guardrails the organisation's Bedrock policy enforces in `region`. A policy that was not
/// read, or cannot be, leaves the decision open (never a pass); none applying is none.
fn organization_guardrails(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    region: &str,
) -> Vec<EnforcedGuardrail> {
    match &ctx.snapshot.bedrock_policy {
        None => {
            judgement.missing(
                "the organisation's Bedrock policy was not read (an older snapshot)".to_string(),
                Evidence::new(EFFECTIVE_POLICY, None).with("collected", false),
            );
            Vec::new()
        }
        Some(Collected::Failed { error }) => {
            judgement.unreadable(
                "the organisation's Bedrock policy (BEDROCK_POLICY), whose guardrails every invocation must pass",
                error,
            );
            Vec::new()
        }
        Some(Collected::Ok { data: None }) => Vec::new(),
        Some(Collected::Ok {
            data: Some(content),
        }) => match crate::bedrock_policy::guardrails_in(content, region) {
            Ok(configs) => configs,
            Err(why) => {
                judgement.undetermined(format!(
                    "the organisation's Bedrock policy cannot be read ({why}), so the guardrails it enforces in {region} are unknown"
                ));
                Vec::new()
            }
        },
    }
}

/// Whether `principal` may complete a model's first use in `region`: every Marketplace action
/// Bedrock calls on the first invocation allowed, decided without missing context. `None`
/// when that was not simulated or could not be.
fn can_complete_first_use(
    simulations: &[InvokeSimulation],
    principal: &str,
    region: &str,
) -> Option<Result<bool, String>> {
    let simulation = simulations.iter().find(|s| {
        s.principal == principal
            && s.requested_region == region
            && SimulationRequest::is_first_use(&s.context)
    })?;
    let results = match &simulation.results {
        Collected::Ok { data } => data,
        Collected::Failed { error } => return Some(Err(error.code.clone())),
    };
    let allowed = FIRST_USE_ACTIONS.iter().all(|action| {
        results.iter().any(|r| {
            r.action == *action && r.decision == "allowed" && r.missing_context_values.is_empty()
        })
    });
    Some(Ok(allowed))
}

/// A model whose agreement is not yet in place is subscribed on its first invocation, which
/// needs the Marketplace actions for whoever invokes first (Bedrock user guide, *Request access
/// to models*). One developer completing it is enough, so the finding names who can, and fails
/// only when none of the developer principals can.
fn judge_first_use(
    judgement: &mut Judgement,
    snapshot: &RegionSnapshot,
    region: &str,
    ctx: &RuleContext,
) {
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    for role in resolution.roles_in(region) {
        let model = foundation_model_id(role.model_id);
        let Some(Collected::Ok { data }) = snapshot.model_availability.get(model) else {
            // Unread or not collected: bedrock-model-access reports it.
            continue;
        };
        if data.agreement_status.eq_ignore_ascii_case("AVAILABLE") {
            continue;
        }
        let mut able = Vec::new();
        let mut unknown = Vec::new();
        for principal in &ctx.profile.access.developer_principals {
            match can_complete_first_use(&snapshot.invoke_simulations, principal, region) {
                Some(Ok(true)) => able.push(principal.as_str()),
                Some(Ok(false)) => {}
                Some(Err(code)) => {
                    unknown.push(format!("{principal} ({SIMULATE} failed with {code})"))
                }
                None => unknown.push(format!("{principal} (not simulated)")),
            }
        }
        judgement.evidence(
            Evidence::new(SIMULATE, Some(region))
                .with("modelId", model)
                .with("agreementAvailability.status", &data.agreement_status)
                .with("ActionNames", FIRST_USE_ACTIONS.as_slice())
                .with("aws:CalledViaLast", crate::access_plan::BEDROCK_SERVICE)
                .with("first_use_possible_by", &able)
                .with("first_use_undetermined_for", &unknown),
        );
        if !able.is_empty() {
            continue;
        }
        if unknown.is_empty() {
            judgement.problem(format!(
                "the agreement for {model} is {} and no developer principal may complete its first use: Bedrock subscribes on the first invocation, which needs {} (called via Bedrock) for the invoker; grant them to one developer role, or have an administrator invoke the model once",
                data.agreement_status,
                FIRST_USE_ACTIONS.join(", ")
            ));
        } else {
            judgement.missing(
                format!(
                    "the agreement for {model} is {} and whether a developer can complete its first use is unknown: {}",
                    data.agreement_status,
                    unknown.join(", ")
                ),
                Evidence::new(SIMULATE, Some(region)).with("modelId", model),
            );
        }
    }
}

fn judge_decision(
    judgement: &mut Judgement,
    simulations: &[InvokeSimulation],
    principal: &str,
    target_region: &str,
    decision: &NeededDecision,
) {
    let NeededDecision {
        requested_region,
        action,
        resource,
        inference_profile_arn,
    } = decision;
    let through = inference_profile_arn.as_deref();
    let matching: Vec<&InvokeSimulation> = simulations
        .iter()
        .filter(|s| s.covers(principal, requested_region, through, action, resource))
        .collect();
    if matching.is_empty() {
        judgement.missing(
            format!(
                "{action} on {resource} in {requested_region}{} was not simulated",
                through.map(|p| format!(" through {p}")).unwrap_or_default()
            ),
            Evidence::new(SIMULATE, Some(target_region))
                .with("PolicySourceArn", principal)
                .with("ActionName", action)
                .with("ResourceArn", resource)
                .with("aws:RequestedRegion", requested_region)
                .with("bedrock:InferenceProfileArn", through)
                .with("collected", false),
        );
        return;
    }
    for simulation in matching {
        judge_simulation(judgement, simulation, principal, decision);
    }
}

fn judge_simulation(
    judgement: &mut Judgement,
    simulation: &InvokeSimulation,
    principal: &str,
    decision: &NeededDecision,
) {
    let NeededDecision {
        requested_region,
        action,
        resource,
        ..
    } = decision;
    let results = match &simulation.results {
        Collected::Ok { data } => data,
        Collected::Failed { error } => {
            judgement.unreadable(
                format!("whether {principal} may call {action} in {requested_region}"),
                error,
            );
            return;
        }
    };
    let Some(result) = results
        .iter()
        .find(|r| r.action == *action && r.resource == *resource)
    else {
        judgement.missing(
            format!("the simulation in {requested_region} returned no result for {action} on {resource}"),
            Evidence::new(SIMULATE, Some(requested_region))
                .with("PolicySourceArn", principal)
                .with("ActionName", action)
                .with("ResourceArn", resource)
                .with("results_returned", results.len()),
        );
        return;
    };
    judgement.evidence(
        Evidence::new(SIMULATE, Some(requested_region))
            .with("PolicySourceArn", principal)
            .with("EvalActionName", &result.action)
            .with("EvalResourceName", &result.resource)
            .with("aws:RequestedRegion", requested_region)
            .with(
                "bedrock:InferenceProfileArn",
                &simulation.inference_profile_arn,
            )
            .with("ContextEntries", &simulation.context)
            .with("EvalDecision", &result.decision)
            .with(
                "OrganizationsDecisionDetail.AllowedByOrganizations",
                result.allowed_by_organizations,
            )
            .with(
                "PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary",
                result.allowed_by_permissions_boundary,
            )
            .with(
                "MatchedStatements",
                result
                    .matched_statements
                    .iter()
                    .filter_map(|s| s.source_policy_id.as_deref())
                    .collect::<Vec<_>>(),
            )
            .with("MissingContextValues", &result.missing_context_values),
    );
    let requested_region = &region_label(requested_region);
    if !result.missing_context_values.is_empty() {
        judgement.undetermined(undecidable(result, requested_region, action, resource));
        return;
    }
    match result.decision.as_str() {
        "allowed" => {}
        "explicitDeny" | "implicitDeny" => judgement.problem(format!(
            "in {requested_region}, {action} on {resource} is {} by {}",
            result.decision,
            denied_by(result)
        )),
        other => judgement.problem(format!(
            "in {requested_region}, {action} on {resource} has the unknown decision {other:?}, which is not allowed"
        )),
    }
}

/// How a requested region reads in a message: `unspecified` is the region-less route of a
/// `global.` profile.
fn region_label(requested_region: &str) -> String {
    if requested_region == UNSPECIFIED_REGION {
        format!("{UNSPECIFIED_REGION} (the region-less route of a global profile)")
    } else {
        requested_region.to_string()
    }
}

/// A decision the simulator made without a context key a policy reads: the real request's
/// value decides it, so neither allowed nor denied can be reported. Names the keys, the
/// statements that matched, and what to set.
fn undecidable(
    result: &SimulationResult,
    requested_region: &str,
    action: &str,
    resource: &str,
) -> String {
    let keys = result.missing_context_values.join(", ");
    let statements: Vec<&str> = result
        .matched_statements
        .iter()
        .filter_map(|s| s.source_policy_id.as_deref())
        .collect();
    let matched = if statements.is_empty() {
        String::new()
    } else {
        format!(" (matched statements in {})", statements.join(", "))
    };
    let advice: Vec<&str> = result
        .missing_context_values
        .iter()
        .map(|key| what_to_set(key))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "in {requested_region}, {action} on {resource} was {} only because the simulation lacked {keys}{matched}: a policy reads a value the scan cannot know, so the real request's value decides. {}",
        result.decision,
        advice.join(" ")
    )
}

/// What the user can do about one missing context key.
fn what_to_set(key: &str) -> &'static str {
    match key.to_ascii_lowercase().as_str() {
        "aws:sourcevpce" | "aws:sourcevpc" | "aws:vpcsourceip" => {
            "If developers reach Bedrock only through the VPC endpoint, set [network] private_only = true: the scan then simulates with that endpoint's aws:SourceVpce and aws:SourceVpc."
        }
        "aws:sourceip" => {
            "aws:SourceIp is the developer's public address: simulate from your egress range (aws iam simulate-principal-policy --context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=<egress-ip>,ContextKeyType=ip) or waive this finding once checked."
        }
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => {
            "MFA keys depend on how developers sign in: check that their sessions (for example IAM Identity Center) carry MFA, then waive this finding."
        }
        _ => {
            "Check the condition against how developers sign in and connect (principal and session tags, network), then waive this finding once checked."
        }
    }
}

/// What denied a request, as precisely as the simulation says.
fn denied_by(result: &SimulationResult) -> String {
    let mut causes = Vec::new();
    if result.allowed_by_organizations == Some(false) {
        causes.push(
            "a service control policy (OrganizationsDecisionDetail.AllowedByOrganizations = false)"
                .to_string(),
        );
    }
    if result.allowed_by_permissions_boundary == Some(false) {
        causes.push("the permissions boundary (PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary = false)".to_string());
    }
    let policies: Vec<String> = result
        .matched_statements
        .iter()
        .filter_map(|s| {
            let id = s.source_policy_id.as_deref()?;
            Some(match s.source_policy_type.as_deref() {
                Some(kind) => format!("{id} ({kind})"),
                None => id.to_string(),
            })
        })
        .collect();
    if result.decision == "explicitDeny" && !policies.is_empty() {
        causes.push(format!("a Deny statement in {}", policies.join(", ")));
    }
    if causes.is_empty() {
        if result.decision == "implicitDeny" {
            causes.push("no policy that allows it (implicit deny)".to_string());
        } else {
            causes.push("a policy the simulation did not name".to_string());
        }
    }
    causes.join("; ")
}
