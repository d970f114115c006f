//! `bedrock-quotas`: every Service Quotas quota that can stop a Claude Code request to the
//! models Claude Code will call exists where it must, is not 0, and, when the profile states
//! the team's size, covers the team as Bedrock meters it.
//!
//! Bedrock meters differently from a plain "tokens per minute" (user guide: *Quotas for the
//! bedrock-runtime endpoint*, *How tokens are counted in Amazon Bedrock*):
//! - the per-minute quota counts input plus output, output of the models in
//!   [`OUTPUT_BURNDOWN`] 5×, so the need is `developers × (input + burndown × output)`;
//! - each request reserves `input + cache write + cache read + max_tokens` at its start, so
//!   `developers × (typical context + max_tokens)` must fit in the per-minute quota at once;
//! - a per-model per-day quota (`Model invocation max tokens per day for …`, reduced for new
//!   accounts) and an account-wide `Cross-Model Max Tokens Per Day` cap the day;
//! - a requests-per-minute quota applies to some models only.
//!
//! Which per-minute quota applies depends on how the model is called: a `global.` profile uses
//! the "Global cross-Region" quotas, another geography prefix (`us.`, `eu.`, …) the
//! "Cross-Region" quotas, a foundation-model id the on-demand ones. Quota names are not spelled
//! consistently, so [`quota_applies`] matches kind, provider, family and version (and model
//! revision) and refuses every variant it does not know (1M context, batch, another version).
//! A per-minute token quota it cannot find is `error`, never `pass`; a per-day or
//! requests-per-minute quota the account does not list is not an error (the model may have
//! none), and the evidence says it was not listed.

use crate::claude_code::settings::Merged;
use crate::finding::{Evidence, Finding};
use crate::model_ids::{
    claude_model, geography_prefix, is_inference_profile_id, strip_arn, ClaudeFamily,
};
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::ServiceQuota;

const LIST_QUOTAS: &str = "servicequotas:ListServiceQuotas";

/// The Claude Code setting that sets `max_tokens` of most requests.
pub const MAX_OUTPUT_TOKENS_VARIABLE: &str = "CLAUDE_CODE_MAX_OUTPUT_TOKENS";

/// Claude Code's `max_tokens` when [`MAX_OUTPUT_TOKENS_VARIABLE`] is not set: "Default: 32,000.
/// Maximum: 64,000." (code.claude.com/docs/en/env-vars).
pub const DEFAULT_MAX_OUTPUT_TOKENS: u64 = 32_000;
const DEFAULT_MAX_OUTPUT_TOKENS_SOURCE: &str =
    "Claude Code's documented default (code.claude.com/docs/en/env-vars: \"Default: 32,000\")";

/// Bedrock reserves at least this many output tokens per request whatever `max_tokens` says:
/// "Bedrock's burndown throttling logic sets a minimum of 4096 tokens as the max_token
/// penalty" (code.claude.com/docs/en/amazon-bedrock). A smaller `CLAUDE_CODE_MAX_OUTPUT_TOKENS`
/// frees no quota.
pub const MIN_RESERVED_OUTPUT_TOKENS: u64 = 4_096;

/// The context of a typical Claude Code request: Claude Code's rate-limit recommendations for a
/// team whose users are all active (code.claude.com/docs/en/costs, 1-5 users) are 200k tokens
/// and 5 requests per minute per user, 40,000 tokens a request.
pub const TYPICAL_CONTEXT_TOKENS: u64 = 40_000;
const TYPICAL_CONTEXT_SOURCE: &str =
    "code.claude.com/docs/en/costs rate-limit recommendations: 200k tokens ÷ 5 requests a minute per active user";

/// Models whose output tokens count 5× toward the token quotas ("The burndown rate for the
/// following models is 5x for output tokens": Anthropic Claude Opus 4, Anthropic Claude
/// Sonnet 4, … — Bedrock user guide, *How tokens are counted in Amazon Bedrock*,
/// docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html; the quotas page
/// heads the section "Token burndown rate for Anthropic Claude 4 models"). One row per family:
/// every version from the one named on. Sonnet 3.7 and Haiku 4.5 are included to fail closed
/// (the copy of the page we could read was cut after Sonnet 4; a 5× assumed for a 1× model
/// costs a quota request, a 1× assumed for a 5× model a false pass). Every other model: 1×.
pub const OUTPUT_BURNDOWN: &[(ClaudeFamily, (u32, u32), u64)] = &[
    (ClaudeFamily::Opus, (4, 0), 5),
    (ClaudeFamily::Sonnet, (3, 7), 5),
    (ClaudeFamily::Haiku, (4, 5), 5),
];
const OUTPUT_BURNDOWN_SOURCE: &str =
    "Bedrock user guide, How tokens are counted in Amazon Bedrock (quotas-token-burndown.html)";

