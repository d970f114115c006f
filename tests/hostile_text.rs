//! Hostile text and hostile flags (issue 7, the text half): the real binary on snapshots,
//! profiles and flags built to attack whoever reads the output, and one live scan against a
//! Bedrock test server that answers with 100 KB of escape sequences. Each test reproduces an
//! attack that worked before the fix.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{json, Value};

const ESC_TITLE: &str = "\u{1b}]0;pwned\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
const BIDI: &str = "\u{202e}gpj.exe";
const ZERO_WIDTH: &str = "tr\u{200b}ail";
const IMAGE: &str = "![t](https://evil.example/p.png)";
const LINK: &str = "[click](https://evil.example/)";

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("bedrock-audit").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_ENDPOINT_URL") || name.starts_with("BEDROCK_AUDIT_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ready_snapshot() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ready.snapshot.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(value).expect("serialise")).expect("write");
    path
}

/// The ready fixture with hostile text in the account id, a log group's name and ARN, and a
/// failed section whose error message is a wall of escapes, links and line breaks.
fn hostile_snapshot(dir: &Path) -> PathBuf {
    let mut snapshot = ready_snapshot();
    snapshot["accounts"][0]["identity"]["data"]["account"] =
        json!(format!("1111\n2222{ESC_TITLE}{CLEAR}"));
    let hostile_name = format!("/aws/{ESC_TITLE}{CLEAR}{BIDI}{ZERO_WIDTH}{IMAGE} {LINK} <img src=x onerror=alert(1)> www.evil.example \r\n| x |");
    snapshot["accounts"][0]["regions"][0]["log_groups"]["data"]
        .as_array_mut()
        .expect("log groups")
        .push(json!({
            "name": hostile_name,
            "arn": format!("arn:aws:logs:us-east-1:111122223333:log-group:{hostile_name}"),
            "retention_in_days": null,
            "kms_key_id": null,
        }));
    snapshot["accounts"][0]["regions"][0]["vpcs"] = json!({
        "status": "failed",
        "error": {
            "operation": "ec2:DescribeVpcs",
            "kind": "access_denied",
            "code": "AccessDenied",
            "message": format!("{IMAGE} {LINK} {ESC_TITLE}{CLEAR} <details>"),
        }
    });
    write_json(dir, "hostile.snapshot.json", &snapshot)
}

/// No character that could drive a terminal or disguise text, apart from line breaks.
fn assert_terminal_safe(output: &str) {
    for (number, line) in output.lines().enumerate() {
        let bad: Vec<char> = line
            .chars()
            .filter(|c| bedrock_audit::untrusted_text::is_disguising(*c))
            .collect();
        assert!(
            bad.is_empty(),
            "line {} holds {bad:?}: {line:?}",
            number + 1
        );
    }
}

#[test]
fn terminal_escapes_in_account_data_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = hostile_snapshot(dir.path());
    let out = run_in(
        dir.path(),
        &["evaluate", "--snapshot", snapshot.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert_terminal_safe(&table);
    assert_terminal_safe(&text(&out.stderr));
    // The newline in the account id does not break the header: it stays one line.
    let header = table
        .lines()
        .find(|l| l.starts_with("Account: "))
        .expect("header");
    assert!(
        header.contains("1111\\u{a}2222\\u{1b}]0;pwned\\u{7}")
            && header.contains("Region: us-east-1"),
        "{header}"
    );
    assert!(table.contains("\\u{202e}gpj.exe"), "bidi override shown");
    assert!(table.contains("tr\\u{200b}ail"), "zero-width space shown");

    // Messages on stderr quote flags and files escaped too.
    let out = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            "x.json",
            "--region",
            &format!("us{CLEAR}-east-1"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_terminal_safe(&stderr);
    assert!(stderr.contains("--region us\\u{1b}[2J"), "{stderr}");
    let out = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            &format!("missing{ESC_TITLE}.json"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_terminal_safe(&text(&out.stderr));
}

#[test]
fn markdown_and_html_never_turn_account_data_into_markup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = hostile_snapshot(dir.path());
    let out = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            snapshot.to_str().expect("utf-8"),
            "--format",
            "markdown,html",
            "--output-dir",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let markdown = std::fs::read_to_string(dir.path().join("out/report.md")).expect("markdown");
    for markup in [
        "![t](",
        "[click](",
        "<img",
        "https://evil",
        "www.evil",
        "<details> ",
    ] {
        assert!(
            !markdown.contains(markup),
            "{markup:?} survived:\n{markdown}"
        );
    }
    assert!(
        markdown.contains(r"!\[t\](https:\/\/evil.example/p.png)"),
        "{markdown}"
    );
    assert!(markdown.contains("&lt;img src=x"), "{markdown}");
    assert_terminal_safe(&markdown);
    // Every table row keeps its column count: `|` and line breaks in values cannot split it.
    for row in markdown
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("log-group"))
    {
        let cells = row.replace("\\|", "").matches('|').count();
        assert!(cells == 6 || cells == 8, "row split: {row}");
    }

    let html = std::fs::read_to_string(dir.path().join("out/report.html")).expect("html");
    assert!(!html.contains("<img src=x"), "raw tag in the HTML");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains('\u{1b}') && !html.contains('\u{202e}'));
}

