//! The finished report as data: findings, run metadata, summary and verdict, and what waivers
//! and a baseline said about them. Below the engine (which builds it), the waivers and baseline
//! (which annotate it) and the formats in `report/` (which render it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finding::{Change, Finding, Status};
use crate::profile::Profile;
use crate::snapshot::Snapshot;

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
    pub waivers: Vec<WaiverReport>,
    /// Present when the run was compared with `--baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
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

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// The report's one-word answer, from the counts below ([`Verdict::of`]), so that a
    /// consumer of the JSON need not derive it. Absent in a report written before it was
    /// recorded (a baseline or an evidence bundle of an older release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
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
    /// One entry per account, when the report covers more than one (`evaluate` with several
    /// snapshots): each account's counts and verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountSummary>,
    /// With `--only` / `--skip`: how many rules were evaluated, of how many, and which were
    /// left out. A partial run is never READY (its verdict is at best INCOMPLETE): the rules
    /// left out were not judged. Absent when every rule ran (and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RuleCoverage>,
}

/// Which rules a partial run evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleCoverage {
    pub evaluated: usize,
    pub total: usize,
    /// The rules left out, in registry order.
    pub skipped: Vec<String>,
}

impl RuleCoverage {
    /// "3 of 14 rules evaluated".
    pub fn describe(&self) -> String {
        format!("{} of {} rules evaluated", self.evaluated, self.total)
    }

    /// [`Self::describe`] and the rules left out.
    pub fn describe_with_skipped(&self) -> String {
        format!("{} (skipped: {})", self.describe(), self.skipped.join(", "))
    }
}

/// One account's counts and verdict in a report that covers several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSummary {
    pub account: String,
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
    pub waived: usize,
    pub verdict: Verdict,
}

impl Summary {
    /// Whether no check was judged: nothing passed, failed, errored or was waived (every
    /// finding, if any, was not applicable). Nothing evaluated is not a pass.
    pub fn judged_nothing(&self) -> bool {
        self.pass + self.fail + self.error + self.waived == 0
    }

    /// The counts per status, waived findings counted only as waived.
    fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> Summary {
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
        summary
    }

    pub fn of(findings: &[Finding]) -> Self {
        Summary::of_selection(findings, None)
    }

    /// [`Summary::of`] for a run that evaluated only the rules `rules` says (`None`: all).
    pub fn of_selection(findings: &[Finding], rules: Option<RuleCoverage>) -> Self {
        let mut summary = Summary::counts(findings.iter());
        summary.rules = rules;
        summary.verdict = Some(Verdict::of(&summary));
        let mut accounts: Vec<&str> = findings.iter().map(|f| f.account.as_str()).collect();
        accounts.sort_unstable();
        accounts.dedup();
        if accounts.len() > 1 {
            summary.accounts = accounts
                .iter()
                .map(|account| {
                    let mut counts =
                        Summary::counts(findings.iter().filter(|f| f.account == *account));
                    counts.rules.clone_from(&summary.rules);
                    AccountSummary {
                        account: account.to_string(),
                        pass: counts.pass,
                        fail: counts.fail,
                        error: counts.error,
                        not_applicable: counts.not_applicable,
                        waived: counts.waived,
                        verdict: Verdict::of(&counts),
                    }
                })
                .collect();
        }
        if findings.iter().any(|f| f.baseline.is_some()) {
            summary.new = Some(
                findings
                    .iter()
                    .filter(|f| f.baseline == Some(Change::New) && f.waiver.is_none())
                    .count(),
            );
        }
        summary
    }
}

impl Report {
    /// Recounts the summary after findings changed (waivers, baseline marks), keeping the
    /// record of which rules ran.
    pub fn recount(&mut self) {
        let rules = self.summary.rules.take();
        self.summary = Summary::of_selection(&self.findings, rules);
    }

    /// Records that only some rules ran (`None`: all did); the verdict follows.
    pub fn record_rule_coverage(&mut self, rules: Option<RuleCoverage>) {
        self.summary.rules = rules;
        self.recount();
    }

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
}

