//! Which models Claude Code will invoke on Amazon Bedrock, from which region, and why: the one
//! answer every rule asks for (`bedrock-model-access`, `bedrock-inference-profiles`,
//! `developer-invoke-permissions`, `bedrock-quotas`, `bedrock-private-network`,
//! `claude-code-settings`) and the collector reads to know which models to look up.
//!
//! Without settings files the answer is the rollout profile's primary and fast models, judged in
//! every target region. With settings files (`--claude-settings`, merged by precedence) it is the
//! profile's two models plus every model the settings make reachable, each with the region the
//! client signs its requests for. The behaviour is Claude Code's as documented at
//! code.claude.com (*Model configuration*, *Amazon Bedrock*, *Environment variables*, *Settings*)
//! and as the real client [`CLIENT_VERSION`] does it (tests/claude_client.rs runs it against a
//! recording stand-in for bedrock-runtime and compares):
//!
//! - The main model is `ANTHROPIC_MODEL`, else the top-level `model` setting, else the client's
//!   own default (an Opus model on Bedrock). Aliases `sonnet`, `opus`, `best`, `haiku` (any case)
//!   resolve to `ANTHROPIC_DEFAULT_<FAMILY>_MODEL` when pinned, else to the client's built-in id
//!   for the region's geography prefix; `opusplan` runs on the Sonnet model and plans on the
//!   Opus model; a `[1m]` suffix selects the 1M-token window and is not part of the id sent.
//!   `default` in `ANTHROPIC_MODEL` is not an alias there: client 2.1.328 sends it as the id.
//! - `availableModels` (managed allow-list): a main model not on it is replaced by the default;
//!   every entry is reachable through `/model`.
//! - `modelOverrides` maps the client's built-in Anthropic ids (`claude-opus-5-5`, …) to other
//!   Bedrock ids, e.g. application-inference-profile ARNs.
//! - Built-in ids carry the geography prefix of the region (`us`, `us-gov`, `eu`, `apac`, else
//!   `global`), or `ANTHROPIC_BEDROCK_REGION_PREFIX` when set.
//! - Background tasks use `ANTHROPIC_DEFAULT_HAIKU_MODEL` (or the deprecated
//!   `ANTHROPIC_SMALL_FAST_MODEL`); unpinned, Bedrock uses the main model for them, "because
//!   Haiku may not be enabled in every account or region" (*Amazon Bedrock*). Their region is
//!   `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION` when set.
//! - Pinned `ANTHROPIC_DEFAULT_OPUS_MODEL` / `_SONNET_MODEL` are reachable through `/model`.
//! - The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the AWS profile's region, else
//!   `us-east-1`. The AWS profile lives on each developer's machine, so a region left to it is
//!   not decided by the settings: such models are judged in every target region.

use serde_json::Value;

use crate::claude_code::settings::{is_redaction_marker, Merged, Setting};
use crate::model_ids::ModelRole;
use crate::profile::Profile;
use crate::snapshot::ClaudeSettings;

/// The Claude Code release whose behaviour this module reproduces (and the oracle test runs).
pub const CLIENT_VERSION: &str = "2.1.328";

/// The region the AWS SDK falls back to when nothing names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// The client's built-in Bedrock models (client 2.1.328, observed with the recording
/// stand-in): (family alias, Anthropic id that `modelOverrides` keys use, Bedrock id without
/// the geography prefix).
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("opus", "claude-opus-5-5", "anthropic.claude-opus-5-5"),
    (
        "sonnet",
        "claude-sonnet-4-5-20250929",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    (
        "haiku",
        "claude-haiku-4-5-20251001",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
    ),
];

/// One model Claude Code will invoke.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResolvedModel {
    /// `primary`, `fast`, `plan`, `opus`, `sonnet`, `haiku` or `available`: how it is reached,
    /// and the resource-name suffix in findings.
    pub role: &'static str,
    /// The id the client puts in the InvokeModel path.
    pub model_id: String,
    /// The region the client signs for; `None` when the settings do not decide it (the
    /// profile alone, or a region left to each developer's AWS configuration): then it is
    /// judged in every target region.
    pub region: Option<String>,
    /// Where the model and its region come from, for evidence.
    pub origin: String,
    /// The Claude Code variable that selects it.
    pub env_var: &'static str,
    /// The profile key or setting that configures it.
    pub profile_key: &'static str,
    /// `<file>#<json path>` of the setting that decides it; `None` for the profile's models
    /// and the client's own defaults.
    pub location: Option<String>,
}