#[test]
fn huge_values_render_fast_and_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot = ready_snapshot();
    let long_name = format!("/aws/{}", "n".repeat(200_000));
    snapshot["accounts"][0]["regions"][0]["log_groups"]["data"]
        .as_array_mut()
        .expect("log groups")
        .push(json!({
            "name": long_name,
            "arn": format!("arn:aws:logs:us-east-1:111122223333:log-group:{long_name}"),
            "retention_in_days": null,
            "kms_key_id": null,
        }));
    snapshot["accounts"][0]["regions"][0]["vpcs"] = json!({
        "status": "failed",
        "error": {
            "operation": "ec2:DescribeVpcs",
            "kind": "service_error",
            "code": "InternalError",
            "message": "\n".repeat(500_000),
        }
    });
    let path = write_json(dir.path(), "huge.snapshot.json", &snapshot);
    let started = Instant::now();
    let out = run_in(
        dir.path(),
        &["evaluate", "--snapshot", path.to_str().expect("utf-8")],
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // Before: 200,000 characters did not finish, and 500,000 newlines made 133 MB of table.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(
        out.stdout.len() < 200_000,
        "{} bytes of table",
        out.stdout.len()
    );
    let table = text(&out.stdout);
    assert!(table.contains("characters elided"), "the cut is said");
    assert_terminal_safe(&table);
}

