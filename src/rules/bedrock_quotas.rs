//! `bedrock-quotas`: the tokens-per-minute and requests-per-minute quotas that apply to the
//! primary and fast models exist in every target region, are not 0, and, when the profile
//! states the team's size, cover developers × per-developer need.
//!
//! Which quota applies depends on how the model is called: a `global.` profile uses the
//! "Global cross-Region" quotas, another geography prefix (`us.`, `eu.`, …) the "Cross-region"
//! quotas, a foundation-model id the on-demand ones. Quota names are not spelled consistently,
//! so [`quota_applies`] matches provider, family and version (and model revision) and refuses
//! every variant it does not know (1M context, batch, another version): a quota it cannot
//! find is `error`, never `pass`.

use crate::finding::{Evidence, Finding};
use crate::model_ids::{
    claude_model, geography_prefix, is_inference_profile_id, model_roles, strip_arn, ClaudeFamily,
};
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::ServiceQuota;

const LIST_QUOTAS: &str = "servicequotas:ListServiceQuotas";

/// How requests reach the model, which decides the quota family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// `global.` inference profiles.
    Global,
    /// Geography profiles (`us.`, `eu.`, `apac.`, …).
    CrossRegion,
    /// A foundation-model id, served in the region itself.
    OnDemand,
}

impl Routing {
    fn label(self) -> &'static str {
        match self {
            Routing::Global => "global cross-Region",
            Routing::CrossRegion => "cross-Region",
            Routing::OnDemand => "on-demand",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    TokensPerMinute,
    RequestsPerMinute,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::TokensPerMinute => "tokens per minute",
            Metric::RequestsPerMinute => "requests per minute",
        }
    }
}

/// The model a configured id names, as quota names describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaModel {
    pub routing: Routing,
    pub family: ClaudeFamily,
    pub version: (u32, u32),
    /// The `-v<N>` revision of the model id (`V2` in a quota name); 1 when absent.
    pub revision: u32,
}

/// Reads routing, family, version and revision from a configured model id; `None` for an id
/// that names no Claude model with a version (an application-inference-profile ARN).
pub fn quota_model(configured: &str) -> Option<QuotaModel> {
    if configured.contains(":application-inference-profile/") {
        return None;
    }
    let routing = match geography_prefix(configured) {
        Some("global") => Routing::Global,
        Some(_) => Routing::CrossRegion,
        None if is_inference_profile_id(configured) => return None,
        None => Routing::OnDemand,
    };
    let model = claude_model(configured)?;
    let id = strip_arn(configured).to_ascii_lowercase();
    let revision = id
        .split(['-', ':'])
        .filter_map(|t| t.strip_prefix('v'))
        .find_map(|n| n.parse::<u32>().ok())
        .unwrap_or(1);
    Some(QuotaModel {
        routing,
        family: model.family,
        version: model.version?,
        revision,
    })
}

/// Whether a quota named `name` is the `metric` quota for `model`. Pure and strict: the
/// routing words, the metric, "Anthropic"/"Claude", the family and the exact version must
/// all be there, and any other word after "for" (a variant such as "1M Context Length")
/// means another quota.
pub fn quota_applies(name: &str, model: &QuotaModel, metric: Metric) -> bool {
    let lower = name
        .to_ascii_lowercase()
        .replace("cross region", "cross-region");
    let Some((head, subject)) = lower.split_once(" for ") else {
        return false;
    };
    let routing = if head.contains("global cross-region") {
        Routing::Global
    } else if head.contains("cross-region") {
        Routing::CrossRegion
    } else {
        Routing::OnDemand
    };
    if routing != model.routing
        || !head.contains(metric.label())
        || ["batch", "provisioned", "per day", "reserved"]
            .iter()
            .any(|w| head.contains(w))
    {
        return false;
    }
    let mut saw_claude = false;
    let mut family = None;
    let mut version = None;
    let mut revision = 1;
    for token in subject.split_whitespace() {
        match token {
            "anthropic" => {}
            "claude" => saw_claude = true,
            "haiku" => family = Some(ClaudeFamily::Haiku),
            "sonnet" => family = Some(ClaudeFamily::Sonnet),
            "opus" => family = Some(ClaudeFamily::Opus),
            t if version.is_none() && parse_version(t).is_some() => version = parse_version(t),
            t if t.len() > 1
                && t.starts_with('v')
                && t[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                match t[1..].parse() {
                    Ok(n) => revision = n,
                    Err(_) => return false,
                }
            }
            // Any other word names a variant (context length, a date, "batch", …).
            _ => return false,
        }
    }
    saw_claude
        && family == Some(model.family)
        && version == Some(model.version)
        && revision == model.revision
}

