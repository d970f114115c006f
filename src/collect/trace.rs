//! `--trace-calls`: an SDK interceptor that records every AWS operation the scan makes, as
//! it went over the wire (one record per operation call, i.e. per page, with its attempts).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use serde::Serialize;

/// One AWS operation call, as a `--trace-calls` JSON line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CallRecord {
    /// The account the call read, in a scan of several accounts (absent in a single scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// IAM service prefix: `bedrock`, `ec2`, `logs`, …
    pub service: String,
    /// API operation name: `DescribeLogGroups`.
    pub operation: String,
    /// IAM action: `logs:DescribeLogGroups`.
    pub action: String,
    pub region: String,
    /// `ok`, or the AWS error code (`AccessDeniedException`), or `Timeout` / `DispatchFailure`.
    pub status: String,
    /// HTTP status of the last attempt, when a response arrived.
    pub http_status: Option<u16>,
    /// Attempts made, retries included.
    pub attempts: u32,
    pub duration_ms: u64,
}

/// Where the interceptors put their records; written out once the scan ends.
#[derive(Debug, Default)]
pub struct TraceSink {
    records: Mutex<Vec<CallRecord>>,
}

impl TraceSink {
    fn push(&self, record: CallRecord) {
        // A poisoned lock only means another recorder panicked; keep what we have.
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.push(record);
    }

    pub fn records(&self) -> Vec<CallRecord> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The records as JSON lines, in the order the calls finished.
    pub fn to_json_lines(&self) -> String {
        self.records()
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|line| line + "\n")
            .collect()
    }
}

/// Where one account's calls are recorded: the run's sink, and the account its records are
/// filed under in a scan of several accounts (`None` in a single scan).
#[derive(Debug, Clone)]
pub struct TraceTarget {
    pub sink: Arc<TraceSink>,
    pub account: Option<String>,
}

/// Registered on every client: one per (service, region).
#[derive(Debug, Clone)]
pub struct CallTracer {
    service: &'static str,
    region: String,
    target: TraceTarget,
}

impl CallTracer {
    pub fn new(service: &'static str, region: &str, target: TraceTarget) -> Self {
        CallTracer {
            service,
            region: region.to_string(),
            target,
        }
    }
}

#[derive(Debug, Clone)]
struct ExecutionStart(Instant);
impl Storable for ExecutionStart {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
struct AttemptCount(u32);
impl Storable for AttemptCount {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallTracer {
    fn name(&self) -> &'static str {
        "bedrock-audit call tracer"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(ExecutionStart(Instant::now()));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempts = cfg.load::<AttemptCount>().map_or(0, |a| a.0);
        cfg.interceptor_state()
            .store_put(AttemptCount(attempts + 1));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map_or_else(|| "Unknown".to_string(), |m| m.name().to_string());
        let duration_ms = cfg.load::<ExecutionStart>().map_or(0, |s| {
            u64::try_from(s.0.elapsed().as_millis()).unwrap_or(u64::MAX)
        });
        let attempts = cfg.load::<AttemptCount>().map_or(0, |a| a.0);
        let response = context.response();
        let status = match context.output_or_error() {
            Some(Ok(_)) => "ok".to_string(),
            Some(Err(err)) if err.is_timeout_error() => "Timeout".to_string(),
            Some(Err(err)) if err.is_connector_error() => {
                if err.as_connector_error().is_some_and(|c| c.is_timeout()) {
                    "Timeout".to_string()
                } else {
                    "DispatchFailure".to_string()
                }
            }
            Some(Err(_)) | None => response
                .and_then(error_code_of)
                .unwrap_or_else(|| "Error".to_string()),
        };
        self.target.sink.push(CallRecord {
            account: self.target.account.clone(),
            service: self.service.to_string(),
            action: super::operations::action_for(&format!("{}:{operation}", self.service)),
            operation,
            region: self.region.clone(),
            status,
            http_status: response.map(|r| r.status().as_u16()),
            attempts,
            duration_ms,
        });
        Ok(())
    }
}

/// The AWS error code of an error response, whichever protocol the service speaks: the
/// `x-amzn-ErrorType` header (REST-JSON, JSON 1.1), the body's `__type` / `code` (JSON), or
/// `<Code>` (EC2 and STS XML). `None` when the body names none.
pub fn error_code_of(response: &HttpResponse) -> Option<String> {
    if let Some(header) = response.headers().get("x-amzn-errortype") {
        let code = header.split(':').next().unwrap_or(header).trim();
        if !code.is_empty() {
            return Some(code.to_string());
        }
    }
    let body = std::str::from_utf8(response.body().bytes()?).ok()?;
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        let code = json
            .get("__type")
            .or_else(|| json.get("code"))
            .or_else(|| json.get("Code"))
            .and_then(serde_json::Value::as_str)?;
        // `com.amazonaws.kms#NotFoundException` → `NotFoundException`
        let code = code.rsplit('#').next().unwrap_or(code);
        return Some(code.to_string());
    }
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(body[start..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::error_code_of;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    fn response(body: &str) -> HttpResponse {
        HttpResponse::new(
            StatusCode::try_from(400).expect("valid"),
            SdkBody::from(body.to_string()),
        )
    }

    #[test]
    fn reads_the_error_type_header() {
        let mut r = response("{}");
        r.headers_mut().insert(
            "x-amzn-ErrorType",
            "AccessDeniedException:http://internal.amazon.com/coral/",
        );
        assert_eq!(error_code_of(&r).as_deref(), Some("AccessDeniedException"));
    }

    #[test]
    fn reads_json_and_xml_bodies() {
        assert_eq!(
            error_code_of(&response(
                r#"{"__type":"com.amazonaws.kms#NotFoundException"}"#
            ))
            .as_deref(),
            Some("NotFoundException")
        );
        assert_eq!(
            error_code_of(&response(
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code></Error></Errors></Response>"
            ))
            .as_deref(),
            Some("UnauthorizedOperation")
        );
        assert_eq!(error_code_of(&response("nothing")), None);
    }
}
