//! `bedrock-private-network`: when the profile requires that no Bedrock or STS traffic leaves
//! the network (`[network] private_only`), every VPC that hosts a bedrock-runtime interface
//! endpoint also has interface endpoints for the bedrock control plane (Claude Code calls
//! ListInferenceProfiles and GetInferenceProfile at start-up) and for sts (credential
//! refresh), all available with private DNS; the bedrock-runtime endpoint spans two or more
//! Availability Zones; the endpoints' security groups admit HTTPS from every developer network
//! (`allowed_cidrs`) and not from the whole internet; and the endpoint policies allow the calls
//! Claude Code makes on the configured models, judged by [`crate::endpoint_policy`].
//!
//! One finding per bedrock-runtime endpoint, or one `fail` for a region without any. Endpoints
//! are needed in the target (source) regions only: a cross-region profile routes inside AWS.

use std::cell::Cell;
use std::collections::HashMap;

use ipnet::IpNet;

use crate::access_plan::{needed_decisions, INVOKE_MODEL, INVOKE_STREAM, OUTSIDE_SOURCE_IP};
use crate::endpoint_policy::{Decision, Organization, Policy, Request};
use crate::finding::{Evidence, Finding, Status};
use crate::rules::support::{admits_https, Judgement};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::{RegionSnapshot, SecurityGroup, Subnet, VpcEndpoint};

const ENDPOINTS: &str = "ec2:DescribeVpcEndpoints";
const GROUPS: &str = "ec2:DescribeSecurityGroups";
const SUBNETS: &str = "ec2:DescribeSubnets";
const PREFIX_LISTS: &str = "ec2:GetManagedPrefixListEntries";
const SIMULATE: &str = "iam:SimulatePrincipalPolicy";
const PROFILES: &str = "bedrock:ListInferenceProfiles";
const PROFILE_KEY: &str = "network.private_only";
/// Destinations that admit the whole internet.
const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];
/// How many denied requests a message lists before summarising.
const LISTED: usize = 5;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let network = &ctx.profile.network;
    if !network.private_only {
        return vec![ctx
            .finding(
                Status::NotApplicable,
                "global",
                format!("profile/{PROFILE_KEY}"),
                "The profile does not require a private path ([network] private_only = false), so the bedrock, sts and bedrock-runtime endpoints were not judged as a whole; bedrock-runtime-vpc-endpoint still checks the inference endpoint.",
            )
            .with_evidence(Evidence::new("profile", None).with(PROFILE_KEY, false))];
    }
    let account = ctx.snapshot.account_label();
    ctx.per_region(|region, snapshot, findings| {
        let runtime_service = service_name(region, "bedrock-runtime");
        let region_resource = format!("arn:aws:ec2:{region}:{account}:vpc-endpoint/*");
        let endpoints = match snapshot.vpc_endpoints.as_result() {
            Ok(endpoints) => endpoints,
            Err(error) => {
                findings.push(ctx.unreadable(
                    region,
                    region_resource,
                    &format!("the VPC endpoints of {region}"),
                    error,
                ));
                return;
            }
        };
        let index = RegionIndex::new(snapshot, endpoints);
        let enforcement = Enforcement::of(ctx, snapshot, region);
        let runtime: Vec<&VpcEndpoint> = interface_endpoints(endpoints, &runtime_service).collect();
        if runtime.is_empty() {
            findings.push(
                ctx.finding(
                    Status::Fail,
                    region,
                    region_resource,
                    format!(
                        "No Interface VPC endpoint for {runtime_service} in {region}: with [network] private_only, Claude Code's prompts would leave the network over the public endpoint, or fail where egress is closed."
                    ),
                )
                .with_evidence(
                    Evidence::new(ENDPOINTS, Some(region))
                        .with("service_name", &runtime_service)
                        .with("interface_endpoint_count", 0),
                ),
            );
            return;
        }
        for endpoint in runtime {
            let resource = format!(
                "arn:aws:ec2:{region}:{account}:vpc-endpoint/{}",
                endpoint.endpoint_id
            );
            let mut judgement = judge(ctx, snapshot, &index, region, endpoint);
            let enforcement_note = enforcement.judge(&mut judgement, ctx, region);
            let subject = format!(
                "The private path through VPC {} ({}) is incomplete",
                endpoint.vpc_id, endpoint.endpoint_id
            );
            let pass = format!(
                "VPC {} keeps Claude Code's traffic private in {region}: interface endpoints for bedrock-runtime ({}), bedrock and sts are available with private DNS, bedrock-runtime spans two or more Availability Zones, the security groups admit HTTPS from {} and not from the internet, and the endpoint policies allow the configured models.",
                endpoint.vpc_id,
                endpoint.endpoint_id,
                if ctx.profile.network.allowed_cidrs.is_empty() {
                    "somewhere (no allowed_cidrs stated)".to_string()
                } else {
                    ctx.profile.network.allowed_cidrs.join(", ")
                }
            );
            findings.push(judgement.finding(
                ctx,
                region,
                &resource,
                &subject,
                format!("{pass}{enforcement_note}"),
            ));
        }
    })
}

