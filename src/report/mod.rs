//! The finished report and its output formats. Every emitter is a pure function of [`Report`].

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Status};
use crate::profile::Profile;
use crate::snapshot::Snapshot;

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

/// Bumped whenever the JSON report's shape changes incompatibly.
pub const REPORT_SCHEMA_VERSION: u32 = 1;
pub const TOOL_NAME: &str = "bedrock-audit";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Every waiver that was in force for this run, with its state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<crate::waivers::WaiverReport>,
    /// Present when the run was compared with `--baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    /// Digest over every rule's metadata: changes whenever a rule's text or severity does.
    pub rules_version: String,
}

impl ToolInfo {
    pub fn current() -> Self {
        let all: String = crate::rules::REGISTRY
            .iter()
            .map(|r| format!("{}={}\n", r.id, r.metadata_digest()))
            .collect();
        ToolInfo {
            name: TOOL_NAME.into(),
            version: TOOL_VERSION.into(),
            rules_version: crate::digest::sha256_hex(all.as_bytes())[..16].to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanInfo {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub started_at: String,
    pub finished_at: String,
    /// `scan`, `snapshot` or `demo`.
    pub source: String,
}

impl ScanInfo {
    pub fn from_snapshot(snapshot: &Snapshot, profile: &Profile, source: &str) -> Self {
        ScanInfo {
            accounts: vec![snapshot.account_label()],
            regions: profile.rollout.regions.clone(),
            started_at: snapshot.started_at.clone(),
            finished_at: snapshot.finished_at.clone(),
            source: source.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub pass: usize,
    /// Failing findings, not counting waived ones.
    pub fail: usize,
    /// Findings whose data could not be read, not counting waived ones.
    pub error: usize,
    pub not_applicable: usize,
    /// Failing or error findings covered by an unexpired waiver.
    #[serde(default)]
    pub waived: usize,
    /// With `--baseline`: failing or error findings (not waived) that were not failing before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
}

impl Summary {
    /// Whether no check was judged: nothing passed, failed, errored or was waived (every
    /// finding, if any, was not applicable). Nothing evaluated is not a pass.
    pub fn judged_nothing(&self) -> bool {
        self.pass + self.fail + self.error + self.waived == 0
    }

    pub fn of(findings: &[Finding]) -> Self {
        let mut summary = Summary::default();
        for f in findings {
            if f.waiver.is_some() {
                summary.waived += 1;
                continue;
            }
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Error => summary.error += 1,
                Status::NotApplicable => summary.not_applicable += 1,
            }
        }
        if findings.iter().any(|f| f.baseline.is_some()) {
            summary.new = Some(
                findings
                    .iter()
                    .filter(|f| {
                        f.baseline == Some(crate::baseline::Change::New) && f.waiver.is_none()
                    })
                    .count(),
            );
        }
        summary
    }
}

impl Report {
    pub fn new(scan: ScanInfo, findings: Vec<Finding>) -> Self {
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: ToolInfo::current(),
            scan,
            summary: Summary::of(&findings),
            findings,
            waivers: Vec::new(),
            baseline: None,
        }
    }

    /// Marks waived findings and records every waiver's state; `today` decides expiry.
    pub fn apply_waivers(&mut self, waivers: &[crate::waivers::Waiver], today: chrono::NaiveDate) {
        self.waivers = crate::waivers::apply(&mut self.findings, waivers, today);
        self.summary = Summary::of(&self.findings);
    }

    /// Marks each finding new / unchanged / fixed against an earlier report.
    pub fn compare_with(&mut self, baseline: &crate::baseline::Baseline) {
        self.baseline = Some(crate::baseline::compare(&mut self.findings, baseline));
        self.summary = Summary::of(&self.findings);
    }
}

/// The one-word answer a report gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every finding passed, did not apply, or is covered by an unexpired waiver.
    Ready,
    /// At least one check failed.
    NotReady,
    /// Nothing failed, but something could not be judged (or nothing was judged at all, every
    /// finding being not applicable): fail closed rather than call the account ready.
    Incomplete,
}

impl Verdict {
    pub fn of(summary: &Summary) -> Verdict {
        if summary.fail > 0 {
            Verdict::NotReady
        } else if summary.error > 0 || summary.judged_nothing() {
            Verdict::Incomplete
        } else {
            Verdict::Ready
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "READY",
            Verdict::NotReady => "NOT READY",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
}

impl Format {
    /// The file `--output-dir` writes this format to.
    pub fn file_name(self) -> String {
        format!("report.{}", self.file_extension())
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

/// Writes a report to `out`: JSON is streamed, the other formats rendered first.
pub fn write(
    report: &Report,
    format: Format,
    table: &table::TableOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        other => out.write_all(render_with(report, other, table).as_bytes()),
    }
}

/// Renders a report; `color` only matters for the table, which gets its default layout.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    render_with(
        report,
        format,
        &table::TableOptions {
            color,
            ..table::TableOptions::default()
        },
    )
}

/// Renders a report; the options only matter for the table.
pub fn render_with(report: &Report, format: Format, table: &table::TableOptions) -> String {
    match format {
        Format::Table => table::render(report, table),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
    }
}
