//! The rule registry. A rule is two files: `src/rules/<id_with_underscores>.rs` (a pure
//! function of snapshot and profile) and `rules/<id>.toml` (its metadata, embedded at build
//! time), plus one line in [`REGISTRY`].

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::finding::{Evidence, Finding, Severity, Status};
use crate::profile::Profile;
use crate::snapshot::{CollectError, RegionSnapshot, Snapshot};

mod bedrock_api_keys;
mod bedrock_inference_profiles;
mod bedrock_invocation_logging;
mod bedrock_model_access;
mod bedrock_private_network;
mod bedrock_quotas;
mod bedrock_runtime_vpc_endpoint;
mod bedrock_throttling_history;
mod claude_code_secrets;
mod claude_code_settings;
mod cloudtrail_enabled;
mod developer_invoke_permissions;
mod developer_model_discovery;
mod kms_keys_configured;
mod log_bucket;
mod log_retention_set;
mod no_zdr_assumption;
mod service_grant;
mod support;

/// A rule's function: every finding it makes for this snapshot and profile.
pub type CheckFn = fn(&RuleContext) -> Vec<Finding>;

pub struct Rule {
    pub id: &'static str,
    metadata_toml: &'static str,
    pub check: CheckFn,
}

macro_rules! rule {
    ($id:literal, $module:ident) => {
        Rule {
            id: $id,
            metadata_toml: include_str!(concat!("../../rules/", $id, ".toml")),
            check: $module::check,
        }
    };
}

/// Every rule, in report order.
pub static REGISTRY: &[Rule] = &[
    rule!("bedrock-model-access", bedrock_model_access),
    rule!("bedrock-inference-profiles", bedrock_inference_profiles),
    rule!("developer-invoke-permissions", developer_invoke_permissions),
    rule!("developer-model-discovery", developer_model_discovery),
    rule!("bedrock-quotas", bedrock_quotas),
    rule!("bedrock-throttling-history", bedrock_throttling_history),
    rule!("bedrock-api-keys", bedrock_api_keys),
    rule!("bedrock-runtime-vpc-endpoint", bedrock_runtime_vpc_endpoint),
    rule!("bedrock-private-network", bedrock_private_network),
    rule!("cloudtrail-enabled", cloudtrail_enabled),
    rule!("log-retention-set", log_retention_set),
    rule!("kms-keys-configured", kms_keys_configured),
    rule!("no-zdr-assumption", no_zdr_assumption),
    rule!("bedrock-invocation-logging", bedrock_invocation_logging),
    rule!("claude-code-settings", claude_code_settings),
    rule!("claude-code-secrets", claude_code_secrets),
];

/// A rule's metadata, from `rules/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Why the rule matters for a Claude Code rollout.
    pub rationale: String,
    /// What to do when it fails.
    pub remediation: String,
    /// The AWS CLI command(s) that fix it.
    pub remediation_cli: String,
    pub references: Vec<String>,
    /// Default parameters, for documentation; effective values come from the profile.
    #[serde(default)]
    pub parameters: toml::Table,
    /// `remediation` and `remediation_cli` as a finding carries them, made once and shared by
    /// every finding of the rule.
    #[serde(skip)]
    pub advice: std::sync::Arc<str>,
}

static METADATA: LazyLock<Vec<RuleMeta>> = LazyLock::new(|| {
    REGISTRY
        .iter()
        .map(
            |rule| match toml::from_str::<RuleMeta>(rule.metadata_toml) {
                Ok(mut meta) if meta.id == rule.id => {
                    meta.advice = format!(
                        "{}\n{}",
                        meta.remediation.trim(),
                        meta.remediation_cli.trim()
                    )
                    .into();
                    meta
                }
                // The files are embedded at build time and checked by a unit test, so this is a
                // build defect, not bad input.
                Ok(meta) => panic!("rules/{}.toml declares id {}", rule.id, meta.id),
                Err(e) => panic!("rules/{}.toml is invalid: {e}", rule.id),
            },
        )
        .collect()
});

impl Rule {
    pub fn meta(&self) -> &'static RuleMeta {
        let index = REGISTRY
            .iter()
            .position(|r| r.id == self.id)
            .unwrap_or_default();
        &METADATA[index]
    }

    /// The same rule (id and metadata) judged by another function, so the engine's safety nets
    /// can be tested with rules that misbehave on purpose.
    #[cfg(test)]
    pub(crate) fn with_check(&self, check: CheckFn) -> Rule {
        Rule {
            id: self.id,
            metadata_toml: self.metadata_toml,
            check,
        }
    }

    /// SHA-256 of the embedded metadata, so evidence bundles pin the rule text they used.
    pub fn metadata_digest(&self) -> String {
        crate::digest::sha256_hex(self.metadata_toml.as_bytes())
    }
}

