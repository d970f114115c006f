//! Evidence bundles: everything an auditor needs to check a scan later, with digests.
//!
//! `scan --evidence DIR` writes the snapshot, the effective profile, the JSON and HTML reports
//! and a manifest holding the SHA-256 of each, the tool version and each rule's metadata
//! digest. `verify DIR` checks every digest and re-evaluates the saved snapshot with the saved
//! profile to see whether the findings reproduce. The manifest proves integrity, not origin:
//! keep its own digest (printed when the bundle is written) somewhere the bundle is not.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;
use crate::engine::{self, RuleSelection};
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::profile::Profile;
use crate::report::{Format, Report, ToolInfo};
use crate::snapshot::Snapshot;

pub const MANIFEST: &str = "manifest.json";
pub const SNAPSHOT: &str = "snapshot.json";
pub const PROFILE: &str = "profile.json";
pub const REPORT_JSON: &str = "report.json";
pub const REPORT_HTML: &str = "report.html";
const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    pub tool: ToolInfo,
    pub started_at: String,
    pub finished_at: String,
    pub rules: Vec<RuleDigest>,
    /// File name → SHA-256 (hex) of its bytes.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDigest {
    pub id: String,
    pub metadata_sha256: String,
}

fn current_rule_digests() -> Vec<RuleDigest> {
    crate::rules::REGISTRY
        .iter()
        .map(|r| RuleDigest {
            id: r.id.to_string(),
            metadata_sha256: r.metadata_digest(),
        })
        .collect()
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Io(format!("cannot serialise evidence: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes the bundle; returns the manifest's own SHA-256 for the operator to record.
pub fn write_bundle(
    dir: &Path,
    snapshot: &Snapshot,
    profile: &Profile,
    report: &Report,
) -> Result<String> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (SNAPSHOT, to_json(snapshot)?),
        (PROFILE, to_json(profile)?),
        (
            REPORT_JSON,
            crate::report::render(report, Format::Json, false).into_bytes(),
        ),
        (
            REPORT_HTML,
            crate::report::render(report, Format::Html, false).into_bytes(),
        ),
    ];
    let mut digests = BTreeMap::new();
    for (name, bytes) in &files {
        crate::app::write_file_atomically(&dir.join(name), bytes)?;
        digests.insert(name.to_string(), sha256_hex(bytes));
    }
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: report.tool.clone(),
        started_at: report.scan.started_at.clone(),
        finished_at: report.scan.finished_at.clone(),
        rules: current_rule_digests(),
        files: digests,
    };
    let bytes = to_json(&manifest)?;
    crate::app::write_file_atomically(&dir.join(MANIFEST), &bytes)?;
    Ok(sha256_hex(&bytes))
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    /// One line per problem with a file: missing, tampered, unreadable.
    pub file_problems: Vec<String>,
    /// Rules whose metadata differs from this binary's (informational).
    pub rule_changes: Vec<String>,
    /// Differences between the saved findings and a fresh evaluation.
    pub finding_differences: Vec<String>,
    pub manifest: Option<Manifest>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.file_problems.is_empty()
    }

    pub fn reproduces(&self) -> bool {
        self.intact() && self.finding_differences.is_empty()
    }

    pub fn render(&self, dir: &Path) -> String {
        let mut out = String::new();
        if let Some(m) = &self.manifest {
            out.push_str(&format!(
                "Bundle {} — {} {} (rules {}), scan {} → {}\n",
                dir.display(),
                m.tool.name,
                m.tool.version,
                m.tool.rules_version,
                m.started_at,
                m.finished_at
            ));
        }
        if self.intact() {
            out.push_str("Integrity: INTACT (every file matches its SHA-256 in manifest.json)\n");
        } else {
            out.push_str("Integrity: TAMPERED\n");
            for problem in &self.file_problems {
                out.push_str(&format!("  {problem}\n"));
            }
        }
        for change in &self.rule_changes {
            out.push_str(&format!("Note: {change}\n"));
        }
        if !self.intact() {
            out.push_str("Findings: not re-evaluated (the bundle is not intact)\n");
        } else if self.finding_differences.is_empty() {
            out.push_str("Findings: REPRODUCED (re-evaluating snapshot.json gives the findings in report.json)\n");
        } else {
            out.push_str("Findings: DIFFER\n");
            for difference in &self.finding_differences {
                out.push_str(&format!("  {difference}\n"));
            }
        }
        out
    }
}

