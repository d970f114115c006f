//! Bedrock's control plane: models on offer, model access, inference profiles, invocation logging.

use std::collections::BTreeSet;

use aws_sdk_bedrock::types::InferenceProfileType;
use aws_sdk_bedrock::Client;

use super::error::failed;
use super::paging::{all_pages, pages};
use crate::snapshot::{
    Collected, DataRetentionSetting, EnforcedGuardrail, FoundationModel, Guardrail,
    InferenceProfile, InvocationLoggingConfig, LargeDataDelivery, ModelAvailability, UseCaseForm,
};

const LIST_FOUNDATION_MODELS: &str = "bedrock:ListFoundationModels";
const GET_AVAILABILITY: &str = "bedrock:GetFoundationModelAvailability";
const LIST_INFERENCE_PROFILES: &str = "bedrock:ListInferenceProfiles";
const GET_GUARDRAIL: &str = "bedrock:GetGuardrail";
const GET_LOGGING: &str = "bedrock:GetModelInvocationLoggingConfiguration";
const LIST_ENFORCED_GUARDRAILS: &str = "bedrock:ListEnforcedGuardrailsConfiguration";
const GET_DATA_RETENTION: &str = "bedrock:GetAccountDataRetention";
const GET_USE_CASE: &str = "bedrock:GetUseCaseForModelAccess";

pub struct BedrockSections {
    pub foundation_models: Collected<Vec<FoundationModel>>,
    pub inference_profiles: Collected<Vec<InferenceProfile>>,
    pub invocation_logging: Collected<Option<InvocationLoggingConfig>>,
}

/// Reads the region's Bedrock sections concurrently. Model availability is read per (region,
/// model) through the scan's memo instead, because cross-region profiles need it in other
/// regions too (see `collect::model_availability`).
pub async fn collect(client: &Client) -> BedrockSections {
    let (foundation_models, inference_profiles, invocation_logging) = tokio::join!(
        foundation_models(client),
        inference_profiles(client),
        invocation_logging(client),
    );
    BedrockSections {
        foundation_models,
        inference_profiles,
        invocation_logging,
    }
}

async fn foundation_models(client: &Client) -> Collected<Vec<FoundationModel>> {
    // Not paginated: one call answers with every model of the provider.
    match client
        .list_foundation_models()
        .by_provider("Anthropic")
        .send()
        .await
    {
        Ok(out) => Collected::ok(
            out.model_summaries()
                .iter()
                .map(|m| FoundationModel {
                    model_id: m.model_id().to_string(),
                    model_arn: m.model_arn().to_string(),
                    provider_name: m.provider_name().unwrap_or_default().to_string(),
                    inference_types_supported: m
                        .inference_types_supported()
                        .iter()
                        .map(|t| t.as_str().to_string())
                        .collect(),
                    lifecycle_status: m.model_lifecycle().map(|l| l.status().as_str().to_string()),
                })
                .collect(),
        ),
        Err(err) => failed(LIST_FOUNDATION_MODELS, &err),
    }
}

pub async fn availability(client: &Client, model_id: &str) -> Collected<ModelAvailability> {
    match client
        .get_foundation_model_availability()
        .model_id(model_id)
        .send()
        .await
    {
        Ok(out) => {
            let agreement = out.agreement_availability();
            Collected::ok(ModelAvailability {
                // Keyed and named by the id asked about, whatever spelling the answer uses.
                model_id: model_id.to_string(),
                agreement_status: agreement
                    .map_or("UNKNOWN", |a| a.status().as_str())
                    .to_string(),
                agreement_error: agreement.and_then(|a| a.error_message()).map(|m| {
                    crate::untrusted_text::capped(m, super::error::MESSAGE_LIMIT).into_owned()
                }),
                authorization_status: out.authorization_status().as_str().to_string(),
                entitlement_availability: out.entitlement_availability().as_str().to_string(),
                region_availability: out.region_availability().as_str().to_string(),
            })
        }
        Err(err) => failed(GET_AVAILABILITY, &err),
    }
}

