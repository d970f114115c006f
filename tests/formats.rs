//! The junit, markdown and html report formats: golden output, schema validation (xmllint
//! against the Jenkins JUnit XSD) and rendering in headless Chromium with the network cut.
//!
//! Needs `xmllint` and `chromium`: `scripts/setup-test-deps` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;

use bedrock_audit::baseline::{BaselineInfo, Change};
use bedrock_audit::finding::{Evidence, Finding, Severity, Status};
use bedrock_audit::report::Verdict;
use bedrock_audit::report::{
    self, asff, html, json, junit, markdown, ocsf, Format, Report, ScanInfo, Summary, ToolInfo,
};
use bedrock_audit::waivers::{AppliedWaiver, Waiver, WaiverReport, WaiverState};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

const ACCOUNT: &str = "111122223333";
/// A message built to break naive emitters: markup, entities, quotes, a pipe, newlines, CR,
/// tab and control characters XML 1.0 cannot carry.
const NASTY_MESSAGE: &str =
    "Group </failure><script>alert(1)</script> & \"quoted\" 'single' | pipe\nsecond line\r\nbell\u{7} esc\u{1b}[31m tab\tend";

fn finding(
    rule_id: &str,
    status: Status,
    severity: Severity,
    region: &str,
    resource: &str,
    message: &str,
) -> Finding {
    Finding {
        rule_id: rule_id.to_string().into(),
        status,
        severity,
        account: ACCOUNT.into(),
        region: region.into(),
        resource: resource.into(),
        message: message.into(),
        remediation: format!("Fix {rule_id}.\naws example-command --resource {resource}").into(),
        evidence: vec![],
        waiver: None,
        baseline: None,
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn waiver(rule: &str, resource: &str, expires: &str, justification: &str) -> Waiver {
    Waiver {
        rule: rule.into(),
        resource: resource.into(),
        region: Some("us-east-1".into()),
        account: None,
        justification: justification.into(),
        owner: "platform-security@example.com".into(),
        expires: date(expires),
        declared_in: "bedrock-audit.toml, waiver #1".into(),
    }
}

/// Every status, several rules (one unknown to the registry), evidence of every JSON kind.
fn sample_report() -> Report {
    let mut findings = vec![
        finding(
            "bedrock-model-access",
            Status::Fail,
            Severity::High,
            "us-east-1",
            "model/anthropic.claude-sonnet-4-5",
            "Model access for anthropic.claude-sonnet-4-5 is not granted in us-east-1.",
        )
        .with_evidence(
            Evidence::new("bedrock:GetFoundationModelAvailability", Some("us-east-1"))
                .with("agreementAvailability", "NOT_AVAILABLE")
                .with("authorizationStatus", "NOT_AUTHORIZED")
                .with("entitlementAvailability", serde_json::Value::Null),
        ),
        finding(
            "bedrock-model-access",
            Status::Pass,
            Severity::High,
            "us-west-2",
            "model/anthropic.claude-sonnet-4-5",
            "Model access for anthropic.claude-sonnet-4-5 is granted in us-west-2.",
        )
        .with_evidence(
            Evidence::new("bedrock:GetFoundationModelAvailability", Some("us-west-2"))
                .with("authorizationStatus", "AUTHORIZED"),
        ),
        finding(
            "bedrock-runtime-vpc-endpoint",
            Status::NotApplicable,
            Severity::Medium,
            "us-east-1",
            "vpc/none",
            "The profile declares no VPC for Claude Code clients.",
        )
        .with_evidence(Evidence::new("profile", None).with("vpc_ids", Vec::<String>::new())),
        finding(
            "cloudtrail-enabled",
            Status::Error,
            Severity::High,
            "us-east-1",
            "trails",
            "Could not read trails: cloudtrail:DescribeTrails failed with AccessDenied: not authorized.",
        )
        .with_evidence(
            Evidence::new("cloudtrail:DescribeTrails", Some("us-east-1"))
                .with("error_code", "AccessDenied"),
        ),
        finding(
            "log-retention-set",
            Status::Fail,
            Severity::Medium,
            "us-east-1",
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/<invocations>&more",
            NASTY_MESSAGE,
        )
        .with_evidence(
            Evidence::new("logs:DescribeLogGroups", Some("us-east-1"))
                .with("retentionInDays", serde_json::Value::Null)
                .with("storedBytes", 123456)
                .with("tags", serde_json::json!({"team": "a|b", "note": "<x>"})),
        ),
        finding(
            "log-retention-set",
            Status::Pass,
            Severity::Medium,
            "us-east-1",
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail",
            "Retention is 365 days (minimum 30).",
        )
        .with_evidence(
            Evidence::new("logs:DescribeLogGroups", Some("us-east-1")).with("retentionInDays", 365),
        ),
        finding(
            "custom-extra-check",
            Status::Fail,
            Severity::Low,
            "global",
            "account/111122223333",
            "A rule the registry does not know: formats fall back to the finding's own fields.",
        ),
    ];
    // A failure covered by an unexpired waiver: reported, but it does not fail the run.
    let accepted = waiver(
        "kms-keys-configured",
        "alias/legacy-*",
        "2027-03-31",
        "Legacy key | rotates with the Q1 migration <ticket SEC-42>",
    );
    let mut waived = finding(
        "kms-keys-configured",
        Status::Fail,
        Severity::Medium,
        "us-east-1",
        "alias/legacy-logs",
        "The key alias/legacy-logs is AWS-owned, not customer-managed.",
    );
    waived.waiver = Some(Box::new(AppliedWaiver {
        justification: accepted.justification.clone(),
        owner: accepted.owner.clone(),
        expires: accepted.expires,
        declared_in: accepted.declared_in.clone(),
    }));
    findings.push(waived);
    // A pass with no evidence at all.
    findings.push(finding(
        "no-zdr-assumption",
        Status::Pass,
        Severity::Info,
        "global",
        "profile/data-retention",
        "The profile does not assume zero data retention.",
    ));
    Report {
        schema_version: report::REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "bedrock-audit".into(),
            version: "0.0.0-test".into(),
            rules_version: "0123456789abcdef".into(),
        },
        scan: ScanInfo {
            accounts: vec![ACCOUNT.into()],
            regions: vec!["us-east-1".into(), "us-west-2".into()],
            started_at: "2026-11-20T09:00:00Z".into(),
            finished_at: "2026-11-20T09:00:42Z".into(),
            source: "scan".into(),
        },
        summary: Summary::of(&findings),
        findings,
        waivers: vec![
            WaiverReport {
                waiver: accepted,
                state: WaiverState::Active,
                matched: vec![format!(
                    "kms-keys-configured|{ACCOUNT}|us-east-1|alias/legacy-logs"
                )],
            },
            WaiverReport {
                waiver: waiver(
                    "cloudtrail-enabled",
                    "trails",
                    "2026-01-31",
                    "Org trail pending",
                ),
                state: WaiverState::Expired,
                matched: vec![format!("cloudtrail-enabled|{ACCOUNT}|us-east-1|trails")],
            },
            WaiverReport {
                waiver: waiver(
                    "log-retention-set",
                    "arn:aws:logs:*:old-*",
                    "2027-01-01",
                    "Old groups",
                ),
                state: WaiverState::Unused,
                matched: vec![],
            },
        ],
        baseline: None,
    }
}

/// The sample report compared with an earlier one: one new failure, one fixed in place, one
/// problem gone entirely.
fn report_with_baseline() -> Report {
    let mut report = sample_report();
    for finding in &mut report.findings {
        finding.baseline = Some(Change::Unchanged);
    }
    report.findings[0].baseline = Some(Change::New);
    report.findings[1].baseline = Some(Change::Fixed);
    let mut gone = finding(
        "bedrock-inference-profiles",
        Status::Fail,
        Severity::Medium,
        "eu-west-1",
        "inference-profile/deleted",
        "No cross-region inference profile for the primary model.",
    );
    gone.baseline = Some(Change::Fixed);
    report.baseline = Some(BaselineInfo {
        path: "baseline/report.json".into(),
        tool_version: "0.0.0-earlier".into(),
        started_at: "2026-11-01T09:00:00Z".into(),
        fixed: vec![gone],
    });
    report.summary = Summary::of(&report.findings);
    report
}

trait WithEvidence {
    fn with_evidence(self, evidence: Evidence) -> Self;
}

impl WithEvidence for Finding {
    fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }
}

