//! Runs every rule in isolation and assembles the report.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::finding::{Finding, Status};
use crate::profile::Profile;
use crate::report_data::{Report, RuleCoverage, ScanInfo};
use crate::rules::{Rule, RuleContext, REGISTRY};
use crate::snapshot::{CollectError, Collected, Snapshot};

/// Which rules to run (`--only` / `--skip`); empty `only` means all.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl RuleSelection {
    pub fn includes(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|o| o == id))
            && !self.skip.iter().any(|s| s == id)
    }

    /// Which rules this selection leaves out, when it leaves any out.
    pub fn coverage(&self) -> Option<RuleCoverage> {
        let skipped: Vec<String> = REGISTRY
            .iter()
            .filter(|rule| !self.includes(rule.id))
            .map(|rule| rule.id.to_string())
            .collect();
        (!skipped.is_empty()).then(|| RuleCoverage {
            evaluated: REGISTRY.len() - skipped.len(),
            total: REGISTRY.len(),
            skipped,
        })
    }

    /// Every id named must be a known rule: a typo in a CI gate must not silently skip nothing.
    pub fn validate(&self) -> crate::error::Result<()> {
        for (flag, ids) in [("--only", &self.only), ("--skip", &self.skip)] {
            for id in ids {
                if crate::rules::find(id).is_none() {
                    return Err(crate::error::Error::Input(format!(
                        "{flag} {id}: no such rule (see `bedrock-audit rules`)"
                    )));
                }
            }
        }
        if !REGISTRY.iter().any(|rule| self.includes(rule.id)) {
            return Err(crate::error::Error::Input(
                "--only/--skip: this selection leaves no rule to run, so nothing would be judged (a gate that judges nothing is not a pass)".into(),
            ));
        }
        Ok(())
    }
}

/// Every finding of every selected rule, in registry order.
pub fn evaluate(snapshot: &Snapshot, profile: &Profile, selection: &RuleSelection) -> Vec<Finding> {
    REGISTRY
        .iter()
        .filter(|rule| selection.includes(rule.id))
        .flat_map(|rule| run_rule(rule, snapshot, profile))
        .collect()
}

/// Runs one rule; a panic or an empty result becomes an `error` finding, and a `pass` without
/// evidence is demoted to `error`, so no rule can pass by accident.
pub fn run_rule(rule: &Rule, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let ctx = RuleContext {
        snapshot,
        profile,
        meta: rule.meta(),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| (rule.check)(&ctx)));
    let unread_identity = match &snapshot.identity {
        Collected::Failed { error } => Some(error),
        Collected::Ok { .. } => None,
    };
    let internal_error = |message: String| {
        let mut finding = ctx.finding(Status::Error, "global", "rule", message);
        finding.remediation = "This is a defect in bedrock-audit; please report it with the snapshot (--save-snapshot).".into();
        vec![finding]
    };
    match outcome {
        Ok(findings) if findings.is_empty() => {
            internal_error(format!("Rule {} produced no findings.", rule.id))
        }
        Ok(findings) => findings
            .into_iter()
            .map(|mut f| {
                if f.status == Status::Pass && f.evidence.is_empty() {
                    f.status = Status::Error;
                    f.message = format!("{} (a pass without evidence is not accepted)", f.message);
                }
                if f.status == Status::Pass {
                    if let Some(error) = unread_identity {
                        demote_for_unread_identity(&mut f, error);
                    }
                }
                // A finding has one or two evidence records of a few fields each, and vectors
                // grow to room for four or eight: at tens of thousands of findings, the slack
                // is megabytes.
                f.evidence.shrink_to_fit();
                for evidence in &mut f.evidence {
                    evidence.values.shrink_to_fit();
                }
                f
            })
            .collect(),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            internal_error(format!("Rule {} failed internally: {what}", rule.id))
        }
    }
}

