//! `claude-code-settings`: the Claude Code configuration IT pushes (the `--claude-settings`
//! files, merged in Claude Code's precedence) points at what the account offers: Bedrock is on,
//! `AWS_REGION` is a scanned region, every pinned model is an ACTIVE inference profile there
//! whose model passes `bedrock-model-access`, the fast model is pinned (and not through the
//! deprecated `ANTHROPIC_SMALL_FAST_MODEL`), a custom base URL is HTTPS and the region's
//! bedrock-runtime endpoint, auth is skipped only behind a gateway, and a guardrail named in
//! the headers exists.
//!
//! One finding per setting judged; each names the file and JSON path that decided it. A region
//! that was not scanned is `error`, never `pass`.

use crate::claude_code::models::ResolvedModel;
use crate::claude_code::settings::{guardrail_from_headers, is_redaction_marker, Merged, Setting};
use crate::finding::{Evidence, Finding, Status};
use crate::model_ids::{find_profile, is_inference_profile_id, strip_arn};
use crate::rules::{collect_error_evidence, RuleContext, WithEvidence};
use crate::snapshot::{ClaudeSettings, Collected, ErrorKind, RegionSnapshot};
use crate::untrusted_text::{capped, elided, visible};

/// The most characters of one settings value quoted in a message or evidence.
const SETTINGS_QUOTE_LIMIT: usize = 200;
/// Far longer than any model id, inference-profile id or ARN: a longer value is judged as
/// "not a model id" without being quoted into every message and evidence.
const MAX_MODEL_ID_LENGTH: usize = 2048;

use super::claude_code_secrets::{not_applicable, SOURCE};

const PROFILES: &str = "bedrock:ListInferenceProfiles";
const ENDPOINTS: &str = "ec2:DescribeVpcEndpoints";
const GET_GUARDRAIL: &str = "bedrock:GetGuardrail";
const HAIKU: &str = "ANTHROPIC_DEFAULT_HAIKU_MODEL";
const SMALL_FAST: &str = "ANTHROPIC_SMALL_FAST_MODEL";
const SMALL_FAST_REGION: &str = "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION";
const BASE_URL: &str = "ANTHROPIC_BEDROCK_BASE_URL";
const SKIP_AUTH: &str = "CLAUDE_CODE_SKIP_BEDROCK_AUTH";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let settings = match &ctx.snapshot.claude_settings {
        Some(settings) if !settings.files.is_empty() => settings,
        _ => return vec![not_applicable(ctx)],
    };
    let judge = Judge {
        ctx,
        settings,
        merged: Merged::new(settings),
    };
    let resolution = crate::claude_code::models::resolve_settings(settings);
    let mut findings = vec![judge.use_bedrock(), judge.aws_region(&resolution)];
    findings.extend(judge.provider_modes());
    for name in crate::claude_code::settings::MODEL_VARIABLES {
        if let Some(setting) = judge.set(name) {
            findings.extend(judge.unusable_model_setting(name, &setting));
        }
    }
    for model in &resolution.models {
        findings.push(judge.resolved_model(model));
    }
    findings.extend(judge.fast_model_pinned(&resolution));
    findings.extend(judge.deprecated_small_fast());
    findings.extend(judge.small_fast_region());
    findings.extend(judge.base_url());
    findings.extend(judge.base_url_region());
    findings.extend(judge.skip_auth());
    findings.extend(judge.guardrail());
    findings.extend(judge.service_tier());
    findings.extend(judge.max_output_tokens());
    findings
}

/// Where a region setting points.
enum RegionState<'a> {
    NotSet,
    NotARegion(String),
    NotScanned(String),
    Scanned(&'a RegionSnapshot),
}

struct Judge<'a> {
    ctx: &'a RuleContext<'a>,
    settings: &'a ClaudeSettings,
    merged: Merged<'a>,
}