/// The sample report with every rule id changed to one the registry does not know, so the golden
/// files do not churn whenever a rule's title or remediation text is edited. How rule metadata
/// is rendered is asserted by the tests below, against the metadata itself.
fn golden_report() -> Report {
    let mut report = sample_report();
    for finding in &mut report.findings {
        if bedrock_audit::rules::meta(&finding.rule_id).is_some() {
            finding.rule_id = format!("example-{}", finding.rule_id).into();
        }
    }
    report
}

fn report_with(findings: Vec<Finding>) -> Report {
    let mut report = sample_report();
    report.summary = Summary::of(&findings);
    report.findings = findings;
    report
}

/// How the formats show characters XML cannot carry: `\u{hex}`.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' && c != '\r' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

// ---------------------------------------------------------------- routing

#[test]
fn render_routes_the_new_formats_with_their_extensions() {
    let report = sample_report();
    assert_eq!(
        report::render(&report, Format::Junit, false),
        junit::render(&report)
    );
    assert_eq!(
        report::render(&report, Format::Markdown, false),
        markdown::render(&report)
    );
    assert_eq!(
        report::render(&report, Format::Html, false),
        html::render(&report)
    );
    assert_eq!(
        report::render(&report, Format::Ocsf, false),
        ocsf::render(&report)
    );
    assert_eq!(
        report::render(&report, Format::Asff, false),
        asff::render(&report)
    );
    assert_eq!(Format::Ocsf.file_name(), "report.ocsf.json");
    assert_eq!(Format::Asff.file_name(), "report.asff.json");
    assert_eq!(Format::Junit.file_extension(), "xml");
    assert_eq!(Format::Markdown.file_extension(), "md");
    assert_eq!(Format::Html.file_extension(), "html");
}

// ---------------------------------------------------------------- golden output

#[test]
fn junit_golden() {
    insta::assert_snapshot!("junit", junit::render(&golden_report()));
}

#[test]
fn markdown_golden() {
    insta::assert_snapshot!("markdown", markdown::render(&golden_report()));
}

#[test]
fn ocsf_golden() {
    insta::assert_snapshot!("ocsf", ocsf::render(&golden_report()));
}

#[test]
fn asff_golden() {
    insta::assert_snapshot!("asff", asff::render(&golden_report()));
}

#[test]
fn html_golden() {
    insta::assert_snapshot!("html", html::render(&golden_report()));
}

// ---------------------------------------------------------------- junit

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn xmllint() -> PathBuf {
    find_on_path(&["xmllint"]).unwrap_or_else(|| {
        panic!(
            "xmllint is not installed (Debian package libxml2-utils): run scripts/setup-test-deps \
             (as root) or `apt-get install -y libxml2-utils`"
        )
    })
}