/// `4.5` → (4, 5), `4` → (4, 0); anything else is not a version.
fn parse_version(token: &str) -> Option<(u32, u32)> {
    let (major, minor) = match token.split_once('.') {
        Some((major, minor)) => (major, minor),
        None => (token, "0"),
    };
    let number = |t: &str| {
        (!t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()))
            .then(|| t.parse::<u32>().ok())
            .flatten()
    };
    Some((number(major)?, number(minor)?))
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    ctx.per_region(|region, snapshot, findings| {
        for role in model_roles(ctx.profile) {
            let resource = format!("servicequotas/bedrock/{}", strip_arn(role.model_id));
            let subject = format!(
                "The {} model {} ({}) lacks the quota Claude Code needs in {region}",
                role.role,
                strip_arn(role.model_id),
                role.env_var
            );
            let mut judgement = Judgement::new();
            let mut passed = Vec::new();
            match &snapshot.service_quotas {
                None => judgement.missing(
                    format!("the Bedrock quotas of {region} were not collected (a snapshot from an older version)"),
                    Evidence::new(LIST_QUOTAS, Some(region)).with("collected", false),
                ),
                Some(collected) => match collected.as_result() {
                    Err(error) => judgement.unreadable(format!("the Bedrock quotas of {region}"), error),
                    Ok(quotas) => match quota_model(role.model_id) {
                        None => judgement.missing(
                            format!("{} names no Claude model and version, so its quotas cannot be found", role.model_id),
                            Evidence::new(LIST_QUOTAS, Some(region)).with("configured", role.model_id),
                        ),
                        Some(model) => {
                            for metric in [Metric::TokensPerMinute, Metric::RequestsPerMinute] {
                                judge_quota(ctx, &mut judgement, &mut passed, region, quotas, &model, metric);
                            }
                        }
                    },
                },
            }
            let pass = format!(
                "The {} model's quotas in {region} cover the need: {}.",
                role.role,
                passed.join("; ")
            );
            findings.push(judgement.finding(ctx, region, &resource, &subject, pass));
        }
    })
}

