//! `bedrock-runtime-vpc-endpoint`: each target region has an Interface VPC endpoint for
//! `com.amazonaws.<region>.bedrock-runtime` (PrivateLink) that is available, has private DNS
//! on (so the SDK's default endpoint name resolves to it), and whose security groups let
//! developers' HTTPS (TCP 443) in. Without it, Claude Code traffic reaches Bedrock over the
//! public endpoint.
//!
//! One finding per endpoint; a region with no endpoint gets one `fail` finding for the region.
//! VPCs without an endpoint are named in the evidence.

use crate::finding::{Evidence, Finding, Status};
use crate::rules::support::{admits_https, Judgement};
use crate::rules::{collect_error_evidence, RuleContext, WithEvidence};
use crate::snapshot::{RegionSnapshot, SecurityGroup, VpcEndpoint};

const ENDPOINTS: &str = "ec2:DescribeVpcEndpoints";
const GROUPS: &str = "ec2:DescribeSecurityGroups";
const VPCS: &str = "ec2:DescribeVpcs";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let account = ctx.snapshot.account_label();
    ctx.per_region(|region, snapshot, findings| {
        let service = format!("com.amazonaws.{region}.bedrock-runtime");
        let region_resource = format!("arn:aws:ec2:{region}:{account}:vpc-endpoint/*");
        let endpoints = match snapshot.vpc_endpoints.as_result() {
            Ok(endpoints) => endpoints,
            Err(error) => {
                findings.push(ctx.unreadable(
                    region,
                    region_resource,
                    &format!("the {service} VPC endpoints"),
                    error,
                ));
                return;
            }
        };
        let interface: Vec<&VpcEndpoint> = endpoints
            .iter()
            .filter(|e| {
                e.service_name == service && e.endpoint_type.eq_ignore_ascii_case("Interface")
            })
            .collect();
        let vpc_evidence = vpc_evidence(snapshot, region, &interface);

        if interface.is_empty() {
            let lacking = match snapshot.vpcs.data() {
                Some(vpcs) if vpcs.is_empty() => " The region has no VPC yet.".to_string(),
                Some(vpcs) => format!(
                    " VPCs without one: {}.",
                    vpcs.iter()
                        .map(|v| v.vpc_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => String::new(),
            };
            findings.push(
                ctx.finding(
                    Status::Fail,
                    region,
                    region_resource,
                    format!(
                        "No Interface VPC endpoint for {service} in {region}: Claude Code requests to Bedrock leave the network over the public endpoint.{lacking}"
                    ),
                )
                .with_evidence(
                    Evidence::new(ENDPOINTS, Some(region))
                        .with("service_name", &service)
                        .with("interface_endpoint_count", 0)
                        .with("other_endpoints_returned", endpoints.len()),
                )
                .with_evidence(vpc_evidence),
            );
            return;
        }

        for endpoint in interface {
            let resource = format!(
                "arn:aws:ec2:{region}:{account}:vpc-endpoint/{}",
                endpoint.endpoint_id
            );
            let mut judgement = judge(snapshot, region, endpoint);
            judgement.evidence(vpc_evidence.clone());
            let subject = format!(
                "VPC endpoint {} ({service}, {}) does not give a private path to Bedrock",
                endpoint.endpoint_id, endpoint.vpc_id
            );
            let pass = format!(
                "VPC endpoint {} in {} is available, has private DNS on, and its security groups allow inbound TCP 443.",
                endpoint.endpoint_id, endpoint.vpc_id
            );
            findings.push(judgement.finding(ctx, region, &resource, &subject, pass));
        }
    })
}

fn judge(snapshot: &RegionSnapshot, region: &str, endpoint: &VpcEndpoint) -> Judgement {
    let mut judgement = Judgement::new();
    judgement.evidence(
        Evidence::new(ENDPOINTS, Some(region))
            .with("VpcEndpointId", &endpoint.endpoint_id)
            .with("VpcId", &endpoint.vpc_id)
            .with("ServiceName", &endpoint.service_name)
            .with("VpcEndpointType", &endpoint.endpoint_type)
            .with("State", &endpoint.state)
            .with("PrivateDnsEnabled", endpoint.private_dns_enabled)
            .with("SubnetIds", &endpoint.subnet_ids)
            .with("Groups", &endpoint.security_group_ids),
    );
    if !endpoint.state.eq_ignore_ascii_case("available") {
        judgement.problem(format!("its state is {}, not available", endpoint.state));
    }
    if !endpoint.private_dns_enabled {
        judgement.problem(
            "private DNS is off, so bedrock-runtime.<region>.amazonaws.com still resolves to the public endpoint: enable it",
        );
    }
    if endpoint.subnet_ids.is_empty() {
        judgement.problem("it is in no subnet, so nothing can reach it");
    }
    if endpoint.security_group_ids.is_empty() {
        judgement.problem("it has no security group, so no inbound TCP 443 is allowed");
        return judgement;
    }
    let groups = match snapshot.security_groups.as_result() {
        Ok(groups) => groups,
        Err(error) => {
            judgement.unreadable(
                format!(
                    "the endpoint's security groups {}",
                    endpoint.security_group_ids.join(", ")
                ),
                error,
            );
            return judgement;
        }
    };
    let attached: Vec<&SecurityGroup> = groups
        .iter()
        .filter(|g| endpoint.security_group_ids.contains(&g.group_id))
        .collect();
    let allowing: Vec<&str> = attached
        .iter()
        .filter(|g| g.ingress.iter().any(admits_https))
        .map(|g| g.group_id.as_str())
        .collect();
    let absent: Vec<&str> = endpoint
        .security_group_ids
        .iter()
        .filter(|id| !groups.iter().any(|g| &g.group_id == *id))
        .map(String::as_str)
        .collect();
    judgement.evidence(
        Evidence::new(GROUPS, Some(region))
            .with("GroupIds", &endpoint.security_group_ids)
            .with("groups_allowing_tcp_443", &allowing)
            .with("groups_not_in_snapshot", &absent)
            .with(
                "ingress",
                attached
                    .iter()
                    .map(|g| (g.group_id.clone(), g.ingress.clone()))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            ),
    );
    if allowing.is_empty() {
        if absent.is_empty() {
            judgement.problem(format!(
                "none of its security groups ({}) allows inbound TCP 443: add an ingress rule for HTTPS from the developers' networks",
                endpoint.security_group_ids.join(", ")
            ));
        } else {
            judgement.missing(
                format!(
                    "security groups {} were not collected, so inbound TCP 443 cannot be confirmed",
                    absent.join(", ")
                ),
                Evidence::new(GROUPS, Some(region)).with("GroupIds", &absent),
            );
        }
    }
    judgement
}

/// Which VPCs have a bedrock-runtime endpoint and which lack one (for the evidence).
fn vpc_evidence(snapshot: &RegionSnapshot, region: &str, endpoints: &[&VpcEndpoint]) -> Evidence {
    match snapshot.vpcs.as_result() {
        Ok(vpcs) => Evidence::new(VPCS, Some(region))
            .with(
                "vpcs",
                vpcs.iter().map(|v| v.vpc_id.as_str()).collect::<Vec<_>>(),
            )
            .with(
                "vpcs_without_endpoint",
                vpcs.iter()
                    .filter(|v| !endpoints.iter().any(|e| e.vpc_id == v.vpc_id))
                    .map(|v| v.vpc_id.as_str())
                    .collect::<Vec<_>>(),
            ),
        Err(error) => collect_error_evidence(region, error),
    }
}
