//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
//!
//! Failing and error findings come first, grouped by rule with what to do; passes and
//! not-applicable findings are folded into a `<details>` block so the comment stays short.

use std::fmt::Write as _;

use super::{Report, Verdict};
use crate::baseline::Change;
use crate::finding::{Finding, Status};
use crate::report_data::CellStatus;
use crate::rules::RuleMeta;
use crate::untrusted_text::{is_disguising, visible};
use crate::waivers::WaiverState;

/// Findings grouped by rule, rules in the order they first appear (the report's rule order).
pub(crate) fn findings_by_rule(findings: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for finding in findings {
        match groups.iter_mut().find(|(id, _)| *id == finding.rule_id) {
            Some((_, members)) => members.push(finding),
            None => groups.push((&finding.rule_id, vec![finding])),
        }
    }
    groups
}

pub fn render(report: &Report) -> String {
    let verdict = Verdict::of(&report.summary);
    let icon = match verdict {
        Verdict::Ready => "✅",
        Verdict::NotReady => "❌",
        Verdict::Incomplete => "⚠️",
    };
    let mut out = String::new();
    let waived_note = match report.summary.waived {
        0 => String::new(),
        n => format!(" ({n} waived)"),
    };
    let _ = writeln!(
        out,
        "## {icon} Claude Code on Bedrock readiness: {}{waived_note}\n",
        verdict.label()
    );
    if let Some(rules) = &report.summary.rules {
        let _ = writeln!(
            out,
            "**Partial run** (`--only` / `--skip`): {}.\n",
            inline(&rules.describe_with_skipped())
        );
    }
    let scan = &report.scan;
    let _ = writeln!(
        out,
        "**Account:** {} · **Regions:** {} · **Scanned:** {} → {} · **Source:** {}  ",
        inline(&scan.accounts.join(", ")),
        inline(&scan.regions.join(", ")),
        inline(&scan.started_at),
        inline(&scan.finished_at),
        inline(&scan.source),
    );
    let _ = writeln!(
        out,
        "{} {} (rules {})\n",
        inline(&report.tool.name),
        inline(&report.tool.version),
        inline(&report.tool.rules_version),
    );

    let summary = &report.summary;
    out.push_str("| Status | Findings |\n|---|---:|\n");
    let _ = writeln!(out, "| ❌ Fail | {} |", summary.fail);
    let _ = writeln!(out, "| ⚠️ Error (could not judge) | {} |", summary.error);
    let _ = writeln!(out, "| ✅ Pass | {} |", summary.pass);
    let _ = writeln!(out, "| ➖ Not applicable | {} |", summary.not_applicable);
    let _ = writeln!(out, "| 🛡️ Waived (accepted risk) | {} |", summary.waived);
    if let Some(new) = summary.new {
        let _ = writeln!(out, "| 🆕 New since baseline | {new} |");
    }
    if let Some(baseline) = &report.baseline {
        let _ = writeln!(out, "| ✔️ Fixed since baseline | {} |", fixed_count(report));
        let _ = writeln!(
            out,
            "\nCompared with baseline {} ({} {}).",
            inline(&baseline.path),
            inline(&baseline.tool_version),
            inline(&baseline.started_at),
        );
    }
    out.push('\n');
    write_rollup(&mut out, report);

    let groups = findings_by_rule(&report.findings);
    let needs_action =
        |f: &&Finding| f.waiver.is_none() && matches!(f.status, Status::Fail | Status::Error);
    let failing: Vec<_> = groups
        .iter()
        .filter(|(_, findings)| findings.iter().any(needs_action))
        .collect();
    if !failing.is_empty() {
        out.push_str("### Failing and error findings\n\n");
    }
    for (rule_id, findings) in failing {
        let meta = crate::rules::meta(rule_id);
        let acted: Vec<&Finding> = findings.iter().copied().filter(needs_action).collect();
        write_rule_heading(&mut out, rule_id, meta, acted[0]);
        out.push_str(
            "| Status | Severity | Region | Resource | Message |\n|---|---|---|---|---|\n",
        );
        for finding in &acted {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} |",
                status_label(finding.status),
                if finding.baseline == Some(Change::New) {
                    " 🆕 new"
                } else {
                    ""
                },
                finding.severity.as_str(),
                cell(&finding.region),
                code_cell(&finding.resource),
                cell(&finding.message),
            );
        }
        out.push('\n');
        write_remediation(&mut out, meta, &acted);
    }

    write_waived(&mut out, report);

    let rest: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Pass | Status::NotApplicable))
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Passing ({}) and not applicable ({})</summary>\n",
            summary.pass, summary.not_applicable
        );
        out.push_str("| Rule | Status | Region | Resource | Message |\n|---|---|---|---|---|\n");
        for finding in rest {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                code_cell(&finding.rule_id),
                status_label(finding.status),
                cell(&finding.region),
                code_cell(&finding.resource),
                cell(&finding.message),
            );
        }
        out.push_str("\n</details>\n");
    }
    fit_in_a_comment(out)
}

