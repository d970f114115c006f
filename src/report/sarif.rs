//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).
//!
//! # What is emitted
//!
//! - `runs[0].tool.driver.rules`: every rule of the registry, whether or not it produced a
//!   finding (plus a minimal descriptor for any finding whose rule the registry lacks), so
//!   `ruleIndex` always points into this array.
//! - `results`: one per `fail` and one per `error` finding. `pass` and `not_applicable`
//!   findings are not emitted: GitHub shows every result it receives as an alert, and a result
//!   that disappears from the next upload closes its alert, which is what a fixed finding should
//!   do. Their counts stay in `runs[0].properties.summary`.
//! - `level`: from the finding's severity, critical/high → `error`, medium → `warning`,
//!   low/info → `note`. An `error` finding (the data could not be read) gets the same level a
//!   failure of that severity would, because an unread check is not a pass (fail closed); its
//!   message starts with `[not evaluated]` and says what could not be read.
//! - `partialFingerprints["bedrockAuditFindingId/v1"]`: SHA-256 (hex) of
//!   [`Finding::identity`] (`rule|account|region|resource`). It never includes the message,
//!   evidence or timestamps, so an alert keeps its identity across scans.
//!
//! # Location convention
//!
//! Cloud resources have no source file, but GitHub requires a physical location. Each result
//! gets one, relative to the uriBaseId `AWSACCOUNT` (declared in `originalUriBaseIds`, with no
//! uri because it is not a file-system location):
//!
//! ```text
//! aws/<account>/<region>/<service>/<resource-name>
//! ```
//!
//! - `<region>` is the finding's region, or `global` for account-wide checks.
//! - For an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`), `<service>` is
//!   the ARN's service and `<resource-name>` its resource part; for a name that is not an ARN
//!   (`model-role/primary`), `<service>` is `named` and `<resource-name>` the whole name.
//! - Each segment is sanitised: every character outside `A-Z a-z 0-9 . _ -` becomes `_`
//!   (an empty segment becomes `_`), so e.g. `log-group:/aws/bedrock:*` becomes
//!   `log-group__aws_bedrock__`.
//! - `region.startLine` is always 1.
//!
//! The exact resource (its full ARN or name) is in `locations[0].logicalLocations[0]`
//! (`fullyQualifiedName`, `kind: "resource"`) and in `properties.resource`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::Report;
use crate::finding::{Finding, Severity, Status};
use crate::rules::RuleMeta;

pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The project's home page, used as `informationUri` and as the fallback `helpUri`.
pub const INFORMATION_URI: &str = "https://github.com/bedrock-audit/bedrock-audit";
/// The key of the fingerprint in `partialFingerprints`; bump the version if its input changes.
pub const FINGERPRINT_KEY: &str = "bedrockAuditFindingId/v1";
pub const URI_BASE_ID: &str = "AWSACCOUNT";

pub fn render(report: &Report) -> String {
    render_with_rules(report, crate::rules::all_metadata())
}

/// Renders against an explicit rule catalogue; `render` passes the registry's.
pub fn render_with_rules(report: &Report, rules: &[RuleMeta]) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(report, rules)).unwrap_or_default();
    text.push('\n');
    text
}

pub fn to_value(report: &Report, rules: &[RuleMeta]) -> Value {
    let mut descriptors: Vec<Value> = rules.iter().map(rule_descriptor).collect();
    let mut rule_ids: Vec<String> = rules.iter().map(|m| m.id.clone()).collect();
    let mut results = Vec::new();
    for finding in &report.findings {
        if !matches!(finding.status, Status::Fail | Status::Error) {
            continue;
        }
        let index = match rule_ids.iter().position(|id| *id == finding.rule_id) {
            Some(index) => index,
            None => {
                descriptors.push(unknown_rule_descriptor(finding));
                rule_ids.push(finding.rule_id.to_string());
                rule_ids.len() - 1
            }
        };
        results.push(result(finding, index));
    }

    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(true));
    if let Some(start) = utc_timestamp(&report.scan.started_at) {
        invocation.insert("startTimeUtc".into(), json!(start));
    }
    if let Some(end) = utc_timestamp(&report.scan.finished_at) {
        invocation.insert("endTimeUtc".into(), json!(end));
    }

    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": descriptors,
                    "properties": { "rulesVersion": report.tool.rules_version },
                }
            },
            "originalUriBaseIds": {
                URI_BASE_ID: {
                    "description": {
                        "text": "Resources of the scanned AWS account(s): aws/<account>/<region>/<service>/<resource-name>."
                    }
                }
            },
            "invocations": [Value::Object(invocation)],
            "results": results,
            "properties": {
                "reportSchemaVersion": report.schema_version,
                "accounts": report.scan.accounts,
                "regions": report.scan.regions,
                "source": report.scan.source,
                "summary": report.summary,
            },
        }]
    })
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let rationale = one_paragraph(&meta.rationale);
    let remediation = one_paragraph(&meta.remediation);
    let cli = meta.remediation_cli.trim();
    let mut text = format!("{rationale}\n\nRemediation: {remediation}\n\n{cli}\n");
    let mut markdown = format!(
        "**Why it matters**\n\n{rationale}\n\n**Remediation**\n\n{remediation}\n\n```sh\n{cli}\n```\n"
    );
    if !meta.references.is_empty() {
        text.push_str("\nReferences:\n");
        markdown.push_str("\n**References**\n\n");
        for reference in &meta.references {
            text.push_str(&format!("- {reference}\n"));
            markdown.push_str(&format!("- <{reference}>\n"));
        }
    }
    let help_uri = meta
        .references
        .first()
        .cloned()
        .unwrap_or_else(|| INFORMATION_URI.to_string());
    json!({
        "id": meta.id,
        "name": pascal_case(&meta.id),
        "shortDescription": { "text": sentence(&meta.title) },
        "fullDescription": { "text": sentence(&rationale) },
        "help": { "text": text, "markdown": markdown },
        "helpUri": help_uri,
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "security-severity": security_severity(meta.severity),
            "tags": ["security", "aws", "bedrock", "claude-code"],
            "precision": "high",
        },
    })
}

