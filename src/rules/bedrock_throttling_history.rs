//! `bedrock-throttling-history`: whether Bedrock is already throttling the models Claude Code
//! will call, as CloudWatch recorded it over the last seven days.
//!
//! Quotas say what an account may use; throttles say what it already runs out of. Bedrock
//! publishes `Invocations` (requests accepted) and `InvocationThrottles` (attempts refused;
//! "throttled requests ... don't count as Invocations", and each SDK retry is counted again)
//! per `ModelId` in the region whose runtime endpoint was called (Bedrock user guide, *Monitor
//! bedrock-runtime inference using CloudWatch metrics*). The throttled share is therefore
//! `throttles ÷ (invocations + throttles)` of attempts. One finding per region and model id:
//! `fail` when the share passes `[capacity] throttled_percent_tolerated`, `pass` with the
//! numbers otherwise, `pass` saying there is no history when the model was not called, and
//! `error` when the metrics were not read.

use std::collections::BTreeMap;

use crate::finding::{Evidence, Finding};
use crate::model_ids::strip_arn;
use crate::rules::support::Judgement;
use crate::rules::RuleContext;
use crate::snapshot::{HourlySum, InvocationHistory, ModelInvocationHistory};

const GET_METRIC_DATA: &str = "cloudwatch:GetMetricData";

/// What one model's history adds up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttling {
    pub invocations: f64,
    pub throttles: f64,
    /// The hour with the most throttles, with (throttles, invocations) in it.
    pub worst_hour: Option<(String, f64, f64)>,
    /// The hour with the most attempts, with its attempts.
    pub busiest_hour: Option<(String, f64)>,
    /// Days (UTC dates) with at least one throttle.
    pub days_throttled: usize,
}

impl Throttling {
    pub fn attempts(&self) -> f64 {
        self.invocations + self.throttles
    }

    /// The share of attempts refused, in percent; 0 without attempts.
    pub fn throttled_percent(&self) -> f64 {
        if self.attempts() > 0.0 {
            self.throttles / self.attempts() * 100.0
        } else {
            0.0
        }
    }
}

fn by_hour(points: &[HourlySum]) -> BTreeMap<&str, f64> {
    let mut out = BTreeMap::new();
    for point in points {
        *out.entry(point.hour.as_str()).or_insert(0.0) += point.sum.max(0.0);
    }
    out
}

/// Sums a model's hourly series. Negative sums (which CloudWatch never reports for counts)
/// count as 0 rather than hiding throttles.
pub fn summarise(history: &ModelInvocationHistory) -> Throttling {
    let invocations = by_hour(&history.invocations);
    let throttles = by_hour(&history.throttles);
    let worst_hour = throttles
        .iter()
        .filter(|(_, t)| **t > 0.0)
        .fold(None::<(&str, f64)>, |best, (hour, t)| match best {
            Some((_, b)) if b >= *t => best,
            _ => Some((hour, *t)),
        })
        .map(|(hour, t)| {
            let i = invocations.get(hour).copied().unwrap_or(0.0);
            (hour.to_string(), t, i)
        });
    let mut attempts: BTreeMap<&str, f64> = invocations.clone();
    for (hour, t) in &throttles {
        *attempts.entry(hour).or_insert(0.0) += t;
    }
    let busiest_hour = attempts
        .iter()
        .filter(|(_, a)| **a > 0.0)
        .fold(None::<(&str, f64)>, |best, (hour, a)| match best {
            Some((_, b)) if b >= *a => best,
            _ => Some((hour, *a)),
        })
        .map(|(hour, a)| (hour.to_string(), a));
    let days: std::collections::BTreeSet<&str> = throttles
        .iter()
        .filter(|(_, t)| **t > 0.0)
        .map(|(hour, _)| hour.get(..10).unwrap_or(hour))
        .collect();
    Throttling {
        invocations: invocations.values().sum(),
        throttles: throttles.values().sum(),
        worst_hour,
        busiest_hour,
        days_throttled: days.len(),
    }
}

