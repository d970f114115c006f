//! Reads the live account into a [`Snapshot`]. The only stage that does I/O.
//!
//! Read-only: every call is one of [`operations::OPERATIONS`]. Fail closed: a call that fails
//! is recorded in its section as `Failed`, and one failing service or region never stops the
//! others. Regions, and services within a region, are read concurrently; per-item calls
//! (trails, keys) run at most [`PER_ITEM_CONCURRENCY`] at a time.
//!
//! Retries and timeouts (the SDK's standard retry mode) can be shortened for tests:
//! `BEDROCK_AUDIT_MAX_ATTEMPTS` (default 4), `BEDROCK_AUDIT_INITIAL_BACKOFF_MS` (1000),
//! `BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS` (10000), `BEDROCK_AUDIT_OPERATION_TIMEOUT_MS` (30000);
//! each `_MS` at most [`MAX_TIMEOUT_MS`].

pub mod accounts;
pub mod bedrock;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod ec2;
pub mod error;
pub mod iam;
pub mod iam_roles;
pub mod kms;
pub mod logs;
pub mod operations;
pub mod organizations;
mod paging;
pub use paging::start_scan_clock;
pub mod progress;
pub mod s3;
pub mod servicequotas;
pub mod sts;
pub mod trace;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::ProvideCredentials;
use tokio::sync::{OnceCell, Semaphore};

use crate::access_plan::{
    first_use_request, guardrail_decisions, needed_decisions, simulation_requests, RequestOrigin,
    SimulationRequest,
};
use crate::error::{Error, Result};
use crate::model_ids::{
    find_profile, foundation_model_id, is_inference_profile_id, other_destinations,
};
use crate::profile::Profile;
use crate::snapshot::{
    BedrockApiKeys, Collected, DataRetentionSetting, EnforcedGuardrail, InferenceProfile,
    InvokeSimulation, KmsKey, ModelAvailability, RegionSnapshot, SimulationResult, Snapshot,
};
use crate::untrusted_text::{quoted, MESSAGE_QUOTE_LIMIT};

use self::cloudtrail::TrailDetails;
use self::kms::KeyReference;
use self::progress::Progress;
use self::trace::{CallTracer, TraceSink, TraceTarget};

/// How many per-item calls (one trail, one key) run at once within a region.
pub const PER_ITEM_CONCURRENCY: usize = 8;

/// How to reach AWS, from the command line.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Regions to read; never empty by the time a scan starts.
    pub regions: Vec<String>,
    /// `--profile`: the shared-config profile for credentials.
    pub aws_profile: Option<String>,
    /// `--endpoint-url`: one endpoint for every service (tests, proxies).
    pub endpoint_url: Option<String>,
    /// Told how far the scan has got (`None`: nobody is watching).
    pub progress: Option<Arc<dyn progress::ProgressSink>>,
    /// `--trace-calls FILE`: record every AWS operation the scan makes.
    pub trace_calls: Option<std::path::PathBuf>,
    /// `--claude-settings`: already read and redacted; the scan adds the models and the
    /// guardrail they name, and the snapshot carries them.
    pub claude_settings: Option<crate::snapshot::ClaudeSettings>,
}

/// Retry and timeout bounds, so that nothing hangs and persistent throttling ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// The defaults, overridden by `BEDROCK_AUDIT_*` environment variables.
    pub fn from_env() -> Result<Limits> {
        let defaults = Limits::default();
        let millis = |name: &str, default: Duration| -> Result<Duration> {
            match env_number(name)? {
                None => Ok(default),
                Some(ms) if ms <= MAX_TIMEOUT_MS => Ok(Duration::from_millis(ms)),
                Some(ms) => Err(Error::Input(format!(
                    "{name}={ms}: at most {MAX_TIMEOUT_MS} (ten minutes) is accepted"
                ))),
            }
        };
        let max_attempts = match env_number("BEDROCK_AUDIT_MAX_ATTEMPTS")? {
            None => defaults.max_attempts,
            Some(n @ 1..=10) => n as u32,
            Some(n) => {
                return Err(Error::Input(format!(
                    "BEDROCK_AUDIT_MAX_ATTEMPTS={n}: must be between 1 and 10"
                )))
            }
        };
        Ok(Limits {
            max_attempts,
            initial_backoff: millis("BEDROCK_AUDIT_INITIAL_BACKOFF_MS", defaults.initial_backoff)?,
            attempt_timeout: millis("BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS", defaults.attempt_timeout)?,
            operation_timeout: millis(
                "BEDROCK_AUDIT_OPERATION_TIMEOUT_MS",
                defaults.operation_timeout,
            )?,
        })
    }
}

/// The longest any `BEDROCK_AUDIT_*_MS` setting may be: ten minutes. Longer is a typo, and
/// an unbounded one (2^64 ms) would hang the scan.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

fn env_number(name: &str) -> Result<Option<u64>> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::Input(format!("{name}: not valid UTF-8")))
        }
        Ok(text) if text.trim().is_empty() => Ok(None),
        Ok(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
            Error::Input(format!(
                "{name}=\"{}\": expected a whole number",
                quoted(&text, MESSAGE_QUOTE_LIMIT)
            ))
        }),
    }
}

