//! Evidence bundles and `verify`: an untouched bundle is intact and reproduces; any change to
//! any file is named; the scanner's IAM policy is exactly its operation list.

use std::path::Path;

use assert_cmd::Command;
use bedrock_audit::engine::{self, RuleSelection};
use bedrock_audit::evidence;
use bedrock_audit::profile::Profile;
use bedrock_audit::report::{Format, Report};

fn write_demo_bundle(dir: &Path) {
    let snapshot = bedrock_audit::snapshot_file::parse_snapshot(
        bedrock_audit::app::DEMO_SNAPSHOT,
        Path::new("demo.snapshot.json"),
    )
    .expect("demo parses");
    let mut profile = Profile::default();
    profile.rollout.regions = snapshot.regions.iter().map(|r| r.region.clone()).collect();
    let report = engine::build_report(&snapshot, &profile, &RuleSelection::default(), "scan");
    let digest =
        evidence::write_bundle(dir, &snapshot, &profile, &report, &RuleSelection::default())
            .expect("bundle written");
    let manifest = std::fs::read(dir.join(evidence::MANIFEST)).expect("manifest");
    assert_eq!(digest, bedrock_audit::digest::sha256_hex(&manifest));
}

fn verify_cli(dir: &Path) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("bedrock-audit")
        .expect("binary")
        .arg("verify")
        .arg(dir)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn untouched_bundle_is_intact_and_reproduces() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    for name in [
        evidence::SNAPSHOT,
        evidence::PROFILE,
        evidence::REPORT_JSON,
        evidence::REPORT_HTML,
        evidence::MANIFEST,
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(evidence::MANIFEST)).expect("read"))
            .expect("json");
    assert_eq!(
        manifest["rules"].as_array().expect("rules").len(),
        bedrock_audit::rules::REGISTRY.len()
    );
    let html = std::fs::read_to_string(dir.path().join(evidence::REPORT_HTML)).expect("html");
    let json_digest = manifest["files"][evidence::REPORT_JSON]
        .as_str()
        .expect("digest");
    assert!(
        html.contains(json_digest),
        "the HTML names the digest of the JSON it was made from"
    );

    let (code, stdout, _) = verify_cli(dir.path());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("INTACT") && stdout.contains("REPRODUCED"),
        "{stdout}"
    );
}

#[test]
fn a_tampered_file_is_named() {
    for (name, from, to) in [
        (
            evidence::REPORT_JSON,
            "\"status\": \"fail\"",
            "\"status\": \"pass\"",
        ),
        (
            evidence::SNAPSHOT,
            "\"retention_in_days\": null",
            "\"retention_in_days\": 3653",
        ),
        (evidence::REPORT_HTML, "</body>", "<p>all good</p></body>"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        write_demo_bundle(dir.path());
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{name} should contain {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        let (code, stdout, _) = verify_cli(dir.path());
        assert_eq!(code, Some(1), "{name}: {stdout}");
        assert!(
            stdout.contains("TAMPERED") && stdout.contains(&format!("{name}: modified")),
            "{stdout}"
        );
    }
}

#[test]
fn a_missing_file_or_manifest_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    std::fs::remove_file(dir.path().join(evidence::SNAPSHOT)).expect("remove");
    let (code, stdout, _) = verify_cli(dir.path());
    assert_eq!(code, Some(1));
    assert!(stdout.contains("snapshot.json: cannot be read"), "{stdout}");

    std::fs::remove_file(dir.path().join(evidence::MANIFEST)).expect("remove");
    let (code, _, stderr) = verify_cli(dir.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("manifest.json"), "{stderr}");
}

/// Rewrites the bundle's report.json consistently, manifest updated too, so that integrity
/// holds and only reproduction can tell. report.html is rendered again from the new report.
fn rewrite_report(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let report_path = dir.join(evidence::REPORT_JSON);
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).expect("read")).expect("json");
    edit(&mut report);
    let report: Report = serde_json::from_value(report).expect("still a report");
    let json = bedrock_audit::report::json::render(&report);
    std::fs::write(&report_path, &json).expect("write");
    let html = bedrock_audit::report::render(&report, Format::Html, false);
    std::fs::write(dir.join(evidence::REPORT_HTML), &html).expect("write");
    let manifest_path = dir.join(evidence::MANIFEST);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("read")).expect("json");
    manifest["files"][evidence::REPORT_JSON] =
        bedrock_audit::digest::sha256_hex(json.as_bytes()).into();
    manifest["files"][evidence::REPORT_HTML] =
        bedrock_audit::digest::sha256_hex(html.as_bytes()).into();
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).expect("serialise"),
    )
    .expect("write");
}

