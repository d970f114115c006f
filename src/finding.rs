//! What a rule says about one resource: a verdict with the evidence behind it.

use std::borrow::Cow;
use std::sync::Arc;

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
    /// from the rollout profile. Almost always a constant, so borrowed rather than copied into
    /// each of a large report's findings.
    pub source: Cow<'static, str>,
    pub region: Option<String>,
    /// Field name → value as judged (`null` for an absent field).
    pub values: EvidenceValues,
}

impl Evidence {
    pub fn new(source: impl Into<Cow<'static, str>>, region: Option<&str>) -> Self {
        Evidence {
            source: source.into(),
            region: region.map(str::to_string),
            values: EvidenceValues::default(),
        }
    }

    pub fn with(mut self, field: impl Into<Cow<'static, str>>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.values.insert(field, value);
        self
    }
}

/// An evidence record's fields, sorted by name, serialised as a JSON object. A sorted vector
/// rather than a map: a report holds thousands of findings with a few fields each, and a
/// B-tree allocates a node of eleven slots for the first field (BENCHMARKS.md, Where the
/// memory goes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceValues(Vec<(Cow<'static, str>, serde_json::Value)>);

/// What indexing a field that is not there gives, as indexing a JSON object does.
static ABSENT: serde_json::Value = serde_json::Value::Null;

impl EvidenceValues {
    /// Sets `field`, replacing an earlier value of it.
    pub fn insert(&mut self, field: impl Into<Cow<'static, str>>, value: serde_json::Value) {
        let field = field.into();
        match self
            .0
            .binary_search_by(|(name, _)| name.as_ref().cmp(field.as_ref()))
        {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (field, value)),
        }
    }

    pub fn get(&self, field: &str) -> Option<&serde_json::Value> {
        self.0
            .binary_search_by(|(name, _)| name.as_ref().cmp(field))
            .ok()
            .map(|at| &self.0[at].1)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The fields in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(name, value)| (name.as_ref(), value))
    }
}

impl std::ops::Index<&str> for EvidenceValues {
    type Output = serde_json::Value;

    fn index(&self, field: &str) -> &serde_json::Value {
        self.get(field).unwrap_or(&ABSENT)
    }
}

impl<'a> IntoIterator for &'a EvidenceValues {
    type Item = (&'a str, &'a serde_json::Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Cow<'static, str>, serde_json::Value)>,
        fn(&'a (Cow<'static, str>, serde_json::Value)) -> (&'a str, &'a serde_json::Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(name, value)| (name.as_ref(), value))
    }
}

impl Serialize for EvidenceValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for EvidenceValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A JSON object's names are unique once parsed; sorted here whatever order the map
        // keeps (serde_json's `preserve_order` feature keeps the file's).
        let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let mut fields: Vec<(Cow<'static, str>, serde_json::Value)> = object
            .into_iter()
            .map(|(name, value)| (Cow::Owned(name), value))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(EvidenceValues(fields))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Borrowed from the rule registry for findings the rules make.
    pub rule_id: Cow<'static, str>,
    pub status: Status,
    pub severity: Severity,
    pub account: String,
    /// The AWS region, or `global` for account-wide checks.
    pub region: String,
    /// An ARN where the resource has one, else a stable name (`model-role/primary`, …).
    pub resource: String,
    pub message: String,
    /// Shared: a rule gives most of its findings the same advice, and a report of many accounts
    /// holds tens of thousands of findings.
    pub remediation: Arc<str>,
    pub evidence: Vec<Evidence>,
    /// Set when an unexpired waiver covers this failing or error finding: it is reported as
    /// `waived` and does not fail the run. Boxed: few findings have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<AppliedWaiver>>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evidence_values_stay_sorted_and_read_like_a_json_object() {
        let evidence = Evidence::new("logs:DescribeLogGroups", Some("us-east-1"))
            .with("retentionInDays", 90)
            .with("arn", "arn:aws:logs:us-east-1:111122223333:log-group:a")
            .with("kmsKeyId", serde_json::Value::Null)
            .with("retentionInDays", 30);
        let names: Vec<&str> = evidence.values.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["arn", "kmsKeyId", "retentionInDays"]);
        assert_eq!(
            evidence.values["retentionInDays"], 30,
            "the later value wins"
        );
        assert_eq!(evidence.values["missing"], serde_json::Value::Null);
        assert!(evidence.values.contains_key("kmsKeyId"));
        assert!(!evidence.values.contains_key("missing"));
        assert_eq!(evidence.values.len(), 3);
        let text = serde_json::to_string(&evidence.values).expect("serialises");
        assert_eq!(
            text,
            r#"{"arn":"arn:aws:logs:us-east-1:111122223333:log-group:a","kmsKeyId":null,"retentionInDays":30}"#
        );
        // Read back from an object in any order, it is sorted again.
        let back: EvidenceValues =
            serde_json::from_value(json!({"z": 1, "a": [2], "m": {"k": true}})).expect("parses");
        let names: Vec<&str> = back.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "m", "z"]);
        assert_eq!(back.get("m"), Some(&json!({"k": true})));
        assert!(serde_json::from_value::<EvidenceValues>(json!([1])).is_err());
    }
}
