//! Our own Bedrock control-plane test server (moto lacks the model-access APIs).
//!
//! It speaks Bedrock's REST-JSON as the API model in `aws-sdk-bedrock` defines it: the paths,
//! query parameters, JSON field names and error shapes (`x-amzn-ErrorType` header plus
//! `{"message": …}`) the SDK's deserializers read. Because the scanner points
//! `AWS_ENDPOINT_URL_BEDROCK` here, every `bedrock` call lands here, including
//! GetModelInvocationLoggingConfiguration, which is served from the seed (one place to seed
//! all Bedrock state, and the request log then covers every Bedrock call).
//!
//! State is per region, taken from the SigV4 credential scope as AWS does. Every request is
//! recorded so tests can assert what the scanner called; anything outside the read
//! operations below is recorded and refused.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

pub const ACCOUNT: &str = "123456789012";
pub const SONNET_4_5: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
pub const HAIKU_4_5: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
pub const OPUS_4_1: &str = "anthropic.claude-opus-4-1-20250805-v1:0";
/// Where the `us.` system-defined inference profiles route.
pub const US_DESTINATIONS: [&str; 3] = ["us-east-1", "us-east-2", "us-west-2"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BedrockOp {
    ListFoundationModels,
    GetFoundationModelAvailability,
    ListInferenceProfiles,
    GetInferenceProfile,
    GetModelInvocationLoggingConfiguration,
    GetGuardrail,
    ListEnforcedGuardrailsConfiguration,
    GetAccountDataRetention,
    GetUseCaseForModelAccess,
}

impl BedrockOp {
    pub fn name(self) -> &'static str {
        match self {
            BedrockOp::ListFoundationModels => "ListFoundationModels",
            BedrockOp::GetFoundationModelAvailability => "GetFoundationModelAvailability",
            BedrockOp::ListInferenceProfiles => "ListInferenceProfiles",
            BedrockOp::GetInferenceProfile => "GetInferenceProfile",
            BedrockOp::GetModelInvocationLoggingConfiguration => {
                "GetModelInvocationLoggingConfiguration"
            }
            BedrockOp::GetGuardrail => "GetGuardrail",
            BedrockOp::ListEnforcedGuardrailsConfiguration => "ListEnforcedGuardrailsConfiguration",
            BedrockOp::GetAccountDataRetention => "GetAccountDataRetention",
            BedrockOp::GetUseCaseForModelAccess => "GetUseCaseForModelAccess",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 403 AccessDeniedException on every call.
    AccessDenied,
    /// 429 ThrottlingException on every call, retries included.
    Throttle,
    /// 403 AccessDeniedException whose message is [`hostile_message`]: 100 KB of terminal
    /// escapes, line breaks and Markdown, as a hostile or broken endpoint might send.
    HostileAccessDenied,
}

/// About 100 KB of text built to attack whoever displays it: a terminal title change and
/// screen clear, a remote Markdown image, a link, and thousands of line breaks.
pub fn hostile_message() -> String {
    let mut message = String::from(
        "denied \u{1b}]0;pwned\u{7}\u{1b}[2J ![t](https://evil.example/p.png) [click](https://evil.example/)",
    );
    while message.len() < 100_000 {
        message.push_str("\n\r\u{1b}[1A");
    }
    message
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub operation: BedrockOp,
    pub kind: FaultKind,
    /// `None`: every region.
    pub region: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SeedModel {
    pub model_id: String,
    pub name: String,
    pub provider: String,
    pub inference_types: Vec<String>,
    pub lifecycle: String,
}

impl SeedModel {
    pub fn anthropic(model_id: &str, name: &str) -> SeedModel {
        SeedModel {
            model_id: model_id.into(),
            name: name.into(),
            provider: "Anthropic".into(),
            // Current Claude models are served only through inference profiles.
            inference_types: vec!["INFERENCE_PROFILE".into()],
            lifecycle: "ACTIVE".into(),
        }
    }

    fn to_json(&self, region: &str) -> Value {
        json!({
            "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{}", self.model_id),
            "modelId": self.model_id,
            "modelName": self.name,
            "providerName": self.provider,
            "inputModalities": ["TEXT", "IMAGE"],
            "outputModalities": ["TEXT"],
            "responseStreamingSupported": true,
            "customizationsSupported": [],
            "inferenceTypesSupported": self.inference_types,
            "modelLifecycle": { "status": self.lifecycle },
        })
    }
}

#[derive(Debug, Clone)]
pub struct SeedAvailability {
    pub agreement: String,
    pub agreement_error: Option<String>,
    pub authorization: String,
    pub entitlement: String,
    pub region: String,
}

impl SeedAvailability {
    pub fn authorized() -> SeedAvailability {
        SeedAvailability {
            agreement: "AVAILABLE".into(),
            agreement_error: None,
            authorization: "AUTHORIZED".into(),
            entitlement: "AVAILABLE".into(),
            region: "AVAILABLE".into(),
        }
    }

    /// Model access never requested: no agreement, not authorized.
    pub fn not_authorized() -> SeedAvailability {
        SeedAvailability {
            agreement: "NOT_AVAILABLE".into(),
            authorization: "NOT_AUTHORIZED".into(),
            ..SeedAvailability::authorized()
        }
    }
}

#[derive(Debug, Clone)]
pub struct SeedProfile {
    pub id: String,
    pub name: String,
    /// SYSTEM_DEFINED or APPLICATION.
    pub profile_type: String,
    pub status: String,
    pub model_id: String,
    pub destination_regions: Vec<String>,
}

impl SeedProfile {
    /// A system-defined cross-region profile: `<geo>.<model id>`.
    pub fn system(geo: &str, model_id: &str, destinations: &[&str]) -> SeedProfile {
        SeedProfile {
            id: format!("{geo}.{model_id}"),
            name: format!("{} {model_id}", geo.to_uppercase()),
            profile_type: "SYSTEM_DEFINED".into(),
            status: "ACTIVE".into(),
            model_id: model_id.into(),
            destination_regions: destinations.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn arn(&self, region: &str) -> String {
        if self.profile_type == "APPLICATION" {
            format!(
                "arn:aws:bedrock:{region}:{ACCOUNT}:application-inference-profile/{}",
                self.id
            )
        } else {
            format!(
                "arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{}",
                self.id
            )
        }
    }

    fn to_json(&self, region: &str) -> Value {
        // A `global.` profile lists the source region's model and the region-less ARN
        // `arn:aws:bedrock:::foundation-model/<id>` (Bedrock user guide, *Global cross-Region
        // inference*); a geographic one lists each destination region's model.
        let model_arns: Vec<String> = if self.id.starts_with("global.") {
            vec![
                format!(
                    "arn:aws:bedrock:{region}::foundation-model/{}",
                    self.model_id
                ),
                format!("arn:aws:bedrock:::foundation-model/{}", self.model_id),
            ]
        } else {
            self.destination_regions
                .iter()
                .map(|dest| format!("arn:aws:bedrock:{dest}::foundation-model/{}", self.model_id))
                .collect()
        };
        let models: Vec<Value> = model_arns
            .into_iter()
            .map(|arn| json!({ "modelArn": arn }))
            .collect();
        json!({
            "inferenceProfileName": self.name,
            "description": format!("Routes requests to {} across regions.", self.model_id),
            "createdAt": "2025-09-29T00:00:00Z",
            "updatedAt": "2025-09-29T00:00:00Z",
            "inferenceProfileArn": self.arn(region),
            "models": models,
            "inferenceProfileId": self.id,
            "status": self.status,
            "type": self.profile_type,
        })
    }
}

/// Bedrock state of one region.
#[derive(Debug, Clone, Default)]
pub struct BedrockRegion {
    pub models: Vec<SeedModel>,
    /// Keyed by foundation-model id; a model without an entry answers ResourceNotFound.
    pub availability: BTreeMap<String, SeedAvailability>,
    pub profiles: Vec<SeedProfile>,
    /// The `loggingConfig` object of GetModelInvocationLoggingConfiguration; `None`: off.
    pub logging: Option<Value>,
    /// Service Quotas for service code `bedrock` in this region.
    pub quotas: Vec<super::account_server::SeedQuota>,
    /// Guardrails GetGuardrail answers for; any other id answers ResourceNotFound.
    pub guardrails: Vec<SeedGuardrail>,
    /// The account-level enforced guardrail configurations ListEnforcedGuardrailsConfiguration
    /// answers, one per page (`guardrailsConfig` entries as the API reference spells them).
    pub enforced_guardrails: Vec<Value>,
    /// The account's data retention mode here, as GetAccountDataRetention spells it (any
    /// string, so unknown modes can be served); `None`: never set, answered as `inherit`.
    pub data_retention: Option<String>,
}

/// One guardrail version (`DRAFT` is the working draft).
#[derive(Debug, Clone)]
pub struct SeedGuardrail {
    pub id: String,
    pub name: String,
    pub version: String,
    /// CREATING, UPDATING, VERSIONING, READY, FAILED, DELETING.
    pub status: String,
}

impl SeedGuardrail {
    pub fn ready(id: &str, version: &str) -> SeedGuardrail {
        SeedGuardrail {
            id: id.into(),
            name: format!("{id}-name"),
            version: version.into(),
            status: "READY".into(),
        }
    }

    fn arn(&self, region: &str) -> String {
        format!("arn:aws:bedrock:{region}:{ACCOUNT}:guardrail/{}", self.id)
    }

    /// GetGuardrail's body with every field the SDK's deserializer requires.
    fn to_json(&self, region: &str) -> Value {
        json!({
            "name": self.name,
            "guardrailId": self.id,
            "guardrailArn": self.arn(region),
            "version": self.version,
            "status": self.status,
            "createdAt": "2026-01-05T10:00:00Z",
            "updatedAt": "2026-01-06T10:00:00Z",
            "blockedInputMessaging": "Sorry, the model cannot answer this question.",
            "blockedOutputsMessaging": "Sorry, the model cannot answer this question.",
        })
    }
}

impl BedrockRegion {
    /// A region where Claude Sonnet 4.5, Haiku 4.5 and Opus 4.1 are offered, access to all
    /// three is granted, and the `us.` cross-region profiles route to them.
    pub fn claude_ready() -> BedrockRegion {
        let models = vec![
            SeedModel::anthropic(SONNET_4_5, "Claude Sonnet 4.5"),
            SeedModel::anthropic(HAIKU_4_5, "Claude Haiku 4.5"),
            SeedModel::anthropic(OPUS_4_1, "Claude Opus 4.1"),
            SeedModel {
                model_id: "amazon.titan-text-express-v1".into(),
                name: "Titan Text G1 - Express".into(),
                provider: "Amazon".into(),
                inference_types: vec!["ON_DEMAND".into()],
                lifecycle: "ACTIVE".into(),
            },
        ];
        let availability = [SONNET_4_5, HAIKU_4_5, OPUS_4_1]
            .into_iter()
            .map(|id| (id.to_string(), SeedAvailability::authorized()))
            .collect();
        let profiles = [SONNET_4_5, HAIKU_4_5, OPUS_4_1]
            .into_iter()
            .map(|id| SeedProfile::system("us", id, &US_DESTINATIONS))
            .chain([SeedProfile::system("global", SONNET_4_5, &US_DESTINATIONS)])
            .collect();
        BedrockRegion {
            models,
            availability,
            profiles,
            logging: None,
            quotas: super::account_server::SeedQuota::claude_ready(),
            guardrails: Vec::new(),
            enforced_guardrails: Vec::new(),
            data_retention: None,
        }
    }

    /// Turns on model-invocation logging to a CloudWatch log group.
    pub fn with_invocation_logging(mut self, log_group: &str) -> BedrockRegion {
        self.logging = Some(json!({
            "cloudWatchConfig": {
                "logGroupName": log_group,
                "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/BedrockInvocationLogging"),
            },
            "textDataDeliveryEnabled": true,
            "imageDataDeliveryEnabled": false,
            "embeddingDataDeliveryEnabled": false,
        }));
        self
    }
}

#[derive(Debug, Clone)]
pub struct BedrockSeed {
    pub regions: BTreeMap<String, BedrockRegion>,
    /// Page size of ListInferenceProfiles (the smaller of this and `maxResults`); small by
    /// default so every scan exercises pagination.
    pub profile_page_size: usize,
    pub faults: Vec<Fault>,
    /// IAM and Service Quotas state the server answers for (see `account_server`).
    pub account: super::account_server::AccountSeed,
}

impl Default for BedrockSeed {
    fn default() -> Self {
        BedrockSeed {
            regions: BTreeMap::new(),
            profile_page_size: 2,
            faults: Vec::new(),
            account: Default::default(),
        }
    }
}

impl BedrockSeed {
    pub fn claude_ready(regions: &[&str]) -> BedrockSeed {
        BedrockSeed {
            regions: regions
                .iter()
                .map(|r| (r.to_string(), BedrockRegion::claude_ready()))
                .collect(),
            ..BedrockSeed::default()
        }
    }

    pub fn region_mut(&mut self, region: &str) -> &mut BedrockRegion {
        self.regions.entry(region.to_string()).or_default()
    }

    pub fn fault(mut self, operation: BedrockOp, kind: FaultKind) -> BedrockSeed {
        self.faults.push(Fault {
            operation,
            kind,
            region: None,
        });
        self
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct BedrockCall {
    /// The operation name, or `<METHOD> <path>` for anything unknown.
    pub operation: String,
    pub known: bool,
    pub method: String,
    pub path: String,
    pub query: String,
    pub region: String,
    /// The status the server answered.
    pub status: u16,
    /// The SigV4 service (`bedrock`, `iam`, `servicequotas`, …).
    pub service: String,
    /// Passed on to moto (whose own recorder then sees it).
    pub forwarded: bool,
}

struct Shared {
    seed: Mutex<BedrockSeed>,
    calls: Mutex<Vec<BedrockCall>>,
    /// moto, for everything this server does not answer itself.
    upstream: Option<SocketAddr>,
}

pub struct BedrockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BedrockServer {
    /// Serves on a free loopback port from its own thread, so it works from sync and async
    /// tests alike and keeps answering while a test blocks on the scanner process.
    pub fn start(seed: BedrockSeed) -> BedrockServer {
        BedrockServer::serve(seed, None)
    }

    /// One endpoint for the whole account: Bedrock, IAM simulation and API keys, and Bedrock's
    /// Service Quotas answered here, everything else forwarded to moto at `upstream`.
    pub fn in_front_of(seed: BedrockSeed, upstream: SocketAddr) -> BedrockServer {
        BedrockServer::serve(seed, Some(upstream))
    }

    fn serve(seed: BedrockSeed, upstream: Option<SocketAddr>) -> BedrockServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            seed: Mutex::new(seed),
            calls: Mutex::new(Vec::new()),
            upstream,
        });
        let (shutdown, on_shutdown) = tokio::sync::oneshot::channel::<()>();
        let state = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("bedrock test server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = on_shutdown.await;
                    })
                    .await
                    .expect("bedrock test server");
            });
        });
        BedrockServer {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the seeded state of a running server.
    pub fn update(&self, change: impl FnOnce(&mut BedrockSeed)) {
        change(&mut self.shared.seed.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Every request received so far.
    pub fn calls(&self) -> Vec<BedrockCall> {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Returns and forgets the requests received so far.
    pub fn take_calls(&self) -> Vec<BedrockCall> {
        std::mem::take(&mut *self.shared.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for BedrockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (service, region) = super::moto::credential_scope(&authorization);
    if shared.upstream.is_some() && service != "bedrock" {
        return handle_account(&shared, request, service, region).await;
    }
    let params = parse_query(&query);

    let route = route(&method, &path);
    let response = match route {
        Some((operation, ref label)) => {
            let seed = shared
                .seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            answer(&seed, operation, label.as_deref(), &region, &params)
        }
        None => error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            &format!("The Bedrock test server does not serve {method} {path}"),
        ),
    };
    let call = BedrockCall {
        operation: route
            .as_ref()
            .map(|(op, _)| op.name().to_string())
            .unwrap_or_else(|| format!("{method} {path}")),
        known: route.is_some(),
        method: method.to_string(),
        path,
        query,
        region,
        status: response.status().as_u16(),
        service,
        forwarded: false,
    };
    record(&shared, call);
    response
}

fn record(shared: &Shared, call: BedrockCall) {
    shared
        .calls
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(call);
}

/// A request for another service than Bedrock: answered here when it is one of the account
/// operations moto lacks, else forwarded to moto unchanged.
async fn handle_account(
    shared: &Shared,
    request: Request,
    service: String,
    region: String,
) -> Response {
    use super::account_server;
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return error(StatusCode::BAD_REQUEST, "BadRequest", "unreadable body");
    };
    if let Some(operation) = (service == "monitoring")
        .then(|| super::cloudwatch_server::operation(parts.uri.path()))
        .flatten()
    {
        let response = {
            let seed = shared.seed.lock().unwrap_or_else(|e| e.into_inner());
            super::cloudwatch_server::answer(&seed.account.metrics, &region, &parts.headers, &body)
        };
        record(
            shared,
            BedrockCall {
                operation: operation.to_string(),
                known: true,
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().unwrap_or_default().to_string(),
                region,
                status: response.status().as_u16(),
                service,
                forwarded: false,
            },
        );
        return response;
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/".to_string(), |p| p.to_string());
    let route = {
        let seed = shared.seed.lock().unwrap_or_else(|e| e.into_inner());
        account_server::route(&seed.account, &service, &parts.headers, &text)
    };
    let denial = {
        let seed = shared.seed.lock().unwrap_or_else(|e| e.into_inner());
        account_server::s3_denial(
            &seed.account,
            &service,
            &parts.method,
            parts.uri.path(),
            parts.uri.query().unwrap_or_default(),
        )
    };
    let denied_operation = denial.as_ref().map(|(operation, _)| *operation);
    let denied = denied_operation.is_some();
    let response = match (&route, shared.upstream) {
        _ if denied => denial.map_or_else(
            || error(StatusCode::FORBIDDEN, "AccessDenied", "denied"),
            |(_, response)| response,
        ),
        (Some(op), _) => {
            let seed = shared
                .seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            account_server::answer(op, &seed.account, &seed.regions, &region, &text)
        }
        (None, Some(upstream)) => {
            let forwarded = account_server::forward(
                upstream,
                &parts.method,
                &path_and_query,
                &parts.headers,
                &body,
            )
            .await;
            let page_size = shared
                .seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .account
                .list_users_page_size;
            match (
                page_size,
                account_server::list_users_marker(&service, &text),
            ) {
                (Some(size), Some(start)) if forwarded.status().is_success() => {
                    account_server::repage_users(forwarded, start, size).await
                }
                _ if forwarded.status().is_success()
                    && account_server::is_get_bucket_versioning(
                        &service,
                        &parts.method,
                        parts.uri.query().unwrap_or_default(),
                    ) =>
                {
                    account_server::s3_versioning_root(forwarded).await
                }
                _ => forwarded,
            }
        }
        (None, None) => error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "no upstream",
        ),
    };
    let call = BedrockCall {
        operation: denied_operation.map_or_else(
            || account_server::operation_name(&service, &parts.headers, &text),
            str::to_string,
        ),
        known: route.is_some() || denied,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        region,
        status: response.status().as_u16(),
        service,
        forwarded: route.is_none() && !denied,
    };
    record(shared, call);
    response
}

/// The operation a request addresses, with its decoded path label if it has one.
fn route(method: &Method, path: &str) -> Option<(BedrockOp, Option<String>)> {
    if method != Method::GET {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["foundation-models"] => Some((BedrockOp::ListFoundationModels, None)),
        ["foundation-model-availability", id] if !id.is_empty() => Some((
            BedrockOp::GetFoundationModelAvailability,
            Some(percent_decode(id)),
        )),
        ["inference-profiles"] => Some((BedrockOp::ListInferenceProfiles, None)),
        ["inference-profiles", id] if !id.is_empty() => {
            Some((BedrockOp::GetInferenceProfile, Some(percent_decode(id))))
        }
        ["logging", "modelinvocations"] => {
            Some((BedrockOp::GetModelInvocationLoggingConfiguration, None))
        }
        ["guardrails", id] if !id.is_empty() => {
            Some((BedrockOp::GetGuardrail, Some(percent_decode(id))))
        }
        ["enforcedGuardrailsConfiguration"] => {
            Some((BedrockOp::ListEnforcedGuardrailsConfiguration, None))
        }
        ["data-retention"] => Some((BedrockOp::GetAccountDataRetention, None)),
        ["use-case-for-model-access"] => Some((BedrockOp::GetUseCaseForModelAccess, None)),
        _ => None,
    }
}

fn answer(
    seed: &BedrockSeed,
    operation: BedrockOp,
    label: Option<&str>,
    region: &str,
    params: &BTreeMap<String, String>,
) -> Response {
    let fault = seed
        .faults
        .iter()
        .find(|f| f.operation == operation && f.region.as_deref().is_none_or(|r| r == region));
    match fault.map(|f| f.kind) {
        Some(FaultKind::AccessDenied) => {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                &format!(
                    "User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: bedrock:{} because no identity-based policy allows the bedrock:{} action",
                    operation.name(),
                    operation.name()
                ),
            )
        }
        Some(FaultKind::HostileAccessDenied) => {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                &hostile_message(),
            )
        }
        Some(FaultKind::Throttle) => {
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                "ThrottlingException",
                "Too many requests, please wait before trying again.",
            )
        }
        None => {}
    }
    if region.is_empty() {
        return error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    }
    let empty = BedrockRegion::default();
    let state = seed.regions.get(region).unwrap_or(&empty);
    match operation {
        BedrockOp::ListFoundationModels => {
            let wanted_provider = params.get("byProvider");
            let wanted_type = params.get("byInferenceType");
            let summaries: Vec<Value> = state
                .models
                .iter()
                .filter(|m| wanted_provider.is_none_or(|p| m.provider.eq_ignore_ascii_case(p)))
                .filter(|m| wanted_type.is_none_or(|t| m.inference_types.contains(t)))
                .map(|m| m.to_json(region))
                .collect();
            ok(json!({ "modelSummaries": summaries }))
        }
        BedrockOp::GetFoundationModelAvailability => {
            let model_id = label.unwrap_or_default();
            match state.availability.get(model_id) {
                Some(a) => {
                    let mut agreement = json!({ "status": a.agreement });
                    if let Some(message) = &a.agreement_error {
                        agreement["errorMessage"] = json!(message);
                    }
                    ok(json!({
                        "modelId": model_id,
                        "agreementAvailability": agreement,
                        "authorizationStatus": a.authorization,
                        "entitlementAvailability": a.entitlement,
                        "regionAvailability": a.region,
                    }))
                }
                None => error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFoundException",
                    &format!("The model {model_id} does not exist in {region}."),
                ),
            }
        }
        BedrockOp::ListInferenceProfiles => list_inference_profiles(seed, state, region, params),
        BedrockOp::GetInferenceProfile => {
            let wanted = label.unwrap_or_default();
            match state
                .profiles
                .iter()
                .find(|p| p.id == wanted || p.arn(region) == wanted)
            {
                Some(profile) => ok(profile.to_json(region)),
                None => error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFoundException",
                    &format!("Inference profile {wanted} not found."),
                ),
            }
        }
        // GET /data-retention → 200 {"mode": "...", "updatedAt": "<date-time>"} (Bedrock API
        // reference, GetAccountDataRetention; the SDK reads updatedAt as an RFC 3339 date-time,
        // aws-sdk-bedrock 1.166 shape_get_account_data_retention.rs). Per region: the mode of
        // the region the request is signed for (user guide, "Data retention": it does not
        // propagate); a region never configured stays `inherit`.
        // GET /use-case-for-model-access → 200 {"formData": <base64 blob>} (Bedrock API
        // reference, GetUseCaseForModelAccess: "Returns form data from the Anthropic first time
        // user request", a Base64-encoded binary of 10 to 16,384 bytes; aws-sdk-bedrock 1.166
        // reads it with expect_blob_or_null). An account with no form answers the API's only
        // not-found error, 404 ResourceNotFoundException. Account-wide: the same in every region.
        BedrockOp::GetUseCaseForModelAccess => match &seed.account.use_case_form {
            Some(form) => ok(json!({
                "formData": aws_smithy_types::base64::encode(form.as_bytes())
            })),
            None => error(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                "The specified resource ARN was not found. Check the ARN and try your request again.",
            ),
        },
        BedrockOp::GetAccountDataRetention => match &state.data_retention {
            Some(mode) => ok(json!({ "mode": mode, "updatedAt": "2026-10-01T12:00:00Z" })),
            None => ok(json!({ "mode": "inherit" })),
        },
        BedrockOp::GetModelInvocationLoggingConfiguration => match &state.logging {
            Some(config) => ok(json!({ "loggingConfig": config })),
            None => ok(json!({})),
        },
        BedrockOp::GetGuardrail => {
            // By id or ARN; without guardrailVersion the working draft is read.
            let wanted = label.unwrap_or_default();
            let version = params
                .get("guardrailVersion")
                .map_or("DRAFT", String::as_str);
            match state
                .guardrails
                .iter()
                .find(|g| (g.id == wanted || g.arn(region) == wanted) && g.version == version)
            {
                Some(guardrail) => ok(guardrail.to_json(region)),
                None => error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFoundException",
                    &format!("Guardrail {wanted} version {version} was not found."),
                ),
            }
        }
        BedrockOp::ListEnforcedGuardrailsConfiguration => {
            // `GET /enforcedGuardrailsConfiguration?nextToken=…` → `{"guardrailsConfig": [...],
            // "nextToken": …}` (API reference, ListEnforcedGuardrailsConfiguration; REST-JSON
            // shape in aws-sdk-bedrock 1.166). One configuration a page, so pagination is
            // exercised whenever there are two.
            let start = match params.get("nextToken") {
                None => 0,
                Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                    Some(n) => n,
                    None => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "ValidationException",
                            "Invalid nextToken.",
                        )
                    }
                },
            };
            let page: Vec<Value> = state
                .enforced_guardrails
                .iter()
                .skip(start)
                .take(1)
                .cloned()
                .collect();
            let mut body = json!({ "guardrailsConfig": page });
            if start + 1 < state.enforced_guardrails.len() {
                body["nextToken"] = json!(format!("page-{}", start + 1));
            }
            ok(body)
        }
    }
}