/// Validates `document` against the vendored Jenkins JUnit XSD; Err carries xmllint's output.
fn validate_junit(document: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, document).unwrap();
    let output = Command::new(xmllint())
        .arg("--noout")
        .arg("--schema")
        .arg(manifest_dir().join("schemas/junit.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn junit_validates_against_the_jenkins_schema() {
    let document = junit::render(&sample_report());
    if let Err(message) = validate_junit(&document) {
        panic!("junit output is invalid:\n{message}\n{document}");
    }
    let empty = junit::render(&report_with(vec![]));
    if let Err(message) = validate_junit(&empty) {
        panic!("junit output of an empty report is invalid:\n{message}\n{empty}");
    }
}

#[test]
fn broken_junit_documents_fail_validation() {
    let document = junit::render(&sample_report());
    // A testsuite without its required `tests` count.
    let missing_count = document.replacen(" tests=\"2\" failures=\"1\"", " failures=\"1\"", 1);
    assert_ne!(missing_count, document, "the test edit must apply");
    assert!(validate_junit(&missing_count).is_err());
    // An element the schema does not allow inside a testcase.
    let unknown_element = document.replacen("<skipped ", "<ignored ", 1);
    assert_ne!(unknown_element, document);
    assert!(validate_junit(&unknown_element).is_err());
    // Not well-formed: an unescaped message.
    let unescaped = document.replacen("&lt;/failure&gt;", "</failure>", 1);
    assert_ne!(unescaped, document);
    assert!(validate_junit(&unescaped).is_err());
}

/// One parsed element: its name, attributes (unescaped) and direct text.
#[derive(Debug, Default, Clone)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }
    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn parse_xml(document: &str) -> Element {
    use quick_xml::events::{BytesStart, Event};
    fn element(start: &BytesStart) -> Element {
        Element {
            name: String::from_utf8(start.name().as_ref().to_vec()).unwrap(),
            attributes: start
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.unescape_value().unwrap().into_owned(),
                    )
                })
                .collect(),
            ..Element::default()
        }
    }
    let mut reader = quick_xml::Reader::from_str(document);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(start) => {
                let done = element(&start);
                stack.last_mut().unwrap().children.push(done);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(text) => stack.last_mut().unwrap().text += &text.unescape().unwrap(),
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.remove(0)
}

#[test]
fn junit_counts_and_cases_match_the_report() {
    let report = sample_report();
    let root = parse_xml(&junit::render(&report));
    assert_eq!(root.name, "testsuites");
    assert_eq!(root.attr("tests"), report.findings.len().to_string());
    assert_eq!(root.attr("failures"), report.summary.fail.to_string());
    assert_eq!(root.attr("errors"), report.summary.error.to_string());
    assert_eq!(root.attr("time"), "42");

    let suites: Vec<&Element> = root.children_named("testsuite").collect();
    let suite_names: Vec<&str> = suites.iter().map(|s| s.attr("name")).collect();
    assert_eq!(
        suite_names,
        [
            "bedrock-model-access",
            "bedrock-runtime-vpc-endpoint",
            "cloudtrail-enabled",
            "log-retention-set",
            "custom-extra-check",
            "kms-keys-configured",
            "no-zdr-assumption"
        ]
    );
    let mut cases_seen = 0;
    for suite in &suites {
        let cases: Vec<&Element> = suite.children_named("testcase").collect();
        let with = |child: &str| {
            cases
                .iter()
                .filter(|c| c.children_named(child).next().is_some())
                .count()
        };
        assert_eq!(suite.attr("tests"), cases.len().to_string());
        assert_eq!(suite.attr("failures"), with("failure").to_string());
        assert_eq!(suite.attr("errors"), with("error").to_string());
        assert_eq!(suite.attr("skipped"), with("skipped").to_string());
        assert_eq!(suite.attr("timestamp"), "2026-11-20T09:00:00Z");
        for case in cases {
            assert_eq!(case.attr("classname"), suite.attr("name"));
            cases_seen += 1;
        }
    }
    assert_eq!(cases_seen, report.findings.len());

    // Each finding maps to its testcase, with the status-specific child and exact text.
    for finding in &report.findings {
        let name = format!("{} {}", finding.region, finding.resource);
        let case = suites
            .iter()
            .flat_map(|s| s.children_named("testcase"))
            .find(|c| c.attr("classname") == finding.rule_id && c.attr("name") == name)
            .unwrap_or_else(|| panic!("no testcase for {name}"));
        if let Some(waiver) = &finding.waiver {
            // Waived: skipped, so CI does not fail, with who accepted the risk until when.
            assert_eq!(case.children.len(), 1);
            let skipped = &case.children[0];
            assert_eq!(skipped.name, "skipped");
            assert_eq!(skipped.attr("type"), "waived");
            assert!(skipped.attr("message").contains(&waiver.justification));
            assert!(skipped.attr("message").contains(&waiver.owner));
            assert!(skipped.attr("message").contains("2027-03-31"));
            assert!(skipped.text.contains(&finding.message));
            continue;
        }
        match finding.status {
            Status::Pass => assert!(case.children.is_empty(), "a pass is a bare testcase"),
            Status::NotApplicable => {
                assert_eq!(case.children.len(), 1);
                assert_eq!(case.children[0].name, "skipped");
            }
            Status::Fail | Status::Error => {
                let (element, kind) = if finding.status == Status::Fail {
                    ("failure", finding.severity.as_str())
                } else {
                    ("error", "collect_error")
                };
                let child = case.children_named(element).next().unwrap();
                assert_eq!(child.attr("type"), kind);
                // Attribute values round-trip exactly (newlines included), except characters
                // XML cannot hold, which become visible escapes.
                assert_eq!(child.attr("message"), visible(&finding.message));
                assert!(child.text.starts_with(&visible(&finding.message)));
                assert!(child.text.contains(finding.remediation.trim()));
                for evidence in &finding.evidence {
                    assert!(child
                        .text
                        .contains(&serde_json::to_string(evidence).unwrap()));
                }
            }
        }
    }
}

#[test]
fn junit_marks_new_findings_and_stays_valid_with_a_baseline() {
    let document = junit::render(&report_with_baseline());
    if let Err(message) = validate_junit(&document) {
        panic!("junit output with a baseline is invalid:\n{message}\n{document}");
    }
    assert!(document.contains("Since baseline: new"));
}

// ---------------------------------------------------------------- markdown