/// The output burndown of `model`: how many quota tokens one output token consumes.
pub fn output_burndown(model: &QuotaModel) -> u64 {
    OUTPUT_BURNDOWN
        .iter()
        .find(|(family, since, _)| *family == model.family && model.version >= *since)
        .map_or(1, |(_, _, rate)| *rate)
}

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
    /// `Model invocation max tokens per day for …`.
    TokensPerDay,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::TokensPerMinute => "tokens per minute",
            Metric::RequestsPerMinute => "requests per minute",
            Metric::TokensPerDay => "tokens per day",
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

/// The routing a quota name states, if it states one.
fn named_routing(head: &str) -> Option<Routing> {
    if head.contains("global cross-region") {
        Some(Routing::Global)
    } else if head.contains("cross-region") {
        Some(Routing::CrossRegion)
    } else if head.contains("on-demand") {
        Some(Routing::OnDemand)
    } else {
        None
    }
}

/// Whether a quota named `name` is the `metric` quota for `model`. Pure and strict: the
/// routing words, the metric, "Anthropic"/"Claude", the family and the exact version must
/// all be there, and any other word after "for" (a variant such as "1M Context Length")
/// means another quota. A per-minute name without routing words (`InvokeModel tokens per
/// minute for …`) is the on-demand quota; a per-day name without them (`Model invocation max
/// tokens per day for …`) applies whatever the routing.
pub fn quota_applies(name: &str, model: &QuotaModel, metric: Metric) -> bool {
    let lower = name
        .to_ascii_lowercase()
        .replace("cross region", "cross-region");
    let Some((head, subject)) = lower.split_once(" for ") else {
        return false;
    };
    let routing_fits = match (named_routing(head), metric) {
        (Some(routing), _) => routing == model.routing,
        (None, Metric::TokensPerDay) => true,
        (None, _) => model.routing == Routing::OnDemand,
    };
    let excluded: &[&str] = match metric {
        Metric::TokensPerDay => &["batch", "provisioned", "reserved", "cross-model"],
        _ => &["batch", "provisioned", "reserved", "cross-model", "per day"],
    };
    if !routing_fits || !head.contains(metric.label()) || excluded.iter().any(|w| head.contains(w))
    {
        return false;
    }
    subject_names(subject, model)
}

/// Whether the part of a quota name after "for" names exactly `model`.
fn subject_names(subject: &str, model: &QuotaModel) -> bool {
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

/// Whether `name` is the account-wide `Cross-Model Max Tokens Per Day` quota (exactly that,
/// whatever the case and spacing: a longer name is another quota).
pub fn is_cross_model_daily(name: &str) -> bool {
    let words: Vec<String> = name
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    words == ["cross-model", "max", "tokens", "per", "day"]
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

/// The `max_tokens` Claude Code will send and where that number comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxTokens {
    pub value: u64,
    pub source: String,
}

/// `CLAUDE_CODE_MAX_OUTPUT_TOKENS` from the effective settings when given, else Claude Code's
/// documented default. `Err` names a value Claude Code would not read as a number of tokens.
pub fn max_output_tokens(ctx: &RuleContext) -> Result<MaxTokens, String> {
    let Some(settings) = &ctx.snapshot.claude_settings else {
        return Ok(default_max_tokens());
    };
    let merged = Merged::new(settings);
    let Some(setting) = merged.env(MAX_OUTPUT_TOKENS_VARIABLE) else {
        return Ok(default_max_tokens());
    };
    let parsed = setting
        .text()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|n| *n > 0);
    match parsed {
        Some(value) => Ok(MaxTokens {
            value,
            source: setting.location(),
        }),
        None => Err(format!(
            "{MAX_OUTPUT_TOKENS_VARIABLE} in {} is not a whole number of tokens, so the tokens each request reserves are unknown",
            setting.location()
        )),
    }
}