fn list_inference_profiles(
    seed: &BedrockSeed,
    state: &BedrockRegion,
    region: &str,
    params: &BTreeMap<String, String>,
) -> Response {
    let max_results = match params.get("maxResults").map(|m| m.parse::<usize>()) {
        None => 1000,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000",
            )
        }
    };
    let start = match params.get("nextToken") {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(offset) => offset,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "ValidationException",
                    "Invalid pagination token.",
                )
            }
        },
    };
    let matching: Vec<&SeedProfile> = state
        .profiles
        .iter()
        .filter(|p| params.get("type").is_none_or(|t| &p.profile_type == t))
        .collect();
    let page_size = max_results.min(seed.profile_page_size.max(1));
    let end = (start + page_size).min(matching.len());
    let page: Vec<Value> = matching
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|p| p.to_json(region))
        .collect();
    let mut body = json!({ "inferenceProfileSummaries": page });
    if end < matching.len() {
        body["nextToken"] = json!(format!("page-{end}"));
    }
    ok(body)
}

fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, body, None)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!({ "message": message }), Some(code))
}

fn json_response(status: StatusCode, body: Value, error_type: Option<&str>) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert(
        "x-amzn-requestid",
        HeaderValue::from_static("00000000-0000-4000-8000-000000000000"),
    );
    if let Some(code) = error_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert("x-amzn-errortype", code);
    }
    response
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match escaped {
            Some(byte) => {
                out.push(byte as u8);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