/// The services whose `AWS_ENDPOINT_URL_<SERVICE>` aws-config reads for the clients the scan
/// builds.
const ENDPOINT_SERVICES: &[&str] = &[
    "STS",
    "BEDROCK",
    "EC2",
    "CLOUDTRAIL",
    "CLOUDWATCH_LOGS",
    "KMS",
    "IAM",
    "SERVICE_QUOTAS",
    "S3",
    "ORGANIZATIONS",
];

/// Checks `--endpoint-url`, `AWS_ENDPOINT_URL` and every `AWS_ENDPOINT_URL_<SERVICE>` the scan
/// would use before any call: a malformed one would otherwise fail every call, each with the
/// SDK's own (unhelpful) error. The message names the flag or variable.
pub fn check_endpoints(flag: Option<&str>) -> Result<()> {
    let bad = |source: &str, value: &str, why: &str| {
        Error::Input(format!(
            "{source} \"{}\": {why} (expected an http:// or https:// URL such as https://bedrock.us-east-1.amazonaws.com)",
            quoted(value, MESSAGE_QUOTE_LIMIT)
        ))
    };
    if let Some(url) = flag {
        check_endpoint_url(url).map_err(|why| bad("--endpoint-url", url, why))?;
    }
    let variables = std::iter::once("AWS_ENDPOINT_URL".to_string()).chain(
        ENDPOINT_SERVICES
            .iter()
            .map(|s| format!("AWS_ENDPOINT_URL_{s}")),
    );
    for name in variables {
        match std::env::var(&name) {
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::Input(format!("{name}: not valid UTF-8")))
            }
            Ok(value) if value.is_empty() => {}
            Ok(value) => check_endpoint_url(&value).map_err(|why| bad(&name, &value, why))?,
        }
    }
    Ok(())
}

/// Why `url` is not an endpoint the SDK can send to, if it is not.
pub fn check_endpoint_url(url: &str) -> std::result::Result<(), &'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("spaces or control characters are not allowed");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("not an http:// or https:// URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("credentials in the URL are not allowed");
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or("unclosed [ in the host")?;
        if inside.is_empty()
            || !inside
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("not an IPv6 address in [ ]");
        }
        (inside, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("no host");
    }
    if !authority.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err("the host may hold only letters, digits, '-', '_' and '.'");
    }
    if let Some(port) = port {
        if !port.parse::<u16>().is_ok_and(|p| p != 0) {
            return Err("the port must be a number from 1 to 65535");
        }
    }
    Ok(())
}

type Memo<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// What every collector shares during one scan.
pub struct Scan {
    base: SdkConfig,
    trace: Option<TraceTarget>,
    progress: Progress,
    /// A multi-region trail shows in every region; ask about it once.
    trail_details: Memo<(String, String), TrailDetails>,
    /// A key used in several regions' resources is described once.
    kms_keys: Memo<(String, String), Collected<KmsKey>>,
    /// Model access per (region, model): a target region is often another target's
    /// cross-region destination too.
    availability: Memo<(String, String), Collected<ModelAvailability>>,
    /// A simulation asked by several target regions (a shared destination) is made once.
    simulations: Memo<SimulationRequest, Collected<Vec<SimulationResult>>>,
    /// The data retention mode per region: a target region is often another's destination.
    data_retention: Memo<String, Collected<DataRetentionSetting>>,
    /// IAM is one global service with one set of rate limits: per-user and per-simulation
    /// calls from every region share these permits.
    iam_permits: Semaphore,
    /// The region IAM's (global) client is built for.
    home_region: String,
}

/// Builds a client for one service and region, with the call tracer when tracing.
macro_rules! client_for {
    ($scan:expr, $krate:ident, $service:literal, $region:expr) => {{
        let config = $scan.config_for($region);
        let mut builder = $krate::config::Builder::from(&config);
        if let Some(target) = &$scan.trace {
            builder = builder.interceptor(CallTracer::new($service, $region, target.clone()));
        }
        $krate::Client::from_conf(builder.build())
    }};
}

