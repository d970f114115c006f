//! `--format table`: for people at a terminal.
//!
//! Layout, answer first:
//! 1. the verdict, the counts, the accounts and regions, the tool and scan times;
//! 2. what needs action: failing and error findings grouped by rule, the most severe rule
//!    first, each rule with its fix; a rule with more than [`FOLD_AFTER`] such findings shows
//!    the first ones and says how many more there are;
//! 3. waived findings, and waivers that expired or matched nothing;
//! 4. what passed (and what did not apply), folded to one line per rule and region;
//!    `--show-passed` lists every finding instead;
//! 5. the verdict again when the output is longer than a screen ([`SCREEN_LINES`]).
//!
//! Resources are shown by their short name (the log group name, trail name, endpoint id, key
//! id or alias, model id); the ARN where two resources in one region would share a short
//! name. Every line fits the width given ([`TableOptions::width`]): text wraps at spaces, and
//! only a single word wider than its column is broken (between the parts of a path or an ARN
//! where it can be), never shortened, so nothing is hidden. Outside text goes through
//! [`crate::untrusted_text`] first, so it can neither drive the terminal nor hide itself.

use std::collections::{BTreeMap, BTreeSet};

use comfy_table::{
    presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
    Width,
};
use unicode_width::UnicodeWidthStr;

use super::{Report, Verdict};
use crate::finding::{Finding, Severity, Status};
use crate::report_data::CellStatus;
use crate::rules::RuleMeta;
use crate::untrusted_text::{elided, DISPLAY_LIMIT};

/// The width used when stdout is not a terminal (a pipe, a file) and no `--width` was given.
pub const DEFAULT_WIDTH: u16 = 100;
/// The narrowest and widest widths the table lays itself out for.
pub const MIN_WIDTH: u16 = 40;
pub const MAX_WIDTH: u16 = 1_000;
/// Failing or error findings shown per rule before the rest are counted instead of listed.
pub const FOLD_AFTER: usize = 20;
/// Output longer than this repeats the verdict at the end.
pub const SCREEN_LINES: usize = 24;

/// How the table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// ANSI colour.
    pub color: bool,
    /// The most columns any line may take, clamped to [`MIN_WIDTH`]..=[`MAX_WIDTH`].
    pub width: u16,
    /// List every finding (passes, not applicable, and every failure) instead of folding.
    pub show_passed: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            color: false,
            width: DEFAULT_WIDTH,
            show_passed: false,
        }
    }
}

/// The width of the terminal on stdout, if stdout is one.
pub fn terminal_width() -> Option<u16> {
    let probe = Table::new();
    if probe.is_tty() {
        probe.width()
    } else {
        None
    }
}

pub fn render(report: &Report, options: &TableOptions) -> String {
    render_with_rules(report, options, crate::rules::all_metadata())
}

/// Renders against an explicit rule catalogue (titles, order); `render` passes the registry's.
pub fn render_with_rules(report: &Report, options: &TableOptions, rules: &[RuleMeta]) -> String {
    let page = Page {
        width: usize::from(options.width.clamp(MIN_WIDTH, MAX_WIDTH)),
        paint: Painter {
            color: options.color,
        },
        show_passed: options.show_passed,
        names: ShortNames::of(&report.findings),
        rules,
        rule_id_width: 0,
        lines: Vec::new(),
    };
    page.render(report)
}

struct Page<'a> {
    width: usize,
    paint: Painter,
    show_passed: bool,
    names: ShortNames,
    rules: &'a [RuleMeta],
    /// The widest rule id among the folded lines, so that their texts line up.
    rule_id_width: usize,
    lines: Vec<String>,
}

