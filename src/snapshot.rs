//! The account-state model: everything the rules read, and nothing else.
//!
//! The snapshot is the one contract between collection and judgement. Collectors fill it,
//! `--save-snapshot` writes it, `evaluate --snapshot` and the fixtures read it. Every section
//! that comes from an AWS call is a [`Collected`], so a rule cannot read an unreadable section
//! as empty: it has to match on `Failed` and report `error`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version of the snapshot *file*. Bumped whenever a field changes meaning or a required
/// field is added. Version 2 holds several accounts (`accounts[]`); a version-1 file held one
/// account's fields at the top level and is still read ([`crate::snapshot_file`] migrates it).
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 2;

/// A section of account state: either the data, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Collected<T> {
    Ok { data: T },
    Failed { error: CollectError },
}

impl<T> Collected<T> {
    pub fn ok(data: T) -> Self {
        Collected::Ok { data }
    }

    pub fn failed(error: CollectError) -> Self {
        Collected::Failed { error }
    }

    pub fn as_result(&self) -> Result<&T, &CollectError> {
        match self {
            Collected::Ok { data } => Ok(data),
            Collected::Failed { error } => Err(error),
        }
    }

    pub fn data(&self) -> Option<&T> {
        self.as_result().ok()
    }
}

/// Why a section could not be read: enough for a person to fix permissions or retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectError {
    /// `service:Operation`, e.g. `logs:DescribeLogGroups`.
    pub operation: String,
    pub kind: ErrorKind,
    /// The AWS error code (`AccessDeniedException`, `ThrottlingException`, …) or a local one
    /// (`Timeout`, `DispatchFailure`, `PaginationIncomplete`).
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    AccessDenied,
    Throttling,
    Timeout,
    ServiceError,
    Network,
    PaginationIncomplete,
    NotFound,
    Other,
}

/// A snapshot file: what `--save-snapshot` writes and `evaluate --snapshot` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotFile {
    pub schema_version: u32,
    /// One entry per account that was read, in account order.
    pub accounts: Vec<Snapshot>,
    /// Accounts a scan of several could not read (its role could not be assumed), so a report
    /// re-evaluated from the file still shows them, as `error`, rather than dropping them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable_accounts: Vec<UnreadableAccount>,
}

/// An account the scan could not read at all, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadableAccount {
    pub account: String,
    /// What could not be used: the role ARN, or `account/<id>`.
    pub resource: String,
    pub reason: String,
}

/// One account's state: what the rules judge, one account at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Version of the tool that collected it (informational; rules do not depend on it).
    pub collected_by: String,
    pub started_at: String,
    pub finished_at: String,
    pub identity: Collected<CallerIdentity>,
    pub regions: Vec<RegionSnapshot>,
    /// iam:ListUsers + iam:ListServiceSpecificCredentials (bedrock.amazonaws.com): long-term
    /// Bedrock API keys, account-wide. `None` (absent in an older snapshot) means not
    /// collected, which the rule reports as `error`, never `pass`.
    #[serde(default)]
    pub bedrock_api_keys: Option<Collected<BedrockApiKeys>>,
    /// The Claude Code settings files given with `--claude-settings`, secrets redacted.
    /// Absent when none were given: the settings rules are then not applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claude_settings: Option<ClaudeSettings>,
    /// organizations:DescribeOrganization: the id of the organisation the account belongs to
    /// (`Some(None)` inside: the account is in none), the value of `aws:PrincipalOrgID` for
    /// its principals. `None` (an older snapshot) means not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Collected<Option<String>>>,
    /// organizations:ListParents, ListPoliciesForTarget and DescribePolicy: the service control
    /// policies applying to the account that use `bedrock:DataRetentionMode`, evidence of an
    /// organisation pinning the data retention mode. Empty inside when the account is in no
    /// organisation; `None` (an older snapshot) means not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_retention_scps: Option<Collected<Vec<RetentionScp>>>,
    /// bedrock:GetUseCaseForModelAccess: whether this account has Anthropic's first-time-use
    /// form on file (its content, company details, is not kept). `None` (an older snapshot)
    /// means not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anthropic_use_case: Option<Collected<UseCaseForm>>,
    /// organizations:DescribeEffectivePolicy (`BEDROCK_POLICY`): the content of the Bedrock
    /// policy the organisation applies to the account, whose guardrails Bedrock enforces on
    /// every invocation (`None` inside: none applies, or the account is in no organisation).
    /// `None` (an older snapshot) means not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bedrock_policy: Option<Collected<Option<String>>>,
}