/// An unfiltered ListInferenceProfiles returns only system-defined profiles
/// (aws/aws-cli#9728), so application profiles need a second listing.
async fn inference_profiles(client: &Client) -> Collected<Vec<InferenceProfile>> {
    let (system, application) = tokio::join!(
        profiles_of_type(client, InferenceProfileType::SystemDefined),
        profiles_of_type(client, InferenceProfileType::Application),
    );
    match (system, application) {
        (Collected::Ok { data: mut system }, Collected::Ok { data: application }) => {
            let seen: BTreeSet<String> = system.iter().map(|p| p.arn.clone()).collect();
            system.extend(application.into_iter().filter(|p| !seen.contains(&p.arn)));
            Collected::ok(system)
        }
        (Collected::Failed { error }, _) | (_, Collected::Failed { error }) => {
            Collected::failed(error)
        }
    }
}

async fn profiles_of_type(
    client: &Client,
    profile_type: InferenceProfileType,
) -> Collected<Vec<InferenceProfile>> {
    let stream = pages!(client
        .list_inference_profiles()
        .type_equals(profile_type)
        // The largest page the API allows: fewer calls.
        .max_results(1000)
        .into_paginator()
        .send());
    all_pages(
        LIST_INFERENCE_PROFILES,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.inference_profile_summaries().iter().map(|p| {
                InferenceProfile {
                    id: p.inference_profile_id().to_string(),
                    arn: p.inference_profile_arn().to_string(),
                    name: p.inference_profile_name().to_string(),
                    status: p.status().as_str().to_string(),
                    profile_type: p.r#type().as_str().to_string(),
                    model_arns: p
                        .models()
                        .iter()
                        .filter_map(|m| m.model_arn().map(str::to_string))
                        .collect(),
                }
            }))
        },
    )
    .await
}

async fn invocation_logging(client: &Client) -> Collected<Option<InvocationLoggingConfig>> {
    match client
        .get_model_invocation_logging_configuration()
        .send()
        .await
    {
        // A config naming no destination delivers nothing: logging is off (moto answers so
        // in a region where it was never set).
        Ok(out) => Collected::ok(
            out.logging_config()
                .filter(|c| c.cloud_watch_config().is_some() || c.s3_config().is_some())
                .map(|c| InvocationLoggingConfig {
                    cloudwatch_log_group: c
                        .cloud_watch_config()
                        .map(|w| w.log_group_name().to_string())
                        .filter(|n| !n.is_empty()),
                    cloudwatch_role_arn: c
                        .cloud_watch_config()
                        .map(|w| w.role_arn().to_string())
                        .filter(|n| !n.is_empty()),
                    s3_bucket: c
                        .s3_config()
                        .map(|s| s.bucket_name().to_string())
                        .filter(|n| !n.is_empty()),
                    s3_key_prefix: c
                        .s3_config()
                        .and_then(|s| s.key_prefix())
                        .map(str::to_string),
                    text_data_delivery: c.text_data_delivery_enabled().unwrap_or(false),
                    image_data_delivery: c.image_data_delivery_enabled().unwrap_or(false),
                    embedding_data_delivery: c.embedding_data_delivery_enabled().unwrap_or(false),
                    large_data_delivery: Some(LargeDataDelivery {
                        bucket: c
                            .cloud_watch_config()
                            .and_then(|w| w.large_data_delivery_s3_config())
                            .map(|l| l.bucket_name().to_string())
                            .filter(|n| !n.is_empty()),
                        key_prefix: c
                            .cloud_watch_config()
                            .and_then(|w| w.large_data_delivery_s3_config())
                            .and_then(|l| l.key_prefix())
                            .map(str::to_string),
                    }),
                }),
        ),
        Err(err) => failed(GET_LOGGING, &err),
    }
}

