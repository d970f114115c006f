//! Network path to Bedrock: VPCs, the interface endpoints Claude Code's traffic can use
//! (bedrock-runtime, the bedrock control plane and sts), their security groups and subnets.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

use super::paging::{all_pages, pages};
use crate::snapshot::{Collected, IngressRule, SecurityGroup, Subnet, Vpc, VpcEndpoint};

const DESCRIBE_VPCS: &str = "ec2:DescribeVpcs";
const DESCRIBE_VPC_ENDPOINTS: &str = "ec2:DescribeVpcEndpoints";
const DESCRIBE_SECURITY_GROUPS: &str = "ec2:DescribeSecurityGroups";
const DESCRIBE_SUBNETS: &str = "ec2:DescribeSubnets";
const GET_PREFIX_LIST_ENTRIES: &str = "ec2:GetManagedPrefixListEntries";

pub struct Ec2Sections {
    pub vpcs: Collected<Vec<Vpc>>,
    pub vpc_endpoints: Collected<Vec<VpcEndpoint>>,
    pub vpc_endpoint_services: Vec<String>,
    pub security_groups: Collected<Vec<SecurityGroup>>,
    pub subnets: Collected<Vec<Subnet>>,
    pub prefix_lists: BTreeMap<String, Collected<Vec<String>>>,
}

pub async fn collect(client: &Client, region: &str) -> Ec2Sections {
    let services = endpoint_service_names(region);
    let (vpcs, vpc_endpoints) = tokio::join!(vpcs(client), endpoints(client, &services));
    let (security_groups, subnets) = match &vpc_endpoints {
        Collected::Ok { data } => {
            let group_ids: BTreeSet<String> = data
                .iter()
                .flat_map(|e| e.security_group_ids.iter().cloned())
                .collect();
            let subnet_ids: BTreeSet<String> = data
                .iter()
                .flat_map(|e| e.subnet_ids.iter().cloned())
                .collect();
            tokio::join!(
                async {
                    if group_ids.is_empty() {
                        Collected::ok(Vec::new())
                    } else {
                        security_groups(client, group_ids).await
                    }
                },
                async {
                    if subnet_ids.is_empty() {
                        Collected::ok(Vec::new())
                    } else {
                        subnets(client, subnet_ids).await
                    }
                }
            )
        }
        // Which groups and subnets to read depends on the endpoints: unknown endpoints,
        // unknown groups and subnets.
        Collected::Failed { error } => (
            Collected::failed(error.clone()),
            Collected::failed(error.clone()),
        ),
    };
    let prefix_lists = match &security_groups {
        Collected::Ok { data } => admitted_prefix_lists(client, data).await,
        Collected::Failed { .. } => BTreeMap::new(),
    };
    Ec2Sections {
        vpcs,
        vpc_endpoints,
        vpc_endpoint_services: services,
        security_groups,
        subnets,
        prefix_lists,
    }
}

async fn vpcs(client: &Client) -> Collected<Vec<Vpc>> {
    let stream = pages!(client.describe_vpcs().into_paginator().send());
    all_pages(
        DESCRIBE_VPCS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.vpcs().iter().map(|v| Vpc {
                vpc_id: v.vpc_id().unwrap_or_default().to_string(),
                cidr_block: v.cidr_block().map(str::to_string),
                is_default: v.is_default().unwrap_or(false),
                state: v.state().map(|s| s.as_str().to_string()),
            }))
        },
    )
    .await
}

/// `com.amazonaws.<region>.bedrock-runtime`: the data plane Claude Code sends prompts to.
pub fn bedrock_runtime_service_name(region: &str) -> String {
    format!("com.amazonaws.{region}.bedrock-runtime")
}

/// The endpoints a private path needs: bedrock-runtime (inference), bedrock (the control plane
/// Claude Code asks about inference profiles at start-up) and sts (credential refresh).
pub fn endpoint_service_names(region: &str) -> Vec<String> {
    ["bedrock-runtime", "bedrock", "sts"]
        .iter()
        .map(|service| format!("com.amazonaws.{region}.{service}"))
        .collect()
}

