//! CloudWatch metrics: how often Bedrock already throttled the models Claude Code will call.
//!
//! The `bedrock-runtime.<region>` endpoint publishes `Invocations` and `InvocationThrottles`
//! under the `AWS/Bedrock` namespace with the `ModelId` dimension, in the region whose endpoint
//! was called (Bedrock user guide, *Monitor bedrock-runtime inference using CloudWatch
//! metrics*, monitoring-runtime-metrics.html): the source region, for a cross-region profile.
//! One `GetMetricData` call per region reads both metrics for every model id, hourly sums over
//! the last [`HISTORY_DAYS`] days, every page.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, StatusCode};
use aws_sdk_cloudwatch::Client;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;

use super::paging::{all_pages, pages};
use crate::snapshot::{
    CollectError, Collected, ErrorKind, HourlySum, InvocationHistory, ModelInvocationHistory,
};

pub const GET_METRIC_DATA: &str = "cloudwatch:GetMetricData";

/// How far back the history reaches: a working week and its weekend.
pub const HISTORY_DAYS: i64 = 7;
/// One datapoint an hour: 168 per metric and model, far below GetMetricData's 100,800 a call,
/// and fine enough to show the busiest hour.
pub const PERIOD_SECONDS: i32 = 3_600;
const NAMESPACE: &str = "AWS/Bedrock";
const DIMENSION: &str = "ModelId";
const INVOCATIONS: &str = "Invocations";
const THROTTLES: &str = "InvocationThrottles";

/// The window ending at the last whole hour before `now_secs`, [`HISTORY_DAYS`] long.
pub fn window(now_secs: i64) -> (i64, i64) {
    let period = i64::from(PERIOD_SECONDS);
    let end = now_secs - now_secs.rem_euclid(period);
    (end - HISTORY_DAYS * 86_400, end)
}

/// The query id of a model's metric: GetMetricData ids must start with a lower-case letter
/// and hold only letters, digits and `_`, so the model is named by its position.
fn query_id(metric: &str, index: usize) -> String {
    let prefix = if metric == THROTTLES { "t" } else { "i" };
    format!("{prefix}{index}")
}

fn query(model_id: &str, metric: &str, index: usize) -> MetricDataQuery {
    let metric_stat = MetricStat::builder()
        .metric(
            Metric::builder()
                .namespace(NAMESPACE)
                .metric_name(metric)
                .dimensions(Dimension::builder().name(DIMENSION).value(model_id).build())
                .build(),
        )
        .period(PERIOD_SECONDS)
        .stat("Sum")
        .build();
    MetricDataQuery::builder()
        .id(query_id(metric, index))
        .metric_stat(metric_stat)
        .return_data(true)
        .build()
}

/// One query's datapoints as read so far, and the status of the last page that named it.
#[derive(Default)]
struct Series {
    points: Vec<HourlySum>,
    status: Option<String>,
    unreadable_points: usize,
}

/// `Invocations` and `InvocationThrottles` for each of `model_ids` in the window ending at
/// `now_secs`. A query whose data did not end `Complete` fails the whole section: partial
/// history would understate throttling.
pub async fn bedrock_invocation_history(
    client: &Client,
    model_ids: &[String],
    now_secs: i64,
) -> Collected<InvocationHistory> {
    let (start, end) = window(now_secs);
    let stamp = |secs: i64| {
        DateTime::from_secs(secs)
            .fmt(Format::DateTime)
            .unwrap_or_else(|_| secs.to_string())
    };
    let mut history = InvocationHistory {
        start: stamp(start),
        end: stamp(end),
        period_seconds: PERIOD_SECONDS as u32,
        models: Vec::new(),
    };
    if model_ids.is_empty() {
        return Collected::ok(history);
    }
    let queries: Vec<MetricDataQuery> = model_ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| [query(id, INVOCATIONS, i), query(id, THROTTLES, i)])
        .collect();
    let stream = pages!(client
        .get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(end))
        .into_paginator()
        .send());
    let pages_read = all_pages(
        GET_METRIC_DATA,
        stream,
        |page| page.next_token(),
        |page, out: &mut Vec<(String, Vec<HourlySum>, Option<String>, usize)>| {
            for result in page.metric_data_results() {
                let Some(id) = result.id() else { continue };
                // A datapoint whose time cannot be written, or whose value is not a finite
                // count (NaN would compare as "not above the tolerance"; a Sum of counts is never
                // negative), is unreadable.
                let mut unreadable = 0;
                let points = result
                    .timestamps()
                    .iter()
                    .zip(result.values())
                    .filter_map(|(t, v)| match t.fmt(Format::DateTime) {
                        Ok(hour) if v.is_finite() && *v >= 0.0 => Some(HourlySum { hour, sum: *v }),
                        _ => {
                            unreadable += 1;
                            None
                        }
                    })
                    .collect();
                let status = result.status_code().map(|s| s.as_str().to_string());
                out.push((id.to_string(), points, status, unreadable));
            }
        },
    )
    .await;
    let parts = match pages_read {
        Collected::Ok { data } => data,
        Collected::Failed { error } => return Collected::failed(error),
    };
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    for (id, points, status, unreadable) in parts {
        let entry = series.entry(id).or_default();
        entry.points.extend(points);
        entry.unreadable_points += unreadable;
        if status.is_some() {
            entry.status = status;
        }
    }
    for (index, model_id) in model_ids.iter().enumerate() {
        let mut take = |metric: &str| -> Result<Vec<HourlySum>, CollectError> {
            let id = query_id(metric, index);
            let Some(found) = series.remove(&id) else {
                return Err(incomplete(format!(
                    "the answer held no result for {metric} of ModelId {model_id} (query {id})"
                )));
            };
            if found.status.as_deref() != Some(StatusCode::Complete.as_str()) {
                return Err(incomplete(format!(
                    "{metric} of ModelId {model_id} ended with status {}, not Complete",
                    found.status.as_deref().unwrap_or("(none)")
                )));
            }
            if found.unreadable_points > 0 {
                return Err(incomplete(format!(
                    "{metric} of ModelId {model_id} had {} datapoint(s) with an unreadable timestamp or a value that is not a finite number of at least 0",
                    found.unreadable_points
                )));
            }
            let mut points = found.points;
            points.sort_by(|a, b| a.hour.cmp(&b.hour));
            Ok(points)
        };
        let invocations = match take(INVOCATIONS) {
            Ok(points) => points,
            Err(error) => return Collected::failed(error),
        };
        let throttles = match take(THROTTLES) {
            Ok(points) => points,
            Err(error) => return Collected::failed(error),
        };
        history.models.push(ModelInvocationHistory {
            model_id: model_id.clone(),
            invocations,
            throttles,
        });
    }
    Collected::ok(history)
}

fn incomplete(message: String) -> CollectError {
    CollectError {
        operation: GET_METRIC_DATA.to_string(),
        kind: ErrorKind::PaginationIncomplete,
        code: "IncompleteMetricData".to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_at_the_last_whole_hour_and_spans_seven_days() {
        // 2026-12-02T08:40:05Z
        let now = 1_796_200_805;
        let (start, end) = window(now);
        assert_eq!(end % 3_600, 0);
        assert!(end <= now && now - end < 3_600);
        assert_eq!(end - start, 7 * 86_400);
    }

    #[test]
    fn query_ids_are_valid_and_distinct_per_metric() {
        assert_eq!(query_id(INVOCATIONS, 3), "i3");
        assert_eq!(query_id(THROTTLES, 3), "t3");
    }
}