fn service_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

fn interface_endpoints<'a>(
    endpoints: &'a [VpcEndpoint],
    service: &'a str,
) -> impl Iterator<Item = &'a VpcEndpoint> {
    endpoints.iter().filter(move |e| {
        e.service_name == service && e.endpoint_type.eq_ignore_ascii_case("Interface")
    })
}

/// The region's endpoints, security groups and subnets by the keys the rule looks them up
/// with, built once per region: judging each of R runtime endpoints by scanning all E
/// endpoints was R × E work (40,000 endpoints took 27.6 s, issue 24).
struct RegionIndex<'a> {
    /// Interface endpoints by service name, then VPC id.
    interface: HashMap<&'a str, HashMap<&'a str, Vec<&'a VpcEndpoint>>>,
    groups: HashMap<&'a str, &'a SecurityGroup>,
    subnets: HashMap<&'a str, &'a Subnet>,
    /// Items handed out by lookups: what the rule examines, counted so a test can bound it.
    examined: Cell<usize>,
}

impl<'a> RegionIndex<'a> {
    /// Groups and subnets that could not be read are indexed as none: the rule reports those
    /// sections as unreadable before it looks anything up in them.
    fn new(snapshot: &'a RegionSnapshot, endpoints: &'a [VpcEndpoint]) -> RegionIndex<'a> {
        Self::of(
            endpoints,
            snapshot
                .security_groups
                .as_result()
                .map_or(&[], |g| g.as_slice()),
            match snapshot.subnets.as_ref().map(|s| s.as_result()) {
                Some(Ok(subnets)) => subnets.as_slice(),
                _ => &[],
            },
        )
    }

    fn of(
        endpoints: &'a [VpcEndpoint],
        groups: &'a [SecurityGroup],
        subnets: &'a [Subnet],
    ) -> RegionIndex<'a> {
        let mut interface: HashMap<&str, HashMap<&str, Vec<&VpcEndpoint>>> = HashMap::new();
        for endpoint in endpoints
            .iter()
            .filter(|e| e.endpoint_type.eq_ignore_ascii_case("Interface"))
        {
            interface
                .entry(endpoint.service_name.as_str())
                .or_default()
                .entry(endpoint.vpc_id.as_str())
                .or_default()
                .push(endpoint);
        }
        RegionIndex {
            interface,
            groups: groups.iter().map(|g| (g.group_id.as_str(), g)).collect(),
            subnets: subnets.iter().map(|s| (s.subnet_id.as_str(), s)).collect(),
            examined: Cell::new(0),
        }
    }

    /// The interface endpoints for `service` in `vpc`.
    fn interface_in_vpc(&self, service: &str, vpc: &str) -> &[&'a VpcEndpoint] {
        let found = self
            .interface
            .get(service)
            .and_then(|by_vpc| by_vpc.get(vpc))
            .map_or(&[][..], Vec::as_slice);
        self.examined.set(self.examined.get() + found.len());
        found
    }

    fn group(&self, id: &str) -> Option<&'a SecurityGroup> {
        self.examined.set(self.examined.get() + 1);
        self.groups.get(id).copied()
    }

    fn subnet(&self, id: &str) -> Option<&'a Subnet> {
        self.examined.set(self.examined.get() + 1);
        self.subnets.get(id).copied()
    }
}

