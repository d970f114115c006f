//! Tests of the emulator harness itself, through the real AWS SDK: the Bedrock test server
//! must answer exactly what `aws-sdk-bedrock` can parse, and seeded moto state must read back.
//! If these fail, the live-scan scenarios cannot be trusted.

mod support;

use aws_sdk_bedrock::types::{InferenceProfileType, InferenceType};
use support::bedrock_server::{
    BedrockOp, BedrockSeed, BedrockServer, FaultKind, SeedAvailability, HAIKU_4_5, SONNET_4_5,
    US_DESTINATIONS,
};
use support::seed::{sdk_config, seed_ready_region, Seeder, INVOCATION_LOG_GROUP};

async fn bedrock_client(server: &BedrockServer, region: &str) -> aws_sdk_bedrock::Client {
    aws_sdk_bedrock::Client::new(&sdk_config(&server.url(), region).await)
}

#[tokio::test]
async fn bedrock_server_lists_foundation_models_filtered_by_provider() {
    let server = BedrockServer::start(BedrockSeed::claude_ready(&["us-east-1"]));
    let client = bedrock_client(&server, "us-east-1").await;

    let all = client.list_foundation_models().send().await.expect("list");
    assert_eq!(all.model_summaries().len(), 4);

    let anthropic = client
        .list_foundation_models()
        .by_provider("anthropic")
        .send()
        .await
        .expect("list anthropic");
    let models = anthropic.model_summaries();
    assert_eq!(models.len(), 3);
    let sonnet = models
        .iter()
        .find(|m| m.model_id() == SONNET_4_5)
        .expect("sonnet listed");
    assert_eq!(sonnet.provider_name(), Some("Anthropic"));
    assert_eq!(
        sonnet.model_arn(),
        format!("arn:aws:bedrock:us-east-1::foundation-model/{SONNET_4_5}")
    );
    assert_eq!(
        sonnet.inference_types_supported(),
        &[InferenceType::from("INFERENCE_PROFILE")]
    );
    assert_eq!(
        sonnet.model_lifecycle().map(|l| l.status().as_str()),
        Some("ACTIVE")
    );

    let on_demand = client
        .list_foundation_models()
        .by_provider("Anthropic")
        .by_inference_type(InferenceType::OnDemand)
        .send()
        .await
        .expect("list on-demand");
    assert!(on_demand.model_summaries().is_empty());

    let calls = server.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.operation == "ListFoundationModels"
        && c.region == "us-east-1"
        && c.status == 200));
    assert!(calls[1].query.contains("byProvider=anthropic"), "{calls:?}");
}

#[tokio::test]
async fn bedrock_server_answers_model_availability_per_model_and_region() {
    let mut seed = BedrockSeed::claude_ready(&["us-east-1"]);
    seed.region_mut("us-east-1")
        .availability
        .insert(HAIKU_4_5.into(), SeedAvailability::not_authorized());
    let server = BedrockServer::start(seed);
    let client = bedrock_client(&server, "us-east-1").await;

    let sonnet = client
        .get_foundation_model_availability()
        .model_id(SONNET_4_5)
        .send()
        .await
        .expect("sonnet availability");
    assert_eq!(sonnet.model_id(), SONNET_4_5);
    assert_eq!(sonnet.authorization_status().as_str(), "AUTHORIZED");
    assert_eq!(
        sonnet.agreement_availability().map(|a| a.status().as_str()),
        Some("AVAILABLE")
    );
    assert_eq!(sonnet.entitlement_availability().as_str(), "AVAILABLE");
    assert_eq!(sonnet.region_availability().as_str(), "AVAILABLE");

    let haiku = client
        .get_foundation_model_availability()
        .model_id(HAIKU_4_5)
        .send()
        .await
        .expect("haiku availability");
    assert_eq!(haiku.authorization_status().as_str(), "NOT_AUTHORIZED");

    let unknown = client
        .get_foundation_model_availability()
        .model_id("anthropic.claude-nonexistent-v1:0")
        .send()
        .await
        .expect_err("unknown model");
    assert!(
        unknown
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{unknown:?}"
    );

    // A region without seeded state knows no models.
    let west = bedrock_client(&server, "us-west-2").await;
    let err = west
        .get_foundation_model_availability()
        .model_id(SONNET_4_5)
        .send()
        .await
        .expect_err("not seeded in us-west-2");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));
    let paths: Vec<String> = server.calls().iter().map(|c| c.path.clone()).collect();
    assert!(
        paths[0].starts_with("/foundation-model-availability/anthropic.claude-sonnet-4-5"),
        "{paths:?}"
    );
}