/// What GetUseCaseForModelAccess says of this account's Anthropic use-case form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseCaseForm {
    /// A form is on file for this account (`formData` returned); false when the API answered
    /// ResourceNotFoundException. A form submitted in the organisation's management account
    /// is inherited by member accounts (Bedrock user guide, model access) and may not show here.
    pub submitted: bool,
    /// The size of the form data returned, for the evidence.
    pub form_bytes: usize,
}

/// A service control policy with statements that use `bedrock:DataRetentionMode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionScp {
    pub policy_id: String,
    pub policy_name: String,
    /// The account, OUs or root it is attached to.
    pub attached_to: Vec<String>,
    /// Those statements, each as compact JSON.
    pub statements: Vec<String>,
}

impl Snapshot {
    /// The account id, when the caller identity could be read.
    pub fn account_id(&self) -> Option<&str> {
        self.identity.data().map(|i| i.account.as_str())
    }

    /// The account id for findings: the real one, or `unknown` when sts failed.
    pub fn account_label(&self) -> String {
        self.account_id().unwrap_or("unknown").to_string()
    }

    pub fn region(&self, name: &str) -> Option<&RegionSnapshot> {
        self.regions.iter().find(|r| r.region == name)
    }

    /// What a well-formed snapshot guarantees beyond its JSON shape: each region appears once
    /// (rules read the first entry, so a second one, perhaps `Failed`, would be silently
    /// ignored) under an AWS region name. The problem, in words, when it does not.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for entry in &self.regions {
            let shown = crate::untrusted_text::quoted(
                &entry.region,
                crate::untrusted_text::MESSAGE_QUOTE_LIMIT,
            );
            if !crate::region_name::is_region_name(&entry.region) {
                return Err(format!(
                    "invalid snapshot: regions[].region \"{shown}\" is not an AWS region name"
                ));
            }
            if !seen.insert(entry.region.as_str()) {
                return Err(format!(
                    "invalid snapshot: region {shown} is listed more than once; a snapshot holds each region once"
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Everything read from one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSnapshot {
    pub region: String,
    /// bedrock:ListFoundationModels (provider Anthropic).
    pub foundation_models: Collected<Vec<FoundationModel>>,
    /// bedrock:GetFoundationModelAvailability, keyed by foundation-model id; only the models
    /// the profile's primary and fast models route to are queried.
    pub model_availability: BTreeMap<String, Collected<ModelAvailability>>,
    /// bedrock:GetFoundationModelAvailability in the other regions the configured cross-region
    /// inference profiles route to (their `models[]`), keyed by region, then foundation-model
    /// id: requests are served there too, so model access must hold there as well. Absent in
    /// an older snapshot, which the rule then reports as not collected (`error`), never `pass`.
    #[serde(default)]
    pub destination_availability: BTreeMap<String, BTreeMap<String, Collected<ModelAvailability>>>,
    /// bedrock:ListInferenceProfiles (system-defined and application profiles).
    pub inference_profiles: Collected<Vec<InferenceProfile>>,
    /// bedrock:GetModelInvocationLoggingConfiguration; `None` inside means logging is off.
    pub invocation_logging: Collected<Option<InvocationLoggingConfig>>,
    /// ec2:DescribeVpcs.
    pub vpcs: Collected<Vec<Vpc>>,
    /// ec2:DescribeVpcEndpoints filtered to the services in [`Self::vpc_endpoint_services`].
    pub vpc_endpoints: Collected<Vec<VpcEndpoint>>,
    /// The service names `vpc_endpoints` was filtered to. An older snapshot asked for
    /// `com.amazonaws.<region>.bedrock-runtime` only and has this empty: its lack of a
    /// `bedrock` or `sts` endpoint is then unknown, not absent.
    #[serde(default)]
    pub vpc_endpoint_services: Vec<String>,
    /// ec2:DescribeSecurityGroups for the groups attached to those endpoints.
    pub security_groups: Collected<Vec<SecurityGroup>>,
    /// ec2:DescribeSubnets for the subnets those endpoints are in (their Availability Zones).
    /// `None` (an older snapshot) means not collected.
    #[serde(default)]
    pub subnets: Option<Collected<Vec<Subnet>>>,
    /// ec2:GetManagedPrefixListEntries for each managed prefix list an endpoint's security
    /// group admits HTTPS from: the list's CIDRs, keyed by prefix-list id. A list a rule names
    /// but that is absent here (an older snapshot) was not collected, and is judged `error`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prefix_lists: BTreeMap<String, Collected<Vec<String>>>,
    /// The S3 destination of model-invocation logging, when the configuration names one:
    /// ownership, default encryption, public access block and lifecycle. `None` when logging
    /// has no S3 destination, or in an older snapshot (the rule tells the two apart by the
    /// logging configuration).
    #[serde(default)]
    pub invocation_log_bucket: Option<BucketPosture>,
    /// The bucket of `cloudWatchConfig.largeDataDeliveryS3Config`, read like
    /// [`Self::invocation_log_bucket`]. `None` when there is none, or in an older snapshot.
    #[serde(default)]
    pub large_data_log_bucket: Option<BucketPosture>,
    /// iam:GetRole for `cloudWatchConfig.roleArn`, the role Bedrock assumes to deliver to
    /// CloudWatch Logs; `None` inside: the role does not exist. `None` when no role is named,
    /// or in an older snapshot (the rule tells the two apart by the logging configuration).
    #[serde(default)]
    pub invocation_log_role: Option<Collected<Option<LoggingRole>>>,
    /// cloudtrail:DescribeTrails (including multi-region trails homed elsewhere).
    pub trails: Collected<Vec<Trail>>,
    /// logs:DescribeLogGroups, every page.
    pub log_groups: Collected<Vec<LogGroup>>,
    /// kms:DescribeKey + kms:GetKeyRotationStatus for each key that a trail, log group or the
    /// invocation-logging config in this region references, keyed by the reference as written
    /// (a key ARN, or a bare key id as moto returns for trails).
    pub kms_keys: BTreeMap<String, Collected<KmsKey>>,
    /// iam:SimulatePrincipalPolicy for the profile's developer principals: one entry per call
    /// (principal and `aws:RequestedRegion`). Empty in an older snapshot, or when the profile
    /// named no principals; the rule then reports every needed simulation as not collected.
    #[serde(default)]
    pub invoke_simulations: Vec<InvokeSimulation>,
    /// iam:SimulatePrincipalPolicy of each developer principal's InvokeModel in this region
    /// from outside the private path (no `aws:SourceVpce`, a public `aws:SourceIp`): whether
    /// the private path is enforced or merely available. Collected with `[network]
    /// private_only`; `None` when not (or in an older snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_origin_simulations: Option<Vec<InvokeSimulation>>,
    /// servicequotas:ListServiceQuotas (service code `bedrock`), only the quotas whose name
    /// mentions Anthropic or Claude. `None` (an older snapshot) means not collected.
    #[serde(default)]
    pub service_quotas: Option<Collected<Vec<ServiceQuota>>>,
    /// bedrock:ListEnforcedGuardrailsConfiguration: the account-level guardrails Bedrock
    /// applies to every invocation in this region, each with its guardrail version as
    /// bedrock:GetGuardrail reads it. `None` (an older snapshot) means not collected.
    #[serde(default)]
    pub enforced_guardrails: Option<Collected<Vec<EnforcedGuardrail>>>,
    /// bedrock:GetAccountDataRetention in this region and in every other region the configured
    /// cross-region inference profiles route to, keyed by region: the mode set in a region
    /// governs the requests served there. `None` (an older snapshot) means not collected,
    /// which `no-zdr-assumption` reports as `error`, never `pass`.
    #[serde(default)]
    pub data_retention: Option<BTreeMap<String, Collected<DataRetentionSetting>>>,
    /// cloudwatch:GetMetricData: the hourly `Invocations` and `InvocationThrottles` (namespace
    /// `AWS/Bedrock`, dimension `ModelId`) of each model id Claude Code will call from this
    /// region, over the last seven days. `None` (an older snapshot) means not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_history: Option<Collected<InvocationHistory>>,
}

/// One account-level enforced guardrail configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnforcedGuardrail {
    pub config_id: Option<String>,
    pub guardrail_arn: Option<String>,
    pub guardrail_id: Option<String>,
    /// The numbered version enforced (the API takes a number, not DRAFT).
    pub guardrail_version: Option<String>,
    /// ACCOUNT, or the organisation's when enforced from Organizations.
    pub owner: Option<String>,
    /// `modelEnforcement.includedModels`; `None` when the configuration has no
    /// `modelEnforcement`, which enforces it on every model.
    pub included_models: Option<Vec<String>>,
    /// `modelEnforcement.excludedModels`.
    pub excluded_models: Vec<String>,
    /// bedrock:GetGuardrail for that id and version; `None` when the configuration names no
    /// guardrail to read.
    pub guardrail: Option<Collected<Guardrail>>,
}

impl RegionSnapshot {
    /// Finds a referenced key by the reference as written, or by key id / ARN.
    pub fn kms_key(&self, reference: &str) -> Option<&Collected<KmsKey>> {
        if let Some(found) = self.kms_keys.get(reference) {
            return Some(found);
        }
        let wanted_id = key_id_of(reference);
        self.kms_keys.iter().find_map(|(r, key)| {
            let matches = key_id_of(r) == wanted_id
                || key
                    .data()
                    .is_some_and(|k| k.key_id == wanted_id || k.arn == reference);
            matches.then_some(key)
        })
    }
}

/// One iam:SimulatePrincipalPolicy call (all its pages): every action on every resource, with
/// `aws:RequestedRegion` set to `requested_region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvokeSimulation {
    /// The user, group or role ARN simulated (`PolicySourceArn`).
    pub principal: String,
    /// The value of the `aws:RequestedRegion` context key: the region the request is served in.
    pub requested_region: String,
    pub action_names: Vec<String>,
    pub resource_arns: Vec<String>,
    pub results: Collected<Vec<SimulationResult>>,
    /// The value of `bedrock:InferenceProfileArn` sent: the profile the request is made
    /// through. `None` when none was sent, and in an older snapshot (whose calls carried
    /// `aws:RequestedRegion` only): a decision made through a profile then finds no simulation
    /// and the rule reports it as not collected.
    #[serde(default)]
    pub inference_profile_arn: Option<String>,
    /// Every other context entry sent (`aws:SecureTransport`, `aws:SourceVpce`, …), key to
    /// value.
    #[serde(default)]
    pub context: BTreeMap<String, String>,
}

impl InvokeSimulation {
    /// Whether this call asked about `action` on `resource` in `requested_region`, made
    /// through the inference profile `inference_profile_arn` (the `bedrock:InferenceProfileArn`
    /// sent, or none sent).
    pub fn covers(
        &self,
        principal: &str,
        requested_region: &str,
        inference_profile_arn: Option<&str>,
        action: &str,
        resource: &str,
    ) -> bool {
        self.principal == principal
            && self.requested_region == requested_region
            && self.inference_profile_arn.as_deref() == inference_profile_arn
            && self.action_names.iter().any(|a| a == action)
            && self.resource_arns.iter().any(|r| r == resource)
    }
}

/// One `EvaluationResults` entry (per action and resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationResult {
    pub action: String,
    pub resource: String,
    /// `allowed`, `explicitDeny` or `implicitDeny` as returned; anything else is unknown.
    pub decision: String,
    /// `OrganizationsDecisionDetail.AllowedByOrganizations`; `Some(false)` means an SCP denied.
    pub allowed_by_organizations: Option<bool>,
    /// `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`.
    pub allowed_by_permissions_boundary: Option<bool>,
    /// `MatchedStatements[].SourcePolicyId` (with its type), the policies that decided.
    pub matched_statements: Vec<MatchedStatement>,
    pub missing_context_values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchedStatement {
    pub source_policy_id: Option<String>,
    pub source_policy_type: Option<String>,
}

/// One Service Quotas quota, with its applied (account-level) value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceQuota {
    pub quota_code: String,
    pub quota_name: String,
    /// The applied value; `None` when the API gave none (treated as unreadable).
    pub value: Option<f64>,
    pub adjustable: bool,
}

/// Long-term Bedrock API keys across the account's IAM users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedrockApiKeys {
    /// How many IAM users iam:ListUsers returned (every page).
    pub users_checked: usize,
    /// Every bedrock.amazonaws.com service-specific credential found. Never holds a secret.
    pub keys: Vec<ApiKey>,
    /// Users whose credentials could not be listed.
    pub unreadable: Vec<UnreadableUser>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    pub user_name: String,
    pub credential_id: String,
    /// `Active` or `Inactive` as returned.
    pub status: String,
    pub create_date: Option<String>,
    pub expiration_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadableUser {
    pub user_name: String,
    pub error: CollectError,
}

/// The bare key id of a key reference: `arn:aws:kms:…:key/<id>` → `<id>`.
pub fn key_id_of(reference: &str) -> &str {
    reference
        .rsplit_once(":key/")
        .map_or(reference, |(_, id)| id)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoundationModel {
    pub model_id: String,
    pub model_arn: String,
    pub provider_name: String,
    /// ON_DEMAND, PROVISIONED, INFERENCE_PROFILE.
    pub inference_types_supported: Vec<String>,
    /// ACTIVE or LEGACY; absent when the API did not say.
    pub lifecycle_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelAvailability {
    pub model_id: String,
    /// AVAILABLE, PENDING, NOT_AVAILABLE, ERROR.
    pub agreement_status: String,
    pub agreement_error: Option<String>,
    /// AUTHORIZED, NOT_AUTHORIZED.
    pub authorization_status: String,
    /// AVAILABLE, NOT_AVAILABLE.
    pub entitlement_availability: String,
    /// AVAILABLE, NOT_AVAILABLE.
    pub region_availability: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferenceProfile {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// ACTIVE.
    pub status: String,
    /// SYSTEM_DEFINED or APPLICATION.
    pub profile_type: String,
    /// Foundation-model ARNs, one per destination region.
    pub model_arns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvocationLoggingConfig {
    pub cloudwatch_log_group: Option<String>,
    pub cloudwatch_role_arn: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_key_prefix: Option<String>,
    pub text_data_delivery: bool,
    pub image_data_delivery: bool,
    pub embedding_data_delivery: bool,
    /// `cloudWatchConfig.largeDataDeliveryS3Config`: where Bedrock puts request and response
    /// bodies too large for a CloudWatch event. `None` (absent in an older snapshot) means not
    /// collected; `Some` with no bucket: none configured.
    #[serde(default)]
    pub large_data_delivery: Option<LargeDataDelivery>,
}

/// The role Bedrock assumes to deliver invocation logs to CloudWatch Logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingRole {
    pub arn: String,
    /// `AssumeRolePolicyDocument`, URL-decoded JSON.
    pub trust_policy: Option<String>,
}

/// `cloudWatchConfig.largeDataDeliveryS3Config` of the logging configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LargeDataDelivery {
    pub bucket: Option<String>,
    pub key_prefix: Option<String>,
}

/// What CloudWatch recorded of Bedrock invocations in one region over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvocationHistory {
    /// The window read (RFC 3339): `start` inclusive, `end` exclusive.
    pub start: String,
    pub end: String,
    /// The length of one datapoint.
    pub period_seconds: u32,
    pub models: Vec<ModelInvocationHistory>,
}

/// One `ModelId`'s invocations and throttles: the periods with a datapoint, oldest first (a
/// period without one had none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInvocationHistory {
    pub model_id: String,
    pub invocations: Vec<HourlySum>,
    pub throttles: Vec<HourlySum>,
}

/// The `Sum` of a metric over the period starting at `hour`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourlySum {
    pub hour: String,
    pub sum: f64,
}

