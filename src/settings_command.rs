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

/// The rules the merged settings are judged by before they are written (`--merge`): the keys
/// kept from the existing file are settings like any other.
pub const MERGED_RULES: &[&str] = &["claude-code-settings", "claude-code-secrets"];
/// What a finding about the merged result names as its file.
pub const MERGED_PATH: &str = "<merged settings>";

/// Reads the file given with `--merge` (invalid JSON names line and column).
pub fn read_existing(path: &Path) -> Result<serde_json::Value> {
    let text = read_text(path, InputKind::ClaudeSettings, Named::Explicitly)?;
    if let Some(line) = first_wide_integer_line(&text) {
        return Err(Error::input_file(
            path,
            format!("--merge: line {line} holds an integer beyond 64 bits, which would be rewritten as an approximate float; write it as a string"),
        ));
    }
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

/// The line of the first integer literal (outside strings) that fits neither `i64` nor `u64`:
/// serde_json reads it as an `f64`, so merging would change the number.
fn first_wide_integer_line(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut index, mut line, mut in_string) = (0, 1, false);
    while index < bytes.len() {
        let b = bytes[index];
        if in_string {
            match b {
                b'\\' => index += 1,
                b'"' => in_string = false,
                b'\n' => line += 1,
                _ => {}
            }
            index += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'\n' => line += 1,
            b'-' | b'0'..=b'9' => {
                let start = index;
                while index < bytes.len()
                    && (bytes[index].is_ascii_digit() || b"-+.eE".contains(&bytes[index]))
                {
                    index += 1;
                }
                let token = &text[start..index];
                let integer = !token.contains(['.', 'e', 'E']);
                if integer && token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                    return Some(line);
                }
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    None
}

/// Judges the checks the settings rely on in the profile's first region, and builds the JSON.
pub fn prepare(
    snapshot: &Snapshot,
    profile: &Profile,
    auth_refresh: Option<&str>,
    existing: Option<serde_json::Value>,
) -> Result<Prepared> {
    let merged = existing.is_some();
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
    let mut blocking: Vec<Finding> = blocking;
    if merged {
        blocking.extend(judge_merged(snapshot, &judged, &text)?);
    }
    Ok(Prepared { text, blocking })
}

/// The merged settings judged as Claude Code will read them, by the settings and secrets
/// rules: what is not pass blocks, like any check the settings depend on.
fn judge_merged(snapshot: &Snapshot, profile: &Profile, text: &str) -> Result<Vec<Finding>> {
    let file =
        claude_settings::parse_file(text, MERGED_PATH, crate::snapshot::SettingsKind::Managed)?;
    let mut judged = snapshot.clone();
    let guardrails = snapshot
        .claude_settings
        .as_ref()
        .map(|s| s.guardrails.clone())
        .unwrap_or_default();
    judged.claude_settings = Some(crate::snapshot::ClaudeSettings {
        files: vec![file],
        guardrails,
    });
    let selection = RuleSelection {
        only: MERGED_RULES.iter().map(|s| s.to_string()).collect(),
        skip: Vec::new(),
    };
    Ok(engine::evaluate(&judged, profile, &selection)
        .into_iter()
        .filter(|f| f.status != Status::Pass)
        .collect())
}

/// Whether a blocking finding is a credential in the settings: `--force` never writes one.
pub fn is_credential(finding: &Finding) -> bool {
    finding.rule_id == "claude-code-secrets"
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