fn judge(
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    index: &RegionIndex,
    region: &str,
    runtime: &VpcEndpoint,
) -> Judgement {
    let mut judgement = Judgement::new();
    judgement.evidence(endpoint_evidence(region, runtime));
    endpoint_basics(&mut judgement, runtime, "bedrock-runtime");
    availability_zones(&mut judgement, snapshot, index, region, runtime);
    security_groups(
        &mut judgement,
        ctx,
        snapshot,
        index,
        region,
        runtime,
        "bedrock-runtime",
    );
    policy(
        &mut judgement,
        ctx,
        snapshot,
        region,
        runtime,
        &[INVOKE_MODEL, INVOKE_STREAM],
    );

    // The control plane and sts endpoints must be in the same VPC: private DNS resolves the
    // service's name to an endpoint of the VPC the query comes from.
    for (service, why) in [
        (
            "bedrock",
            "Claude Code's start-up calls (ListInferenceProfiles, GetInferenceProfile)",
        ),
        ("sts", "credential refresh (SSO and assume-role)"),
    ] {
        let name = service_name(region, service);
        if !snapshot.vpc_endpoint_services.contains(&name) {
            judgement.missing(
                format!("the {name} endpoints were not collected (a snapshot from an older bedrock-audit)"),
                Evidence::new(ENDPOINTS, Some(region)).with("service_name", &name).with("collected", false),
            );
            continue;
        }
        let found = index.interface_in_vpc(&name, &runtime.vpc_id);
        let Some(endpoint) = found
            .iter()
            .find(|e| e.state.eq_ignore_ascii_case("available") && e.private_dns_enabled)
            .or(found.first())
        else {
            judgement.evidence(
                Evidence::new(ENDPOINTS, Some(region))
                    .with("service_name", &name)
                    .with("VpcId", &runtime.vpc_id)
                    .with("interface_endpoint_count", 0),
            );
            judgement.problem(format!(
                "VPC {} has no interface endpoint for {name}, so {why} leave the network or fail",
                runtime.vpc_id
            ));
            continue;
        };
        judgement.evidence(endpoint_evidence(region, endpoint));
        endpoint_basics(&mut judgement, endpoint, service);
        security_groups(
            &mut judgement,
            ctx,
            snapshot,
            index,
            region,
            endpoint,
            service,
        );
        if service == "bedrock" {
            policy(
                &mut judgement,
                ctx,
                snapshot,
                region,
                endpoint,
                &[
                    crate::access_plan::GET_PROFILE,
                    crate::access_plan::LIST_PROFILES,
                ],
            );
        }
    }
    judgement
}

fn endpoint_evidence(region: &str, endpoint: &VpcEndpoint) -> Evidence {
    Evidence::new(ENDPOINTS, Some(region))
        .with("VpcEndpointId", &endpoint.endpoint_id)
        .with("VpcId", &endpoint.vpc_id)
        .with("ServiceName", &endpoint.service_name)
        .with("State", &endpoint.state)
        .with("PrivateDnsEnabled", endpoint.private_dns_enabled)
        .with("SubnetIds", &endpoint.subnet_ids)
        .with("Groups", &endpoint.security_group_ids)
}

fn endpoint_basics(judgement: &mut Judgement, endpoint: &VpcEndpoint, service: &str) {
    if !endpoint.state.eq_ignore_ascii_case("available") {
        judgement.problem(format!(
            "the {service} endpoint {} is {}, not available",
            endpoint.endpoint_id, endpoint.state
        ));
    }
    if !endpoint.private_dns_enabled {
        judgement.problem(format!(
            "the {service} endpoint {} has private DNS off, so the service's public name still resolves to the internet",
            endpoint.endpoint_id
        ));
    }
}

fn availability_zones(
    judgement: &mut Judgement,
    snapshot: &RegionSnapshot,
    index: &RegionIndex,
    region: &str,
    endpoint: &VpcEndpoint,
) {
    match snapshot.subnets.as_ref().map(|s| s.as_result()) {
        None => {
            judgement.missing(
                "the endpoint's subnets were not collected (a snapshot from an older bedrock-audit)",
                Evidence::new(SUBNETS, Some(region)).with("collected", false),
            );
            return;
        }
        Some(Err(error)) => {
            judgement.unreadable(
                format!("the subnets of endpoint {}", endpoint.endpoint_id),
                error,
            );
            return;
        }
        Some(Ok(_)) => {}
    };
    let mut zones = std::collections::BTreeSet::new();
    let mut absent = Vec::new();
    for id in &endpoint.subnet_ids {
        match index.subnet(id) {
            // The zone id names the same physical zone in every account; the name may not.
            Some(subnet) => {
                zones.insert(
                    subnet
                        .availability_zone_id
                        .clone()
                        .unwrap_or_else(|| subnet.availability_zone.clone()),
                );
            }
            None => absent.push(id.as_str()),
        }
    }
    judgement.evidence(
        Evidence::new(SUBNETS, Some(region))
            .with("SubnetIds", &endpoint.subnet_ids)
            .with("availability_zones", &zones)
            .with("subnets_not_returned", &absent),
    );
    if zones.len() >= 2 {
        return;
    }
    if absent.is_empty() {
        judgement.problem(format!(
            "the bedrock-runtime endpoint {} is in {} Availability Zone(s), so losing one zone cuts Claude Code off: add a subnet in a second zone",
            endpoint.endpoint_id,
            zones.len()
        ));
    } else {
        judgement.missing(
            format!(
                "subnets {} were not returned, so the endpoint's zones are unknown",
                absent.join(", ")
            ),
            Evidence::new(SUBNETS, Some(region)).with("SubnetIds", &absent),
        );
    }
}