/// bedrock:GetAccountDataRetention: the account's data retention mode in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataRetentionSetting {
    /// As Bedrock spells it: `none`, `default`, `aws_review`, `provider_data_share`,
    /// `inherit`; a value this version does not know is kept as sent, and the rule refuses it.
    pub mode: String,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub vpc_id: String,
    pub cidr_block: Option<String>,
    pub is_default: bool,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpoint {
    pub endpoint_id: String,
    pub vpc_id: String,
    pub service_name: String,
    /// Interface, Gateway, GatewayLoadBalancer, …
    pub endpoint_type: String,
    /// As the API returned it; compare case-insensitively (`available`, `Available`, …).
    pub state: String,
    pub private_dns_enabled: bool,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub policy_document: Option<String>,
    /// The endpoint's own DNS names (DescribeVpcEndpoints `DnsEntries`): the regional
    /// `vpce-….<service>.<region>.vpce.amazonaws.com` name, the zonal names, and the private DNS
    /// name. `None`: not collected (a snapshot from an older version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    /// `us-east-1a`: names differ between accounts, so the zone id is kept too.
    pub availability_zone: String,
    pub availability_zone_id: Option<String>,
}

/// What the scan read about one S3 bucket, each part on its own: one can fail while the
/// others succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketPosture {
    pub bucket: String,
    /// s3:ListBuckets (filtered by the bucket's name): whether the audited account owns it.
    pub owned_by_account: Collected<bool>,
    /// s3:GetBucketEncryption; `None` inside: no default-encryption configuration.
    pub encryption: Collected<Option<Vec<BucketEncryptionRule>>>,
    /// s3:GetPublicAccessBlock; `None` inside: the bucket has no public access block.
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    /// s3:GetBucketLifecycleConfiguration; empty: no lifecycle configuration.
    pub lifecycle_rules: Collected<Vec<LifecycleRule>>,
    /// s3:GetBucketVersioning: `Enabled`, `Suspended`, or empty when versioning was never
    /// enabled. A versioned bucket keeps a log object's noncurrent versions after it expires.
    /// `None` (absent in a snapshot of an earlier build) means not collected, which the rule
    /// reports as `error`, never `pass`.
    #[serde(default)]
    pub versioning: Option<Collected<String>>,
    /// s3:GetObjectLockConfiguration; `None` inside: Object Lock is not enabled on the bucket.
    /// `None` (an older snapshot) means not collected.
    #[serde(default)]
    pub object_lock: Option<Collected<Option<ObjectLock>>>,
    /// s3:GetBucketPolicy, the policy document as S3 returns it; `None` inside: no policy.
    /// `None` (an older snapshot) means not collected.
    #[serde(default)]
    pub policy: Option<Collected<Option<String>>>,
}