impl Scan {
    fn config_for(&self, region: &str) -> SdkConfig {
        // Derived from one base config, so every region shares the credential cache.
        self.base
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    pub fn sts(&self, region: &str) -> aws_sdk_sts::Client {
        client_for!(self, aws_sdk_sts, "sts", region)
    }
    pub fn bedrock(&self, region: &str) -> aws_sdk_bedrock::Client {
        client_for!(self, aws_sdk_bedrock, "bedrock", region)
    }
    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        client_for!(self, aws_sdk_ec2, "ec2", region)
    }
    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        client_for!(self, aws_sdk_cloudtrail, "cloudtrail", region)
    }
    pub fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        client_for!(self, aws_sdk_cloudwatch, "cloudwatch", region)
    }
    pub fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        client_for!(self, aws_sdk_cloudwatchlogs, "logs", region)
    }
    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        client_for!(self, aws_sdk_kms, "kms", region)
    }
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        client_for!(
            self,
            aws_sdk_organizations,
            "organizations",
            &self.home_region
        )
    }
    pub fn iam(&self) -> aws_sdk_iam::Client {
        client_for!(self, aws_sdk_iam, "iam", &self.home_region)
    }
    pub fn servicequotas(&self, region: &str) -> aws_sdk_servicequotas::Client {
        client_for!(self, aws_sdk_servicequotas, "servicequotas", region)
    }
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        client_for!(self, aws_sdk_s3, "s3", region)
    }

    async fn simulation(&self, request: SimulationRequest) -> Collected<Vec<SimulationResult>> {
        let memo_key = request.clone();
        memoised(&self.simulations, memo_key, || async {
            let _permit = self.iam_permits.acquire().await;
            iam::simulate(&self.iam(), &request).await
        })
        .await
    }

    async fn trail_details<F, Fut>(&self, region: &str, trail: &str, read: F) -> TrailDetails
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = TrailDetails>,
    {
        memoised(
            &self.trail_details,
            (region.to_string(), trail.to_string()),
            read,
        )
        .await
    }

    async fn model_availability(&self, region: &str, model: &str) -> Collected<ModelAvailability> {
        memoised(
            &self.availability,
            (region.to_string(), model.to_string()),
            || async { bedrock::availability(&self.bedrock(region), model).await },
        )
        .await
    }

    async fn data_retention(&self, region: &str) -> Collected<DataRetentionSetting> {
        memoised(&self.data_retention, region.to_string(), || async {
            bedrock::data_retention(&self.bedrock(region)).await
        })
        .await
    }

    async fn kms_key<F, Fut>(&self, region: &str, reference: &str, read: F) -> Collected<KmsKey>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Collected<KmsKey>>,
    {
        memoised(
            &self.kms_keys,
            (region.to_string(), reference.to_string()),
            read,
        )
        .await
    }
}

/// Runs `read` once per key across the whole scan; later callers get the same answer.
async fn memoised<K, V, F, Fut>(memo: &Memo<K, V>, key: K, read: F) -> V
where
    K: Eq + Hash,
    V: Clone,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V>,
{
    let cell = {
        let mut cells = memo.lock().unwrap_or_else(|e| e.into_inner());
        cells.entry(key).or_default().clone()
    };
    cell.get_or_init(read).await.clone()
}

/// Loads the shared SDK configuration the standard way: environment, shared config files,
/// `--profile`, `--endpoint-url` (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are read by
/// aws-config itself).
pub(crate) async fn load_base_config(
    options: &ScanOptions,
    region: &str,
    limits: Limits,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(limits.max_attempts)
                .with_initial_backoff(limits.initial_backoff)
                .with_max_backoff(Duration::from_secs(8)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(limits.attempt_timeout)
                .operation_timeout(limits.operation_timeout)
                .build(),
        );
    if let Some(profile) = &options.aws_profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.http_client(shared_https_client()).load().await
}

/// The SDK's default HTTPS client (rustls with aws-lc, proxies from `HTTPS_PROXY` /
/// `NO_PROXY`), made once and shared. Left unset, every service client the scan builds (one
/// per service, region and collector) makes its own, and each loads and parses the system's
/// root certificates again: most of a small scan's heap (BENCHMARKS.md, Where the memory goes).
fn shared_https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// Refuses to scan without credentials: every call would fail, and the report would be noise.
pub(crate) async fn check_credentials(
    config: &SdkConfig,
    options: &ScanOptions,
    limits: Limits,
) -> Result<()> {
    let hint = match &options.aws_profile {
        Some(profile) => format!(
            "check that the AWS profile {profile:?} (--profile) exists in ~/.aws/config or ~/.aws/credentials and has credentials"
        ),
        None => {
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass --profile"
                .to_string()
        }
    };
    let Some(provider) = config.credentials_provider() else {
        return Err(Error::Environment(format!(
            "no AWS credentials are configured: {hint}"
        )));
    };
    match tokio::time::timeout(limits.operation_timeout, provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => {
            // The chain lists every provider it tried; the first line is the useful part,
            // unless it only says that no provider applied.
            let chain = self::error::error_chain(&err);
            let first_line = chain.lines().next().unwrap_or_default();
            let detail = if first_line.starts_with("the credential provider was not enabled") {
                String::new()
            } else {
                format!(" ({})", first_line.trim_end_matches(':'))
            };
            Err(Error::Environment(format!(
                "no AWS credentials found{detail}: {hint}"
            )))
        }
        Err(_) => Err(Error::Environment(format!(
            "timed out looking for AWS credentials: {hint}"
        ))),
    }
}

/// The region clients are first built for; a scan needs at least one.
pub(crate) fn first_region(options: &ScanOptions) -> Result<&String> {
    options.regions.first().ok_or_else(|| {
        Error::Environment(
            "no AWS region to scan: pass --region, set AWS_REGION, or name [rollout] regions in the profile".to_string(),
        )
    })
}

/// Reads every region in `options.regions` into a snapshot.
pub async fn collect(options: &ScanOptions, profile: &Profile) -> Result<Snapshot> {
    let first_region = first_region(options)?;
    let limits = Limits::from_env()?;
    let base = load_base_config(options, first_region, limits).await;
    check_credentials(&base, options, limits).await?;
    let sink = options
        .trace_calls
        .as_ref()
        .map(|_| Arc::new(TraceSink::default()));
    let target = sink.clone().map(|sink| TraceTarget {
        sink,
        account: None,
    });
    let snapshot = collect_with(options, profile, base, target).await?;
    write_trace(options, sink.as_deref())?;
    Ok(snapshot)
}

