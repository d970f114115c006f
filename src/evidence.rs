//! Evidence bundles: everything an auditor needs to check a scan later, with digests.
//!
//! `scan --evidence DIR` writes the snapshot, the effective profile, the JSON and HTML reports
//! and a manifest holding the SHA-256 of each, the tool version and each rule's metadata
//! digest. `verify DIR` checks every digest and re-evaluates the saved snapshot with the saved
//! profile to see whether the whole report reproduces. The manifest proves integrity, not
//! origin: keep its own digest (printed when the bundle is written, and by `verify`) somewhere
//! the bundle is not.
//!
//! A bundle may come from someone else, so `verify` trusts nothing in it: it opens only regular
//! files directly inside the directory, never follows a symlink, never blocks on a FIFO or
//! device, and reads at most [`MAX_FILE_BYTES`] per file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;
use crate::engine::RuleSelection;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::input_file::{entry_problem, read_bytes, InputKind, Named};
use crate::profile::Profile;
use crate::report::{Format, Report, Summary, ToolInfo, Verdict};
use crate::snapshot::Snapshot;
use crate::untrusted_text::visible;

pub const MANIFEST: &str = "manifest.json";
pub const SNAPSHOT: &str = "snapshot.json";
pub const PROFILE: &str = "profile.json";
pub const REPORT_JSON: &str = "report.json";
pub const REPORT_HTML: &str = "report.html";
const MANIFEST_VERSION: u32 = 1;
/// The largest file `verify` reads from a bundle: the cap of every snapshot input, a bound
/// on what a hostile bundle can make it hold in memory.
pub const MAX_FILE_BYTES: u64 = InputKind::BundleFile.cap();

/// Every file a bundle holds, the manifest last.
pub fn file_names() -> Vec<String> {
    [SNAPSHOT, PROFILE, REPORT_JSON, REPORT_HTML, MANIFEST]
        .map(str::to_string)
        .to_vec()
}

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
    /// The rules the scan evaluated (`--only` / `--skip`), in registry order. Absent in
    /// bundles from before it was recorded: then every rule was evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_rules: Option<Vec<String>>,
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

/// Writes the bundle, all files or none; returns the manifest's own SHA-256 for the operator
/// to record.
pub fn write_bundle(
    dir: &Path,
    snapshot: &Snapshot,
    profile: &Profile,
    report: &Report,
    selection: &RuleSelection,
) -> Result<String> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            SNAPSHOT.into(),
            crate::snapshot_file::snapshot_file_json(&[snapshot], &[])?.into_bytes(),
        ),
        (PROFILE.into(), to_json(profile)?),
        (
            REPORT_JSON.into(),
            crate::report::render(report, Format::Json, false).into_bytes(),
        ),
        (
            REPORT_HTML.into(),
            crate::report::render(report, Format::Html, false).into_bytes(),
        ),
    ];
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: report.tool.clone(),
        started_at: report.scan.started_at.clone(),
        finished_at: report.scan.finished_at.clone(),
        rules: current_rule_digests(),
        files: files
            .iter()
            .map(|(name, bytes)| (name.clone(), sha256_hex(bytes)))
            .collect(),
        evaluated_rules: Some(
            crate::rules::REGISTRY
                .iter()
                .filter(|r| selection.includes(r.id))
                .map(|r| r.id.to_string())
                .collect(),
        ),
    };
    let bytes = to_json(&manifest)?;
    let digest = sha256_hex(&bytes);
    files.push((MANIFEST.into(), bytes));
    crate::output_file::write_dir("--evidence", dir, &files)?;
    Ok(digest)
}

