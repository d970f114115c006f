//! Waivers: accepted risks with a justification, an owner and an expiry date.
//!
//! A waiver matches findings by rule id and a resource pattern with IAM-style wildcards (`*`
//! any run of characters, `/` and `:` included; `?` one character), as in
//! `arn:aws:logs:us-east-1:*:log-group:/aws/lambda/*`, optionally narrowed to a region or
//! account. A matching unexpired waiver marks the finding `waived`: it stays in every report
//! with its justification but no longer fails the run. An expired waiver stops applying and is
//! reported, so an accepted risk cannot outlive its review date silently.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
pub use crate::finding::AppliedWaiver;
use crate::finding::{Finding, Status};
pub use crate::profile::{ExpiryDate, WaiverEntry};
use crate::report_data::Report;
pub use crate::report_data::{Waiver, WaiverReport, WaiverState};
use crate::untrusted_text::{quoted, MESSAGE_QUOTE_LIMIT};

/// A waiver file of its own: only `[[waiver]]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    #[serde(default)]
    waiver: Vec<WaiverEntry>,
}

/// Parses a standalone waiver file.
pub fn load_file(path: &Path) -> Result<Vec<Waiver>> {
    let text = crate::input_file::read_text(
        path,
        crate::input_file::InputKind::Waivers,
        crate::input_file::Named::Explicitly,
    )?;
    let file: WaiverFile = toml::from_str(&text).map_err(|e| {
        Error::input_file(
            path,
            format!("invalid waiver file: {}", crate::error::toml_message(&e)),
        )
    })?;
    validate(&file.waiver, path)
}

/// Validates entries; every problem names the file and the entry.
pub fn validate(entries: &[WaiverEntry], path: &Path) -> Result<Vec<Waiver>> {
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let declared_in = format!(
                "{}, waiver #{} (rule {})",
                path.display(),
                index + 1,
                quoted(&entry.rule, MESSAGE_QUOTE_LIMIT)
            );
            let bad = |what: String| Error::Input(format!("{declared_in}: {what}"));
            if crate::rules::find(&entry.rule).is_none() {
                return Err(bad(format!(
                    "rule \"{}\" does not exist (see `bedrock-audit rules`)",
                    quoted(&entry.rule, MESSAGE_QUOTE_LIMIT)
                )));
            }
            if let Some(region) = &entry.region {
                // Matched exactly against the finding's region: a pattern or a typo would
                // silently waive nothing.
                if !crate::region_name::is_region_name(region) && region != "global" {
                    return Err(bad(format!(
                        "region \"{}\" is not an AWS region name (e.g. \"us-east-1\", or \"global\"); it is matched exactly, so leave it out to waive every region",
                        quoted(region, MESSAGE_QUOTE_LIMIT)
                    )));
                }
            }
            if entry.resource.trim().is_empty() {
                return Err(bad("resource must not be empty (use \"*\" to waive every resource)".into()));
            }
            if entry.justification.trim().len() < 10 {
                return Err(bad("justification is required: say why the risk is accepted (10 characters at least)".into()));
            }
            if entry.owner.trim().is_empty() {
                return Err(bad("owner is required: who answers for this waiver".into()));
            }
            let expires = parse_expiry(&entry.expires)
                .ok_or_else(|| bad("expires must be a date such as 2027-03-31".into()))?;
            Ok(Waiver {
                rule: entry.rule.clone(),
                resource: entry.resource.clone(),
                region: entry.region.clone(),
                account: entry.account.clone(),
                justification: entry.justification.trim().to_string(),
                owner: entry.owner.trim().to_string(),
                expires,
                declared_in,
            })
        })
        .collect()
}