fn count(value: f64) -> String {
    crate::rules::bedrock_quotas::format_value(value)
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    let tolerated = ctx.profile.capacity.throttled_percent_tolerated;
    ctx.per_region(|region, snapshot, findings| {
        let mut seen = Vec::new();
        for role in resolution.roles_in(region) {
            if seen.contains(&role.model_id) {
                continue;
            }
            seen.push(role.model_id);
            let model = role.model_id;
            let resource = format!("cloudwatch/AWS/Bedrock/ModelId/{}", strip_arn(model));
            let mut judgement = Judgement::new();
            judgement.evidence(crate::claude_code::models::origin_evidence(&role));
            let subject = format!(
                "Throttling of Claude Code's {} model {} in {region}",
                role.role,
                strip_arn(model)
            );
            let pass = match &snapshot.invocation_history {
                None => {
                    judgement.missing(
                        format!("the Bedrock invocation metrics of {region} were not collected (a snapshot from an older version)"),
                        Evidence::new(GET_METRIC_DATA, Some(region)).with("collected", false),
                    );
                    String::new()
                }
                Some(collected) => match collected.as_result() {
                    Err(error) => {
                        judgement.unreadable(
                            format!("the Bedrock invocation metrics of {region}"),
                            error,
                        );
                        String::new()
                    }
                    Ok(history) => judge_model(&mut judgement, history, region, model, tolerated),
                },
            };
            findings.push(judgement.finding(ctx, region, &resource, &subject, pass));
        }
    })
}

