//! The rollout profile (`bedrock-audit.toml`): what the organisation intends to deploy.
//! Every key has a default, so an absent file is a valid profile.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{toml_message, Error, Result};
use crate::input_file::{read_text, InputKind, Named};
pub use crate::region_name::is_region_name;
use crate::untrusted_text::{quoted, MESSAGE_QUOTE_LIMIT};

pub const DEFAULT_FILE_NAME: &str = "bedrock-audit.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    pub rollout: Rollout,
    pub data_retention: DataRetention,
    pub access: Access,
    pub capacity: Capacity,
    pub network: Network,
    /// `[[waiver]]` entries (see `waivers.rs`); a waiver file given with `--waivers` adds to them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiver: Vec<WaiverEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rollout {
    /// Regions developers' requests will be served from.
    pub regions: Vec<String>,
    /// The model Claude Code uses for heavy work (Sonnet or Opus): `ANTHROPIC_MODEL`.
    pub primary_model: String,
    /// The model Claude Code uses for light tasks (Haiku): `ANTHROPIC_DEFAULT_HAIKU_MODEL`.
    pub fast_model: String,
    /// Claude Code must reach Bedrock through the bedrock-runtime interface endpoint: the
    /// settings `claude-settings` writes then pin `ANTHROPIC_BEDROCK_BASE_URL` to it.
    pub private_endpoint: bool,
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            regions: vec!["us-east-1".to_string()],
            primary_model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0".to_string(),
            fast_model: "us.anthropic.claude-haiku-4-5-20251001-v1:0".to_string(),
            private_endpoint: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataRetention {
    /// Whether the organisation's policy requires Anthropic's zero data retention.
    pub zero_data_retention_required: bool,
    /// The shortest retention a CloudWatch log group may have, in days.
    pub min_log_retention_days: u32,
    /// Whether Bedrock model-invocation logging (full prompts and completions) must be on,
    /// must be off, or is left to the account.
    pub invocation_logging: InvocationLoggingPolicy,
    /// When logging is required: the shortest time its logs may be kept, in days.
    pub invocation_log_min_retention_days: u32,
    /// When logging is required: the longest time prompts may be kept, in days; `None`: no
    /// ceiling (the logs must still expire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation_log_max_retention_days: Option<u32>,
    /// Whether Bedrock may share prompts with the model provider (data retention mode
    /// `provider_data_share`). Forbidden by default: the organisation relies on Bedrock not
    /// sharing data with model providers.
    pub provider_data_sharing: ProviderDataSharing,
}