/// `--trace-calls FILE`: the calls recorded, once the scan has ended.
pub(crate) fn write_trace(options: &ScanOptions, sink: Option<&TraceSink>) -> Result<()> {
    if let (Some(path), Some(sink)) = (&options.trace_calls, sink) {
        crate::output_file::write_file("--trace-calls", path, sink.to_json_lines().as_bytes())?;
    }
    Ok(())
}

/// Reads every region in `options.regions` with the credentials of `base`, recording its
/// calls in `trace` when given.
pub async fn collect_with(
    options: &ScanOptions,
    profile: &Profile,
    base: SdkConfig,
    trace: Option<TraceTarget>,
) -> Result<Snapshot> {
    let first_region = first_region(options)?;
    let started_at = now_rfc3339();
    let scan = Scan {
        base,
        trace,
        progress: Progress::new(options.progress.clone(), options.regions.len()),
        trail_details: Mutex::default(),
        kms_keys: Mutex::default(),
        availability: Mutex::default(),
        simulations: Mutex::default(),
        data_retention: Mutex::default(),
        iam_permits: Semaphore::new(PER_ITEM_CONCURRENCY),
        home_region: first_region.clone(),
    };
    let needs = options
        .claude_settings
        .as_ref()
        .map(crate::claude_code::settings::scan_needs)
        .unwrap_or_default();
    let mut models = models_to_check(profile);
    // Every model Claude Code will call (aliases, defaults and pins resolved), besides the raw
    // settings values, so the rules find each one's availability and simulated decisions.
    let resolved: Vec<String> =
        crate::claude_code::models::resolve(options.claude_settings.as_ref(), profile)
            .models
            .into_iter()
            .map(|m| m.model_id)
            .collect();
    models.extend(
        needs
            .models
            .iter()
            .chain(&resolved)
            .map(|id| foundation_model_id(id))
            .filter(|id| id.contains('.'))
            .map(str::to_string),
    );
    let mut configured = vec![
        profile.rollout.primary_model.clone(),
        profile.rollout.fast_model.clone(),
    ];
    for id in needs.models.iter().chain(&resolved) {
        // An alias or a `[1m]` value is not an id Bedrock sees; its resolution is in `resolved`.
        let is_id = id.contains('.') && !id.contains('[');
        if is_id && !configured.contains(id) {
            configured.push(id.clone());
        }
    }

    let principals = &profile.access.developer_principals;

    let identity = async {
        let _step = scan.progress.step(first_region, "sts");
        sts::caller_identity(&scan.sts(first_region)).await
    };
    let api_keys = async {
        let _step = scan.progress.step(first_region, "iam");
        bedrock_api_keys(&scan).await
    };
    // The organisation's Bedrock policy: read once, awaited by every region before its
    // simulations (its guardrails need bedrock:ApplyGuardrail decisions there too).
    let bedrock_policy = {
        use futures::FutureExt;
        let client = scan.organizations();
        async move { organizations::effective_bedrock_policy(&client).await }
            .boxed()
            .shared()
    };
    let regions = futures::future::join_all(options.regions.iter().map(|region| {
        collect_region(
            &scan,
            region,
            &models,
            &configured,
            principals,
            profile.network.private_only,
            bedrock_policy.clone(),
        )
    }));
    // Only guardrails the settings name, and only in a region being scanned.
    let guardrails = futures::future::join_all(
        needs
            .guardrails
            .iter()
            .filter(|(region, _, _)| options.regions.contains(region))
            .map(|(region, identifier, version)| {
                let scan = &scan;
                async move {
                    crate::snapshot::GuardrailRead {
                        region: region.clone(),
                        identifier: identifier.clone(),
                        version: version.clone(),
                        guardrail: bedrock::guardrail(
                            &scan.bedrock(region),
                            identifier,
                            version.as_deref(),
                        )
                        .await,
                    }
                }
            }),
    );
    let organizations_client = scan.organizations();
    let organization_id = organizations::organization_id(&organizations_client);
    let use_case = async {
        let _step = scan.progress.step(first_region, "bedrock");
        bedrock::use_case_form(&scan.bedrock(first_region)).await
    };
    let (identity, api_keys, regions, guardrails, organization_id, anthropic_use_case) = tokio::join!(
        identity,
        api_keys,
        regions,
        guardrails,
        organization_id,
        use_case
    );
    // Only an account in an organisation has SCPs; the account id comes from the identity.
    let data_retention_scps = match (organization_id.data(), identity.data()) {
        (Some(None), _) => Some(Collected::ok(Vec::new())),
        (Some(Some(_)), Some(identity)) => {
            Some(organizations::data_retention_scps(&organizations_client, &identity.account).await)
        }
        _ => None,
    };
    scan.progress.finish();
    let claude_settings =
        options
            .claude_settings
            .clone()
            .map(|settings| crate::snapshot::ClaudeSettings {
                guardrails,
                ..settings
            });

    Ok(Snapshot {
        collected_by: format!("bedrock-audit {}", env!("CARGO_PKG_VERSION")),
        started_at,
        finished_at: now_rfc3339(),
        identity,
        regions,
        bedrock_api_keys: Some(api_keys),
        claude_settings,
        organization_id: Some(organization_id),
        data_retention_scps,
        anthropic_use_case: Some(anthropic_use_case),
        bedrock_policy: Some(bedrock_policy.await),
    })
}