/// The region the client's requests are signed for, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRegion {
    /// The region the client uses; [`FALLBACK_REGION`] when nothing in the settings names one.
    pub region: String,
    pub origin: String,
    /// The settings name the region (`AWS_REGION` or `AWS_DEFAULT_REGION`); otherwise it is
    /// each developer's AWS profile region, or [`FALLBACK_REGION`].
    pub decided: bool,
}

/// Every model Claude Code will invoke, in report order, without duplicates.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub models: Vec<ResolvedModel>,
    /// The main region the settings resolve to (`None` without settings files).
    pub region: Option<ResolvedRegion>,
}

impl Resolution {
    /// The models to judge in `region`, in the shape the rules take.
    pub fn roles_in(&self, region: &str) -> Vec<ModelRole<'_>> {
        self.models
            .iter()
            .filter(|m| m.region.as_deref().is_none_or(|r| r == region))
            .map(|m| ModelRole {
                role: m.role,
                env_var: m.env_var,
                profile_key: m.profile_key,
                model_id: &m.model_id,
                origin: &m.origin,
            })
            .collect()
    }

    fn push(&mut self, model: ResolvedModel) {
        if model.model_id.is_empty() {
            return;
        }
        match self
            .models
            .iter_mut()
            // A model judged everywhere already covers the same id in one region.
            .find(|m| {
                m.model_id == model.model_id && (m.region.is_none() || m.region == model.region)
            }) {
            Some(existing) => {
                existing.origin = format!("{}; also {}", existing.origin, model.origin);
                if existing.location.is_none() {
                    existing.location = model.location;
                }
            }
            None => self.models.push(model),
        }
    }
}

/// Evidence naming one judged model and where it comes from.
pub fn origin_evidence(role: &ModelRole) -> crate::finding::Evidence {
    crate::finding::Evidence::new(EVIDENCE_SOURCE, None)
        .with("role", role.role)
        .with("model", role.model_id)
        .with("origin", role.origin)
        .with("claude_code_version", CLIENT_VERSION)
}

/// Evidence listing every model judged in `region` and where each comes from.
pub fn resolution_evidence(resolution: &Resolution, region: &str) -> crate::finding::Evidence {
    let models: Vec<_> = resolution
        .roles_in(region)
        .iter()
        .map(|role| format!("{} {} ({})", role.role, role.model_id, role.origin))
        .collect();
    crate::finding::Evidence::new(EVIDENCE_SOURCE, Some(region))
        .with("models", models)
        .with("claude_code_version", CLIENT_VERSION)
}

/// The foundation model a configured id invokes in `snapshot`'s region: an
/// application-inference-profile ARN names no model itself, so the account's profile list
/// (ListInferenceProfiles) says which model it copies; any other id names its model.
pub fn invoked_foundation_model<'a>(
    snapshot: &'a crate::snapshot::RegionSnapshot,
    configured: &'a str,
) -> &'a str {
    if configured.contains(":application-inference-profile/") {
        let backing = snapshot
            .inference_profiles
            .data()
            .and_then(|profiles| crate::model_ids::find_profile(profiles, configured))
            .and_then(|profile| {
                profile
                    .model_arns
                    .iter()
                    .filter_map(|arn| crate::model_ids::foundation_model_location(arn))
                    .find(|(region, _)| *region == snapshot.region)
                    .or_else(|| {
                        profile
                            .model_arns
                            .first()
                            .and_then(|arn| crate::model_ids::foundation_model_location(arn))
                    })
            });
        if let Some((_, model)) = backing {
            return model;
        }
    }
    crate::model_ids::foundation_model_id(configured)
}

/// Whether Claude Code reads an environment value as on: `1`, `true`, `yes` or `on`, in any
/// case, surrounding space ignored (the client's own truthiness test, read in the 2.1.328
/// package; the docs write `1`).
pub fn is_truthy(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    matches!(value.as_str(), "1" | "true" | "yes" | "on")
}

