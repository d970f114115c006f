//! Runs every rule in isolation and assembles the report.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::finding::{Finding, Status};
use crate::profile::Profile;
use crate::report::{Report, ScanInfo};
use crate::rules::{Rule, RuleContext, REGISTRY};
use crate::snapshot::Snapshot;

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

/// Evaluates and wraps the findings in a report.
pub fn build_report(
    snapshot: &Snapshot,
    profile: &Profile,
    selection: &RuleSelection,
    source: &str,
) -> Report {
    let findings = evaluate(snapshot, profile, selection);
    Report::new(ScanInfo::from_snapshot(snapshot, profile, source), findings)
}