/// GitHub refuses comments over 65,536 characters; leave room for a bot's own framing.
pub const COMMENT_LIMIT: usize = 60_000;

/// Cuts an over-long summary at a line boundary (most urgent findings come first, so the cut
/// loses the least important part), closes an open `<details>`, and says where the rest is.
fn fit_in_a_comment(text: String) -> String {
    if text.chars().count() <= COMMENT_LIMIT {
        return text;
    }
    let note = "\n> **Truncated:** this summary is longer than a pull-request comment allows. \
                Every finding is in the JSON, SARIF and HTML reports (`--format json,sarif,html --output-dir DIR`).\n";
    let budget = COMMENT_LIMIT - note.chars().count() - "\n</details>\n".len();
    let cut = text
        .char_indices()
        .nth(budget)
        .map_or(text.len(), |(index, _)| index);
    let kept = text[..cut]
        .rfind('\n')
        .map_or(&text[..cut], |end| &text[..=end]);
    let mut out = kept.to_string();
    if out.matches("<details>").count() > out.matches("</details>").count() {
        out.push_str("\n</details>\n");
    }
    out.push_str(note);
    out
}

/// Waived findings stay in plain view (an accepted risk is still a risk), and waivers that
/// expired or matched nothing are called out for review.
fn write_waived(out: &mut String, report: &Report) {
    let waived: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.waiver.is_some())
        .collect();
    if !waived.is_empty() {
        out.push_str("### Waived findings\n\n");
        out.push_str(
            "| Rule | Status | Region | Resource | Owner | Expires | Justification |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for finding in waived {
            let Some(waiver) = &finding.waiver else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                code_cell(&finding.rule_id),
                status_label(finding.status),
                cell(&finding.region),
                code_cell(&finding.resource),
                cell(&waiver.owner),
                waiver.expires,
                cell(&waiver.justification),
            );
        }
        out.push('\n');
    }
    let attention: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state != WaiverState::Active)
        .collect();
    if !attention.is_empty() {
        out.push_str("### Waivers to review\n\n");
        for entry in attention {
            let why = match entry.state {
                WaiverState::Expired => format!(
                    "expired on {}: no longer applies ({} finding(s) it would cover)",
                    entry.waiver.expires,
                    entry.matched.len()
                ),
                _ => "matched no finding: remove it or fix its pattern".to_string(),
            };
            let _ = writeln!(
                out,
                "- {} {} (owner {}, {}): {why}",
                code_cell(&entry.waiver.rule),
                code_cell(&entry.waiver.resource),
                inline(&entry.waiver.owner),
                inline(&entry.waiver.declared_in),
            );
        }
        out.push('\n');
    }
}

/// Problems in the baseline that are gone now: resolved in place or no longer reported.
pub(crate) fn fixed_count(report: &Report) -> usize {
    let in_place = report
        .findings
        .iter()
        .filter(|f| f.baseline == Some(Change::Fixed))
        .count();
    in_place + report.baseline.as_ref().map_or(0, |b| b.fixed.len())
}

fn write_rule_heading(out: &mut String, rule_id: &str, meta: Option<&RuleMeta>, first: &Finding) {
    let id = visible(rule_id).replace('`', "'");
    let _ = match meta {
        Some(meta) => writeln!(
            out,
            "#### {} ({}, `{id}`)\n",
            inline(&meta.title),
            meta.severity.as_str()
        ),
        // A rule this build does not know (a report from another version): its id is its title.
        None => writeln!(out, "#### `{id}` ({})\n", first.severity.as_str()),
    };
}

