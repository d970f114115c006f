//! `--format junit`: JUnit XML for CI test-report views (Jenkins, GitLab, Azure DevOps, …).
//!
//! One `<testsuite>` per rule (per account and rule, named `<account>/<rule>`, when the report
//! covers several accounts), one `<testcase>` per finding: `fail` is a `<failure>` typed by
//! severity, `error` is an `<error>` (the scanner could not judge, never a pass),
//! `not_applicable` and waived findings are `<skipped>` (a waived one says who accepted the risk
//! until when), `pass` is a bare testcase. The document validates against
//! the Jenkins xUnit plugin's JUnit schema, vendored as `schemas/junit.xsd`.

use std::fmt::Write as _;

use super::markdown::findings_by_rule;
use super::Report;
use crate::finding::{Finding, Status};

pub fn render(report: &Report) -> String {
    let groups = findings_by_rule(&report.findings);
    let summary = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\"",
        attr(&format!(
            "{} {}",
            report.tool.name,
            report.scan.accounts.join(",")
        )),
        report.findings.len(),
        summary.fail,
        summary.error,
    );
    // The Jenkins schema has no `skipped` on <testsuites>; each <testsuite> carries its own.
    if let Some(seconds) = duration_seconds(&report.scan.started_at, &report.scan.finished_at) {
        let _ = write!(out, " time=\"{seconds}\"");
    }
    out.push_str(">\n");
    if report.scan.accounts.len() > 1 {
        // Several accounts: one suite per account and rule, named `<account>/<rule>`, each
        // naming its own account only, so the document grows with accounts, not their square.
        // The findings are sorted into suites in one pass.
        let mut by_suite: std::collections::HashMap<(&str, &str), Vec<&Finding>> =
            std::collections::HashMap::new();
        for (rule_id, findings) in &groups {
            for finding in findings {
                by_suite
                    .entry((finding.account.as_str(), rule_id))
                    .or_default()
                    .push(finding);
            }
        }
        for account in &report.scan.accounts {
            for (rule_id, _) in &groups {
                if let Some(mine) = by_suite.get(&(account.as_str(), *rule_id)) {
                    let suite = Suite {
                        name: &format!("{account}/{rule_id}"),
                        rule_id,
                        accounts: account,
                    };
                    write_suite(&mut out, report, &suite, mine);
                }
            }
        }
    } else {
        let accounts = report.scan.accounts.join(",");
        for (rule_id, findings) in &groups {
            let suite = Suite {
                name: rule_id,
                rule_id,
                accounts: &accounts,
            };
            write_suite(&mut out, report, &suite, findings);
        }
    }
    out.push_str("</testsuites>\n");
    out
}

/// One `<testsuite>`: its name, the rule it holds and the account(s) it covers.
struct Suite<'a> {
    name: &'a str,
    rule_id: &'a str,
    accounts: &'a str,
}

