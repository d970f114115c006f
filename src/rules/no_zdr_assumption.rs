//! `no-zdr-assumption`: the account's Bedrock data retention mode, in every region Claude
//! Code's requests are served in, meets the profile's retention requirements.
//!
//! Bedrock user guide, "Data retention"
//! (<https://docs.aws.amazon.com/bedrock/latest/userguide/data-retention.html>): the mode is
//! set per region, "governs every request in the Region where you set it and does not
//! propagate"; a region never configured stays `inherit` (each model's default applies).
//! `none` is zero data retention, and a model that requires retention is then blocked with an
//! error. `provider_data_share` lets Bedrock share inference data with the model provider;
//! `aws_review` lets AWS review it without sharing it with the provider (aws-sdk-bedrock 1.166,
//! `DataRetentionMode`).
//!
//! Which region's mode governs a cross-region request is not documented beyond "the Region
//! where you set it", and abuse-detection storage happens in the destination region
//! (user guide, "Geographic cross-Region inference"). So every region a request can be served
//! in is judged: the source region and each destination of the profile. A global profile can
//! be served in any commercial region, whose modes the scan does not read: undetermined.
//!
//! One finding per target region. An unread or unknown mode is `error`, never `pass`.

use std::collections::BTreeMap;

use crate::finding::{Evidence, Finding};
use crate::model_ids::{
    find_profile, foundation_model_id, is_inference_profile_id, other_destinations,
};
use crate::profile::ProviderDataSharing;
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::RegionSnapshot;

const GET_DATA_RETENTION: &str = "bedrock:GetAccountDataRetention";
const ZDR_KEY: &str = "data_retention.zero_data_retention_required";
const SHARING_KEY: &str = "data_retention.provider_data_sharing";

/// Models that retain traffic whatever the mode, so Bedrock blocks them under `none`, matched
/// by a fragment of the foundation-model id, with the reason. Source: Bedrock user guide, "Data
/// retention" ("no data retention change to Claude models released before Claude Fable 5"; the
/// models requiring retention are listed on "Amazon Bedrock abuse detection",
/// https://docs.aws.amazon.com/bedrock/latest/userguide/abuse-detection.html: Claude Fable 5 and
/// 5.x retain all traffic up to 30 days). No Claude model is documented as requiring
/// `provider_data_share`, so no such table exists.
const REQUIRES_RETENTION: &[(&str, &str)] = &[(
    "claude-fable-5",
    "Claude Fable 5 models retain all traffic up to 30 days (Bedrock abuse detection)",
)];

fn requires_retention(model_id: &str) -> Option<&'static str> {
    let id = foundation_model_id(model_id).to_ascii_lowercase();
    REQUIRES_RETENTION
        .iter()
        .find(|(fragment, _)| id.contains(fragment))
        .map(|(_, why)| *why)
}

/// The modes this version knows, with what each means for a request.
fn meaning(mode: &str) -> Option<&'static str> {
    Some(match mode {
        "none" => "zero data retention: nothing is stored by AWS or shared with the model provider",
        "default" => "the model's own retention policy applies; AWS may retain data for abuse prevention, the provider does not receive it",
        "inherit" => "not set in this region: each model's default applies",
        "aws_review" => "AWS may review request data; it is not shared with the model provider",
        "provider_data_share" => "Bedrock may share request data with the model provider",
        _ => return None,
    })
}

/// A model Claude Code calls, as the profile names it.
struct ModelInUse<'a> {
    role: &'static str,
    id: &'a str,
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    ctx.per_region(|region, snapshot, findings| {
        findings.push(judge_region(ctx, region, snapshot));
    })
}