impl Page<'_> {
    fn render(mut self, report: &Report) -> String {
        self.header(report);
        self.needs_action(report);
        self.waived(report);
        self.waiver_states(report);
        self.passed(report);
        if self.lines.len() > SCREEN_LINES {
            self.blank();
            self.verdict(report);
        }
        let mut out = self.lines.join("\n");
        out.push('\n');
        out
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// Pushes styled text wrapped to the page width; continuation lines are indented.
    fn push(&mut self, segments: &[(Style, &str)], indent: usize) {
        self.push_after(&[], segments, indent);
    }

    /// [`Self::push`] after a `lead` kept as it is (spaces included) at the start of the
    /// first line.
    fn push_after(&mut self, lead: &[(Style, &str)], segments: &[(Style, &str)], indent: usize) {
        let wrapped = wrap_styled(lead, segments, self.width, indent, &self.paint);
        self.lines.extend(wrapped);
    }

    fn header(&mut self, report: &Report) {
        self.verdict(report);
        self.summary(report);
        let accounts = format!(
            "Account{}: {}",
            plural(report.scan.accounts.len()),
            list_or_none(&report.scan.accounts)
        );
        let regions = format!(
            "Region{}: {}",
            plural(report.scan.regions.len()),
            list_or_none(&report.scan.regions)
        );
        self.push(&[(Style::Plain, &format!("{accounts} · {regions}"))], 2);
        let tool = format!(
            "{} {} · scanned {} → {} · source: {} · rules {}",
            shown(&report.tool.name),
            shown(&report.tool.version),
            shown(&report.scan.started_at),
            shown(&report.scan.finished_at),
            shown(&report.scan.source),
            shown(&report.tool.rules_version)
        );
        self.push(&[(Style::Dim, &tool)], 2);
        self.rollup(report);
    }

    /// With several accounts: one line per account, its verdict and the rules it fails or
    /// could not be judged on, before the details.
    fn rollup(&mut self, report: &Report) {
        let rule_ids: Vec<&str> = self.rules.iter().map(|m| m.id.as_str()).collect();
        let rows = report.rollup(&rule_ids);
        if rows.is_empty() {
            return;
        }
        self.blank();
        self.push(&[(Style::Bold, "By account")], 2);
        for row in rows {
            let rules_with = |wanted: CellStatus| -> Vec<&str> {
                row.cells
                    .iter()
                    .filter(|(_, cell)| *cell == Some(wanted))
                    .map(|(rule, _)| rule.as_str())
                    .collect()
            };
            let mut detail = Vec::new();
            for (label, status) in [
                ("fails", CellStatus::Fail),
                ("not evaluated", CellStatus::Error),
            ] {
                let rules = rules_with(status);
                if !rules.is_empty() {
                    detail.push(format!("{label}: {}", rules.join(", ")));
                }
            }
            let style = match row.verdict {
                Verdict::Ready => Style::Status(Status::Pass),
                Verdict::NotReady => Style::Status(Status::Fail),
                Verdict::Incomplete => Style::Status(Status::Error),
            };
            let lead = format!("  {}  ", shown(&row.account));
            self.push_after(
                &[(Style::Plain, &lead)],
                &[
                    (style, row.verdict.label()),
                    (
                        Style::Plain,
                        &if detail.is_empty() {
                            String::new()
                        } else {
                            format!("— {}", detail.join(" · "))
                        },
                    ),
                ],
                lead.chars().count(),
            );
        }
    }

    /// `Verdict: NOT READY — 3 checks failed …`. Fail outranks error (a known failure is a
    /// definite "not ready"); errors alone make the result incomplete, and a report with no
    /// findings at all is never called ready.
    fn verdict(&mut self, report: &Report) {
        let summary = &report.summary;
        let verdict = Verdict::of(summary);
        let (style, rest) = match verdict {
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
                (
                    Style::Status(Status::Fail),
                    format!("— {} failed{unread}.", count(summary.fail, "check")),
                )
            }
            Verdict::Incomplete if summary.error > 0 => (
                Style::Status(Status::Error),
                format!(
                    "— {} could not be evaluated; fix access and scan again before relying on this result.",
                    count(summary.error, "check")
                ),
            ),
            Verdict::Incomplete if summary.rules.is_some() && !summary.judged_nothing() => (
                Style::Status(Status::Error),
                "— every evaluated check passed, but not every rule was evaluated.".to_string(),
            ),
            Verdict::Incomplete => (
                Style::Status(Status::Error),
                "— no checks were evaluated (nothing passed or failed); nothing evaluated is not a pass.".to_string(),
            ),
            Verdict::Ready if summary.waived > 0 => (
                Style::Status(Status::Pass),
                format!(
                    "— every evaluated check passed or is waived ({} waived).",
                    summary.waived
                ),
            ),
            Verdict::Ready => (
                Style::Status(Status::Pass),
                "— every evaluated check passed.".to_string(),
            ),
        };
        self.push(
            &[
                (Style::Bold, "Verdict:"),
                (style, verdict.label()),
                (Style::Plain, &rest),
            ],
            2,
        );
    }

    fn summary(&mut self, report: &Report) {
        let summary = &report.summary;
        let pass = format!("pass {}", summary.pass);
        let fail = format!("fail {}", summary.fail);
        let error = format!("error {}", summary.error);
        let not_applicable = format!("n/a {}", summary.not_applicable);
        self.push(
            &[
                (Style::Plain, "Summary:"),
                (Style::Status(Status::Pass), &pass),
                (Style::Plain, "·"),
                (Style::Status(Status::Fail), &fail),
                (Style::Plain, "·"),
                (Style::Status(Status::Error), &error),
                (Style::Plain, "·"),
                (Style::Status(Status::NotApplicable), &not_applicable),
            ],
            9,
        );
        let mut extra = Vec::new();
        if summary.waived > 0 {
            extra.push(format!("waived {}", summary.waived));
        }
        if let Some(rules) = &summary.rules {
            extra.push(format!(
                "partial run (--only / --skip): {}",
                rules.describe()
            ));
        }
        if let (Some(new), Some(baseline)) = (summary.new, &report.baseline) {
            let fixed = report
                .findings
                .iter()
                .filter(|f| f.baseline == Some(crate::baseline::Change::Fixed))
                .count()
                + baseline.fixed.len();
            extra.push(format!("new since baseline {new}"));
            extra.push(format!("fixed since baseline {fixed}"));
        }
        if !extra.is_empty() {
            self.push_after(
                &[(Style::Plain, "         ")],
                &[(Style::Plain, &extra.join(" · "))],
                9,
            );
        }
    }

    /// Failing and error findings that are not waived, grouped by rule, most severe first.
    fn needs_action(&mut self, report: &Report) {
        let open: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.waiver.is_none() && matches!(f.status, Status::Fail | Status::Error))
            .collect();
        if open.is_empty() {
            return;
        }
        let mut groups = group_by_rule(&open, self.rules);
        // Stable: registry order among rules of the same severity.
        groups.sort_by_key(|(_, findings)| {
            std::cmp::Reverse(findings.iter().map(|f| f.severity).max())
        });
        for (rule_id, mut findings) in groups {
            // Failures before errors within a rule; otherwise the rule's own order.
            findings.sort_by_key(|f| f.status != Status::Fail);
            self.blank();
            let failing = findings.iter().filter(|f| f.status == Status::Fail).count();
            let errors = findings.len() - failing;
            let mut tally = Vec::new();
            if failing > 0 {
                tally.push(format!("{failing} failing"));
            }
            if errors > 0 {
                tally.push(format!("{errors} could not be evaluated"));
            }
            let (mark, status) = if failing > 0 {
                ("✗", Status::Fail)
            } else {
                ("!", Status::Error)
            };
            self.rule_heading(&rule_id, &findings, mark, status, &tally.join(", "));
            self.folded_findings_table(&findings);
            self.fixes(&findings);
        }
    }

    fn rule_heading(
        &mut self,
        rule_id: &str,
        findings: &[&Finding],
        mark: &str,
        status: Status,
        tally: &str,
    ) {
        let meta = self.rules.iter().find(|m| m.id == rule_id);
        let title = meta.map_or("(rule not in this version's registry)", |m| {
            m.title.as_str()
        });
        let severity = findings
            .iter()
            .map(|f| f.severity)
            .max()
            .or(meta.map(|m| m.severity))
            .unwrap_or(Severity::Info);
        let heading = format!("{} · {}", shown(rule_id), shown(title));
        let tail = format!("[{}] — {tally}", severity.as_str());
        self.push(
            &[
                (Style::Status(status), mark),
                (Style::Bold, &heading),
                (Style::Plain, &tail),
            ],
            2,
        );
    }

    /// `  Fix: first line`, further lines aligned beneath it: the distinct remediations of the
    /// findings, at most a few (they are per rule, rarely per resource).
    fn fixes(&mut self, findings: &[&Finding]) {
        const MOST: usize = 5;
        let mut seen: Vec<&str> = Vec::new();
        for finding in findings {
            let text = finding.remediation.trim();
            if !text.is_empty() && !seen.contains(&text) {
                seen.push(text);
            }
        }
        for remediation in seen.iter().take(MOST) {
            for (index, paragraph) in paragraphs(remediation).iter().enumerate() {
                let lead: &[(Style, &str)] = if index == 0 {
                    &[
                        (Style::Plain, "  "),
                        (Style::Bold, "Fix:"),
                        (Style::Plain, " "),
                    ]
                } else {
                    &[(Style::Plain, "       ")]
                };
                self.push_after(lead, &[(Style::Plain, &shown(paragraph))], 7);
            }
        }
        if seen.len() > MOST {
            self.push_after(
                &[(Style::Plain, "       ")],
                &[(
                    Style::Plain,
                    &format!(
                        "… and {} more fixes (--format json for all)",
                        seen.len() - MOST
                    ),
                )],
                7,
            );
        }
    }

    fn waived(&mut self, report: &Report) {
        let waived: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.waiver.is_some())
            .collect();
        if waived.is_empty() {
            return;
        }
        self.blank();
        self.push(
            &[(
                Style::Bold,
                &format!(
                    "Waived ({}): failing or unreadable, accepted until the waiver expires",
                    waived.len()
                ),
            )],
            2,
        );
        for (rule_id, findings) in group_by_rule(&waived, self.rules) {
            let tally = format!("{} waived", findings.len());
            self.rule_heading(&rule_id, &findings, "~", Status::NotApplicable, &tally);
            self.folded_findings_table(&findings);
        }
    }

    fn waiver_states(&mut self, report: &Report) {
        let mut said = Vec::new();
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
            said.push(format!("{what} ({})", shown(&waiver.waiver.declared_in)));
        }
        if said.is_empty() {
            return;
        }
        self.blank();
        for line in said {
            self.push(&[(Style::Plain, &line)], 2);
        }
    }

    /// Passing and not-applicable findings: one line per rule and region, or (with
    /// `--show-passed`) a table per rule.
    fn passed(&mut self, report: &Report) {
        let settled: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| {
                f.waiver.is_none() && matches!(f.status, Status::Pass | Status::NotApplicable)
            })
            .collect();
        if settled.is_empty() {
            return;
        }
        self.blank();
        let heading = if self.show_passed {
            "Passed and not applicable:"
        } else {
            "Passed and not applicable (--show-passed lists each):"
        };
        self.push(&[(Style::Bold, heading)], 2);
        self.rule_id_width = settled
            .iter()
            .map(|f| shown(&f.rule_id).width())
            .max()
            .unwrap_or(0)
            .min(self.width / 3);
        for (rule_id, findings) in group_by_rule(&settled, self.rules) {
            if self.show_passed {
                let passing = findings.iter().filter(|f| f.status == Status::Pass).count();
                let not_applicable = findings.len() - passing;
                let tally = match (passing, not_applicable) {
                    (_, 0) => format!("{passing} passing"),
                    (0, _) => format!("{not_applicable} not applicable"),
                    _ => format!("{passing} passing, {not_applicable} not applicable"),
                };
                let (mark, status) = if passing > 0 {
                    ("✓", Status::Pass)
                } else {
                    ("–", Status::NotApplicable)
                };
                self.rule_heading(&rule_id, &findings, mark, status, &tally);
                self.findings_table(&findings);
                continue;
            }
            for status in [Status::Pass, Status::NotApplicable] {
                let mut by_region: Vec<(&str, Vec<&Finding>)> = Vec::new();
                for finding in findings.iter().filter(|f| f.status == status) {
                    match by_region.iter_mut().find(|(r, _)| *r == finding.region) {
                        Some((_, members)) => members.push(finding),
                        None => by_region.push((finding.region.as_str(), vec![finding])),
                    }
                }
                for (region, members) in by_region {
                    self.folded_line(&rule_id, status, region, &members);
                }
            }
        }
    }

    /// `✓ log-retention-set  641 log groups in us-east-1 pass: <rule title>`.
    fn folded_line(&mut self, rule_id: &str, status: Status, region: &str, findings: &[&Finding]) {
        let (mark, verb) = match status {
            Status::Pass => ("✓", "pass"),
            _ => ("–", "not applicable"),
        };
        let place = if region == "global" {
            "account-wide".to_string()
        } else {
            format!("in {}", shown(region))
        };
        let first_message = findings.first().map_or("", |f| f.message.as_str());
        let text = if findings.len() == 1 || findings.iter().all(|f| f.message == first_message) {
            // One message says it all; name the region unless it already does.
            let message = shown(first_message);
            let lead = if findings.len() > 1 {
                format!("{} {place}: ", count_of(findings))
            } else if message.contains(region) {
                String::new()
            } else if region == "global" {
                "account-wide: ".to_string()
            } else {
                format!("{}: ", shown(region))
            };
            let verb = if status == Status::NotApplicable {
                "not applicable — "
            } else {
                ""
            };
            format!("{lead}{verb}{message}")
        } else {
            let title = self
                .rules
                .iter()
                .find(|m| m.id == rule_id)
                .map_or(String::new(), |m| format!(": {}", shown(&m.title)));
            format!("{} {place} {verb}{title}", count_of(findings))
        };
        let id = format!(" {:<1$}  ", shown(rule_id), self.rule_id_width);
        self.push_after(
            &[(Style::Status(status), mark), (Style::Plain, &id)],
            &[(Style::Plain, &text)],
            4,
        );
    }

    /// The first [`FOLD_AFTER`] findings (all with `--show-passed`), then how many more there are.
    fn folded_findings_table(&mut self, findings: &[&Finding]) {
        let shown_count = if self.show_passed {
            findings.len()
        } else {
            findings.len().min(FOLD_AFTER)
        };
        self.findings_table(&findings[..shown_count]);
        if shown_count < findings.len() {
            self.push(
                &[(
                    Style::Plain,
                    &format!(
                        "… and {} more (--show-passed / --format json for all)",
                        findings.len() - shown_count
                    ),
                )],
                4,
            );
        }
    }

    fn findings_table(&mut self, findings: &[&Finding]) {
        let rows: Vec<Row> = findings.iter().map(|f| self.row(f)).collect();
        let table = layout_table(&rows, self.width, self.paint.color);
        self.lines
            .extend(table.to_string().lines().map(str::to_string));
    }

    fn row(&self, finding: &Finding) -> Row {
        let mut label = if finding.waiver.is_some() {
            "WAIVED".to_string()
        } else {
            status_label(finding.status).to_string()
        };
        if finding.baseline == Some(crate::baseline::Change::New) {
            label.push_str(" (new)");
        }
        let shade = if finding.waiver.is_some() {
            Color::DarkGrey
        } else {
            status_color(finding.status)
        };
        let mut message = vec![shown(&finding.message)];
        if let Some(w) = &finding.waiver {
            message.push(format!(
                "Waived until {} by {}: {}",
                w.expires,
                shown(&w.owner),
                shown(&w.justification)
            ));
        }
        Row {
            status: label,
            shade,
            region: shown(&finding.region),
            resource: shown(self.names.name_of(finding)),
            message,
        }
    }
}

