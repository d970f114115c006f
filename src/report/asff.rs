//! `--format asff`: the AWS Security Finding Format, a JSON array ready for
//! `aws securityhub batch-import-findings --findings file://report.asff.json` (at most 100
//! findings per call: split larger arrays). The scanner never calls Security Hub itself: it
//! stays read-only, and importing is the user's decision.
//!
//! Every field ASFF requires is filled (`schemas/asff-required.schema.json` lists them):
//! - `ProductArn`: the account's own custom-integration product,
//!   `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`.
//! - `Id`: `bedrock-audit/<rule>/<SHA-256 of the finding's identity>`, stable across scans, so
//!   a re-import updates a finding instead of adding one. `GeneratorId`: `bedrock-audit/<rule>`.
//! - `Compliance.Status`: pass PASSED, fail FAILED, error and not_applicable NOT_AVAILABLE (with
//!   a `StatusReasons` entry saying which).
//! - `Severity.Label`: the rule's severity (INFORMATIONAL … CRITICAL); INFORMATIONAL for a
//!   PASSED finding, as Security Hub's own controls do.
//! - `Workflow.Status`: SUPPRESSED for a waived finding, else NEW.
//! - `Title`, `Description` and `Remediation.Recommendation.Text` are cut to ASFF's limits
//!   (256, 1,024 and 512 characters), ending with `…`.

use serde_json::{json, Value};