impl Default for DataRetention {
    fn default() -> Self {
        DataRetention {
            zero_data_retention_required: false,
            min_log_retention_days: 30,
            invocation_logging: InvocationLoggingPolicy::Any,
            invocation_log_min_retention_days: 90,
            invocation_log_max_retention_days: None,
            provider_data_sharing: ProviderDataSharing::Forbidden,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InvocationLoggingPolicy {
    /// Prompts must be kept (audit): logging on, encrypted, expiring within bounds.
    Required,
    /// Prompts must not be kept (privacy, trade secrets): logging off everywhere.
    Forbidden,
    /// No policy: the rule only says what is configured.
    #[default]
    Any,
}

impl InvocationLoggingPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationLoggingPolicy::Required => "required",
            InvocationLoggingPolicy::Forbidden => "forbidden",
            InvocationLoggingPolicy::Any => "any",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProviderDataSharing {
    /// No region requests are served in may share prompts with the model provider.
    #[default]
    Forbidden,
    Allowed,
}

impl ProviderDataSharing {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderDataSharing::Forbidden => "forbidden",
            ProviderDataSharing::Allowed => "allowed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Every Bedrock and STS call must stay on interface VPC endpoints.
    pub private_only: bool,
    /// Where developers' traffic comes from (CIDR blocks); empty: not stated.
    pub allowed_cidrs: Vec<String>,
    /// The private path must be the only path: a developer's invoke from outside the endpoint
    /// (no `aws:SourceVpce`, a public `aws:SourceIp`) must be denied by policy.
    pub require_enforced: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Access {
    /// IAM roles, users or groups (ARNs) that developers run Claude Code as.
    pub developer_principals: Vec<String>,
    /// Whether long-term Bedrock API keys (IAM service-specific credentials) are acceptable.
    pub allow_long_term_api_keys: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Capacity {
    /// Peak number of developers using Claude Code at the same time; 0 = not stated.
    pub developers: u64,
    /// Input tokens one active developer sends per minute (context re-sent every round trip).
    pub input_tokens_per_minute_per_developer: u64,
    /// Output tokens one active developer receives per minute; Bedrock counts them up to 5×.
    pub output_tokens_per_minute_per_developer: u64,
    /// Tokens one developer uses in a working day, judged against the per-day quotas.
    pub tokens_per_day_per_developer: u64,
    /// Requests one active developer sends per minute, judged where the account lists an RPM
    /// quota for the model.
    pub requests_per_minute_per_developer: u64,
    /// The share of attempts (percent) Bedrock may have throttled in the last seven days before
    /// `bedrock-throttling-history` fails.
    pub throttled_percent_tolerated: f64,
    /// Replaced by the input and output keys (Bedrock meters output tokens apart); kept only
    /// so that a profile still naming it gets an error saying so, not "unknown field".
    #[serde(skip_serializing)]
    pub tokens_per_minute_per_developer: Option<toml::Value>,
}

/// Bedrock counts every refused attempt, retries included ("The number of throttles you see
/// will depend on your retry settings in the SDK", Bedrock user guide, runtime metrics), and
/// Claude Code retries a 429; a rare burst absorbed by a retry is not a capacity problem, one
/// attempt in a hundred refused is.
pub const DEFAULT_THROTTLED_PERCENT_TOLERATED: f64 = 1.0;

impl Default for Capacity {
    /// Published Claude Code figures (code.claude.com/docs/en/costs, "Rate limit
    /// recommendations"; README "The capacity model" shows the arithmetic). `developers` counts
    /// developers active at the same moment, so the row for the smallest teams applies, where
    /// every user is active: 200k–300k tokens and 5–7 requests per minute per user.
    fn default() -> Self {
        Capacity {
            developers: 0,
            input_tokens_per_minute_per_developer: 200_000,
            output_tokens_per_minute_per_developer: 4_000,
            tokens_per_day_per_developer: 5_000_000,
            requests_per_minute_per_developer: 7,
            throttled_percent_tolerated: DEFAULT_THROTTLED_PERCENT_TOLERATED,
            tokens_per_minute_per_developer: None,
        }
    }
}

/// One `[[waiver]]` entry as written in the profile or a waiver file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverEntry {
    pub rule: String,
    /// Pattern over the finding's resource (ARN or name): `*` matches any characters.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub justification: String,
    pub owner: String,
    /// `2027-03-31` (a TOML date) or `"2027-03-31"`; the waiver applies through that day (UTC).
    pub expires: ExpiryDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpiryDate {
    Date(toml::value::Datetime),
    Text(String),
}

/// Where the profile came from, for the report.
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    pub profile: Profile,
    pub source: Option<PathBuf>,
    /// Whether the file set `[rollout] regions` (else a scan uses the SDK's region).
    pub regions_explicit: bool,
}

impl Profile {
    /// Parses and validates profile text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Profile> {
        let mut profile: Profile = toml::from_str(text).map_err(|e| {
            Error::input_file(path, format!("invalid profile: {}", toml_message(&e)))
        })?;
        profile.validate(path)?;
        profile.rollout.regions = distinct_regions(&profile.rollout.regions);
        Ok(profile)
    }

    /// Loads `explicit` if given (it must exist), else `./bedrock-audit.toml` if present,
    /// else the built-in defaults.
    pub fn load(explicit: Option<&Path>) -> Result<LoadedProfile> {
        let (path, named) = match explicit {
            Some(path) => (path.to_path_buf(), Named::Explicitly),
            None => {
                let default = PathBuf::from(DEFAULT_FILE_NAME);
                // Anything at that name counts, a dangling link too: a planted link is refused
                // by the read below, not mistaken for "no profile here".
                let absent = matches!(std::fs::symlink_metadata(&default),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound);
                if absent {
                    return Ok(LoadedProfile {
                        profile: Profile::default(),
                        source: None,
                        regions_explicit: false,
                    });
                }
                // Found, not named: a repository can plant it as a link to a secret.
                (default, Named::Implicitly)
            }
        };
        let text = read_text(&path, InputKind::Profile, named)?;
        let profile = Profile::parse(&text, &path)?;
        let regions_explicit = text
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("rollout")?.get("regions").cloned())
            .is_some();
        Ok(LoadedProfile {
            profile,
            source: Some(path),
            regions_explicit,
        })
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |key: &str, what: String| Err(Error::input_file(path, format!("{key}: {what}")));
        if self.rollout.regions.is_empty() {
            return bad("rollout.regions", "must name at least one region".into());
        }
        for region in &self.rollout.regions {
            if !is_region_name(region) {
                return bad(
                    "rollout.regions",
                    format!(
                        "\"{}\" is not an AWS region name (expected e.g. \"us-east-1\")",
                        quoted(region, MESSAGE_QUOTE_LIMIT)
                    ),
                );
            }
        }
        if distinct_regions(&self.rollout.regions).len() > MAX_REGIONS {
            return bad(
                "rollout.regions",
                format!("names more than {MAX_REGIONS} regions"),
            );
        }
        for (key, model) in [
            ("rollout.primary_model", &self.rollout.primary_model),
            ("rollout.fast_model", &self.rollout.fast_model),
        ] {
            if model.trim().is_empty() || model.chars().any(char::is_whitespace) {
                return bad(
                    key,
                    format!(
                        "\"{}\" is not a model or inference-profile id",
                        quoted(model, MESSAGE_QUOTE_LIMIT)
                    ),
                );
            }
        }
        for principal in &self.access.developer_principals {
            if !is_principal_arn(principal) {
                return bad(
                    "access.developer_principals",
                    format!(
                        "{principal:?} is not an IAM user, group or role ARN (expected e.g. \"arn:aws:iam::123456789012:role/ClaudeCodeDevelopers\")"
                    ),
                );
            }
        }
        if self.capacity.tokens_per_minute_per_developer.is_some() {
            return bad(
                "capacity.tokens_per_minute_per_developer",
                "was replaced: Bedrock counts output tokens of Claude 4 models 5× toward the per-minute quota, so state input_tokens_per_minute_per_developer and output_tokens_per_minute_per_developer instead (defaults 200000 and 4000; see `bedrock-audit init`)".into(),
            );
        }
        let tolerated = self.capacity.throttled_percent_tolerated;
        if !(0.0..100.0).contains(&tolerated) {
            return bad(
                "capacity.throttled_percent_tolerated",
                format!("is {tolerated}; it must be a percentage from 0 (no throttling tolerated) up to, but not including, 100"),
            );
        }
        if self.capacity.developers > 0 {
            for (key, value) in [
                (
                    "capacity.input_tokens_per_minute_per_developer",
                    self.capacity.input_tokens_per_minute_per_developer,
                ),
                (
                    "capacity.tokens_per_day_per_developer",
                    self.capacity.tokens_per_day_per_developer,
                ),
                (
                    "capacity.requests_per_minute_per_developer",
                    self.capacity.requests_per_minute_per_developer,
                ),
            ] {
                if value == 0 {
                    return bad(
                        key,
                        "must be at least 1 when capacity.developers is set".into(),
                    );
                }
            }
        }
        let retention = &self.data_retention;
        if retention.invocation_log_min_retention_days == 0 {
            return bad(
                "data_retention.invocation_log_min_retention_days",
                "must be at least 1 (CloudWatch keeps logs for at least a day)".into(),
            );
        }
        if let Some(max) = retention.invocation_log_max_retention_days {
            if max < retention.invocation_log_min_retention_days {
                return bad(
                    "data_retention.invocation_log_max_retention_days",
                    format!(
                        "{max} is less than data_retention.invocation_log_min_retention_days ({}): no retention could satisfy both",
                        retention.invocation_log_min_retention_days
                    ),
                );
            }
        }
        for cidr in &self.network.allowed_cidrs {
            if cidr.parse::<ipnet::IpNet>().is_err() {
                return bad(
                    "network.allowed_cidrs",
                    format!(
                        "\"{}\" is not a CIDR block (expected e.g. \"10.0.0.0/8\" or \"2001:db8::/32\")",
                        quoted(cidr, MESSAGE_QUOTE_LIMIT)
                    ),
                );
            }
        }
        if self.data_retention.min_log_retention_days == 0 {
            return bad(
                "data_retention.min_log_retention_days",
                "must be at least 1 (CloudWatch keeps logs for at least a day)".into(),
            );
        }
        Ok(())
    }
}

/// `arn:<partition>:iam::<12 digits>:(user|group|role)/<path and name>`: what
/// iam:SimulatePrincipalPolicy accepts as `PolicySourceArn`.
pub fn is_principal_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_prefix, partition, "iam", "", account, resource] = parts[..] else {
        return false;
    };
    arn_prefix == "arn"
        && partition.starts_with("aws")
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && ["user/", "group/", "role/"].iter().any(|kind| {
            resource
                .strip_prefix(kind)
                .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
        })
        && !arn.chars().any(char::is_whitespace)
}