/// A pass in an account the scan could not identify (`sts:GetCallerIdentity` failed) becomes
/// `error`: a readiness verdict for "account unknown" would say READY about an account nobody
/// can name, and a finding must say where it comes from.
fn demote_for_unread_identity(finding: &mut Finding, error: &CollectError) {
    finding.status = Status::Error;
    finding.message = format!(
        "{} But the account could not be identified: {} failed with {}: {}. A pass cannot be attributed to an unknown account.",
        finding.message, error.operation, error.code, error.message
    );
    finding.evidence.push(
        crate::finding::Evidence::new("sts:GetCallerIdentity", None)
            .with("error", format!("{}: {}", error.code, error.message)),
    );
}

/// An account that could not be read at all (its role could not be assumed): one `error`
/// finding per selected rule, naming the account and why, so the account cannot pass by
/// absence and the other accounts' findings stay their own.
pub fn unreadable_account(
    account: &str,
    resource: &str,
    reason: &str,
    selection: &RuleSelection,
) -> Vec<Finding> {
    REGISTRY
        .iter()
        .filter(|rule| selection.includes(rule.id))
        .map(|rule| {
            let meta = rule.meta();
            Finding {
                rule_id: rule.id.into(),
                status: Status::Error,
                severity: meta.severity,
                account: account.to_string(),
                region: "global".to_string(),
                resource: resource.to_string(),
                message: format!(
                    "Account {account} could not be scanned: {reason}. The rule cannot judge what it cannot read."
                ),
                remediation: "Create the read-only audit role in the account (README: Many accounts) with a trust policy that lets the scanner's principal assume it (and the external id, if you use one), or leave the account out with --exclude-accounts.".into(),
                evidence: vec![crate::finding::Evidence::new("sts:AssumeRole", None)
                    .with("RoleArn", resource)
                    .with("error", reason)],
                waiver: None,
                baseline: None,
            }
        })
        .collect()
}

/// Evaluates and wraps the findings in a report.
pub fn build_report(
    snapshot: &Snapshot,
    profile: &Profile,
    selection: &RuleSelection,
    source: &str,
) -> Report {
    let findings = evaluate(snapshot, profile, selection);
    let mut report = Report::new(ScanInfo::from_snapshot(snapshot, profile, source), findings);
    report.record_rule_coverage(selection.coverage());
    report
}

/// One report over several accounts, each judged with its own profile (its regions) on its own
/// snapshot, so nothing of one account reaches another's findings; with one account it is
/// [`build_report`]. Built as each account is judged, so a scan of many accounts can let each
/// snapshot go once its findings are made.
pub struct JoinedReport {
    findings: Vec<Finding>,
    scan: ScanInfo,
    /// Accounts still to be added, when known: room for their findings is reserved at the
    /// average so far, rather than doubling the largest vector of the run.
    accounts_to_come: usize,
    /// The rules left out by `--only` / `--skip`, recorded in the report.
    coverage: Option<RuleCoverage>,
}

impl JoinedReport {
    /// A report that will hold `accounts` accounts.
    pub fn expecting(source: &str, accounts: usize) -> Self {
        JoinedReport {
            accounts_to_come: accounts,
            coverage: None,
            findings: Vec::new(),
            scan: ScanInfo {
                accounts: Vec::new(),
                regions: Vec::new(),
                started_at: String::new(),
                finished_at: String::new(),
                source: source.into(),
            },
        }
    }

    /// Judges one account's snapshot with its profile and adds its findings.
    pub fn add_account(
        &mut self,
        snapshot: &Snapshot,
        profile: &Profile,
        selection: &RuleSelection,
    ) {
        self.record_selection(selection);
        let findings = evaluate(snapshot, profile, selection);
        self.reserve_for(findings.len());
        self.findings.extend(findings);
        let info = ScanInfo::from_snapshot(snapshot, profile, &self.scan.source);
        self.scan.accounts.extend(info.accounts);
        for region in info.regions {
            if !self.scan.regions.contains(&region) {
                self.scan.regions.push(region);
            }
        }
        // RFC 3339 UTC timestamps order as text.
        if self.scan.started_at.is_empty() || info.started_at < self.scan.started_at {
            self.scan.started_at = info.started_at;
        }
        if info.finished_at > self.scan.finished_at {
            self.scan.finished_at = info.finished_at;
        }
    }

