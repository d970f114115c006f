//! `--format html`: one self-contained page for auditors.
//!
//! Inline CSS only: no scripts, fonts, images or stylesheets from anywhere, so the file can be
//! archived as evidence and opened offline years later. The footer names the SHA-256 of the
//! JSON report the page was rendered from, so the page can be tied back to that record.

use std::fmt::Write as _;

use super::junit::change_label;
use super::markdown::{findings_by_rule, fixed_count};
use super::Report;
use super::Verdict;
use crate::finding::{Evidence, Finding, Status};
use crate::report_data::CellStatus;
use crate::waivers::WaiverState;

const STYLE: &str = r#"
:root { --fail: #b3261e; --error: #a15c00; --pass: #1e6b34; --na: #5f6368; --waived: #5b3f8c; --line: #d0d4d9; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
       margin: 0 auto; max-width: 1200px; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f6f8; padding: 8px 10px; border-radius: 4px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f0f2f5; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 700; }
.verdict-ready { background: var(--pass); }
.verdict-not-ready { background: var(--fail); }
.verdict-incomplete { background: var(--error); }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 1px 6px; border-radius: 3px;
         color: #fff; font-size: 12px; font-weight: 700; text-transform: uppercase; }
.status-fail { background: var(--fail); }
.status-error { background: var(--error); }
.status-pass { background: var(--pass); }
.status-not_applicable { background: var(--na); }
.status-waived { background: var(--waived); }
.change { font-size: 12px; font-weight: 700; margin-left: 8px; color: var(--error); }
.waiver { background: #f1ecf9; border-radius: 4px; padding: 6px 10px; }
.severity { font-size: 12px; font-weight: 700; text-transform: uppercase; border: 1px solid currentColor;
            border-radius: 3px; padding: 0 5px; margin-left: 6px; }
section.rule { margin-top: 28px; }
.rule-id { color: var(--na); }
article.finding { border: 1px solid var(--line); border-left-width: 6px; border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
article.finding.fail { border-left-color: var(--fail); }
article.finding.error { border-left-color: var(--error); }
article.finding.pass { border-left-color: var(--pass); }
article.finding.not_applicable { border-left-color: var(--na); }
article.finding.waived { border-left-color: var(--waived); }
.where { margin-left: 8px; }
.absent { color: var(--na); font-style: italic; }
.note { color: var(--na); }
footer { margin-top: 40px; border-top: 2px solid var(--line); padding-top: 8px; font-size: 13px; }
details.passed { margin: 10px 0; border: 1px solid var(--line); border-radius: 4px; padding: 6px 12px; }
details.passed > summary { cursor: pointer; font-weight: 600; color: var(--pass); }
table.settled td.evidence { font-size: 12px; overflow-wrap: anywhere; }
table.settled td { overflow-wrap: anywhere; }
/* Printed, every folded section is open (CSS cannot set [open]: Chromium 131+ and Firefox
   143+ show a closed element's content through ::details-content; the second rule covers
   engines that hide it with display only), and no finding is cut across two pages. */
@media print {
  body { max-width: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  details:not([open]) > *:not(summary) { display: block; }
  details.passed > summary { cursor: auto; }
  article.finding, tr, h2, h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"#;

pub fn render(report: &Report) -> String {
    let verdict = Verdict::of(&report.summary);
    let mut groups = findings_by_rule(&report.findings);
    // Rules with something to act on first, the most severe first; then the others, each
    // set in the report's order.
    groups.sort_by_key(|(rule_id, findings)| {
        let open = findings.iter().any(|f| needs_action(f));
        let severity = rule_severity(rule_id, findings);
        (!open, std::cmp::Reverse(open.then_some(severity)))
    });
    let mut out = String::new();
    let accounts = report.scan.accounts.join(", ");
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Bedrock readiness audit: {} ({})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&accounts),
        verdict.label(),
    );

    write_header(&mut out, report, verdict);
    write_rollup(&mut out, report);
    write_summary(&mut out, report, &groups);

    out.push_str(
        "<main>\n<h2>Findings by rule</h2>\n<p class=\"note\">Rules with failing or unreadable \
         findings first, the most severe first. Passing and not-applicable findings are folded \
         under each rule; printing opens them all.</p>\n",
    );
    for (rule_id, findings) in &groups {
        write_rule(&mut out, rule_id, findings);
    }
    out.push_str("</main>\n");
    write_waivers(&mut out, report);
    write_gone_since_baseline(&mut out, report);

    let digest = crate::digest::sha256_hex(super::json::render(report).as_bytes());
    let _ = write!(
        out,
        "<footer>\n<p>Generated by {} {} (rules {}) from a JSON report \
         (<code>--format json</code>) whose SHA-256 digest is:</p>\n\
         <p><code id=\"json-report-sha256\">{digest}</code></p>\n\
         <p class=\"note\">The digest is over the exact bytes of that JSON report. To check that this \
         page matches a stored JSON report, compute its SHA-256 (e.g. <code>sha256sum report.json</code>) \
         and compare.</p>\n</footer>\n</body>\n</html>\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&report.tool.rules_version),
    );
    out
}

fn write_header(out: &mut String, report: &Report, verdict: Verdict) {
    let class = match verdict {
        Verdict::Ready => "verdict-ready",
        Verdict::NotReady => "verdict-not-ready",
        Verdict::Incomplete => "verdict-incomplete",
    };
    let scan = &report.scan;
    let _ = writeln!(
        out,
        "<header>\n<h1>Claude Code on Amazon Bedrock: readiness audit</h1>\n\
         <p>Verdict: <span class=\"verdict {class}\" id=\"verdict\">{}</span></p>\n<dl class=\"meta\">",
        verdict.label()
    );
    let rows = [
        ("Account(s)", scan.accounts.join(", ")),
        ("Regions", scan.regions.join(", ")),
        ("Scan started", scan.started_at.clone()),
        ("Scan finished", scan.finished_at.clone()),
        ("Source", scan.source.clone()),
        (
            "Tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
        ("Rules version", report.tool.rules_version.clone()),
        ("Report schema", report.schema_version.to_string()),
    ];
    let partial = report.summary.rules.as_ref().map(|rules| {
        (
            "Rules",
            format!(
                "PARTIAL run (--only / --skip): {}",
                rules.describe_with_skipped()
            ),
        )
    });
    let baseline = report.baseline.as_ref().map(|b| {
        (
            "Baseline",
            format!(
                "{} (bedrock-audit {}, scan of {})",
                b.path, b.tool_version, b.started_at
            ),
        )
    });
    for (label, value) in rows.into_iter().chain(partial).chain(baseline) {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", esc(&value));
    }
    out.push_str("</dl>\n</header>\n");
}

fn write_summary(out: &mut String, report: &Report, groups: &[(&str, Vec<&Finding>)]) {
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"counts\">\n\
         <tr><th>Fail</th><th>Error (could not judge)</th><th>Pass</th><th>Not applicable</th>\
         <th>Waived</th><th>Total</th></tr>\n\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n</table>",
        s.fail,
        s.error,
        s.pass,
        s.not_applicable,
        s.waived,
        report.findings.len()
    );
    if let Some(new) = s.new {
        let _ = writeln!(
            out,
            "<p>Against the baseline: <strong>{new}</strong> new failing or error finding(s), \
             <strong>{}</strong> fixed.</p>",
            fixed_count(report)
        );
    }
    out.push_str(
        "<h3 id=\"contents\">Contents</h3>\n<table class=\"rules\">\n<tr><th>Rule</th><th>Status</th><th>Severity</th><th>Fail</th><th>Error</th>\
         <th>Pass</th><th>Not applicable</th><th>Waived</th></tr>\n",
    );
    for (rule_id, findings) in groups {
        let count = |status: &str| {
            findings
                .iter()
                .filter(|f| f.display_status() == status)
                .count()
        };
        let (title, severity) = rule_title(rule_id, findings);
        let status = rule_status(findings);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a>{}</td>\
             <td><span class=\"badge status-{status}\">{}</span></td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            anchor(rule_id),
            esc(&title),
            // Unknown rules have their id as title already.
            if title == *rule_id {
                String::new()
            } else {
                format!(" <span class=\"rule-id mono\">{}</span>", esc(rule_id))
            },
            status.replace('_', " "),
            severity,
            count("fail"),
            count("error"),
            count("pass"),
            count("not_applicable"),
            count("waived"),
        );
    }
    out.push_str("</table>\n</section>\n");
}

/// Every waiver in force for the run: what it covers, who accepted the risk, until when, and
/// whether it still applies. Waived findings themselves appear under their rules.
fn write_waivers(out: &mut String, report: &Report) {
    out.push_str("<section id=\"waivers\">\n<h2>Waivers</h2>\n");
    if report.waivers.is_empty() {
        out.push_str("<p class=\"note\">No waivers were in force for this run.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"waivers\">\n<tr><th>Rule</th><th>Resource pattern</th><th>Region</th>\
         <th>Account</th><th>Owner</th><th>Expires</th><th>State</th><th>Findings covered</th>\
         <th>Justification</th><th>Declared in</th></tr>\n",
    );
    for entry in &report.waivers {
        let waiver = &entry.waiver;
        let state = match entry.state {
            WaiverState::Active => "active",
            WaiverState::Expired => "expired: no longer applies",
            WaiverState::Unused => "unused: matched no finding",
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{state}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&waiver.rule),
            esc(&waiver.resource),
            esc(waiver.region.as_deref().unwrap_or("any")),
            esc(waiver.account.as_deref().unwrap_or("any")),
            esc(&waiver.owner),
            waiver.expires,
            entry.matched.len(),
            esc(&waiver.justification),
            esc(&waiver.declared_in),
        );
    }
    out.push_str("</table>\n</section>\n");
}

/// Problems the baseline had that this run no longer reports at all (resource deleted, rule
/// not run): listed so the fix is on record.
fn write_gone_since_baseline(out: &mut String, report: &Report) {
    let Some(baseline) = report.baseline.as_ref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    out.push_str(
        "<section id=\"fixed-since-baseline\">\n<h2>No longer reported since the baseline</h2>\n\
         <table>\n<tr><th>Rule</th><th>Status then</th><th>Region</th><th>Resource</th><th>Message then</th></tr>\n",
    );
    for finding in &baseline.fixed {
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&finding.rule_id),
            finding.status.as_str(),
            esc(&finding.region),
            esc(&finding.resource),
            esc(&finding.message),
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn write_rule(out: &mut String, rule_id: &str, findings: &[&Finding]) {
    let meta = crate::rules::meta(rule_id);
    let (title, severity) = rule_title(rule_id, findings);
    let _ = writeln!(
        out,
        "<section class=\"rule\" id=\"{}\">\n<h2>{}<span class=\"severity\">{severity}</span></h2>\n\
         <p class=\"rule-id mono\">{}</p>",
        anchor(rule_id),
        esc(&title),
        esc(rule_id),
    );
    if let Some(meta) = meta {
        let _ = writeln!(
            out,
            "<p class=\"rationale\"><strong>Why it matters:</strong> {}</p>",
            esc(meta.rationale.trim())
        );
        if !meta.references.is_empty() {
            out.push_str("<p><strong>References:</strong></p>\n<ul class=\"references\">\n");
            for reference in &meta.references {
                // Plain text, not links: the page references nothing outside itself.
                let _ = writeln!(out, "<li class=\"mono\">{}</li>", esc(reference));
            }
            out.push_str("</ul>\n");
        }
    }
    // Most actionable first; within a status, the report's order. Passes and findings that
    // did not apply are folded: one click away on screen, all open on paper.
    let mut ordered: Vec<&Finding> = findings.to_vec();
    ordered.sort_by_key(|f| status_rank(f));
    let (settled, open): (Vec<&Finding>, Vec<&Finding>) = ordered.into_iter().partition(|f| {
        f.waiver.is_none() && matches!(f.status, Status::Pass | Status::NotApplicable)
    });
    for finding in open {
        write_finding(out, finding);
    }
    if !settled.is_empty() {
        let passing = settled.iter().filter(|f| f.status == Status::Pass).count();
        let mut parts = Vec::new();
        if passing > 0 {
            parts.push(format!("{passing} passing"));
        }
        if settled.len() > passing {
            parts.push(format!("{} not applicable", settled.len() - passing));
        }
        let _ = writeln!(
            out,
            "<details class=\"passed\">\n<summary>{}</summary>",
            parts.join(" · ")
        );
        write_settled(out, &settled);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

/// Passing and not-applicable findings, one table row each with the evidence on one line:
/// a tenth of the page an article per finding would take, which keeps a report of 10,000
/// findings quick to open and to print.
fn write_settled(out: &mut String, findings: &[&Finding]) {
    let accounts: std::collections::BTreeSet<&str> =
        findings.iter().map(|f| f.account.as_str()).collect();
    let with_account = accounts.len() > 1;
    out.push_str("<table class=\"settled\">\n<tr><th>Status</th>");
    if with_account {
        out.push_str("<th>Account</th>");
    }
    out.push_str("<th>Region</th><th>Resource</th><th>Message</th><th>Evidence</th></tr>\n");
    for finding in findings {
        let status = finding.display_status();
        let _ = write!(
            out,
            "<tr class=\"finding {status}\"><td><span class=\"badge status-{status}\">{}</span></td>",
            status.replace('_', " ")
        );
        if with_account {
            let _ = write!(out, "<td>{}</td>", esc(&finding.account));
        }
        let _ = write!(
            out,
            "<td>{}</td><td><code class=\"resource\">{}</code></td><td class=\"message\">{}</td><td class=\"evidence mono\">",
            esc(&finding.region),
            esc(&finding.resource),
            esc(&finding.message),
        );
        if finding.evidence.is_empty() {
            out.push_str("<span class=\"absent\">none recorded</span>");
        }
        for (index, evidence) in finding.evidence.iter().enumerate() {
            if index > 0 {
                out.push_str("<br>");
            }
            let _ = write!(out, "{}", esc(&evidence.source));
            if let Some(region) = &evidence.region {
                if *region != finding.region {
                    let _ = write!(out, " ({})", esc(region));
                }
            }
            out.push(':');
            for (field, value) in &evidence.values {
                let value = match value {
                    serde_json::Value::Null => "<span class=\"absent\">null</span>".to_string(),
                    serde_json::Value::String(text) => esc(text),
                    other => esc(&serde_json::to_string(other).unwrap_or_default()),
                };
                let _ = write!(out, " {}={value}", esc(field));
            }
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

/// Fail or error, not waived: what the reader has to do something about.
fn needs_action(finding: &Finding) -> bool {
    finding.waiver.is_none() && matches!(finding.status, Status::Fail | Status::Error)
}

/// A rule's status at a glance: its most pressing finding's.
fn rule_status(findings: &[&Finding]) -> &'static str {
    findings
        .iter()
        .min_by_key(|f| status_rank(f))
        .map_or("not_applicable", |f| f.display_status())
}

/// The rule's severity, comparable: from its metadata, else its findings'.
fn rule_severity(rule_id: &str, findings: &[&Finding]) -> crate::finding::Severity {
    match crate::rules::meta(rule_id) {
        Some(meta) => meta.severity,
        None => findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(crate::finding::Severity::Info),
    }
}

fn write_finding(out: &mut String, finding: &Finding) {
    let status = finding.display_status();
    let change = finding
        .baseline
        .map(|c| {
            format!(
                "<span class=\"change\">{} since baseline</span>",
                change_label(c)
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<article class=\"finding {status}\">\n<h3><span class=\"badge status-{status}\">{}</span>\
         <span class=\"where\">{} · <code class=\"resource\">{}</code></span>{change}</h3>\n\
         <p class=\"message\">{}</p>\n<p class=\"note\">Account {} · severity {} · verdict {}</p>",
        status.replace('_', " "),
        esc(&finding.region),
        esc(&finding.resource),
        esc(&finding.message),
        esc(&finding.account),
        finding.severity.as_str(),
        finding.status.as_str(),
    );
    if let Some(waiver) = &finding.waiver {
        let _ = writeln!(
            out,
            "<p class=\"waiver\"><strong>Waived</strong> until {} by {} ({}): {}</p>",
            waiver.expires,
            esc(&waiver.owner),
            esc(&waiver.declared_in),
            esc(&waiver.justification),
        );
    }
    if finding.evidence.is_empty() {
        out.push_str("<p class=\"note\">No evidence recorded.</p>\n");
    } else {
        out.push_str(
            "<table class=\"evidence\">\n<tr><th>Source</th><th>Region</th><th>Field</th><th>Value</th></tr>\n",
        );
        for evidence in &finding.evidence {
            write_evidence_rows(out, evidence);
        }
        out.push_str("</table>\n");
    }
    if matches!(finding.status, Status::Fail | Status::Error) {
        let _ = writeln!(
            out,
            "<p><strong>Remediation:</strong></p>\n<pre class=\"remediation\">{}</pre>",
            esc(finding.remediation.trim())
        );
    }
    out.push_str("</article>\n");
}

fn write_evidence_rows(out: &mut String, evidence: &Evidence) {
    let source = esc(&evidence.source);
    let region = esc(evidence.region.as_deref().unwrap_or("—"));
    if evidence.values.is_empty() {
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{source}</td><td>{region}</td><td class=\"absent\">no fields</td><td></td></tr>"
        );
        return;
    }
    for (field, value) in &evidence.values {
        let value = match value {
            serde_json::Value::Null => "<span class=\"absent\">null (absent)</span>".to_string(),
            serde_json::Value::String(text) => esc(text),
            other => format!(
                "<code>{}</code>",
                esc(&serde_json::to_string(other).unwrap_or_default())
            ),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{source}</td><td>{region}</td><td class=\"mono\">{}</td><td>{value}</td></tr>",
            esc(field)
        );
    }
}

fn rule_title(rule_id: &str, findings: &[&Finding]) -> (String, &'static str) {
    match crate::rules::meta(rule_id) {
        Some(meta) => (meta.title.clone(), meta.severity.as_str()),
        None => (
            rule_id.to_string(),
            findings
                .first()
                .map(|f| f.severity.as_str())
                .unwrap_or("info"),
        ),
    }
}

fn status_rank(finding: &Finding) -> u8 {
    if finding.waiver.is_some() {
        return 2;
    }
    match finding.status {
        Status::Fail => 0,
        Status::Error => 1,
        Status::NotApplicable => 3,
        Status::Pass => 4,
    }
}

/// An `id` for a rule's section: rule ids are kebab-case already, anything else is dropped.
fn anchor(rule_id: &str) -> String {
    let cleaned: String = rule_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("rule-{cleaned}")
}

/// Escapes text for element content and double-quoted attributes. Control characters other
/// than tab, CR and LF, bidi overrides and zero-width characters are shown as `\u{..}` so
/// they cannot hide, reorder or corrupt content.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if crate::untrusted_text::is_disguising(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// With several accounts: accounts × rules, the worst status in each cell, and each account's
/// verdict, at the top.
fn write_rollup(out: &mut String, report: &Report) {
    let rows = report.rollup_of_registry();
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"accounts\">\n<h2>Accounts</h2>\n<table class=\"rules\">\n<tr><th>Account</th><th>Verdict</th>",
    );
    for (rule, _) in &rows[0].cells {
        let _ = write!(out, "<th class=\"mono\">{}</th>", esc(rule));
    }
    out.push_str("</tr>\n");
    for row in &rows {
        let class = match row.verdict {
            Verdict::Ready => "pass",
            Verdict::NotReady => "fail",
            Verdict::Incomplete => "error",
        };
        let _ = write!(
            out,
            "<tr><td class=\"mono\">{}</td><td><span class=\"badge status-{class}\">{}</span></td>",
            esc(&row.account),
            row.verdict.label()
        );
        for (_, cell) in &row.cells {
            match *cell {
                Some(cell) => {
                    let class = match cell {
                        CellStatus::Fail => "fail",
                        CellStatus::Error => "error",
                        CellStatus::Waived => "waived",
                        CellStatus::Pass => "pass",
                        CellStatus::NotApplicable => "not_applicable",
                    };
                    let _ = write!(
                        out,
                        "<td><span class=\"badge status-{class}\">{}</span></td>",
                        cell.label()
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</section>\n");
}