/// One finding as the table shows it; every text already made visible.
struct Row {
    status: String,
    shade: Color,
    region: String,
    resource: String,
    /// Paragraphs (the message, then a waiver's terms).
    message: Vec<String>,
}

/// Columns are sized here rather than by comfy-table, so that no name is ever split: with
/// room, four columns (status, region, resource, message); when the resource would squeeze
/// the message below a readable width, the resource moves above its message in one column.
fn layout_table(rows: &[Row], width: usize, color: bool) -> Table {
    const SIDE_BY_SIDE_MESSAGE: usize = 36;
    let status_w = column_width("Status", rows.iter().map(|r| r.status.as_str()));
    let region_w = column_width("Region", rows.iter().map(|r| r.region.as_str()));
    let resource_w = column_width("Resource", rows.iter().map(|r| r.resource.as_str()));
    let message_w = column_width(
        "Message",
        rows.iter()
            .flat_map(|r| r.message.iter().map(String::as_str)),
    );
    // Borders and padding: 1 + 3 per column, with one content space each side.
    let four_rest = width.saturating_sub(1 + 3 * 4 + status_w + region_w);
    let three_rest = width.saturating_sub(1 + 3 * 3 + status_w + region_w);
    // Side by side only if the message column stays readable and holds its longest word
    // (an ARN quoted in a message) whole.
    let longest_word = rows
        .iter()
        .flat_map(|r| r.message.iter().flat_map(|m| m.split_whitespace()))
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    let side_by_side =
        resource_w + message_w.min(SIDE_BY_SIDE_MESSAGE).max(longest_word) <= four_rest;

    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(MAX_WIDTH));
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let status_cell = |row: &Row| {
        let cell = Cell::new(&row.status).set_alignment(CellAlignment::Left);
        if color {
            cell.fg(row.shade).add_attribute(Attribute::Bold)
        } else {
            cell
        }
    };
    let widths: Vec<usize> = if side_by_side {
        table.set_header(["Status", "Region", "Resource", "Message"]);
        let message = message_w.min(four_rest - resource_w).max(1);
        for row in rows {
            table.add_row(vec![
                status_cell(row),
                Cell::new(&row.region),
                Cell::new(&row.resource),
                Cell::new(fit_paragraphs(&row.message, message)),
            ]);
        }
        vec![status_w, region_w, resource_w, message]
    } else {
        table.set_header(["Status", "Region", "Resource · message"]);
        let combined = resource_w.max(message_w).min(three_rest).max(1);
        for row in rows {
            let mut text = wrap_words(&row.resource, combined).join("\n");
            text.push('\n');
            text.push_str(&fit_paragraphs(&row.message, combined));
            table.add_row(vec![
                status_cell(row),
                Cell::new(&row.region),
                Cell::new(text),
            ]);
        }
        vec![status_w, region_w, combined]
    };
    for (index, content) in widths.into_iter().enumerate() {
        if let Some(column) = table.column_mut(index) {
            let with_padding = u16::try_from(content + 2).unwrap_or(MAX_WIDTH);
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(with_padding)));
        }
    }
    table
}