fn security_groups(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    index: &RegionIndex,
    region: &str,
    endpoint: &VpcEndpoint,
    service: &str,
) {
    if endpoint.security_group_ids.is_empty() {
        judgement.problem(format!(
            "the {service} endpoint {} has no security group, so no HTTPS reaches it",
            endpoint.endpoint_id
        ));
        return;
    }
    if let Err(error) = snapshot.security_groups.as_result() {
        judgement.unreadable(
            format!(
                "the security groups of the {service} endpoint {}",
                endpoint.endpoint_id
            ),
            error,
        );
        return;
    }
    let groups: Vec<&SecurityGroup> = endpoint
        .security_group_ids
        .iter()
        .filter_map(|id| index.group(id))
        .collect();
    let absent: Vec<&str> = endpoint
        .security_group_ids
        .iter()
        .filter(|id| !groups.iter().any(|g| &g.group_id == *id))
        .map(String::as_str)
        .collect();
    if !absent.is_empty() {
        judgement.missing(
            format!(
                "security groups {} of the {service} endpoint were not collected",
                absent.join(", ")
            ),
            Evidence::new(GROUPS, Some(region)).with("GroupIds", &absent),
        );
        return;
    }
    // Every CIDR block admitted on TCP 443, by any of the endpoint's groups, directly or
    // through a managed prefix list: a rule naming a list admits each CIDR in it (Amazon VPC
    // User Guide, "Group CIDR blocks using managed prefix lists").
    let https_rules: Vec<_> = groups
        .iter()
        .flat_map(|g| g.ingress.iter())
        .filter(|rule| admits_https(rule))
        .collect();
    let mut https_sources: Vec<&str> = https_rules
        .iter()
        .flat_map(|rule| rule.cidr_blocks.iter().map(String::as_str))
        .collect();
    let prefix_list_ids: std::collections::BTreeSet<&str> = https_rules
        .iter()
        .flat_map(|rule| rule.prefix_list_ids.iter().map(String::as_str))
        .collect();
    let mut every_list_read = true;
    for id in &prefix_list_ids {
        match snapshot.prefix_lists.get(*id).map(|list| list.as_result()) {
            Some(Ok(cidrs)) => https_sources.extend(cidrs.iter().map(String::as_str)),
            Some(Err(error)) => {
                every_list_read = false;
                judgement.unreadable(
                    format!(
                        "the managed prefix list {id} that the {service} endpoint's security groups admit HTTPS from"
                    ),
                    error,
                );
            }
            None => {
                every_list_read = false;
                judgement.missing(
                    format!("the managed prefix list {id} was not collected (a snapshot from an older bedrock-audit)"),
                    Evidence::new(PREFIX_LISTS, Some(region))
                        .with("PrefixListId", *id)
                        .with("collected", false),
                );
            }
        }
    }
    judgement.evidence(
        Evidence::new(GROUPS, Some(region))
            .with("VpcEndpointId", &endpoint.endpoint_id)
            .with("GroupIds", &endpoint.security_group_ids)
            .with("https_prefix_lists", &prefix_list_ids)
            .with("https_cidr_sources", &https_sources),
    );
    let open: Vec<&str> = https_sources
        .iter()
        .copied()
        .filter(|cidr| WORLD.contains(cidr))
        .collect();
    if !open.is_empty() {
        judgement.problem(format!(
            "the {service} endpoint {} admits HTTPS from {} (the whole internet): restrict it to the developer networks",
            endpoint.endpoint_id,
            open.join(" and ")
        ));
    }
    let admitted: Vec<IpNet> = https_sources
        .iter()
        .filter_map(|cidr| cidr.parse::<IpNet>().ok())
        .collect();
    let uncovered: Vec<&str> = ctx
        .profile
        .network
        .allowed_cidrs
        .iter()
        .filter(|wanted| {
            wanted
                .parse::<IpNet>()
                .map_or(true, |wanted| !covered_by_union(&wanted, &admitted))
        })
        .map(String::as_str)
        .collect();
    // An unread prefix list might admit the rest: that is an error (reported above), not a fail.
    if !uncovered.is_empty() && every_list_read {
        judgement.problem(format!(
            "the {service} endpoint {}'s security groups do not admit HTTPS from {} (network.allowed_cidrs)",
            endpoint.endpoint_id,
            uncovered.join(", ")
        ));
    }
}