#[test]
fn findings_that_no_longer_reproduce_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    rewrite_report(dir.path(), |report| {
        let first_fail = report["findings"]
            .as_array_mut()
            .expect("findings")
            .iter_mut()
            .find(|f| f["status"] == "fail")
            .expect("the demo has a failing finding");
        first_fail["status"] = "pass".into();
    });

    let (code, stdout, _) = verify_cli(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("INTACT") && stdout.contains("DIFFER") && stdout.contains("not reproduced"),
        "{stdout}"
    );
}

#[test]
fn a_recorded_verdict_that_its_findings_do_not_give_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    rewrite_report(dir.path(), |report| {
        assert_eq!(report["summary"]["verdict"], "NOT READY");
        report["summary"]["verdict"] = "READY".into();
    });
    let (code, stdout, _) = verify_cli(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("verdict: report.json says READY, re-evaluation gives NOT READY"),
        "{stdout}"
    );
    assert!(!stdout.contains("summary:"), "the counts agree: {stdout}");
}

#[test]
fn a_bundle_of_a_release_that_recorded_no_verdict_still_reproduces() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    rewrite_report(dir.path(), |report| {
        let summary = report["summary"].as_object_mut().expect("summary");
        assert!(summary.remove("verdict").is_some());
    });
    let (code, stdout, _) = verify_cli(dir.path());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("INTACT") && !stdout.contains("DIFFER"),
        "{stdout}"
    );
}

#[test]
fn iam_policy_prints_exactly_the_collectors_operations() {
    let out = Command::cargo_bin("bedrock-audit")
        .expect("binary")
        .arg("iam-policy")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).expect("policy is JSON");
    assert_eq!(policy["Version"], "2012-10-17");
    let mut printed: Vec<String> = policy["Statement"][0]["Action"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    printed.sort();
    let mut expected: Vec<String> = bedrock_audit::collect::operations::actions()
        .map(str::to_string)
        .collect();
    expected.sort();
    assert_eq!(printed, expected);
    assert!(printed.iter().all(|a| {
        let op = a.split_once(':').map_or("", |(_, op)| op);
        op.starts_with("Describe") || op.starts_with("List") || op.starts_with("Get")
            // Evaluates policies, changes nothing.
            || a == "iam:SimulatePrincipalPolicy"
    }));
}

#[test]
fn a_partial_scan_is_shown_by_verify_and_reproduces_as_incomplete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = bedrock_audit::snapshot_file::parse_snapshot(
        bedrock_audit::app::DEMO_SNAPSHOT,
        Path::new("demo.snapshot.json"),
    )
    .expect("demo parses");
    let mut profile = Profile::default();
    profile.rollout.regions = snapshot.regions.iter().map(|r| r.region.clone()).collect();
    let selection = RuleSelection {
        only: vec!["log-retention-set".into()],
        skip: Vec::new(),
    };
    let report = engine::build_report(&snapshot, &profile, &selection, "scan");
    let rules = report
        .summary
        .rules
        .clone()
        .expect("a partial run is recorded");
    assert_eq!(rules.evaluated, 1);
    evidence::write_bundle(dir.path(), &snapshot, &profile, &report, &selection).expect("bundle");
    let (code, stdout, _) = verify_cli(dir.path());
    assert!(stdout.contains("Rules: PARTIAL scan"), "{stdout}");
    assert!(
        stdout.contains(&format!("1 of {} rules evaluated", rules.total)),
        "{stdout}"
    );
    assert!(stdout.contains("REPRODUCED"), "{stdout}");
    assert_eq!(code, Some(0), "{stdout}");
}
