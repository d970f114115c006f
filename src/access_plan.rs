//! Which IAM decisions a developer needs for Claude Code to work, and how they are grouped
//! into iam:SimulatePrincipalPolicy calls. Shared by the collector (which makes the calls) and
//! by `developer-invoke-permissions` (which looks each decision up), so both always agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::model_ids::{
    find_profile, foundation_model_arn, foundation_model_destination, is_inference_profile_id,
    routes_to_any_region, strip_arn,
};
use crate::snapshot::InferenceProfile;

pub const INVOKE_MODEL: &str = "bedrock:InvokeModel";
pub const INVOKE_STREAM: &str = "bedrock:InvokeModelWithResponseStream";
pub const LIST_PROFILES: &str = "bedrock:ListInferenceProfiles";
pub const GET_PROFILE: &str = "bedrock:GetInferenceProfile";
/// What an enforced guardrail needs of every invoker: Bedrock applies the guardrail on the
/// caller's behalf (Bedrock user guide, *Using resource-based policies for guardrails*: "the
/// caller identity must have permission to call the bedrock:ApplyGuardrail API on the
/// guardrail").
pub const APPLY_GUARDRAIL: &str = "bedrock:ApplyGuardrail";
/// A public address outside any private network (TEST-NET-3, RFC 5737): the `aws:SourceIp` of
/// the simulated request that did not come through the VPC endpoint. One value for the
/// collector that sends it and the rule that reports it.
pub const OUTSIDE_SOURCE_IP: &str = "203.0.113.10";
/// The context key every simulation sets: the region the request is served in.
pub const REQUESTED_REGION_KEY: &str = "aws:RequestedRegion";
/// The context key Bedrock sets on an invocation made through an inference profile: the
/// profile's ARN (Bedrock user guide, *Prerequisites for inference profiles*; Service
/// Authorization Reference for Amazon Bedrock).
pub const INFERENCE_PROFILE_ARN_KEY: &str = "bedrock:InferenceProfileArn";
/// Every Bedrock request is HTTPS, so `aws:SecureTransport` is known: `true`.
pub const SECURE_TRANSPORT_KEY: &str = "aws:SecureTransport";
/// The VPC endpoint and VPC a request arrives through; supplied only when the profile says
/// requests come through the account's bedrock-runtime endpoint (`[network] private_only`).
pub const SOURCE_VPCE_KEY: &str = "aws:SourceVpce";
/// The service a request was made through: Bedrock subscribes to a model on its first
/// invocation, calling AWS Marketplace on the invoker's behalf.
pub const CALLED_VIA_KEY: &str = "aws:CalledVia";
pub const CALLED_VIA_LAST_KEY: &str = "aws:CalledViaLast";
pub const BEDROCK_SERVICE: &str = "bedrock.amazonaws.com";
/// What the first invoker of a model whose agreement is not yet in place needs (Bedrock user
/// guide, *Request access to models*: "your IAM role must have aws-marketplace:Subscribe,
/// aws-marketplace:Unsubscribe and aws-marketplace:ViewSubscriptions permissions").
pub const FIRST_USE_ACTIONS: [&str; 3] = [
    "aws-marketplace:Subscribe",
    "aws-marketplace:Unsubscribe",
    "aws-marketplace:ViewSubscriptions",
];
pub const SOURCE_VPC_KEY: &str = "aws:SourceVpc";

/// One decision a developer needs: `action` on `resource`, for a request served in
/// `requested_region`, made through the inference profile `inference_profile_arn` (the value of
/// `bedrock:InferenceProfileArn`; `None` when the request names no profile).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NeededDecision {
    pub requested_region: String,
    pub action: &'static str,
    pub resource: String,
    pub inference_profile_arn: Option<String>,
}