/// Whether the admitted blocks together cover every address of `wanted`: two rules for
/// 10.0.0.0/9 and 10.128.0.0/9 admit 10.0.0.0/8 as one rule would, since a security group
/// allows a packet that any of its rules allows.
fn covered_by_union(wanted: &IpNet, admitted: &[IpNet]) -> bool {
    let (start, end) = bounds(wanted);
    let mut ranges: Vec<(u128, u128)> = admitted
        .iter()
        .filter(|a| a.addr().is_ipv4() == wanted.addr().is_ipv4())
        .map(bounds)
        .filter(|(low, high)| *high >= start && *low <= end)
        .collect();
    ranges.sort_unstable();
    // Sweep from the first address: each range must begin at or before the next uncovered one.
    let mut next = start;
    for (low, high) in ranges {
        if low > next {
            return false;
        }
        if high >= end {
            return true;
        }
        next = next.max(high + 1);
    }
    false
}

/// The first and last address of a block, as numbers.
fn bounds(net: &IpNet) -> (u128, u128) {
    let number = |address: std::net::IpAddr| match address {
        std::net::IpAddr::V4(v4) => u128::from(u32::from(v4)),
        std::net::IpAddr::V6(v6) => u128::from(v6),
    };
    (number(net.network()), number(net.broadcast()))
}