/// The widest of a column's header and values.
fn column_width<'a>(header: &str, values: impl Iterator<Item = &'a str>) -> usize {
    values
        .map(UnicodeWidthStr::width)
        .fold(header.width(), usize::max)
}

/// Paragraphs wrapped at spaces to `width`, one line each, long words shortened.
fn fit_paragraphs(paragraphs: &[String], width: usize) -> String {
    paragraphs
        .iter()
        .flat_map(|p| wrap_words(p, width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Greedy word wrap at spaces; see [`wrap_styled`] for a word wider than `width`.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let lines = wrap_styled(
        &[],
        &[(Style::Plain, text)],
        width,
        0,
        &Painter { color: false },
    );
    if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    }
}

/// A word too wide for any line, in pieces: the first at most `first` columns wide, the
/// others at most `rest`. A piece ends after a `/`, `:`, `,` or `;` where one is near the
/// edge (a path or an ARN breaks between its parts), else at the edge. Nothing is dropped.
fn break_word(word: &str, first: usize, rest: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0;
    // Byte offset in `piece` just after the last separator, and the width up to there.
    let mut last_break: Option<(usize, usize)> = None;
    for c in word.chars() {
        let limit = if pieces.is_empty() { first } else { rest }.max(1);
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if piece_width + w > limit && !piece.is_empty() {
            match last_break.filter(|(_, width)| *width * 2 >= limit) {
                Some((at, width)) => {
                    let tail = piece.split_off(at);
                    pieces.push(std::mem::replace(&mut piece, tail));
                    piece_width -= width;
                }
                None => {
                    pieces.push(std::mem::take(&mut piece));
                    piece_width = 0;
                }
            }
            last_break = None;
        }
        piece.push(c);
        piece_width += w;
        if matches!(c, '/' | ':' | ',' | ';') {
            last_break = Some((piece.len(), piece_width));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Bold,
    Dim,
    Status(Status),
}

/// `lead` (kept as it is), then the words of styled segments, wrapped to `width`;
/// continuation lines are indented by `indent`. Each word keeps its segment's style; words
/// are joined by one space.
fn wrap_styled(
    lead: &[(Style, &str)],
    segments: &[(Style, &str)],
    width: usize,
    indent: usize,
    paint: &Painter,
) -> Vec<String> {
    let mut plain_line: String = lead.iter().map(|(_, text)| *text).collect();
    let mut painted_line: String = lead
        .iter()
        .map(|(style, text)| paint.style(*style, text))
        .collect();
    if plain_line.width() > width / 2 {
        // Only our own short labels lead a line; anything wider starts on a line of its own.
        let lead_words: Vec<(Style, &str)> = lead.to_vec();
        let mut all = lead_words;
        all.extend_from_slice(segments);
        return wrap_styled(&[], &all, width, indent, paint);
    }
    let indent = indent.min(width / 2);
    let mut lines = Vec::new();
    let mut line_has_words = false;
    let words = segments.iter().flat_map(|(style, text)| {
        text.split(' ')
            .filter(|w| !w.is_empty())
            .map(|word| (*style, word))
    });
    for (style, word) in words {
        let separator = usize::from(line_has_words);
        let room_here = width.saturating_sub(plain_line.width() + separator);
        let full_room = width - indent;
        let pieces = if word.width() <= room_here {
            vec![word.to_string()]
        } else if word.width() <= full_room {
            lines.push(std::mem::take(&mut painted_line));
            plain_line = " ".repeat(indent);
            painted_line = plain_line.clone();
            line_has_words = false;
            vec![word.to_string()]
        } else {
            // Too wide for any line: start it here if there is room for a useful piece.
            const USEFUL: usize = 8;
            if room_here < USEFUL && line_has_words {
                lines.push(std::mem::take(&mut painted_line));
                plain_line = " ".repeat(indent);
                painted_line = plain_line.clone();
                line_has_words = false;
            }
            let first = width.saturating_sub(plain_line.width() + usize::from(line_has_words));
            break_word(word, first, full_room)
        };
        for (index, piece) in pieces.iter().enumerate() {
            if index > 0 {
                lines.push(std::mem::take(&mut painted_line));
                plain_line = " ".repeat(indent);
                painted_line = plain_line.clone();
                line_has_words = false;
            }
            if line_has_words {
                plain_line.push(' ');
                painted_line.push(' ');
            }
            plain_line.push_str(piece);
            painted_line.push_str(&paint.style(style, piece));
            line_has_words = true;
        }
    }
    if line_has_words || !plain_line.trim().is_empty() {
        lines.push(painted_line.trim_end().to_string());
    }
    lines
}

/// A remediation as paragraphs: its prose lines joined (the rule files break them for
/// editing, not for reading), each command (`aws …`) a paragraph of its own.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            open = false;
            continue;
        }
        let command = line.starts_with("aws ") || line.starts_with("$ ");
        let bullet = line.starts_with("- ") || line.starts_with("* ");
        match out.last_mut() {
            Some(last) if open && !command && !bullet => {
                last.push(' ');
                last.push_str(line);
            }
            _ => out.push(line.to_string()),
        }
        open = !command;
    }
    out
}