fn judge_quota(
    ctx: &RuleContext,
    judgement: &mut Judgement,
    passed: &mut Vec<String>,
    region: &str,
    quotas: &[ServiceQuota],
    model: &QuotaModel,
    metric: Metric,
) {
    let wanted = format!(
        "the {} {} quota for Claude {} {}.{}",
        model.routing.label(),
        metric.label(),
        model.family.as_str(),
        model.version.0,
        model.version.1
    );
    let matching: Vec<&ServiceQuota> = quotas
        .iter()
        .filter(|q| quota_applies(&q.quota_name, model, metric))
        .collect();
    let quota = match matching.as_slice() {
        [] => {
            judgement.missing(
                format!("{LIST_QUOTAS} in {region} lists no {}", &wanted[4..]),
                Evidence::new(LIST_QUOTAS, Some(region))
                    .with("wanted", &wanted[4..])
                    .with("anthropic_quotas_listed", quotas.len()),
            );
            return;
        }
        [quota] => *quota,
        several => {
            judgement.missing(
                format!(
                    "{} quotas in {region} could be {wanted}: {}",
                    several.len(),
                    several
                        .iter()
                        .map(|q| format!("{} ({})", q.quota_name, q.quota_code))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Evidence::new(LIST_QUOTAS, Some(region)).with("wanted", &wanted[4..]),
            );
            return;
        }
    };
    judgement.evidence(
        Evidence::new(LIST_QUOTAS, Some(region))
            .with("QuotaCode", &quota.quota_code)
            .with("QuotaName", &quota.quota_name)
            .with("Value", quota.value)
            .with("Adjustable", quota.adjustable),
    );
    let Some(applied) = quota.value else {
        judgement.missing(
            format!(
                "{} ({}) has no applied value",
                quota.quota_name, quota.quota_code
            ),
            Evidence::new(LIST_QUOTAS, Some(region)).with("QuotaCode", &quota.quota_code),
        );
        return;
    };
    let capacity = &ctx.profile.capacity;
    let per_developer = match metric {
        Metric::TokensPerMinute => capacity.tokens_per_minute_per_developer,
        Metric::RequestsPerMinute => capacity.requests_per_minute_per_developer,
    };
    let need = capacity.developers.saturating_mul(per_developer);
    let increase = |desired: u64| {
        format!(
            "aws service-quotas request-service-quota-increase --service-code bedrock --quota-code {} --desired-value {desired} --region {}",
            crate::rules::support::shell_word(&quota.quota_code),
            crate::rules::support::shell_word(region)
        )
    };
    if applied <= 0.0 {
        judgement.problem(format!(
            "{} ({}) is 0, so every request is throttled; raise it: {}",
            quota.quota_name,
            quota.quota_code,
            // Without a team size, ask for at least one developer's need.
            increase(need.max(per_developer).max(1))
        ));
    } else if capacity.developers > 0 && applied < need as f64 {
        judgement.problem(format!(
            "{} ({}) is {} but {} developers × {} {} need {need}; raise it: {}",
            quota.quota_name,
            quota.quota_code,
            format_value(applied),
            capacity.developers,
            per_developer,
            metric.label(),
            increase(need)
        ));
    } else if capacity.developers > 0 {
        passed.push(format!(
            "{} ({}) is {} ≥ {need} needed",
            quota.quota_name,
            quota.quota_code,
            format_value(applied)
        ));
    } else {
        passed.push(format!(
            "{} ({}) is {} (set [capacity] developers to check it against the team's need)",
            quota.quota_name,
            quota.quota_code,
            format_value(applied)
        ));
    }
}

/// Whole values print without a fraction (`4000000`, not `4000000.0`): f64's Display does that.
fn format_value(value: f64) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SONNET_45: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    fn model(id: &str) -> QuotaModel {
        quota_model(id).expect("a Claude model")
    }

    #[test]
    fn routing_family_version_and_revision_come_from_the_id() {
        let m = model(SONNET_45);
        assert_eq!(
            (m.routing, m.family, m.version, m.revision),
            (Routing::CrossRegion, ClaudeFamily::Sonnet, (4, 5), 1)
        );
        assert_eq!(
            model("global.anthropic.claude-sonnet-4-5-20250929-v1:0").routing,
            Routing::Global
        );
        assert_eq!(
            model("anthropic.claude-haiku-4-5-20251001-v1:0").routing,
            Routing::OnDemand
        );
        assert_eq!(
            model("eu.anthropic.claude-3-5-sonnet-20241022-v2:0").revision,
            2
        );
        assert_eq!(
            model("apac.anthropic.claude-sonnet-4-20250514-v1:0").version,
            (4, 0)
        );
        assert_eq!(
            quota_model("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc"),
            None
        );
        assert_eq!(quota_model("amazon.nova-pro-v1:0"), None);
    }

    #[test]
    fn matches_the_names_seen_live_whatever_the_case() {
        let m = model(SONNET_45);
        assert!(quota_applies(
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            &m,
            Metric::TokensPerMinute
        ));
        assert!(quota_applies(
            "CROSS-REGION model inference requests per minute for anthropic claude sonnet 4.5 v1",
            &m,
            Metric::RequestsPerMinute
        ));
        assert!(quota_applies(
            "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5",
            &m,
            Metric::TokensPerMinute
        ));
        let haiku = model("us.anthropic.claude-haiku-4-5-20251001-v1:0");
        assert!(quota_applies(
            "Cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5",
            &haiku,
            Metric::TokensPerMinute
        ));
        let old = model("us.anthropic.claude-3-5-haiku-20241022-v1:0");
        assert!(quota_applies(
            "Cross-region model inference tokens per minute for Anthropic Claude 3.5 Haiku",
            &old,
            Metric::TokensPerMinute
        ));
    }

    #[test]
    fn refuses_near_misses() {
        let m = model(SONNET_45);
        let tpm = Metric::TokensPerMinute;
        for name in [
            // Another version, another family, another metric.
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4 V1",
            "Cross-region model inference tokens per minute for Anthropic Claude Opus 4.5",
            "Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1",
            // A variant.
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1 1M Context Length",
            // Other routings.
            "Global cross-Region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            "On-demand model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            // Another revision, other limits, and no model at all.
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V2",
            "Cross-region model inference max tokens per day for Anthropic Claude Sonnet 4.5 V1",
            "Batch inference cross-region tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            "Cross-region model inference tokens per minute for Anthropic Sonnet 4.5",
            "Cross-region model inference tokens per minute",
        ] {
            assert!(!quota_applies(name, &m, tpm), "{name} must not match");
        }
        let global = model("global.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert!(quota_applies("Global cross-Region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1", &global, tpm));
        assert!(!quota_applies(
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            &global,
            tpm
        ));
        let on_demand = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assert!(quota_applies(
            "On-demand model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            &on_demand,
            tpm
        ));
        assert!(quota_applies(
            "InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5",
            &on_demand,
            tpm
        ));
        assert!(!quota_applies(
            "Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1",
            &on_demand,
            tpm
        ));
    }

    #[test]
    fn versions_parse_strictly() {
        assert_eq!(parse_version("4.5"), Some((4, 5)));
        assert_eq!(parse_version("4"), Some((4, 0)));
        assert_eq!(parse_version("3.7"), Some((3, 7)));
        for bad in ["", "4.", ".5", "1m", "200k", "20250929", "4.5.1"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_print_without_a_fraction_when_whole() {
        assert_eq!(format_value(400000.0), "400000");
        assert_eq!(format_value(2.5), "2.5");
    }
}