/// Judges the endpoint policy for every decision of the configured models that goes through
/// this endpoint (`actions`), for each developer principal (or an unknown one).
fn policy(
    judgement: &mut Judgement,
    ctx: &RuleContext,
    snapshot: &RegionSnapshot,
    region: &str,
    endpoint: &VpcEndpoint,
    actions: &[&str],
) {
    let Some(text) = endpoint.policy_document.as_deref() else {
        judgement.missing(
            format!(
                "{ENDPOINTS} returned no PolicyDocument for {}",
                endpoint.endpoint_id
            ),
            Evidence::new(ENDPOINTS, Some(region))
                .with("VpcEndpointId", &endpoint.endpoint_id)
                .with("PolicyDocument", Option::<String>::None),
        );
        return;
    };
    let evidence = Evidence::new(ENDPOINTS, Some(region))
        .with("VpcEndpointId", &endpoint.endpoint_id)
        .with("PolicyDocument", text);
    let parsed = match Policy::parse(text) {
        Ok(parsed) => parsed,
        Err(why) => {
            judgement.evidence(evidence);
            judgement.undetermined(format!(
                "the policy of endpoint {} cannot be read: {why}",
                endpoint.endpoint_id
            ));
            return;
        }
    };
    judgement.evidence(evidence);
    let profiles = match snapshot.inference_profiles.as_result() {
        Ok(profiles) => profiles.as_slice(),
        Err(error) => {
            judgement.unreadable(
                format!("the inference profiles of {region}, which say which models the endpoint policy must allow"),
                error,
            );
            return;
        }
    };
    let principals: Vec<Option<&str>> = if ctx.profile.access.developer_principals.is_empty() {
        vec![None]
    } else {
        ctx.profile
            .access
            .developer_principals
            .iter()
            .map(|p| Some(p.as_str()))
            .collect()
    };
    let mut denied = Vec::new();
    let mut routed_denied = Vec::new();
    let mut undetermined = Vec::new();
    let mut judged = 0usize;
    let resolution = crate::claude_code::models::audited_models(ctx.snapshot, ctx.profile);
    judgement.evidence(crate::claude_code::models::resolution_evidence(
        &resolution,
        region,
    ));
    for role in resolution.roles_in(region) {
        let needed = match needed_decisions(region, role.model_id, profiles) {
            Ok(needed) => needed,
            Err(why) => {
                judgement.missing(
                    format!(
                        "the requests for the {} model {}: {why}",
                        role.role, role.model_id
                    ),
                    Evidence::new(PROFILES, Some(region)).with("model", role.model_id),
                );
                continue;
            }
        };
        for decision in needed.iter().filter(|d| actions.contains(&d.action)) {
            for principal in &principals {
                judged += 1;
                let request = Request {
                    action: decision.action,
                    resource: &decision.resource,
                    principal: *principal,
                    requested_region: &decision.requested_region,
                    organization: organization_of(ctx, *principal),
                };
                let who = principal.map(|p| format!(" for {p}")).unwrap_or_default();
                // The request a developer sends names the profile (or a bare model id), and it
                // certainly passes this endpoint. Whether the endpoint's policy is also
                // evaluated for the foundation-model requests a profile makes on the
                // developer's behalf (bedrock:InferenceProfileArn set) no AWS source says: the
                // user guide documents them for IAM and SCPs only (inference-profiles-prereq,
                // cross-region-inference). A denial of one of those is undetermined, not a fail.
                let blocked = if decision.inference_profile_arn.is_some()
                    && decision.resource.contains(":foundation-model/")
                {
                    &mut routed_denied
                } else {
                    &mut denied
                };
                match parsed.evaluate(&request) {
                    Decision::Allowed { .. } => {}
                    Decision::Denied { statement } => blocked.push(format!(
                        "{} on {}{who} (denied by {statement})",
                        decision.action, decision.resource
                    )),
                    Decision::ImplicitlyDenied => blocked.push(format!(
                        "{} on {}{who} (no statement allows it)",
                        decision.action, decision.resource
                    )),
                    Decision::Undetermined { reason } => undetermined.push(format!(
                        "{} on {}{who}: {reason}",
                        decision.action, decision.resource
                    )),
                }
            }
        }
    }
    judgement.evidence(
        Evidence::new(ENDPOINTS, Some(region))
            .with("VpcEndpointId", &endpoint.endpoint_id)
            .with("policy_requests_judged", judged)
            .with("policy_requests_denied", &denied)
            .with("policy_routed_requests_denied", &routed_denied)
            .with("policy_requests_undetermined", &undetermined),
    );
    if !routed_denied.is_empty() {
        judgement.undetermined(format!(
            "the policy of endpoint {} would deny {} foundation-model request(s) an inference profile makes on the developer's behalf, and no AWS source says whether a source-region endpoint policy is evaluated for those (only IAM and SCPs are documented to be); allow them to be sure: {}",
            endpoint.endpoint_id,
            routed_denied.len(),
            summarised(&routed_denied)
        ));
    }
    if !denied.is_empty() {
        judgement.problem(format!(
            "the policy of endpoint {} blocks {} request(s) Claude Code makes: {}",
            endpoint.endpoint_id,
            denied.len(),
            summarised(&denied)
        ));
    }
    if !undetermined.is_empty() {
        judgement.undetermined(format!(
            "the policy of endpoint {} has what the rule cannot evaluate for {} request(s): {}",
            endpoint.endpoint_id,
            undetermined.len(),
            summarised(&undetermined)
        ));
    }
}

/// `aws:PrincipalOrgID` for a developer principal: the scanned account's organisation
/// (organizations:DescribeOrganization) when the principal is in the scanned account; unknown
/// for a principal of another account, whose membership was not read.
fn organization_of<'a>(ctx: &'a RuleContext, principal: Option<&str>) -> Organization<'a> {
    let same_account = principal
        .and_then(|p| p.split(':').nth(4))
        .is_some_and(|account| Some(account) == ctx.snapshot.account_id());
    match ctx.snapshot.organization_id.as_ref().map(|o| o.as_result()) {
        Some(Ok(Some(id))) if same_account => Organization::Member(id),
        Some(Ok(None)) if same_account => Organization::NotAMember,
        _ => Organization::Unknown,
    }
}

