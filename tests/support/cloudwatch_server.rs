//! CloudWatch's `GetMetricData` for Bedrock's runtime metrics, in the protocol the current SDK
//! speaks and moto 5.2.5 does not: Smithy RPC v2 CBOR (`POST
//! /service/GraniteServiceVersion20100801/operation/GetMetricData`, header `smithy-protocol:
//! rpc-v2-cbor`, CBOR bodies; aws-sdk-cloudwatch 1.140's generated `get_metric_data.rs`).
//!
//! What it imitates, from the API reference (doc comments of `get_metric_data`,
//! `MetricDataQuery` and `MetricDataResult` in aws-sdk-cloudwatch 1.140, which is the current
//! `GetMetricData` reference):
//! - `StartTime` is inclusive and `EndTime` exclusive; each `MetricStat` query aggregates the
//!   datapoints of its metric (namespace, name and exact dimension set) into `Period`-second
//!   buckets with its `Stat` (only `Sum` is served here: the scanner asks for nothing else).
//! - `ScanBy` defaults to `TimestampDescending`: newest datapoint first.
//! - `MaxDatapoints` (default 100,800) caps the datapoints of one answer; a query cut short
//!   reports `PartialData` and the answer carries `NextToken`; a query whose datapoints are all
//!   returned reports `Complete`, also when the metric has none.
//! - Errors carry `__type` and `message` in a CBOR body (RPC v2 CBOR), and CloudWatch, being
//!   query-compatible, also the `x-amzn-query-error: <code>;<Sender|Receiver>` header the SDK
//!   reads the code from (`aws_query_compatible_errors.rs`).
//!
//! The datapoints are seeded as hours before the window's end, so scenarios do not depend on
//! the clock.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use minicbor::data::{IanaTag, Tag, Type};
use serde_json::{json, Value};

use super::bedrock_server::FaultKind;

pub const OPERATION_PATH: &str = "/service/GraniteServiceVersion20100801/operation/";

/// One seeded metric series in one region: hourly sums, each `hours_before_end` hours before
/// the requested window's end (1 = the last hour inside the window).
#[derive(Debug, Clone)]
pub struct SeedMetric {
    pub region: String,
    pub model_id: String,
    /// `Invocations` or `InvocationThrottles`.
    pub metric: String,
    pub hourly: Vec<(i64, f64)>,
}

impl SeedMetric {
    pub fn new(region: &str, model_id: &str, metric: &str, hourly: &[(i64, f64)]) -> SeedMetric {
        SeedMetric {
            region: region.into(),
            model_id: model_id.into(),
            metric: metric.into(),
            hourly: hourly.to_vec(),
        }
    }
}

/// What the CloudWatch part of the account holds and how it misbehaves.
#[derive(Debug, Clone)]
pub struct MetricsSeed {
    pub series: Vec<SeedMetric>,
    pub fault: Option<FaultKind>,
    /// Datapoints per answer at most (the server's own `MaxDatapoints`): small, so scans
    /// exercise `NextToken`.
    pub page_datapoints: usize,
    /// Every result's `StatusCode` on the last page, instead of `Complete` (`InternalError`).
    pub final_status: Option<String>,
}

impl Default for MetricsSeed {
    fn default() -> Self {
        MetricsSeed {
            series: Vec::new(),
            fault: None,
            page_datapoints: 7,
            final_status: None,
        }
    }
}

/// The operation named by the request path, if it is one this server answers.
pub fn operation(path: &str) -> Option<&str> {
    path.strip_prefix(OPERATION_PATH)
        .filter(|op| *op == "GetMetricData")
}