#[tokio::test]
async fn bedrock_server_paginates_inference_profiles() {
    let server = BedrockServer::start(BedrockSeed::claude_ready(&["us-east-1"]));
    let client = bedrock_client(&server, "us-east-1").await;

    let pages: Vec<_> = client
        .list_inference_profiles()
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2, "4 profiles at 2 per page");
    let profiles: Vec<_> = pages
        .into_iter()
        .flat_map(|p| p.expect("page").inference_profile_summaries().to_vec())
        .collect();
    assert_eq!(profiles.len(), 4);
    let sonnet = profiles
        .iter()
        .find(|p| p.inference_profile_id() == format!("us.{SONNET_4_5}"))
        .expect("us. sonnet profile");
    assert_eq!(sonnet.r#type(), &InferenceProfileType::SystemDefined);
    assert_eq!(sonnet.status().as_str(), "ACTIVE");
    let destinations: Vec<&str> = sonnet
        .models()
        .iter()
        .filter_map(|m| m.model_arn())
        .collect();
    assert_eq!(destinations.len(), US_DESTINATIONS.len());
    assert!(destinations[2].starts_with("arn:aws:bedrock:us-west-2::foundation-model/"));
    assert!(sonnet.created_at().is_some());

    let second_page_query = &server.calls()[1].query;
    assert!(
        second_page_query.contains("nextToken=page-2"),
        "{second_page_query}"
    );

    let application_only = client
        .list_inference_profiles()
        .type_equals(InferenceProfileType::Application)
        .send()
        .await
        .expect("filtered list");
    assert!(application_only.inference_profile_summaries().is_empty());
    assert!(server.calls()[2].query.contains("type=APPLICATION"));

    let one = client
        .get_inference_profile()
        .inference_profile_identifier(format!("us.{HAIKU_4_5}"))
        .send()
        .await
        .expect("get profile");
    assert_eq!(one.inference_profile_id(), format!("us.{HAIKU_4_5}"));
}

#[tokio::test]
async fn bedrock_server_serves_invocation_logging_configuration() {
    let mut seed = BedrockSeed::claude_ready(&["us-east-1", "us-west-2"]);
    let east = std::mem::take(seed.region_mut("us-east-1"));
    *seed.region_mut("us-east-1") = east.with_invocation_logging(INVOCATION_LOG_GROUP);
    let server = BedrockServer::start(seed);

    let east = bedrock_client(&server, "us-east-1").await;
    let config = east
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .expect("logging config");
    let logging = config.logging_config().expect("logging on in us-east-1");
    assert_eq!(
        logging.cloud_watch_config().map(|c| c.log_group_name()),
        Some(INVOCATION_LOG_GROUP)
    );
    assert_eq!(logging.text_data_delivery_enabled(), Some(true));

    let west = bedrock_client(&server, "us-west-2").await;
    let config = west
        .get_model_invocation_logging_configuration()
        .send()
        .await
        .expect("logging config");
    assert!(
        config.logging_config().is_none(),
        "logging off in us-west-2"
    );
}

/// GetAccountDataRetention per region, parsed by the real SDK (API reference: `GET
/// /data-retention` → `{"mode", "updatedAt"}`; user guide, "Data retention": per region, and a
/// region never set stays `inherit`). A mode the SDK does not know still reads back as sent.
#[tokio::test]
async fn bedrock_server_serves_the_data_retention_mode_per_region() {
    let mut seed = BedrockSeed::claude_ready(&["us-east-1", "us-west-2"]);
    seed.region_mut("us-east-1").data_retention = Some("none".into());
    seed.region_mut("us-west-2").data_retention = Some("keep_everything".into());
    let server = BedrockServer::start(seed);

    let east = bedrock_client(&server, "us-east-1").await;
    let answer = east
        .get_account_data_retention()
        .send()
        .await
        .expect("mode");
    assert_eq!(answer.mode().as_str(), "none");
    assert!(
        answer.updated_at().is_some(),
        "updatedAt parses as a date-time"
    );

    let west = bedrock_client(&server, "us-west-2").await;
    let answer = west
        .get_account_data_retention()
        .send()
        .await
        .expect("mode");
    assert_eq!(answer.mode().as_str(), "keep_everything");

    let never_set = bedrock_client(&server, "us-east-2").await;
    let answer = never_set
        .get_account_data_retention()
        .send()
        .await
        .expect("mode");
    assert_eq!(answer.mode().as_str(), "inherit");
    assert!(answer.updated_at().is_none());
}

#[tokio::test]
async fn bedrock_server_injects_access_denied_and_persistent_throttling() {
    let seed = BedrockSeed::claude_ready(&["us-east-1"])
        .fault(BedrockOp::ListFoundationModels, FaultKind::AccessDenied)
        .fault(BedrockOp::ListInferenceProfiles, FaultKind::Throttle);
    let server = BedrockServer::start(seed);
    let client = bedrock_client(&server, "us-east-1").await;

    let denied = client
        .list_foundation_models()
        .send()
        .await
        .expect_err("denied");
    let service_error = denied.as_service_error().expect("a service error");
    assert!(service_error.is_access_denied_exception(), "{denied:?}");
    assert!(
        aws_smithy_types::error::metadata::ProvideErrorMetadata::message(service_error)
            .is_some_and(|m| m.contains("bedrock:ListFoundationModels"))
    );

    let throttled = client
        .list_inference_profiles()
        .send()
        .await
        .expect_err("throttled");
    assert!(
        throttled
            .as_service_error()
            .is_some_and(|e| e.is_throttling_exception()),
        "{throttled:?}"
    );
    let calls = server.calls();
    let throttle_attempts = calls
        .iter()
        .filter(|c| c.operation == "ListInferenceProfiles")
        .count();
    assert!(
        throttle_attempts >= 2,
        "the SDK retries throttling, the server keeps throttling: {calls:?}"
    );
    assert!(calls
        .iter()
        .filter(|c| c.operation == "ListInferenceProfiles")
        .all(|c| c.status == 429));

    // Other operations are unaffected.
    client
        .get_foundation_model_availability()
        .model_id(SONNET_4_5)
        .send()
        .await
        .expect("availability still answers");
}