/// The account-level enforced guardrail configurations of the region, every page, each with
/// its guardrail version read by GetGuardrail (in this region: the configuration is per
/// region). A configuration without `modelEnforcement` applies to every model (botocore
/// reference, `put_enforced_guardrail_configuration`).
pub async fn enforced_guardrails(client: &Client) -> Collected<Vec<EnforcedGuardrail>> {
    let stream = pages!(client
        .list_enforced_guardrails_configuration()
        .into_paginator()
        .send());
    let listed = all_pages(
        LIST_ENFORCED_GUARDRAILS,
        stream,
        |page| page.next_token(),
        |page, out| {
            out.extend(page.guardrails_config().iter().map(|c| {
                EnforcedGuardrail {
                    config_id: c.config_id().map(str::to_string),
                    guardrail_arn: c.guardrail_arn().map(str::to_string),
                    guardrail_id: c.guardrail_id().map(str::to_string),
                    guardrail_version: c.guardrail_version().map(str::to_string),
                    owner: c.owner().map(|o| o.as_str().to_string()),
                    included_models: c.model_enforcement().map(|m| m.included_models().to_vec()),
                    excluded_models: c
                        .model_enforcement()
                        .map(|m| m.excluded_models().to_vec())
                        .unwrap_or_default(),
                    guardrail: None,
                }
            }))
        },
    )
    .await;
    let Collected::Ok { data: configs } = listed else {
        return listed;
    };
    let read = configs.into_iter().map(|mut config| async move {
        let identifier = config.guardrail_arn.clone().or(config.guardrail_id.clone());
        if let Some(identifier) = identifier {
            config.guardrail =
                Some(guardrail(client, &identifier, config.guardrail_version.as_deref()).await);
        }
        config
    });
    Collected::ok(futures::future::join_all(read).await)
}

/// One guardrail named in the Claude Code settings; `version` `None` reads the working draft.
pub async fn guardrail(
    client: &Client,
    identifier: &str,
    version: Option<&str>,
) -> Collected<Guardrail> {
    match client
        .get_guardrail()
        .guardrail_identifier(identifier)
        .set_guardrail_version(version.map(str::to_string))
        .send()
        .await
    {
        Ok(out) => Collected::ok(Guardrail {
            guardrail_id: out.guardrail_id().to_string(),
            guardrail_arn: out.guardrail_arn().to_string(),
            name: out.name().to_string(),
            version: out.version().to_string(),
            status: out.status().as_str().to_string(),
        }),
        Err(err) => failed(GET_GUARDRAIL, &err),
    }
}

/// The account's data retention mode in the client's region (`GET /data-retention`; Bedrock
/// API reference, GetAccountDataRetention). The mode is kept as Bedrock spells it, a value the
/// SDK does not know included, so the rule can refuse it rather than guess.
pub async fn data_retention(client: &Client) -> Collected<DataRetentionSetting> {
    match client.get_account_data_retention().send().await {
        Ok(out) => Collected::ok(DataRetentionSetting {
            mode: out.mode().as_str().to_string(),
            updated_at: out
                .updated_at()
                .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        }),
        Err(err) => failed(GET_DATA_RETENTION, &err),
    }
}

/// bedrock:GetUseCaseForModelAccess: whether Anthropic's first-time-use form is on file for the
/// account ("Anthropic requires first-time customers to submit use case details before invoking
/// a model once per account or once at the organization's management account", Bedrock user
/// guide, model access). The API's only not-found answer, ResourceNotFoundException, is read
/// as "no form in this account" (API reference, GetUseCaseForModelAccess); any other error is
/// recorded as failed.
pub async fn use_case_form(client: &Client) -> Collected<UseCaseForm> {
    use aws_sdk_bedrock::operation::get_use_case_for_model_access::GetUseCaseForModelAccessError;
    match client.get_use_case_for_model_access().send().await {
        Ok(out) => Collected::ok(UseCaseForm {
            submitted: true,
            form_bytes: out.form_data().as_ref().len(),
        }),
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(GetUseCaseForModelAccessError::ResourceNotFoundException(_))
            ) =>
        {
            Collected::ok(UseCaseForm {
                submitted: false,
                form_bytes: 0,
            })
        }
        Err(err) => failed(GET_USE_CASE, &err),
    }
}