pub fn answer(seed: &MetricsSeed, region: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    if headers.get("smithy-protocol").and_then(|v| v.to_str().ok()) != Some("rpc-v2-cbor") {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            "Sender",
            "missing smithy-protocol: rpc-v2-cbor",
        );
    }
    match seed.fault {
        Some(FaultKind::AccessDenied) => {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Sender",
                "User: arn:aws:iam::123456789012:user/testing is not authorized to perform: cloudwatch:GetMetricData",
            )
        }
        Some(FaultKind::Throttle) => {
            return error(StatusCode::BAD_REQUEST, "Throttling", "Sender", "Rate exceeded")
        }
        Some(FaultKind::HostileAccessDenied) => {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Sender",
                &super::bedrock_server::hostile_message(),
            )
        }
        None => {}
    }
    let request = match decode(body) {
        Ok(value) => value,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "SerializationException",
                "Sender",
                &e,
            )
        }
    };
    let (Some(start), Some(end)) = (request["StartTime"].as_f64(), request["EndTime"].as_f64())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "Sender",
            "StartTime and EndTime are required",
        );
    };
    let (start, end) = (start as i64, end as i64);
    let descending = request["ScanBy"].as_str() != Some("TimestampAscending");
    let cap = request["MaxDatapoints"]
        .as_u64()
        .map_or(100_800, |n| n as usize)
        .min(seed.page_datapoints.max(1));
    let offset = match request["NextToken"].as_str() {
        None => 0,
        Some(token) => match token.strip_prefix("after-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidNextToken",
                    "Sender",
                    "The service cannot read the NextToken.",
                )
            }
        },
    };
    let empty = Vec::new();
    let queries = request["MetricDataQueries"].as_array().unwrap_or(&empty);
    // Every query's datapoints, in query order, newest first (or oldest first when asked).
    let mut all: Vec<(String, Vec<(i64, f64)>)> = Vec::new();
    for query in queries {
        let id = query["Id"].as_str().unwrap_or_default().to_string();
        let stat = &query["MetricStat"];
        let metric = &stat["Metric"];
        let period = stat["Period"].as_i64().unwrap_or(60).max(1);
        if stat["Stat"].as_str() != Some("Sum") {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidParameterValue",
                "Sender",
                "this test server aggregates with Sum only",
            );
        }
        let dimensions = metric["Dimensions"].as_array().cloned().unwrap_or_default();
        let model = match dimensions.as_slice() {
            [d] if d["Name"].as_str() == Some("ModelId") => d["Value"].as_str(),
            _ => None,
        };
        let mut buckets: std::collections::BTreeMap<i64, f64> = Default::default();
        if metric["Namespace"].as_str() == Some("AWS/Bedrock") {
            for series in seed.series.iter().filter(|s| {
                s.region == region
                    && Some(s.model_id.as_str()) == model
                    && metric["MetricName"].as_str() == Some(s.metric.as_str())
            }) {
                for (hours_before_end, sum) in &series.hourly {
                    let at = end - hours_before_end * 3_600;
                    if at >= start && at < end {
                        *buckets
                            .entry(at - (at - start).rem_euclid(period))
                            .or_insert(0.0) += sum;
                    }
                }
            }
        }
        let mut points: Vec<(i64, f64)> = buckets.into_iter().collect();
        if descending {
            points.reverse();
        }
        all.push((id, points));
    }
    let total: usize = all.iter().map(|(_, p)| p.len()).sum();
    let page_end = (offset + cap).min(total);
    let mut results = Vec::new();
    let mut before = 0;
    for (id, points) in &all {
        let from = offset.saturating_sub(before).min(points.len());
        let to = page_end.saturating_sub(before).min(points.len());
        let done = before + points.len() <= page_end;
        let status = match (&seed.final_status, done) {
            (Some(status), true) => status.clone(),
            (None, true) => "Complete".to_string(),
            (_, false) => "PartialData".to_string(),
        };
        results.push((id.clone(), points[from..to].to_vec(), status));
        before += points.len();
    }
    let next = (page_end < total).then(|| format!("after-{page_end}"));
    let mut out = minicbor::Encoder::new(Vec::new());
    let written = (|| -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        out.map(if next.is_some() { 3 } else { 2 })?;
        out.str("MetricDataResults")?.array(results.len() as u64)?;
        for (id, points, status) in &results {
            out.map(6)?;
            out.str("Id")?.str(id)?;
            out.str("Label")?.str(id)?;
            out.str("Timestamps")?.array(points.len() as u64)?;
            for (at, _) in points {
                out.tag(Tag::from(IanaTag::Timestamp))?.i64(*at)?;
            }
            out.str("Values")?.array(points.len() as u64)?;
            for (_, value) in points {
                out.f64(*value)?;
            }
            out.str("StatusCode")?.str(status)?;
            out.str("Messages")?.array(0)?;
        }
        out.str("Messages")?.array(0)?;
        if let Some(token) = &next {
            out.str("NextToken")?.str(token)?;
        }
        Ok(())
    })();
    if written.is_err() {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServiceError",
            "Receiver",
            "encoding failed",
        );
    }
    cbor_response(StatusCode::OK, out.into_writer())
}

