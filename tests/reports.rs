//! The table, JSON and SARIF formats: golden output, schema validity (our JSON Schema, the
//! official SARIF 2.1.0 schema, the SARIF Multitool's GitHub rules) and fingerprint stability.
//!
//! Golden tests render against a fixed rule catalogue (`catalogue()`), so editing a rule's
//! metadata in `rules/*.toml` does not churn these snapshots; the tests that use the real
//! registry check structure and validity only.

use std::path::{Path, PathBuf};
use std::process::Command;

use bedrock_audit::finding::{Evidence, Finding, Severity, Status};
use bedrock_audit::report::table::TableOptions;
use bedrock_audit::report::{self, json, sarif, table, Report, ScanInfo, Summary, ToolInfo};
use bedrock_audit::rules::{RuleMeta, REGISTRY};
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn meta(id: &str, title: &str, severity: Severity, cli: &str) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: title.into(),
        severity,
        rationale: format!("Why {id} matters for a Claude Code rollout,\nwrapped over two lines."),
        remediation: format!("What to do when {id} fails."),
        remediation_cli: cli.into(),
        references: vec![format!(
            "https://docs.aws.amazon.com/bedrock/latest/userguide/{id}.html"
        )],
        parameters: Default::default(),
        advice: Default::default(),
    }
}

/// A fixed catalogue in registry order, so golden output does not follow rule-text edits.
fn catalogue() -> Vec<RuleMeta> {
    vec![
        meta(
            "bedrock-model-access",
            "Claude models are enabled in every target region",
            Severity::High,
            "aws bedrock list-foundation-models --region <region>",
        ),
        meta(
            "bedrock-inference-profiles",
            "Cross-region inference profiles are available",
            Severity::Medium,
            "aws bedrock list-inference-profiles --region <region>",
        ),
        meta(
            "bedrock-runtime-vpc-endpoint",
            "A bedrock-runtime VPC endpoint exists",
            Severity::Low,
            "aws ec2 create-vpc-endpoint --service-name com.amazonaws.<region>.bedrock-runtime",
        ),
        meta(
            "cloudtrail-enabled",
            "CloudTrail records management events",
            Severity::Critical,
            "aws cloudtrail create-trail --name <name> --s3-bucket-name <bucket>",
        ),
        meta(
            "log-retention-set",
            "CloudWatch log groups have a retention policy",
            Severity::Medium,
            "aws logs put-retention-policy --log-group-name <name> --retention-in-days 30",
        ),
        meta(
            "kms-keys-configured",
            "Customer-managed KMS keys protect logs",
            Severity::Low,
            "aws kms create-key",
        ),
        meta(
            "no-zdr-assumption",
            "Nothing assumes zero data retention",
            Severity::Info,
            "aws bedrock get-model-invocation-logging-configuration",
        ),
    ]
}

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
        remediation: format!(
            "What to do when {rule_id} fails.\naws {rule_id} fix --region {region}"
        )
        .into(),
        evidence: vec![
            Evidence::new("test:Operation", Some(region)).with("judged", status.as_str())
        ],
        waiver: None,
        baseline: None,
    }
}