/// A fail, an error, a pass and a not-applicable finding of one rule.
fn one_finding_of_each_status() -> [Finding; 4] {
    [
        Status::Fail,
        Status::Error,
        Status::Pass,
        Status::NotApplicable,
    ]
    .map(|status| finding("r", status, Severity::Low, "g", "x", "m"))
}

#[test]
fn markdown_verdict_follows_the_worst_status() {
    let [fail, error, pass, na] = one_finding_of_each_status();
    let title = |findings: Vec<Finding>| {
        markdown::render(&report_with(findings))
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(title(vec![pass.clone(), na.clone()]).ends_with(": READY"));
    assert!(title(vec![pass.clone(), error.clone()]).ends_with(": INCOMPLETE"));
    assert!(title(vec![fail, error, pass]).ends_with(": NOT READY"));
    // Nothing judged is not "ready".
    assert!(title(vec![]).ends_with(": INCOMPLETE"));
    // Not applicable alone judged nothing either (issue 7: nothing evaluated is not a pass).
    assert_eq!(
        Verdict::of(&Summary::of(&[na])),
        Verdict::Incomplete,
        "not-applicable alone is not ready"
    );
}

#[test]
fn the_json_summary_gives_the_same_verdict_as_the_markdown_title() {
    let [fail, error, pass, na] = one_finding_of_each_status();
    for (findings, verdict) in [
        (vec![pass.clone(), na.clone()], "READY"),
        (vec![pass.clone(), error.clone()], "INCOMPLETE"),
        (vec![fail, error, pass], "NOT READY"),
        (vec![na], "INCOMPLETE"),
    ] {
        let report = report_with(findings);
        let document: serde_json::Value =
            serde_json::from_str(&json::render(&report)).expect("JSON");
        assert_eq!(document["summary"]["verdict"], verdict);
        assert!(markdown::render(&report)
            .lines()
            .next()
            .is_some_and(|title| title.ends_with(&format!(": {verdict}"))));
    }
}

/// Splits a markdown table row on unescaped pipes.
fn cells(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn markdown_tables_survive_pipes_newlines_and_markup() {
    let text = markdown::render(&sample_report());
    let row = text
        .lines()
        .find(|l| l.contains("pipe"))
        .expect("the nasty finding has a row");
    // Leading and trailing empty cells around five columns.
    assert_eq!(cells(row).len(), 7, "row split wrongly: {row}");
    assert!(row.contains("\\| pipe<br>second line<br>bell"));
    assert!(row.contains("&lt;/failure&gt;&lt;script&gt;"));
    assert!(
        row.contains("bell\\u{7} esc\\u{1b}\\[31m"),
        "control characters made visible"
    );
    assert!(!text.contains("<script>"));
    // Every table row of the document has the column count of its header.
    let mut expected: Option<usize> = None;
    for line in text.lines() {
        if line.starts_with('|') {
            let n = cells(line).len();
            match expected {
                None => expected = Some(n),
                Some(e) => assert_eq!(n, e, "row with a different column count: {line}"),
            }
        } else {
            expected = None;
        }
    }
}

#[test]
fn markdown_puts_failures_first_and_folds_passes() {
    let text = markdown::render(&sample_report());
    let details = text.find("<details>").expect("passes are folded");
    let first_failure = text
        .find("Model access for anthropic.claude-sonnet-4-5 is not granted")
        .unwrap();
    assert!(first_failure < details);
    let pass = text
        .find("Retention is 365 days")
        .expect("passes are listed");
    assert!(pass > details);
    assert!(text.contains("⚠️ error"), "errors listed with failures");
    // The rule's own CLI fix, from its metadata, in a code block.
    let cli = bedrock_audit::rules::meta("log-retention-set")
        .unwrap()
        .remediation_cli
        .trim()
        .to_string();
    assert!(text.contains(&format!("```sh\n{cli}\n```")));
    // The unknown rule falls back to its finding's remediation.
    assert!(text.contains("Fix custom-extra-check."));
    assert!(text.contains("**Account:** 111122223333"));
}

#[test]
fn markdown_shows_waived_findings_and_waivers_to_review() {
    let report = sample_report();
    let text = markdown::render(&report);
    assert!(text.starts_with("## ❌ Claude Code on Bedrock readiness: NOT READY (1 waived)"));
    assert!(text.contains("| 🛡️ Waived (accepted risk) | 1 |"));
    let waived = text.find("### Waived findings").expect("waived section");
    let details = text.find("<details>").unwrap();
    assert!(waived < details, "waived findings are not folded away");
    assert!(text.contains("Legacy key \\| rotates with the Q1 migration &lt;ticket SEC-42&gt;"));
    // The waived failure is not among the findings that need action.
    let needs_action = &text[..waived];
    assert!(!needs_action.contains("alias/legacy-logs"));
    let review = &text[text.find("### Waivers to review").expect("review section")..];
    assert!(
        review.contains("`cloudtrail-enabled` `trails`")
            && review.contains("expired on 2026-01-31")
    );
    assert!(review.contains("matched no finding"));
    assert!(
        !review.contains("alias/legacy-*"),
        "active waivers need no review"
    );

    // Only waived problems left: ready, with the waiver count in the title.
    let mut all_waived = report_with(
        report
            .findings
            .iter()
            .filter(|f| f.waiver.is_some() || f.status == Status::Pass)
            .cloned()
            .collect(),
    );
    all_waived.summary = Summary::of(&all_waived.findings);
    assert!(markdown::render(&all_waived)
        .starts_with("## ✅ Claude Code on Bedrock readiness: READY (1 waived)"));
}

#[test]
fn markdown_reports_the_baseline_comparison() {
    let text = markdown::render(&report_with_baseline());
    assert!(text.contains("| 🆕 New since baseline | 1 |"));
    // One fixed in place, one gone from the scan.
    assert!(text.contains("| ✔️ Fixed since baseline | 2 |"));
    assert!(text.contains("Compared with baseline baseline/report.json"));
    assert!(
        text.contains("| ❌ fail 🆕 new | high | us-east-1 | `model/anthropic.claude-sonnet-4-5`")
    );
}

// ---------------------------------------------------------------- html

/// The text a browser shows for an HTML fragment: tags dropped, entities decoded. Good enough
/// for our own escaped output, where `<` in content is always `&lt;`.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn assert_shows_every_finding(text: &str, report: &Report) {
    // Take the findings from the JSON report, as an auditor comparing the two would.
    let json: serde_json::Value = serde_json::from_str(&json::render(report)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), report.findings.len());
    for finding in findings {
        for field in ["resource", "message"] {
            let value = visible(finding[field].as_str().unwrap()).replace("\r\n", "\n");
            assert!(
                text.contains(&value),
                "the page does not show {field} {value:?}"
            );
        }
    }
}