/// The rules the bundle's scan left out (`--only` / `--skip`), from its manifest.
pub fn coverage(manifest: &Manifest) -> Option<crate::report::RuleCoverage> {
    let ids = manifest.evaluated_rules.as_ref()?;
    RuleSelection {
        only: ids.clone(),
        skip: Vec::new(),
    }
    .coverage()
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    /// One line per problem with a file: missing, tampered, unreadable, not a regular file.
    pub file_problems: Vec<String>,
    /// Rules whose metadata differs from this binary's (informational).
    pub notes: Vec<String>,
    /// Differences between the saved report and a fresh evaluation.
    pub finding_differences: Vec<String>,
    pub manifest: Option<Manifest>,
    /// SHA-256 of manifest.json, to compare with the one printed when the bundle was written.
    pub manifest_sha256: String,
    /// The verdict the re-evaluation gives, once the bundle is intact.
    pub reproduced_verdict: Option<Verdict>,
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
        let dir = dir.display().to_string();
        if let Some(m) = &self.manifest {
            out.push_str(&format!(
                "Bundle {} — {} {} (rules {}), scan {} → {}\n",
                visible(&dir),
                visible(&m.tool.name),
                visible(&m.tool.version),
                visible(&m.tool.rules_version),
                visible(&m.started_at),
                visible(&m.finished_at)
            ));
        }
        out.push_str(&format!(
            "Manifest: sha256 {} (compare with the digest recorded when the bundle was written)\n",
            self.manifest_sha256
        ));
        if let Some(rules) = self.manifest.as_ref().and_then(coverage) {
            out.push_str(&format!(
                "Rules: PARTIAL scan (--only / --skip), {}; its verdict is at best INCOMPLETE\n",
                visible(&rules.describe_with_skipped())
            ));
        }
        if self.intact() {
            out.push_str("Integrity: INTACT (every file matches its SHA-256 in manifest.json)\n");
        } else {
            out.push_str("Integrity: TAMPERED\n");
            for problem in &self.file_problems {
                out.push_str(&format!("  {}\n", visible(problem)));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("Note: {}\n", visible(note)));
        }
        if !self.intact() {
            out.push_str("Findings: not re-evaluated (the bundle is not intact)\n");
        } else if self.finding_differences.is_empty() {
            out.push_str("Findings: REPRODUCED (re-evaluating snapshot.json with profile.json gives exactly the findings, summary and verdict in report.json, and report.html renders from it)\n");
        } else {
            out.push_str("Findings: DIFFER\n");
            for difference in &self.finding_differences {
                out.push_str(&format!("  {}\n", visible(difference)));
            }
        }
        if let Some(verdict) = self.reproduced_verdict {
            out.push_str(&format!("Verdict (re-evaluated): {}\n", verdict.label()));
        }
        out
    }
}

/// Reads one file of a bundle without trusting the file system: only a regular file directly
/// in `dir`, never through a symlink, never blocking on a FIFO or device, at most
/// [`MAX_FILE_BYTES`] ([`crate::input_file`], as every input).
fn read_bundle_file(dir: &Path, name: &str) -> std::result::Result<Vec<u8>, String> {
    read_bytes(&dir.join(name), InputKind::BundleFile, Named::Implicitly)
}

/// Checks a bundle. Err only when the bundle cannot be read at all (no usable manifest).
pub fn verify(dir: &Path) -> Result<Verification> {
    let manifest_path = dir.join(MANIFEST);
    let manifest_bytes = read_bundle_file(dir, MANIFEST)
        .map_err(|e| Error::input_file(&manifest_path, format!("bundle manifest {e}")))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
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
    let mut result = Verification {
        manifest_sha256: sha256_hex(&manifest_bytes),
        ..Verification::default()
    };
    for required in [SNAPSHOT, PROFILE, REPORT_JSON, REPORT_HTML] {
        if !manifest.files.contains_key(required) {
            result
                .file_problems
                .push(format!("{required}: not listed in manifest.json"));
        }
    }
    // The bytes that were hashed are the bytes that are evaluated: nothing is read twice.
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (name, expected) in &manifest.files {
        // Names come from the manifest: refuse anything that could leave the bundle.
        if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.') {
            result
                .file_problems
                .push(format!("{name}: not a plain file name"));
            continue;
        }
        match read_bundle_file(dir, name) {
            Ok(bytes) => {
                let found = sha256_hex(&bytes);
                if &found != expected {
                    result.file_problems.push(format!(
                        "{name}: modified (manifest sha256 {expected}, file sha256 {found})"
                    ));
                } else {
                    contents.insert(name.clone(), bytes);
                }
            }
            Err(problem) => result.file_problems.push(format!("{name}: {problem}")),
        }
    }
    check_other_entries(dir, &manifest, &mut result);
    let current = current_rule_digests();
    for saved in &manifest.rules {
        match current.iter().find(|c| c.id == saved.id) {
            None => result.notes.push(format!(
                "rule {} no longer exists in this version",
                saved.id
            )),
            Some(c) if c.metadata_sha256 != saved.metadata_sha256 => result.notes.push(format!(
                "rule {}'s metadata differs from this version's (bundle made by {} {})",
                saved.id, manifest.tool.name, manifest.tool.version
            )),
            Some(_) => {}
        }
    }
    if result.intact() {
        let (differences, verdict) = reproduce(dir, &contents, &manifest)?;
        result.finding_differences = differences;
        result.reproduced_verdict = Some(verdict);
    }
    result.manifest = Some(manifest);
    Ok(result)
}