/// Every status, several rules and severities, a global and two regional scopes, an ARN
/// with characters the location convention must sanitise, and an unreadable section.
fn findings() -> Vec<Finding> {
    let mut unreadable = finding(
        "cloudtrail-enabled",
        Status::Error,
        Severity::Critical,
        "us-east-1",
        "arn:aws:cloudtrail:us-east-1:111122223333:trail/*",
        "Could not read the region's trails: cloudtrail:DescribeTrails failed with AccessDenied: not authorized. The rule cannot judge what it cannot read.",
    );
    unreadable.remediation =
        "Grant the scanner cloudtrail:DescribeTrails (see `bedrock-audit iam-policy`), or wait out the throttling/outage, then scan again.".into();
    unreadable.evidence = vec![
        Evidence::new("cloudtrail:DescribeTrails", Some("us-east-1"))
            .with("error_kind", "access_denied")
            .with("error_code", "AccessDenied"),
    ];
    vec![
        finding("bedrock-model-access", Status::Pass, Severity::High, "us-east-1", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4 is enabled in us-east-1."),
        finding("bedrock-model-access", Status::Fail, Severity::High, "eu-west-1", "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4 is not enabled in eu-west-1; request model access in the Bedrock console before rolling out there."),
        finding("bedrock-runtime-vpc-endpoint", Status::NotApplicable, Severity::Low, "global", "vpc-endpoint/bedrock-runtime", "The profile does not require private connectivity."),
        unreadable,
        finding("log-retention-set", Status::Fail, Severity::Medium, "us-east-1", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/model-invocations:*", "Log group /aws/bedrock/model-invocations has no retention policy, so its events never expire; set one of at least 30 days."),
        finding("log-retention-set", Status::Pass, Severity::Medium, "us-east-1", "arn:aws:logs:us-east-1:111122223333:log-group:/claude-code/otel:*", "Log group /claude-code/otel keeps events for 90 days (at least 30 required)."),
        finding("log-retention-set", Status::NotApplicable, Severity::Medium, "eu-west-1", "arn:aws:logs:eu-west-1:111122223333:log-group:*", "No CloudWatch log groups in eu-west-1; nothing to judge."),
        finding("kms-keys-configured", Status::Fail, Severity::Low, "global", "model-role/primary", "The model role's log group is encrypted with an AWS-owned key"),
        finding("no-zdr-assumption", Status::Pass, Severity::Info, "global", "profile/data-retention", "The profile does not assume zero data retention."),
    ]
}

fn scan(started_at: &str, finished_at: &str) -> ScanInfo {
    ScanInfo {
        accounts: vec![ACCOUNT.into()],
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        started_at: started_at.into(),
        finished_at: finished_at.into(),
        source: "scan".into(),
    }
}

fn report_of(findings: Vec<Finding>) -> Report {
    Report {
        schema_version: report::REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "bedrock-audit".into(),
            version: "0.1.0".into(),
            rules_version: "0123456789abcdef".into(),
        },
        scan: scan("2026-11-20T09:00:00Z", "2026-11-20T09:00:04Z"),
        summary: Summary::of(&findings),
        findings,
        waivers: Vec::new(),
        baseline: None,
    }
}

fn sample_report() -> Report {
    report_of(findings())
}

/// The sample with one failing finding waived and every finding compared with an empty
/// baseline, so waiver and baseline fields appear in every format.
fn annotated_report() -> Report {
    let mut report = sample_report();
    let waived = report
        .findings
        .iter()
        .find(|f| f.status == Status::Fail)
        .expect("the sample has a failing finding")
        .clone();
    let waiver = bedrock_audit::waivers::Waiver {
        rule: waived.rule_id.to_string(),
        resource: waived.resource.clone(),
        region: None,
        account: None,
        justification: "Accepted for the pilot cohort; reviewed by security.".into(),
        owner: "security@example.com".into(),
        expires: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
        declared_in: "waivers.toml, waiver #1".into(),
    };
    report.apply_waivers(
        &[waiver],
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
    );
    report.compare_with(&bedrock_audit::baseline::Baseline {
        path: "baseline.json".into(),
        report: report_of(Vec::new()),
    });
    report
}

fn load_json(relative: &str) -> Value {
    let path = manifest_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every schema violation, as `path: message` lines (empty when valid).
fn schema_errors(schema_file: &str, instance: &Value) -> Vec<String> {
    let schema = load_json(schema_file);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{schema_file} is not a usable schema: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("output is JSON")
}

// ---------------------------------------------------------------- table

fn at_width(width: u16) -> TableOptions {
    TableOptions {
        width,
        ..TableOptions::default()
    }
}

/// The display width of a line (a CJK character takes two columns).
fn columns(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}

fn assert_fits(text: &str, width: u16) {
    for line in text.lines() {
        assert!(
            columns(line) <= usize::from(width),
            "line of {} columns at width {width}: {line}",
            columns(line)
        );
    }
}

#[test]
fn table_golden() {
    insta::assert_snapshot!(table::render_with_rules(
        &sample_report(),
        &TableOptions::default(),
        &catalogue()
    ));
}

#[test]
fn table_golden_with_every_finding_listed() {
    insta::assert_snapshot!(table::render_with_rules(
        &annotated_report(),
        &TableOptions {
            show_passed: true,
            ..TableOptions::default()
        },
        &catalogue()
    ));
}

/// `count` findings of log-retention-set in us-east-1, `failing` of them failing.
fn log_group_report(count: usize, failing: usize) -> Report {
    let findings = (0..count)
        .map(|i| {
            let name = format!("/aws/lambda/claude-code-service-{i:04}");
            let fails = i * failing / count.max(1) != (i + 1) * failing / count.max(1);
            let (status, message) = if fails {
                (Status::Fail, format!("Log group {name} has no retention policy, so its events never expire; set one of at least 30 days."))
            } else {
                (Status::Pass, format!("Log group {name} keeps events for 90 days (at least 30 required)."))
            };
            finding(
                "log-retention-set",
                status,
                Severity::Medium,
                "us-east-1",
                &format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}:*"),
                &message,
            )
        })
        .collect();
    report_of(findings)
}

#[test]
fn table_goldens_at_three_widths_with_one_and_with_700_failures_of_one_rule() {
    for (label, report) in [
        ("one", log_group_report(1, 1)),
        ("seven_hundred", log_group_report(700, 700)),
    ] {
        for width in [80, 100, 160] {
            let text = table::render_with_rules(&report, &at_width(width), &catalogue());
            assert_fits(&text, width);
            insta::assert_snapshot!(format!("table_{label}_failing_at_{width}"), text);
        }
    }
}

#[test]
fn many_failures_of_a_rule_show_the_first_20_and_count_the_rest() {
    let report = log_group_report(700, 300);
    let text = table::render_with_rules(&report, &TableOptions::default(), &catalogue());
    assert!(
        text.contains("… and 280 more (--show-passed / --format json for all)"),
        "{text}"
    );
    assert_eq!(text.matches("│ FAIL ").count(), 20, "{text}");
    // The 400 passes are one line.
    assert!(
        text.contains("✓ log-retention-set  400 log groups in us-east-1 pass"),
        "{text}"
    );
    let all = table::render_with_rules(
        &report,
        &TableOptions {
            show_passed: true,
            ..TableOptions::default()
        },
        &catalogue(),
    );
    assert_eq!(all.matches("│ FAIL ").count(), 300);
    assert_eq!(all.matches("│ PASS ").count(), 400);
    assert!(!all.contains("more (--show-passed"));
}

/// The account of the issue: 700 log groups, 3 without retention, judged by the real rules.
#[test]
fn the_first_25_lines_carry_the_verdict_and_every_failing_resource() {
    let mut snapshot = load_json("fixtures/ready.snapshot.json");
    let groups = snapshot["accounts"][0]["regions"][0]["log_groups"]["data"]
        .as_array_mut()
        .expect("log groups");
    let key = groups[0]["kms_key_id"].clone();
    let failing = [
        "/aws/lambda/orders-0117",
        "/ecs/claude-proxy",
        "/aws/lambda/zz-forgotten",
    ];
    for i in 0..700 - groups.len() - failing.len() {
        let name = format!("/aws/lambda/service-{i:04}");
        groups.push(json!({
            "name": name,
            "arn": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"),
            "retention_in_days": 90,
            "kms_key_id": key,
        }));
    }
    for name in failing {
        groups.push(json!({
            "name": name,
            "arn": format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"),
            "retention_in_days": null,
            "kms_key_id": key,
        }));
    }
    assert_eq!(groups.len(), 700);
    let snapshot = bedrock_audit::app::parse_snapshot(
        &snapshot.to_string(),
        Path::new("seven-hundred.snapshot.json"),
    )
    .expect("the snapshot parses");
    let mut profile = bedrock_audit::profile::Profile::default();
    profile.rollout.regions = vec!["us-east-1".into()];
    let report = bedrock_audit::engine::build_report(
        &snapshot,
        &profile,
        &bedrock_audit::engine::RuleSelection {
            only: vec![
                "log-retention-set".into(),
                "cloudtrail-enabled".into(),
                "kms-keys-configured".into(),
            ],
            skip: Vec::new(),
        },
        "snapshot",
    );
    assert_eq!(report.summary.fail, 3, "{:?}", report.summary);
    for width in [80, 100, 160] {
        let text = table::render(&report, &at_width(width));
        let first: Vec<&str> = text.lines().take(25).collect();
        let screen = first.join("\n");
        assert!(
            first[0].starts_with("Verdict: NOT READY — 3 checks failed"),
            "{screen}"
        );
        for name in failing {
            assert!(
                screen.contains(name),
                "{name} not on the first screen at {width}:\n{screen}"
            );
        }
        // Short names in the table, never the ARN of a log group.
        assert!(!text.contains("arn:aws:logs:"), "{text}");
        assert!(text.contains("✓ log-retention-set"), "{text}");
        assert!(text.contains("697 log groups in us-east-1 pass"), "{text}");
        // Longer than a screen: the verdict again at the end.
        if text.lines().count() > table::SCREEN_LINES {
            let last = text.trim_end().lines().last().unwrap_or_default();
            assert!(last.starts_with("Verdict: NOT READY"), "{text}");
        }
        if width == 80 {
            // The rule-set digest changes with any rule's metadata; the layout is what is golden.
            let stable = text.replace(&report.tool.rules_version, "<rules digest>");
            insta::assert_snapshot!("table_seven_hundred_log_groups_three_failing_at_80", stable);
        }
        assert_fits(&text, width);
    }
}

#[test]
fn two_resources_with_one_short_name_in_a_region_are_shown_by_arn() {
    let mut report = sample_report();
    let mut twin = report.findings[4].clone();
    assert!(twin
        .resource
        .contains(":log-group:/aws/bedrock/model-invocations"));
    twin.account = "444455556666".into();
    twin.resource = twin.resource.replace(ACCOUNT, "444455556666");
    report.findings.push(twin);
    let text = table::render_with_rules(&report, &at_width(200), &catalogue());
    assert!(
        text.contains(
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/model-invocations:*"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "arn:aws:logs:us-east-1:444455556666:log-group:/aws/bedrock/model-invocations:*"
        ),
        "{text}"
    );
    // The same name in another region stays short: the region column tells them apart.
    let mut report = sample_report();
    let mut twin = report.findings[4].clone();
    twin.region = "eu-west-1".into();
    twin.resource = twin.resource.replace("us-east-1", "eu-west-1");
    report.findings.push(twin);
    let text = table::render_with_rules(&report, &at_width(200), &catalogue());
    assert!(!text.contains("arn:aws:logs"), "{text}");
    assert_eq!(
        text.matches("┆ /aws/bedrock/model-invocations ┆").count(),
        2,
        "{text}"
    );
}

#[test]
fn a_short_report_says_the_verdict_once_a_long_one_twice() {
    let short = table::render_with_rules(
        &log_group_report(1, 1),
        &TableOptions::default(),
        &catalogue(),
    );
    assert!(short.lines().count() <= table::SCREEN_LINES, "{short}");
    assert_eq!(short.matches("Verdict: ").count(), 1, "{short}");
    let long = table::render_with_rules(&sample_report(), &TableOptions::default(), &catalogue());
    assert!(long.lines().count() > table::SCREEN_LINES);
    assert_eq!(long.matches("Verdict: ").count(), 2, "{long}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the width and however long the names, no line is wider than asked, and no
    /// name that fits a column is split.
    #[test]
    fn no_table_line_exceeds_the_width_it_was_given(
        width in table::MIN_WIDTH..=220u16,
        name_length in 1usize..300,
        show_passed in proptest::bool::ANY,
    ) {
        let mut report = annotated_report();
        let name = format!("/aws/{}", "n".repeat(name_length));
        report.findings.push(finding(
            "log-retention-set",
            Status::Fail,
            Severity::Medium,
            "ap-southeast-2",
            &format!("arn:aws:logs:ap-southeast-2:{ACCOUNT}:log-group:{name}:*"),
            &format!("Log group {name} has no retention policy; 日本語のロググループ."),
        ));
        report.summary = Summary::of(&report.findings);
        let options = TableOptions { width, show_passed, color: false };
        let text = table::render_with_rules(&report, &options, &catalogue());
        for line in text.lines() {
            proptest::prop_assert!(columns(line) <= usize::from(width), "{} > {width}: {line}", columns(line));
        }
        // A name that fits the page whole is never cut or split.
        if name.len() + 40 <= usize::from(width) {
            proptest::prop_assert!(text.contains(&name), "{name} cut at width {width}:\n{text}");
        }
        let coloured = table::render_with_rules(&report, &TableOptions { color: true, ..options }, &catalogue());
        proptest::prop_assert_eq!(strip_ansi(&coloured), text);
    }
}

#[test]
fn table_colour_on_has_ansi_escapes_and_off_has_none() {
    let report = sample_report();
    let coloured = table::render_with_rules(
        &report,
        &TableOptions {
            color: true,
            ..TableOptions::default()
        },
        &catalogue(),
    );
    let plain = table::render_with_rules(&report, &TableOptions::default(), &catalogue());
    assert!(
        coloured.contains("\x1b["),
        "colour on must emit ANSI escapes"
    );
    assert!(
        !plain.contains('\x1b'),
        "colour off must emit no escape at all"
    );
    // Stripping the escapes must not lose any text.
    assert!(strip_ansi(&coloured).contains("NOT READY"));
}

#[test]
fn table_puts_failures_first_most_severe_first_each_with_its_fix() {
    let text = table::render_with_rules(&sample_report(), &TableOptions::default(), &catalogue());
    // Failing and error rules by severity: critical, high, medium, low.
    let order: Vec<usize> = [
        "cloudtrail-enabled · ",
        "bedrock-model-access · ",
        "log-retention-set · ",
        "kms-keys-configured · ",
        "Passed and not applicable",
    ]
    .iter()
    .map(|heading| {
        text.find(heading)
            .unwrap_or_else(|| panic!("no {heading}:\n{text}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(!text.contains("bedrock-inference-profiles"));
    assert!(text.contains("Fix: What to do when log-retention-set fails."));
    assert!(text.contains("Fix: Grant the scanner cloudtrail:DescribeTrails"));
    // Rules with only passing or n/a findings need no fix, and are one line each.
    assert!(!text.contains("Fix: What to do when no-zdr-assumption fails."));
    assert!(!text.contains("Fix: What to do when bedrock-runtime-vpc-endpoint fails."));
    assert!(text.contains("✓ no-zdr-assumption"), "{text}");
    assert!(text.contains("– bedrock-runtime-vpc-endpoint"), "{text}");
    assert!(!text.contains("│ PASS"), "{text}");
    let head: Vec<&str> = text.lines().take(4).collect();
    assert!(head[0].starts_with("Verdict: NOT READY"), "{text}");
    assert_eq!(head[1], "Summary: pass 3 · fail 3 · error 1 · n/a 2");
    assert_eq!(
        head[2],
        "Account: 111122223333 · Regions: us-east-1, eu-west-1"
    );
    assert_fits(&text, table::DEFAULT_WIDTH);
}

#[test]
fn table_verdicts() {
    let verdict = |findings: Vec<Finding>| {
        let text =
            table::render_with_rules(&report_of(findings), &TableOptions::default(), &catalogue());
        let first = text.lines().next().expect("a first line").to_string();
        assert!(first.starts_with("Verdict: "), "{text}");
        first
    };
    let all = findings();
    let with = |statuses: &[Status]| -> Vec<Finding> {
        all.iter()
            .filter(|f| statuses.contains(&f.status))
            .cloned()
            .collect()
    };
    assert!(verdict(all.clone())
        .starts_with("Verdict: NOT READY — 3 checks failed; 1 more check could not be evaluated"));
    assert!(verdict(with(&[Status::Pass, Status::NotApplicable])).starts_with("Verdict: READY"));
    assert!(verdict(with(&[Status::Pass, Status::Error])).starts_with("Verdict: INCOMPLETE"));
    // Fail closed: nothing evaluated is not "ready".
    assert!(verdict(Vec::new()).starts_with("Verdict: INCOMPLETE — no checks were evaluated"));
    // Every finding not applicable: nothing was judged either.
    assert!(verdict(with(&[Status::NotApplicable]))
        .starts_with("Verdict: INCOMPLETE — no checks were evaluated"));
}

#[test]
fn table_with_the_real_registry_renders_every_finding() {
    let report = sample_report();
    let text = table::render(&report, &TableOptions::default());
    for finding in &report.findings {
        assert!(text.contains(finding.rule_id.as_ref()));
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- json

#[test]
fn json_golden() {
    insta::assert_snapshot!(json::render(&sample_report()));
}

#[test]
fn json_validates_against_the_report_schema_and_round_trips() {
    let report = sample_report();
    let text = json::render(&report);
    let value = parse(&text);
    let errors = schema_errors("schemas/report.schema.json", &value);
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
    let back: Report = serde_json::from_str(&text).expect("the JSON report reads back");
    assert_eq!(back, report);
}

/// Damages a valid report in one way.
type Breakage = Box<dyn Fn(&mut Value)>;

#[test]
fn json_schema_rejects_broken_reports() {
    let valid = parse(&json::render(&sample_report()));
    let broken: Vec<(&str, Breakage)> = vec![
        (
            "unknown status",
            Box::new(|v| v["findings"][0]["status"] = json!("maybe")),
        ),
        (
            "unknown severity",
            Box::new(|v| v["findings"][0]["severity"] = json!("urgent")),
        ),
        (
            "missing remediation",
            Box::new(|v| {
                v["findings"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("remediation");
            }),
        ),
        (
            "extra finding field",
            Box::new(|v| v["findings"][0]["note"] = json!("x")),
        ),
        (
            "negative count",
            Box::new(|v| v["summary"]["fail"] = json!(-1)),
        ),
        (
            "unknown source",
            Box::new(|v| v["scan"]["source"] = json!("guess")),
        ),
        (
            "bad timestamp",
            Box::new(|v| v["scan"]["started_at"] = json!("yesterday")),
        ),
        (
            "evidence without values",
            Box::new(|v| {
                v["findings"][0]["evidence"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("values");
            }),
        ),
        (
            "wrong schema version",
            Box::new(|v| v["schema_version"] = json!(2)),
        ),
    ];
    for (what, break_it) in broken {
        let mut value = valid.clone();
        break_it(&mut value);
        assert!(
            !schema_errors("schemas/report.schema.json", &value).is_empty(),
            "the schema accepted a report with: {what}"
        );
    }
}

// ---------------------------------------------------------------- sarif

#[test]
fn sarif_golden() {
    insta::assert_snapshot!(sarif::render_with_rules(&sample_report(), &catalogue()));
}

#[test]
fn sarif_validates_against_the_official_schema() {
    for (what, text) in [
        (
            "fixed catalogue",
            sarif::render_with_rules(&sample_report(), &catalogue()),
        ),
        ("real registry", sarif::render(&sample_report())),
        (
            "unknown rule",
            sarif::render(&report_of(vec![finding(
                "retired-rule",
                Status::Fail,
                Severity::High,
                "global",
                "x",
                "Gone.",
            )])),
        ),
        ("no findings", sarif::render(&report_of(Vec::new()))),
        ("waived and baselined", sarif::render(&annotated_report())),
    ] {
        let errors = schema_errors("schemas/sarif-2.1.0.schema.json", &parse(&text));
        assert!(
            errors.is_empty(),
            "{what}: SARIF schema violations:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn sarif_declares_every_registry_rule_and_indexes_results_into_them() {
    let sarif = parse(&sarif::render(&sample_report()));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let registry: Vec<&str> = REGISTRY.iter().map(|r| r.id).collect();
    assert_eq!(ids, registry);
    for rule in rules {
        let severity = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string");
        assert!(severity.parse::<f64>().is_ok(), "{severity}");
        assert!(rule["properties"]["tags"]
            .as_array()
            .expect("tags")
            .contains(&json!("security")));
        assert!(rule["help"]["markdown"]
            .as_str()
            .expect("markdown")
            .contains("```sh"));
    }
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_emits_only_fail_and_error_findings_with_levels_from_severity() {
    let sarif = parse(&sarif::render_with_rules(&sample_report(), &catalogue()));
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let summary: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["properties"]["status"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("bedrock-model-access", "fail", "error"),
            ("cloudtrail-enabled", "error", "error"),
            ("log-retention-set", "fail", "warning"),
            ("kms-keys-configured", "fail", "note"),
        ]
    );
    let unreadable = &results[1];
    assert!(unreadable["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("[not evaluated] Could not read"));
    let location = &results[2]["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "aws/111122223333/us-east-1/logs/log-group__aws_bedrock_model-invocations__"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock/model-invocations:*"
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["startTimeUtc"],
        "2026-11-20T09:00:00Z"
    );
    assert_eq!(sarif["runs"][0]["properties"]["summary"]["pass"], 3);
}

#[test]
fn sarif_fingerprints_depend_on_identity_only() {
    let first = sample_report();
    let mut second = sample_report();
    second.scan = scan("2027-01-02T03:04:05+02:00", "2027-01-02T03:05:00+02:00");
    for finding in &mut second.findings {
        finding.message = format!("Reworded: {}", finding.message);
        finding.remediation = "Different advice.".into();
        finding.evidence.clear();
    }
    let fingerprints = |report: &Report| -> Vec<String> {
        let sarif = parse(&sarif::render_with_rules(report, &catalogue()));
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let a = fingerprints(&first);
    let b = fingerprints(&second);
    assert_eq!(a.len(), 4);
    assert_eq!(a, b, "fingerprints changed with message/timestamps");
    // ...and they do tell resources apart.
    let mut unique = a.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len());
    let mut moved = sample_report();
    moved.findings[1].region = "eu-central-1".into();
    assert_ne!(
        fingerprints(&moved)[0],
        a[0],
        "a different region must be a different finding"
    );
    // The fingerprint is the documented hash of the identity.
    assert_eq!(a[0], sarif::fingerprint(&first.findings[1]));
    assert_eq!(a[0].len(), 64);
}

fn multitool() -> PathBuf {
    let path =
        manifest_dir().join("tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        path.is_file(),
        "SARIF Multitool not found at {}; run scripts/setup-test-deps",
        path.display()
    );
    path
}

/// Runs `Sarif.Multitool validate` with GitHub's and SARIF's rules and returns the error-level
/// results it logged (it exits 0 even when it finds problems, so its log is what counts).
fn multitool_errors(sarif_text: &str) -> Vec<String> {
    let tool = multitool();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("report.sarif");
    let log = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif_text).expect("write input");
    let output = Command::new(&tool)
        .arg("validate")
        // Turns off SARIF2006, which would fetch every URI in the log over the network.
        .arg("-c")
        .arg(manifest_dir().join("tests/data/sarif-multitool.config.xml"))
        .args(["--rule-kind", "Gh;Sarif"])
        .args(["--log", "ForceOverwrite"])
        .arg("-o")
        .arg(&log)
        .arg(&input)
        // The tool is a self-contained .NET binary; without libicu it needs invariant mode.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("run the SARIF Multitool");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && log.is_file(),
        "the SARIF Multitool did not run: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let log: Value = parse(&std::fs::read_to_string(&log).expect("read the validation log"));
    let mut problems = Vec::new();
    for run in log["runs"].as_array().expect("runs") {
        let invocation = &run["invocations"][0];
        for kind in [
            "toolExecutionNotifications",
            "toolConfigurationNotifications",
        ] {
            for notification in invocation[kind].as_array().into_iter().flatten() {
                if notification["level"] == "error" {
                    problems.push(format!("tool error: {}", notification["message"]["text"]));
                }
            }
        }
        for result in run["results"].as_array().into_iter().flatten() {
            // SARIF's default level is "warning"; the validator's rules set error explicitly.
            let level = result["level"].as_str().unwrap_or("warning");
            if level == "error" {
                problems.push(format!("{}: {}", result["ruleId"], result["message"]));
            }
        }
    }
    problems
}

#[test]
fn sarif_passes_the_multitool_github_and_sarif_rules() {
    for (what, text) in [
        (
            "fixed catalogue",
            sarif::render_with_rules(&sample_report(), &catalogue()),
        ),
        ("real registry", sarif::render(&sample_report())),
        ("waived and baselined", sarif::render(&annotated_report())),
    ] {
        let errors = multitool_errors(&text);
        assert!(
            errors.is_empty(),
            "{what}: SARIF Multitool errors:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn multitool_check_can_fail() {
    // A result without a location breaks GitHub's rules: the check must notice.
    let mut sarif = parse(&sarif::render_with_rules(&sample_report(), &catalogue()));
    sarif["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("locations");
    sarif["runs"][0]["results"][0]["ruleIndex"] = json!(99);
    let errors = multitool_errors(&serde_json::to_string(&sarif).unwrap());
    assert!(
        !errors.is_empty(),
        "a broken SARIF log passed the Multitool check"
    );
}

// ---------------------------------------------------------------- the real pipeline

#[test]
fn demo_report_from_the_engine_is_valid_json_and_sarif() {
    let snapshot = bedrock_audit::app::parse_snapshot(
        bedrock_audit::app::DEMO_SNAPSHOT,
        Path::new("demo.snapshot.json"),
    )
    .expect("the demo snapshot parses");
    let mut profile = bedrock_audit::profile::Profile::default();
    profile.rollout.regions = vec!["us-east-1".into()];
    let report = bedrock_audit::engine::build_report(
        &snapshot,
        &profile,
        &bedrock_audit::engine::RuleSelection::default(),
        "demo",
    );
    assert!(!report.findings.is_empty());
    let errors = schema_errors("schemas/report.schema.json", &parse(&json::render(&report)));
    assert!(
        errors.is_empty(),
        "JSON schema violations:\n{}",
        errors.join("\n")
    );
    let errors = schema_errors(
        "schemas/sarif-2.1.0.schema.json",
        &parse(&sarif::render(&report)),
    );
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    let text = table::render(&report, &TableOptions::default());
    assert!(text.contains("Verdict: "));
}

#[test]
fn waived_findings_are_suppressed_in_sarif_and_marked_in_json_and_table() {
    let report = annotated_report();
    assert_eq!(report.summary.waived, 1);
    let sarif = parse(&sarif::render(&report));
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    assert!(suppressed[0]["suppressions"][0]["justification"]
        .as_str()
        .unwrap_or_default()
        .contains("pilot cohort"));

    let json = parse(&bedrock_audit::report::json::render(&report));
    let errors = schema_errors("schemas/report.schema.json", &json);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(json["waivers"][0]["state"], "active");
    assert_eq!(
        json["summary"]["new"],
        json!(report.summary.fail + report.summary.error)
    );

    let text = table::render(&report, &TableOptions::default());
    assert!(text.contains("WAIVED"), "{text}");
    assert!(text.contains("waived 1"), "{text}");
}
