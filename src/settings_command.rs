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
    // Never the public regional name: under private DNS it already resolves to the endpoint, and
    // Claude Code sends inference-profile discovery (a control-plane call) to the base URL too.
    // The endpoint's own regional name works from a corporate network without resolver
    // forwarding, and fails closed off it.
    let base_url = if profile.rollout.private_endpoint {
        Some(format!("https://{}", endpoint_dns_name(snapshot, region)?))
    } else {
        None
    };
    let family_pins = family_pins(&profile.rollout.primary_model);
    let value = claude_settings::generate(
        &Generated {
            region,
            primary_model: &profile.rollout.primary_model,
            fast_model: &profile.rollout.fast_model,
            family_pins,
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

/// `ANTHROPIC_DEFAULT_SONNET_MODEL` or `_OPUS_MODEL` for the primary model's family, so the
/// alias reaches the verified profile.
fn family_pins(primary: &str) -> Vec<(&'static str, &str)> {
    use crate::model_ids::{claude_model, ClaudeFamily};
    match claude_model(primary).map(|m| m.family) {
        Some(ClaudeFamily::Sonnet) => vec![("ANTHROPIC_DEFAULT_SONNET_MODEL", primary)],
        Some(ClaudeFamily::Opus) => vec![("ANTHROPIC_DEFAULT_OPUS_MODEL", primary)],
        _ => Vec::new(),
    }
}

/// The regional DNS name (`vpce-….bedrock-runtime.<region>.vpce.amazonaws.com`) of the
/// region's available bedrock-runtime interface endpoint (the first by id when there are
/// several). Not collected or absent: an error, never the public name.
fn endpoint_dns_name(snapshot: &Snapshot, region: &str) -> Result<String> {
    let fail = |why: String| {
        Err(Error::Input(format!(
            "private_endpoint = true, but {why}: cannot write ANTHROPIC_BEDROCK_BASE_URL (the public regional name would make nothing private). Scan {region} again with this version, or create the endpoint."
        )))
    };
    let Some(regional) = snapshot.region(region) else {
        return fail(format!("the snapshot holds no data for {region}"));
    };
    let endpoints = match regional.vpc_endpoints.as_result() {
        Ok(endpoints) => endpoints,
        Err(error) => {
            return fail(format!(
                "the VPC endpoints of {region} could not be read ({}: {})",
                error.operation, error.code
            ))
        }
    };
    let service = format!("com.amazonaws.{region}.bedrock-runtime");
    let suffix = format!(".bedrock-runtime.{region}.vpce.amazonaws.com");
    let mut candidates: Vec<_> = endpoints
        .iter()
        .filter(|e| {
            e.service_name == service
                && e.endpoint_type.eq_ignore_ascii_case("Interface")
                && e.state.eq_ignore_ascii_case("available")
        })
        .collect();
    candidates.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
    let Some(endpoint) = candidates.first() else {
        return fail(format!(
            "{region} has no available bedrock-runtime interface endpoint"
        ));
    };
    let Some(names) = &endpoint.dns_names else {
        return fail(format!(
            "the DNS names of {} were not collected (a snapshot from an older version)",
            endpoint.endpoint_id
        ));
    };
    // The regional name is the endpoint id then the service; zonal names insert the zone.
    names
        .iter()
        .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
        .filter(|n| n.starts_with(&format!("{}-", endpoint.endpoint_id)) && n.ends_with(&suffix))
        .min_by_key(|n| n.len())
        .map_or_else(
            || fail(format!("{} lists no vpce DNS name", endpoint.endpoint_id)),
            Ok,
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot_with(names: Option<Vec<&str>>) -> Snapshot {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/ready.snapshot.json"
        ))
        .unwrap();
        let mut snapshot = crate::snapshot_file::parse_snapshot(
            &text,
            std::path::Path::new("ready.snapshot.json"),
        )
        .unwrap();
        let region = snapshot
            .regions
            .iter_mut()
            .find(|r| r.region == "us-east-1")
            .unwrap();
        if let crate::snapshot::Collected::Ok { data } = &mut region.vpc_endpoints {
            for endpoint in data.iter_mut() {
                endpoint.dns_names = names.as_ref().map(|n| {
                    n.iter()
                        .map(|s| s.replace("ID", &endpoint.endpoint_id))
                        .collect()
                });
            }
        }
        snapshot
    }

    #[test]
    fn the_base_url_is_the_endpoints_regional_name_never_the_public_one() {
        // DnsEntries as AWS returns them: regional, zonal, then the private DNS name.
        let snapshot = snapshot_with(Some(vec![
            "ID-abcdefgh-us-east-1a.bedrock-runtime.us-east-1.vpce.amazonaws.com",
            "ID-abcdefgh.bedrock-runtime.us-east-1.vpce.amazonaws.com",
            "bedrock-runtime.us-east-1.amazonaws.com",
        ]));
        let name = endpoint_dns_name(&snapshot, "us-east-1").unwrap();
        assert!(name.starts_with("vpce-"), "{name}");
        assert!(
            name.ends_with("-abcdefgh.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
            "{name}"
        );
        assert!(!name.contains("us-east-1a"), "{name}");
    }

    #[test]
    fn names_not_collected_refuse_instead_of_the_public_name() {
        let err = endpoint_dns_name(&snapshot_with(None), "us-east-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not collected"), "{err}");
        let err = endpoint_dns_name(
            &snapshot_with(Some(vec!["bedrock-runtime.us-east-1.amazonaws.com"])),
            "us-east-1",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lists no vpce DNS name"), "{err}");
    }

    #[test]
    fn the_primary_models_family_is_pinned() {
        assert_eq!(
            family_pins("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            [(
                "ANTHROPIC_DEFAULT_SONNET_MODEL",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
            )]
        );
        assert_eq!(
            family_pins("us.anthropic.claude-opus-4-7")[0].0,
            "ANTHROPIC_DEFAULT_OPUS_MODEL"
        );
        assert!(
            family_pins("arn:aws:bedrock:us-east-1:1:application-inference-profile/x").is_empty()
        );
    }
}
