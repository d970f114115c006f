//! What a rule says about one resource: a verdict with the evidence behind it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// The data the rule needs could not be read (or the rule itself failed): never a pass.
    Error,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// Snapshot values a verdict was based on, and the API operation they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// `service:Operation`, e.g. `cloudtrail:GetTrailStatus`, or `profile` for values taken
    /// from the rollout profile.
    pub source: String,
    pub region: Option<String>,
    /// Field name → value as judged (`null` for an absent field).
    pub values: serde_json::Map<String, serde_json::Value>,
}

impl Evidence {
    pub fn new(source: impl Into<String>, region: Option<&str>) -> Self {
        Evidence {
            source: source.into(),
            region: region.map(str::to_string),
            values: serde_json::Map::new(),
        }
    }

    pub fn with(mut self, field: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.values.insert(field.to_string(), value);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule_id: String,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    /// The AWS region, or `global` for account-wide checks.
    pub region: String,
    /// An ARN where the resource has one, else a stable name (`model-role/primary`, …).
    pub resource: String,
    pub message: String,
    pub remediation: String,
    pub evidence: Vec<Evidence>,
    /// Set when an unexpired waiver covers this failing or error finding: it is reported as
    /// `waived` and does not fail the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Set when the run was compared with `--baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Change>,
}

impl Finding {
    /// The identity a finding keeps across scans: baselines and SARIF fingerprints use it.
    /// The status a person should see: `waived` for a waived finding, else the verdict.
    pub fn display_status(&self) -> &'static str {
        if self.waiver.is_some() {
            "waived"
        } else {
            self.status.as_str()
        }
    }

    pub fn identity(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.rule_id, self.account, self.region, self.resource
        )
    }
}

/// A plain log-retention finding for unit tests of the judgements made after the rules
/// (waivers, baselines).
#[cfg(test)]
pub(crate) fn sample(status: Status, resource: &str) -> Finding {
    Finding {
        rule_id: "log-retention-set".into(),
        status,
        severity: Severity::Medium,
        account: "111122223333".into(),
        region: "us-east-1".into(),
        resource: resource.into(),
        message: "observed".into(),
        remediation: "fix".into(),
        evidence: Vec::new(),
        waiver: None,
        baseline: None,
    }
}

/// What a waived finding carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedWaiver {
    pub justification: String,
    pub owner: String,
    pub expires: chrono::NaiveDate,
    pub declared_in: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing or error now, and was not in the baseline.
    New,
    /// Same verdict class as in the baseline.
    Unchanged,
    /// Failing or error in the baseline, passing (or gone) now.
    Fixed,
}