#[test]
fn a_gate_that_judges_nothing_does_not_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Empty by construction: exit 2 before any work.
    let out = run_in(
        dir.path(),
        &[
            "demo",
            "--only",
            "log-retention-set",
            "--skip",
            "log-retention-set",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no rule to run"),
        "{}",
        text(&out.stderr)
    );
    let all: Vec<&str> = bedrock_audit::rules::REGISTRY
        .iter()
        .map(|r| r.id)
        .collect();
    let out = run_in(dir.path(), &["demo", "--skip", &all.join(",")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    // Nothing judged at run time (every finding not applicable): exit 1, verdict INCOMPLETE.
    let mut snapshot = ready_snapshot();
    snapshot["accounts"][0]["regions"][0]["log_groups"] = json!({"status": "ok", "data": []});
    let path = write_json(dir.path(), "no-groups.snapshot.json", &snapshot);
    let out = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            path.to_str().expect("utf-8"),
            "--only",
            "log-retention-set",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("Verdict: INCOMPLETE"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("nothing was evaluated"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn invalid_endpoints_are_refused_before_any_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "not a url",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--endpoint-url \"not a url\""), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    for variable in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_BEDROCK",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
    ] {
        let out = bin()
            .current_dir(dir.path())
            .env(variable, "http://bad host:1")
            .args(["scan", "--region", "us-east-1"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{variable}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{variable} \"http://bad host:1\"")),
            "{stderr}"
        );
        assert!(
            !stderr.contains("SdkBody") && !stderr.contains("Request {"),
            "{stderr}"
        );
    }
}

#[test]
fn repeated_regions_are_judged_once_and_bad_names_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = write_json(dir.path(), "ready.json", &ready_snapshot());
    let snapshot = snapshot.to_str().expect("utf-8");
    let findings = |out: &Output| -> usize {
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stderr)));
        report["findings"].as_array().expect("findings").len()
    };
    let once = run_in(
        dir.path(),
        &["evaluate", "--snapshot", snapshot, "--format", "json"],
    );
    let twice = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            snapshot,
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(
        findings(&once),
        findings(&twice),
        "a repeated --region is judged once"
    );

    let profile = dir.path().join("twice.toml");
    std::fs::write(
        &profile,
        "[rollout]\nregions = [\"us-east-1\", \"us-east-1\"]\n",
    )
    .expect("write");
    let from_profile = run_in(
        dir.path(),
        &[
            "--config",
            profile.to_str().expect("utf-8"),
            "evaluate",
            "--snapshot",
            snapshot,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        findings(&once),
        findings(&from_profile),
        "a repeated profile region is judged once"
    );

    let out = run_in(
        dir.path(),
        &["evaluate", "--snapshot", snapshot, "--region", "mars-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--region mars-1"),
        "{}",
        text(&out.stderr)
    );

    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"*\"\nregion = \"*\"\njustification = \"sandbox, reviewed by security\"\nowner = \"sec\"\nexpires = 2099-01-01\n",
    )
    .expect("write");
    let out = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            snapshot,
            "--waivers",
            waivers.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("region \"*\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_snapshot_listing_a_region_twice_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot = ready_snapshot();
    let mut second = snapshot["accounts"][0]["regions"][0].clone();
    second["log_groups"] = json!({
        "status": "failed",
        "error": {"operation": "logs:DescribeLogGroups", "kind": "access_denied", "code": "AccessDenied", "message": "denied"}
    });
    snapshot["accounts"][0]["regions"]
        .as_array_mut()
        .expect("regions")
        .push(second);
    let path = write_json(dir.path(), "twice.snapshot.json", &snapshot);
    let out = run_in(
        dir.path(),
        &["evaluate", "--snapshot", path.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("region us-east-1 is listed more than once"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no partial report");
}

#[test]
fn minor_messages_are_bounded_and_accurate() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Timeouts have a ceiling, checked before anything else about the scan.
    let out = bin()
        .current_dir(dir.path())
        .env("BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS", "18446744073709551615")
        .args(["scan", "--region", "us-east-1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS=18446744073709551615: at most"),
        "{}",
        text(&out.stderr)
    );

    // A schema_version that is a number, but not a whole one, is named as found.
    for (version, shown) in [(json!(1.0), "1.0"), (json!(-1), "-1")] {
        let mut snapshot = ready_snapshot();
        snapshot["schema_version"] = version;
        let path = write_json(dir.path(), "version.json", &snapshot);
        let out = run_in(
            dir.path(),
            &["evaluate", "--snapshot", path.to_str().expect("utf-8")],
        );
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "\"schema_version\" is {shown}: it must be the whole number 2"
            )),
            "{stderr}"
        );
    }

    // A TOML error on a 200 KB line quotes a readable part of it.
    let profile = dir.path().join("long.toml");
    std::fs::write(
        &profile,
        format!("[rollout]\nprimary_model = {}\n", "x".repeat(200_000)),
    )
    .expect("write");
    let out = run_in(
        dir.path(),
        &["--config", profile.to_str().expect("utf-8"), "demo"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.len() < 4_000,
        "{} bytes of message",
        out.stderr.len()
    );

    // The table names a waiver that matched nothing, as JSON does.
    let waivers = dir.path().join("unused.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"log-retention-set\"\nresource = \"no-such-group\"\njustification = \"sandbox, reviewed by security\"\nowner = \"sec\"\nexpires = 2099-01-01\n",
    )
    .expect("write");
    let out = run_in(
        dir.path(),
        &["demo", "--waivers", waivers.to_str().expect("utf-8")],
    );
    let table = text(&out.stdout);
    assert!(
        table.contains("Unused waiver (matched no finding: remove it or fix its pattern): log-retention-set no-such-group"),
        "{table}"
    );
}

/// A live scan whose Bedrock endpoint answers with 100 KB of escapes and line breaks: the
/// message is capped at collection (with its full length said), and the table stays safe.
#[tokio::test]
async fn a_hostile_endpoint_cannot_flood_or_drive_the_terminal() {
    use support::account::TestAccount;
    use support::bedrock_server::{BedrockOp, Fault, FaultKind};

    let (account, _) = TestAccount::ready(&["us-east-1"]).await;
    account.bedrock.update(|seed| {
        seed.faults.push(Fault {
            operation: BedrockOp::ListFoundationModels,
            kind: FaultKind::HostileAccessDenied,
            region: None,
        });
    });
    let snapshot = account.path("saved.json");
    let run = account.run(&[
        "scan",
        "--region",
        "us-east-1",
        "--save-snapshot",
        snapshot.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(
        run.elapsed < Duration::from_secs(60),
        "took {:?}",
        run.elapsed
    );
    assert_terminal_safe(&run.stdout);
    assert!(
        run.stdout.len() < 100_000,
        "{} bytes of table",
        run.stdout.len()
    );

    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("snapshot")).expect("JSON");
    let error = &saved["accounts"][0]["regions"][0]["foundation_models"]["error"];
    let message = error["message"].as_str().expect("message");
    assert!(message.len() < 5_000, "{} bytes kept", message.len());
    assert!(message.contains("bytes in all)"), "{message}");
    assert_eq!(error["code"], "AccessDeniedException");
}