#[test]
fn html_shows_every_finding_and_escapes_content() {
    let report = sample_report();
    let page = html::render(&report);
    assert!(
        !page.contains("<script"),
        "report content must not become markup"
    );
    assert!(page.contains("&lt;/failure&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    let text = visible_text(&page).replace("\r\n", "\n");
    assert_shows_every_finding(&text, &report);
    for needle in [
        "READY",
        ACCOUNT,
        "us-east-1, us-west-2",
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:00:42Z",
        "0.0.0-test",
        "0123456789abcdef",
        "Waivers",
        // Evidence as source / field / value rows; null shown as absent, JSON values compact.
        "bedrock:GetFoundationModelAvailability",
        "NOT_AUTHORIZED",
        "null (absent)",
        "{\"note\":\"<x>\",\"team\":\"a|b\"}",
    ] {
        assert!(text.contains(needle), "page lacks {needle:?}");
    }
    let rationale = bedrock_audit::rules::meta("cloudtrail-enabled")
        .unwrap()
        .rationale
        .trim()
        .to_string();
    assert!(text.contains(&rationale), "rule rationale shown");
}

#[test]
fn html_lists_waivers_and_waived_findings() {
    let page = html::render(&sample_report());
    let waivers = &page[page.find("<section id=\"waivers\">").unwrap()..];
    let waivers = &waivers[..waivers.find("</section>").unwrap()];
    let text = visible_text(waivers);
    for needle in [
        "alias/legacy-*",
        "Legacy key | rotates with the Q1 migration <ticket SEC-42>",
        "platform-security@example.com",
        "2027-03-31",
        "expired: no longer applies",
        "unused: matched no finding",
        "bedrock-audit.toml, waiver #1",
    ] {
        assert!(text.contains(needle), "waiver section lacks {needle:?}");
    }
    assert!(page.contains("<article class=\"finding waived\">"));
    assert!(page.contains("<span class=\"badge status-waived\">waived</span>"));
    assert!(
        visible_text(&page).contains("Waived until 2027-03-31 by platform-security@example.com")
    );

    let mut none = sample_report();
    none.waivers.clear();
    assert!(html::render(&none).contains("No waivers were in force for this run."));
}

#[test]
fn html_shows_the_baseline_comparison() {
    let report = report_with_baseline();
    let page = html::render(&report);
    let text = visible_text(&page).replace("\r\n", "\n");
    assert!(text.contains(
        "baseline/report.json (bedrock-audit 0.0.0-earlier, scan of 2026-11-01T09:00:00Z)"
    ));
    assert!(text.contains("1 new failing or error finding(s), 2 fixed."));
    assert!(text.contains("new since baseline"));
    let gone = &text[text
        .find("No longer reported since the baseline")
        .expect("gone section")..];
    assert!(gone.contains("inference-profile/deleted"));
    assert_shows_every_finding(&text, &report);
}

#[test]
fn html_footer_names_the_digest_of_the_json_report() {
    let report = sample_report();
    let page = html::render(&report);
    let digest: String = Sha256::digest(json::render(&report).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(page.contains(&format!("<code id=\"json-report-sha256\">{digest}</code>")));
    // A different report gives a different page digest.
    let other = report_with(report.findings[..1].to_vec());
    assert!(!html::render(&other).contains(&digest));
}

#[test]
fn html_loads_nothing_from_outside_the_file() {
    let page = html::render(&sample_report()).to_ascii_lowercase();
    for forbidden in [
        "<link", "<script", "<img", "<iframe", "<object", "<embed", "<video", "<audio", "<source",
        "@import", "url(", " src=", "srcset=",
    ] {
        assert!(!page.contains(forbidden), "page contains {forbidden:?}");
    }
    for scheme in ["http://", "https://", "//"] {
        assert!(
            !page.contains(&format!("href=\"{scheme}")),
            "page links to {scheme}"
        );
    }
    // Links stay inside the page.
    for (index, _) in page.match_indices("href=\"") {
        assert!(page[index + 6..].starts_with('#'), "non-local link");
    }
}

fn chromium() -> PathBuf {
    find_on_path(&["chromium", "chromium-browser", "google-chrome"]).unwrap_or_else(|| {
        panic!(
            "chromium is not installed: run scripts/setup-test-deps (as root) or \
             `apt-get install -y --no-install-recommends chromium`"
        )
    })
}

/// Runs headless Chromium on a file with the network unreachable (a dead proxy and a host
/// resolver that resolves nothing), within a time limit.
fn run_chromium(profile_dir: &Path, page: &Path, extra: &[&str]) -> std::process::Output {
    let output = Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn html_renders_in_headless_chromium_offline() {
    let report = sample_report();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html::render(&report)).unwrap();

    let shot = dir.path().join("shot.png");
    run_chromium(
        &dir.path().join("profile-shot"),
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote no screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert!(
        png.len() > 20_000,
        "screenshot is {} bytes: blank page?",
        png.len()
    );

    let dump = run_chromium(&dir.path().join("profile-dom"), &page, &["--dump-dom"]);
    let dom = String::from_utf8(dump.stdout).unwrap();
    let body = dom.find("<body").expect("a rendered body");
    let text = visible_text(&dom[body..]).replace("\r\n", "\n");
    assert_shows_every_finding(&text, &report);
    assert!(text.contains("NOT READY"));
}

#[test]
fn html_puts_the_verdict_then_failures_first_and_folds_passes_per_rule() {
    let report = sample_report();
    let page = html::render(&report);
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in the page"))
    };
    // Verdict and counts, then the contents, then the findings.
    assert!(at("id=\"verdict\"") < at("id=\"summary\""));
    assert!(at("id=\"summary\"") < at("id=\"contents\""));
    assert!(at("id=\"contents\"") < at("<main>"));
    let first_failure = at("<article class=\"finding fail\">");
    let first_pass = at("<tr class=\"finding pass\">");
    assert!(first_failure < first_pass);
    // Every rule with a failure or an error comes before every rule without one.
    let sections: Vec<&str> = page.split("<section class=\"rule\"").skip(1).collect();
    let acts: Vec<bool> = sections
        .iter()
        .map(|s| {
            let body = s.split("<details").next().unwrap_or_default();
            body.contains("finding fail\"") || body.contains("finding error\"")
        })
        .collect();
    assert!(acts.iter().any(|a| *a) && acts.iter().any(|a| !*a));
    assert!(
        acts.windows(2).all(|w| w[0] || !w[1]),
        "rules needing action are not first: {acts:?}"
    );
    // Passes and not-applicable findings are folded, closed, one <details> per rule at most.
    for section in &sections {
        assert!(section.matches("<details").count() <= 1);
        if let Some(folded) = section.split("<details class=\"passed\">").nth(1) {
            assert!(!folded.contains("finding fail\"") && !folded.contains("finding error\""));
        }
    }
    assert!(!page.contains("<details open") && !page.contains("\" open>"));
    // The contents list every rule with its status.
    let contents = &page[at("id=\"contents\"")..at("</table>\n</section>")];
    for (rule_id, status) in [
        ("bedrock-model-access", "fail"),
        ("cloudtrail-enabled", "error"),
        ("no-zdr-assumption", "pass"),
    ] {
        let row = contents
            .lines()
            .find(|l| l.contains(&format!("#rule-{rule_id}\"")))
            .unwrap_or_else(|| panic!("no contents row for {rule_id}"));
        assert!(row.contains(&format!("status-{status}\"")), "{row}");
    }
}

/// Pages in a PDF written by Chromium (one `/Type /Page` object per page).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

fn print_to_pdf(dir: &Path, name: &str, page_text: &str) -> usize {
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, page_text).unwrap();
    let pdf = dir.join(format!("{name}.pdf"));
    run_chromium(
        &dir.join(format!("profile-{name}")),
        &page,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    let bytes = std::fs::read(&pdf).expect("chromium wrote no PDF");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    pdf_pages(&bytes)
}

/// Passes are folded on screen and all open on paper: the printed page is as long as the
/// page with every `<details>` opened by hand, and longer than without the print rules.
#[test]
fn html_prints_every_folded_section_open() {
    let mut report = sample_report();
    let template = report
        .findings
        .iter()
        .find(|f| f.status == Status::Pass)
        .expect("a passing finding")
        .clone();
    for i in 0..150 {
        let mut pass = template.clone();
        pass.resource = format!("arn:aws:logs:us-east-1:111122223333:log-group:/passing/{i:03}");
        report.findings.push(pass);
    }
    report.summary = Summary::of(&report.findings);
    let page = html::render(&report);
    assert!(
        page.contains("<details class=\"passed\">"),
        "passes are folded"
    );
    assert!(
        !page.contains("<details class=\"passed\" open"),
        "closed by default"
    );

    let dir = tempfile::tempdir().unwrap();
    let printed = print_to_pdf(dir.path(), "printed", &page);
    let opened = print_to_pdf(
        dir.path(),
        "opened",
        &page.replace(
            "<details class=\"passed\">",
            "<details class=\"passed\" open>",
        ),
    );
    let print_rules = [
        "details::details-content { content-visibility: visible; display: block; }",
        "details:not([open]) > *:not(summary) { display: block; }",
    ];
    let mut without = page.clone();
    for rule in print_rules {
        assert!(without.contains(rule), "the print stylesheet has {rule}");
        without = without.replace(rule, "");
    }
    let folded = print_to_pdf(dir.path(), "folded", &without);
    assert!(folded >= 1);
    assert!(
        printed > folded,
        "printing did not open the folded passes: {printed} pages, {folded} folded"
    );
    assert_eq!(printed, opened, "printed vs opened by hand");
}

/// GitHub's comment limit is 65,536 characters; `$GITHUB_STEP_SUMMARY` shows the first line
/// as the job's heading. At 10,000 findings, passing or failing, both hold.
#[test]
fn markdown_of_10000_findings_fits_a_comment_and_leads_with_the_verdict() {
    const GITHUB_COMMENT_LIMIT: usize = 65_536;
    let template = sample_report();
    for failing_every in [1, 10, 10_000] {
        let mut report = template.clone();
        let base = report.findings[0].clone();
        report.findings = (0..10_000)
            .map(|i| {
                let mut finding = base.clone();
                finding.status = if i % failing_every == 0 {
                    Status::Fail
                } else {
                    Status::Pass
                };
                finding.resource = format!(
                    "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/a-rather-long-service-name-{i:05}|<x>"
                );
                finding.message = format!("Log group number {i} *is* `judged` | [here](x).");
                finding
            })
            .collect();
        report.summary = Summary::of(&report.findings);
        let text = markdown::render(&report);
        let length = text.chars().count();
        assert!(
            length <= GITHUB_COMMENT_LIMIT,
            "{length} characters with every {failing_every}th failing"
        );
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("## ") && first.contains("NOT READY"),
            "first line: {first}"
        );
        assert_eq!(
            text.matches("<details>").count(),
            text.matches("</details>").count()
        );
        if failing_every == 1 {
            assert!(text.contains("**Truncated:**"), "the cut is said");
        }
    }
}

#[test]
fn markdown_fits_in_a_pull_request_comment() {
    let mut report = sample_report();
    let template = report.findings[0].clone();
    report.findings = (0..2_000)
        .map(|i| {
            let mut finding = template.clone();
            finding.resource =
                format!("arn:aws:logs:us-east-1:111122223333:log-group:/many/group-{i:04}");
            finding
        })
        .collect();
    report.summary = Summary::of(&report.findings);
    let text = markdown::render(&report);
    assert!(
        text.chars().count() <= markdown::COMMENT_LIMIT,
        "{} characters",
        text.chars().count()
    );
    assert!(text.contains("**Truncated:**"));
    assert!(text.contains("group-0000"), "the first findings are kept");
    assert!(!text.contains("group-1999"), "the tail is cut");
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
}

// ---------------------------------------------------------------- OCSF and ASFF

fn json_array(text: &str) -> Vec<serde_json::Value> {
    match serde_json::from_str(text).expect("valid JSON") {
        serde_json::Value::Array(items) => items,
        other => panic!("expected an array, got {other}"),
    }
}

/// Every emitted OCSF event parsed by py-ocsf-models (installed into `.venv/` by
/// `scripts/setup-test-deps`) as a Compliance Finding, with the fields we map read back.
#[test]
fn ocsf_events_parse_as_compliance_findings_with_py_ocsf_models() {
    let report = sample_report();
    let rendered = ocsf::render(&report);
    let events = json_array(&rendered);
    assert_eq!(events.len(), report.findings.len());
    let dir = tempfile::tempdir().expect("scratch dir");
    let file = dir.path().join("events.json");
    std::fs::write(&file, &rendered).expect("write events");
    let python = manifest_dir().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup-test-deps (it installs py-ocsf-models)",
        python.display()
    );
    let script = r#"
import json, sys
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
events = json.load(open(sys.argv[1]))
for event in events:
    parsed = ComplianceFinding.model_validate(event)
    assert parsed.class_uid == 2003, parsed.class_uid
    assert parsed.finding_info.uid == event["finding_info"]["uid"]
    assert int(parsed.severity_id) == event["severity_id"]
    assert int(parsed.compliance.status_id) == event["compliance"]["status_id"]
    assert parsed.compliance.control == event["unmapped"]["rule_id"]
    assert int(parsed.type_uid) == 200301
print(len(events))
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "py-ocsf-models rejected an event:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        events.len().to_string()
    );
}

