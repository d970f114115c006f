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
use crate::snapshot::{CollectError, Collected, ModelAvailability, RegionSnapshot, Snapshot};

const AVAILABILITY: &str = "bedrock:GetFoundationModelAvailability";
const MODELS: &str = "bedrock:ListFoundationModels";
const PROFILES: &str = "bedrock:ListInferenceProfiles";
const USE_CASE: &str = "bedrock:GetUseCaseForModelAccess";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    let form = FormState::of(ctx.snapshot);
    ctx.per_region(|region, snapshot, findings| {
        for role in resolution.roles_in(region) {
            let model_id =
                crate::claude_code::models::invoked_foundation_model(snapshot, role.model_id);
            let resource = foundation_model_arn(region, role.model_id);
            let mut judgement = judge(snapshot, region, model_id, role.model_id, &form);
            judgement.evidence(crate::claude_code::models::origin_evidence(&role));
            let subject = format!(
                "The {} model {} ({}) cannot be invoked on demand in {region}",
                role.role, model_id, role.env_var
            );
            let pass = format!(
                "The {} model {} ({}) is authorized, its agreement is AVAILABLE or made by the first invocation (see the evidence), its entitlement and region are AVAILABLE, and it is not LEGACY in {region}.",
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
    form: &FormState,
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
        Some(Collected::Ok { data }) => {
            judge_availability(&mut judgement, data, region, None, form)
        }
    }
    judge_destinations(&mut judgement, snapshot, region, configured, form);
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
    form: &FormState,
) {
    let mut undecided: Vec<String> = Vec::new();
    let mut unreadable: Option<&CollectError> = None;
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
    let mut first_use_note = None;
    if !data.agreement_status.eq_ignore_ascii_case("AVAILABLE") {
        let detail = data
            .agreement_error
            .as_deref()
            .map(|e| format!(" ({})", e.trim_end_matches('.')))
            .unwrap_or_default();
        let agreement = format!("the model agreement is {}{detail}", data.agreement_status);
        // NOT_AVAILABLE or PENDING: Bedrock makes the agreement on the model's first invocation
        // once Anthropic's use-case form is on file (Bedrock user guide, model access); an
        // ERROR (or a status this version does not know) is a failed agreement.
        let completes_on_first_use = ["NOT_AVAILABLE", "PENDING"]
            .iter()
            .any(|s| data.agreement_status.eq_ignore_ascii_case(s));
        if !completes_on_first_use {
            problem(format!(
                "{agreement}: the agreement failed; request access to the model again in the Bedrock console"
            ));
        } else {
            match form {
                FormState::Submitted => {
                    first_use_note = Some(format!(
                        "{agreement}: Anthropic's use-case form is on file, so Bedrock makes the agreement on the first invocation; the first invoker needs aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions (judged by developer-invoke-permissions)"
                    ));
                }
                FormState::Absent { in_organization: Some(false) } => problem(format!(
                    "{agreement}, and no Anthropic use-case form is on file for this account ({USE_CASE}: ResourceNotFoundException): submit it (Bedrock console, or aws bedrock put-use-case-for-model-access) before the first invocation"
                )),
                FormState::Absent { in_organization } => {
                    let why = match in_organization {
                        Some(true) => "a form submitted in the organisation's management account is inherited by member accounts (Bedrock user guide, model access) and cannot be seen from this account: confirm it there, or submit one here",
                        _ => "whether the account is in an organisation, whose management account's form it would inherit, is not known",
                    };
                    let text = format!(
                        "{agreement}, and no Anthropic use-case form is on file in this account ({USE_CASE}); {why}"
                    );
                    undecided.push(text.clone());
                    first_use_note = Some(text);
                }
                FormState::Unreadable(error) => unreadable = Some(error),
                FormState::NotCollected => undecided.push(format!(
                    "{agreement}, and whether Anthropic's use-case form is on file was not collected (a snapshot from an older version)"
                )),
            }
        }
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
    let place = via.map_or(String::new(), |profile| {
        format!("in {region}, where {profile} also sends requests, ")
    });
    for text in undecided {
        judgement.undetermined(format!("{place}{text}"));
    }
    if let Some(error) = unreadable {
        judgement.unreadable(
            format!("{place}whether Anthropic's use-case form is on file (the model agreement is {}, which the first invocation completes only with the form)", data.agreement_status),
            error,
        );
    }
    if let Some(note) = first_use_note {
        judgement.evidence(
            Evidence::new(USE_CASE, None)
                .with("modelId", &data.model_id)
                .with("region", region)
                .with("first_use", note),
        );
    }
}

/// What the snapshot says of Anthropic's use-case form, which decides whether an agreement
/// that is not yet AVAILABLE is made by the first invocation.
pub(super) enum FormState<'a> {
    Submitted,
    /// None on file in this account; whether the account is in an organisation (whose
    /// management account's form it would inherit), when known.
    Absent {
        in_organization: Option<bool>,
    },
    Unreadable(&'a CollectError),
    NotCollected,
}

impl<'a> FormState<'a> {
    pub(super) fn of(snapshot: &'a Snapshot) -> FormState<'a> {
        match snapshot
            .anthropic_use_case
            .as_ref()
            .map(Collected::as_result)
        {
            None => FormState::NotCollected,
            Some(Err(error)) => FormState::Unreadable(error),
            Some(Ok(form)) if form.submitted => FormState::Submitted,
            Some(Ok(_)) => FormState::Absent {
                in_organization: snapshot
                    .organization_id
                    .as_ref()
                    .and_then(Collected::data)
                    .map(Option::is_some),
            },
        }
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
    form: &FormState,
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
                judge_availability(judgement, data, destination, Some(wanted), form)
            }
        }
    }
}