/// Whether the private path is enforced or merely available: each developer's InvokeModel
/// simulated from outside it (no `aws:SourceVpce`, `aws:SourceIp` a public address). A policy
/// that denies it (for example a Deny on `aws:SourceVpce`, AWS PrivateLink Guide "Control
/// access to VPC endpoints using endpoint policies" and the IAM User Guide's aws:SourceVpce
/// key) enforces the path; otherwise a developer can bypass it from anywhere.
enum Enforcement {
    /// Every developer is denied from outside.
    Enforced,
    /// These developers are allowed from outside.
    Bypassable(Vec<String>),
    /// Why it is not known (not collected, unreadable, a key the simulation lacked...).
    Unknown(String),
}

/// The keys a request from outside the private path does not carry: their absence is the
/// point of the simulation, not a gap in it.
const PATH_KEYS: [&str; 3] = ["aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"];

impl Enforcement {
    fn of(ctx: &RuleContext, snapshot: &RegionSnapshot, region: &str) -> Enforcement {
        let Some(simulations) = snapshot.outside_origin_simulations.as_ref() else {
            return Enforcement::Unknown(
                "the invokes from outside the private path were not simulated (a snapshot from an older bedrock-audit)".into(),
            );
        };
        let principals = &ctx.profile.access.developer_principals;
        if principals.is_empty() {
            return Enforcement::Unknown(
                "no [access] developer_principals are configured whose invoke from outside the private path could be simulated".into(),
            );
        }
        let mut bypass = Vec::new();
        for principal in principals {
            let mut simulated = simulations
                .iter()
                .filter(|s| &s.principal == principal && s.requested_region == region)
                .peekable();
            if simulated.peek().is_none() {
                return Enforcement::Unknown(format!(
                    "{principal}'s invoke from outside the private path was not simulated in {region}"
                ));
            }
            for simulation in simulated {
                let results = match simulation.results.as_result() {
                    Ok(results) => results,
                    Err(error) => {
                        return Enforcement::Unknown(format!(
                            "{principal}'s invoke from outside the private path could not be simulated: {} failed with {}",
                            error.operation, error.code
                        ))
                    }
                };
                for result in results {
                    if result.decision == "allowed" {
                        bypass.push(principal.clone());
                        continue;
                    }
                    let other_keys: Vec<&str> = result
                        .missing_context_values
                        .iter()
                        .map(String::as_str)
                        .filter(|k| !PATH_KEYS.contains(&k.to_ascii_lowercase().as_str()))
                        .collect();
                    if !other_keys.is_empty() {
                        return Enforcement::Unknown(format!(
                            "{principal}'s invoke from outside the private path was denied, but the decision turns on {} which the simulation did not have",
                            other_keys.join(", ")
                        ));
                    }
                }
            }
        }
        bypass.dedup();
        if bypass.is_empty() {
            Enforcement::Enforced
        } else {
            Enforcement::Bypassable(bypass)
        }
    }

    /// Adds what `[network] require_enforced` makes of it to the judgement, and returns the
    /// sentence a passing finding adds.
    fn judge(&self, judgement: &mut Judgement, ctx: &RuleContext, region: &str) -> String {
        let required = ctx.profile.network.require_enforced;
        let mut evidence = Evidence::new(SIMULATE, Some(region))
            .with("aws:SourceIp", OUTSIDE_SOURCE_IP)
            .with("aws:SourceVpce", Option::<String>::None)
            .with("network.require_enforced", required);
        match self {
            Enforcement::Enforced => {
                judgement.evidence(evidence.with("enforced", true));
                " Invokes from outside the endpoint are denied by policy: the private path is enforced.".into()
            }
            Enforcement::Bypassable(principals) => {
                let sentence = format!(
                    "the private path is available but not enforced: {} can invoke models from outside it (simulated with no aws:SourceVpce and aws:SourceIp {OUTSIDE_SOURCE_IP}); deny bedrock:InvokeModel* unless aws:SourceVpce names the endpoint",
                    principals.join(", ")
                );
                evidence = evidence
                    .with("enforced", false)
                    .with("allowed_from_outside", principals);
                judgement.evidence(evidence);
                if required {
                    judgement.problem(format!("{sentence} (network.require_enforced)"));
                    String::new()
                } else {
                    let mut chars = sentence.chars();
                    let capitalised: String = chars
                        .next()
                        .map(|c| c.to_ascii_uppercase())
                        .into_iter()
                        .chain(chars)
                        .collect();
                    format!(" {capitalised}.")
                }
            }
            Enforcement::Unknown(why) => {
                if required {
                    judgement.undetermined(format!(
                        "whether the private path is enforced (network.require_enforced) is unknown: {why}"
                    ));
                    judgement.evidence(evidence.with("enforced", Option::<bool>::None));
                }
                String::new()
            }
        }
    }
}

