//! `bedrock-inference-profiles`: the models Claude Code is configured with are inference-profile
//! ids (on-demand Claude on Bedrock rejects bare foundation-model ids), each profile exists and
//! is ACTIVE in every target region, the primary model is Sonnet or Opus, and the fast model is
//! pinned to Haiku 4.5 or later: Claude Code on Bedrock does not move from Haiku 3.5 to 4.5 by
//! itself, so an old pin (or none) silently keeps the old model.

use crate::finding::{Evidence, Finding};
use crate::model_ids::{
    claude_model, foundation_model_id, is_inference_profile_id, strip_arn, ClaudeFamily,
    ClaudeModel, ModelRole,
};
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::{InferenceProfile, RegionSnapshot};

const SOURCE: &str = "bedrock:ListInferenceProfiles";
/// The oldest Haiku that Claude Code should be pinned to.
const MIN_HAIKU: (u32, u32) = (4, 5);

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let account = ctx.snapshot.account_label();
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    ctx.per_region(|region, snapshot, findings| {
        for role in resolution.roles_in(region) {
            let resource = resource_name(region, &account, &role);
            let mut judgement = judge(snapshot, region, &role);
            judgement.evidence(crate::claude_code::models::origin_evidence(&role));
            let subject = format!(
                "The {} model setting {} = {:?} ({}) will not work as intended in {region}",
                role.role, role.profile_key, role.model_id, role.env_var
            );
            let pass = format!(
                "The {} model {} ({}) is an ACTIVE inference profile in {region}{}.",
                role.role,
                role.model_id,
                role.env_var,
                if !role.profile_key.starts_with("rollout.") {
                    ""
                } else if role.role == "fast" {
                    " and pins Haiku 4.5 or later"
                } else {
                    " for Sonnet or Opus"
                }
            );
            findings.push(judgement.finding(ctx, region, &resource, &subject, pass));
        }
    })
}

/// The profile's ARN when the setting names one; `model-role/<role>` for a bare model id,
/// which has no inference-profile ARN.
fn resource_name(region: &str, account: &str, role: &ModelRole) -> String {
    if role.model_id.starts_with("arn:") {
        role.model_id.to_string()
    } else if is_inference_profile_id(role.model_id) {
        format!(
            "arn:aws:bedrock:{region}:{account}:inference-profile/{}",
            role.model_id
        )
    } else {
        format!("model-role/{}", role.role)
    }
}

fn judge(snapshot: &RegionSnapshot, region: &str, role: &ModelRole) -> Judgement {
    let mut judgement = Judgement::new();
    let is_profile = is_inference_profile_id(role.model_id);
    judgement.evidence(
        Evidence::new("profile", None)
            .with("setting", role.profile_key)
            .with("env_var", role.env_var)
            .with("model_id", role.model_id)
            .with("is_inference_profile_id", is_profile),
    );
    let listed = match snapshot.inference_profiles.as_result() {
        Ok(profiles) => Some(profiles),
        Err(error) => {
            judgement.unreadable(format!("the inference profiles of {region}"), error);
            None
        }
    };

    // Which profile the setting names in this region, when that can be told.
    let mut found: Option<&InferenceProfile> = None;
    if !is_profile {
        let listed_suggestion =
            listed.and_then(|profiles| suggest_profile(profiles, role.model_id, region));
        if let Some(profiles) = listed {
            judgement.evidence(
                Evidence::new(SOURCE, Some(region))
                    .with("listed_profile_count", profiles.len())
                    .with("profile_routing_to_same_model", &listed_suggestion),
            );
        }
        let suggestion = listed_suggestion.unwrap_or_else(|| {
            format!(
                "{}.{} (with its full version suffix)",
                geography_of(region),
                foundation_model_id(role.model_id)
            )
        });
        judgement.problem(format!(
            "{} is a bare foundation-model id, which Bedrock rejects for on-demand Claude; use an inference-profile id such as {suggestion}",
            role.model_id
        ));
    } else if let Some(profiles) = listed {
        let wanted = strip_arn(role.model_id);
        found = profiles
            .iter()
            .find(|p| p.arn == role.model_id || p.id == wanted);
        match found {
            None => {
                judgement.evidence(
                    Evidence::new(SOURCE, Some(region))
                        .with("inferenceProfileId", wanted)
                        .with("found", false)
                        .with("listed_profile_count", profiles.len()),
                );
                judgement.problem(format!(
                    "{SOURCE} in {region} lists no inference profile {wanted}: check the id, and that its geography prefix covers {region} (us. for us-*, eu. for eu-*, apac. for ap-*)"
                ));
            }
            Some(profile) => {
                judgement.evidence(
                    Evidence::new(SOURCE, Some(region))
                        .with("inferenceProfileId", &profile.id)
                        .with("inferenceProfileArn", &profile.arn)
                        .with("status", &profile.status)
                        .with("type", &profile.profile_type)
                        .with("models", &profile.model_arns),
                );
                if !profile.status.eq_ignore_ascii_case("ACTIVE") {
                    judgement.problem(format!(
                        "inference profile {} is {}, not ACTIVE",
                        profile.id, profile.status
                    ));
                }
            }
        }
    }

    // An application profile's id names no model: read the model from what it routes to.
    let model = claude_model(role.model_id).or_else(|| {
        found
            .and_then(|p| p.model_arns.first())
            .and_then(|arn| claude_model(arn))
    });
    check_family(&mut judgement, role, model);
    judgement
}

