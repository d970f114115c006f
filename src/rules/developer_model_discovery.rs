//! `developer-model-discovery`: each developer principal may call
//! bedrock:ListInferenceProfiles and bedrock:GetInferenceProfile on the configured profiles in
//! every target region, as iam:SimulatePrincipalPolicy sees it.
//!
//! Discovery is not invocation: when these are denied, Claude Code still works (it applies the
//! region's geography prefix without listing, and pinned model ids need no lookup), so this is
//! a lower-severity rule of its own, apart from `developer-invoke-permissions`. One finding per
//! target region and principal; the decisions are judged exactly as the invoke rule judges its
//! own (deny fails, a missing context key or an unread simulation is `error`).

use crate::access_plan::{GET_PROFILE, LIST_PROFILES};
use crate::finding::Finding;
use crate::rules::developer_invoke_permissions::{judge, no_principals};
use crate::rules::RuleContext;

fn is_discovery(action: &str) -> bool {
    action == LIST_PROFILES || action == GET_PROFILE
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let principals = &ctx.profile.access.developer_principals;
    if principals.is_empty() {
        return no_principals(ctx);
    }
    ctx.per_region(|region, snapshot, findings| {
        for principal in principals {
            let (judgement, checked) = judge(snapshot, region, principal, ctx, is_discovery);
            let subject = format!(
                "{principal} cannot discover inference profiles in {region}: Claude Code still invokes the configured models, but cannot list or look up profiles (the model picker finds nothing, and the geography prefix is applied without checking it exists)"
            );
            let pass = format!(
                "{principal} may list and read the configured inference profiles in {region} ({checked} decisions: bedrock:ListInferenceProfiles, bedrock:GetInferenceProfile)."
            );
            findings.push(judgement.finding(ctx, region, principal, &subject, pass));
        }
    })
}