fn parse_expiry(expiry: &ExpiryDate) -> Option<NaiveDate> {
    match expiry {
        ExpiryDate::Date(datetime) => {
            // Only a plain date: a time or offset would make "expires" ambiguous.
            if datetime.time.is_some() || datetime.offset.is_some() {
                return None;
            }
            let date = datetime.date?;
            NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
        }
        ExpiryDate::Text(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
    }
}

impl Waiver {
    pub fn matches(&self, finding: &Finding) -> bool {
        self.rule == finding.rule_id
            && wildmatch::WildMatch::new(&self.resource).matches(&finding.resource)
            && self.matches_place(finding)
    }

    /// The region and account narrowing alone.
    fn matches_place(&self, finding: &Finding) -> bool {
        self.region.as_ref().is_none_or(|r| *r == finding.region)
            && self.account.as_ref().is_none_or(|a| *a == finding.account)
    }

    pub fn is_expired(&self, today: NaiveDate) -> bool {
        today > self.expires
    }
}

/// Marks failing and error findings that an unexpired waiver covers, and reports every
/// waiver's state. Passing findings are never marked: there is nothing to waive.
impl Report {
    /// Marks waived findings and records every waiver's state; `today` decides expiry.
    pub fn apply_waivers(&mut self, waivers: &[Waiver], today: chrono::NaiveDate) {
        self.waivers = apply(&mut self.findings, waivers, today);
        self.recount();
    }
}

pub fn apply(findings: &mut [Finding], waivers: &[Waiver], today: NaiveDate) -> Vec<WaiverReport> {
    let mut reports: Vec<WaiverReport> = waivers
        .iter()
        .map(|w| WaiverReport {
            waiver: w.clone(),
            state: if w.is_expired(today) {
                WaiverState::Expired
            } else {
                WaiverState::Unused
            },
            matched: Vec::new(),
        })
        .collect();
    let index = WaiverIndex::new(waivers);
    let mut candidates = Vec::new();
    for finding in findings.iter_mut() {
        if !matches!(finding.status, Status::Fail | Status::Error) {
            continue;
        }
        index.candidates(finding, &mut candidates);
        for &position in &candidates {
            let report = &mut reports[position];
            if !report.waiver.matches_place(finding) {
                continue;
            }
            report.matched.push(finding.identity());
            if report.state == WaiverState::Expired {
                continue;
            }
            report.state = WaiverState::Active;
            if finding.waiver.is_none() {
                finding.waiver = Some(Box::new(AppliedWaiver {
                    justification: report.waiver.justification.clone(),
                    owner: report.waiver.owner.clone(),
                    expires: report.waiver.expires,
                    declared_in: report.waiver.declared_in.clone(),
                }));
            }
        }
    }
    reports
}

/// Waivers by rule, so that matching a finding looks only at its rule's waivers: a waiver
/// with a literal resource is found by a hash lookup, a pattern is compiled once. Thousands
/// of waivers over tens of thousands of findings stay fast (issue 24: 72 s before).
struct WaiverIndex<'a> {
    literal: std::collections::HashMap<(&'a str, &'a str), Vec<usize>>,
    patterns: std::collections::HashMap<&'a str, Vec<(usize, wildmatch::WildMatch)>>,
}

impl<'a> WaiverIndex<'a> {
    fn new(waivers: &'a [Waiver]) -> Self {
        let mut index = WaiverIndex {
            literal: std::collections::HashMap::new(),
            patterns: std::collections::HashMap::new(),
        };
        for (position, waiver) in waivers.iter().enumerate() {
            if waiver.resource.contains(['*', '?']) {
                index
                    .patterns
                    .entry(waiver.rule.as_str())
                    .or_default()
                    .push((position, wildmatch::WildMatch::new(&waiver.resource)));
            } else {
                index
                    .literal
                    .entry((waiver.rule.as_str(), waiver.resource.as_str()))
                    .or_default()
                    .push(position);
            }
        }
        index
    }