/// The most distinct regions one run may name: more than AWS has, far fewer than a runaway
/// script could pass (each region costs a round of API calls and a set of findings).
pub const MAX_REGIONS: usize = 64;

/// `regions` without repeats, first occurrence kept (a region named twice is judged once).
pub fn distinct_regions(regions: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    regions
        .iter()
        .filter(|region| seen.insert(region.as_str()))
        .cloned()
        .collect()
}

/// The commented-out profile that `bedrock-audit init` writes.
pub const INIT_TEMPLATE: &str = r#"# bedrock-audit rollout profile. Every key is optional; the values shown are the defaults.
# Uncomment and edit what your rollout differs in. Unknown keys are an error.

[rollout]
# Regions your developers' Claude Code requests are served from.
# regions = ["us-east-1"]
# ANTHROPIC_MODEL: the primary model (Sonnet or Opus), as an inference-profile id.
# primary_model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
# ANTHROPIC_DEFAULT_HAIKU_MODEL: the fast model (Haiku), pinned explicitly.
# fast_model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
# Must Claude Code reach Bedrock through the bedrock-runtime VPC endpoint? `claude-settings`
# then writes ANTHROPIC_BEDROCK_BASE_URL as the endpoint's own vpce-… DNS name.
# private_endpoint = false
# The model rules judge these two models in every region above. Given --claude-settings, they
# also judge every model those settings make Claude Code call, as Claude Code resolves them:
# ANTHROPIC_MODEL (aliases sonnet/opus/haiku/opusplan, a [1m] suffix), the model setting,
# ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL pins, availableModels, modelOverrides, the
# client's own default when nothing is pinned, and the background model, each in the region
# it signs for (AWS_REGION, else AWS_DEFAULT_REGION). `bedrock-audit explain claude-code-settings`.