/// Every IAM user's Bedrock API keys, at most [`PER_ITEM_CONCURRENCY`] users at a time.
async fn bedrock_api_keys(scan: &Scan) -> Collected<BedrockApiKeys> {
    use futures::StreamExt;
    let client = scan.iam();
    let users = match iam::user_names(&client).await {
        Collected::Ok { data } => data,
        Collected::Failed { error } => return Collected::failed(error),
    };
    let answers: Vec<_> = futures::stream::iter(&users)
        .map(|user| {
            let client = &client;
            async move {
                let _permit = scan.iam_permits.acquire().await;
                iam::api_keys_of(client, user).await
            }
        })
        .buffer_unordered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    let mut found = BedrockApiKeys {
        users_checked: users.len(),
        keys: Vec::new(),
        unreadable: Vec::new(),
    };
    for answer in answers {
        match answer {
            Ok(keys) => found.keys.extend(keys),
            Err(user) => found.unreadable.push(user),
        }
    }
    // Answers arrive in completion order; the snapshot should not depend on timing.
    found
        .keys
        .sort_by(|a, b| (&a.user_name, &a.credential_id).cmp(&(&b.user_name, &b.credential_id)));
    found
        .unreadable
        .sort_by(|a, b| a.user_name.cmp(&b.user_name));
    Collected::ok(found)
}

/// The simulations `developer-invoke-permissions` needs in `region`, grouped into as few calls
/// as the per-call context allows (see [`simulation_requests`]). A model whose decisions cannot
/// be planned (its profile is not listed) is not simulated; the rule reports why. With
/// `origins`, every call is made once per origin (each bedrock-runtime endpoint requests may
/// arrive through).
// The scan, the region and each section the plan is made from: grouping them would only rename
// the same inputs.
#[allow(clippy::too_many_arguments)]
async fn invoke_simulations(
    scan: &Scan,
    region: &str,
    configured: &[String],
    principals: &[String],
    profiles: &Collected<Vec<InferenceProfile>>,
    origins: &[RequestOrigin],
    enforced: &Collected<Vec<EnforcedGuardrail>>,
    organization_guardrails: &[String],
    availability: &BTreeMap<String, Collected<ModelAvailability>>,
) -> Vec<InvokeSimulation> {
    use futures::StreamExt;
    let profiles = profiles.data().map(Vec::as_slice).unwrap_or_default();
    let mut needed: Vec<_> = configured
        .iter()
        .filter_map(|model| needed_decisions(region, model, profiles).ok())
        .flatten()
        .collect();
    // Every enforced guardrail is asked about, whichever models it applies to: the rule
    // decides which ones matter.
    let guardrails: Vec<String> = enforced
        .data()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|config| config.guardrail_arn.clone())
        .chain(organization_guardrails.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    needed.extend(guardrail_decisions(region, &guardrails));
    if needed.is_empty() {
        return Vec::new();
    }
    let origins: Vec<Option<&RequestOrigin>> = if origins.is_empty() {
        vec![None]
    } else {
        origins.iter().map(Some).collect()
    };
    // A model whose agreement is not in place is subscribed on its first invocation: ask who
    // can complete it.
    let first_use = availability.values().any(|answer| {
        answer
            .data()
            .is_some_and(|a| !a.agreement_status.eq_ignore_ascii_case("AVAILABLE"))
    });
    let needed = needed.as_slice();
    let requests: Vec<SimulationRequest> = principals
        .iter()
        .flat_map(|principal| {
            origins.iter().flat_map(move |origin| {
                let mut calls = simulation_requests(principal, needed, *origin);
                if first_use {
                    calls.push(first_use_request(principal, region, *origin));
                }
                calls
            })
        })
        .collect();
    let mut simulations: Vec<InvokeSimulation> = futures::stream::iter(requests)
        .map(|request| async move {
            let results = scan.simulation(request.clone()).await;
            InvokeSimulation {
                context: request.extra_context(),
                principal: request.principal,
                requested_region: request.requested_region,
                inference_profile_arn: request.inference_profile_arn,
                action_names: request.actions,
                resource_arns: request.resources,
                results,
            }
        })
        .buffer_unordered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    simulations.sort_by(|a, b| {
        (
            &a.principal,
            &a.requested_region,
            &a.inference_profile_arn,
            &a.context,
        )
            .cmp(&(
                &b.principal,
                &b.requested_region,
                &b.inference_profile_arn,
                &b.context,
            ))
    });
    simulations
}

/// The origins developers' requests arrive from when the profile says they come through the
/// network's bedrock-runtime endpoints (`[network] private_only = true`): each available
/// interface endpoint for `com.amazonaws.<region>.bedrock-runtime`, with its VPC. None when the
/// profile does not say so or no endpoint was read: the simulations then carry no
/// `aws:SourceVpce`, and a decision that turns on it is reported as undecidable.
fn request_origins(
    region: &str,
    private_only: bool,
    endpoints: &Collected<Vec<crate::snapshot::VpcEndpoint>>,
) -> Vec<RequestOrigin> {
    if !private_only {
        return Vec::new();
    }
    let runtime = format!("com.amazonaws.{region}.bedrock-runtime");
    endpoints
        .data()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|e| {
            e.service_name == runtime
                && e.endpoint_type.eq_ignore_ascii_case("Interface")
                && e.state.eq_ignore_ascii_case("available")
        })
        .map(|e| RequestOrigin {
            vpc_endpoint_id: e.endpoint_id.clone(),
            vpc_id: e.vpc_id.clone(),
        })
        .collect()
}

