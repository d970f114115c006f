//! Live scans for `bedrock-throttling-history`: the real binary and SDK (aws-sdk-cloudwatch,
//! Smithy RPC v2 CBOR) against our CloudWatch test server (`support::cloudwatch_server`), which
//! answers GetMetricData as the API reference describes it. Each scenario asserts the verdict
//! and its numbers; every run asserts that only reads were made.
//!
//! Source for what the metrics mean: Bedrock user guide, *Monitor bedrock-runtime inference
//! using CloudWatch metrics* (monitoring-runtime-metrics.html): `Invocations` and
//! `InvocationThrottles` in `AWS/Bedrock` by `ModelId`, throttled requests not counted as
//! invocations, retries counted as throttles again.

mod support;

use support::account::TestAccount;
use support::bedrock_server::FaultKind;
use support::cloudwatch_server::SeedMetric;
use support::scanner::ScanRun;

const EAST: &str = "us-east-1";
const RULE: &str = "bedrock-throttling-history";
const SONNET: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

fn scan(account: &TestAccount, profile: &str) -> ScanRun {
    account.scan_with_profile("throttling.toml", profile, EAST)
}

fn finding_for(run: &ScanRun, model: &str) -> support::scanner::FindingView {
    run.findings_of(RULE)
        .into_iter()
        .find(|f| f.resource.ends_with(model))
        .unwrap_or_else(|| panic!("no {RULE} finding for {model}\n{}", run.describe()))
}

/// Eight working hours on each of `days` days (hours before the window's end), `per_hour`
/// invocations and, in three of them a day, `throttles` throttles.
/// Hourly sums, each at its hours before the window's end.
type Hourly = Vec<(i64, f64)>;

fn working_week(days: i64, per_hour: f64, throttles: f64) -> (Hourly, Hourly) {
    let mut invocations = Vec::new();
    let mut throttled = Vec::new();
    for day in 0..days {
        for hour in 0..8 {
            let before_end = day * 24 + hour + 1;
            invocations.push((before_end, per_hour));
            if hour % 3 == 0 {
                throttled.push((before_end, throttles));
            }
        }
    }
    (invocations, throttled)
}

async fn seeded(invocations: &[(i64, f64)], throttles: &[(i64, f64)]) -> TestAccount {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let (invocations, throttles) = (invocations.to_vec(), throttles.to_vec());
    account.bedrock.update(move |seed| {
        seed.account.metrics.series = vec![
            SeedMetric::new(EAST, SONNET, "Invocations", &invocations),
            SeedMetric::new(EAST, SONNET, "InvocationThrottles", &throttles),
        ];
    });
    account
}

/// An account that has never called the models: the finding passes and says there is no
/// history, for each model Claude Code will call; one GetMetricData call (with its pages) was
/// made in the region, to CloudWatch.
#[tokio::test]
async fn an_account_without_invocations_has_no_history_and_says_so() {
    let account = seeded(&[], &[]).await;
    let run = scan(&account, "");
    for model in [SONNET, HAIKU] {
        let finding = finding_for(&run, model);
        assert_eq!(finding.status, "pass", "{}", run.describe());
        assert!(
            finding.message.starts_with("No history"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains(model), "{}", finding.message);
    }
    let calls: Vec<_> = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "GetMetricData")
        .collect();
    assert!(!calls.is_empty(), "{}", run.describe());
    assert!(calls
        .iter()
        .all(|c| c.service == "monitoring" && c.region == EAST && c.status == 200));
}