pub fn all_metadata() -> &'static [RuleMeta] {
    &METADATA
}

pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|r| r.id == id)
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    find(id).map(Rule::meta)
}

/// What a rule sees: the snapshot, the profile and its own metadata, with helpers that fill
/// the fields every finding shares.
pub struct RuleContext<'a> {
    pub snapshot: &'a Snapshot,
    pub profile: &'a Profile,
    pub meta: &'static RuleMeta,
}

impl RuleContext<'_> {
    pub fn finding(
        &self,
        status: Status,
        region: &str,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule_id: self.meta.id.as_str().into(),
            status,
            severity: self.meta.severity,
            account: self.snapshot.account_label(),
            region: region.to_string(),
            resource: resource.into(),
            message: message.into(),
            remediation: self.meta.advice.clone(),
            evidence: Vec::new(),
            waiver: None,
            baseline: None,
        }
    }

    /// The finding for a section that could not be read: `error`, with the failed call as
    /// evidence, and a remediation about access rather than configuration.
    pub fn unreadable(
        &self,
        region: &str,
        resource: impl Into<String>,
        what: &str,
        error: &CollectError,
    ) -> Finding {
        let mut finding = self.finding(
            Status::Error,
            region,
            resource,
            format!(
                "Could not read {what}: {} failed with {}: {}. The rule cannot judge what it cannot read.",
                error.operation, error.code, error.message
            ),
        );
        finding.remediation = format!(
            "Grant the scanner {} (see `bedrock-audit iam-policy`), or wait out the throttling/outage, then scan again.",
            error.operation
        )
        .into();
        finding.evidence.push(collect_error_evidence(region, error));
        finding
    }

    /// The region's snapshot, or the `error` finding to report when the snapshot has none
    /// (a snapshot collected for other regions than the profile's).
    /// Runs `judge` for each target region, handing it the region's snapshot and the findings
    /// so far; a region the snapshot lacks becomes an `error` finding instead, so no rule can
    /// skip a region silently.
    pub fn per_region(
        &self,
        mut judge: impl FnMut(&str, &RegionSnapshot, &mut Vec<Finding>),
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for region in self.target_regions() {
            match self.region(region) {
                Ok(snapshot) => judge(region, snapshot, &mut findings),
                Err(missing) => findings.push(missing),
            }
        }
        findings
    }

    // Called once per region per rule, so the size of the error value costs nothing.
    #[allow(clippy::result_large_err)]
    fn region(&self, name: &str) -> Result<&'_ RegionSnapshot, Finding> {
        self.snapshot.region(name).ok_or_else(|| {
            self.finding(
                Status::Error,
                name,
                format!("region/{name}"),
                format!(
                    "The snapshot holds no data for {name}; scan that region (--region {name}) to judge it."
                ),
            )
            .with_evidence(
                Evidence::new("snapshot", Some(name)).with(
                    "regions_in_snapshot",
                    self.snapshot
                        .regions
                        .iter()
                        .map(|r| r.region.as_str())
                        .collect::<Vec<_>>(),
                ),
            )
        })
    }

    pub fn target_regions(&self) -> &[String] {
        &self.profile.rollout.regions
    }
}

pub fn collect_error_evidence(region: &str, error: &CollectError) -> Evidence {
    Evidence::new(error.operation.clone(), Some(region))
        .with("error_kind", error.kind)
        .with("error_code", &error.code)
        .with("error_message", &error.message)
}

/// A finding's builder-style evidence attachment.
pub trait WithEvidence {
    fn with_evidence(self, evidence: Evidence) -> Self;
}

impl WithEvidence for Finding {
    fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metadata_file_parses_and_matches_its_id() {
        assert_eq!(all_metadata().len(), REGISTRY.len());
        for (rule, meta) in REGISTRY.iter().zip(all_metadata()) {
            assert_eq!(rule.id, meta.id);
            assert!(!meta.title.is_empty() && !meta.rationale.is_empty());
            assert!(
                meta.remediation_cli.contains("aws "),
                "{}: remediation_cli must hold an AWS CLI command",
                rule.id
            );
            assert!(!meta.references.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn rule_ids_are_unique_and_file_names_follow_them() {
        let mut ids: Vec<_> = REGISTRY.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len());
        for id in ids {
            let module = format!("src/rules/{}.rs", id.replace('-', "_"));
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(&module)
                    .exists(),
                "{module} missing"
            );
        }
    }

    #[test]
    fn each_metadata_digest_is_the_sha256_of_that_rules_file() {
        for rule in REGISTRY {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("rules")
                .join(format!("{}.toml", rule.id));
            let text = std::fs::read(&path).expect("rule metadata file");
            assert_eq!(
                rule.metadata_digest(),
                crate::digest::sha256_hex(&text),
                "{}",
                rule.id
            );
        }
    }
}