impl<'a> Judge<'a> {
    /// A variable with a non-empty value.
    fn set(&self, name: &str) -> Option<Setting<'a>> {
        self.merged
            .env(name)
            .filter(|s| s.text().is_none_or(|t| !t.trim().is_empty()))
    }

    fn text(&self, name: &str) -> Option<String> {
        self.set(name).and_then(|s| s.text())
    }

    fn truthy(&self, name: &str) -> bool {
        self.text(name)
            .is_some_and(|v| crate::claude_code::models::is_truthy(&v))
    }

    /// The finding's resource: the deciding file and path, or the path alone when no file
    /// sets it.
    fn resource(&self, name: &str, setting: Option<&Setting>) -> String {
        setting.map_or_else(|| format!("claude-settings#env.{name}"), Setting::location)
    }

    fn files_list(&self) -> String {
        self.settings
            .files
            .iter()
            .map(|f| format!("{} ({})", f.path, f.kind.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn evidence(&self, name: &str, setting: Option<&Setting>) -> Evidence {
        let evidence = Evidence::new(SOURCE, None).with("variable", name);
        match setting {
            Some(s) => evidence
                .with("file", &s.file.path)
                .with("kind", s.file.kind)
                .with("json_path", &s.json_path)
                .with("value", capped_value(s.value)),
            None => evidence.with("value", serde_json::Value::Null).with(
                "files",
                self.settings
                    .files
                    .iter()
                    .map(|f| format!("{} ({})", f.path, f.kind.as_str()))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    fn finding(
        &self,
        status: Status,
        region: &str,
        name: &str,
        setting: Option<&Setting>,
        message: String,
    ) -> Finding {
        self.ctx
            .finding(status, region, self.resource(name, setting), message)
            .with_evidence(self.evidence(name, setting))
    }

    fn shown(setting: &Setting) -> String {
        setting.text().map_or_else(
            || Self::quote(&setting.value.to_string()),
            |t| Self::quote(&t),
        )
    }

    /// A settings value quoted in a message: visible, and cut like AWS messages so a huge
    /// value cannot grow every report that quotes it.
    fn quote(text: &str) -> String {
        format!("{:?}", elided(text, SETTINGS_QUOTE_LIMIT))
    }

    /// [`Self::quote`] without the quotes, for names in running text.
    fn short(text: &str) -> String {
        elided(text, SETTINGS_QUOTE_LIMIT).into_owned()
    }

    fn use_bedrock(&self) -> Finding {
        let name = "CLAUDE_CODE_USE_BEDROCK";
        let setting = self.merged.env(name);
        let other_keys = crate::claude_code::settings::BEDROCK_KEYS
            .iter()
            .filter_map(|key| self.merged.key(key).map(|s| (*key, s.location())))
            .collect::<std::collections::BTreeMap<_, _>>();
        let (status, message) = match &setting {
            None => (
                Status::Fail,
                format!(
                    "{name} is not set in any settings file given ({}): Claude Code will call the Anthropic API, not Amazon Bedrock.",
                    self.files_list()
                ),
            ),
            Some(s) if self.truthy(name) => (
                Status::Pass,
                format!("{name} = {} in {}: Claude Code uses Amazon Bedrock.", Self::shown(s), s.location()),
            ),
            Some(s) => (
                Status::Fail,
                format!(
                    "{name} = {} in {}: Claude Code uses Bedrock only when it is 1, true, yes or on (any case).",
                    Self::shown(s),
                    s.location()
                ),
            ),
        };
        self.finding(status, "global", name, setting.as_ref(), message)
            .with_evidence(Evidence::new(SOURCE, None).with("bedrock_keys_set", other_keys))
    }

    fn region_state(&self, name: &str) -> RegionState<'a> {
        let Some(region) = self.text(name) else {
            return RegionState::NotSet;
        };
        if !crate::region_name::is_region_name(&region) {
            return RegionState::NotARegion(region);
        }
        match self.ctx.snapshot.region(&region) {
            Some(snapshot) => RegionState::Scanned(snapshot),
            None => RegionState::NotScanned(region),
        }
    }

    fn scanned_regions(&self) -> String {
        let regions: Vec<&str> = self
            .ctx
            .snapshot
            .regions
            .iter()
            .map(|r| r.region.as_str())
            .collect();
        if regions.is_empty() {
            "none".into()
        } else {
            regions.join(", ")
        }
    }

    /// A region setting's finding: pass when scanned, `error` when not scanned.
    fn region_finding(&self, name: &str, purpose: &str) -> Finding {
        let setting = self.merged.env(name);
        let (status, region, message) = match self.region_state(name) {
            RegionState::NotSet => (
                Status::Fail,
                "global".to_string(),
                format!(
                    "{name} is not set in any settings file given ({}): Claude Code on Bedrock needs it and may not read the region from ~/.aws.",
                    self.files_list()
                ),
            ),
            RegionState::NotARegion(value) => (
                Status::Fail,
                "global".to_string(),
                format!("{name} = {} is not an AWS region name.", Self::quote(&value)),
            ),
            RegionState::NotScanned(value) => (
                Status::Error,
                "global".to_string(),
                format!(
                    "Region not scanned: {name} = {value} ({purpose}), but the scan covered {}. Scan it (--region {value}) to judge the settings there.",
                    self.scanned_regions()
                ),
            ),
            RegionState::Scanned(snapshot) => (
                Status::Pass,
                "global".to_string(),
                format!(
                    "{name} = {} ({purpose}) is a scanned region.",
                    snapshot.region
                ),
            ),
        };
        let mut finding = self.finding(status, &region, name, setting.as_ref(), message);
        if let RegionState::NotScanned(value) = self.region_state(name) {
            finding.remediation = format!(
                "Scan the region the settings name: bedrock-audit scan --region {value} --claude-settings …"
            ).into();
        }
        finding
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION` (Claude Code's documented order); with neither,
    /// the region is each developer's AWS profile region or us-east-1, which the settings do
    /// not decide: `error`, so that a pushed configuration names its region.
    fn aws_region(&self, resolution: &crate::claude_code::models::Resolution) -> Finding {
        let purpose = "the region Claude Code signs its requests for";
        if self.set("AWS_REGION").is_some() || self.set("AWS_DEFAULT_REGION").is_none() {
            if self.set("AWS_REGION").is_none() {
                let origin = resolution
                    .region
                    .as_ref()
                    .map_or(String::new(), |r| r.origin.clone());
                let mut finding = self.finding(
                    Status::Error,
                    "global",
                    "AWS_REGION",
                    None,
                    format!(
                        "The settings given ({}) do not decide the region: {origin}. Claude Code would sign for a region this audit cannot see.",
                        self.files_list()
                    ),
                );
                finding.remediation =
                    "Set AWS_REGION in the managed settings' env to the region the audit verified."
                        .into();
                return finding;
            }
            return self.region_finding("AWS_REGION", purpose);
        }
        self.region_finding("AWS_DEFAULT_REGION", purpose)
    }

    /// The region the main model is signed for, as the resolution found it.
    fn main_region_state(&self) -> RegionState<'a> {
        if self.set("AWS_REGION").is_some() {
            self.region_state("AWS_REGION")
        } else {
            self.region_state("AWS_DEFAULT_REGION")
        }
    }

    fn state_of(&self, region: &str) -> RegionState<'a> {
        if !crate::region_name::is_region_name(region) {
            return RegionState::NotARegion(region.to_string());
        }
        match self.ctx.snapshot.region(region) {
            Some(snapshot) => RegionState::Scanned(snapshot),
            None => RegionState::NotScanned(region.to_string()),
        }
    }

    fn small_fast_region(&self) -> Option<Finding> {
        self.set(SMALL_FAST_REGION)?;
        Some(self.region_finding(SMALL_FAST_REGION, "the region of the fast model"))
    }

    /// A model variable whose value names no model: not a string, or a redacted credential.
    /// (Claude Code then ignores it, so the resolution goes on without it.)
    fn unusable_model_setting(&self, name: &str, setting: &Setting) -> Option<Finding> {
        let message = match setting.text() {
            None => format!("{name} in {} is not a string.", setting.location()),
            Some(text) if is_redaction_marker(text.trim()) => format!(
                "{name} in {} held a credential and was redacted, so it names no model (see claude-code-secrets).",
                setting.location()
            ),
            Some(_) => return None,
        };
        Some(self.finding(Status::Fail, "global", name, Some(setting), message))
    }

    /// One model the settings make Claude Code invoke, judged in the region it signs for.
    fn resolved_model(&self, model: &ResolvedModel) -> Finding {
        let id = model.model_id.as_str();
        let location = model
            .location
            .clone()
            .unwrap_or_else(|| format!("claude-settings#model/{}", model.role));
        let resolution_evidence = Evidence::new(crate::claude_code::models::EVIDENCE_SOURCE, None)
            .with("role", model.role)
            .with("model", capped(id, SETTINGS_EVIDENCE_LIMIT).as_ref())
            .with("origin", &model.origin)
            .with(
                "region",
                model
                    .region
                    .as_deref()
                    .map(|r| capped(r, SETTINGS_QUOTE_LIMIT).into_owned()),
            )
            .with(
                "claude_code_version",
                crate::claude_code::models::CLIENT_VERSION,
            )
            .with(
                "matches_rollout_profile",
                id == self.ctx.profile.rollout.primary_model
                    || id == self.ctx.profile.rollout.fast_model,
            );
        let label = format!(
            "The {} model {} ({})",
            model.role,
            Self::quote(id),
            model.origin
        );
        let error = |region: &str, message: String, remediation: Option<String>| {
            let mut finding = self
                .ctx
                .finding(Status::Error, region, location.clone(), message)
                .with_evidence(resolution_evidence.clone());
            if let Some(remediation) = remediation {
                finding.remediation = remediation.into();
            }
            finding
        };
        let Some(region) = model.region.as_deref() else {
            return error(
                "global",
                format!("Cannot judge {label}: the settings leave its region to each developer's AWS configuration."),
                Some("Set AWS_REGION in the managed settings' env to the region the audit verified.".into()),
            );
        };
        if id.len() > MAX_MODEL_ID_LENGTH {
            return self.ctx.finding(
                Status::Fail,
                "global",
                location.clone(),
                format!(
                    "{label} is {} bytes long: not a model id (none is longer than {MAX_MODEL_ID_LENGTH}).",
                    id.len()
                ),
            ).with_evidence(resolution_evidence);
        }
        let snapshot = match self.state_of(region) {
            RegionState::Scanned(snapshot) => snapshot,
            RegionState::NotSet | RegionState::NotARegion(_) => {
                return error(
                    "global",
                    format!("Cannot judge {label}: {} is not an AWS region name, so where the model must be served is unknown.", Self::quote(region)),
                    None,
                )
            }
            RegionState::NotScanned(region) => {
                return error(
                    &region,
                    format!(
                        "Cannot judge {label}: region not scanned ({region}; the scan covered {}).",
                        self.scanned_regions()
                    ),
                    Some(format!("Scan the region the settings name: bedrock-audit scan --region {region} --claude-settings …")),
                )
            }
        };
        let region = snapshot.region.as_str();
        let invoked = crate::claude_code::models::invoked_foundation_model(snapshot, id);
        let mut judgement = super::bedrock_model_access::judge(
            snapshot,
            region,
            invoked,
            id,
            &super::bedrock_model_access::FormState::of(self.ctx.snapshot),
        );
        judgement.evidence(resolution_evidence);
        if !is_inference_profile_id(id) {
            judgement.problem(format!(
                "{} is not an inference-profile id or ARN (a bare foundation-model id, or an id Bedrock does not know), which Bedrock rejects for on-demand Claude",
                Self::quote(id)
            ));
        } else {
            match snapshot.inference_profiles.as_result() {
                Err(error) => {
                    judgement.unreadable(format!("the inference profiles of {region}"), error)
                }
                Ok(profiles) => match find_profile(profiles, id) {
                    None => {
                        judgement.evidence(
                            Evidence::new(PROFILES, Some(region))
                                .with("inferenceProfileId", strip_arn(id))
                                .with("found", false),
                        );
                        judgement.problem(format!(
                            "{PROFILES} in {region} lists no inference profile {}",
                            strip_arn(id)
                        ));
                    }
                    Some(profile) => {
                        judgement.evidence(
                            Evidence::new(PROFILES, Some(region))
                                .with("inferenceProfileId", &profile.id)
                                .with("inferenceProfileArn", &profile.arn)
                                .with("type", &profile.profile_type)
                                .with("foundationModel", invoked)
                                .with("status", &profile.status),
                        );
                        if !profile.status.eq_ignore_ascii_case("ACTIVE") {
                            judgement.problem(format!(
                                "inference profile {} is {}, not ACTIVE",
                                profile.id, profile.status
                            ));
                        }
                    }
                },
            }
        }
        let subject = format!("{label} will not work in {region}");
        let pass = format!(
            "{label} is an ACTIVE inference profile in {region} and its model passes bedrock-model-access there."
        );
        judgement.finding(self.ctx, region, &location, &subject, pass)
    }

    /// Only when it is not pinned: a pinned fast model is judged by its own model finding.
    /// Unpinned, Claude Code on Bedrock runs background tasks on the main model ("because
    /// Haiku may not be enabled in every account or region", code.claude.com *Amazon
    /// Bedrock*), which is judged above: nothing more can fail.
    fn fast_model_pinned(
        &self,
        resolution: &crate::claude_code::models::Resolution,
    ) -> Option<Finding> {
        if self.set(HAIKU).is_some() || self.set(SMALL_FAST).is_some() {
            return None;
        }
        let main = resolution
            .models
            .iter()
            .find(|m| m.role == "primary")
            .map_or("the main model".to_string(), |m| m.model_id.clone());
        Some(self.finding(
            Status::Pass,
            "global",
            HAIKU,
            None,
            format!(
                "{HAIKU} is not set: Claude Code {} on Bedrock runs background tasks on the main model ({main}), judged in its own finding.",
                crate::claude_code::models::CLIENT_VERSION
            ),
        ))
    }

    fn deprecated_small_fast(&self) -> Option<Finding> {
        let setting = self.set(SMALL_FAST)?;
        let mut finding = self.finding(
            Status::Fail,
            "global",
            SMALL_FAST,
            Some(&setting),
            format!(
                "{SMALL_FAST} = {} in {} is deprecated: replace it with {HAIKU} (same value).",
                Self::shown(&setting),
                setting.location()
            ),
        );
        finding.remediation =
            format!("In {}, rename {SMALL_FAST} to {HAIKU}.", setting.file.path).into();
        Some(finding)
    }

    fn base_url(&self) -> Option<Finding> {
        let setting = self.set(BASE_URL)?;
        let raw = setting.text().unwrap_or_default();
        let url = Self::quote(&raw);
        let fail = |message: String| {
            Some(self.finding(Status::Fail, "global", BASE_URL, Some(&setting), message))
        };
        if crate::claude_code::redaction::holds_marker(&raw) {
            return fail(format!(
                "{BASE_URL} in {} held a credential and was redacted (see claude-code-secrets): a base URL carries none.",
                setting.location()
            ));
        }
        let (host, port) = match parse_base_url(&raw) {
            BaseUrl::Https { host, port } => (host, port),
            BaseUrl::UserInfo => {
                return fail(format!(
                    "{BASE_URL} in {} holds user info (user:password@): a credential in a URL is sent to the host and written to logs; let the gateway authenticate another way.",
                    setting.location()
                ))
            }
            BaseUrl::NotHttps => {
                return fail(format!(
                    "{BASE_URL} = {url} in {} is not an HTTPS URL: requests and credentials would travel unencrypted or nowhere.",
                    setting.location()
                ))
            }
        };
        if self.truthy(SKIP_AUTH) {
            return Some(self.finding(
                Status::Pass,
                "global",
                BASE_URL,
                Some(&setting),
                format!(
                    "{BASE_URL} = {url} is HTTPS and, with {SKIP_AUTH} set, names a gateway that signs requests itself."
                ),
            ));
        }
        let snapshot = match self.main_region_state() {
            RegionState::Scanned(snapshot) => snapshot,
            _ => {
                return Some(self.finding(
                    Status::Error,
                    "global",
                    BASE_URL,
                    Some(&setting),
                    format!(
                        "Cannot judge {BASE_URL} = {url}: AWS_REGION does not name a scanned region, so whether a bedrock-runtime endpoint exists there is unknown."
                    ),
                ))
            }
        };
        let region = snapshot.region.as_str();
        let endpoints = match snapshot.vpc_endpoints.as_result() {
            Ok(endpoints) => endpoints,
            Err(error) => {
                return Some(
                    self.ctx
                        .unreadable(
                            region,
                            setting.location(),
                            &format!("the bedrock-runtime endpoints of {region}"),
                            error,
                        )
                        .with_evidence(self.evidence(BASE_URL, Some(&setting))),
                )
            }
        };
        let service = format!("com.amazonaws.{region}.bedrock-runtime");
        let interface: Vec<_> = endpoints
            .iter()
            .filter(|e| {
                e.service_name == service && e.endpoint_type.eq_ignore_ascii_case("Interface")
            })
            .collect();
        let regional = format!("bedrock-runtime.{region}.amazonaws.com");
        let vpce_suffix = format!(".bedrock-runtime.{region}.vpce.amazonaws.com");
        // The endpoints listen on 443 only; another port reaches something else.
        let matches = port.is_none()
            && interface.iter().any(|e| {
                (host == regional && e.private_dns_enabled)
                    || (host.starts_with(&format!("{}-", e.endpoint_id))
                        && host.ends_with(&vpce_suffix))
            });
        let endpoint_evidence = Evidence::new(ENDPOINTS, Some(region))
            .with("service_name", &service)
            .with(
                "interface_endpoints",
                interface
                    .iter()
                    .map(|e| {
                        format!(
                            "{} (private DNS {})",
                            e.endpoint_id,
                            if e.private_dns_enabled { "on" } else { "off" }
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .with("url_host", capped(&host, SETTINGS_QUOTE_LIMIT))
            .with("url_port", port);
        let (status, message) = if interface.is_empty() {
            (
                Status::Pass,
                format!("{BASE_URL} = {url} is HTTPS; {region} has no bedrock-runtime interface endpoint it would have to name."),
            )
        } else if matches {
            (
                Status::Pass,
                format!("{BASE_URL} = {url} is HTTPS and names the bedrock-runtime interface endpoint of {region}."),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "{BASE_URL} = {url} in {} does not name the bedrock-runtime interface endpoint of {region}: use the endpoint's DNS name (vpce-…{vpce_suffix}) or, with private DNS on, https://{regional}.",
                    setting.location()
                ),
            )
        };
        Some(
            self.finding(status, region, BASE_URL, Some(&setting), message)
                .with_evidence(endpoint_evidence),
        )
    }

    /// A base URL that names an AWS regional host (`bedrock-runtime.<region>.amazonaws.com`,
    /// its FIPS twin, or an interface endpoint's `….bedrock-runtime.<region>.vpce.amazonaws.com`)
    /// must be in the region Claude Code signs for: SigV4's credential scope names the region,
    /// and the service rejects a signature scoped to another one. Claude Code signs for the
    /// region it resolved (AWS_REGION, else AWS_DEFAULT_REGION, …), whatever the URL says
    /// (observed with client 2.1.328). Kept apart from the host check in `base_url`.
    fn base_url_region(&self) -> Option<Finding> {
        let setting = self.set(BASE_URL)?;
        if self.truthy(SKIP_AUTH) {
            return None;
        }
        // The host Node's WHATWG parser gives, as the host check judges it.
        let BaseUrl::Https { host, .. } = parse_base_url(&setting.text()?) else {
            return None;
        };
        let url_region = aws_runtime_host_region(&host)?;
        let (signing, variable) = if let Some(region) = self.text("AWS_REGION") {
            (region, "AWS_REGION")
        } else if let Some(region) = self.text("AWS_DEFAULT_REGION") {
            (region, "AWS_DEFAULT_REGION")
        } else {
            (
                crate::claude_code::models::FALLBACK_REGION.to_string(),
                "no region variable (each machine's AWS profile region, else us-east-1)",
            )
        };
        // Quoted capped: the value comes from a settings file and may be of any length.
        let signing = capped(signing.trim(), SETTINGS_QUOTE_LIMIT).into_owned();
        let resource = format!("{}/signing-region", setting.location());
        let evidence = self
            .evidence(BASE_URL, Some(&setting))
            .with("url_host", &host)
            .with("url_region", &url_region)
            .with("signing_region", &signing)
            .with("signing_region_from", variable);
        let (status, message) = if url_region == signing {
            (
                Status::Pass,
                format!("{BASE_URL} names a host in {url_region}, the region Claude Code signs its requests for ({variable})."),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "{BASE_URL} = https://{host} in {} is in {url_region}, but Claude Code signs its requests for {signing} ({variable}): SigV4 scopes every signature to that region, so every call fails.",
                    setting.location()
                ),
            )
        };
        let mut finding = self
            .ctx
            .finding(status, "global", resource, message)
            .with_evidence(evidence);
        if status == Status::Fail {
            finding.remediation = format!(
                "Make {BASE_URL} name the {signing} endpoint, or set AWS_REGION to {url_region}."
            )
            .into();
        }
        Some(finding)
    }

    /// `CLAUDE_CODE_USE_MANTLE`, `CLAUDE_CODE_USE_ANTHROPIC_AWS` and `forceLoginMethod` send
    /// Claude Code somewhere other than bedrock-runtime's InvokeModel, which the model,
    /// inference-profile and private-path findings describe: they are recognised and reported
    /// as not judged (`error`, never a false pass or fail).
    fn provider_modes(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (name, what) in [
            (
                "CLAUDE_CODE_USE_MANTLE",
                "the Bedrock Mantle endpoint (bedrock-mantle), with its own model ids",
            ),
            (
                "CLAUDE_CODE_USE_ANTHROPIC_AWS",
                "Claude Platform on AWS, not the Bedrock runtime",
            ),
        ] {
            let Some(setting) = self.set(name) else {
                continue;
            };
            if !self.truthy(name) {
                continue;
            }
            let mut finding = self.finding(
                Status::Error,
                "global",
                name,
                Some(&setting),
                format!(
                    "{name} = {} in {}: Claude Code calls {what}. This audit judges bedrock-runtime InvokeModel: the model, inference-profile, permission and private-path findings do not describe these calls; the region, secrets and guardrail findings still apply.",
                    Self::shown(&setting),
                    setting.location()
                ),
            );
            finding.remediation = format!("Judge that provider's setup separately, or remove {name} to use Bedrock's runtime.").into();
            findings.push(finding);
        }
        if let Some(setting) = self.merged.key("forceLoginMethod") {
            let value = setting.text().unwrap_or_default();
            let mut finding = self.ctx.finding(
                Status::Error,
                "global",
                setting.location(),
                format!(
                    "forceLoginMethod = {:?} in {}: Claude Code signs in through that method{}, so whether its calls reach Bedrock as the settings' env says is not decided by these files; the model and permission findings describe direct Bedrock calls only.",
                    visible(&value),
                    setting.location(),
                    if self.merged.key("forceLoginGatewayUrl").is_some() { " and the gateway forceLoginGatewayUrl names" } else { "" }
                ),
            );
            finding = finding.with_evidence(
                Evidence::new(SOURCE, None)
                    .with("file", &setting.file.path)
                    .with("json_path", &setting.json_path)
                    .with("value", setting.value),
            );
            finding.remediation = "Audit the gateway's own Bedrock access, or remove forceLoginMethod from the Bedrock rollout's managed settings.".into();
            findings.push(finding);
        }
        findings
    }

    /// `ANTHROPIC_BEDROCK_SERVICE_TIER` is sent as `X-Amzn-Bedrock-Service-Tier`; Bedrock takes
    /// `priority`, `default`, `flex` or `reserved` (API Reference, ServiceTier) and rejects
    /// any other value.
    fn service_tier(&self) -> Option<Finding> {
        let name = "ANTHROPIC_BEDROCK_SERVICE_TIER";
        let setting = self.set(name)?;
        let value = setting.text().unwrap_or_default();
        let documented = ["priority", "default", "flex", "reserved"];
        let (status, message) = if documented.contains(&value.as_str()) {
            (
                Status::Pass,
                format!("{name} = {value} in {}: Claude Code asks Bedrock for the {value} service tier.", setting.location()),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "{name} = {} in {} is not a Bedrock service tier ({}): Bedrock rejects requests that name it.",
                    Self::shown(&setting),
                    setting.location(),
                    documented.join(", ")
                ),
            )
        };
        Some(self.finding(status, "global", name, Some(&setting), message))
    }

    /// `CLAUDE_CODE_MAX_OUTPUT_TOKENS`: read and reported; the capacity rule sizes quotas with
    /// it. Claude Code's Bedrock guide recommends at least 4096 (Bedrock's burndown throttling
    /// charges that much per request anyway).
    fn max_output_tokens(&self) -> Option<Finding> {
        let name = "CLAUDE_CODE_MAX_OUTPUT_TOKENS";
        let setting = self.set(name)?;
        let Some(tokens) = crate::claude_code::models::max_output_tokens(self.settings) else {
            return Some(self.finding(
                Status::Fail,
                "global",
                name,
                Some(&setting),
                format!(
                    "{name} = {} in {} is not a positive whole number of tokens.",
                    Self::shown(&setting),
                    setting.location()
                ),
            ));
        };
        let advice = if tokens < 4096 {
            ": below 4096, it does not lower Bedrock's per-request quota charge and may cut off long tool uses"
        } else {
            ""
        };
        Some(
            self.finding(
                Status::Pass,
                "global",
                name,
                Some(&setting),
                format!("{name} = {tokens} in {}: each request reserves up to {tokens} output tokens{advice}.", setting.location()),
            )
            .with_evidence(Evidence::new(SOURCE, None).with("max_output_tokens", tokens)),
        )
    }

    fn skip_auth(&self) -> Option<Finding> {
        let setting = self.set(SKIP_AUTH)?;
        if !self.truthy(SKIP_AUTH) {
            return None;
        }
        Some(match self.set(BASE_URL) {
            Some(base) => self.finding(
                Status::Pass,
                "global",
                SKIP_AUTH,
                Some(&setting),
                format!(
                    "{SKIP_AUTH} is set together with {BASE_URL} ({}): a gateway signs the requests.",
                    base.location()
                ),
            ),
            None => self.finding(
                Status::Fail,
                "global",
                SKIP_AUTH,
                Some(&setting),
                format!(
                    "{SKIP_AUTH} is set in {} without {BASE_URL}: Claude Code would send unsigned requests straight to Bedrock, which rejects them. Set it only behind a gateway that signs requests.",
                    setting.location()
                ),
            ),
        })
    }

    fn guardrail(&self) -> Option<Finding> {
        let name = "ANTHROPIC_CUSTOM_HEADERS";
        let setting = self.set(name)?;
        let (identifier, version) = guardrail_from_headers(&setting.text()?)?;
        if version.is_none() {
            // InvokeModel: "An error will be thrown … You provide a guardrail identifier, but
            // guardrailVersion isn't specified" (Amazon Bedrock API Reference).
            let mut finding = self.finding(
                Status::Fail,
                "global",
                name,
                Some(&setting),
                format!(
                    "{name} in {} sends {} = {} without {}: Bedrock rejects every InvokeModel call that names a guardrail without its version.",
                    setting.location(),
                    crate::claude_code::settings::GUARDRAIL_ID_HEADER,
                    Self::short(&identifier),
                    crate::claude_code::settings::GUARDRAIL_VERSION_HEADER,
                ),
            );
            finding.remediation = format!(
                "Add a line \"{}: <version number or DRAFT>\" to {name}.",
                crate::claude_code::settings::GUARDRAIL_VERSION_HEADER
            )
            .into();
            return Some(finding);
        }
        let region = match self.main_region_state() {
            RegionState::Scanned(snapshot) => snapshot.region.clone(),
            _ => {
                return Some(self.finding(
                    Status::Error,
                    "global",
                    name,
                    Some(&setting),
                    format!(
                        "Cannot judge guardrail {}: AWS_REGION does not name a scanned region.",
                        Self::short(&identifier)
                    ),
                ))
            }
        };
        let subject = format!(
            "guardrail {} version {}",
            Self::short(&identifier),
            Self::short(version.as_deref().unwrap_or("DRAFT"))
        );
        let read = self
            .settings
            .guardrails
            .iter()
            .find(|g| g.region == region && g.identifier == identifier && g.version == version);
        let mut evidence = self
            .evidence(name, Some(&setting))
            .with(
                "guardrailIdentifier",
                capped(&identifier, SETTINGS_QUOTE_LIMIT),
            )
            .with(
                "guardrailVersion",
                version
                    .as_deref()
                    .map(|v| capped(v, SETTINGS_QUOTE_LIMIT).into_owned()),
            );
        let finding = match read.map(|g| &g.guardrail) {
            None => {
                evidence = evidence.with("collected", false);
                self.ctx.finding(
                    Status::Error,
                    &region,
                    setting.location(),
                    format!(
                        "Cannot judge {subject}: {GET_GUARDRAIL} was not called for it in {region}; scan with these settings (--claude-settings) to read it."
                    ),
                )
            }
            Some(Collected::Failed { error }) if error.kind == ErrorKind::NotFound => {
                self.ctx.finding(
                    Status::Fail,
                    &region,
                    setting.location(),
                    format!(
                        "The {subject} named in {} does not exist in {region} ({GET_GUARDRAIL}: {}): Bedrock rejects every request that names it.",
                        setting.location(),
                        error.code
                    ),
                )
                .with_evidence(collect_error_evidence(&region, error))
            }
            Some(Collected::Failed { error }) => {
                self.ctx
                    .unreadable(&region, setting.location(), &subject, error)
            }
            Some(Collected::Ok { data }) => {
                evidence = evidence
                    .with("guardrailArn", &data.guardrail_arn)
                    .with("name", &data.name)
                    .with("version", &data.version)
                    .with("status", &data.status);
                let status = if data.status.eq_ignore_ascii_case("READY") {
                    Status::Pass
                } else {
                    Status::Fail
                };
                self.ctx.finding(
                    status,
                    &region,
                    setting.location(),
                    format!(
                        "The {subject} ({}) named in {} is {} in {region}{}.",
                        visible(&data.name),
                        setting.location(),
                        data.status,
                        if status == Status::Pass { "" } else { ", not READY: requests that name it fail" }
                    ),
                )
            }
        };
        Some(finding.with_evidence(Evidence {
            source: GET_GUARDRAIL.into(),
            region: Some(region),
            values: evidence.values,
        }))
    }
}

/// The most bytes of one settings value kept in evidence, like an AWS message
/// (4 KiB, `collect::error::MESSAGE_LIMIT`): one huge value must not grow every report, once per finding.
const SETTINGS_EVIDENCE_LIMIT: usize = 4 * 1024;

/// A settings value for evidence: as it is when short, else its JSON text cut with its length.
fn capped_value(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(text) if text.len() <= SETTINGS_EVIDENCE_LIMIT => value.clone(),
        serde_json::Value::String(text) => {
            serde_json::Value::String(capped(text, SETTINGS_EVIDENCE_LIMIT).into_owned())
        }
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            let text = value.to_string();
            if text.len() <= SETTINGS_EVIDENCE_LIMIT {
                value.clone()
            } else {
                serde_json::Value::String(capped(&text, SETTINGS_EVIDENCE_LIMIT).into_owned())
            }
        }
        _ => value.clone(),
    }
}

/// What a base URL is, parsed as Claude Code will parse it.
#[derive(Debug, PartialEq, Eq)]
enum BaseUrl {
    /// An `https:` URL with this host (lower-case, IDNA-mapped) and no user info.
    Https { host: String, port: Option<u16> },
    /// Not a URL Node would accept, or not `https:`.
    NotHttps,
    /// `https://user:password@host`: a credential in the URL, refused.
    UserInfo,
}

/// Parses `text` with the WHATWG URL Standard (the `url` crate implements it), because
/// Claude Code runs on Node, whose `URL` is that standard's parser. The difference with a
/// hand-split authority matters: for a special scheme such as `https`, the standard's host
/// state ends the host at `\` as at `/` (https://url.spec.whatwg.org/#host-state; Node does
/// the same, nodejs/node commit dcba374), so `https://evil.example\@bedrock-runtime…` has the
/// host `evil.example`, not the AWS name after the `@`. The standard also strips leading and
/// trailing spaces and controls and removes tabs and newlines, as Node does.
fn parse_base_url(text: &str) -> BaseUrl {
    let Ok(url) = url::Url::parse(text) else {
        return BaseUrl::NotHttps;
    };
    if url.scheme() != "https" {
        return BaseUrl::NotHttps;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return BaseUrl::UserInfo;
    }
    match url.host_str() {
        Some(host) if !host.is_empty() => BaseUrl::Https {
            host: host.to_ascii_lowercase(),
            port: url.port(),
        },
        _ => BaseUrl::NotHttps,
    }
}

/// The region of an AWS bedrock-runtime host: `bedrock-runtime[-fips].<region>.amazonaws.com`
/// or an interface endpoint's `vpce-….bedrock-runtime.<region>.vpce.amazonaws.com`.
fn aws_runtime_host_region(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let region = match labels.as_slice() {
        ["bedrock-runtime" | "bedrock-runtime-fips", region, "amazonaws", "com"] => region,
        [.., "bedrock-runtime", region, "vpce", "amazonaws", "com"] => region,
        _ => return None,
    };
    crate::region_name::is_region_name(region).then(|| region.to_string())
}

#[cfg(test)]
mod tests {
    use super::{parse_base_url, BaseUrl};

    fn https(host: &str, port: Option<u16>) -> BaseUrl {
        BaseUrl::Https {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn reads_the_host_of_https_urls_only() {
        assert_eq!(
            parse_base_url("https://bedrock-runtime.us-east-1.amazonaws.com/"),
            https("bedrock-runtime.us-east-1.amazonaws.com", None)
        );
        assert_eq!(
            parse_base_url("HTTPS://Gateway.example:8443/x"),
            https("gateway.example", Some(8443))
        );
        // The default port is no port, as in Node's URL.
        assert_eq!(
            parse_base_url("https://gateway.example:443"),
            https("gateway.example", None)
        );
        assert_eq!(
            parse_base_url("http://bedrock-runtime.us-east-1.amazonaws.com"),
            BaseUrl::NotHttps
        );
        assert_eq!(
            parse_base_url("bedrock-runtime.us-east-1.amazonaws.com"),
            BaseUrl::NotHttps
        );
        assert_eq!(parse_base_url("https://"), BaseUrl::NotHttps);
    }

    /// WHATWG URL Standard, host state (https://url.spec.whatwg.org/#host-state): in a special
    /// URL (`https:`), `\` ends the host like `/`. Node's `new URL()` (what Claude Code uses)
    /// gives host `evil.example` for this string; a parser that splits the authority on
    /// `/ ? #` only would see user info `evil.example\` and the AWS host.
    #[test]
    fn a_backslash_ends_the_host_as_node_parses_it() {
        assert_eq!(
            parse_base_url("https://evil.example\\@bedrock-runtime.us-east-1.amazonaws.com"),
            https("evil.example", None)
        );
        assert_eq!(
            parse_base_url("https://bedrock-runtime.us-east-1.amazonaws.com\\.evil.example"),
            https("bedrock-runtime.us-east-1.amazonaws.com", None)
        );
        // Tabs and newlines are removed before parsing, leading spaces trimmed.
        assert_eq!(
            parse_base_url(" https://bedrock-runtime.us-east-1.amazon\taws.com"),
            https("bedrock-runtime.us-east-1.amazonaws.com", None)
        );
    }

    #[test]
    fn user_info_is_refused() {
        assert_eq!(
            parse_base_url("https://u@gateway.example/x"),
            BaseUrl::UserInfo
        );
        assert_eq!(
            parse_base_url("https://admin:pw@bedrock-runtime.us-east-1.amazonaws.com"),
            BaseUrl::UserInfo
        );
    }
}