    /// Records the rule selection the accounts are judged with (for a join whose accounts may
    /// all be unreadable, so that [`Self::add_account`] never sees it).
    pub fn record_selection(&mut self, selection: &RuleSelection) {
        self.coverage = selection.coverage();
    }

    /// Adds an account that could not be read, with its error findings.
    pub fn add_unreadable(&mut self, account: String, findings: Vec<Finding>) {
        self.reserve_for(findings.len());
        self.scan.accounts.push(account);
        self.findings.extend(findings);
    }

    /// Room for one more account's `count` findings and, at the average so far, for the
    /// accounts after it; growing by at least an eighth, so that accounts larger than the
    /// average cannot make every addition copy the whole vector.
    fn reserve_for(&mut self, count: usize) {
        self.accounts_to_come = self.accounts_to_come.saturating_sub(1);
        let len = self.findings.len();
        let needed = len + count;
        if needed > self.findings.capacity() {
            let average = needed / (self.scan.accounts.len() + 1);
            let expected = (needed + average * self.accounts_to_come).max(needed + len / 8);
            self.findings.reserve_exact(expected - len);
        }
    }

    pub fn finish(self) -> Report {
        let mut report = Report::new(self.scan, self.findings);
        report.record_rule_coverage(self.coverage);
        report
    }