/// `CLAUDE_CODE_MAX_OUTPUT_TOKENS` from the merged settings, when it is a positive integer:
/// the output budget each request reserves (the capacity rule sizes quotas with it).
pub fn max_output_tokens(settings: &ClaudeSettings) -> Option<u64> {
    let merged = Merged::new(settings);
    let setting = merged.env("CLAUDE_CODE_MAX_OUTPUT_TOKENS")?;
    setting
        .text()?
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
}

/// The evidence source of a model resolution.
pub const EVIDENCE_SOURCE: &str = "claude-code model resolution";

/// The models a rule judges: from the snapshot's settings files (if any) and the profile.
pub fn audited_models(snapshot: &crate::snapshot::Snapshot, profile: &Profile) -> Resolution {
    resolve(snapshot.claude_settings.as_ref(), profile)
}

/// The resolution from settings files and profile (the collector calls this before a
/// snapshot exists).
pub fn resolve(settings: Option<&ClaudeSettings>, profile: &Profile) -> Resolution {
    let mut resolution = Resolution::default();
    for role in crate::model_ids::model_roles(profile) {
        resolution.push(ResolvedModel {
            role: role.role,
            model_id: role.model_id.to_string(),
            region: None,
            origin: role.origin.to_string(),
            env_var: role.env_var,
            profile_key: role.profile_key,
            location: None,
        });
    }
    if let Some(settings) = settings {
        let from_settings = resolve_settings(settings);
        resolution.region = from_settings.region;
        for model in from_settings.models {
            resolution.push(model);
        }
    }
    resolution
}

/// The models the settings files alone make Claude Code call (`claude-code-settings` judges
/// each); empty without files.
pub fn resolve_settings(settings: &ClaudeSettings) -> Resolution {
    let mut resolution = Resolution::default();
    if settings.files.is_empty() {
        return resolution;
    }
    let merged = Merged::new(settings);
    let resolver = SettingsResolver::new(&merged);
    resolution.region = Some(resolver.region.clone());
    for model in resolver.models() {
        resolution.push(model);
    }
    resolution
}

/// The geography prefix the client gives its built-in ids in `region` (client 2.1.328:
/// `us-gov-*` → `us-gov`, `us-*` → `us`, `eu-*` → `eu`, `ap-*` → `apac`, any other → `global`).
pub fn geography_prefix_for(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "us-gov"
    } else if region.starts_with("us-") {
        "us"
    } else if region.starts_with("eu-") {
        "eu"
    } else if region.starts_with("ap-") {
        "apac"
    } else {
        "global"
    }
}

/// `sonnet[1m]` → `sonnet`: the suffix selects the 1M-token context window and is not sent.
pub fn strip_context_suffix(value: &str) -> &str {
    let trimmed = value.trim();
    let cut = trimmed.len().saturating_sub(4);
    match trimmed.get(cut..) {
        Some(tail) if tail.eq_ignore_ascii_case("[1m]") => trimmed[..cut].trim_end(),
        _ => trimmed,
    }
}

/// A value read from the merged settings, with where it came from.
struct Read {
    text: String,
    location: String,
}

struct SettingsResolver<'a> {
    merged: &'a Merged<'a>,
    region: ResolvedRegion,
    prefix: (String, String),
}