fn default_max_tokens() -> MaxTokens {
    MaxTokens {
        value: DEFAULT_MAX_OUTPUT_TOKENS,
        source: DEFAULT_MAX_OUTPUT_TOKENS_SOURCE.to_string(),
    }
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let max_tokens = max_output_tokens(ctx);
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    ctx.per_region(|region, snapshot, findings| {
        for role in resolution.roles_in(region) {
            let resource = format!("servicequotas/bedrock/{}", strip_arn(role.model_id));
            let subject = format!(
                "The {} model {} ({}) lacks the quota Claude Code needs in {region}",
                role.role,
                strip_arn(role.model_id),
                role.env_var
            );
            let mut judgement = Judgement::new();
            judgement.evidence(crate::claude_code::models::origin_evidence(&role));
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
                            let judge = Judge {
                                ctx,
                                region,
                                quotas,
                                model: &model,
                                max_tokens: &max_tokens,
                            };
                            judge.all(&mut judgement, &mut passed);
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

/// One model's quotas in one region.
struct Judge<'a> {
    ctx: &'a RuleContext<'a>,
    region: &'a str,
    quotas: &'a [ServiceQuota],
    model: &'a QuotaModel,
    max_tokens: &'a Result<MaxTokens, String>,
}

/// What a quota must cover: the value needed and the arithmetic behind it, in words.
struct Need {
    value: u64,
    arithmetic: String,
}

/// What one quota is judged against: the team's need (`None` without a team size), what to
/// ask for without one, and what running out means, as a clause.
struct Target<'a> {
    need: Option<&'a Need>,
    floor: u64,
    consequence: &'static str,
}

impl Judge<'_> {
    fn all(&self, judgement: &mut Judgement, passed: &mut Vec<String>) {
        self.judge_tokens_per_minute(judgement, passed);
        for metric in [Metric::RequestsPerMinute, Metric::TokensPerDay] {
            self.judge_optional(judgement, passed, metric);
        }
        self.judge_cross_model_daily(judgement, passed);
    }

    fn developers(&self) -> u64 {
        self.ctx.profile.capacity.developers
    }

    fn wanted(&self, metric: Metric) -> String {
        let routing = match metric {
            Metric::TokensPerDay => String::new(),
            _ => format!("{} ", self.model.routing.label()),
        };
        format!(
            "{routing}{} quota for Claude {} {}.{}",
            metric.label(),
            self.model.family.as_str(),
            self.model.version.0,
            self.model.version.1
        )
    }

    /// The quotas for `metric`; a per-day quota that names the routing wins over one that
    /// names none.
    fn matching(&self, metric: Metric) -> Vec<&ServiceQuota> {
        let all: Vec<&ServiceQuota> = self
            .quotas
            .iter()
            .filter(|q| quota_applies(&q.quota_name, self.model, metric))
            .collect();
        let specific: Vec<&ServiceQuota> = all
            .iter()
            .copied()
            .filter(|q| {
                let lower = q
                    .quota_name
                    .to_ascii_lowercase()
                    .replace("cross region", "cross-region");
                lower
                    .split_once(" for ")
                    .and_then(|(head, _)| named_routing(head))
                    .is_some()
            })
            .collect();
        if metric == Metric::TokensPerDay && !specific.is_empty() {
            specific
        } else {
            all
        }
    }

    /// The one quota among `matching`, or `None` after saying why there is none to judge.
    fn one<'q>(
        &self,
        judgement: &mut Judgement,
        matching: &[&'q ServiceQuota],
        wanted: &str,
    ) -> Option<&'q ServiceQuota> {
        match matching {
            [quota] => Some(*quota),
            [] => None,
            several => {
                judgement.missing(
                    format!(
                        "{} quotas in {} could be the {wanted}: {}",
                        several.len(),
                        self.region,
                        several
                            .iter()
                            .map(|q| format!("{} ({})", q.quota_name, q.quota_code))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Evidence::new(LIST_QUOTAS, Some(self.region)).with("wanted", wanted),
                );
                None
            }
        }
    }

    /// Records the quota as evidence and gives its applied value; `None` (an error) when it
    /// has none.
    fn applied(&self, judgement: &mut Judgement, quota: &ServiceQuota) -> Option<f64> {
        judgement.evidence(
            Evidence::new(LIST_QUOTAS, Some(self.region))
                .with("QuotaCode", &quota.quota_code)
                .with("QuotaName", &quota.quota_name)
                .with("Value", quota.value)
                .with("Adjustable", quota.adjustable),
        );
        if quota.value.is_none() {
            judgement.missing(
                format!(
                    "{} ({}) has no applied value",
                    quota.quota_name, quota.quota_code
                ),
                Evidence::new(LIST_QUOTAS, Some(self.region)).with("QuotaCode", &quota.quota_code),
            );
        }
        quota.value
    }

    fn increase(&self, quota: &ServiceQuota, desired: u64) -> String {
        format!(
            "aws service-quotas request-service-quota-increase --service-code bedrock --quota-code {} --desired-value {desired} --region {}",
            crate::rules::support::shell_word(&quota.quota_code),
            crate::rules::support::shell_word(self.region)
        )
    }

    /// Judges `applied` against the target's need: 0 fails, below the need fails, else passes.
    /// Without a team size (no need) only 0 fails; the target's floor is what to ask for then.
    fn against(
        &self,
        judgement: &mut Judgement,
        passed: &mut Vec<String>,
        quota: &ServiceQuota,
        applied: f64,
        target: Target,
    ) {
        let Target {
            need,
            floor,
            consequence,
        } = target;
        let named = format!("{} ({})", quota.quota_name, quota.quota_code);
        if applied <= 0.0 {
            let desired = need.map_or(floor, |n| n.value).max(1);
            judgement.problem(format!(
                "{named} is 0, so every request is throttled; raise it: {}",
                self.increase(quota, desired)
            ));
            return;
        }
        match need {
            Some(need) if applied < need.value as f64 => judgement.problem(format!(
                "{named} is {} but {} need {}{consequence}; raise it: {}",
                format_value(applied),
                need.arithmetic,
                need.value,
                self.increase(quota, need.value)
            )),
            Some(need) => passed.push(format!(
                "{named} is {} ≥ {} needed ({})",
                format_value(applied),
                need.value,
                need.arithmetic
            )),
            None => passed.push(format!(
                "{named} is {} (set [capacity] developers to check it against the team's need)",
                format_value(applied)
            )),
        }
    }

    fn judge_tokens_per_minute(&self, judgement: &mut Judgement, passed: &mut Vec<String>) {
        let metric = Metric::TokensPerMinute;
        let wanted = self.wanted(metric);
        let matching = self.matching(metric);
        if matching.is_empty() {
            judgement.missing(
                format!("{LIST_QUOTAS} in {} lists no {wanted}", self.region),
                Evidence::new(LIST_QUOTAS, Some(self.region))
                    .with("wanted", &wanted)
                    .with("anthropic_quotas_listed", self.quotas.len()),
            );
            return;
        }
        let Some(quota) = self.one(judgement, &matching, &wanted) else {
            return;
        };
        let Some(applied) = self.applied(judgement, quota) else {
            return;
        };
        let capacity = &self.ctx.profile.capacity;
        let developers = self.developers();
        let burndown = output_burndown(self.model);
        let per_developer = capacity
            .input_tokens_per_minute_per_developer
            .saturating_add(
                burndown.saturating_mul(capacity.output_tokens_per_minute_per_developer),
            );
        let rate = Need {
            value: developers.saturating_mul(per_developer),
            arithmetic: format!(
                "{developers} developers × ({} input + {burndown} × {} output) tokens per minute",
                capacity.input_tokens_per_minute_per_developer,
                capacity.output_tokens_per_minute_per_developer
            ),
        };
        let max_tokens = match self.max_tokens {
            Ok(max_tokens) => Some(max_tokens),
            // Only a team size makes the reservation a verdict; without one it is a figure.
            Err(why) if developers > 0 => {
                judgement.undetermined(why.clone());
                None
            }
            Err(_) => None,
        };
        let reserved_output = max_tokens.map(|m| m.value.max(MIN_RESERVED_OUTPUT_TOKENS));
        let per_request =
            reserved_output.map(|output| TYPICAL_CONTEXT_TOKENS.saturating_add(output));
        let in_flight =
            per_request.map(|per_request| (applied.max(0.0) / per_request as f64).floor() as u64);
        let mut arithmetic = Evidence::new("capacity-model", Some(self.region))
            .with("QuotaCode", &quota.quota_code)
            .with("developers", developers)
            .with("developers_source", "profile [capacity] developers")
            .with(
                "input_tokens_per_minute_per_developer",
                capacity.input_tokens_per_minute_per_developer,
            )
            .with(
                "output_tokens_per_minute_per_developer",
                capacity.output_tokens_per_minute_per_developer,
            )
            .with(
                "per_developer_source",
                "profile [capacity] input_/output_tokens_per_minute_per_developer",
            )
            .with("output_burndown", burndown)
            .with("output_burndown_source", OUTPUT_BURNDOWN_SOURCE)
            .with("need_per_minute", rate.value)
            .with("need_per_minute_formula", &rate.arithmetic)
            .with("typical_context_tokens", TYPICAL_CONTEXT_TOKENS)
            .with("typical_context_source", TYPICAL_CONTEXT_SOURCE)
            .with("minimum_reserved_output_tokens", MIN_RESERVED_OUTPUT_TOKENS);
        if let Some(max_tokens) = max_tokens {
            arithmetic = arithmetic
                .with("max_tokens", max_tokens.value)
                .with("max_tokens_source", &max_tokens.source);
        }
        if let (Some(per_request), Some(in_flight)) = (per_request, in_flight) {
            arithmetic = arithmetic
                .with("reserved_per_request", per_request)
                .with("requests_in_flight_at_once", in_flight);
        }
        judgement.evidence(arithmetic);
        let need = (developers > 0).then_some(&rate);
        let floor = per_developer.max(per_request.unwrap_or(0));
        self.against(
            judgement,
            passed,
            quota,
            applied,
            Target {
                need,
                floor,
                consequence: "",
            },
        );
        if applied <= 0.0 {
            return;
        }
        let (Some(per_request), Some(in_flight), Some(max_tokens)) =
            (per_request, in_flight, max_tokens)
        else {
            return;
        };
        if developers == 0 {
            passed.push(format!(
                "{in_flight} requests can be in flight at once ({per_request} tokens reserved each)"
            ));
            return;
        }
        let reservation = developers.saturating_mul(per_request);
        if in_flight >= developers {
            passed.push(format!(
                "all {developers} developers can have a request in flight at once ({in_flight} fit: each reserves {TYPICAL_CONTEXT_TOKENS} context + {} max_tokens)",
                per_request - TYPICAL_CONTEXT_TOKENS
            ));
            return;
        }
        let per_developer_share = (applied / developers as f64).floor() as u64;
        let fitting = per_developer_share.saturating_sub(TYPICAL_CONTEXT_TOKENS);
        let setting = if fitting >= MIN_RESERVED_OUTPUT_TOKENS {
            format!(", or set {MAX_OUTPUT_TOKENS_VARIABLE}={fitting} so {developers} requests fit the current quota")
        } else {
            format!(
                "; no {MAX_OUTPUT_TOKENS_VARIABLE} makes {developers} requests fit the current quota (Bedrock reserves at least {MIN_RESERVED_OUTPUT_TOKENS} output tokens a request)"
            )
        };
        let floor_note = if max_tokens.value < MIN_RESERVED_OUTPUT_TOKENS {
            format!(
                ", {} set but Bedrock reserves at least {MIN_RESERVED_OUTPUT_TOKENS}",
                max_tokens.value
            )
        } else {
            String::new()
        };
        judgement.problem(format!(
            "each request reserves {TYPICAL_CONTEXT_TOKENS} context + {} max_tokens ({}{floor_note}) = {per_request} tokens of {} ({}) at its start, so only {in_flight} of the {developers} developers can have a request in flight at once; raise it: {}{setting}",
            per_request - TYPICAL_CONTEXT_TOKENS,
            max_tokens.source,
            quota.quota_code,
            format_value(applied),
            self.increase(quota, reservation.max(rate.value))
        ));
    }

    /// Requests per minute and tokens per day: judged where listed; absent is not an error.
    fn judge_optional(&self, judgement: &mut Judgement, passed: &mut Vec<String>, metric: Metric) {
        let wanted = self.wanted(metric);
        let matching = self.matching(metric);
        if matching.is_empty() {
            judgement.evidence(
                Evidence::new(LIST_QUOTAS, Some(self.region))
                    .with("wanted", &wanted)
                    .with("listed", false)
                    .with(
                        "meaning",
                        match metric {
                            Metric::RequestsPerMinute => "Bedrock applies requests-per-minute quotas to some models only; none is listed for this one",
                            _ => "no per-day quota is listed for this model",
                        },
                    ),
            );
            return;
        }
        let Some(quota) = self.one(judgement, &matching, &wanted) else {
            return;
        };
        let Some(applied) = self.applied(judgement, quota) else {
            return;
        };
        let capacity = &self.ctx.profile.capacity;
        let developers = self.developers();
        let (per_developer, unit, consequence) = match metric {
            Metric::RequestsPerMinute => (
                capacity.requests_per_minute_per_developer,
                "requests per minute",
                "",
            ),
            _ => (
                capacity.tokens_per_day_per_developer,
                "tokens a day",
                ", and once the day's tokens are used every later request is throttled until the day ends",
            ),
        };
        let need = Need {
            value: developers.saturating_mul(per_developer),
            arithmetic: format!("{developers} developers × {per_developer} {unit}"),
        };
        self.against(
            judgement,
            passed,
            quota,
            applied,
            Target {
                need: (developers > 0).then_some(&need),
                floor: per_developer,
                consequence,
            },
        );
    }

    /// The account-wide daily cap: every model's tokens count toward it.
    fn judge_cross_model_daily(&self, judgement: &mut Judgement, passed: &mut Vec<String>) {
        let wanted = "Cross-Model Max Tokens Per Day quota";
        let matching: Vec<&ServiceQuota> = self
            .quotas
            .iter()
            .filter(|q| is_cross_model_daily(&q.quota_name))
            .collect();
        if matching.is_empty() {
            judgement.evidence(
                Evidence::new(LIST_QUOTAS, Some(self.region))
                    .with("wanted", wanted)
                    .with("listed", false),
            );
            return;
        }
        let Some(quota) = self.one(judgement, &matching, wanted) else {
            return;
        };
        let Some(applied) = self.applied(judgement, quota) else {
            return;
        };
        let capacity = &self.ctx.profile.capacity;
        let developers = self.developers();
        let need = Need {
            value: developers.saturating_mul(capacity.tokens_per_day_per_developer),
            arithmetic: format!(
                "{developers} developers × {} tokens a day (all models together)",
                capacity.tokens_per_day_per_developer
            ),
        };
        self.against(
            judgement,
            passed,
            quota,
            applied,
            Target {
                need: (developers > 0).then_some(&need),
                floor: capacity.tokens_per_day_per_developer,
                consequence:
                    ", and once the day's tokens are used every model is throttled until the day ends",
            },
        );
    }
}

/// Whole values print without a fraction (`4000000`, not `4000000.0`): f64's Display does that.
pub fn format_value(value: f64) -> String {
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
    fn daily_quotas_match_by_family_and_version_and_routing_only_when_named() {
        let day = Metric::TokensPerDay;
        let cross = model(SONNET_45);
        let global = model("global.anthropic.claude-sonnet-4-5-20250929-v1:0");
        let on_demand = model("anthropic.claude-sonnet-4-5-20250929-v1:0");
        // The documented name ("Quotas for the bedrock-runtime endpoint") names no routing:
        // it caps the model however it is called.
        let documented = "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1";
        for m in [&cross, &global, &on_demand] {
            assert!(quota_applies(documented, m, day));
            assert!(!quota_applies(documented, m, Metric::TokensPerMinute));
        }
        let global_daily =
            "Global cross-Region model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1";
        assert!(quota_applies(global_daily, &global, day));
        assert!(!quota_applies(global_daily, &cross, day));
        for decoy in [
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1 1M Context Length",
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4 V1",
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V2",
            "Batch inference max tokens per day for Anthropic Claude Sonnet 4.5 V1",
            "Cross-Model Max Tokens Per Day",
            "Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.5 V1",
        ] {
            assert!(!quota_applies(decoy, &cross, day), "{decoy} must not match");
        }
    }

    #[test]
    fn the_cross_model_daily_quota_is_that_name_exactly() {
        assert!(is_cross_model_daily("Cross-Model Max Tokens Per Day"));
        assert!(is_cross_model_daily("cross-model  max tokens per day"));
        for other in [
            "Cross-Model Max Tokens Per Day for batch",
            "Cross-Model Max Tokens Per Minute",
            "Model invocation max tokens per day for Anthropic Claude Sonnet 4.5 V1",
        ] {
            assert!(!is_cross_model_daily(other), "{other}");
        }
    }

    #[test]
    fn output_burndown_is_five_for_the_listed_families_and_versions_one_otherwise() {
        for id in [
            SONNET_45,
            "us.anthropic.claude-sonnet-4-20250514-v1:0",
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        ] {
            assert_eq!(output_burndown(&model(id)), 5, "{id}");
        }
        for id in [
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "us.anthropic.claude-3-opus-20240229-v1:0",
        ] {
            assert_eq!(output_burndown(&model(id)), 1, "{id}");
        }
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
