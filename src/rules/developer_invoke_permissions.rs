//! `developer-invoke-permissions`: each developer principal may invoke the primary and fast
//! models in every region a request can be served from, as iam:SimulatePrincipalPolicy sees
//! it (identity policies, permissions boundaries and the SCPs of the principal's account).
//!
//! One finding per target region and principal. Every decision the models need (see
//! [`crate::access_plan::needed_decisions`]) must be `allowed`; a deny fails and names the
//! region, the action and what denied it. A decision that was not simulated, or whose
//! simulation failed, leaves the finding `error`, never `pass`.

use crate::access_plan::{needed_decisions, NeededDecision};
use crate::finding::{Evidence, Finding, Status};
use crate::rules::support::Judgement;
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{Collected, InvokeSimulation, RegionSnapshot, SimulationResult};

const SIMULATE: &str = "iam:SimulatePrincipalPolicy";
const PROFILES: &str = "bedrock:ListInferenceProfiles";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let principals = &ctx.profile.access.developer_principals;
    if principals.is_empty() {
        return vec![ctx
            .finding(
                Status::NotApplicable,
                "global",
                "access.developer_principals",
                "The profile names no developer principals, so their Bedrock permissions were not simulated. Set [access] developer_principals to the IAM roles, users or groups your developers run Claude Code as.",
            )
            .with_evidence(
                Evidence::new("profile", None).with("access.developer_principals", principals),
            )];
    }
    ctx.per_region(|region, snapshot, findings| {
        for principal in principals {
            let (judgement, checked) = judge(snapshot, region, principal, ctx);
            let subject = format!(
                "{principal} cannot use Claude Code's models from {region}"
            );
            let pass = format!(
                "{principal} is allowed every call Claude Code makes from {region}: {checked} decisions (InvokeModel, InvokeModelWithResponseStream, and the inference-profile calls) across the regions its requests are served in."
            );
            findings.push(judgement.finding(ctx, region, principal, &subject, pass));
        }
    })
}

fn judge(
    snapshot: &RegionSnapshot,
    region: &str,
    principal: &str,
    ctx: &RuleContext,
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
        for decision in &needed {
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
    } = decision;
    let Some(simulation) = simulations
        .iter()
        .find(|s| s.covers(principal, requested_region, action, resource))
    else {
        judgement.missing(
            format!("{action} on {resource} in {requested_region} was not simulated"),
            Evidence::new(SIMULATE, Some(target_region))
                .with("PolicySourceArn", principal)
                .with("ActionName", action)
                .with("ResourceArn", resource)
                .with("aws:RequestedRegion", requested_region)
                .with("collected", false),
        );
        return;
    };
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
            ),
    );
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
    if !result.missing_context_values.is_empty() {
        causes.push(format!(
            "with context keys the simulation lacked: {}",
            result.missing_context_values.join(", ")
        ));
    }
    causes.join("; ")
}
