//! The command line as users and CI see it: exit codes, messages for bad input, waivers,
//! baselines and multi-format output. Runs the real binary on the embedded demo and fixtures.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("bedrock-audit").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

fn run(args: &[&str], dir: &Path) -> Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn statuses(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn demo_prints_a_report_and_fails_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&["demo"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for id in [
        "bedrock-model-access",
        "cloudtrail-enabled",
        "no-zdr-assumption",
    ] {
        assert!(text.contains(id), "table lacks {id}:\n{text}");
    }
    assert!(
        !text.contains("\u{1b}["),
        "no colour when stdout is not a terminal"
    );

    let json = json_of(&run(&["demo", "--format", "json"], dir.path()));
    assert_eq!(json["schema_version"], 1);
    let statuses = statuses(&json);
    for wanted in ["pass", "fail", "error"] {
        assert!(
            statuses.iter().any(|s| s == wanted),
            "demo shows no {wanted}"
        );
    }
}

#[test]
fn profile_with_unknown_key_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bedrock-audit.toml"),
        "[rollout]\nregions = [\"us-east-1\"]\nfast_modle = \"x\"\n",
    )
    .expect("write");
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            fixture("demo.snapshot.json").to_str().expect("utf8"),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bedrock-audit.toml") && err.contains("line 3") && err.contains("fast_modle"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no partial report on bad input");
}

#[test]
fn profile_with_wrong_type_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("p.toml");
    std::fs::write(
        &config,
        "[data_retention]\nzero_data_retention_required = \"no\"\n",
    )
    .expect("write");
    let out = run(
        &["--config", config.to_str().expect("utf8"), "demo"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("p.toml")
            && err.contains("line 2")
            && err.contains("zero_data_retention_required"),
        "{err}"
    );
}