/// For a finding whose rule this build does not know (a report made by another version).
fn unknown_rule_descriptor(finding: &Finding) -> Value {
    json!({
        "id": finding.rule_id,
        "name": pascal_case(&finding.rule_id),
        "shortDescription": { "text": format!("Rule {} (not in this version's registry).", finding.rule_id) },
        "helpUri": INFORMATION_URI,
        "defaultConfiguration": { "level": level(finding.severity) },
        "properties": {
            "security-severity": security_severity(finding.severity),
            "tags": ["security", "aws", "bedrock"],
        },
    })
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let message = match finding.status {
        Status::Error => format!("[not evaluated] {}", sentence(&finding.message)),
        _ => sentence(&finding.message),
    };
    let mut result = json!({
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": location_uri(finding),
                    "uriBaseId": URI_BASE_ID,
                },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": resource_name(&finding.resource),
                "fullyQualifiedName": finding.resource,
                "kind": "resource",
            }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(finding) },
        "properties": {
            "status": finding.status,
            "severity": finding.severity,
            "account": finding.account,
            "region": finding.region,
            "resource": finding.resource,
            "remediation": finding.remediation,
            "evidence": finding.evidence,
        },
    });
    if let Some(change) = finding.baseline {
        result["properties"]["baseline"] = json!(change);
    }
    // A waived finding stays a result (GitHub shows it as dismissed) with the waiver as an
    // accepted external suppression, so the justification travels with the log.
    if let Some(waiver) = &finding.waiver {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!(
                "{} (owner {}, expires {}, {})",
                waiver.justification, waiver.owner, waiver.expires, waiver.declared_in
            ),
        }]);
    }
    result
}

/// SHA-256 (hex) of the finding's identity: stable across scans, messages and timestamps.
pub fn fingerprint(finding: &Finding) -> String {
    crate::digest::sha256_hex(finding.identity().as_bytes())
}

/// `aws/<account>/<region>/<service>/<resource-name>`; see the module documentation.
pub fn location_uri(finding: &Finding) -> String {
    let (service, name) = match parse_arn(&finding.resource) {
        Some(arn) => (arn.service, arn.resource),
        None => ("named", finding.resource.as_str()),
    };
    format!(
        "aws/{}/{}/{}/{}",
        sanitise(&finding.account),
        sanitise(&finding.region),
        sanitise(service),
        sanitise(name)
    )
}

struct Arn<'a> {
    service: &'a str,
    resource: &'a str,
}

fn parse_arn(text: &str) -> Option<Arn<'_>> {
    let mut parts = text.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let _account = parts.next()?;
    let resource = parts.next()?;
    (!service.is_empty()).then_some(Arn { service, resource })
}

/// An ARN's resource part (`log-group:/aws/bedrock:*`, `trail/main`) or the whole name, for
/// `logicalLocations[].name`. Splitting further would be guesswork: resource ids may contain
/// `:` and `/` themselves (`foundation-model/anthropic.claude-…-v1:0`).
fn resource_name(resource: &str) -> &str {
    parse_arn(resource).map_or(resource, |arn| arn.resource)
}

fn sanitise(segment: &str) -> String {
    let cleaned: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // "." and ".." would be read as path navigation.
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "_".into()
    } else {
        cleaned
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`: a number as a string, mapped onto its bands
/// (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// RFC 3339 in UTC, or `None` for a timestamp that is not one (then it is left out rather
/// than emitted invalid).
fn utc_timestamp(text: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| {
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true)
    })
}

fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Text collapsed to one paragraph (TOML metadata is hard-wrapped).
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// SARIF asks messages to be complete sentences ending with a period.
fn sentence(text: &str) -> String {
    let text = one_paragraph(text);
    if text.ends_with(['.', '!', '?']) {
        text
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(resource: &str, region: &str) -> Finding {
        Finding {
            rule_id: "log-retention-set".into(),
            status: Status::Fail,
            severity: Severity::Medium,
            account: "111122223333".into(),
            region: region.into(),
            resource: resource.into(),
            message: "m".into(),
            remediation: "r".into(),
            evidence: vec![],
            waiver: None,
            baseline: None,
        }
    }

    #[test]
    fn location_uri_follows_the_documented_convention() {
        assert_eq!(
            location_uri(&finding(
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock:*",
                "us-east-1"
            )),
            "aws/111122223333/us-east-1/logs/log-group__aws_bedrock__"
        );
        assert_eq!(
            location_uri(&finding("model-role/primary", "global")),
            "aws/111122223333/global/named/model-role_primary"
        );
        assert_eq!(
            location_uri(&finding("..", "global")),
            "aws/111122223333/global/named/_"
        );
    }

    #[test]
    fn resource_name_is_the_arn_resource_part() {
        assert_eq!(
            resource_name("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v1:0"),
            "foundation-model/anthropic.claude-v1:0"
        );
        assert_eq!(resource_name("rule"), "rule");
    }

    #[test]
    fn pascal_case_of_rule_ids() {
        assert_eq!(pascal_case("bedrock-model-access"), "BedrockModelAccess");
    }
}