impl<'a> SettingsResolver<'a> {
    fn new(merged: &'a Merged<'a>) -> SettingsResolver<'a> {
        let mut resolver = SettingsResolver {
            merged,
            region: ResolvedRegion {
                region: FALLBACK_REGION.into(),
                origin: String::new(),
                decided: false,
            },
            prefix: (String::new(), String::new()),
        };
        resolver.region = resolver.main_region();
        resolver.prefix = match resolver.env("ANTHROPIC_BEDROCK_REGION_PREFIX") {
            Some(read) => (
                read.text.clone(),
                format!("ANTHROPIC_BEDROCK_REGION_PREFIX in {}", read.location),
            ),
            None => (
                geography_prefix_for(&resolver.region.region).to_string(),
                format!("the geography of {}", resolver.region.region),
            ),
        };
        resolver
    }

    /// A non-empty `env` value that is not a redaction marker.
    fn env(&self, name: &str) -> Option<Read> {
        let setting = self.merged.env(name)?;
        read(&setting)
    }

    fn key(&self, name: &str) -> Option<Setting<'a>> {
        self.merged.key(name)
    }

    fn main_region(&self) -> ResolvedRegion {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let Some(read) = self.env(name) {
                return ResolvedRegion {
                    region: read.text,
                    origin: format!("{name} in {}", read.location),
                    decided: true,
                };
            }
        }
        let origin = match self.env("AWS_PROFILE") {
            Some(profile) => format!(
                "neither AWS_REGION nor AWS_DEFAULT_REGION is set: the region of AWS profile {:?} ({}) on each developer's machine, else {FALLBACK_REGION}",
                profile.text, profile.location
            ),
            None => format!(
                "neither AWS_REGION nor AWS_DEFAULT_REGION is set: the default AWS profile's region on each developer's machine, else {FALLBACK_REGION}"
            ),
        };
        ResolvedRegion {
            region: FALLBACK_REGION.into(),
            origin,
            decided: false,
        }
    }

    fn region_field(&self) -> Option<String> {
        self.region.decided.then(|| self.region.region.clone())
    }

    /// The model an alias family resolves to: the pinned variable, else the built-in id
    /// (through `modelOverrides` when it maps it).
    fn family(&self, family: &str) -> (String, String, &'static str) {
        let variable = family_variable(family);
        if let Some(read) = self.env(variable) {
            return (
                strip_context_suffix(&read.text).to_string(),
                format!("{variable} in {}", read.location),
                variable,
            );
        }
        let Some((_, anthropic_id, bedrock_id)) = BUILT_IN.iter().find(|(f, _, _)| *f == family)
        else {
            return (String::new(), String::new(), variable);
        };
        if let Some((id, location)) = self.override_for(anthropic_id) {
            return (
                id,
                format!("modelOverrides.{anthropic_id} in {location} (the client's built-in {family} model)"),
                variable,
            );
        }
        let (prefix, prefix_origin) = &self.prefix;
        (
            format!("{prefix}.{bedrock_id}"),
            format!(
                "Claude Code {CLIENT_VERSION}'s built-in {family} model ({variable} is not set; prefix {prefix} from {prefix_origin})"
            ),
            variable,
        )
    }

    fn override_for(&self, anthropic_id: &str) -> Option<(String, String)> {
        let setting = self.key("modelOverrides")?;
        let Value::Object(map) = setting.value else {
            return None;
        };
        let value = map.get(anthropic_id)?.as_str()?.trim();
        (!value.is_empty() && !is_redaction_marker(value))
            .then(|| (value.to_string(), setting.file.path.clone()))
    }

    /// What a model setting's value names: (id, origin of the id, and the Opus model when the
    /// value is `opusplan`).
    fn resolve_value(&self, value: &str, origin: &str) -> (String, String, Option<&'static str>) {
        let stripped = strip_context_suffix(value);
        let alias = stripped.to_ascii_lowercase();
        let family = match alias.as_str() {
            "sonnet" | "opusplan" => Some("sonnet"),
            "opus" | "best" => Some("opus"),
            "haiku" => Some("haiku"),
            _ => None,
        };
        match family {
            Some(family) => {
                let (id, family_origin, _) = self.family(family);
                (
                    id,
                    format!("{origin} = {stripped:?}, an alias for {family_origin}"),
                    (alias == "opusplan").then_some("opus"),
                )
            }
            None => (stripped.to_string(), origin.to_string(), None),
        }
    }

    fn available_models(&self) -> Option<(Vec<String>, String)> {
        let setting = self.key("availableModels")?;
        let Value::Array(items) = setting.value else {
            return None;
        };
        Some((
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && !is_redaction_marker(s))
                .collect(),
            setting.location(),
        ))
    }

    fn models(&self) -> Vec<ResolvedModel> {
        let region = self.region_field();
        let region_origin = &self.region.origin;
        let mut models = Vec::new();
        let available = self.available_models();

        // The main model: ANTHROPIC_MODEL, else the `model` setting, else the client default.
        let chosen = self
            .env("ANTHROPIC_MODEL")
            .map(|read| {
                let origin = format!("ANTHROPIC_MODEL in {}", read.location);
                (read.text, origin, read.location)
            })
            .or_else(|| {
                let setting = self.key("model")?;
                let read = read(&setting)?;
                let origin = format!("the model setting in {}", read.location);
                Some((read.text, origin, read.location))
            });
        let main_location = chosen.as_ref().map(|(_, _, location)| location.clone());
        let chosen = match (chosen, &available) {
            (Some((value, origin, _)), Some((allowed, list))) if !self.allowed(&value, allowed) => {
                let (id, default_origin, _) = self.family("opus");
                models.push(ResolvedModel {
                    role: "primary",
                    model_id: id,
                    region: region.clone(),
                    origin: format!(
                        "{origin} = {value:?} is not in availableModels ({list}), so the client uses its default: {default_origin}; region: {region_origin}"
                    ),
                    env_var: "ANTHROPIC_MODEL",
                    profile_key: "env.ANTHROPIC_MODEL",
                    location: Some(list.clone()),
                });
                None
            }
            (chosen, _) => Some(chosen.map(|(value, origin, _)| (value, origin))),
        };
        let mut main_id = models.first().map(|m| m.model_id.clone());
        if let Some(chosen) = chosen {
            let (id, origin, plan) = match chosen {
                Some((value, origin)) => self.resolve_value(&value, &origin),
                None => {
                    let (id, origin, _) = self.family("opus");
                    (
                        id,
                        format!(
                            "no ANTHROPIC_MODEL or model setting: the client's default, {origin}"
                        ),
                        None,
                    )
                }
            };
            main_id = Some(id.clone());
            models.push(ResolvedModel {
                role: "primary",
                model_id: id,
                region: region.clone(),
                origin: format!("{origin}; region: {region_origin}"),
                env_var: "ANTHROPIC_MODEL",
                profile_key: "env.ANTHROPIC_MODEL",
                location: main_location.clone(),
            });
            if let Some(family) = plan {
                let (id, origin, variable) = self.family(family);
                models.push(ResolvedModel {
                    role: "plan",
                    model_id: id,
                    region: region.clone(),
                    origin: format!("opusplan plans with {origin}; region: {region_origin}"),
                    env_var: variable,
                    profile_key: "env.ANTHROPIC_DEFAULT_OPUS_MODEL",
                    location: self
                        .env(variable)
                        .map(|read| read.location)
                        .or(main_location.clone()),
                });
            }
        }

        // Background tasks.
        let fast_region = self.env("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION");
        let (fast_region_field, fast_region_origin) = match &fast_region {
            Some(read) => (
                Some(read.text.clone()),
                format!("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION in {}", read.location),
            ),
            None => (region.clone(), region_origin.clone()),
        };
        let fast = self
            .env("ANTHROPIC_DEFAULT_HAIKU_MODEL")
            .map(|r| (r, "ANTHROPIC_DEFAULT_HAIKU_MODEL"))
            .or_else(|| {
                self.env("ANTHROPIC_SMALL_FAST_MODEL")
                    .map(|r| (r, "ANTHROPIC_SMALL_FAST_MODEL"))
            });
        match fast {
            Some((read, variable)) => models.push(ResolvedModel {
                role: "fast",
                model_id: strip_context_suffix(&read.text).to_string(),
                region: fast_region_field,
                origin: format!(
                    "{variable} in {} (background tasks and /model haiku); region: {fast_region_origin}",
                    read.location
                ),
                env_var: variable,
                profile_key: "env.ANTHROPIC_DEFAULT_HAIKU_MODEL",
                location: Some(read.location),
            }),
            None => {
                if let Some(main) = main_id {
                    models.push(ResolvedModel {
                        role: "fast",
                        model_id: main,
                        region: fast_region_field,
                        origin: format!(
                            "ANTHROPIC_DEFAULT_HAIKU_MODEL is not set: on Bedrock background tasks use the main model; region: {fast_region_origin}"
                        ),
                        env_var: "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                        profile_key: "env.ANTHROPIC_DEFAULT_HAIKU_MODEL",
                        location: None,
                    });
                }
            }
        }

        // Pinned families are reachable through `/model <alias>`.
        for (family, role) in [("opus", "opus"), ("sonnet", "sonnet")] {
            let variable = family_variable(family);
            if let Some(pinned) = self.env(variable) {
                let (id, origin, _) = self.family(family);
                models.push(ResolvedModel {
                    role,
                    model_id: id,
                    region: region.clone(),
                    origin: format!(
                        "{origin} (reachable through /model {family}); region: {region_origin}"
                    ),
                    env_var: variable,
                    profile_key: variable_key(family),
                    location: Some(pinned.location),
                });
            }
        }

        // Every allowed entry is reachable through `/model`.
        if let Some((allowed, list)) = &available {
            for entry in allowed {
                let (id, origin, plan) =
                    self.resolve_value(entry, &format!("availableModels entry in {list}"));
                models.push(ResolvedModel {
                    role: "available",
                    model_id: id,
                    region: region.clone(),
                    origin: format!("{origin} (reachable through /model); region: {region_origin}"),
                    env_var: "ANTHROPIC_MODEL",
                    profile_key: "availableModels",
                    location: Some(list.clone()),
                });
                if let Some(family) = plan {
                    let (id, origin, variable) = self.family(family);
                    models.push(ResolvedModel {
                        role: "plan",
                        model_id: id,
                        region: region.clone(),
                        origin: format!("opusplan in availableModels plans with {origin}; region: {region_origin}"),
                        env_var: variable,
                        profile_key: "availableModels",
                        location: Some(list.clone()),
                    });
                }
            }
        }
        models
    }

    /// Whether `value` is on the allow-list: the same alias or id (any case, `[1m]` aside), or
    /// an entry that resolves to the same id.
    fn allowed(&self, value: &str, allowed: &[String]) -> bool {
        let wanted = strip_context_suffix(value).to_ascii_lowercase();
        let resolved = self.resolve_value(value, "").0;
        allowed.iter().any(|entry| {
            strip_context_suffix(entry).eq_ignore_ascii_case(&wanted)
                || self.resolve_value(entry, "").0 == resolved
        })
    }
}