/// Every decision one configured model needs when developers use it from `region`, with the
/// request context a real request carries.
///
/// - A foundation-model id is served in `region` only, with no profile.
/// - An inference profile (system-defined or application) needs, in `region` and with
///   `bedrock:InferenceProfileArn` = its ARN, Invoke* on the profile itself; and Invoke* on
///   each foundation model of its `models[]`, served in that model's region, again with
///   `bedrock:InferenceProfileArn` = the profile's ARN (Bedrock user guide, *Prerequisites for
///   inference profiles*: "models only through a profile" is an Allow conditioned on that key).
/// - A `global.` profile's `models[]` holds the region-less ARN
///   `arn:aws:bedrock:::foundation-model/<id>`: IAM evaluates it with `aws:RequestedRegion` =
///   `unspecified`, and the source region's foundation model is evaluated too (Bedrock user
///   guide, *Global cross-Region inference*, IAM policy requirements), whether or not the
///   listing names it.
/// - An application inference profile is planned the same way from its own ARN and `models[]`.
/// - List/GetInferenceProfile (Claude Code's discovery at start-up) are separate requests in
///   `region` that name no profile.
///
/// `Err` says why the decisions cannot be known (the profile is not listed).
pub fn needed_decisions(
    region: &str,
    configured: &str,
    profiles: &[InferenceProfile],
) -> Result<Vec<NeededDecision>, String> {
    let decision =
        |requested_region: &str, action, resource: &str, through: Option<&str>| NeededDecision {
            requested_region: requested_region.to_string(),
            action,
            resource: resource.to_string(),
            inference_profile_arn: through.map(str::to_string),
        };
    let mut needed = Vec::new();
    if !is_inference_profile_id(configured) {
        let model = foundation_model_arn(region, configured);
        for action in [INVOKE_MODEL, INVOKE_STREAM] {
            needed.push(decision(region, action, &model, None));
        }
        return Ok(needed);
    }
    let Some(profile) = find_profile(profiles, configured) else {
        return Err(format!(
            "bedrock:ListInferenceProfiles in {region} does not list {}, so its ARN and destination regions are unknown",
            strip_arn(configured)
        ));
    };
    let through = Some(profile.arn.as_str());
    for action in [GET_PROFILE, LIST_PROFILES] {
        needed.push(decision(region, action, &profile.arn, None));
    }
    for action in [INVOKE_MODEL, INVOKE_STREAM] {
        needed.push(decision(region, action, &profile.arn, through));
    }
    let mut destinations: BTreeSet<(String, String)> = BTreeSet::new();
    for model_arn in &profile.model_arns {
        let Some((destination, _)) = foundation_model_destination(model_arn) else {
            return Err(format!(
                "{} routes to {model_arn:?}, which is not a foundation-model ARN",
                profile.id
            ));
        };
        destinations.insert((
            destination.requested_region().to_string(),
            model_arn.clone(),
        ));
    }
    if routes_to_any_region(profile) {
        destinations.insert((
            region.to_string(),
            foundation_model_arn(region, &profile.id),
        ));
    }
    for (requested_region, model_arn) in destinations {
        for action in [INVOKE_MODEL, INVOKE_STREAM] {
            needed.push(decision(&requested_region, action, &model_arn, through));
        }
    }
    Ok(needed)
}

/// The decisions the enforced guardrails of `region` need: bedrock:ApplyGuardrail on each, in
/// that region. They name no profile, so they share the discovery call.
pub fn guardrail_decisions(region: &str, guardrail_arns: &[String]) -> Vec<NeededDecision> {
    guardrail_arns
        .iter()
        .map(|arn| NeededDecision {
            requested_region: region.to_string(),
            action: APPLY_GUARDRAIL,
            resource: arn.clone(),
            inference_profile_arn: None,
        })
        .collect()
}

/// Where developers' requests come from, when the profile says so: the VPC endpoint and VPC
/// of the account's bedrock-runtime interface endpoint (`[network] private_only = true`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestOrigin {
    pub vpc_endpoint_id: String,
    pub vpc_id: String,
}

/// One iam:SimulatePrincipalPolicy call. Context entries are per call, so one call per
/// (`aws:RequestedRegion`, `bedrock:InferenceProfileArn`); actions and resources are lists,
/// so everything sharing that context goes in one call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimulationRequest {
    pub principal: String,
    pub requested_region: String,
    pub inference_profile_arn: Option<String>,
    pub origin: Option<RequestOrigin>,
    /// The Marketplace calls Bedrock makes on a first invocation: `aws:CalledVia` and
    /// `aws:CalledViaLast` = `bedrock.amazonaws.com`.
    pub called_via_bedrock: bool,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

impl SimulationRequest {
    /// Every context entry of the call besides `aws:RequestedRegion` and
    /// `bedrock:InferenceProfileArn`, as sent.
    pub fn extra_context(&self) -> BTreeMap<String, String> {
        let mut context = BTreeMap::new();
        context.insert(SECURE_TRANSPORT_KEY.to_string(), "true".to_string());
        if let Some(origin) = &self.origin {
            context.insert(SOURCE_VPCE_KEY.to_string(), origin.vpc_endpoint_id.clone());
            context.insert(SOURCE_VPC_KEY.to_string(), origin.vpc_id.clone());
        }
        if self.called_via_bedrock {
            context.insert(CALLED_VIA_KEY.to_string(), BEDROCK_SERVICE.to_string());
            context.insert(CALLED_VIA_LAST_KEY.to_string(), BEDROCK_SERVICE.to_string());
        }
        context
    }