    /// [`Self::finish`], naming the source once it is known (`snapshot` or `snapshots`).
    pub fn finish_as(mut self, source: &str) -> Report {
        self.scan.source = source.into();
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    //! The engine's safety nets, tested with rules that misbehave on purpose: whatever a rule
    //! returns, no `pass` reaches the report without evidence, and a rule that returns nothing
    //! or panics becomes an `error` finding, never silence.

    use super::*;
    use crate::finding::Evidence;
    use crate::rules::RuleContext;

    const RULE_ID: &str = "log-retention-set";

    fn snapshot() -> Snapshot {
        crate::snapshot_file::parse_snapshot(
            include_str!("../fixtures/demo.snapshot.json"),
            std::path::Path::new("demo.snapshot.json"),
        )
        .expect("demo snapshot parses")
    }

    fn profile() -> Profile {
        let mut profile = Profile::default();
        profile.rollout.regions = vec!["us-east-1".into()];
        profile
    }

    #[test]
    fn a_join_of_one_snapshot_is_the_single_report() {
        let snapshot = snapshot();
        let profile = Profile::default();
        let selection = RuleSelection::default();
        let single = build_report(&snapshot, &profile, &selection, "snapshot");
        let mut joined = JoinedReport::expecting("snapshot", 1);
        joined.add_account(&snapshot, &profile, &selection);
        assert_eq!(joined.finish(), single);
    }

    fn account_scanned(account: &str, started_at: &str, finished_at: &str) -> Snapshot {
        let mut snapshot = snapshot();
        snapshot.identity = crate::snapshot::Collected::ok(crate::snapshot::CallerIdentity {
            account: account.into(),
            arn: format!("arn:aws:iam::{account}:role/Audit"),
            user_id: "AROAEXAMPLE".into(),
        });
        snapshot.started_at = started_at.into();
        snapshot.finished_at = finished_at.into();
        snapshot
    }

    #[test]
    fn a_join_runs_from_the_earliest_start_to_the_latest_finish_whatever_the_order() {
        // The second account started earlier and finished later than the first, the third
        // lies within: the report's window covers them all.
        let accounts = [
            account_scanned(
                "111111111111",
                "2026-11-20T09:00:05Z",
                "2026-11-20T09:00:08Z",
            ),
            account_scanned(
                "222222222222",
                "2026-11-20T09:00:01Z",
                "2026-11-20T09:00:09Z",
            ),
            account_scanned(
                "333333333333",
                "2026-11-20T09:00:03Z",
                "2026-11-20T09:00:04Z",
            ),
        ];
        let mut joined = JoinedReport::expecting("scan", accounts.len());
        for snapshot in &accounts {
            joined.add_account(snapshot, &profile(), &RuleSelection::default());
        }
        let report = joined.finish_as("snapshots");
        assert_eq!(report.scan.started_at, "2026-11-20T09:00:01Z");
        assert_eq!(report.scan.finished_at, "2026-11-20T09:00:09Z");
        assert_eq!(
            report.scan.accounts,
            ["111111111111", "222222222222", "333333333333"]
        );
        assert_eq!(report.scan.regions, ["us-east-1"]);
        assert_eq!(report.scan.source, "snapshots");
    }

    /// The join's memory policy (BENCHMARKS.md, 50 member accounts): the room held for
    /// findings after each account is added, `counts[i]` findings for the i-th account.
    fn room_after_each_account(expected_accounts: usize, counts: &[usize]) -> Vec<usize> {
        let finding = evaluate(&snapshot(), &profile(), &RuleSelection::default())
            .pop()
            .expect("the demo snapshot has findings");
        let mut joined = JoinedReport::expecting("scan", expected_accounts);
        counts
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                joined.add_unreadable(format!("{i:012}"), vec![finding.clone(); count]);
                joined.findings.capacity()
            })
            .collect()
    }

    #[test]
    fn accounts_of_one_size_get_their_room_once_with_nothing_spare() {
        // The first account reserves room for all four at its size: no copy, no slack.
        assert_eq!(room_after_each_account(4, &[10, 10, 10, 10]), [40; 4]);
    }

    #[test]
    fn a_larger_account_re_estimates_the_rest_at_the_running_average() {
        // 10 reserves 3 × 10. Then 110 findings over 2 accounts average 55: room for one
        // more at 55 is 165, and the third account, at 55, fits without a copy.
        assert_eq!(room_after_each_account(3, &[10, 100, 55]), [30, 165, 165]);
    }

    #[test]
    fn accounts_beyond_the_expected_number_grow_the_room_by_an_eighth() {
        // With none left to come, each copy adds an eighth of what is held (16 / 8 = 2,
        // 34 / 8 = 4), so that the vector still grows geometrically.
        assert_eq!(room_after_each_account(1, &[16, 18, 10]), [16, 36, 48]);
    }

    fn run_with(check: crate::rules::CheckFn) -> Vec<Finding> {
        let rule = crate::rules::find(RULE_ID).expect("rule is registered");
        run_rule(&rule.with_check(check), &snapshot(), &profile())
    }

    fn with_status(ctx: &RuleContext, status: Status, evidence: bool) -> Finding {
        let mut finding = ctx.finding(
            status,
            "us-east-1",
            "resource-1",
            format!("Observed {}.", status.as_str()),
        );
        if evidence {
            finding
                .evidence
                .push(Evidence::new("logs:DescribeLogGroups", Some("us-east-1")));
        }
        finding
    }

    #[test]
    fn a_pass_without_evidence_is_demoted_to_error_and_says_why() {
        let findings = run_with(|ctx| vec![with_status(ctx, Status::Pass, false)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Error);
        assert_eq!(
            findings[0].message,
            "Observed pass. (a pass without evidence is not accepted)"
        );
        assert_eq!(findings[0].resource, "resource-1");
    }

    #[test]
    fn a_pass_with_evidence_is_kept_unchanged() {
        let findings = run_with(|ctx| vec![with_status(ctx, Status::Pass, true)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(findings[0].message, "Observed pass.");
    }

    #[test]
    fn other_verdicts_without_evidence_are_not_touched() {
        let findings = run_with(|ctx| {
            [Status::Fail, Status::Error, Status::NotApplicable]
                .into_iter()
                .map(|status| with_status(ctx, status, false))
                .collect()
        });
        let seen: Vec<(Status, &str)> = findings
            .iter()
            .map(|f| (f.status, f.message.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (Status::Fail, "Observed fail."),
                (Status::Error, "Observed error."),
                (Status::NotApplicable, "Observed not_applicable."),
            ]
        );
    }

    #[test]
    fn only_the_passes_without_evidence_are_demoted_among_several_findings() {
        let findings = run_with(|ctx| {
            vec![
                with_status(ctx, Status::Pass, true),
                with_status(ctx, Status::Pass, false),
                with_status(ctx, Status::Fail, true),
            ]
        });
        let statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Error, Status::Fail]);
    }

    #[test]
    fn a_rule_that_finds_nothing_is_an_error_naming_the_rule() {
        let findings = run_with(|_| Vec::new());
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.status, Status::Error);
        assert_eq!(finding.rule_id, RULE_ID);
        assert_eq!(
            (finding.region.as_str(), finding.resource.as_str()),
            ("global", "rule")
        );
        assert_eq!(
            finding.message,
            "Rule log-retention-set produced no findings."
        );
        assert!(finding.remediation.contains("defect in bedrock-audit"));
    }

    #[test]
    fn a_panicking_rule_is_an_error_quoting_the_panic() {
        let findings = run_with(|_| panic!("boom in a rule"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Error);
        assert_eq!(
            findings[0].message,
            "Rule log-retention-set failed internally: boom in a rule"
        );
        assert!(findings[0].remediation.contains("--save-snapshot"));

        let findings = run_with(|ctx| panic!("formatted {}", ctx.meta.id));
        assert_eq!(
            findings[0].message,
            "Rule log-retention-set failed internally: formatted log-retention-set"
        );

        let findings = run_with(|_| std::panic::panic_any(7_u8));
        assert_eq!(
            findings[0].message,
            "Rule log-retention-set failed internally: unknown panic"
        );
    }

    #[test]
    fn selection_runs_only_the_named_rules_minus_the_skipped_ones() {
        let all = RuleSelection::default();
        assert!(REGISTRY.iter().all(|rule| all.includes(rule.id)));
        let only = RuleSelection {
            only: vec!["cloudtrail-enabled".into(), "log-retention-set".into()],
            skip: vec!["log-retention-set".into()],
        };
        let included: Vec<&str> = REGISTRY
            .iter()
            .map(|rule| rule.id)
            .filter(|id| only.includes(id))
            .collect();
        assert_eq!(included, ["cloudtrail-enabled"]);
        let skip = RuleSelection {
            only: Vec::new(),
            skip: vec!["cloudtrail-enabled".into()],
        };
        assert!(!skip.includes("cloudtrail-enabled"));
        assert!(skip.includes("log-retention-set"));
    }

    #[test]
    fn selection_rejects_an_unknown_rule_naming_the_flag() {
        assert!(RuleSelection::default().validate().is_ok());
        let known = RuleSelection {
            only: vec!["log-retention-set".into()],
            skip: vec!["cloudtrail-enabled".into()],
        };
        assert!(known.validate().is_ok());
        let typo = RuleSelection {
            only: Vec::new(),
            skip: vec!["log-retention".into()],
        };
        let message = typo.validate().unwrap_err().to_string();
        assert!(
            message.contains("--skip log-retention: no such rule"),
            "{message}"
        );
        let typo = RuleSelection {
            only: vec!["cloudtrail".into()],
            skip: Vec::new(),
        };
        let message = typo.validate().unwrap_err().to_string();
        assert!(
            message.contains("--only cloudtrail: no such rule"),
            "{message}"
        );
    }

    #[test]
    fn evaluate_keeps_registry_order_and_the_selection() {
        let selection = RuleSelection {
            only: vec!["log-retention-set".into(), "cloudtrail-enabled".into()],
            skip: Vec::new(),
        };
        let findings = evaluate(&snapshot(), &profile(), &selection);
        let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_ref()).collect();
        rule_ids.dedup();
        assert_eq!(rule_ids, ["cloudtrail-enabled", "log-retention-set"]);
        let report = build_report(&snapshot(), &profile(), &selection, "demo");
        assert_eq!(report.findings, findings);
        assert_eq!(report.scan.source, "demo");
    }
}
