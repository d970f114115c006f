//! `bedrock-model-access`: the primary (Sonnet/Opus) and fast (Haiku) models can be invoked on
//! demand in every target region: GetFoundationModelAvailability says the caller is AUTHORIZED
//! and the agreement, entitlement and region are AVAILABLE, and ListFoundationModels lists the
//! model as not LEGACY.
//!
//! Both sections are inputs: availability decides access, the model list decides lifecycle. A
//! problem in either fails the finding; if neither shows a problem but one is unreadable (or
//! the availability was never collected), the finding is `error`, never `pass`.

use crate::finding::{Evidence, Finding};
use crate::model_ids::{
    find_profile, foundation_model_arn, is_inference_profile_id, other_destinations,
    routes_to_any_region, strip_arn,
};
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::{Collected, ModelAvailability, RegionSnapshot};

const AVAILABILITY: &str = "bedrock:GetFoundationModelAvailability";
const MODELS: &str = "bedrock:ListFoundationModels";
const PROFILES: &str = "bedrock:ListInferenceProfiles";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    ctx.per_region(|region, snapshot, findings| {
        for role in resolution.roles_in(region) {
            let model_id =
                crate::claude_code::models::invoked_foundation_model(snapshot, role.model_id);
            let resource = foundation_model_arn(region, role.model_id);
            let mut judgement = judge(snapshot, region, model_id, role.model_id);
            judgement.evidence(crate::claude_code::models::origin_evidence(&role));
            let subject = format!(
                "The {} model {} ({}) cannot be invoked on demand in {region}",
                role.role, model_id, role.env_var
            );
            let pass = format!(
                "The {} model {} ({}) is authorized, its agreement, entitlement and region are AVAILABLE, and it is not LEGACY in {region}.",
                role.role, model_id, role.env_var
            );
            findings.push(judgement.finding(ctx, region, &resource, &subject, pass));
        }
    })
}

pub(super) fn judge(
    snapshot: &RegionSnapshot,
    region: &str,
    model_id: &str,
    configured: &str,
) -> Judgement {
    let mut judgement = Judgement::new();
    match snapshot.model_availability.get(model_id) {
        None => judgement.missing(
            format!(
                "its availability was not collected ({AVAILABILITY} was not called for {model_id})"
            ),
            Evidence::new(AVAILABILITY, Some(region))
                .with("modelId", model_id)
                .with(
                    "collected_model_ids",
                    snapshot.model_availability.keys().collect::<Vec<_>>(),
                ),
        ),
        Some(Collected::Failed { error }) => {
            judgement.unreadable(format!("the availability of {model_id}"), error)
        }
        Some(Collected::Ok { data }) => judge_availability(&mut judgement, data, region, None),
    }
    judge_destinations(&mut judgement, snapshot, region, configured);
    match snapshot.foundation_models.as_result() {
        Err(error) => judgement.unreadable(format!("the lifecycle of {model_id}"), error),
        Ok(models) => match models.iter().find(|m| m.model_id == model_id) {
            None => {
                judgement.evidence(
                    Evidence::new(MODELS, Some(region))
                        .with("modelId", model_id)
                        .with("listed", false)
                        .with("listed_model_count", models.len()),
                );
                judgement.problem(format!(
                    "{MODELS} does not list {model_id} in {region}: the id is misspelt or the model is not offered there"
                ));
            }
            Some(model) => {
                judgement.evidence(
                    Evidence::new(MODELS, Some(region))
                        .with("modelId", &model.model_id)
                        .with("modelArn", &model.model_arn)
                        .with("inferenceTypesSupported", &model.inference_types_supported)
                        .with("modelLifecycle.status", &model.lifecycle_status),
                );
                if model
                    .lifecycle_status
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("LEGACY"))
                {
                    judgement.problem(
                        "its lifecycle status is LEGACY: it is scheduled for retirement, so move to the current model of the family",
                    );
                }
            }
        },
    }
    judgement
}

