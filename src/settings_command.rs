//! `bedrock-audit claude-settings`: the managed-settings JSON that makes Claude Code use
//! exactly what the audit verified, and the checks it depends on.

use std::path::Path;

use crate::claude_code::settings::{self as claude_settings, Generated};
use crate::engine::{self, RuleSelection};
use crate::error::{Error, Result};
use crate::finding::{Finding, Status};
use crate::input_file::{read_text, InputKind, Named};
use crate::profile::Profile;
use crate::snapshot::Snapshot;

/// The rules whose findings the written settings rely on.
pub const DEPENDS_ON: &[&str] = &["bedrock-model-access", "bedrock-inference-profiles"];
/// Also relied on when the profile requires the private endpoint.
pub const PRIVATE_ENDPOINT_RULE: &str = "bedrock-runtime-vpc-endpoint";

pub struct Prepared {
    /// The settings JSON, pretty-printed, with a final newline.
    pub text: String,
    /// Findings the settings depend on that are not pass.
    pub blocking: Vec<Finding>,
}

/// Reads the file given with `--merge` (invalid JSON names line and column).
pub fn read_existing(path: &Path) -> Result<serde_json::Value> {
    let text = read_text(path, InputKind::ClaudeSettings, Named::Explicitly)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input_file(
            path,
            format!(
                "--merge: not valid JSON at line {}, column {}",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Judges the checks the settings rely on in the profile's first region, and builds the JSON.
pub fn prepare(
    snapshot: &Snapshot,
    profile: &Profile,
    auth_refresh: Option<&str>,
    existing: Option<serde_json::Value>,
) -> Result<Prepared> {
    let Some(region) = profile.rollout.regions.first() else {
        return Err(Error::Input(
            "no region to write settings for: pass --region".into(),
        ));
    };
    let mut judged = profile.clone();
    judged.rollout.regions = vec![region.clone()];
    let mut only: Vec<String> = DEPENDS_ON.iter().map(|s| s.to_string()).collect();
    if profile.rollout.private_endpoint {
        only.push(PRIVATE_ENDPOINT_RULE.to_string());
    }
    let selection = RuleSelection {
        only,
        skip: Vec::new(),
    };
    let blocking = engine::evaluate(snapshot, &judged, &selection)
        .into_iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    let base_url = profile
        .rollout
        .private_endpoint
        // The endpoint rule requires private DNS, under which the regional name resolves to
        // the endpoint inside the VPC.
        .then(|| format!("https://bedrock-runtime.{region}.amazonaws.com"));
    let value = claude_settings::generate(
        &Generated {
            region,
            primary_model: &profile.rollout.primary_model,
            fast_model: &profile.rollout.fast_model,
            base_url,
            auth_refresh,
        },
        existing,
    )?;
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::Io(format!("cannot serialise the settings: {e}")))?;
    text.push('\n');
    Ok(Prepared { text, blocking })
}

/// One line per blocking finding: rule, status, region, resource, message.
pub fn describe_blocking(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} [{}] {} {}: {}",
                f.rule_id,
                f.status.as_str(),
                f.region,
                crate::untrusted_text::visible(&f.resource),
                crate::untrusted_text::visible(&f.message)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