/// A bucket's Object Lock configuration: a default retention keeps every new object version
/// from being deleted for its period, whatever the lifecycle rules say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// `ObjectLockEnabled`: `Enabled`.
    pub enabled: String,
    /// `Rule.DefaultRetention.Mode`: `GOVERNANCE` or `COMPLIANCE`; `None`: no default retention.
    pub mode: Option<String>,
    pub days: Option<i32>,
    pub years: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketEncryptionRule {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub bucket_key_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    /// The key prefix the rule is limited to (`Filter.Prefix`, or the legacy `Prefix`); `None`
    /// or empty: the whole bucket.
    pub prefix: Option<String>,
    /// The rule is also limited by tags or object size, so it may not reach every log object.
    pub narrowed_by_tags_or_size: bool,
    pub expiration_days: Option<i32>,
    /// An expiration on a fixed date rather than an age.
    pub expiration_date: Option<String>,
    /// `NoncurrentVersionExpiration.NoncurrentDays`: how long a version is kept once it is no
    /// longer current (in a versioned bucket, after the current version expires).
    #[serde(default)]
    pub noncurrent_expiration_days: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<IngressRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngressRule {
    /// `tcp`, `udp`, `-1` for all.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidr_blocks: Vec<String>,
    pub source_group_ids: Vec<String>,
    /// Managed prefix lists the rule admits (`PrefixListIds`); their CIDRs are in
    /// [`RegionSnapshot::prefix_lists`]. Absent in an older snapshot, which did not read them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub log_file_validation_enabled: bool,
    pub kms_key_id: Option<String>,
    pub s3_bucket_name: Option<String>,
    pub cloudwatch_logs_log_group_arn: Option<String>,
    /// cloudtrail:GetTrailStatus.
    pub status: Collected<TrailStatus>,
    /// cloudtrail:GetEventSelectors.
    pub event_selectors: Collected<EventSelectors>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    pub basic: Vec<BasicEventSelector>,
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicEventSelector {
    /// All, ReadOnly, WriteOnly.
    pub read_write_type: String,
    pub include_management_events: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    pub field: String,
    #[serde(default)]
    pub equals: Vec<String>,
    #[serde(default)]
    pub not_equals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    pub name: String,
    pub arn: String,
    /// `None` means the group never expires.
    pub retention_in_days: Option<i32>,
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub key_id: String,
    pub arn: String,
    /// Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, …
    pub key_state: String,
    /// AWS or CUSTOMER.
    pub key_manager: String,
    pub deletion_date: Option<String>,
    /// kms:GetKeyRotationStatus.
    pub rotation: Collected<KeyRotation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRotation {
    Enabled,
    Disabled,
    /// The key type does not support automatic rotation (asymmetric, HMAC, imported material,
    /// custom key store): a fact about the key, not a failed read.
    Unsupported,
}

/// Claude Code settings files (`--claude-settings`), as read and with every secret value
/// replaced by a redaction marker, plus what the scan read about the resources they name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClaudeSettings {
    /// In the order given on the command line.
    pub files: Vec<SettingsFile>,
    /// bedrock:GetGuardrail for each guardrail the merged settings name.
    #[serde(default)]
    pub guardrails: Vec<GuardrailRead>,
}

/// Where a settings file sits in Claude Code's precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsKind {
    /// `managed-settings.json`: pushed by IT, wins over everything.
    Managed,
    /// `.claude/settings.local.json`.
    Local,
    /// `.claude/settings.json`.
    Project,
    /// `~/.claude/settings.json`.
    User,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    /// The path as given.
    pub path: String,
    pub kind: SettingsKind,
    /// The file's JSON, with secret values replaced by `<redacted sha256:…>` markers.
    pub content: serde_json::Value,
    /// Every value that was redacted, and why.
    pub redactions: Vec<Redaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// Where in the file, e.g. `env.AWS_SECRET_ACCESS_KEY`.
    pub json_path: String,
    pub reason: RedactionReason,
    /// The first 12 hex digits of the value's SHA-256: enough to tell two secrets apart, or
    /// to match a known one, without holding it.
    pub sha256_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedactionReason {
    /// A variable or key whose name says it holds a credential (`AWS_SECRET_ACCESS_KEY`,
    /// `*_TOKEN`, `*_API_KEY`, `*_SECRET*`, …) with a literal value.
    SecretVariable,
    /// An AWS access-key id (`AKIA…`, `ASIA…`, `ABIA…`, `ACCA…`) inside a value or key.
    AccessKeyId,
    /// An AWS secret access key, by its shape or the name before it.
    SecretAccessKey,
    /// An AWS session token, by its shape or the name before it.
    SessionToken,
    /// A long-term Amazon Bedrock API key (`ABSK…`).
    BedrockApiKey,
    /// A short-term Amazon Bedrock API key (`bedrock-api-key-…`).
    BedrockShortTermApiKey,
    /// An Anthropic API key or token (`sk-ant-…`).
    AnthropicApiKey,
    /// An `Authorization`, `x-api-key` or other credential header value, or a bearer token.
    AuthorizationHeader,
    /// User info (`user:password@`) in a URL.
    UrlUserInfo,
    /// A credential helper command (`apiKeyHelper`, `awsCredentialExport`,
    /// `otelHeadersHelper`) that prints a literal: the credential is in the file.
    CommandLiteral,
}

/// One bedrock:GetGuardrail read for a guardrail named in `ANTHROPIC_CUSTOM_HEADERS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardrailRead {
    pub region: String,
    /// As the header names it: an id or an ARN.
    pub identifier: String,
    /// As the header names it; `None` reads the working draft.
    pub version: Option<String>,
    pub guardrail: Collected<Guardrail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    pub guardrail_id: String,
    pub guardrail_arn: String,
    pub name: String,
    pub version: String,
    /// CREATING, UPDATING, VERSIONING, READY, FAILED, DELETING.
    pub status: String,
}
