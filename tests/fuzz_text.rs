//! Property tests over everything that reads or shows outside text: snapshot and profile
//! parsing never panic, and every format renders arbitrary findings without panicking, in
//! roughly linear time, with no control or disguising character in the table, and as
//! well-formed output (JSON and SARIF parse, JUnit parses as XML, HTML holds only its own
//! tags). The default case count keeps this to a few seconds; for a longer run:
//! `PROPTEST_CASES=5000 cargo test --release --test fuzz_text`.

use std::path::Path;
use std::time::{Duration, Instant};

use bedrock_audit::finding::{Evidence, Finding, Severity, Status};
use bedrock_audit::profile::Profile;
use bedrock_audit::report::{self, Format, Report, ScanInfo};
use bedrock_audit::untrusted_text::is_disguising;
use proptest::prelude::*;

const FORMATS: [Format; 8] = [
    Format::Table,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::Markdown,
    Format::Html,
    Format::Ocsf,
    Format::Asff,
];

/// Text an attacker would choose: Markdown, HTML, XML, terminal escapes, bidi and zero-width
/// characters, line breaks, and arbitrary Unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("![t](https://evil.example/p.png)".to_string()),
        Just("[click](http://x)".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("</details>".to_string()),
        Just("]]>".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{1b}[2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{200b}".to_string()),
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("|".to_string()),
        Just("`".to_string()),
        Just("&amp;".to_string()),
        Just("\"'".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{ffff}".to_string()),
        "\\PC{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    prop::collection::vec(pieces, 0..8).prop_map(|parts| parts.concat())
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Pass),
        Just(Status::Fail),
        Just(Status::Error),
        Just(Status::NotApplicable)
    ]
}

fn finding() -> impl Strategy<Value = Finding> {
    (
        prop_oneof![
            Just("log-retention-set".to_string()),
            Just("bedrock-model-access".to_string()),
            hostile_text()
        ],
        status(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
    )
        .prop_map(
            |(rule_id, status, account, region, resource, message, value)| Finding {
                rule_id: rule_id.into(),
                status,
                severity: Severity::Medium,
                account,
                region,
                resource,
                message,
                remediation: "Set a retention policy.\naws logs put-retention-policy".into(),
                evidence: vec![Evidence::new("logs:DescribeLogGroups", Some("us-east-1"))
                    .with("name", value.clone())
                    .with(value.clone(), 1)],
                waiver: None,
                baseline: None,
            },
        )
}

fn report_of(findings: Vec<Finding>, account: String) -> Report {
    Report::new(
        ScanInfo {
            accounts: vec![account],
            regions: vec!["us-east-1".into()],
            started_at: "2026-11-20T09:00:00Z".into(),
            finished_at: "2026-11-20T09:00:04Z".into(),
            source: "snapshot".into(),
        },
        findings,
    )
}

/// The tag names an HTML report of benign findings uses: a hostile one may use no others.
fn template_tags() -> std::collections::BTreeSet<String> {
    let benign = report_of(
        vec![Finding {
            rule_id: "log-retention-set".into(),
            status: Status::Fail,
            severity: Severity::Medium,
            account: "111122223333".into(),
            region: "us-east-1".into(),
            resource: "group".into(),
            message: "message".into(),
            remediation: "fix".into(),
            evidence: vec![Evidence::new("logs:DescribeLogGroups", None).with("name", "g")],
            waiver: None,
            baseline: None,
        }],
        "111122223333".into(),
    );
    let mut tags = tag_names(&report::render(&benign, Format::Html, false));
    // Other shapes of report add a few more of the template's own tags.
    // Passes and not-applicable findings are folded in <details>, their evidence one <br> apart.
    tags.extend(
        [
            "ul", "li", "span", "code", "em", "strong", "a", "p", "details", "summary", "br",
        ]
        .map(String::from),
    );
    tags
}

fn tag_names(html: &str) -> std::collections::BTreeSet<String> {
    html.split('<')
        .skip(1)
        .map(|rest| {
            rest.trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect()
}

/// The part of a Markdown line that could be markup: outside code spans (where everything is
/// literal), without backslash-escaped characters (which are literal too).
fn could_be_markup(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !in_code => {
                chars.next();
            }
            '`' => in_code = !in_code,
            c if !in_code => out.push(c),
            _ => {}
        }
    }
    out
}

fn assert_well_formed(report: &Report, allowed_tags: &std::collections::BTreeSet<String>) {
    for format in FORMATS {
        let out = report::render(report, format, false);
        match format {
            Format::Table => {
                for line in out.lines() {
                    assert!(
                        !line.chars().any(is_disguising),
                        "control or disguising character in the table: {line:?}"
                    );
                }
            }
            Format::Json | Format::Sarif | Format::Ocsf | Format::Asff => {
                serde_json::from_str::<serde_json::Value>(&out)
                    .unwrap_or_else(|e| panic!("{format:?} does not parse: {e}"));
            }
            Format::Junit => {
                let mut reader = quick_xml::Reader::from_str(&out);
                loop {
                    match reader.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(e) => panic!("JUnit is not well-formed XML: {e}"),
                    }
                }
            }
            Format::Html => {
                let unexpected: Vec<String> =
                    tag_names(&out).difference(allowed_tags).cloned().collect();
                assert!(unexpected.is_empty(), "HTML holds tags {unexpected:?}");
            }
            Format::Markdown => {
                // Inside a code span nothing is markup; everywhere else no link or image opens.
                for line in out.lines().filter(|l| !l.starts_with("```")) {
                    let unescaped = could_be_markup(line);
                    for markup in ["![", "](", "<script", "<img"] {
                        assert!(
                            !unescaped.contains(markup),
                            "{markup:?} in the Markdown: {line}"
                        );
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_parsing_never_panics(text in "\\PC{0,200}") {
        let _ = bedrock_audit::app::parse_snapshot(&text, Path::new("fuzz.json"));
    }

    #[test]
    fn snapshot_parsing_of_mutated_fixtures_never_panics(
        field in prop_oneof![Just("region"), Just("account"), Just("name"), Just("message"), Just("schema_version")],
        value in prop_oneof![
            hostile_text().prop_map(serde_json::Value::String),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            any::<f64>().prop_map(|n| serde_json::json!(n)),
            Just(serde_json::Value::Null),
        ],
    ) {
        let fixture = include_str!("../fixtures/not-ready.snapshot.json");
        let mut json: serde_json::Value = serde_json::from_str(fixture).expect("fixture parses");
        replace_field(&mut json, field, &value);
        let text = json.to_string();
        if let Ok(snapshot) = bedrock_audit::app::parse_snapshot(&text, Path::new("fuzz.json")) {
            // Whatever parses also evaluates and renders.
            let profile = Profile::default();
            let report = bedrock_audit::engine::build_report(
                &snapshot, &profile, &Default::default(), "snapshot");
            assert_well_formed(&report, &template_tags());
        }
    }

    #[test]
    fn profile_parsing_never_panics(text in "\\PC{0,300}") {
        let _ = Profile::parse(&text, Path::new("fuzz.toml"));
    }

    #[test]
    fn profile_parsing_of_hostile_values_never_panics(value in hostile_text()) {
        let escaped = serde_json::to_string(&value).expect("a JSON string is a TOML string");
        for key in ["regions = [{v}]", "primary_model = {v}", "fast_model = {v}"] {
            let text = format!("[rollout]\n{}\n", key.replace("{v}", &escaped));
            if let Err(err) = Profile::parse(&text, Path::new("fuzz.toml")) {
                let message = err.to_string();
                assert!(message.len() < 2_000, "{} bytes of message", message.len());
            }
        }
    }

    #[test]
    fn every_format_renders_hostile_findings_well_formed(
        findings in prop::collection::vec(finding(), 0..6),
        account in hostile_text(),
    ) {
        let report = report_of(findings, account);
        assert_well_formed(&report, &template_tags());
    }
}

fn replace_field(json: &mut serde_json::Value, field: &str, value: &serde_json::Value) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == field {
                    *child = value.clone();
                } else {
                    replace_field(child, field, value);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                replace_field(item, field, value);
            }
        }
        _ => {}
    }
}

/// Rendering time grows about linearly with the size of a value: four times the text may
/// not take more than about eight times as long (quadratic would be sixteen).
#[test]
fn rendering_time_is_roughly_linear() {
    let timed = |size: usize| -> Duration {
        let text = format!(
            "{}\n{}",
            "n".repeat(size),
            "\u{1b}[2J|![x](y)".repeat(size / 10)
        );
        let report = report_of(
            vec![Finding {
                rule_id: "log-retention-set".into(),
                status: Status::Fail,
                severity: Severity::Medium,
                account: "111122223333".into(),
                region: "us-east-1".into(),
                resource: text.clone(),
                message: text,
                remediation: "fix".into(),
                evidence: Vec::new(),
                waiver: None,
                baseline: None,
            }],
            "111122223333".into(),
        );
        let started = Instant::now();
        for format in FORMATS {
            let _ = report::render(&report, format, false);
        }
        started.elapsed()
    };
    let _warm = timed(1_000);
    let small = timed(50_000);
    let large = timed(200_000);
    assert!(
        large <= small * 8 + Duration::from_millis(200),
        "50k characters: {small:?}, 200k: {large:?}"
    );
    // A debug build on a shared machine: the ratio above is the real check.
    assert!(
        large < Duration::from_secs(10),
        "200k characters took {large:?}"
    );
}