/// Entries of the bundle directory the manifest does not list, each a problem named with what
/// it is (a stray report, a symlink, a FIFO): the bundle is not only what was recorded.
fn check_other_entries(dir: &Path, manifest: &Manifest, result: &mut Verification) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            result.file_problems.push(format!(
                "{}: cannot list the bundle directory ({e})",
                dir.display()
            ));
            return;
        }
    };
    // Bounded: a directory of a million files must not keep verify busy or fill the screen.
    for entry in entries.flatten().take(10_000) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if manifest.files.contains_key(&name) || name == MANIFEST {
            continue;
        }
        let problem = entry
            .metadata()
            .map_err(|e| format!("cannot be read ({e})"))
            .and_then(
                |meta| match entry_problem(&entry.path(), &meta, InputKind::BundleFile) {
                    Some(problem) => Err(problem),
                    None => Ok(()),
                },
            )
            .err()
            .unwrap_or_else(|| "a regular file".into());
        // Anything beside the listed files is a problem: a reader of the bundle cannot tell
        // an unlisted report from the real one, so the bundle is not what the manifest says.
        result.file_problems.push(format!(
            "{name}: not listed in manifest.json ({problem}); a bundle holds only the files its manifest lists"
        ));
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(
    dir: &Path,
    contents: &BTreeMap<String, Vec<u8>>,
    name: &str,
) -> Result<T> {
    let bytes = contents.get(name).map(Vec::as_slice).unwrap_or_default();
    serde_json::from_slice(bytes).map_err(|e| Error::input_file(&dir.join(name), e))
}

/// A finding without its baseline mark: the baseline file is not in the bundle, so that mark
/// cannot be re-derived (it only changes the `new` count and the gate, never the verdict).
fn unmarked(f: &Finding) -> Finding {
    Finding {
        baseline: None,
        ..f.clone()
    }
}