#[test]
fn malformed_snapshots_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "truncated.json",
            "{\"schema_version\": 1, \"regions\": [",
            "invalid JSON",
        ),
        (
            "future.json",
            "{\"schema_version\": 99}",
            "schema_version 99",
        ),
        ("other.json", "{\"hello\": 1}", "schema_version"),
        (
            "missing-field.json",
            "{\"schema_version\": 1, \"regions\": []}",
            "invalid snapshot",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let out = run(
            &["evaluate", "--snapshot", path.to_str().expect("utf8")],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(
            err.contains(name) && err.contains(expected),
            "{name}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = run(&["evaluate", "--snapshot", "no-such-file.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-file.json"));
}

#[test]
fn unknown_rule_ids_and_flags_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&["demo", "--only", "cloudtrail-enabld"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--only cloudtrail-enabld"),
        "{}",
        stderr(&out)
    );
    let out = run(&["demo", "--fail-on", "severe"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("severe"));
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            fixture("demo.snapshot.json").to_str().expect("utf8"),
            "--region",
            "useast1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--region useast1"),
        "{}",
        stderr(&out)
    );
    let out = run(&["explain", "no-such-rule"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["demo", "--format", "json,sarif"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--output-dir"));
}

#[test]
fn rules_and_explain_document_every_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listing = stdout(&run(&["rules"], dir.path()));
    for rule in bedrock_audit::rules::REGISTRY {
        assert!(
            listing.contains(rule.id),
            "{} missing from `rules`",
            rule.id
        );
        let out = run(&["explain", rule.id], dir.path());
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.contains("aws ") && text.contains("https://"),
            "{}: {text}",
            rule.id
        );
    }
}

#[test]
fn init_writes_a_valid_profile_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("bedrock-audit.toml");
    let written = std::fs::read_to_string(&path).expect("written");
    assert!(written.contains("min_log_retention_days"));
    std::fs::write(&path, "# mine\n").expect("write");
    let out = run(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "# mine\n",
        "existing file kept"
    );
    let out = run(&["init", "--force"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    // The written profile is accepted as it is.
    let out = run(
        &["--config", "bedrock-audit.toml", "demo", "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn gate_thresholds_follow_severity_and_allow_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = json_of(&run(&["demo", "--format", "json"], dir.path()));
    let findings = report["findings"].as_array().expect("findings").clone();
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    for threshold in ["low", "high", "critical"] {
        for allow_errors in [false, true] {
            let expected_failing = findings.iter().any(|f| {
                let status = f["status"].as_str().unwrap_or_default();
                let at_or_above =
                    rank(f["severity"].as_str().unwrap_or_default()) >= rank(threshold);
                at_or_above && (status == "fail" || (status == "error" && !allow_errors))
            });
            let mut args = vec!["demo", "--format", "json", "--fail-on", threshold];
            if allow_errors {
                args.push("--allow-errors");
            }
            let out = run(&args, dir.path());
            assert_eq!(
                out.status.code(),
                Some(if expected_failing { 1 } else { 0 }),
                "--fail-on {threshold} allow_errors={allow_errors}"
            );
        }
    }
}

fn write_waivers(dir: &Path, expires: &str) -> PathBuf {
    let mut text = String::new();
    for rule in bedrock_audit::rules::REGISTRY {
        text.push_str(&format!(
            "[[waiver]]\nrule = \"{}\"\nresource = \"*\"\njustification = \"Demo account, accepted for the test\"\nowner = \"security@example.com\"\nexpires = {expires}\n\n",
            rule.id
        ));
    }
    let path = dir.join("waivers.toml");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn unexpired_waivers_suppress_and_expired_ones_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = write_waivers(dir.path(), "2999-12-31");
    let out = run(
        &[
            "demo",
            "--format",
            "json",
            "--waivers",
            waivers.to_str().expect("utf8"),
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "everything waived: {}",
        stderr(&out)
    );
    let report = json_of(&out);
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(report["summary"]["error"], 0);
    assert!(report["summary"]["waived"].as_u64().unwrap_or(0) > 0);
    let waived = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["waiver"].is_object())
        .expect("a waived finding");
    assert_eq!(waived["waiver"]["owner"], "security@example.com");
    assert!(report["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .any(|w| w["state"] == "active"));

    let waivers = write_waivers(dir.path(), "2020-01-31");
    let out = run(
        &[
            "demo",
            "--format",
            "json",
            "--waivers",
            waivers.to_str().expect("utf8"),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "expired waivers do not apply");
    assert!(
        stderr(&out).contains("expired on 2020-01-31"),
        "{}",
        stderr(&out)
    );
    let report = json_of(&out);
    assert_eq!(report["summary"]["waived"], 0);
    assert!(report["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .all(|w| w["state"] == "expired" || w["state"] == "unused"));
}

#[test]
fn malformed_waivers_exit_2_naming_file_and_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.toml");
    let cases = [
        ("[[waiver]]\nrule = \"cloudtrail-enabled\"\nresource = \"*\"\nowner = \"a\"\nexpires = 2027-01-01\n", "justification"),
        ("[[waiver]]\nrule = \"cloudtrail-enabled\"\nresource = \"*\"\njustification = \"long enough reason\"\nowner = \"a\"\n", "expires"),
        ("[[waiver]]\nrule = \"cloudtrail-enabled\"\nresource = \"*\"\njustification = \"long enough reason\"\nowner = \"a\"\nexpires = \"soon\"\n", "waiver #1"),
        ("[[waiver]]\nrule = \"no-such-rule\"\nresource = \"*\"\njustification = \"long enough reason\"\nowner = \"a\"\nexpires = 2027-01-01\n", "no-such-rule"),
    ];
    for (text, expected) in cases {
        std::fs::write(&path, text).expect("write");
        let out = run(&["demo", "--waivers", "w.toml"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert!(err.contains("w.toml") && err.contains(expected), "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// The demo snapshot with one more log group that has no retention policy.
fn demo_with_new_failure(dir: &Path) -> PathBuf {
    let mut snapshot: Value =
        serde_json::from_str(bedrock_audit::app::DEMO_SNAPSHOT).expect("demo parses");
    let region = snapshot["accounts"][0]["regions"]
        .as_array_mut()
        .expect("regions")
        .iter_mut()
        .find(|r| r["log_groups"]["status"] == "ok")
        .expect("a region whose log groups were read");
    let name = region["region"].as_str().expect("region").to_string();
    region["log_groups"]["data"]
        .as_array_mut()
        .expect("groups")
        .push(serde_json::json!({
            "name": "/regression/new-group",
            "arn": format!("arn:aws:logs:{name}:111122223333:log-group:/regression/new-group"),
            "retention_in_days": null,
            "kms_key_id": null
        }));
    let path = dir.join("regressed.json");
    std::fs::write(&path, serde_json::to_string(&snapshot).expect("serialises")).expect("write");
    path
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = fixture("demo.snapshot.json");
    let demo = demo.to_str().expect("utf8");
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            demo,
            "--format",
            "json",
            "--output",
            "baseline.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));

    let out = run(
        &[
            "evaluate",
            "--snapshot",
            demo,
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing regressed: {}",
        stderr(&out)
    );
    let report = json_of(&out);
    assert_eq!(report["summary"]["new"], 0);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["baseline"] == "unchanged"));

    let regressed = demo_with_new_failure(dir.path());
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            regressed.to_str().expect("utf8"),
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "one new failing resource");
    let report = json_of(&out);
    // A log group with neither retention nor a KMS key fails two rules; both are new.
    assert_eq!(report["summary"]["new"], 2);
    let new: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["baseline"] == "new")
        .collect();
    let mut rules: Vec<&str> = new
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default())
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["kms-keys-configured", "log-retention-set"]);
    assert!(new.iter().all(|f| f["resource"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/regression/new-group")));

    // The regressed run as the baseline, the demo as the current run: the group is fixed (gone).
    run(
        &[
            "evaluate",
            "--snapshot",
            regressed.to_str().expect("utf8"),
            "--format",
            "json",
            "--output",
            "regressed-report.json",
        ],
        dir.path(),
    );
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            demo,
            "--format",
            "json",
            "--baseline",
            "regressed-report.json",
        ],
        dir.path(),
    );
    let report = json_of(&out);
    let fixed = report["baseline"]["fixed"].as_array().expect("fixed list");
    assert_eq!(fixed.len(), 2);
    assert!(fixed.iter().all(|f| f["baseline"] == "fixed"));
}

#[test]
fn a_baseline_written_before_reports_carried_their_verdict_is_still_compared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = fixture("demo.snapshot.json");
    let mut baseline = json_of(&evaluate(&[&demo], &["--format", "json"], dir.path()));
    assert_eq!(baseline["summary"]["verdict"], "NOT READY");
    baseline["summary"]
        .as_object_mut()
        .expect("summary")
        .remove("verdict");
    std::fs::write(
        dir.path().join("old-baseline.json"),
        serde_json::to_vec_pretty(&baseline).expect("serialise"),
    )
    .expect("write");
    let out = evaluate(
        &[&demo],
        &["--format", "json", "--baseline", "old-baseline.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["summary"]["new"], 0);
    assert_eq!(report["summary"]["verdict"], "NOT READY");
}

#[test]
fn baselines_from_other_schemas_or_tools_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "old.json",
            "{\"schema_version\": 0, \"tool\": {\"name\": \"bedrock-audit\"}}",
            "schema_version 0",
        ),
        (
            "other.json",
            "{\"schema_version\": 1, \"tool\": {\"name\": \"prowler\"}}",
            "not a bedrock-audit JSON report",
        ),
        (
            "sarif.json",
            "{\"version\": \"2.1.0\", \"runs\": []}",
            "not a bedrock-audit JSON report",
        ),
    ];
    for (name, text, expected) in cases {
        std::fs::write(dir.path().join(name), text).expect("write");
        let out = run(&["demo", "--baseline", name], dir.path());
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains(expected), "{err}");
    }
}

#[test]
fn output_dir_writes_every_requested_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(
        &[
            "demo",
            "--format",
            "json,sarif,table",
            "--output-dir",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "reports go to files only");
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/report.json")).expect("json"),
    )
    .expect("parses");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/report.sarif")).expect("sarif"),
    )
    .expect("parses");
    assert_eq!(sarif["version"], "2.1.0");
    let table = std::fs::read_to_string(dir.path().join("out/report.txt")).expect("table");
    assert!(table.contains("bedrock-model-access"));
    assert_eq!(
        json["summary"],
        json_of(&run(&["demo", "--format", "json"], dir.path()))["summary"]
    );
}

/// `evaluate` with one `--snapshot` per path, then `extra` (e.g. `--format json`).
fn evaluate(snapshots: &[&Path], extra: &[&str], dir: &Path) -> Output {
    let mut args = vec!["evaluate".to_string()];
    for snapshot in snapshots {
        args.extend(["--snapshot".to_string(), snapshot.display().to_string()]);
    }
    args.extend(extra.iter().map(|a| a.to_string()));
    bin().current_dir(dir).args(&args).output().expect("runs")
}

// ---- evaluate: many accounts' snapshots in one report ------------------------------------

/// A copy of a fixture snapshot whose caller identity is `account`.
fn snapshot_of_account(dir: &Path, fixture_name: &str, account: &str) -> PathBuf {
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(fixture_name)).expect("fixture"))
            .expect("fixture is JSON");
    snapshot["accounts"][0]["identity"]["data"]["account"] = Value::from(account);
    let path = dir.join(format!("{account}.json"));
    std::fs::write(&path, snapshot.to_string()).expect("write snapshot");
    path
}

/// Findings as (account, rule, region, resource, status), sorted: what must be identical
/// whether an account is judged alone or joined with others.
fn finding_keys(report: &Value, account: &str) -> Vec<(String, String, String, String)> {
    let mut keys: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["account"] == account)
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("region"), s("resource"), s("status"))
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn evaluate_joins_several_accounts_into_one_report_without_mixing_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ready = snapshot_of_account(dir.path(), "ready.snapshot.json", "111111111111");
    let not_ready = snapshot_of_account(dir.path(), "not-ready.snapshot.json", "222222222222");
    let alone = |path: &Path| json_of(&evaluate(&[path], &["--format", "json"], dir.path()));
    let (ready_alone, not_ready_alone) = (alone(&ready), alone(&not_ready));
    let out = evaluate(&[&ready, &not_ready], &["--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let joined = json_of(&out);
    assert_eq!(
        joined["scan"]["accounts"],
        serde_json::json!(["111111111111", "222222222222"])
    );
    for (account, alone) in [
        ("111111111111", &ready_alone),
        ("222222222222", &not_ready_alone),
    ] {
        assert!(!finding_keys(alone, account).is_empty());
        assert_eq!(
            finding_keys(&joined, account),
            finding_keys(alone, account),
            "{account}"
        );
    }
    assert_eq!(
        joined["findings"].as_array().map(Vec::len),
        Some(
            ready_alone["findings"].as_array().map_or(0, Vec::len)
                + not_ready_alone["findings"].as_array().map_or(0, Vec::len)
        )
    );
    let accounts = joined["summary"]["accounts"]
        .as_array()
        .expect("summary.accounts");
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1]["account"], "222222222222");
    assert_eq!(accounts[1]["verdict"], "NOT READY");
    assert_eq!(
        accounts[1]["fail"], not_ready_alone["summary"]["fail"],
        "an account's counts are its own"
    );
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&joined)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // JUnit: one suite per account and rule.
    let junit = stdout(&evaluate(
        &[&ready, &not_ready],
        &["--format", "junit"],
        dir.path(),
    ));
    for suite in [
        "<testsuite name=\"111111111111/cloudtrail-enabled\"",
        "<testsuite name=\"222222222222/cloudtrail-enabled\"",
    ] {
        assert!(junit.contains(suite), "{suite} missing:\n{junit}");
    }
    // One account alone has no per-account list.
    assert!(ready_alone["summary"].get("accounts").is_none());

    // A directory of snapshots is the same as naming them.
    let shards = dir.path().join("shards");
    std::fs::create_dir(&shards).unwrap();
    std::fs::copy(&ready, shards.join("a.json")).unwrap();
    std::fs::copy(&not_ready, shards.join("b.json")).unwrap();
    let from_dir = json_of(&evaluate(&[&shards], &["--format", "json"], dir.path()));
    assert_eq!(from_dir["findings"], joined["findings"]);
    assert_eq!(from_dir["summary"], joined["summary"]);
}