/// Findings grouped by rule: registry order first, then unknown rule ids as they appear.
fn group_by_rule<'a>(
    findings: &[&'a Finding],
    rules: &[RuleMeta],
) -> Vec<(String, Vec<&'a Finding>)> {
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    let rank = |id: &str| rules.iter().position(|m| m.id == id).unwrap_or(usize::MAX);
    for finding in findings {
        match groups.iter_mut().find(|(id, _)| *id == finding.rule_id) {
            Some((_, members)) => members.push(finding),
            None => groups.push((finding.rule_id.to_string(), vec![finding])),
        }
    }
    // A stable sort keeps unknown rules (rank MAX) in order of appearance.
    groups.sort_by_key(|(id, _)| rank(id));
    groups
}

/// The short name of every resource in a report, or its full name where two different
/// resources in one region would share a short one.
struct ShortNames {
    ambiguous: BTreeSet<(String, String)>,
}

impl ShortNames {
    fn of(findings: &[Finding]) -> Self {
        let mut owners: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
        for finding in findings {
            owners
                .entry((
                    finding.region.clone(),
                    short_name(&finding.resource).to_string(),
                ))
                .or_default()
                .insert(&finding.resource);
        }
        ShortNames {
            ambiguous: owners
                .into_iter()
                .filter(|(_, resources)| resources.len() > 1)
                .map(|(key, _)| key)
                .collect(),
        }
    }