    /// The positions of the waivers whose rule and resource match, in declaration order (the
    /// first one that applies is the one a finding records).
    fn candidates(&self, finding: &Finding, out: &mut Vec<usize>) {
        out.clear();
        let rule: &str = &finding.rule_id;
        if let Some(found) = self.literal.get(&(rule, finding.resource.as_str())) {
            out.extend_from_slice(found);
        }
        if let Some(patterns) = self.patterns.get(rule) {
            out.extend(
                patterns
                    .iter()
                    .filter(|(_, pattern)| pattern.matches(&finding.resource))
                    .map(|(position, _)| *position),
            );
        }
        out.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> Result<Vec<Waiver>> {
        let file: WaiverFile = toml::from_str(text).map_err(|e| Error::Input(e.to_string()))?;
        validate(&file.waiver, Path::new("w.toml"))
    }

    #[test]
    fn date_and_string_expiry_both_parse() {
        let base = "rule = \"log-retention-set\"\nresource = \"*\"\njustification = \"sandbox account, reviewed\"\nowner = \"sec\"\n";
        let a = entry(&format!("[[waiver]]\n{base}expires = 2027-01-31\n")).expect("date");
        let b = entry(&format!("[[waiver]]\n{base}expires = \"2027-01-31\"\n")).expect("string");
        assert_eq!(a[0].expires, b[0].expires);
        let err = entry(&format!("[[waiver]]\n{base}expires = \"next year\"\n")).unwrap_err();
        assert!(err.to_string().contains("waiver #1") && err.to_string().contains("expires"));
    }

    #[test]
    fn missing_justification_names_file_and_entry() {
        let text = "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"*\"\njustification = \"\"\nowner = \"sec\"\nexpires = 2027-01-31\n";
        let err = entry(text).unwrap_err().to_string();
        assert!(
            err.contains("w.toml, waiver #1") && err.contains("justification"),
            "{err}"
        );
    }

    fn waiver(resource: &str, expires: &str) -> Waiver {
        let text = format!(
            "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"{resource}\"\njustification = \"sandbox account, reviewed\"\nowner = \"sec\"\nexpires = {expires}\n"
        );
        entry(&text).expect("valid waiver").remove(0)
    }

    fn finding(status: Status, resource: &str) -> Finding {
        crate::finding::sample(status, resource)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_index_matches_as_each_waiver_would_and_the_first_declared_applies() {
        let mut waivers = vec![
            waiver("log-group:/b", "2099-01-31"),
            waiver("log-group:/*", "2099-01-31"),
            waiver("log-group:/a", "2099-01-31"),
            waiver("log-group:/a", "2000-01-31"), // expired
        ];
        for (position, w) in waivers.iter_mut().enumerate() {
            w.declared_in = format!("waiver #{position}");
        }
        let mut findings: Vec<Finding> = ["log-group:/a", "log-group:/b", "other"]
            .iter()
            .map(|r| finding(Status::Fail, r))
            .collect();
        let reports = apply(&mut findings, &waivers, day("2027-01-01"));
        for (position, report) in reports.iter().enumerate() {
            let naive: Vec<String> = findings
                .iter()
                .filter(|f| waivers[position].matches(f))
                .map(Finding::identity)
                .collect();
            assert_eq!(report.matched, naive, "waiver #{position}");
        }
        // /a is matched first by the pattern (#2), declared before the literal (#3).
        let applied = findings[0].waiver.as_ref().expect("waived");
        assert_eq!(applied.declared_in, waivers[1].declared_in);
        assert!(findings[2].waiver.is_none());
        assert_eq!(reports[3].state, WaiverState::Expired);
    }

    #[test]
    fn thousands_of_waivers_over_tens_of_thousands_of_findings_are_fast() {
        let waivers: Vec<Waiver> = (0..3_000)
            .map(|i| waiver(&format!("log-group:/w{i}"), "2099-01-31"))
            .collect();
        let mut findings: Vec<Finding> = (0..20_000)
            .map(|i| finding(Status::Fail, &format!("log-group:/w{}", i % 6_000)))
            .collect();
        let started = std::time::Instant::now();
        apply(&mut findings, &waivers, day("2027-01-01"));
        assert_eq!(
            findings.iter().filter(|f| f.waiver.is_some()).count(),
            11_000
        );
        // Every finding against every waiver (compiling each pattern each time) took 72 s.
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn a_waiver_applies_through_its_expiry_day_and_not_after() {
        let w = waiver("*", "2027-01-31");
        assert!(!w.is_expired(day("2027-01-30")));
        assert!(!w.is_expired(day("2027-01-31")));
        assert!(w.is_expired(day("2027-02-01")));
    }

    #[test]
    fn a_justification_needs_ten_characters_and_an_expiry_a_plain_date() {
        let base = "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"*\"\nowner = \"sec\"\n";
        assert!(entry(&format!(
            "{base}justification = \"0123456789\"\nexpires = 2027-01-31\n"
        ))
        .is_ok());
        let err = entry(&format!(
            "{base}justification = \"012345678\"\nexpires = 2027-01-31\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("justification is required"), "{err}");
        for expiry in ["2027-01-31T10:00:00", "2027-01-31T10:00:00Z"] {
            let err = entry(&format!(
                "{base}justification = \"0123456789\"\nexpires = {expiry}\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(err.contains("expires must be a date"), "{expiry}: {err}");
        }
    }

    #[test]
    fn a_waiver_matches_rule_resource_pattern_region_and_account() {
        let mut w = waiver("arn:aws:logs:*:log-group:/aws/lambda/*", "2027-01-31");
        let lambda = finding(
            Status::Fail,
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/x",
        );
        assert!(w.matches(&lambda));
        assert!(!w.matches(&finding(
            Status::Fail,
            "arn:aws:logs:us-east-1:111122223333:log-group:/other"
        )));
        let mut other_rule = lambda.clone();
        other_rule.rule_id = "kms-keys-configured".into();
        assert!(!w.matches(&other_rule));
        w.region = Some("us-east-1".into());
        assert!(w.matches(&lambda));
        w.region = Some("eu-west-1".into());
        assert!(!w.matches(&lambda));
        w.region = None;
        w.account = Some("111122223333".into());
        assert!(w.matches(&lambda));
        w.account = Some("999999999999".into());
        assert!(!w.matches(&lambda));
    }

    #[test]
    fn apply_waives_only_failures_and_errors_and_never_with_an_expired_waiver() {
        let active = waiver("/a*", "2027-01-31");
        let expired = waiver("/b*", "2020-01-31");
        let unused = waiver("/none", "2027-01-31");
        let mut findings = vec![
            finding(Status::Fail, "/a1"),
            finding(Status::Error, "/a2"),
            finding(Status::Pass, "/a3"),
            finding(Status::Fail, "/b1"),
        ];
        let reports = apply(&mut findings, &[active, expired, unused], day("2026-11-26"));
        let waived: Vec<bool> = findings.iter().map(|f| f.waiver.is_some()).collect();
        assert_eq!(waived, [true, true, false, false]);
        let states: Vec<WaiverState> = reports.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [
                WaiverState::Active,
                WaiverState::Expired,
                WaiverState::Unused
            ]
        );
        assert_eq!(reports[0].matched.len(), 2);
        assert_eq!(reports[1].matched, [findings[3].identity()]);
        assert!(reports[2].matched.is_empty());
    }

    #[test]
    fn a_region_that_is_not_a_region_name_is_refused() {
        let base = "rule = \"log-retention-set\"\nresource = \"*\"\njustification = \"sandbox account, reviewed\"\nowner = \"sec\"\nexpires = 2027-01-31\n";
        for bad in ["*", "us-east-*", "useast1", "us-east-1\\u001b[2J"] {
            let err = entry(&format!("[[waiver]]\n{base}region = \"{bad}\"\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("waiver #1") && err.contains("region"), "{err}");
            assert!(!err.contains('\u{1b}'), "{err}");
        }
        for good in ["us-east-1", "global"] {
            entry(&format!("[[waiver]]\n{base}region = \"{good}\"\n")).expect(good);
        }
    }
}