#[test]
fn evaluate_refuses_two_snapshots_of_one_account_and_an_empty_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = snapshot_of_account(dir.path(), "ready.snapshot.json", "333333333333");
    let second = dir.path().join("again.json");
    std::fs::copy(&first, &second).unwrap();
    let out = evaluate(&[&first, &second], &[], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("again.json")
            && message.contains("333333333333")
            && message.contains("give each account once"),
        "{message}"
    );
    assert!(stdout(&out).is_empty(), "no partial report");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run(
        &["evaluate", "--snapshot", empty.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no .json file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_version_1_snapshot_evaluates_to_the_same_report_as_its_version_2_twin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1-ready.snapshot.json");
    let v1_text = std::fs::read_to_string(&v1).expect("v1 fixture");
    assert!(
        v1_text.contains("\"schema_version\": 1,"),
        "the file is version 1"
    );
    let code_and_report = |path: &Path| {
        let out = evaluate(&[path], &["--format", "json"], dir.path());
        (out.status.code(), json_of(&out))
    };
    let (v1_code, v1_report) = code_and_report(&v1);
    let (v2_code, v2_report) = code_and_report(&fixture("ready.snapshot.json"));
    assert_eq!(v1_code, Some(0), "the ready account is still READY");
    assert_eq!(v1_code, v2_code);
    assert_eq!(v1_report["findings"], v2_report["findings"]);
    assert_eq!(v1_report["summary"], v2_report["summary"]);
    assert_eq!(v1_report["scan"], v2_report["scan"]);
}

#[test]
fn one_file_of_several_accounts_joins_like_separate_files_and_keeps_unreadable_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ready = snapshot_of_account(dir.path(), "ready.snapshot.json", "111111111111");
    let not_ready = snapshot_of_account(dir.path(), "not-ready.snapshot.json", "222222222222");
    let account_of = |path: &Path| -> Value {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        file["accounts"][0].clone()
    };
    let shard = dir.path().join("shard.json");
    let file = serde_json::json!({
        "schema_version": 2,
        "accounts": [account_of(&ready), account_of(&not_ready)],
        "unreadable_accounts": [{
            "account": "333333333333",
            "resource": "arn:aws:iam::333333333333:role/BedrockAuditReadOnly",
            "reason": "sts:AssumeRole: AccessDenied"
        }],
    });
    std::fs::write(&shard, file.to_string()).unwrap();
    let out = evaluate(&[&shard], &["--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let from_one_file = json_of(&out);
    let separate = json_of(&evaluate(
        &[&ready, &not_ready],
        &["--format", "json"],
        dir.path(),
    ));
    for account in ["111111111111", "222222222222"] {
        assert_eq!(
            finding_keys(&from_one_file, account),
            finding_keys(&separate, account),
            "{account}"
        );
    }
    // The account that could not be read: one error per rule, with the reason saved.
    let denied: Vec<&Value> = from_one_file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account"] == "333333333333")
        .collect();
    assert_eq!(denied.len(), bedrock_audit::rules::REGISTRY.len());
    assert!(denied.iter().all(|f| f["status"] == "error"
        && f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("AccessDenied")));
    let verdicts: Vec<&Value> = from_one_file["summary"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["verdict"])
        .collect();
    assert_eq!(verdicts, ["READY", "NOT READY", "INCOMPLETE"]);

    // The same account in the shard and in another file: refused, both files named.
    let out = evaluate(&[&shard, &not_ready], &[], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("222222222222") && message.contains("shard.json"),
        "{message}"
    );
    assert!(stdout(&out).is_empty(), "no partial report");

    // A command that judges one account refuses the shard.
    let out = run(
        &[
            "claude-settings",
            "--snapshot",
            shard.to_str().unwrap(),
            "--region",
            "us-east-1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds 3 accounts"),
        "{}",
        stderr(&out)
    );
}

// ---- Verdicts that say more than was checked (issue 24) --------------------------------------

/// The ready fixture with `sts:GetCallerIdentity` denied: the report's account is `unknown`.
fn ready_without_identity(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("ready.snapshot.json")).expect("fixture");
    let mut snapshot: Value = serde_json::from_str(&text).expect("json");
    snapshot["accounts"][0]["identity"] = serde_json::json!({
        "status": "failed",
        "error": {
            "operation": "sts:GetCallerIdentity",
            "kind": "access_denied",
            "code": "AccessDenied",
            "message": "not authorized"
        }
    });
    let path = dir.join("no-identity.json");
    std::fs::write(&path, snapshot.to_string()).expect("write");
    path
}

#[test]
fn an_unread_identity_is_incomplete_never_ready_and_never_asff_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = ready_without_identity(dir.path());
    let snapshot = snapshot.display().to_string();
    let out = run(
        &["evaluate", "--snapshot", &snapshot, "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["summary"]["verdict"], "INCOMPLETE");
    assert_eq!(report["summary"]["pass"], 0, "{}", report["summary"]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["status"] == "error"
        && f["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not be identified: sts:GetCallerIdentity"))));
    // Security Hub files a finding under its account id: none is written for "unknown".
    let out = run(
        &["evaluate", "--snapshot", &snapshot, "--format", "asff"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("--format asff"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("\"AwsAccountId\": \"unknown\""));
}

#[test]
fn a_partial_run_says_so_in_every_format_and_is_never_ready() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ready = fixture("ready.snapshot.json").display().to_string();
    // The whole ready fixture is READY; one rule of it is a partial run.
    let out = run(
        &["evaluate", "--snapshot", &ready, "--format", "json"],
        dir.path(),
    );
    assert_eq!(json_of(&out)["summary"]["verdict"], "READY");
    assert!(json_of(&out)["summary"].get("rules").is_none());
    let out = run(
        &[
            "evaluate",
            "--snapshot",
            &ready,
            "--only",
            "cloudtrail-enabled",
            "--format",
            "json,markdown,html,table",
            "--width",
            "1000",
            "--output-dir",
            "out",
        ],
        dir.path(),
    );
    // The gate keeps its meaning: the one rule asked for passed.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).expect(name);
    let report: Value = serde_json::from_str(&read("report.json")).expect("json");
    assert_eq!(report["summary"]["verdict"], "INCOMPLETE");
    let rules = &report["summary"]["rules"];
    assert_eq!(rules["evaluated"], 1);
    let total = rules["total"].as_u64().expect("total");
    assert!(total > 1);
    assert_eq!(
        rules["skipped"].as_array().expect("skipped").len() as u64,
        total - 1
    );
    let of = format!("1 of {total} rules evaluated");
    for name in ["report.md", "report.html", "report.txt"] {
        let text = read(name);
        assert!(text.contains(&of), "{name}: {text}");
        assert!(text.contains("INCOMPLETE"), "{name}");
    }
}

/// `scan --evidence` into a directory that already holds other files is refused before any
/// call: `verify` reports every entry the manifest does not list, so the bundle would never
/// verify. Replacing an earlier bundle's own files is allowed.
#[test]
fn evidence_into_a_directory_holding_other_files_is_refused_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not part of a bundle").unwrap();
    std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
    let out = Command::cargo_bin("bedrock-audit")
        .unwrap()
        .env_clear()
        .env("HOME", dir.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["scan", "--region", "us-east-1", "--evidence"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--evidence"), "{stderr}");
    assert!(stderr.contains("already holds notes.txt"), "{stderr}");
    assert!(out.stdout.is_empty());
}