[data_retention]
# Does your policy require zero data retention? Bedrock offers it per region as the account's
# data retention mode "none" (aws bedrock put-account-data-retention --mode none --region ...);
# true: the mode must be "none" in every region Claude Code's requests are served in, and no
# model in use may require retention.
# zero_data_retention_required = false
# May Bedrock share prompts with the model provider (data retention mode
# "provider_data_share")? "forbidden" (default): no region requests are served in may share
# them; "allowed": sharing is acceptable.
# provider_data_sharing = "forbidden"
# Shortest retention any CloudWatch log group may have, in days.
# min_log_retention_days = 30

# Bedrock model-invocation logging stores full prompts and completions: developers' source
# code. "required": it must be on in every region, encrypted with a customer-managed key and
# expire between the two bounds; "forbidden": it must be off everywhere; "any": only report it.
# invocation_logging = "any"
# invocation_log_min_retention_days = 90
# Optional ceiling, unset by default: invocation_log_max_retention_days, the longest prompts
# may be kept, in days (e.g. 400).

[access]
# IAM roles, users or groups (ARNs) your developers run Claude Code as. The scan simulates
# their Bedrock permissions (iam:SimulatePrincipalPolicy) in every region a request can be
# served from, with the context a real request carries (aws:RequestedRegion,
# bedrock:InferenceProfileArn); with none named, developer-invoke-permissions and
# developer-model-discovery are not applicable.
# developer_principals = []
# Are long-term Bedrock API keys (IAM service-specific credentials) acceptable? They are
# static secrets that bypass SSO and session policies.
# allow_long_term_api_keys = false

[capacity]
# Peak number of developers using Claude Code at the same time. With 0 (not stated),
# bedrock-quotas only checks that each quota exists and is not 0.
# developers = 0
# Need per active developer. Defaults from Claude Code's published rate-limit recommendations
# (code.claude.com/docs/en/costs): 200k-300k tokens and 5-7 requests a minute per user when
# every user is active (the 1-5 user row, which is what "peak concurrent" means).
# Input: the context an agentic session re-sends with every tool round trip.
# input_tokens_per_minute_per_developer = 200000
# Output: Claude Code usually answers in fewer than 4,096 tokens a request (its Bedrock page);
# Bedrock counts each output token of a Claude 4 model 5x toward the per-minute quota.
# output_tokens_per_minute_per_developer = 4000
# A working day: about $13 per developer per active day (the costs page) at $3 per million
# input tokens is about 4.3 million tokens; rounded up. Judged against the per-day quotas.
# tokens_per_day_per_developer = 5000000
# Judged where the account lists a requests-per-minute quota for the model.
# requests_per_minute_per_developer = 7
# bedrock-throttling-history reads the last 7 days of Bedrock's CloudWatch metrics and fails when
# more than this share (percent) of attempts to a model Claude Code calls was throttled. Bedrock
# counts every retried attempt, and Claude Code retries 429s, so a rare burst is not a finding.
# throttled_percent_tolerated = 1.0