#[test]
fn ocsf_maps_status_severity_waivers_and_evidence() {
    let report = sample_report();
    let events = json_array(&ocsf::render(&report));
    for (finding, event) in report.findings.iter().zip(&events) {
        let (status_id, _) = ocsf::compliance_status(finding.status);
        assert_eq!(event["compliance"]["status_id"], status_id);
        assert_eq!(event["severity_id"], ocsf::severity_id(finding.severity));
        assert_eq!(event["cloud"]["account"]["uid"], ACCOUNT);
        assert_eq!(event["resources"][0]["uid"], finding.resource.as_str());
        assert_eq!(event["remediation"]["desc"], finding.remediation.as_ref());
        assert_eq!(
            event["status_id"],
            if finding.waiver.is_some() { 3 } else { 1 }
        );
        assert_eq!(
            event["evidences"].as_array().map(Vec::len),
            Some(finding.evidence.len())
        );
        assert_eq!(
            event["finding_info"]["uid"],
            hex_sha256(finding.identity().as_bytes()).as_str()
        );
    }
    assert!(events.iter().any(|e| e["compliance"]["status"] == "Error"));
    assert!(
        events.iter().any(|e| e["status_id"] == 3),
        "a waived finding is Suppressed"
    );
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn asff_findings_have_every_required_field_within_its_limits() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("schemas/asff-required.schema.json"))
            .expect("read the ASFF schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut report = sample_report();
    // Longer than every ASFF limit: cut, never rejected by Security Hub.
    report.findings[0].message = "m".repeat(5_000);
    report.findings[0].remediation = "r".repeat(5_000).into();
    let findings = json_array(&asff::render(&report));
    assert_eq!(findings.len(), report.findings.len());
    for (finding, value) in report.findings.iter().zip(&findings) {
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", finding.resource);
        let expected = match finding.status {
            Status::Pass => "PASSED",
            Status::Fail => "FAILED",
            Status::Error | Status::NotApplicable => "NOT_AVAILABLE",
        };
        assert_eq!(value["Compliance"]["Status"], expected);
        assert_eq!(value["AwsAccountId"], ACCOUNT);
        assert_eq!(
            value["Workflow"]["Status"],
            if finding.waiver.is_some() {
                "SUPPRESSED"
            } else {
                "NEW"
            }
        );
    }
    assert_eq!(
        findings[0]["Description"]
            .as_str()
            .map(|d| d.chars().count()),
        Some(1024)
    );
    // Ids are unique and stable: a re-import updates the same finding.
    let ids: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["Id"].as_str()).collect();
    assert_eq!(ids.len(), findings.len());
    assert_eq!(
        json_array(&asff::render(&report))[1]["Id"],
        findings[1]["Id"]
    );
}