/// Each developer principal's InvokeModel on the configured models' source-region resources,
/// simulated from outside the private path (`bedrock-private-network`, "enforced or merely
/// available"). One call per principal; not memoised with the ordinary simulations, whose
/// context differs.
async fn outside_origin_simulations(
    scan: &Scan,
    region: &str,
    configured: &[String],
    principals: &[String],
    profiles: &Collected<Vec<InferenceProfile>>,
) -> Vec<InvokeSimulation> {
    let profiles = profiles.data().map(Vec::as_slice).unwrap_or_default();
    let needed: Vec<_> = configured
        .iter()
        .filter_map(|model| needed_decisions(region, model, profiles).ok())
        .flatten()
        .filter(|d| d.requested_region == region && d.action == crate::access_plan::INVOKE_MODEL)
        .collect();
    let client = scan.iam();
    let mut simulations = Vec::new();
    for request in principals
        .iter()
        .flat_map(|principal| simulation_requests(principal, &needed, None))
    {
        let results = iam::simulate_outside_origin(&client, &request).await;
        let mut context = request.extra_context();
        context.insert(
            "aws:SourceIp".to_string(),
            crate::access_plan::OUTSIDE_SOURCE_IP.to_string(),
        );
        simulations.push(InvokeSimulation {
            context,
            principal: request.principal,
            requested_region: request.requested_region,
            inference_profile_arn: request.inference_profile_arn,
            action_names: request.actions,
            resource_arns: request.resources,
            results,
        });
    }
    simulations
}

/// The foundation models the profile's primary and fast models route to. An application
/// inference profile's ARN names no model, so it is not asked about.
fn models_to_check(profile: &Profile) -> BTreeSet<String> {
    [&profile.rollout.primary_model, &profile.rollout.fast_model]
        .into_iter()
        .map(|id| foundation_model_id(id))
        .filter(|id| id.contains('.'))
        .map(str::to_string)
        .collect()
}

/// The foundation models in `region` that the configured application inference profiles
/// invoke, by the account's profile list (`ListInferenceProfiles` gives each profile's
/// `models[]`).
fn application_profile_models(
    region: &str,
    configured: &[String],
    profiles: &Collected<Vec<InferenceProfile>>,
) -> BTreeSet<String> {
    let profiles = profiles.data().map(Vec::as_slice).unwrap_or_default();
    configured
        .iter()
        .filter(|id| id.contains(":application-inference-profile/"))
        .filter_map(|id| find_profile(profiles, id))
        .flat_map(|profile| profile.model_arns.iter())
        .filter_map(|arn| crate::model_ids::foundation_model_location(arn))
        .filter(|(destination, _)| *destination == region)
        .map(|(_, model)| model.to_string())
        .collect()
}