fn cbor_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/cbor"));
    headers.insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    response
}

/// An RPC v2 CBOR error, with CloudWatch's query-compatible code header.
fn error(status: StatusCode, code: &str, fault: &str, message: &str) -> Response {
    let mut out = minicbor::Encoder::new(Vec::new());
    let body = out
        .map(2)
        .and_then(|e| e.str("__type"))
        .and_then(|e| e.str(&format!("com.amazonaws.cloudwatch#{code}")))
        .and_then(|e| e.str("message"))
        .and_then(|e| e.str(message))
        .map(|_| ())
        .map_or_else(|_| Vec::new(), |_| out.into_writer());
    let mut response = cbor_response(status, body);
    if let Ok(value) = HeaderValue::from_str(&format!("{code};{fault}")) {
        response.headers_mut().insert("x-amzn-query-error", value);
    }
    response
}

/// A CBOR document as JSON (timestamps, tag 1, as their number of seconds).
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut decoder = minicbor::Decoder::new(bytes);
    let value = item(&mut decoder, 0)?;
    if decoder.position() != bytes.len() {
        return Err("trailing bytes after the CBOR item".into());
    }
    Ok(value)
}

fn item(d: &mut minicbor::Decoder, depth: u32) -> Result<Value, String> {
    if depth > 64 {
        return Err("nested too deep".into());
    }
    let e = |e: minicbor::decode::Error| e.to_string();
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => json!(d.bool().map_err(e)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(e)?;
            Value::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => json!(d.u64().map_err(e)?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => json!(d.i64().map_err(e)?),
        Type::F16 | Type::F32 | Type::F64 => json!(d.f64().map_err(e)?),
        Type::String => json!(d.str().map_err(e)?),
        Type::StringIndef => {
            let mut text = String::new();
            for part in d.str_iter().map_err(e)? {
                text.push_str(part.map_err(e)?);
            }
            json!(text)
        }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(e)?;
            let mut out = Vec::new();
            loop {
                match len {
                    Some(n) if out.len() as u64 == n => break,
                    None if d.datatype().map_err(e)? == Type::Break => {
                        d.skip().map_err(e)?;
                        break;
                    }
                    _ => out.push(item(d, depth + 1)?),
                }
            }
            Value::Array(out)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(e)?;
            let mut out = serde_json::Map::new();
            let mut read = 0u64;
            loop {
                match len {
                    Some(n) if read == n => break,
                    None if d.datatype().map_err(e)? == Type::Break => {
                        d.skip().map_err(e)?;
                        break;
                    }
                    _ => {
                        let key = d.str().map_err(e)?.to_string();
                        out.insert(key, item(d, depth + 1)?);
                        read += 1;
                    }
                }
            }
            Value::Object(out)
        }
        Type::Tag => {
            d.tag().map_err(e)?;
            item(d, depth + 1)?
        }
        other => return Err(format!("unexpected CBOR type {other:?}")),
    })
}