#[test]
fn the_asff_schema_rejects_a_finding_missing_a_required_field() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("schemas/asff-required.schema.json"))
            .expect("read the ASFF schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let good = json_array(&asff::render(&sample_report())).remove(0);
    for field in [
        "ProductArn",
        "GeneratorId",
        "Resources",
        "Severity",
        "Title",
    ] {
        let mut broken = good.clone();
        broken.as_object_mut().expect("object").remove(field);
        assert!(
            !validator.is_valid(&broken),
            "missing {field} should be rejected"
        );
    }
    let mut long_title = good.clone();
    long_title["Title"] = serde_json::json!("t".repeat(257));
    assert!(!validator.is_valid(&long_title));
}

// ---------------------------------------------------------------- several accounts

/// The golden report split over two accounts: the first account keeps the findings of the
/// first two rules, the second gets the rest.
fn two_account_report() -> Report {
    let mut report = golden_report();
    let first_rules: Vec<String> = {
        let mut ids: Vec<String> = report
            .findings
            .iter()
            .map(|f| f.rule_id.to_string())
            .collect();
        ids.dedup();
        ids.into_iter().take(2).collect()
    };
    for finding in &mut report.findings {
        if !first_rules.iter().any(|r| *r == finding.rule_id) {
            finding.account = "444455556666".into();
        }
    }
    report.scan.accounts = vec![ACCOUNT.into(), "444455556666".into()];
    report.summary = Summary::of(&report.findings);
    report
}

