//! Baselines: compare this run with an earlier JSON report so a CI gate fails only on
//! regressions. Findings are matched by their stable identity (rule, account, region,
//! resource), never by message text, which may change between versions.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
pub use crate::finding::Change;
use crate::finding::{Finding, Status};
pub use crate::report_data::BaselineInfo;
use crate::report_data::{Report, REPORT_SCHEMA_VERSION, TOOL_NAME};

/// A previous report, checked to be one this version can read.
pub struct Baseline {
    pub path: String,
    pub report: Report,
}

impl Report {
    /// Marks each finding new / unchanged / fixed against an earlier report.
    pub fn compare_with(&mut self, baseline: &Baseline) {
        self.baseline = Some(compare(&mut self.findings, baseline));
        self.recount();
    }
}

pub fn load(path: &Path) -> Result<Baseline> {
    let text = crate::input_file::read_text(
        path,
        crate::input_file::InputKind::Baseline,
        crate::input_file::Named::Explicitly,
    )?;
    #[derive(Deserialize)]
    struct Header {
        schema_version: Option<serde_json::Value>,
        tool: Option<HeaderTool>,
    }
    #[derive(Deserialize)]
    struct HeaderTool {
        name: Option<String>,
    }
    let header: Header = serde_json::from_str(&text).map_err(|e| {
        Error::input_file(
            path,
            format!("not a bedrock-audit JSON report (invalid JSON: {e})"),
        )
    })?;
    let tool = header.tool.and_then(|t| t.name);
    if tool.as_deref() != Some(TOOL_NAME) {
        return Err(Error::input_file(
            path,
            format!(
                "not a bedrock-audit JSON report (tool.name is {}); a baseline is the output of `--format json`",
                tool.map_or("missing".into(), |t| format!("{t:?}"))
            ),
        ));
    }
    match header.schema_version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(REPORT_SCHEMA_VERSION) => {}
        other => {
            return Err(Error::input_file(
                path,
                format!(
                    "baseline report schema_version {} cannot be compared by this bedrock-audit (it reads version {REPORT_SCHEMA_VERSION}); produce a new baseline with this version",
                    other.map_or("missing".into(), |v| v.to_string())
                ),
            ))
        }
    }
    let report: Report = serde_json::from_str(&text)
        .map_err(|e| Error::input_file(path, format!("invalid baseline report: {e}")))?;
    Ok(Baseline {
        path: path.display().to_string(),
        report,
    })
}

fn is_problem(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Error)
}

/// Marks every finding `new`, `unchanged` or `fixed` against the baseline and returns what
/// the report says about it.
pub fn compare(findings: &mut [Finding], baseline: &Baseline) -> BaselineInfo {
    let before: HashMap<String, &Finding> = baseline
        .report
        .findings
        .iter()
        .map(|f| (f.identity(), f))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for finding in findings.iter_mut() {
        let identity = finding.identity();
        let was_problem = before.get(&identity).is_some_and(|f| is_problem(f.status));
        finding.baseline = Some(match (was_problem, is_problem(finding.status)) {
            (false, true) => Change::New,
            (true, false) => Change::Fixed,
            _ => Change::Unchanged,
        });
        seen.insert(identity);
    }
    let fixed = baseline
        .report
        .findings
        .iter()
        .filter(|f| is_problem(f.status) && !seen.contains(&f.identity()))
        .cloned()
        .map(|mut f| {
            f.baseline = Some(Change::Fixed);
            f.waiver = None;
            f
        })
        .collect();
    BaselineInfo {
        path: baseline.path.clone(),
        tool_version: baseline.report.tool.version.clone(),
        started_at: baseline.report.scan.started_at.clone(),
        fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ScanInfo;

    fn finding(status: Status, resource: &str) -> Finding {
        crate::finding::sample(status, resource)
    }

    fn baseline(findings: Vec<Finding>) -> Baseline {
        let snapshot = crate::snapshot_file::parse_snapshot(
            include_str!("../fixtures/demo.snapshot.json"),
            std::path::Path::new("demo.snapshot.json"),
        )
        .expect("the demo snapshot parses");
        let scan =
            ScanInfo::from_snapshot(&snapshot, &crate::profile::Profile::default(), "baseline");
        Baseline {
            path: "before.json".into(),
            report: Report::new(scan, findings),
        }
    }

    #[test]
    fn compare_marks_new_fixed_and_unchanged_problems() {
        let before = baseline(vec![
            finding(Status::Fail, "/still-failing"),
            finding(Status::Error, "/now-passing"),
            finding(Status::Pass, "/now-failing"),
            finding(Status::Fail, "/gone"),
            finding(Status::Pass, "/gone-passing"),
        ]);
        let mut now = vec![
            finding(Status::Fail, "/still-failing"),
            finding(Status::Pass, "/now-passing"),
            finding(Status::Fail, "/now-failing"),
            finding(Status::Error, "/brand-new"),
            finding(Status::Pass, "/brand-new-pass"),
        ];
        let info = compare(&mut now, &before);
        let changes: Vec<Option<Change>> = now.iter().map(|f| f.baseline).collect();
        assert_eq!(
            changes,
            [
                Some(Change::Unchanged),
                Some(Change::Fixed),
                Some(Change::New),
                Some(Change::New),
                Some(Change::Unchanged),
            ]
        );
        // A problem that disappeared from the scan is reported as fixed; a vanished pass is not.
        let fixed: Vec<&str> = info.fixed.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(fixed, ["/gone"]);
        assert_eq!(info.fixed[0].baseline, Some(Change::Fixed));
        assert_eq!(info.path, "before.json");
    }
}