    fn name_of<'f>(&self, finding: &'f Finding) -> &'f str {
        let short = short_name(&finding.resource);
        if self
            .ambiguous
            .contains(&(finding.region.clone(), short.to_string()))
        {
            &finding.resource
        } else {
            short
        }
    }
}

/// The part of an ARN a person names the resource by: the log group name, trail name, VPC
/// endpoint id, key id, model or profile id (`arn:…:log-group:/aws/x:*` → `/aws/x`). Key
/// aliases keep `alias/`, and wildcards keep their resource type (`trail/*`). Anything that
/// is not an ARN is already a short name.
pub fn short_name(resource: &str) -> &str {
    let Some(resource_part) = arn_resource(resource) else {
        return resource;
    };
    // `log-group:NAME:*` is how CloudWatch Logs writes a group's ARN.
    let trimmed = match resource_part.strip_suffix(":*") {
        Some(rest) if rest.contains(':') => rest,
        _ => resource_part,
    };
    match trimmed.find(['/', ':']) {
        Some(at) => {
            let (kind, name) = (&trimmed[..at], &trimmed[at + 1..]);
            if name.is_empty() || name.contains('*') || kind == "alias" {
                trimmed
            } else {
                name
            }
        }
        None => trimmed,
    }
}

/// The resource part of an ARN (after the fifth colon), if `text` is one.
fn arn_resource(text: &str) -> Option<&str> {
    if !text.starts_with("arn:") {
        return None;
    }
    let mut parts = text.splitn(6, ':');
    let resource = parts.nth(5)?;
    (!resource.is_empty()).then_some(resource)
}