/// The lines of `text` from the one starting with `start` to the next blank line after the
/// section's first body line.
fn section(text: &str, start: &str) -> String {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(start));
    let mut out: Vec<&str> = lines.next().into_iter().collect();
    out.extend(
        lines
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty()),
    );
    out.join("\n")
}

#[test]
fn the_account_rollup_opens_every_human_format_and_the_json_summary() {
    let report = two_account_report();
    // The rules of the golden report are unknown to the registry; the roll-up's columns are
    // the registry's rules, so use real ids for this one.
    let mut real = sample_report();
    for (i, finding) in real.findings.iter_mut().enumerate() {
        if i % 2 == 1 {
            finding.account = "444455556666".into();
        }
    }
    real.scan.accounts = vec![ACCOUNT.into(), "444455556666".into()];
    real.summary = Summary::of(&real.findings);

    let table = report::table::render(
        &real,
        &report::table::TableOptions {
            color: false,
            width: 100,
            show_passed: false,
        },
    );
    insta::assert_snapshot!("rollup_table", section(&table, "By account"));
    let markdown = markdown::render(&real);
    insta::assert_snapshot!("rollup_markdown", section(&markdown, "### Accounts"));
    let html = html::render(&real);
    let start = html
        .find("<section id=\"accounts\">")
        .expect("roll-up section");
    let end = start + html[start..].find("</section>").expect("section end");
    insta::assert_snapshot!("rollup_html", &html[start..end]);
    let json: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    insta::assert_json_snapshot!("rollup_json_summary", json["summary"]);

    // The roll-up comes before the details, and one account has none.
    assert!(table.find("By account").unwrap() < table.find("Fix:").unwrap_or(usize::MAX));
    assert!(markdown.find("### Accounts").unwrap() < markdown.find("### Failing").unwrap());
    let single = sample_report();
    assert!(!markdown::render(&single).contains("### Accounts"));
    assert!(!html::render(&single).contains("id=\"accounts\""));
}

/// A report over `accounts` accounts with two findings each.
fn report_of_accounts(accounts: usize) -> Report {
    let ids: Vec<String> = (0..accounts)
        .map(|i| format!("{:012}", 100_000_000_000 + i))
        .collect();
    let findings = ids
        .iter()
        .flat_map(|id| {
            ["cloudtrail-enabled", "log-retention-set"].map(|rule| {
                let mut f = finding(rule, Status::Pass, Severity::Medium, "us-east-1", "r", "ok");
                f.account = id.clone();
                f
            })
        })
        .collect();
    let mut report = Report::new(
        ScanInfo {
            accounts: ids,
            regions: vec!["us-east-1".into()],
            started_at: "2026-11-20T09:00:00Z".into(),
            finished_at: "2026-11-20T09:00:06Z".into(),
            source: "scan".into(),
        },
        findings,
    );
    report.tool.rules_version = "x".into();
    report
}

#[test]
fn junit_grows_linearly_with_accounts_and_each_suite_names_its_own_account() {
    // Issue 24: every <testsuite> repeated the whole account list (748 MB for 2,000 accounts).
    let small = junit::render(&report_of_accounts(200)).len();
    let large = junit::render(&report_of_accounts(400)).len();
    assert!(
        (large as f64) < 2.1 * small as f64,
        "200 accounts: {small} bytes, 400 accounts: {large} bytes"
    );
    let text = junit::render(&report_of_accounts(3));
    assert!(
        text.contains("<property name=\"accounts\" value=\"100000000001\"/>"),
        "{text}"
    );
    // The suite `<account>/<rule>` still carries its rule's title.
    assert!(text.contains("<property name=\"title\""), "{text}");
    assert_eq!(validate_junit(&text), Ok(()));
}

#[test]
fn one_oversized_finding_does_not_empty_the_markdown_summary() {
    // Issue 24: a single 200,000-character message made the comment cut fall before the first
    // table row, so the summary showed no failing finding at all.
    let huge = "x".repeat(200_000);
    let findings = vec![
        finding(
            "cloudtrail-enabled",
            Status::Fail,
            Severity::High,
            "us-east-1",
            "trail/huge",
            &huge,
        ),
        finding(
            "cloudtrail-enabled",
            Status::Fail,
            Severity::High,
            "us-east-1",
            "trail/next",
            "small",
        ),
    ];
    let report = Report::new(
        ScanInfo {
            accounts: vec![ACCOUNT.into()],
            regions: vec!["us-east-1".into()],
            started_at: "2026-11-20T09:00:00Z".into(),
            finished_at: "2026-11-20T09:00:06Z".into(),
            source: "scan".into(),
        },
        findings,
    );
    let text = markdown::render(&report);
    assert!(text.chars().count() <= markdown::COMMENT_LIMIT);
    assert!(
        text.contains("`trail/huge`"),
        "{}",
        &text[..2000.min(text.len())]
    );
    assert!(text.contains("`trail/next`"));
    assert!(text.contains("199000 more characters"), "the cut is said");
}