async fn collect_region(
    scan: &Scan,
    region: &str,
    models: &BTreeSet<String>,
    configured: &[String],
    principals: &[String],
    private_only: bool,
    bedrock_policy: futures::future::Shared<
        futures::future::BoxFuture<'static, Collected<Option<String>>>,
    >,
) -> RegionSnapshot {
    let bedrock = async {
        let _step = scan.progress.step(region, "bedrock");
        let availability = futures::future::join_all(models.iter().map(|model| async move {
            (model.clone(), scan.model_availability(region, model).await)
        }));
        let client = scan.bedrock(region);
        let (sections, availability) = tokio::join!(bedrock::collect(&client), availability);
        // An application inference profile's ARN names no model: the listing says which one
        // it invokes here, and that model's access is read too.
        let backing = application_profile_models(region, configured, &sections.inference_profiles)
            .into_iter()
            .filter(|model| !models.contains(model));
        let backing_availability = futures::future::join_all(backing.map(|model| async move {
            let answer = scan.model_availability(region, &model).await;
            (model, answer)
        }))
        .await;
        let availability = availability.into_iter().chain(backing_availability);
        let (destinations, enforced_guardrails, data_retention) = tokio::join!(
            destination_availability(scan, region, configured, &sections.inference_profiles),
            bedrock::enforced_guardrails(&client),
            data_retention(scan, region, configured, &sections.inference_profiles),
        );
        (
            sections,
            availability.into_iter().collect(),
            destinations,
            enforced_guardrails,
            data_retention,
        )
    };
    let quotas = async {
        let _step = scan.progress.step(region, "servicequotas");
        servicequotas::bedrock_quotas(&scan.servicequotas(region)).await
    };
    let history = async {
        let _step = scan.progress.step(region, "cloudwatch");
        cloudwatch::bedrock_invocation_history(
            &scan.cloudwatch(region),
            configured,
            chrono::Utc::now().timestamp(),
        )
        .await
    };
    let ec2 = async {
        let _step = scan.progress.step(region, "ec2");
        ec2::collect(&scan.ec2(region), region).await
    };
    let trails = async {
        let _step = scan.progress.step(region, "cloudtrail");
        cloudtrail::collect(scan, region).await
    };
    let log_groups = async {
        let _step = scan.progress.step(region, "logs");
        logs::collect(&scan.logs(region)).await
    };
    let (
        (
            bedrock,
            model_availability,
            destination_availability,
            enforced_guardrails,
            data_retention,
        ),
        ec2,
        trails,
        log_groups,
        service_quotas,
        invocation_history,
    ) = tokio::join!(bedrock, ec2, trails, log_groups, quotas, history);
    // The request context can name the VPC endpoint only once the endpoints are read.
    let origins = request_origins(region, private_only, &ec2.vpc_endpoints);
    // Guardrails the organisation's Bedrock policy enforces here (an unreadable policy adds
    // none: the rule reports it).
    let organization_guardrails: Vec<String> = match bedrock_policy.await.data() {
        Some(Some(content)) => crate::bedrock_policy::guardrails_in(content, region)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|config| config.guardrail_arn)
            .collect(),
        _ => Vec::new(),
    };
    let invoke_simulations = async {
        let _step = scan.progress.step(region, "iam");
        invoke_simulations(
            scan,
            region,
            configured,
            principals,
            &bedrock.inference_profiles,
            &origins,
            &enforced_guardrails,
            &organization_guardrails,
            &model_availability,
        )
        .await
    };

    // Only the bucket the logging configuration names, read alongside the keys.
    let logging_bucket = bedrock
        .invocation_logging
        .data()
        .and_then(Option::as_ref)
        .and_then(|config| config.s3_bucket.clone());
    let large_data_bucket = bedrock
        .invocation_logging
        .data()
        .and_then(Option::as_ref)
        .and_then(|config| config.large_data_delivery.as_ref())
        .and_then(|delivery| delivery.bucket.clone());
    let read_bucket = |bucket: Option<String>| async move {
        match bucket {
            Some(bucket) => {
                let _step = scan.progress.step(region, "s3");
                Some(s3::bucket_posture(&scan.s3(region), &bucket).await)
            }
            None => None,
        }
    };
    let invocation_log_buckets = async {
        tokio::join!(
            read_bucket(logging_bucket.clone()),
            read_bucket(large_data_bucket.clone())
        )
    };
    let kms_keys = async {
        let _step = scan.progress.step(region, "kms");
        kms::collect(scan, key_references(region, &trails, &log_groups)).await
    };
    let logging_role = bedrock
        .invocation_logging
        .data()
        .and_then(Option::as_ref)
        .filter(|config| config.cloudwatch_log_group.is_some())
        .and_then(|config| config.cloudwatch_role_arn.clone());
    let invocation_log_role = async {
        match &logging_role {
            Some(arn) => {
                let _step = scan.progress.step(region, "iam");
                let _permit = scan.iam_permits.acquire().await;
                Some(iam_roles::role(&scan.iam(), arn).await)
            }
            None => None,
        }
    };
    let (
        (invocation_log_bucket, large_data_log_bucket),
        mut kms_keys,
        invocation_log_role,
        invoke_simulations,
    ) = tokio::join!(
        invocation_log_buckets,
        kms_keys,
        invocation_log_role,
        invoke_simulations
    );
    // The buckets' keys are known only once their encryption is read: described after it.
    let bucket_keys: BTreeSet<&str> = invocation_log_bucket
        .iter()
        .chain(large_data_log_bucket.iter())
        .filter_map(|posture| posture.encryption.data())
        .flatten()
        .flatten()
        .filter_map(|rule| rule.kms_master_key_id.as_deref())
        .filter(|key| !kms_keys.contains_key(*key))
        .collect();
    // Both buckets may name the same key: described once.
    let bucket_keys: Vec<KeyReference> = bucket_keys
        .into_iter()
        .map(|key| KeyReference::new(key, region))
        .collect();
    if !bucket_keys.is_empty() {
        let _step = scan.progress.step(region, "kms");
        kms_keys.extend(kms::collect(scan, bucket_keys).await);
    }
    let outside_origin_simulations = if private_only {
        Some(
            outside_origin_simulations(
                scan,
                region,
                configured,
                principals,
                &bedrock.inference_profiles,
            )
            .await,
        )
    } else {
        None
    };
    RegionSnapshot {
        region: region.to_string(),
        foundation_models: bedrock.foundation_models,
        model_availability,
        destination_availability,
        inference_profiles: bedrock.inference_profiles,
        invocation_logging: bedrock.invocation_logging,
        vpcs: ec2.vpcs,
        vpc_endpoints: ec2.vpc_endpoints,
        vpc_endpoint_services: ec2.vpc_endpoint_services,
        security_groups: ec2.security_groups,
        subnets: Some(ec2.subnets),
        prefix_lists: ec2.prefix_lists,
        invocation_log_bucket,
        large_data_log_bucket,
        invocation_log_role,
        trails,
        log_groups,
        kms_keys,
        invoke_simulations,
        outside_origin_simulations,
        service_quotas: Some(service_quotas),
        enforced_guardrails: Some(enforced_guardrails),
        data_retention: Some(data_retention),
        invocation_history: Some(invocation_history),
    }
}

