//! Boundary and precedence tests that the mutation run (`scripts/mutants`, TESTING.md) showed
//! were missing: each asserts a verdict and its message at the exact edge where a `<` turned
//! into `<=`, or one branch of a verdict taking another's place, would change what the user is told.

use std::path::{Path, PathBuf};

use bedrock_audit::app::parse_snapshot;
use bedrock_audit::engine;
use bedrock_audit::finding::{Finding, Status};
use bedrock_audit::profile::Profile;
use bedrock_audit::rules;
use bedrock_audit::snapshot::{
    CollectError, Collected, ErrorKind, LogGroup, RegionSnapshot, Snapshot,
};

const EAST: &str = "us-east-1";

fn fixture(name: &str) -> Snapshot {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    parse_snapshot(&text, &path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn east() -> Profile {
    let mut profile = Profile::default();
    profile.rollout.regions = vec![EAST.to_string()];
    profile
}

fn run(rule_id: &str, snapshot: &Snapshot, profile: &Profile) -> Vec<Finding> {
    let rule = rules::find(rule_id).unwrap_or_else(|| panic!("no rule {rule_id}"));
    let findings = engine::run_rule(rule, snapshot, profile);
    for f in &findings {
        assert_ne!(f.resource, "rule", "rule failed internally: {}", f.message);
    }
    findings
}

fn region_mut<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut RegionSnapshot {
    snapshot
        .regions
        .iter_mut()
        .find(|r| r.region == name)
        .unwrap()
}

fn by_resource<'a>(findings: &'a [Finding], suffix: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.ends_with(suffix))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one finding for *{suffix}: {findings:#?}"
    );
    matching[0]
}

fn assert_verdict(f: &Finding, status: Status, fragments: &[&str]) {
    assert_eq!(f.status, status, "{}: {}", f.resource, f.message);
    for fragment in fragments {
        assert!(
            f.message.contains(fragment),
            "message of {} lacks {fragment:?}: {}",
            f.resource,
            f.message
        );
    }
}

#[allow(dead_code)]
fn throttled(operation: &str) -> CollectError {
    CollectError {
        operation: operation.into(),
        kind: ErrorKind::Throttling,
        code: "ThrottlingException".into(),
        message: "Rate exceeded".into(),
    }
}

// ---- log-retention-set ---------------------------------------------------------------------

fn log_group(name: &str, days: Option<i32>) -> LogGroup {
    LogGroup {
        name: name.into(),
        arn: format!("arn:aws:logs:{EAST}:111122223333:log-group:{name}"),
        retention_in_days: days,
        kms_key_id: None,
    }
}

#[test]
fn log_retention_of_exactly_the_minimum_passes_and_one_day_less_fails() {
    let mut snapshot = fixture("ready.snapshot.json");
    let mut profile = east();
    profile.data_retention.min_log_retention_days = 30;
    region_mut(&mut snapshot, EAST).log_groups = Collected::ok(vec![
        log_group("/below", Some(29)),
        log_group("/exact", Some(30)),
        log_group("/above", Some(31)),
    ]);
    let findings = run("log-retention-set", &snapshot, &profile);
    assert_eq!(findings.len(), 3);
    assert_verdict(
        by_resource(&findings, ":/below"),
        Status::Fail,
        &["Log group /below keeps events for 29 days, less than the required 30."],
    );
    assert_verdict(
        by_resource(&findings, ":/exact"),
        Status::Pass,
        &["Log group /exact keeps events for 30 days (at least 30 required)."],
    );
    assert_verdict(
        by_resource(&findings, ":/above"),
        Status::Pass,
        &["keeps events for 31 days"],
    );
}