/// Re-evaluates the snapshot with the saved profile, the rules the scan evaluated and the
/// waivers the report records, and compares everything that follows from them with
/// report.json; and report.html with what report.json renders to.
fn reproduce(
    dir: &Path,
    contents: &BTreeMap<String, Vec<u8>>,
    manifest: &Manifest,
) -> Result<(Vec<String>, Verdict)> {
    let snapshot_text = std::str::from_utf8(
        contents
            .get(SNAPSHOT)
            .map(Vec::as_slice)
            .unwrap_or_default(),
    )
    .map_err(|e| Error::input_file(&dir.join(SNAPSHOT), e))?;
    let snapshot = crate::snapshot_file::parse_snapshot(snapshot_text, &dir.join(SNAPSHOT))?;
    let profile: Profile = parse_json(dir, contents, PROFILE)?;
    let saved: Report = parse_json(dir, contents, REPORT_JSON)?;
    let mut differences = Vec::new();

    let evaluated: Vec<&crate::rules::Rule> = match &manifest.evaluated_rules {
        None => crate::rules::REGISTRY.iter().collect(),
        Some(ids) => {
            for id in ids {
                if crate::rules::find(id).is_none() {
                    differences.push(format!(
                        "rule {id} was evaluated by the scan but does not exist in this version"
                    ));
                }
            }
            crate::rules::REGISTRY
                .iter()
                .filter(|r| ids.iter().any(|id| id == r.id))
                .collect()
        }
    };
    let fresh: Vec<Finding> = evaluated
        .iter()
        .flat_map(|rule| crate::engine::run_rule(rule, &snapshot, &profile))
        .collect();

    // Waivers are decided by date. The scan applied them moments after `finished_at`, so
    // that day (or the next, for a scan that ended at midnight) reproduces their states.
    let waivers: Vec<crate::waivers::Waiver> =
        saved.waivers.iter().map(|w| w.waiver.clone()).collect();
    let scan_day = chrono::DateTime::parse_from_rfc3339(&saved.scan.finished_at)
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
        .unwrap_or_default();
    let saved_unmarked: Vec<Finding> = saved.findings.iter().map(unmarked).collect();
    let mut reproduced = None;
    for day in [Some(scan_day), scan_day.succ_opt()].into_iter().flatten() {
        let mut findings = fresh.clone();
        let states = crate::waivers::apply(&mut findings, &waivers, day);
        let matches = findings == saved_unmarked && states == saved.waivers;
        if reproduced.is_none() || matches {
            reproduced = Some((findings, states));
        }
        if matches {
            break;
        }
    }
    let (mut findings, states) = reproduced.unwrap_or_default();
    if states != saved.waivers {
        differences.push(
            "waivers: the states or matches recorded in report.json are not reproduced".into(),
        );
    }
    compare_findings(&saved_unmarked, &findings, &mut differences);

    // Carry the baseline marks over by identity, then the summary and verdict must agree.
    for f in &mut findings {
        f.baseline = saved
            .findings
            .iter()
            .find(|s| s.identity() == f.identity())
            .and_then(|s| s.baseline);
    }
    let summary = Summary::of_selection(&findings, coverage(manifest));
    // The counts first; the verdict on its own below (a bundle of an older release records
    // none, and its verdict is that of its counts).
    let counts = Summary {
        verdict: saved.summary.verdict,
        ..summary.clone()
    };
    if counts != saved.summary {
        differences.push(format!(
            "summary: report.json says {}, re-evaluation gives {}",
            summary_text(&saved.summary),
            summary_text(&summary)
        ));
    }
    // The verdict it records, and the one its counts give (which the HTML and Markdown
    // reports show): both must be the re-evaluation's.
    let verdict = Verdict::of(&summary);
    let claimed = [saved.summary.verdict, Some(Verdict::of(&saved.summary))];
    if let Some(wrong) = claimed.into_iter().flatten().find(|v| *v != verdict) {
        differences.push(format!(
            "verdict: report.json says {}, re-evaluation gives {}",
            wrong.label(),
            verdict.label()
        ));
    }
    let scan = crate::report::ScanInfo::from_snapshot(&snapshot, &profile, &saved.scan.source);
    if scan != saved.scan {
        differences.push(
            "scan: the accounts, regions or times in report.json are not those of snapshot.json and profile.json".into(),
        );
    }
    if let Some(html) = contents.get(REPORT_HTML) {
        if html.as_slice() != crate::report::render(&saved, Format::Html, false).as_bytes() {
            differences.push(
                "report.html: is not what report.json renders to (it shows something else)".into(),
            );
        }
    }
    Ok((differences, verdict))
}

fn summary_text(s: &Summary) -> String {
    format!(
        "{} pass, {} fail, {} error, {} not applicable, {} waived",
        s.pass, s.fail, s.error, s.not_applicable, s.waived
    )
}

/// Names every finding that is missing, extra, or different, by identity (the set is compared
/// as a multiset, so a duplicated finding counts too).
fn compare_findings(saved: &[Finding], fresh: &[Finding], differences: &mut Vec<String>) {
    let mut unmatched_fresh: Vec<&Finding> = fresh.iter().collect();
    let mut unmatched_saved = Vec::new();
    for s in saved {
        match unmatched_fresh.iter().position(|f| *f == s) {
            Some(i) => {
                unmatched_fresh.swap_remove(i);
            }
            None => unmatched_saved.push(s),
        }
    }
    for s in unmatched_saved {
        match unmatched_fresh
            .iter()
            .position(|f| f.identity() == s.identity())
        {
            Some(i) => {
                let f = unmatched_fresh.swap_remove(i);
                if f.status != s.status {
                    differences.push(format!(
                        "{}: status {} in report.json is not reproduced (re-evaluation gives {})",
                        s.identity(),
                        s.status.as_str(),
                        f.status.as_str()
                    ));
                } else {
                    differences.push(format!(
                        "{}: recorded finding is not reproduced (its severity, message, evidence, remediation or waiver differ)",
                        s.identity()
                    ));
                }
            }
            None => differences.push(format!(
                "in report.json but not reproduced: {} is {} ({})",
                s.identity(),
                s.status.as_str(),
                s.message
            )),
        }
    }
    for f in unmatched_fresh {
        differences.push(format!(
            "reproduced but not in report.json: {} is {} ({})",
            f.identity(),
            f.status.as_str(),
            f.message
        ));
    }
}
