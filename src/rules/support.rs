//! The verdict most rules reach for one resource: a list of problems found, of inputs that
//! could not be read, and of evidence. Fail wins over error (a problem seen in readable data is
//! certain whatever else is unreadable), error wins over pass (fail closed).

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{collect_error_evidence, RuleContext};
use crate::snapshot::CollectError;

#[derive(Debug, Default)]
pub struct Judgement {
    problems: Vec<String>,
    /// (what could not be read, why).
    unreadable: Vec<(String, CollectError)>,
    /// Inputs the snapshot does not hold at all (not collected), as sentences.
    missing: Vec<String>,
    evidence: Vec<Evidence>,
}

impl Judgement {
    pub fn new() -> Self {
        Judgement::default()
    }

    pub fn problem(&mut self, text: impl Into<String>) {
        self.problems.push(text.into());
    }

    pub fn unreadable(&mut self, what: impl Into<String>, error: &CollectError) {
        self.unreadable.push((what.into(), error.clone()));
    }

    pub fn missing(&mut self, text: impl Into<String>, evidence: Evidence) {
        self.missing.push(text.into());
        self.evidence.push(evidence);
    }

    pub fn evidence(&mut self, evidence: Evidence) {
        self.evidence.push(evidence);
    }

    /// The finding: `fail` with `subject` and the problems, else `error` naming what could not
    /// be read, else `pass` with `pass_message`.
    pub fn finding(
        self,
        ctx: &RuleContext,
        region: &str,
        resource: &str,
        subject: &str,
        pass_message: String,
    ) -> Finding {
        let Judgement {
            problems,
            unreadable,
            missing,
            mut evidence,
        } = self;
        let error_evidence: Vec<Evidence> = unreadable
            .iter()
            .map(|(_, e)| collect_error_evidence(region, e))
            .collect();
        let not_judged = || {
            unreadable
                .iter()
                .map(|(what, e)| format!("{what} ({} failed with {})", e.operation, e.code))
                .chain(missing.iter().cloned())
                .collect::<Vec<_>>()
        };
        if !problems.is_empty() {
            let mut message = format!("{subject}: {}.", problems.join("; "));
            let also = not_judged();
            if !also.is_empty() {
                message.push_str(&format!(" Not checked: {}.", also.join("; ")));
            }
            let mut finding = ctx.finding(Status::Fail, region, resource, message);
            evidence.extend(error_evidence);
            finding.evidence = evidence;
            return finding;
        }
        if let Some((what, error)) = unreadable.first() {
            let mut finding = ctx.unreadable(region, resource, what, error);
            let others: Vec<String> = not_judged().into_iter().skip(1).collect();
            if !others.is_empty() {
                finding
                    .message
                    .push_str(&format!(" Also not checked: {}.", others.join("; ")));
            }
            // ctx.unreadable attached the first error already.
            finding.evidence.extend(error_evidence.into_iter().skip(1));
            finding.evidence.extend(evidence);
            return finding;
        }
        if !missing.is_empty() {
            let mut finding = ctx.finding(
                Status::Error,
                region,
                resource,
                format!("{subject}: cannot judge: {}.", missing.join("; ")),
            );
            finding.remediation = "Scan again with this profile (bedrock-audit scan --config <profile>) so the snapshot holds what the rule needs.".into();
            finding.evidence = evidence;
            return finding;
        }
        let mut finding = ctx.finding(Status::Pass, region, resource, pass_message);
        finding.evidence = evidence;
        finding
    }
}