/// Judges one GetFoundationModelAvailability answer. `via` names the cross-region profile when
/// `region` is one of its other destinations rather than the target region itself.
fn judge_availability(
    judgement: &mut Judgement,
    data: &ModelAvailability,
    region: &str,
    via: Option<&str>,
) {
    let mut evidence = Evidence::new(AVAILABILITY, Some(region));
    if let Some(profile) = via {
        evidence = evidence.with("routed_from_profile", profile);
    }
    judgement.evidence(
        evidence
            .with("modelId", &data.model_id)
            .with("authorizationStatus", &data.authorization_status)
            .with("agreementAvailability.status", &data.agreement_status)
            .with("agreementAvailability.errorMessage", &data.agreement_error)
            .with("entitlementAvailability", &data.entitlement_availability)
            .with("regionAvailability", &data.region_availability),
    );
    let mut problem = |text: String| match via {
        None => judgement.problem(text),
        Some(profile) => judgement.problem(format!(
            "in {region}, where {profile} also sends requests, {text}"
        )),
    };
    if !data.authorization_status.eq_ignore_ascii_case("AUTHORIZED") {
        problem(format!(
            "authorizationStatus is {}: IAM policies or SCPs deny this principal bedrock:InvokeModel on the model",
            data.authorization_status
        ));
    }
    if !data.agreement_status.eq_ignore_ascii_case("AVAILABLE") {
        let detail = data
            .agreement_error
            .as_deref()
            .map(|e| format!(" ({})", e.trim_end_matches('.')))
            .unwrap_or_default();
        problem(format!(
            "the model agreement is {}{detail}: request access to the model (Anthropic use-case form) in the Bedrock console",
            data.agreement_status
        ));
    }
    if !data
        .entitlement_availability
        .eq_ignore_ascii_case("AVAILABLE")
    {
        problem(format!(
            "entitlementAvailability is {}: the account has no AWS Marketplace entitlement for the model",
            data.entitlement_availability
        ));
    }
    if !data.region_availability.eq_ignore_ascii_case("AVAILABLE") {
        problem(format!(
            "regionAvailability is {}: the model is not offered in {region}; choose another region or model",
            data.region_availability
        ));
    }
}

/// A cross-region inference profile serves requests from every region in its `models[]`:
/// model access must hold in each, or some requests fail. Destinations that were not
/// collected or could not be read leave the finding `error`, never `pass`.
fn judge_destinations(
    judgement: &mut Judgement,
    snapshot: &RegionSnapshot,
    region: &str,
    configured: &str,
) {
    if !is_inference_profile_id(configured) {
        // A bare model id is served in this region only (and fails bedrock-inference-profiles).
        return;
    }
    let wanted = strip_arn(configured);
    let profiles = match snapshot.inference_profiles.as_result() {
        Ok(profiles) => profiles,
        Err(error) => {
            judgement.unreadable(format!("the regions {wanted} routes to"), error);
            return;
        }
    };
    let Some(profile) = find_profile(profiles, configured) else {
        judgement.missing(
            format!("{PROFILES} in {region} does not list {wanted}, so the regions it routes to are unknown"),
            Evidence::new(PROFILES, Some(region))
                .with("inferenceProfileId", wanted)
                .with("listed", false),
        );
        return;
    };
    judgement.evidence(
        Evidence::new(PROFILES, Some(region))
            .with("inferenceProfileId", &profile.id)
            .with("models", &profile.model_arns),
    );
    if routes_to_any_region(profile) {
        // A `global.` profile also serves requests anywhere through its region-less model ARN.
        // Model access is granted per account from the source region (AWS knowledge center,
        // *bedrock-access-denied-exception*: "Request model access from your source Region"),
        // which is judged above; there is no region to ask GetFoundationModelAvailability in.
        judgement.evidence(
            Evidence::new(PROFILES, Some(region))
                .with("inferenceProfileId", &profile.id)
                .with(
                    "destination",
                    "any commercial region (region-less model ARN)",
                )
                .with("model_access_judged_in", region),
        );
    }
    for (destination, model) in other_destinations(profile, region) {
        match snapshot
            .destination_availability
            .get(destination)
            .and_then(|models| models.get(model))
        {
            None => judgement.missing(
                format!("the availability of {model} in {destination}, where {wanted} also sends requests, was not collected"),
                Evidence::new(AVAILABILITY, Some(destination))
                    .with("modelId", model)
                    .with("routed_from_profile", wanted)
                    .with("collected", false),
            ),
            Some(Collected::Failed { error }) => judgement.unreadable(
                format!("the availability of {model} in {destination}, where {wanted} also sends requests"),
                error,
            ),
            Some(Collected::Ok { data }) => {
                judge_availability(judgement, data, destination, Some(wanted))
            }
        }
    }
}