fn judge_region(ctx: &RuleContext, region: &str, snapshot: &RegionSnapshot) -> Finding {
    let zdr_required = ctx.profile.data_retention.zero_data_retention_required;
    let sharing = ctx.profile.data_retention.provider_data_sharing;
    let resource = format!("bedrock-data-retention/{region}");
    let mut judgement = Judgement::new();
    judgement.evidence(
        Evidence::new("profile", None)
            .with(ZDR_KEY, zdr_required)
            .with(SHARING_KEY, sharing.as_str()),
    );

    // Region → the models served there; the foundation models each profile routes to.
    let mut served: BTreeMap<String, Vec<ModelInUse>> = BTreeMap::new();
    let mut underlying: Vec<(ModelInUse, String)> = Vec::new();
    // The models Claude Code will call here (the settings files' models too, when given).
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    for role in resolution.roles_in(region) {
        let id: &str = role.model_id;
        let in_use = || ModelInUse {
            role: role.role,
            id,
        };
        if !is_inference_profile_id(id) {
            served.entry(region.to_string()).or_default().push(in_use());
            underlying.push((in_use(), foundation_model_id(id).to_string()));
            continue;
        }
        let profiles = match snapshot.inference_profiles.as_result() {
            Ok(profiles) => profiles,
            Err(error) => {
                judgement.unreadable(
                    format!("the inference profiles of {region} (the regions the {} model {id} is served in)", role.role),
                    error,
                );
                continue;
            }
        };
        let Some(profile) = find_profile(profiles, id) else {
            judgement.undetermined(format!(
                "the {} model {id} is not an inference profile listed in {region}, so the regions it is served in are unknown",
                role.role
            ));
            continue;
        };
        served.entry(region.to_string()).or_default().push(in_use());
        for (destination, model) in other_destinations(profile, region) {
            served
                .entry(destination.to_string())
                .or_default()
                .push(in_use());
            underlying.push((in_use(), model.to_string()));
        }
        underlying.push((in_use(), foundation_model_id(id).to_string()));
        let global = profile
            .model_arns
            .iter()
            .any(|arn| arn.split(':').nth(3) == Some(""));
        if global && (zdr_required || sharing == ProviderDataSharing::Forbidden) {
            judgement.undetermined(format!(
                "the {} model {id} is a global inference profile, which Bedrock may serve in any commercial region; the data retention mode there was not read",
                role.role
            ));
        }
    }

    // A profile names the same foundation model in each of its regions: judge it once.
    underlying.dedup_by(|a, b| a.0.role == b.0.role && a.1 == b.1);
    // Requests are always served in the source region, whatever else is unknown.
    served.entry(region.to_string()).or_default();
    let mut modes: Vec<String> = Vec::new();
    for (serving, models) in &served {
        // "…, where <names> served": the verb agrees with the number of models.
        let names = match models.as_slice() {
            [] => "Claude Code's models are".to_string(),
            [one] => format!("the {} model {} is", one.role, one.id),
            many => format!(
                "the {} are",
                many.iter()
                    .map(|m| format!("{} model {}", m.role, m.id))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        };
        let setting = match &snapshot.data_retention {
            None => {
                judgement.missing(
                    format!("the data retention mode ({GET_DATA_RETENTION} was not called: a snapshot from an older bedrock-audit)"),
                    Evidence::new(GET_DATA_RETENTION, Some(region)).with("collected", false),
                );
                break;
            }
            Some(map) => match map.get(serving) {
                None => {
                    judgement.missing(
                        format!("the data retention mode of {serving}, where {names} served ({GET_DATA_RETENTION} was not called there)"),
                        Evidence::new(GET_DATA_RETENTION, Some(serving.as_str())).with("collected", false),
                    );
                    continue;
                }
                Some(setting) => setting,
            },
        };
        let setting = match setting.as_result() {
            Ok(setting) => setting,
            Err(error) => {
                judgement.unreadable(
                    format!("the data retention mode of {serving}, where {names} served"),
                    error,
                );
                continue;
            }
        };
        let mode = setting.mode.as_str();
        judgement.evidence(
            Evidence::new(GET_DATA_RETENTION, Some(serving.as_str()))
                .with("mode", mode)
                .with("updatedAt", &setting.updated_at)
                .with("serves", models.iter().map(|m| m.id).collect::<Vec<_>>()),
        );
        modes.push(format!("{serving}: {mode}"));
        let Some(meaning) = meaning(mode) else {
            judgement.undetermined(format!(
                "the data retention mode of {serving} is {mode:?}, which this version of bedrock-audit does not know"
            ));
            continue;
        };
        if zdr_required && mode != "none" {
            judgement.problem(format!(
                "zero data retention is required, but the data retention mode of {serving}, where {names} served, is {mode} ({meaning})"
            ));
        }
        if sharing == ProviderDataSharing::Forbidden && mode == "provider_data_share" {
            judgement.problem(format!(
                "the data retention mode of {serving}, where {names} served, is provider_data_share: Bedrock may share prompts with the model provider, which {SHARING_KEY} = \"forbidden\" does not allow"
            ));
        }
        for (model, foundation) in underlying.iter().filter(|(m, _)| {
            models
                .iter()
                .any(|served| served.role == m.role && served.id == m.id)
        }) {
            match requires_retention(foundation) {
                Some(why) if mode == "none" => {
                    judgement.problem(format!(
                        "the {} model {} is blocked in {serving}: {why}, and Bedrock refuses a model that requires retention under mode none, so Claude Code's requests will fail with an error",
                        model.role, model.id
                    ));
                }
                Some(why) if zdr_required => {
                    judgement.problem(format!(
                        "the {} model {} retains data whatever the mode ({why}), so zero data retention cannot hold for it",
                        model.role, model.id
                    ));
                }
                _ => {}
            }
        }
    }

    let wanted = match (zdr_required, sharing) {
        (true, _) => "zero data retention (mode none)",
        (false, ProviderDataSharing::Forbidden) => {
            "no sharing with the model provider (aws_review is acceptable: AWS may review data but does not share it with the provider)"
        }
        (false, ProviderDataSharing::Allowed) => "no particular mode",
    };
    judgement.evidence(Evidence::new(GET_DATA_RETENTION, Some(region)).with(
        "regions_requests_are_served_in",
        served.keys().collect::<Vec<_>>(),
    ));
    let pinned = pinning_scps(&mut judgement, ctx.snapshot);
    judgement.finding(
        ctx,
        region,
        &resource,
        &format!("The data retention mode where requests from {region} are served does not meet the profile"),
        format!(
            "Requests from {region} are served where the data retention mode is {}; the profile asks for {wanted}.{pinned}",
            modes.join(", ")
        ),
    )
}

const LIST_SCPS: &str = "organizations:ListPoliciesForTarget";

/// Records which service control policies pin the mode with `bedrock:DataRetentionMode`
/// (evidence only: an SCP cannot set the mode, it keeps it from being changed); a sentence for
/// the pass message when some do.
fn pinning_scps(judgement: &mut Judgement, snapshot: &crate::snapshot::Snapshot) -> String {
    let evidence =
        Evidence::new(LIST_SCPS, None).with("condition_key", "bedrock:DataRetentionMode");
    match &snapshot.data_retention_scps {
        None => {
            judgement.evidence(evidence.with("collected", false));
            String::new()
        }
        Some(collected) => match collected.as_result() {
            Err(error) => {
                judgement.evidence(
                    evidence
                        .with("readable", false)
                        .with("operation", &error.operation)
                        .with("code", &error.code)
                        .with("note", "whether an SCP pins the mode is unknown: an organisation's policies can be read only from its management account or a delegated administrator"),
                );
                String::new()
            }
            Ok(scps) if scps.is_empty() => {
                judgement.evidence(evidence.with("scps_using_the_key", Vec::<String>::new()));
                String::new()
            }
            Ok(scps) => {
                for scp in scps {
                    judgement.evidence(
                        Evidence::new(LIST_SCPS, None)
                            .with("condition_key", "bedrock:DataRetentionMode")
                            .with("PolicyId", &scp.policy_id)
                            .with("PolicyName", &scp.policy_name)
                            .with("attached_to", &scp.attached_to)
                            .with("statements", &scp.statements),
                    );
                }
                format!(
                    " The organisation constrains the mode with bedrock:DataRetentionMode in {} (see the evidence).",
                    scps.iter()
                        .map(|scp| format!("SCP {} ({})", scp.policy_id, scp.policy_name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        },
    }
}