    /// Whether this call asked the first-use (Marketplace) question.
    pub fn is_first_use(context: &BTreeMap<String, String>) -> bool {
        context.get(CALLED_VIA_LAST_KEY).map(String::as_str) == Some(BEDROCK_SERVICE)
    }
}

/// The call that asks whether `principal` can complete the first use of a model in `region`:
/// the Marketplace actions on `*`, made through Bedrock.
pub fn first_use_request(
    principal: &str,
    region: &str,
    origin: Option<&RequestOrigin>,
) -> SimulationRequest {
    SimulationRequest {
        principal: principal.to_string(),
        requested_region: region.to_string(),
        inference_profile_arn: None,
        origin: origin.cloned(),
        called_via_bedrock: true,
        actions: FIRST_USE_ACTIONS.iter().map(|a| a.to_string()).collect(),
        resources: vec!["*".to_string()],
    }
}

/// Groups decisions into as few calls as the per-call context allows.
pub fn simulation_requests(
    principal: &str,
    needed: &[NeededDecision],
    origin: Option<&RequestOrigin>,
) -> Vec<SimulationRequest> {
    type Calls<'a> = BTreeMap<(&'a str, Option<&'a str>), (BTreeSet<&'a str>, BTreeSet<&'a str>)>;
    let mut by_context: Calls = BTreeMap::new();
    for decision in needed {
        let (actions, resources) = by_context
            .entry((
                &decision.requested_region,
                decision.inference_profile_arn.as_deref(),
            ))
            .or_default();
        actions.insert(decision.action);
        resources.insert(&decision.resource);
    }
    by_context
        .into_iter()
        .map(
            |((region, profile), (actions, resources))| SimulationRequest {
                principal: principal.to_string(),
                requested_region: region.to_string(),
                inference_profile_arn: profile.map(str::to_string),
                origin: origin.cloned(),
                called_via_bedrock: false,
                actions: actions.into_iter().map(str::to_string).collect(),
                resources: resources.into_iter().map(str::to_string).collect(),
            },
        )
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
        let profile_arn = profile().arn;
        // Every invocation carries the profile's ARN in bedrock:InferenceProfileArn; the
        // discovery calls name no profile.
        for decision in &needed {
            let through_profile =
                decision.action == INVOKE_MODEL || decision.action == INVOKE_STREAM;
            assert_eq!(
                decision.inference_profile_arn.as_deref(),
                through_profile.then_some(profile_arn.as_str()),
                "{decision:?}"
            );
        }
        assert!(needed
            .iter()
            .any(|d| d.requested_region == "us-east-2" && d.action == INVOKE_STREAM));
        let calls = simulation_requests("arn:aws:iam::111122223333:role/Dev", &needed, None);
        let contexts: Vec<(&str, Option<&str>)> = calls
            .iter()
            .map(|c| {
                (
                    c.requested_region.as_str(),
                    c.inference_profile_arn.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            contexts,
            [
                ("us-east-1", None),
                ("us-east-1", Some(profile_arn.as_str())),
                ("us-east-2", Some(profile_arn.as_str())),
                ("us-west-2", Some(profile_arn.as_str())),
            ]
        );
        assert_eq!(calls[0].actions, [GET_PROFILE, LIST_PROFILES]);
        assert_eq!(calls[1].actions, [INVOKE_MODEL, INVOKE_STREAM]);
        assert_eq!(
            calls[1].resources.len(),
            2,
            "profile and the model in us-east-1"
        );
        assert_eq!(calls[2].resources.len(), 1);
        let context = calls[2].extra_context();
        assert_eq!(
            context.get(SECURE_TRANSPORT_KEY).map(String::as_str),
            Some("true")
        );
        assert_eq!(context.get(SOURCE_VPCE_KEY), None);
    }

    #[test]
    fn a_global_profile_is_judged_in_unspecified_and_in_the_source_region() {
        let model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
        let global = InferenceProfile {
            id: format!("global.{model}"),
            arn: format!("arn:aws:bedrock:eu-west-1:111122223333:inference-profile/global.{model}"),
            name: "Global Sonnet".into(),
            status: "ACTIVE".into(),
            profile_type: "SYSTEM_DEFINED".into(),
            // Only the region-less ARN: the source region's model is added all the same.
            model_arns: vec![format!("arn:aws:bedrock:::foundation-model/{model}")],
        };
        let needed = needed_decisions("eu-west-1", &global.id, std::slice::from_ref(&global))
            .expect("listed");
        let invoked: BTreeSet<(&str, &str)> = needed
            .iter()
            .filter(|d| d.action == INVOKE_MODEL)
            .map(|d| (d.requested_region.as_str(), d.resource.as_str()))
            .collect();
        let regionless = format!("arn:aws:bedrock:::foundation-model/{model}");
        let source = format!("arn:aws:bedrock:eu-west-1::foundation-model/{model}");
        assert_eq!(
            invoked,
            BTreeSet::from([
                ("eu-west-1", global.arn.as_str()),
                ("eu-west-1", source.as_str()),
                ("unspecified", regionless.as_str()),
            ])
        );
        assert!(needed
            .iter()
            .filter(|d| d.action == INVOKE_MODEL)
            .all(|d| d.inference_profile_arn.as_deref() == Some(global.arn.as_str())));
        let origin = RequestOrigin {
            vpc_endpoint_id: "vpce-0abc".into(),
            vpc_id: "vpc-0def".into(),
        };
        let calls =
            simulation_requests("arn:aws:iam::111122223333:role/Dev", &needed, Some(&origin));
        assert_eq!(calls.len(), 3);
        assert!(calls.iter().all(
            |c| c.extra_context().get(SOURCE_VPCE_KEY).map(String::as_str) == Some("vpce-0abc")
                && c.extra_context().get(SOURCE_VPC_KEY).map(String::as_str) == Some("vpc-0def")
        ));
    }

    #[test]
    fn an_application_profile_is_planned_from_its_own_arn_and_models() {
        let model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
        let app = InferenceProfile {
            id: "a1b2c3d4".into(),
            arn: "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4"
                .into(),
            name: "team-a".into(),
            status: "ACTIVE".into(),
            profile_type: "APPLICATION".into(),
            model_arns: vec![
                format!("arn:aws:bedrock:us-east-1::foundation-model/{model}"),
                format!("arn:aws:bedrock:us-west-2::foundation-model/{model}"),
            ],
        };
        let needed =
            needed_decisions("us-east-1", &app.arn, std::slice::from_ref(&app)).expect("listed");
        assert!(needed.iter().any(|d| d.resource == app.arn
            && d.action == INVOKE_MODEL
            && d.inference_profile_arn.as_deref() == Some(app.arn.as_str())));
        assert!(needed.iter().any(|d| d.requested_region == "us-west-2"
            && d.inference_profile_arn.as_deref() == Some(app.arn.as_str())));
    }

    #[test]
    fn the_first_use_call_asks_the_marketplace_actions_through_bedrock() {
        let call = first_use_request("arn:aws:iam::111122223333:role/Dev", "us-east-1", None);
        assert_eq!(call.actions, FIRST_USE_ACTIONS);
        assert_eq!(call.resources, ["*"]);
        let context = call.extra_context();
        assert!(SimulationRequest::is_first_use(&context));
        assert_eq!(
            context.get(CALLED_VIA_KEY).map(String::as_str),
            Some(BEDROCK_SERVICE)
        );
        let plain = simulation_requests("arn:aws:iam::111122223333:role/Dev", &[], None);
        assert!(plain.is_empty());
        let invoke = needed_decisions("us-east-1", &profile().id, &[profile()]).expect("listed");
        let calls = simulation_requests("arn:aws:iam::111122223333:role/Dev", &invoke, None);
        assert!(calls
            .iter()
            .all(|c| !SimulationRequest::is_first_use(&c.extra_context())));
    }

    #[test]
    fn an_enforced_guardrail_is_asked_in_the_discovery_call() {
        let mut needed =
            needed_decisions("us-east-1", &profile().id, &[profile()]).expect("listed");
        let guardrail = "arn:aws:bedrock:us-east-1:111122223333:guardrail/gr1".to_string();
        needed.extend(guardrail_decisions(
            "us-east-1",
            std::slice::from_ref(&guardrail),
        ));
        let calls = simulation_requests("arn:aws:iam::111122223333:role/Dev", &needed, None);
        assert_eq!(calls.len(), 4, "no extra call");
        assert!(calls[0].actions.iter().any(|a| a == APPLY_GUARDRAIL));
        assert!(calls[0].resources.contains(&guardrail));
    }

    #[test]
    fn an_unknown_entry_in_models_is_not_guessed() {
        let mut odd = profile();
        odd.model_arns
            .push("arn:aws:bedrock:us-east-1:111122223333:custom-model/x".into());
        let err = needed_decisions("us-east-1", &odd.id, &[odd.clone()]).expect_err("unknown");
        assert!(err.contains("not a foundation-model ARN"), "{err}");
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
