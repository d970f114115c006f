//! `--format table`: for people at a terminal.
//!
//! Layout: a header (tool, accounts, regions, scan times), then one table per rule in registry
//! order (rules not in the registry follow, in order of appearance), each followed by the
//! remediation of its failing and unreadable findings, then a summary of counts and a verdict.
//! The width is fixed at [`TABLE_WIDTH`] columns whatever the terminal, so the output is the
//! same on a terminal, in a pipe and in a golden test.

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{Report, Verdict};
use crate::finding::{Finding, Severity, Status};
use crate::rules::RuleMeta;
use crate::untrusted_text::{elided, DISPLAY_LIMIT};

/// Total width of each rule's table, borders included.
pub const TABLE_WIDTH: u16 = 120;

pub fn render(report: &Report, color: bool) -> String {
    render_with_rules(report, color, crate::rules::all_metadata())
}

/// Renders against an explicit rule catalogue (titles, order); `render` passes the registry's.
pub fn render_with_rules(report: &Report, color: bool, rules: &[RuleMeta]) -> String {
    let paint = Painter { color };
    let mut out = String::new();

    out.push_str(&paint.bold(&format!(
        "{} {} · Claude Code on Amazon Bedrock readiness",
        shown(&report.tool.name),
        shown(&report.tool.version)
    )));
    out.push('\n');
    out.push_str(&format!(
        "Account{}: {}   Region{}: {}\n",
        plural(report.scan.accounts.len()),
        list_or_none(&report.scan.accounts),
        plural(report.scan.regions.len()),
        list_or_none(&report.scan.regions),
    ));
    out.push_str(&format!(
        "Scanned: {} → {} (source: {}, rules {})\n",
        shown(&report.scan.started_at),
        shown(&report.scan.finished_at),
        shown(&report.scan.source),
        shown(&report.tool.rules_version)
    ));

    for (rule_id, findings) in group_by_rule(&report.findings, rules) {
        let meta = rules.iter().find(|m| m.id == rule_id);
        out.push('\n');
        let title = meta.map_or("(rule not in this version's registry)", |m| {
            m.title.as_str()
        });
        let severity = meta
            .map(|m| m.severity)
            .or_else(|| findings.first().map(|f| f.severity))
            .unwrap_or(Severity::Info);
        out.push_str(&paint.bold(&format!(
            "{} · {} [{}]",
            shown(&rule_id),
            shown(title),
            severity.as_str()
        )));
        out.push('\n');
        out.push_str(&findings_table(&findings, color).to_string());
        out.push('\n');
        for remediation in remediations(&findings) {
            out.push_str(&remediation_block(remediation, &paint));
        }
    }

    let summary = &report.summary;
    out.push('\n');
    out.push_str(&format!(
        "Summary: {} · {} · {} · {}\n",
        paint.status(Status::Pass, &format!("pass {}", summary.pass)),
        paint.status(Status::Fail, &format!("fail {}", summary.fail)),
        paint.status(Status::Error, &format!("error {}", summary.error)),
        paint.status(
            Status::NotApplicable,
            &format!("n/a {}", summary.not_applicable)
        ),
    ));
    if summary.waived > 0 || summary.new.is_some() {
        let mut extra = Vec::new();
        if summary.waived > 0 {
            extra.push(format!("waived {}", summary.waived));
        }
        if let (Some(new), Some(baseline)) = (summary.new, &report.baseline) {
            extra.push(format!(
                "new since baseline {new} · fixed since baseline {}",
                report
                    .findings
                    .iter()
                    .filter(|f| f.baseline == Some(crate::baseline::Change::Fixed))
                    .count()
                    + baseline.fixed.len()
            ));
        }
        out.push_str(&format!("         {}\n", extra.join(" · ")));
    }
    for waiver in &report.waivers {
        let what = match waiver.state {
            crate::waivers::WaiverState::Expired => format!(
                "Expired waiver (no longer applies): {} {} expired {}",
                shown(&waiver.waiver.rule),
                shown(&waiver.waiver.resource),
                waiver.waiver.expires,
            ),
            crate::waivers::WaiverState::Unused => format!(
                "Unused waiver (matched no finding: remove it or fix its pattern): {} {}",
                shown(&waiver.waiver.rule),
                shown(&waiver.waiver.resource),
            ),
            crate::waivers::WaiverState::Active => continue,
        };
        out.push_str(&format!("{what} ({})\n", shown(&waiver.waiver.declared_in)));
    }
    out.push_str(&verdict_line(report, &paint));
    out.push('\n');
    out
}

/// Findings grouped by rule: registry order first, then unknown rule ids as they appear.
fn group_by_rule<'a>(
    findings: &'a [Finding],
    rules: &[RuleMeta],
) -> Vec<(String, Vec<&'a Finding>)> {
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    let rank = |id: &str| rules.iter().position(|m| m.id == id).unwrap_or(usize::MAX);
    for finding in findings {
        match groups.iter_mut().find(|(id, _)| *id == finding.rule_id) {
            Some((_, members)) => members.push(finding),
            None => groups.push((finding.rule_id.clone(), vec![finding])),
        }
    }
    // A stable sort keeps unknown rules (rank MAX) in order of appearance.
    groups.sort_by_key(|(id, _)| rank(id));
    groups
}