[network]
# Must every Bedrock and STS call stay on interface VPC endpoints (bedrock-runtime, bedrock and
# sts, with private DNS, in two or more Availability Zones)? When true, the permission
# simulations also carry the bedrock-runtime endpoint's aws:SourceVpce and aws:SourceVpc.
# private_only = false
# Where developers' traffic comes from; the endpoints' security groups must admit HTTPS from
# each block and not from the whole internet. Empty: not stated.
# allowed_cidrs = []
# Must the private path be enforced, not merely available? Each developer principal's invoke
# is simulated from outside the endpoint (no aws:SourceVpce, aws:SourceIp 203.0.113.10); if
# their policies allow it, the private path can be bypassed and the rule fails.
# require_enforced = false

# Accepted risks. Each waiver needs a justification, an owner and an expiry date; an expired
# waiver stops applying and is reported. `resource` is a glob over the finding's ARN or name.
# [[waiver]]
# rule = "log-retention-set"
# resource = "arn:aws:logs:us-east-1:*:log-group:/aws/lambda/sandbox-*"
# region = "us-east-1"            # optional
# justification = "Sandbox functions; logs hold no prompts. Reviewed by security 2026-11."
# owner = "platform-team@example.com"
# expires = 2027-03-31
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_template_parses_to_the_defaults() {
        let parsed =
            Profile::parse(INIT_TEMPLATE, Path::new("init.toml")).expect("template parses");
        assert_eq!(parsed, Profile::default());
        // Uncommenting every key gives the defaults; the example waiver is checked below.
        let (settings, waiver_example) = INIT_TEMPLATE
            .split_once("# Accepted risks")
            .expect("template has a waiver section");
        let uncommented: String = settings
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.contains(" = "))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed =
            Profile::parse(&uncommented, Path::new("init.toml")).expect("uncommented parses");
        assert_eq!(parsed, Profile::default());
        let waiver: String = waiver_example
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with("[[") || l.contains(" = "))
            .collect::<Vec<_>>()
            .join("\n");
        let parsed =
            Profile::parse(&waiver, Path::new("init.toml")).expect("example waiver parses");
        assert_eq!(parsed.waiver.len(), 1);
    }

    #[test]
    fn network_and_invocation_logging_are_validated() {
        let ok = "[network]\nprivate_only = true\nallowed_cidrs = [\"10.0.0.0/8\", \"2001:db8::/32\"]\n[data_retention]\ninvocation_logging = \"required\"\ninvocation_log_min_retention_days = 90\ninvocation_log_max_retention_days = 90\n";
        let parsed = Profile::parse(ok, Path::new("p.toml")).expect("valid");
        assert!(parsed.network.private_only);
        assert_eq!(
            parsed.data_retention.invocation_logging,
            InvocationLoggingPolicy::Required
        );
        for (text, key, fragment) in [
            (
                "[network]\nallowed_cidrs = [\"10.0.0.0\"]\n",
                "network.allowed_cidrs",
                "not a CIDR block",
            ),
            (
                "[network]\nallowed_cidrs = [\"10.0.0.0/33\"]\n",
                "network.allowed_cidrs",
                "not a CIDR block",
            ),
            (
                "[data_retention]\ninvocation_log_min_retention_days = 90\ninvocation_log_max_retention_days = 89\n",
                "data_retention.invocation_log_max_retention_days",
                "less than",
            ),
            (
                "[data_retention]\ninvocation_log_min_retention_days = 0\n",
                "data_retention.invocation_log_min_retention_days",
                "at least 1",
            ),
            (
                "[data_retention]\ninvocation_logging = \"sometimes\"\n",
                "invocation_logging",
                "unknown variant",
            ),
        ] {
            let err = Profile::parse(text, Path::new("p.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(key) && err.contains(fragment) && err.contains("p.toml"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn the_tolerated_throttled_share_is_a_percentage_below_100() {
        let parsed = Profile::parse(
            "[capacity]\nthrottled_percent_tolerated = 0\n",
            Path::new("p.toml"),
        )
        .expect("0 tolerates nothing");
        assert_eq!(parsed.capacity.throttled_percent_tolerated, 0.0);
        assert_eq!(
            Profile::default().capacity.throttled_percent_tolerated,
            DEFAULT_THROTTLED_PERCENT_TOLERATED
        );
        for bad in ["-1", "100", "250.5", "nan"] {
            let err = Profile::parse(
                &format!("[capacity]\nthrottled_percent_tolerated = {bad}\n"),
                Path::new("p.toml"),
            )
            .expect_err(bad)
            .to_string();
            assert!(
                err.contains("capacity.throttled_percent_tolerated"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn access_and_capacity_are_validated() {
        let ok = "[access]\ndeveloper_principals = [\"arn:aws:iam::123456789012:role/Dev\", \"arn:aws:iam::123456789012:group/team/Devs\"]\n[capacity]\ndevelopers = 40\n";
        let parsed = Profile::parse(ok, Path::new("p.toml")).expect("valid");
        assert_eq!(parsed.access.developer_principals.len(), 2);
        assert_eq!(parsed.capacity.developers, 40);
        for bad in [
            "arn:aws:iam::123456789012:policy/Dev",
            "arn:aws:iam::1234:role/Dev",
            "arn:aws:sts::123456789012:assumed-role/Dev/s",
            "arn:aws:iam::123456789012:role/",
            "role/Dev",
        ] {
            let text = format!("[access]\ndeveloper_principals = [\"{bad}\"]\n");
            let err = Profile::parse(&text, Path::new("p.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("access.developer_principals"), "{bad}: {err}");
        }
        let err = Profile::parse(
            "[capacity]\ndevelopers = 3\ninput_tokens_per_minute_per_developer = 0\n",
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("capacity.input_tokens_per_minute_per_developer"),
            "{err}"
        );
        let err = Profile::parse("[capacity]\ndevelopers = -1\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("developers"),
            "{err}"
        );
        let err = Profile::parse(
            "[access]\nallow_long_term_keys = true\n",
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 2") && err.contains("allow_long_term_keys"),
            "{err}"
        );
    }

    #[test]
    fn the_replaced_tokens_per_minute_key_is_an_error_naming_its_successors() {
        let err = Profile::parse(
            "[capacity]\ndevelopers = 40\ntokens_per_minute_per_developer = 100000\n",
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        for fragment in [
            "p.toml",
            "capacity.tokens_per_minute_per_developer",
            "input_tokens_per_minute_per_developer",
            "output_tokens_per_minute_per_developer",
        ] {
            assert!(err.contains(fragment), "{fragment}: {err}");
        }
        // The key that stays keeps working.
        let parsed = Profile::parse(
            "[capacity]\nrequests_per_minute_per_developer = 3\n",
            Path::new("p.toml"),
        )
        .expect("parses");
        assert_eq!(parsed.capacity.requests_per_minute_per_developer, 3);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "[rollout]\nregions = [\"us-east-1\"]\nprimary_modle = \"x\"\n";
        let err = Profile::parse(text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml: "), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("primary_modle"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let text = "[data_retention]\nmin_log_retention_days = \"thirty\"\n";
        let err = Profile::parse(text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("min_log_retention_days"),
            "{err}"
        );
    }

    #[test]
    fn repeated_regions_are_judged_once_in_order() {
        let parsed = Profile::parse(
            "[rollout]\nregions = [\"eu-west-1\", \"us-east-1\", \"eu-west-1\"]\n",
            Path::new("p.toml"),
        )
        .expect("parses");
        assert_eq!(parsed.rollout.regions, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn a_toml_error_on_a_huge_line_is_quoted_short() {
        let text = format!("[rollout]\nprimary_model = {}\n", "x".repeat(200_000));
        let err = Profile::parse(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 2_000, "{} bytes", err.len());
        assert!(
            err.contains("line 2") && err.contains("characters in all"),
            "{err}"
        );
    }

    #[test]
    fn bad_region_and_zero_retention_are_rejected() {
        let err = Profile::parse("[rollout]\nregions = [\"useast1\"]\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("rollout.regions") && err.contains("useast1"),
            "{err}"
        );
        let err = Profile::parse(
            "[data_retention]\nmin_log_retention_days = 0\n",
            Path::new("p.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("min_log_retention_days"), "{err}");
    }
}