fn read(setting: &Setting) -> Option<Read> {
    let text = setting.text()?.trim().to_string();
    (!text.is_empty() && !is_redaction_marker(&text)).then(|| Read {
        text,
        location: setting.location(),
    })
}

fn family_variable(family: &str) -> &'static str {
    match family {
        "opus" => "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "sonnet" => "ANTHROPIC_DEFAULT_SONNET_MODEL",
        _ => "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    }
}

fn variable_key(family: &str) -> &'static str {
    match family {
        "opus" => "env.ANTHROPIC_DEFAULT_OPUS_MODEL",
        "sonnet" => "env.ANTHROPIC_DEFAULT_SONNET_MODEL",
        _ => "env.ANTHROPIC_DEFAULT_HAIKU_MODEL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{SettingsFile, SettingsKind};

    fn settings(files: &[(SettingsKind, &str)]) -> ClaudeSettings {
        ClaudeSettings {
            files: files
                .iter()
                .enumerate()
                .map(|(i, (kind, text))| SettingsFile {
                    path: format!("f{i}.json"),
                    kind: *kind,
                    content: serde_json::from_str(text).unwrap(),
                    redactions: Vec::new(),
                })
                .collect(),
            guardrails: Vec::new(),
        }
    }

    /// (role, id, region) of the models the settings add to the profile's.
    fn from_settings(text: &str) -> Vec<(&'static str, String, Option<String>)> {
        let s = settings(&[(SettingsKind::Managed, text)]);
        resolve_settings(&s)
            .models
            .into_iter()
            .map(|m| (m.role, m.model_id, m.region))
            .collect()
    }

    fn us(_: &str) -> Option<String> {
        Some("us-east-1".to_string())
    }

    #[test]
    fn without_settings_the_profile_models_are_judged_everywhere() {
        let resolution = resolve(None, &Profile::default());
        let ids: Vec<_> = resolution
            .models
            .iter()
            .map(|m| (m.role, m.region.clone()))
            .collect();
        assert_eq!(ids, [("primary", None), ("fast", None)]);
        assert_eq!(resolution.roles_in("eu-west-1").len(), 2);
    }

    #[test]
    fn aliases_resolve_to_the_pinned_family_model() {
        let got = from_settings(
            r#"{"env":{"AWS_REGION":"us-east-1","ANTHROPIC_MODEL":"Sonnet[1m]","ANTHROPIC_DEFAULT_SONNET_MODEL":"us.anthropic.claude-sonnet-4-6","ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0"}}"#,
        );
        // The Sonnet pin reached through /model sonnet is the main model.
        assert_eq!(
            got,
            [
                ("primary", "us.anthropic.claude-sonnet-4-6".into(), us("")),
                (
                    "fast",
                    "us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
                    us("")
                ),
            ]
        );
        // With the profile, the pinned Haiku is the profile's fast model, judged everywhere.
        let s = settings(&[(
            SettingsKind::Managed,
            r#"{"env":{"AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0"}}"#,
        )]);
        let all = resolve(Some(&s), &Profile::default());
        assert_eq!(all.models.len(), 3, "{:#?}", all.models);
        assert!(all.models[1]
            .origin
            .contains("also ANTHROPIC_DEFAULT_HAIKU_MODEL"));
    }

    #[test]
    fn opusplan_reaches_both_pinned_models() {
        let got = from_settings(
            r#"{"env":{"AWS_REGION":"eu-west-1","ANTHROPIC_MODEL":"opusplan","ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.o","ANTHROPIC_DEFAULT_SONNET_MODEL":"eu.s"}}"#,
        );
        let eu = Some("eu-west-1".to_string());
        assert_eq!(
            got,
            [
                ("primary", "eu.s".into(), eu.clone()),
                ("plan", "eu.o".into(), eu.clone()),
            ]
        );
    }

    #[test]
    fn unpinned_main_model_is_the_client_default_with_the_region_prefix() {
        let got = from_settings(r#"{"env":{"AWS_DEFAULT_REGION":"ap-northeast-1"}}"#);
        let ap = Some("ap-northeast-1".to_string());
        assert_eq!(
            got,
            [("primary", "apac.anthropic.claude-opus-5-5".into(), ap)]
        );
        let got = from_settings(
            r#"{"env":{"AWS_REGION":"us-east-1","ANTHROPIC_BEDROCK_REGION_PREFIX":"global"}}"#,
        );
        assert_eq!(got[0].1, "global.anthropic.claude-opus-5-5");
    }

    #[test]
    fn unset_region_is_left_to_each_machine() {
        let s = settings(&[(SettingsKind::User, r#"{"env":{"ANTHROPIC_MODEL":"x"}}"#)]);
        let resolution = resolve(Some(&s), &Profile::default());
        let region = resolution.region.unwrap();
        assert!(!region.decided);
        assert_eq!(region.region, "us-east-1");
        assert!(resolution.models.iter().all(|m| m.region.is_none()));
    }

    #[test]
    fn not_allowed_main_model_falls_back_to_the_default() {
        let got = from_settings(
            r#"{"availableModels":["sonnet"],"env":{"AWS_REGION":"us-east-1","ANTHROPIC_MODEL":"us.anthropic.claude-opus-4-7"}}"#,
        );
        assert_eq!(got[0].1, "us.anthropic.claude-opus-5-5");
        assert!(got.iter().any(|(role, id, _)| *role == "available"
            && id == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    }

    #[test]
    fn overrides_replace_built_in_ids() {
        let got = from_settings(
            r#"{"modelOverrides":{"claude-opus-5-5":"arn:aws:bedrock:us-east-1:1:application-inference-profile/x"},"env":{"AWS_REGION":"us-east-1"}}"#,
        );
        assert_eq!(
            got[0].1,
            "arn:aws:bedrock:us-east-1:1:application-inference-profile/x"
        );
    }

    #[test]
    fn the_model_setting_yields_to_the_environment_variable() {
        let got = from_settings(
            r#"{"model":"us.a","env":{"AWS_REGION":"us-east-1","ANTHROPIC_MODEL":"us.b"}}"#,
        );
        assert_eq!(got[0].1, "us.b");
        let got = from_settings(r#"{"model":"us.a","env":{"AWS_REGION":"us-east-1"}}"#);
        assert_eq!(got[0].1, "us.a");
    }

    #[test]
    fn pinned_haiku_runs_background_tasks_in_its_own_region() {
        let got = from_settings(
            r#"{"env":{"AWS_REGION":"us-east-1","ANTHROPIC_MODEL":"us.m","ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.h","ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION":"us-west-2"}}"#,
        );
        assert_eq!(
            got,
            [
                ("primary", "us.m".into(), us("")),
                ("fast", "us.h".into(), Some("us-west-2".into())),
            ]
        );
    }

    #[test]
    fn context_suffix_is_stripped_in_any_case() {
        assert_eq!(strip_context_suffix("a:0[1m]"), "a:0");
        assert_eq!(strip_context_suffix(" a[1M] "), "a");
        assert_eq!(strip_context_suffix("[1m]"), "");
        assert_eq!(strip_context_suffix("a"), "a");
    }
}