#[tokio::test]
async fn bedrock_server_refuses_and_records_writes() {
    let server = BedrockServer::start(BedrockSeed::claude_ready(&["us-east-1"]));
    let client = bedrock_client(&server, "us-east-1").await;
    let err = client
        .delete_model_invocation_logging_configuration()
        .send()
        .await
        .expect_err("writes are not served");
    assert!(err.as_service_error().is_some(), "{err:?}");
    let calls = server.calls();
    assert_eq!(calls.len(), 1);
    assert!(!calls[0].known);
    assert_eq!(calls[0].method, "DELETE");
}

#[tokio::test]
async fn seeded_ready_region_reads_back_through_the_sdk() {
    let moto = support::moto::lease();
    moto.start_recording();
    let ready = seed_ready_region(&moto, "us-east-1").await.expect("seed");
    let recorded = moto.stop_recording();
    let operations: Vec<&str> = recorded.iter().map(|r| r.operation.as_str()).collect();
    for op in [
        "CreateKey",
        "EnableKeyRotation",
        "CreateTrail",
        "PutEventSelectors",
        "StartLogging",
        "CreateLogGroup",
        "PutRetentionPolicy",
        "CreateVpc",
        "CreateVpcEndpoint",
    ] {
        assert!(
            operations.contains(&op),
            "{op} not recorded: {operations:?}"
        );
    }
    assert!(recorded
        .iter()
        .all(|r| r.region == "us-east-1" || r.service == "s3"));

    let seeder = Seeder::new(&moto, "us-east-1").await;
    let status = seeder
        .cloudtrail
        .get_trail_status()
        .name(&ready.trail_arn)
        .send()
        .await
        .expect("trail status");
    assert_eq!(status.is_logging(), Some(true));
    let selectors = seeder
        .cloudtrail
        .get_event_selectors()
        .trail_name(&ready.trail_name)
        .send()
        .await
        .expect("selectors");
    assert_eq!(selectors.event_selectors().len(), 1);

    let endpoints = seeder
        .ec2
        .describe_vpc_endpoints()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("service-name")
                .values("com.amazonaws.us-east-1.bedrock-runtime")
                .build(),
        )
        .send()
        .await
        .expect("endpoints");
    let endpoint = &endpoints.vpc_endpoints()[0];
    assert_eq!(
        endpoint.vpc_endpoint_id(),
        Some(ready.network.endpoint_id.as_str())
    );
    assert_eq!(endpoint.private_dns_enabled(), Some(true));
    assert_eq!(
        endpoint.state().map(|s| s.as_str().to_ascii_lowercase()),
        Some("available".into())
    );

    let rotation = seeder
        .kms
        .get_key_rotation_status()
        .key_id(&ready.key.id)
        .send()
        .await
        .expect("rotation");
    assert!(rotation.key_rotation_enabled());

    let groups = seeder
        .logs
        .describe_log_groups()
        .send()
        .await
        .expect("log groups");
    let invocation = groups
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(INVOCATION_LOG_GROUP))
        .expect("invocation log group");
    assert_eq!(invocation.retention_in_days(), Some(365));
    assert_eq!(invocation.kms_key_id(), Some(ready.key.arn.as_str()));
}

#[tokio::test]
async fn a_moto_lease_starts_from_empty_state() {
    {
        let moto = support::moto::lease();
        Seeder::new(&moto, "us-east-1")
            .await
            .logs
            .create_log_group()
            .log_group_name("left-behind")
            .send()
            .await
            .expect("create");
    }
    // Whichever pooled server this is, it was reset.
    let moto = support::moto::lease();
    let groups = Seeder::new(&moto, "us-east-1")
        .await
        .logs
        .describe_log_groups()
        .send()
        .await
        .expect("describe");
    assert!(groups.log_groups().is_empty(), "{:?}", groups.log_groups());
}

#[test]
fn recorded_query_bodies_decode() {
    assert_eq!(
        support::moto::base64_decode("QWN0aW9uPURlc2NyaWJlVnBjcyZWZXJzaW9uPTIwMTYtMTEtMTU="),
        b"Action=DescribeVpcs&Version=2016-11-15"
    );
}