/// The rule's fix (with its CLI command) for failures; the distinct access advice for errors,
/// which is about the scanner's permissions rather than the account's configuration.
fn write_remediation(out: &mut String, meta: Option<&RuleMeta>, acted: &[&Finding]) {
    let has_fail = acted.iter().any(|f| f.status == Status::Fail);
    if has_fail {
        match meta {
            Some(meta) => {
                let _ = writeln!(
                    out,
                    "**Remediation:** {}\n",
                    inline(meta.remediation.trim())
                );
                if !meta.remediation_cli.trim().is_empty() {
                    let cli = meta.remediation_cli.trim();
                    let fence = fence_for(cli);
                    let _ = writeln!(out, "{fence}sh\n{cli}\n{fence}\n");
                }
            }
            None => {
                let mut seen: Vec<&str> = Vec::new();
                for f in acted.iter().filter(|f| f.status == Status::Fail) {
                    if !seen.contains(&f.remediation.as_ref()) {
                        seen.push(&f.remediation);
                    }
                }
                for remediation in seen {
                    let _ = writeln!(out, "**Remediation:** {}\n", inline(remediation.trim()));
                }
            }
        }
    }
    let mut error_advice: Vec<&str> = Vec::new();
    for f in acted.iter().filter(|f| f.status == Status::Error) {
        if !error_advice.contains(&f.remediation.as_ref()) {
            error_advice.push(&f.remediation);
        }
    }
    for advice in error_advice {
        let _ = writeln!(out, "**To judge the errors:** {}\n", inline(advice.trim()));
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Error => "⚠️ error",
        Status::NotApplicable => "➖ n/a",
    }
}

/// A code fence longer than any backtick run in `body`, so the body cannot close it.
fn fence_for(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Outside text in the summary, never markup: HTML is neutralised (so report content cannot
/// open or close a `<details>` block, or be a tag or an `<autolink>`), Markdown syntax is
/// backslash-escaped (so `![t](https://…)` is not an image and `[click](…)` not a link), bare
/// URLs are broken so GitHub does not link them, disguising characters become `\u{…}`, and line
/// breaks (CR, LF or both) become `<br>` so a value cannot start a line of its own.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if is_disguising(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    unlink(out)
}

/// GitHub turns `http://…`, `https://…` and `www.…` into links even without markup; an escaped
/// slash or dot keeps them plain text (rendered the same).
fn unlink(text: String) -> String {
    if !text.contains("://") && !text.contains("www.") {
        return text;
    }
    text.replace("://", r":\/\/").replace("www.", r"www\.")
}

/// A table cell: as [`inline`] (which escapes `|` too, so a value cannot split the row).
fn cell(text: &str) -> String {
    let (kept, cut) = capped(text);
    format!("{}{cut}", inline(kept))
}

/// The most characters of one value a table cell shows. A summary that is too long is cut at a
/// line boundary, and a table row is one line: a single huge value would otherwise take every
/// row with it, leaving a summary with no findings at all.
pub const CELL_LIMIT: usize = 1_000;

/// `text` cut to [`CELL_LIMIT`] characters, and the note that says so (empty when uncut).
fn capped(text: &str) -> (&str, String) {
    match text.char_indices().nth(CELL_LIMIT) {
        None => (text, String::new()),
        Some((end, _)) => (
            &text[..end],
            format!(
                " … ({} more characters: see the JSON report)",
                text[end..].chars().count()
            ),
        ),
    }
}

/// A table cell shown as code (where nothing is markup); falls back to an escaped cell when
/// the value holds a backtick or a line break, which a code span cannot hold.
fn code_cell(text: &str) -> String {
    if text.contains(['`', '\n', '\r']) {
        return cell(text);
    }
    let (kept, cut) = capped(text);
    format!("`{}`{cut}", visible(kept).replace('|', "\\|"))
}

/// With several accounts: accounts × rules, the worst status in each cell, and each account's
/// verdict, before the details.
fn write_rollup(out: &mut String, report: &Report) {
    let rows = report.rollup_of_registry();
    if rows.is_empty() {
        return;
    }
    out.push_str("### Accounts\n\n| Account | Verdict |");
    for (rule, _) in &rows[0].cells {
        let _ = write!(out, " {} |", inline(rule));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(rows[0].cells.len()));
    out.push('\n');
    for row in &rows {
        let _ = write!(
            out,
            "| {} | {} |",
            inline(&row.account),
            row.verdict.label()
        );
        for (_, cell) in &row.cells {
            let symbol = match cell {
                Some(CellStatus::Fail) => "❌",
                Some(CellStatus::Error) => "⚠️",
                Some(CellStatus::Waived) => "🛡️",
                Some(CellStatus::Pass) => "✅",
                Some(CellStatus::NotApplicable) => "➖",
                None => " ",
            };
            let _ = write!(out, " {symbol} |");
        }
        out.push('\n');
    }
    out.push('\n');
}