async fn endpoints(client: &Client, services: &[String]) -> Collected<Vec<VpcEndpoint>> {
    let filter = Filter::builder()
        .name("service-name")
        .set_values(Some(services.to_vec()))
        .build();
    let stream = pages!(client
        .describe_vpc_endpoints()
        .filters(filter)
        .into_paginator()
        .send());
    all_pages(
        DESCRIBE_VPC_ENDPOINTS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.vpc_endpoints().iter().map(|e| {
                VpcEndpoint {
                    endpoint_id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
                    vpc_id: e.vpc_id().unwrap_or_default().to_string(),
                    service_name: e.service_name().unwrap_or_default().to_string(),
                    endpoint_type: e
                        .vpc_endpoint_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    state: e
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
                    subnet_ids: e.subnet_ids().to_vec(),
                    security_group_ids: e
                        .groups()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_string))
                        .collect(),
                    policy_document: e.policy_document().map(str::to_string),
                    dns_names: Some(
                        e.dns_entries()
                            .iter()
                            .filter_map(|d| d.dns_name().map(str::to_string))
                            .collect(),
                    ),
                }
            }))
        },
    )
    .await
}

async fn security_groups(
    client: &Client,
    group_ids: BTreeSet<String>,
) -> Collected<Vec<SecurityGroup>> {
    let stream = pages!(client
        .describe_security_groups()
        .set_group_ids(Some(group_ids.into_iter().collect()))
        .into_paginator()
        .send());
    all_pages(
        DESCRIBE_SECURITY_GROUPS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.security_groups().iter().map(|g| {
                SecurityGroup {
                    group_id: g.group_id().unwrap_or_default().to_string(),
                    group_name: g.group_name().unwrap_or_default().to_string(),
                    vpc_id: g.vpc_id().map(str::to_string),
                    ingress: g
                        .ip_permissions()
                        .iter()
                        .map(|p| IngressRule {
                            protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                            from_port: p.from_port(),
                            to_port: p.to_port(),
                            cidr_blocks: p
                                .ip_ranges()
                                .iter()
                                .filter_map(|r| r.cidr_ip().map(str::to_string))
                                .chain(
                                    p.ipv6_ranges()
                                        .iter()
                                        .filter_map(|r| r.cidr_ipv6().map(str::to_string)),
                                )
                                .collect(),
                            source_group_ids: p
                                .user_id_group_pairs()
                                .iter()
                                .filter_map(|pair| pair.group_id().map(str::to_string))
                                .collect(),
                            prefix_list_ids: p
                                .prefix_list_ids()
                                .iter()
                                .filter_map(|list| list.prefix_list_id().map(str::to_string))
                                .collect(),
                        })
                        .collect(),
                }
            }))
        },
    )
    .await
}

async fn subnets(client: &Client, subnet_ids: BTreeSet<String>) -> Collected<Vec<Subnet>> {
    let stream = pages!(client
        .describe_subnets()
        .set_subnet_ids(Some(subnet_ids.into_iter().collect()))
        .into_paginator()
        .send());
    all_pages(
        DESCRIBE_SUBNETS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.subnets().iter().map(|s| Subnet {
                subnet_id: s.subnet_id().unwrap_or_default().to_string(),
                vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                availability_zone: s.availability_zone().unwrap_or_default().to_string(),
                availability_zone_id: s.availability_zone_id().map(str::to_string),
            }))
        },
    )
    .await
}

/// The CIDRs of every managed prefix list a rule of these groups names, one list at a time
/// (ec2:GetManagedPrefixListEntries, every page). It reads customer- and AWS-managed lists
/// alike; a list that cannot be read is recorded as failed, and the rule judges it `error`.
async fn admitted_prefix_lists(
    client: &Client,
    groups: &[SecurityGroup],
) -> BTreeMap<String, Collected<Vec<String>>> {
    let ids: BTreeSet<&str> = groups
        .iter()
        .flat_map(|g| g.ingress.iter())
        .flat_map(|rule| rule.prefix_list_ids.iter().map(String::as_str))
        .collect();
    let mut lists = BTreeMap::new();
    for id in ids {
        lists.insert(id.to_string(), prefix_list_entries(client, id).await);
    }
    lists
}

async fn prefix_list_entries(client: &Client, id: &str) -> Collected<Vec<String>> {
    let stream = pages!(client
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .send());
    all_pages(
        GET_PREFIX_LIST_ENTRIES,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(
                page.entries()
                    .iter()
                    .filter_map(|entry| entry.cidr().map(str::to_string)),
            )
        },
    )
    .await
}