fn findings_table(findings: &[&Finding], color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(TABLE_WIDTH);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(["Status", "Severity", "Region", "Resource", "Message"]);
    for finding in findings {
        let mut label = if finding.waiver.is_some() {
            "WAIVED".to_string()
        } else {
            status_label(finding.status).to_string()
        };
        if finding.baseline == Some(crate::baseline::Change::New) {
            label.push_str(" (new)");
        }
        let mut status = Cell::new(label).set_alignment(CellAlignment::Left);
        if color {
            let shade = if finding.waiver.is_some() {
                Color::DarkGrey
            } else {
                status_color(finding.status)
            };
            status = status.fg(shade).add_attribute(Attribute::Bold);
        }
        let message = match &finding.waiver {
            Some(w) => format!(
                "{}\nWaived until {} by {}: {}",
                shown(&finding.message),
                w.expires,
                shown(&w.owner),
                shown(&w.justification)
            ),
            None => shown(&finding.message),
        };
        table.add_row(vec![
            status,
            Cell::new(finding.severity.as_str()),
            Cell::new(shown(&finding.region)),
            Cell::new(shown(&finding.resource)),
            Cell::new(message),
        ]);
    }
    table
}

/// Distinct remediations of the findings that need action (fail and error), in order.
fn remediations<'a>(findings: &[&'a Finding]) -> Vec<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for finding in findings {
        if matches!(finding.status, Status::Fail | Status::Error) && finding.waiver.is_none() {
            let text = finding.remediation.trim();
            if !text.is_empty() && !seen.contains(&text) {
                seen.push(text);
            }
        }
    }
    seen
}

/// `  Fix: first line`, further lines aligned beneath it, every line wrapped to the table width.
fn remediation_block(remediation: &str, paint: &Painter) -> String {
    const LABEL: &str = "  Fix: ";
    let indent = " ".repeat(LABEL.len());
    let mut block = String::new();
    let mut first = true;
    for line in remediation.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let line = shown(line);
        for wrapped in wrap_words(&line, usize::from(TABLE_WIDTH) - LABEL.len()) {
            if first {
                block.push_str(&format!("  {} {wrapped}\n", paint.bold("Fix:")));
                first = false;
            } else {
                block.push_str(&format!("{indent}{wrapped}\n"));
            }
        }
    }
    block
}

/// Greedy word wrap; a word longer than `width` keeps a line of its own.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Fail outranks error (a known failure is a definite "not ready"); errors alone make the
/// result incomplete, and a report with no findings at all is never called ready.
fn verdict_line(report: &Report, paint: &Painter) -> String {
    let summary = &report.summary;
    match Verdict::of(summary) {
        Verdict::NotReady => {
            let unread = if summary.error > 0 {
                format!(
                    "; {} more check{} could not be evaluated",
                    summary.error,
                    plural(summary.error)
                )
            } else {
                String::new()
            };
            format!(
                "Verdict: {} — {} failed{unread}.",
                paint.status(Status::Fail, "NOT READY"),
                count(summary.fail, "check")
            )
        }
        Verdict::Incomplete if summary.error > 0 => format!(
            "Verdict: {} — {} could not be evaluated; fix access and scan again before relying on this result.",
            paint.status(Status::Error, "INCOMPLETE"),
            count(summary.error, "check")
        ),
        Verdict::Incomplete => format!(
            "Verdict: {} — no checks were evaluated (nothing passed or failed); nothing evaluated is not a pass.",
            paint.status(Status::Error, "INCOMPLETE")
        ),
        Verdict::Ready if summary.waived > 0 => format!(
            "Verdict: {} — every evaluated check passed or is waived ({} waived).",
            paint.status(Status::Pass, "READY"),
            summary.waived
        ),
        Verdict::Ready => format!(
            "Verdict: {} — every evaluated check passed.",
            paint.status(Status::Pass, "READY")
        ),
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
    }
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Error => Color::Yellow,
        Status::NotApplicable => Color::DarkGrey,
    }
}

/// ANSI styling for the text outside the tables; a no-op when colour is off.
struct Painter {
    color: bool,
}

impl Painter {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn status(&self, status: Status, text: &str) -> String {
        let code = match status {
            Status::Pass => "1;32",
            Status::Fail => "1;31",
            Status::Error => "1;33",
            Status::NotApplicable => "2",
        };
        self.wrap(code, text)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        shown(&items.join(", "))
    }
}

/// Outside text as the table shows it: one line, no control or disguising characters (they
/// become `\u{…}` escapes), and at most [`DISPLAY_LIMIT`] characters, so that one hostile
/// value cannot take over the terminal or make the table slow or huge. Every cell is short,
/// which also keeps comfy-table's wrapping (quadratic in a cell's longest word) cheap.
fn shown(text: &str) -> String {
    elided(text, DISPLAY_LIMIT).into_owned()
}