/// The one-word answer a report gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Every finding passed, did not apply, or is covered by an unexpired waiver.
    #[serde(rename = "READY")]
    Ready,
    /// At least one check failed.
    #[serde(rename = "NOT READY")]
    NotReady,
    /// Nothing failed, but something could not be judged (or nothing was judged at all, every
    /// finding being not applicable, or `--only` / `--skip` left rules out): fail closed
    /// rather than call the account ready.
    #[serde(rename = "INCOMPLETE")]
    Incomplete,
}

impl Verdict {
    pub fn of(summary: &Summary) -> Verdict {
        if summary.fail > 0 {
            Verdict::NotReady
        } else if summary.error > 0 || summary.judged_nothing() || summary.rules.is_some() {
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

/// A validated waiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub justification: String,
    pub owner: String,
    pub expires: NaiveDate,
    /// Where it was declared: `file, waiver #N`.
    pub declared_in: String,
}

/// The waiver as it stands in this run, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverReport {
    #[serde(flatten)]
    pub waiver: Waiver,
    /// `active`, `expired`, or `unused` (active but matched no finding).
    pub state: WaiverState,
    /// Identities of the findings it waived (or would have, when expired).
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    Active,
    Expired,
    Unused,
}

/// What the report says about the baseline it was compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineInfo {
    pub path: String,
    pub tool_version: String,
    pub started_at: String,
    /// Findings that failed in the baseline and are absent from this run (resource deleted,
    /// rule skipped): listed so a fix is visible.
    pub fixed: Vec<Finding>,
}

/// One account's row of the roll-up: its verdict and, per rule, the worst status of its
/// findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRollup {
    pub account: String,
    pub verdict: Verdict,
    /// In rule order; `None`: the rule made no finding for this account (not selected).
    pub cells: Vec<(String, Option<CellStatus>)>,
}

/// The worst of an account's findings for one rule: fail, then error, then waived, then pass,
/// then not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CellStatus {
    NotApplicable,
    Pass,
    Waived,
    Error,
    Fail,
}

impl CellStatus {
    pub fn label(self) -> &'static str {
        match self {
            CellStatus::NotApplicable => "n/a",
            CellStatus::Pass => "pass",
            CellStatus::Waived => "waived",
            CellStatus::Error => "error",
            CellStatus::Fail => "FAIL",
        }
    }

    fn of(finding: &Finding) -> CellStatus {
        if finding.waiver.is_some() {
            return CellStatus::Waived;
        }
        match finding.status {
            Status::Fail => CellStatus::Fail,
            Status::Error => CellStatus::Error,
            Status::Pass => CellStatus::Pass,
            Status::NotApplicable => CellStatus::NotApplicable,
        }
    }
}

impl Report {
    /// [`Report::rollup`] over the registry's rules, in report order.
    pub fn rollup_of_registry(&self) -> Vec<AccountRollup> {
        let rule_ids: Vec<&str> = crate::rules::all_metadata()
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        self.rollup(&rule_ids)
    }

    /// The accounts × rules roll-up, in the order of `scan.accounts` and of `rule_ids`, with
    /// only the rules that made a finding for some account; empty when the report covers one
    /// account (its details say it all).
    pub fn rollup(&self, rule_ids: &[&str]) -> Vec<AccountRollup> {
        if self.scan.accounts.len() < 2 {
            return Vec::new();
        }
        let rule_ids: Vec<&str> = rule_ids
            .iter()
            .copied()
            .filter(|rule| self.findings.iter().any(|f| f.rule_id == *rule))
            .collect();
        self.scan
            .accounts
            .iter()
            .map(|account| {
                let mine: Vec<&Finding> = self
                    .findings
                    .iter()
                    .filter(|f| &f.account == account)
                    .collect();
                let cells = rule_ids
                    .iter()
                    .map(|rule| {
                        let worst = mine
                            .iter()
                            .filter(|f| f.rule_id == *rule)
                            .map(|f| CellStatus::of(f))
                            .max();
                        (rule.to_string(), worst)
                    })
                    .collect();
                let counts = Summary::counts(mine.iter().copied());
                AccountRollup {
                    account: account.clone(),
                    verdict: Verdict::of(&counts),
                    cells,
                }
            })
            .collect()
    }
}