/// The data retention mode in `region` and in every other region the configured cross-region
/// profiles route to: each region's mode governs the requests served there (Bedrock user
/// guide, "Data retention": the setting is per Region and does not propagate).
async fn data_retention(
    scan: &Scan,
    region: &str,
    configured: &[String],
    profiles: &Collected<Vec<InferenceProfile>>,
) -> BTreeMap<String, Collected<DataRetentionSetting>> {
    let mut regions = BTreeSet::from([region.to_string()]);
    if let Some(profiles) = profiles.data() {
        regions.extend(
            configured
                .iter()
                .filter(|id| is_inference_profile_id(id))
                .filter_map(|id| find_profile(profiles, id))
                .flat_map(|profile| other_destinations(profile, region))
                .map(|(destination, _)| destination.to_string()),
        );
    }
    futures::future::join_all(regions.into_iter().map(|serving| async move {
        let mode = scan.data_retention(&serving).await;
        (serving, mode)
    }))
    .await
    .into_iter()
    .collect()
}

/// Model access in the other regions the configured cross-region profiles route to. Nothing
/// when the profiles could not be listed: the rule then reports the destinations as unknown.
async fn destination_availability(
    scan: &Scan,
    region: &str,
    configured: &[String],
    profiles: &Collected<Vec<InferenceProfile>>,
) -> BTreeMap<String, BTreeMap<String, Collected<ModelAvailability>>> {
    let Some(profiles) = profiles.data() else {
        return BTreeMap::new();
    };
    let wanted: BTreeSet<(String, String)> = configured
        .iter()
        .filter(|id| is_inference_profile_id(id))
        .filter_map(|id| find_profile(profiles, id))
        .flat_map(|profile| other_destinations(profile, region))
        .map(|(destination, model)| (destination.to_string(), model.to_string()))
        .collect();
    use futures::StreamExt;
    let answers: Vec<_> = futures::stream::iter(wanted)
        .map(|(destination, model)| async move {
            let answer = scan.model_availability(&destination, &model).await;
            (destination, model, answer)
        })
        .buffer_unordered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    let mut by_region: BTreeMap<String, BTreeMap<String, Collected<ModelAvailability>>> =
        BTreeMap::new();
    for (destination, model, answer) in answers {
        by_region
            .entry(destination)
            .or_default()
            .insert(model, answer);
    }
    by_region
}

/// Keys referenced by trails and log groups, once each. (The invocation-logging config names
/// a log group, whose key is among the log groups'; its bucket's key is added once read.)
fn key_references(
    region: &str,
    trails: &Collected<Vec<crate::snapshot::Trail>>,
    log_groups: &Collected<Vec<crate::snapshot::LogGroup>>,
) -> Vec<KeyReference> {
    let mut references: BTreeMap<String, KeyReference> = BTreeMap::new();
    for trail in trails.data().into_iter().flatten() {
        if let Some(key) = &trail.kms_key_id {
            // A bare key id lives in the trail's home region.
            references
                .entry(key.clone())
                .or_insert_with(|| KeyReference::new(key, &trail.home_region));
        }
    }
    for group in log_groups.data().into_iter().flatten() {
        if let Some(key) = &group.kms_key_id {
            references
                .entry(key.clone())
                .or_insert_with(|| KeyReference::new(key, region));
        }
    }
    references.into_values().collect()
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The region the SDK would use on its own (AWS_REGION, the shared-config profile, IMDS).
pub async fn sdk_default_region(aws_profile: Option<&str>) -> Option<String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = aws_profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await.region().map(|r| r.to_string())
}

#[cfg(test)]
mod tests {
    use super::{application_profile_models, check_endpoint_url};
    use crate::snapshot::{Collected, InferenceProfile};

    /// Issue 21: an application-inference-profile ARN in the settings names no model; the
    /// model it invokes in the region is read from the account's profile list, so its access
    /// is collected (it was reported "not collected" before).
    #[test]
    fn an_application_profile_adds_the_model_it_invokes_in_the_region() {
        let arn = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/team0";
        let profiles = Collected::ok(vec![InferenceProfile {
            id: "team0".into(),
            arn: arn.into(),
            name: "team".into(),
            status: "ACTIVE".into(),
            profile_type: "APPLICATION".into(),
            model_arns: vec![
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
                "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
            ],
        }]);
        let configured = vec![
            arn.to_string(),
            "us.anthropic.claude-haiku-4-5-20251001-v1:0".to_string(),
        ];
        let models: Vec<String> = application_profile_models("us-east-1", &configured, &profiles)
            .into_iter()
            .collect();
        assert_eq!(models, ["anthropic.claude-sonnet-4-5-20250929-v1:0"]);
        // Not listed (or the listing unread): nothing to add, and bedrock-model-access says
        // the model's access was not collected.
        assert!(
            application_profile_models("us-east-1", &configured, &Collected::ok(Vec::new()))
                .is_empty()
        );
    }

    #[test]
    fn endpoint_urls_are_checked() {
        for good in [
            "http://127.0.0.1:5000",
            "https://bedrock.us-east-1.amazonaws.com",
            "http://localhost:8080/prefix",
            "http://[::1]:9000",
        ] {
            assert_eq!(check_endpoint_url(good), Ok(()), "{good}");
        }
        for bad in [
            "not a url",
            "ftp://example.com",
            "http://",
            "http://:80",
            "http://host:99999",
            "http://host:port",
            "http://user:pw@host",
            "http://ho st",
            "127.0.0.1:5000",
            "http://[::1",
            "http://exa\u{1b}mple",
        ] {
            assert!(check_endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