use super::ocsf::partition;
use super::Report;
use crate::finding::{Finding, Severity, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";
const TITLE_LIMIT: usize = 256;
const DESCRIPTION_LIMIT: usize = 1024;
const RECOMMENDATION_LIMIT: usize = 512;

/// Why this report cannot become Security Hub findings, if it cannot: ASFF requires
/// `AwsAccountId` to be the 12-digit account the finding belongs to and `CreatedAt` /
/// `UpdatedAt` to be ISO 8601 times (ASFF "Required top-level attributes"). An account the
/// scan could not identify (`unknown`) has no id to give, and a guessed one would file the
/// findings under somebody else's account.
pub fn check(report: &Report) -> Result<(), String> {
    for account in &report.scan.accounts {
        if !crate::account_list::is_account_id(account) {
            return Err(format!(
                "--format asff: account \"{}\" is not a 12-digit AWS account id (the scan could not identify it); Security Hub files every finding under its account id, so no ASFF is written: fix the sts:GetCallerIdentity read, or use another format",
                crate::untrusted_text::quoted(account, crate::untrusted_text::MESSAGE_QUOTE_LIMIT)
            ));
        }
    }
    for (what, time) in [
        ("started_at", &report.scan.started_at),
        ("finished_at", &report.scan.finished_at),
    ] {
        if chrono::DateTime::parse_from_rfc3339(time).is_err() {
            return Err(format!(
                "--format asff: the scan's {what} \"{}\" is not an RFC 3339 time, which ASFF requires",
                crate::untrusted_text::quoted(time, crate::untrusted_text::MESSAGE_QUOTE_LIMIT)
            ));
        }
    }
    Ok(())
}

pub fn render(report: &Report) -> String {
    let findings: Vec<Value> = report.findings.iter().map(|f| finding(report, f)).collect();
    let mut text = serde_json::to_string_pretty(&findings).unwrap_or_default();
    text.push('\n');
    text
}

fn finding(report: &Report, finding: &Finding) -> Value {
    let meta = crate::rules::meta(&finding.rule_id);
    let title = meta.map_or(finding.rule_id.to_string(), |m| m.title.clone());
    // ASFF needs a region for the product ARN; an account-wide finding takes the first
    // region scanned.
    let region = if finding.region == "global" {
        report
            .scan
            .regions
            .first()
            .map_or("us-east-1", String::as_str)
    } else {
        finding.region.as_str()
    };
    let partition = partition(&finding.resource);
    let account = &finding.account;
    let (compliance, reason) = match finding.status {
        Status::Pass => ("PASSED", None),
        Status::Fail => ("FAILED", None),
        Status::Error => (
            "NOT_AVAILABLE",
            Some((
                "BEDROCK_AUDIT_NOT_EVALUATED",
                "The check could not read what it judges (see Description)",
            )),
        ),
        Status::NotApplicable => (
            "NOT_AVAILABLE",
            Some((
                "BEDROCK_AUDIT_NOT_APPLICABLE",
                "The rollout profile makes this check not applicable",
            )),
        ),
    };
    let label = if finding.status == Status::Pass {
        "INFORMATIONAL"
    } else {
        severity_label(finding.severity)
    };
    let mut compliance = json!({ "Status": compliance });
    if let Some((code, description)) = reason {
        compliance["StatusReasons"] = json!([{ "ReasonCode": code, "Description": description }]);
    }
    let mut value = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": format!(
            "bedrock-audit/{}/{}",
            finding.rule_id,
            crate::digest::sha256_hex(finding.identity().as_bytes())
        ),
        "ProductArn": format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default"),
        "ProductName": report.tool.name,
        "CompanyName": report.tool.name,
        "GeneratorId": format!("bedrock-audit/{}", finding.rule_id),
        "AwsAccountId": account,
        "Region": region,
        "Types": [format!("Software and Configuration Checks/Industry and Regulatory Standards/{}", finding.rule_id)],
        "CreatedAt": report.scan.finished_at,
        "UpdatedAt": report.scan.finished_at,
        "Severity": { "Label": label, "Original": finding.severity.as_str() },
        "Title": cut(&title, TITLE_LIMIT),
        "Description": cut(&finding.message, DESCRIPTION_LIMIT),
        "Resources": [{
            "Type": resource_type(&finding.resource),
            "Id": finding.resource,
            "Partition": partition,
            "Region": region,
        }],
        "Compliance": compliance,
        "Remediation": {
            "Recommendation": {
                "Text": cut(&finding.remediation, RECOMMENDATION_LIMIT),
                "Url": meta
                    .and_then(|m| m.references.first().cloned())
                    .unwrap_or_else(|| "https://docs.aws.amazon.com/bedrock/latest/userguide/".into()),
            },
        },
        "Workflow": { "Status": if finding.waiver.is_some() { "SUPPRESSED" } else { "NEW" } },
        "RecordState": "ACTIVE",
        "ProductFields": {
            "bedrock-audit/RuleId": finding.rule_id,
            "bedrock-audit/Status": finding.status.as_str(),
            "bedrock-audit/EvidenceSources": finding
                .evidence
                .iter()
                .map(|e| e.source.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
        },
    });
    if let Some(waiver) = &finding.waiver {
        value["Note"] = json!({
            "Text": cut(&format!("Waived until {}: {}", waiver.expires, waiver.justification), 512),
            "UpdatedBy": cut(&waiver.owner, 512),
            "UpdatedAt": report.scan.finished_at,
        });
    }
    value
}

pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// ASFF's resource type for an ARN the scan reports on; `Other` for the rest.
fn resource_type(resource: &str) -> &'static str {
    let service_and_kind = resource.strip_prefix("arn:").and_then(|rest| {
        let mut parts = rest.splitn(5, ':');
        let service = parts.nth(1)?;
        let kind = parts.nth(2)?;
        Some((service, kind))
    });
    match service_and_kind {
        Some(("cloudtrail", kind)) if kind.starts_with("trail/") => "AwsCloudTrailTrail",
        Some(("kms", kind)) if kind.starts_with("key/") => "AwsKmsKey",
        Some(("iam", kind)) if kind.starts_with("role/") => "AwsIamRole",
        Some(("iam", kind)) if kind.starts_with("user/") => "AwsIamUser",
        Some(("s3", _)) => "AwsS3Bucket",
        // Log groups, VPC endpoints and Bedrock resources have no ASFF type of their own.
        _ => "Other",
    }
}

/// At most `limit` characters, ending with `…` when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(limit - 1).collect();
    kept.push('…');
    kept
}