/// The kind of a resource, singular, from its ARN's resource type (`log-group` → `log group`).
fn resource_kind(resource: &str) -> Option<String> {
    let part = arn_resource(resource)?;
    let at = part.find(['/', ':'])?;
    let kind = &part[..at];
    (!kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| kind.replace('-', " "))
}

/// `641 log groups`, `1 trail`, `3 checks` when the findings name different kinds.
fn count_of(findings: &[&Finding]) -> String {
    let kinds: BTreeSet<Option<String>> = findings
        .iter()
        .map(|f| resource_kind(&f.resource))
        .collect();
    let kind = match kinds.into_iter().next() {
        Some(Some(kind))
            if findings
                .iter()
                .all(|f| resource_kind(&f.resource).as_ref() == Some(&kind)) =>
        {
            kind
        }
        _ => "check".to_string(),
    };
    let n = findings.len();
    if n == 1 {
        format!("1 {kind}")
    } else {
        format!("{n} {}", plural_noun(&kind))
    }
}

fn plural_noun(noun: &str) -> String {
    if let Some(stem) = noun.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        return format!("{noun}es");
    }
    format!("{noun}s")
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
    fn style(&self, style: Style, text: &str) -> String {
        let code = match style {
            Style::Plain => return text.to_string(),
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Status(Status::Pass) => "1;32",
            Style::Status(Status::Fail) => "1;31",
            Style::Status(Status::Error) => "1;33",
            Style::Status(Status::NotApplicable) => "2",
        };
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
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
/// value cannot take over the terminal or make the table slow or huge.
fn shown(text: &str) -> String {
    elided(text, DISPLAY_LIMIT).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_of_the_resources_rules_report() {
        for (arn, short) in [
            (
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/x:*",
                "/aws/bedrock/x",
            ),
            (
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/x",
                "/aws/bedrock/x",
            ),
            (
                "arn:aws:logs:eu-west-1:111122223333:log-group:*",
                "log-group:*",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit",
                "org-audit",
            ),
            ("arn:aws:cloudtrail:us-east-1:111122223333:trail/*", "trail/*"),
            (
                "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0abc",
                "vpce-0abc",
            ),
            ("arn:aws:kms:us-east-1:111122223333:key/1234-ab", "1234-ab"),
            (
                "arn:aws:kms:us-east-1:111122223333:alias/claude-logs",
                "alias/claude-logs",
            ),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
                "anthropic.claude-sonnet-4-20250514-v1:0",
            ),
            ("model-role/primary", "model-role/primary"),
            ("arn:broken", "arn:broken"),
        ] {
            assert_eq!(short_name(arn), short, "{arn}");
        }
    }

    #[test]
    fn kinds_count_in_plain_words() {
        assert_eq!(plural_noun("log group"), "log groups");
        assert_eq!(plural_noun("policy"), "policies");
        assert_eq!(plural_noun("key"), "keys");
        assert_eq!(plural_noun("alias"), "aliases");
        assert_eq!(
            resource_kind("arn:aws:logs:us-east-1:1:log-group:/x:*").as_deref(),
            Some("log group")
        );
        assert_eq!(resource_kind("plain"), None);
        assert_eq!(resource_kind("servicequotas/bedrock/x"), None);
    }

    #[test]
    fn a_word_too_wide_for_any_line_breaks_between_its_parts_and_keeps_every_character() {
        let arn = "arn:aws:logs:us-east-1:111122223333:log-group:/a/very/long/name";
        for width in 1..70 {
            let pieces = break_word(arn, width, width);
            assert_eq!(pieces.concat(), arn, "width {width}");
            assert!(pieces.iter().all(|p| p.width() <= width), "{pieces:?}");
        }
        assert_eq!(
            break_word(arn, 30, 30),
            [
                "arn:aws:logs:us-east-1:",
                "111122223333:log-group:/a/",
                "very/long/name"
            ]
        );
        let lines = wrap_words(
            "see characters elided)…nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
            30,
        );
        assert_eq!(lines[0], "see characters elided)…nnnnnnn", "{lines:?}");
    }

    #[test]
    fn wrapping_never_splits_a_word_that_fits() {
        let lines = wrap_words("Log group /aws/bedrock/model-invocations has none", 32);
        assert_eq!(
            lines,
            ["Log group", "/aws/bedrock/model-invocations", "has none"]
        );
    }
}