fn write_suite(out: &mut String, report: &Report, suite: &Suite, findings: &[&Finding]) {
    let count = |outcome: Outcome| findings.iter().filter(|f| outcome_of(f) == outcome).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">",
        attr(suite.name),
        findings.len(),
        count(Outcome::Failure),
        count(Outcome::Error),
        count(Outcome::Skipped),
        attr(&report.scan.started_at),
    );
    out.push_str("    <properties>\n");
    let mut properties = vec![
        (
            "tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("rules_version", report.tool.rules_version.clone()),
        ("accounts", suite.accounts.to_string()),
        ("regions", report.scan.regions.join(",")),
        ("source", report.scan.source.clone()),
    ];
    if let Some(meta) = crate::rules::meta(suite.rule_id) {
        properties.push(("title", meta.title.clone()));
        properties.push(("severity", meta.severity.as_str().to_string()));
    }
    for (name, value) in properties {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(&value)
        );
    }
    out.push_str("    </properties>\n");
    for finding in findings {
        write_case(out, finding);
    }
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, finding: &Finding) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&finding.rule_id),
        attr(&format!("{} {}", finding.region, finding.resource)),
    );
    if let Some(waiver) = &finding.waiver {
        // An accepted risk must not fail the CI run, but stays visible with who accepted it.
        let _ = writeln!(
            out,
            ">\n      <skipped type=\"waived\" message=\"{}\">{}</skipped>",
            attr(&format!(
                "Waived until {} by {}: {}",
                waiver.expires, waiver.owner, waiver.justification
            )),
            text(&details(finding)),
        );
        out.push_str("    </testcase>\n");
        return;
    }
    let (element, kind) = match finding.status {
        Status::Pass => {
            out.push_str("/>\n");
            return;
        }
        Status::NotApplicable => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>",
                attr(&finding.message)
            );
            out.push_str("    </testcase>\n");
            return;
        }
        Status::Fail => ("failure", finding.severity.as_str()),
        Status::Error => ("error", "collect_error"),
    };
    let _ = writeln!(
        out,
        ">\n      <{element} message=\"{}\" type=\"{kind}\">{}</{element}>",
        attr(&finding.message),
        text(&details(finding)),
    );
    out.push_str("    </testcase>\n");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failure,
    Error,
    Skipped,
}

/// How a finding counts in JUnit terms: waived and not-applicable findings are skipped.
fn outcome_of(finding: &Finding) -> Outcome {
    if finding.waiver.is_some() {
        return Outcome::Skipped;
    }
    match finding.status {
        Status::Pass => Outcome::Passed,
        Status::Fail => Outcome::Failure,
        Status::Error => Outcome::Error,
        Status::NotApplicable => Outcome::Skipped,
    }
}

/// The body of a failure or error: what a CI log reader needs without opening the JSON report.
fn details(finding: &Finding) -> String {
    let mut body = format!(
        "{}\n\nStatus: {}\nAccount: {}\nRegion: {}\nResource: {}\nSeverity: {}\n",
        finding.message,
        finding.status.as_str(),
        finding.account,
        finding.region,
        finding.resource,
        finding.severity.as_str(),
    );
    if let Some(change) = finding.baseline {
        let _ = writeln!(body, "Since baseline: {}", change_label(change));
    }
    if let Some(waiver) = &finding.waiver {
        let _ = writeln!(
            body,
            "Waived until {} by {} ({}): {}",
            waiver.expires, waiver.owner, waiver.declared_in, waiver.justification
        );
    }
    let _ = write!(
        body,
        "\nRemediation:\n{}\n\nEvidence:",
        finding.remediation.trim()
    );
    if finding.evidence.is_empty() {
        body.push_str("\n(none)");
    }
    for evidence in &finding.evidence {
        body.push('\n');
        body.push_str(&serde_json::to_string(evidence).unwrap_or_default());
    }
    body.push('\n');
    body
}

pub(crate) fn change_label(change: crate::baseline::Change) -> &'static str {
    match change {
        crate::baseline::Change::New => "new",
        crate::baseline::Change::Unchanged => "unchanged",
        crate::baseline::Change::Fixed => "fixed",
    }
}

/// Whole seconds between two RFC 3339 instants, when both parse and are in order.
fn duration_seconds(started: &str, finished: &str) -> Option<i64> {
    let start = chrono::DateTime::parse_from_rfc3339(started).ok()?;
    let end = chrono::DateTime::parse_from_rfc3339(finished).ok()?;
    let seconds = (end - start).num_seconds();
    (seconds >= 0).then_some(seconds)
}

/// Escapes element text (quotes stay readable). `\r` becomes a reference so parsers do not
/// fold it into `\n`.
pub(crate) fn text(value: &str) -> String {
    escape(value, false)
}

/// Escapes an attribute value. Tab and newlines become references because parsers normalise
/// literal whitespace in attributes to spaces.
pub(crate) fn attr(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            // XML 1.0 cannot carry these at all, not even as references: show them visibly.
            c if !is_xml_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The XML 1.0 `Char` production (tab, LF and CR are handled by the caller).
fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}