/// The first few items, then how many more.
fn summarised(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > LISTED {
        text.push_str(&format!("; and {} more", items.len() - LISTED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(blocks: &[&str]) -> Vec<IpNet> {
        blocks.iter().map(|b| b.parse().expect("a CIDR")).collect()
    }

    #[test]
    fn a_cidr_is_covered_by_the_union_of_several_rules() {
        let wanted: IpNet = "10.0.0.0/8".parse().expect("a CIDR");
        for (admitted, covered) in [
            (&["10.0.0.0/8"][..], true),
            (&["0.0.0.0/1"][..], true),
            (&["10.0.0.0/9", "10.128.0.0/9"][..], true),
            (&["10.128.0.0/9", "10.0.0.0/9"][..], true),
            (&["10.0.0.0/9", "10.64.0.0/10", "10.128.0.0/9"][..], true),
            (
                &["9.0.0.0/8", "10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/10"][..],
                true,
            ),
            (&["10.0.0.0/9"][..], false),
            (&["10.0.0.0/9", "10.192.0.0/10"][..], false),
            (&["10.0.0.0/9", "10.128.0.0/10", "10.200.0.0/13"][..], false),
            (&["10.128.0.0/9", "9.0.0.0/8"][..], false),
            (&["::/0"][..], false),
            (&[][..], false),
        ] {
            assert_eq!(
                covered_by_union(&wanted, &nets(admitted)),
                covered,
                "{admitted:?}"
            );
        }
        let wanted: IpNet = "2001:db8::/32".parse().expect("a CIDR");
        assert!(covered_by_union(
            &wanted,
            &nets(&["2001:db8::/33", "2001:db8:8000::/33"])
        ));
        assert!(!covered_by_union(
            &wanted,
            &nets(&["2001:db8::/33", "0.0.0.0/0"])
        ));
        let everything: IpNet = "::/0".parse().expect("a CIDR");
        assert!(covered_by_union(&everything, &nets(&["::/1", "8000::/1"])));
    }

    fn endpoint(id: usize, service: &str) -> VpcEndpoint {
        VpcEndpoint {
            endpoint_id: format!("vpce-{service}-{id}"),
            vpc_id: format!("vpc-{id}"),
            service_name: service_name("us-east-1", service),
            endpoint_type: "Interface".into(),
            state: "available".into(),
            private_dns_enabled: true,
            subnet_ids: vec![format!("subnet-{id}")],
            security_group_ids: vec![format!("sg-{id}")],
            policy_document: None,
            dns_names: None,
        }
    }

    /// Issue 24: 40,000 endpoints took 27.6 s because each runtime endpoint scanned every
    /// endpoint for its VPC's bedrock and sts endpoints. The work is now counted: looking up
    /// the partners, groups and subnets of N runtime endpoints examines a few items each.
    #[test]
    fn finding_each_runtime_endpoints_partners_is_linear_in_the_endpoints() {
        let vpcs = 5_000;
        let endpoints: Vec<VpcEndpoint> = (0..vpcs)
            .flat_map(|id| {
                ["bedrock-runtime", "bedrock", "sts"]
                    .into_iter()
                    .map(move |service| endpoint(id, service))
            })
            .collect();
        let groups: Vec<SecurityGroup> = (0..vpcs)
            .map(|id| SecurityGroup {
                group_id: format!("sg-{id}"),
                group_name: format!("endpoints-{id}"),
                vpc_id: Some(format!("vpc-{id}")),
                ingress: vec![],
            })
            .collect();
        let index = RegionIndex::of(&endpoints, &groups, &[]);
        let runtime = service_name("us-east-1", "bedrock-runtime");
        let mut partners = 0;
        for endpoint in interface_endpoints(&endpoints, &runtime) {
            for service in ["bedrock", "sts"] {
                partners += index
                    .interface_in_vpc(&service_name("us-east-1", service), &endpoint.vpc_id)
                    .len();
            }
            for id in &endpoint.security_group_ids {
                assert!(index.group(id).is_some());
            }
        }
        assert_eq!(partners, 2 * vpcs);
        // Two partners and one group per runtime endpoint; a scan would examine 3 × 5,000
        // endpoints for each of the 5,000.
        assert!(
            index.examined.get() <= 3 * vpcs,
            "examined {}",
            index.examined.get()
        );
    }
}