/// Throttling already happening is a finding of its own, with its numbers: 4 days × 3 hours ×
/// 40 throttles = 480 of 480 + 4 × 8 × 100 = 3,680 attempts (13.04%). The answer comes in
/// pages of 7 datapoints, so the count is right only when every page is read; a throttle
/// storm 200 hours before the end (outside the 7-day window) must not count.
#[tokio::test]
async fn throttling_above_the_tolerated_share_fails_with_its_numbers() {
    let (invocations, mut throttles) = working_week(4, 100.0, 40.0);
    throttles.push((200, 1_000_000.0));
    let account = seeded(&invocations, &throttles).await;
    let run = scan(&account, "");
    let finding = finding_for(&run, SONNET);
    assert_eq!(finding.status, "fail", "{}", run.describe());
    for fragment in [
        "480 of 3680 attempts throttled (13.04%)",
        "above the 1% tolerated",
        "throttled on 4 of 7 days",
        "40 throttled, 100 served",
    ] {
        assert!(
            finding.message.contains(fragment),
            "{fragment}: {}",
            finding.message
        );
    }
    let pages = run
        .bedrock_calls
        .iter()
        .filter(|c| c.operation == "GetMetricData")
        .count();
    assert!(pages > 1, "expected several pages, got {pages}");
    // The fast model has no datapoints: no history, not a failure.
    assert_eq!(finding_for(&run, HAIKU).status, "pass");
}

/// The same history passes when the profile tolerates more, and the pass still carries the
/// numbers.
#[tokio::test]
async fn throttling_within_the_tolerated_share_passes_with_its_numbers() {
    let (invocations, throttles) = working_week(4, 100.0, 40.0);
    let account = seeded(&invocations, &throttles).await;
    let run = scan(&account, "[capacity]\nthrottled_percent_tolerated = 20\n");
    let finding = finding_for(&run, SONNET);
    assert_eq!(finding.status, "pass", "{}", run.describe());
    assert!(
        finding
            .message
            .contains("480 of 3680 attempts throttled (13.04%)"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("within the 20% tolerated"),
        "{}",
        finding.message
    );
}

#[tokio::test]
async fn denied_metrics_are_an_error_never_a_pass() {
    let account = seeded(&[(1, 10.0)], &[]).await;
    account
        .bedrock
        .update(|seed| seed.account.metrics.fault = Some(FaultKind::AccessDenied));
    let run = scan(&account, "");
    for finding in run.findings_of(RULE) {
        assert_eq!(finding.status, "error", "{}", run.describe());
        assert!(
            finding
                .message
                .contains("cloudwatch:GetMetricData failed with AccessDenied"),
            "{}",
            finding.message
        );
    }
    assert!(!run.findings_of(RULE).is_empty());
}

/// CloudWatch's throttling code reaches the scanner through the query-compatible header; the
/// SDK retries it, then the section fails.
#[tokio::test]
async fn throttled_metric_reads_are_an_error() {
    let account = seeded(&[(1, 10.0)], &[]).await;
    account
        .bedrock
        .update(|seed| seed.account.metrics.fault = Some(FaultKind::Throttle));
    let run = scan(&account, "");
    let finding = finding_for(&run, SONNET);
    assert_eq!(finding.status, "error", "{}", run.describe());
    assert!(
        finding.message.contains("failed with Throttling"),
        "{}",
        finding.message
    );
}

/// A series that ends `InternalError` instead of `Complete` ("an error occurred", API
/// reference) is incomplete history: `error`, even though its datapoints show no throttling.
#[tokio::test]
async fn a_series_that_does_not_end_complete_is_an_error() {
    let account = seeded(&[(1, 10.0)], &[]).await;
    account
        .bedrock
        .update(|seed| seed.account.metrics.final_status = Some("InternalError".into()));
    let run = scan(&account, "");
    let finding = finding_for(&run, SONNET);
    assert_eq!(finding.status, "error", "{}", run.describe());
    assert!(
        finding.message.contains("not Complete"),
        "{}",
        finding.message
    );
}

/// A value that is not a finite number (CBOR can carry NaN) is unreadable history: `error`,
/// never a share that compares as "within the tolerance".
#[tokio::test]
async fn a_datapoint_that_is_not_a_number_is_an_error() {
    let account = seeded(&[(1, 10.0)], &[(1, f64::NAN)]).await;
    let run = scan(&account, "");
    let finding = finding_for(&run, SONNET);
    assert_eq!(finding.status, "error", "{}", run.describe());
    assert!(
        finding.message.contains("not a finite number"),
        "{}",
        finding.message
    );
}
