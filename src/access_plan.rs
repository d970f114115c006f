//! Which IAM decisions a developer needs for Claude Code to work, and how they are grouped
//! into iam:SimulatePrincipalPolicy calls. Shared by the collector (which makes the calls) and
//! by `developer-invoke-permissions` (which looks each decision up), so both always agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::model_ids::{
    find_profile, foundation_model_arn, foundation_model_location, is_inference_profile_id,
    strip_arn,
};
use crate::snapshot::InferenceProfile;

pub const INVOKE_MODEL: &str = "bedrock:InvokeModel";
pub const INVOKE_STREAM: &str = "bedrock:InvokeModelWithResponseStream";
pub const LIST_PROFILES: &str = "bedrock:ListInferenceProfiles";
pub const GET_PROFILE: &str = "bedrock:GetInferenceProfile";
/// The context key every simulation sets: the region the request is served in.
pub const REQUESTED_REGION_KEY: &str = "aws:RequestedRegion";

/// One decision a developer needs: `action` on `resource`, for a request served in
/// `requested_region`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NeededDecision {
    pub requested_region: String,
    pub action: &'static str,
    pub resource: String,
}

/// Every decision one configured model needs when developers use it from `region`.
///
/// An inference profile needs Invoke* on the profile ARN and List/GetInferenceProfile
/// (Claude Code calls them at start-up), all in `region`, plus Invoke* on the foundation model
/// in every destination region of the profile (its `models[]`), each with its own
/// `aws:RequestedRegion`. A foundation-model id is served in `region` only. `Err` says why the
/// decisions cannot be known (the profile is not listed).
pub fn needed_decisions(
    region: &str,
    configured: &str,
    profiles: &[InferenceProfile],
) -> Result<Vec<NeededDecision>, String> {
    let decision = |requested_region: &str, action, resource: &str| NeededDecision {
        requested_region: requested_region.to_string(),
        action,
        resource: resource.to_string(),
    };
    let mut needed = Vec::new();
    if !is_inference_profile_id(configured) {
        let model = foundation_model_arn(region, configured);
        for action in [INVOKE_MODEL, INVOKE_STREAM] {
            needed.push(decision(region, action, &model));
        }
        return Ok(needed);
    }
    let Some(profile) = find_profile(profiles, configured) else {
        return Err(format!(
            "bedrock:ListInferenceProfiles in {region} does not list {}, so its ARN and destination regions are unknown",
            strip_arn(configured)
        ));
    };
    for action in [INVOKE_MODEL, INVOKE_STREAM, GET_PROFILE, LIST_PROFILES] {
        needed.push(decision(region, action, &profile.arn));
    }
    let destinations: BTreeSet<&str> = profile.model_arns.iter().map(String::as_str).collect();
    for model_arn in destinations {
        let Some((destination, _)) = foundation_model_location(model_arn) else {
            return Err(format!(
                "{} routes to {model_arn:?}, which is not a foundation-model ARN",
                profile.id
            ));
        };
        for action in [INVOKE_MODEL, INVOKE_STREAM] {
            needed.push(decision(destination, action, model_arn));
        }
    }
    Ok(needed)
}

/// One iam:SimulatePrincipalPolicy call: context is per call, so one per requested region;
/// actions and resources are lists, so everything for that region goes in one call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimulationRequest {
    pub principal: String,
    pub requested_region: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

/// Groups decisions into as few calls as the per-call context allows.
pub fn simulation_requests(principal: &str, needed: &[NeededDecision]) -> Vec<SimulationRequest> {
    let mut by_region: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for decision in needed {
        let (actions, resources) = by_region.entry(&decision.requested_region).or_default();
        actions.insert(decision.action);
        resources.insert(&decision.resource);
    }
    by_region
        .into_iter()
        .map(|(region, (actions, resources))| SimulationRequest {
            principal: principal.to_string(),
            requested_region: region.to_string(),
            actions: actions.into_iter().map(str::to_string).collect(),
            resources: resources.into_iter().map(str::to_string).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> InferenceProfile {
        InferenceProfile {
            id: "us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
            arn: "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
            name: "US Haiku".into(),
            status: "ACTIVE".into(),
            profile_type: "SYSTEM_DEFINED".into(),
            model_arns: ["us-east-1", "us-east-2", "us-west-2"]
                .iter()
                .map(|r| format!("arn:aws:bedrock:{r}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"))
                .collect(),
        }
    }

    #[test]
    fn a_profile_needs_start_up_calls_here_and_invoke_in_every_destination() {
        let needed = needed_decisions(
            "us-east-1",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            &[profile()],
        )
        .expect("listed");
        assert_eq!(needed.len(), 4 + 3 * 2);
        assert!(needed
            .iter()
            .any(|d| d.requested_region == "us-east-2" && d.action == INVOKE_STREAM));
        let calls = simulation_requests("arn:aws:iam::111122223333:role/Dev", &needed);
        assert_eq!(
            calls
                .iter()
                .map(|c| c.requested_region.as_str())
                .collect::<Vec<_>>(),
            ["us-east-1", "us-east-2", "us-west-2"]
        );
        assert_eq!(calls[0].actions.len(), 4);
        assert_eq!(
            calls[0].resources.len(),
            2,
            "profile and the model in us-east-1"
        );
        assert_eq!(calls[1].actions, [INVOKE_MODEL, INVOKE_STREAM]);
        assert_eq!(calls[1].resources.len(), 1);
    }

    #[test]
    fn a_model_id_is_served_in_its_region_only_and_an_unlisted_profile_is_unknown() {
        let needed = needed_decisions(
            "eu-west-1",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            &[],
        )
        .expect("no profile needed");
        assert_eq!(needed.len(), 2);
        assert!(needed.iter().all(|d| d.requested_region == "eu-west-1"
            && d.resource
                == "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"));
        let err = needed_decisions(
            "us-east-1",
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            &[],
        )
        .expect_err("unknown");
        assert!(
            err.contains("does not list us.anthropic.claude-opus-4-1"),
            "{err}"
        );
    }
}
