//! `--format ocsf`: Open Cybersecurity Schema Framework (OCSF 1.5.0) events, one **Compliance
//! Finding** (class_uid 2003, category Findings) per finding, as a JSON array, for Security
//! Lake, SIEMs and any OCSF consumer.
//!
//! Why Compliance Finding and not Detection Finding (2004): every finding is the result of
//! evaluating a resource against a control (a readiness rule), passing or failing, which is
//! what 2003 models (`compliance.control`, `compliance.status_id` Pass / Fail). Detection
//! Finding describes a detected threat or anomaly, and has no place for a passing check.
//!
//! Mapping:
//! - `severity_id`: info 1, low 2, medium 3, high 4, critical 5.
//! - `compliance.status_id`: pass 1 (Pass), fail 3 (Fail), error 0 (Unknown, with
//!   `compliance.status` "Error": the check could not be made), not_applicable 99 (Other,
//!   "Not applicable").
//! - `status_id` (the finding's workflow state): 3 Suppressed for a waived finding, else 1 New.
//! - `finding_info.uid`: SHA-256 of the finding's identity (rule, account, region, resource),
//!   stable across scans; `finding_info.types` and `compliance.control` hold the rule id,
//!   `metadata.product` names the tool.
//! - `cloud` (provider AWS, account, region) and `resources[0]` (the ARN or name); the
//!   remediation in `remediation`; each evidence item in `evidences[]` (`name` is the API
//!   operation it came from, `data` the values judged).

use chrono::DateTime;
use serde_json::{json, Value};

use super::Report;
use crate::finding::{Finding, Severity, Status};

pub const OCSF_VERSION: &str = "1.5.0";
pub const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
/// Activity "Create": each event reports a finding as found by this run.
const ACTIVITY_ID: u32 = 1;

pub fn render(report: &Report) -> String {
    let events: Vec<Value> = report.findings.iter().map(|f| event(report, f)).collect();
    let mut text = serde_json::to_string_pretty(&events).unwrap_or_default();
    text.push('\n');
    text
}

pub fn severity_id(severity: Severity) -> u32 {
    match severity {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

/// `(compliance.status_id, compliance.status)`.
pub fn compliance_status(status: Status) -> (u32, &'static str) {
    match status {
        Status::Pass => (1, "Pass"),
        Status::Fail => (3, "Fail"),
        Status::Error => (0, "Error"),
        Status::NotApplicable => (99, "Not applicable"),
    }
}

fn event(report: &Report, finding: &Finding) -> Value {
    let meta = crate::rules::meta(&finding.rule_id);
    let title = meta.map_or(finding.rule_id.as_ref(), |m| m.title.as_str());
    let time = DateTime::parse_from_rfc3339(&report.scan.finished_at)
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let (compliance_status_id, compliance_status_name) = compliance_status(finding.status);
    let (status_id, status) = if finding.waiver.is_some() {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let region = (finding.region != "global").then_some(finding.region.as_str());
    let evidences: Vec<Value> = finding
        .evidence
        .iter()
        .map(|e| {
            json!({
                "name": e.source,
                "data": {
                    "region": e.region,
                    "values": e.values,
                },
            })
        })
        .collect();
    let mut event = json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": severity_id(finding.severity),
        "severity": finding.severity.as_str(),
        "status_id": status_id,
        "status": status,
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": report.tool.name,
                "vendor_name": report.tool.name,
                "version": report.tool.version,
                "uid": report.tool.rules_version,
            },
        },
        "finding_info": {
            "uid": crate::digest::sha256_hex(finding.identity().as_bytes()),
            "title": title,
            "desc": finding.message,
            "types": [finding.rule_id],
        },
        "compliance": {
            "control": finding.rule_id,
            "standards": ["bedrock-audit Claude Code on Amazon Bedrock readiness"],
            "status_id": compliance_status_id,
            "status": compliance_status_name,
        },
        "cloud": {
            "provider": "AWS",
            "account": { "uid": finding.account, "type_id": 10, "type": "AWS Account" },
            "region": region,
        },
        "resources": [{
            "uid": finding.resource,
            "region": region,
            "cloud_partition": partition(&finding.resource),
        }],
        "remediation": {
            "desc": finding.remediation,
            "references": meta.map(|m| m.references.clone()).unwrap_or_default(),
        },
        "evidences": evidences,
        "unmapped": {
            "rule_id": finding.rule_id,
            "finding_status": finding.status.as_str(),
        },
    });
    if let Some(waiver) = &finding.waiver {
        event["unmapped"]["waiver"] = json!(waiver);
    }
    if let Some(change) = finding.baseline {
        event["unmapped"]["baseline"] = json!(change);
    }
    event
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), or `aws` for a plain name.
pub fn partition(resource: &str) -> &str {
    resource
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}