fn check_family(judgement: &mut Judgement, role: &ModelRole, model: Option<ClaudeModel>) {
    // The family rules are the rollout profile's policy. A model the settings make reachable
    // (an alias target, the main model standing in for background tasks) works whatever its
    // family, so only its profile and access are judged.
    if !role.profile_key.starts_with("rollout.") {
        return;
    }
    let family = model.map(|m| m.family);
    if role.role == "fast" {
        match model {
            Some(ClaudeModel {
                family: ClaudeFamily::Haiku,
                version: Some(version),
            }) if version >= MIN_HAIKU => {}
            Some(ClaudeModel {
                family: ClaudeFamily::Haiku,
                version,
            }) => judgement.problem(format!(
                "it pins Haiku {}, older than 4.5: Claude Code on Bedrock does not upgrade Haiku 3.5 to 4.5 by itself, so set {} explicitly to a Haiku 4.5 profile such as us.anthropic.claude-haiku-4-5-20251001-v1:0",
                version.map_or("of unknown version".to_string(), |(a, b)| format!("{a}.{b}")),
                role.env_var
            )),
            _ => judgement.problem(format!(
                "the fast model is {}, not Haiku: set {} to a Haiku 4.5 profile such as us.anthropic.claude-haiku-4-5-20251001-v1:0",
                family.map_or("not a recognisable Claude model", ClaudeFamily::as_str),
                role.env_var
            )),
        }
    } else if !matches!(family, Some(ClaudeFamily::Sonnet | ClaudeFamily::Opus)) {
        judgement.problem(format!(
            "the primary model is {}, not Sonnet or Opus: set {} to a Sonnet or Opus inference profile",
            family.map_or("not a recognisable Claude model", ClaudeFamily::as_str),
            role.env_var
        ));
    }
}

/// A listed system profile that routes to the same foundation model, preferring the
/// region's own geography.
fn suggest_profile(profiles: &[InferenceProfile], model_id: &str, region: &str) -> Option<String> {
    let model = foundation_model_id(model_id);
    let candidates: Vec<&InferenceProfile> = profiles
        .iter()
        .filter(|p| {
            foundation_model_id(&p.id) == model || foundation_model_id(&p.id).starts_with(model)
        })
        .collect();
    let geography = geography_of(region);
    candidates
        .iter()
        .find(|p| p.id.starts_with(&format!("{geography}.")))
        .or_else(|| candidates.first())
        .map(|p| p.id.clone())
}

/// The inference-profile geography prefix that serves `region` (`eu-west-1` → `eu`).
fn geography_of(region: &str) -> &str {
    if region.starts_with("us-gov-") {
        return "us-gov";
    }
    match region.split('-').next().unwrap_or_default() {
        "ap" => "apac",
        other => other,
    }
}