/// Checks a bundle. Err only when the bundle cannot be read at all (no manifest).
pub fn verify(dir: &Path) -> Result<Verification> {
    let manifest_path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
        Error::input_file(
            &manifest_path,
            format!("cannot read the bundle manifest: {e}"),
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::input_file(&manifest_path, format!("invalid manifest: {e}")))?;
    if manifest.manifest_version != MANIFEST_VERSION {
        return Err(Error::input_file(
            &manifest_path,
            format!(
                "manifest_version {} is not supported (expected {MANIFEST_VERSION})",
                manifest.manifest_version
            ),
        ));
    }
    let mut result = Verification::default();
    for required in [SNAPSHOT, PROFILE, REPORT_JSON, REPORT_HTML] {
        if !manifest.files.contains_key(required) {
            result
                .file_problems
                .push(format!("{required}: not listed in manifest.json"));
        }
    }
    for (name, expected) in &manifest.files {
        // Names come from the manifest: refuse anything that could leave the bundle.
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            result
                .file_problems
                .push(format!("{name}: not a plain file name"));
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                let found = sha256_hex(&bytes);
                if &found != expected {
                    result.file_problems.push(format!(
                        "{name}: modified (manifest sha256 {expected}, file sha256 {found})"
                    ));
                }
            }
            Err(e) => result
                .file_problems
                .push(format!("{name}: cannot be read ({e})")),
        }
    }
    let current = current_rule_digests();
    for saved in &manifest.rules {
        match current.iter().find(|c| c.id == saved.id) {
            None => result.rule_changes.push(format!(
                "rule {} no longer exists in this version",
                saved.id
            )),
            Some(c) if c.metadata_sha256 != saved.metadata_sha256 => {
                result.rule_changes.push(format!(
                    "rule {}'s metadata differs from this version's (bundle made by {} {})",
                    saved.id, manifest.tool.name, manifest.tool.version
                ))
            }
            Some(_) => {}
        }
    }
    if result.intact() {
        result.finding_differences = reevaluate(dir)?;
    }
    result.manifest = Some(manifest);
    Ok(result)
}

/// The verdict part of a finding: what must reproduce (waiver and baseline marks are
/// run-time annotations and are not compared).
fn verdict(f: &Finding) -> (String, String, String, String) {
    (
        f.identity(),
        f.status.as_str().to_string(),
        f.severity.as_str().to_string(),
        f.message.clone(),
    )
}

fn reevaluate(dir: &Path) -> Result<Vec<String>> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))
    };
    let snapshot = crate::app::parse_snapshot(&read(SNAPSHOT)?, &dir.join(SNAPSHOT))?;
    let profile: Profile = serde_json::from_str(&read(PROFILE)?)
        .map_err(|e| Error::input_file(&dir.join(PROFILE), e))?;
    let saved: Report = serde_json::from_str(&read(REPORT_JSON)?)
        .map_err(|e| Error::input_file(&dir.join(REPORT_JSON), e))?;
    let all_rules = RuleSelection::default();
    let selected_ids: Vec<&str> = saved.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let fresh: Vec<Finding> = engine::evaluate(&snapshot, &profile, &all_rules)
        .into_iter()
        .filter(|f| selected_ids.contains(&f.rule_id.as_str()))
        .collect();
    let saved_verdicts: Vec<_> = saved.findings.iter().map(verdict).collect();
    let fresh_verdicts: Vec<_> = fresh.iter().map(verdict).collect();
    let mut differences = Vec::new();
    for v in &saved_verdicts {
        if !fresh_verdicts.contains(v) {
            differences.push(format!(
                "in report.json but not reproduced: {} is {} ({})",
                v.0, v.1, v.3
            ));
        }
    }
    for v in &fresh_verdicts {
        if !saved_verdicts.contains(v) {
            differences.push(format!(
                "reproduced but not in report.json: {} is {} ({})",
                v.0, v.1, v.3
            ));
        }
    }
    Ok(differences)
}