/// Judges one model's history; the pass message when nothing fails.
fn judge_model(
    judgement: &mut Judgement,
    history: &InvocationHistory,
    region: &str,
    model: &str,
    tolerated: f64,
) -> String {
    let evidence = || {
        Evidence::new(GET_METRIC_DATA, Some(region))
            .with("Namespace", "AWS/Bedrock")
            .with("ModelId", model)
            .with("StartTime", &history.start)
            .with("EndTime", &history.end)
            .with("Period", history.period_seconds)
    };
    let Some(series) = history.models.iter().find(|m| m.model_id == model) else {
        judgement.missing(
            format!("the metrics of ModelId {model} were not read in {region}"),
            evidence().with("collected", false),
        );
        return String::new();
    };
    let summary = summarise(series);
    let window = format!("{} to {}", history.start, history.end);
    let mut record = evidence()
        .with("Invocations", summary.invocations)
        .with("InvocationThrottles", summary.throttles)
        .with(
            "throttled_percent",
            (summary.throttled_percent() * 100.0).round() / 100.0,
        )
        .with("throttled_percent_tolerated", tolerated)
        .with("days_throttled", summary.days_throttled);
    if let Some((hour, t, i)) = &summary.worst_hour {
        record = record
            .with("worst_hour", hour)
            .with("worst_hour_throttles", t)
            .with("worst_hour_invocations", i);
    }
    if let Some((hour, a)) = &summary.busiest_hour {
        record = record
            .with("busiest_hour", hour)
            .with("busiest_hour_attempts", a);
    }
    judgement.evidence(record);
    if summary.attempts() <= 0.0 {
        return format!(
            "No history: CloudWatch holds no invocation and no throttle of ModelId {model} in {region} from {window}, so only the quotas (bedrock-quotas) speak for capacity."
        );
    }
    let numbers = format!(
        "{} of {} attempts throttled ({:.2}%) from {window}",
        count(summary.throttles),
        count(summary.attempts()),
        summary.throttled_percent()
    );
    let worst = summary
        .worst_hour
        .as_ref()
        .map(|(hour, t, i)| {
            format!(
                "; worst hour {hour}: {} throttled, {} served; throttled on {} of 7 days",
                count(*t),
                count(*i),
                summary.days_throttled
            )
        })
        .unwrap_or_default();
    if summary.throttled_percent() > tolerated {
        judgement.problem(format!(
            "{numbers}, above the {tolerated}% tolerated ([capacity] throttled_percent_tolerated){worst}. Developers are waiting on retries now: raise the per-minute and per-day quotas bedrock-quotas names for this model (its message has the exact request), or lower CLAUDE_CODE_MAX_OUTPUT_TOKENS so each request reserves less"
        ));
    }
    format!("ModelId {model} in {region}: {numbers}, within the {tolerated}% tolerated{worst}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(items: &[(&str, f64)]) -> Vec<HourlySum> {
        items
            .iter()
            .map(|(hour, sum)| HourlySum {
                hour: hour.to_string(),
                sum: *sum,
            })
            .collect()
    }

    #[test]
    fn summarises_attempts_worst_hour_busiest_hour_and_days() {
        let history = ModelInvocationHistory {
            model_id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
            invocations: points(&[
                ("2026-11-25T09:00:00Z", 100.0),
                ("2026-11-25T10:00:00Z", 400.0),
                ("2026-11-26T09:00:00Z", 50.0),
            ]),
            throttles: points(&[
                ("2026-11-25T09:00:00Z", 30.0),
                ("2026-11-26T09:00:00Z", 60.0),
            ]),
        };
        let s = summarise(&history);
        assert_eq!(s.invocations, 550.0);
        assert_eq!(s.throttles, 90.0);
        assert_eq!(s.attempts(), 640.0);
        assert!((s.throttled_percent() - 90.0 / 640.0 * 100.0).abs() < 1e-9);
        assert_eq!(
            s.worst_hour,
            Some(("2026-11-26T09:00:00Z".to_string(), 60.0, 50.0))
        );
        assert_eq!(
            s.busiest_hour,
            Some(("2026-11-25T10:00:00Z".to_string(), 400.0))
        );
        assert_eq!(s.days_throttled, 2);
    }

    #[test]
    fn throttles_count_toward_an_hours_attempts() {
        // 10:00 has fewer invocations than 11:00 but more attempts once its throttles count.
        let history = ModelInvocationHistory {
            model_id: "m".into(),
            invocations: points(&[
                ("2026-11-25T10:00:00Z", 100.0),
                ("2026-11-25T11:00:00Z", 150.0),
            ]),
            throttles: points(&[("2026-11-25T10:00:00Z", 60.0)]),
        };
        let s = summarise(&history);
        assert_eq!(
            s.busiest_hour,
            Some(("2026-11-25T10:00:00Z".to_string(), 160.0))
        );
    }

    #[test]
    fn no_history_has_no_share_and_no_hours() {
        let history = ModelInvocationHistory {
            model_id: "m".into(),
            invocations: Vec::new(),
            throttles: points(&[("2026-11-25T09:00:00Z", 0.0)]),
        };
        let s = summarise(&history);
        assert_eq!(s.attempts(), 0.0);
        assert_eq!(s.throttled_percent(), 0.0);
        assert_eq!(s.worst_hour, None);
        assert_eq!(s.busiest_hour, None);
        assert_eq!(s.days_throttled, 0);
    }

    #[test]
    fn a_negative_sum_cannot_cancel_throttles() {
        let history = ModelInvocationHistory {
            model_id: "m".into(),
            invocations: points(&[("2026-11-25T09:00:00Z", -500.0)]),
            throttles: points(&[("2026-11-25T09:00:00Z", 5.0)]),
        };
        let s = summarise(&history);
        assert_eq!(s.invocations, 0.0);
        assert_eq!(s.throttled_percent(), 100.0);
    }

    #[test]
    fn ties_keep_the_earliest_hour() {
        let history = ModelInvocationHistory {
            model_id: "m".into(),
            invocations: points(&[
                ("2026-11-25T09:00:00Z", 10.0),
                ("2026-11-25T11:00:00Z", 10.0),
            ]),
            throttles: points(&[("2026-11-25T09:00:00Z", 2.0), ("2026-11-25T11:00:00Z", 2.0)]),
        };
        let s = summarise(&history);
        assert_eq!(
            s.worst_hour.map(|w| w.0),
            Some("2026-11-25T09:00:00Z".into())
        );
        assert_eq!(
            s.busiest_hour.map(|w| w.0),
            Some("2026-11-25T09:00:00Z".into())
        );
    }
}
