//! S3: the posture of the bucket model-invocation logging writes prompts to. Only buckets the
//! logging configuration names are read, one call per question.

use aws_sdk_s3::Client;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::error::{failed, from_sdk};
use super::paging::{all_pages, pages};
use crate::snapshot::{
    BucketEncryptionRule, BucketPosture, Collected, LifecycleRule, ObjectLock, PublicAccessBlock,
};

const LIST_BUCKETS: &str = "s3:ListBuckets";
const GET_BUCKET_ENCRYPTION: &str = "s3:GetBucketEncryption";
const GET_PUBLIC_ACCESS_BLOCK: &str = "s3:GetPublicAccessBlock";
const GET_BUCKET_LIFECYCLE: &str = "s3:GetBucketLifecycleConfiguration";
const GET_BUCKET_VERSIONING: &str = "s3:GetBucketVersioning";
const GET_OBJECT_LOCK: &str = "s3:GetObjectLockConfiguration";
const GET_BUCKET_POLICY: &str = "s3:GetBucketPolicy";

/// The error codes with which S3 says "this bucket has no such configuration": an answer,
/// not a failure.
const NO_ENCRYPTION: &str = "ServerSideEncryptionConfigurationNotFoundError";
const NO_PUBLIC_ACCESS_BLOCK: &str = "NoSuchPublicAccessBlockConfiguration";
const NO_LIFECYCLE: &str = "NoSuchLifecycleConfiguration";
const NO_OBJECT_LOCK: &str = "ObjectLockConfigurationNotFoundError";
const NO_POLICY: &str = "NoSuchBucketPolicy";

pub async fn bucket_posture(client: &Client, bucket: &str) -> BucketPosture {
    let (
        (owned_by_account, encryption, public_access_block, lifecycle_rules),
        (versioning, object_lock, policy),
    ) = tokio::join!(
        async {
            tokio::join!(
                owned(client, bucket),
                encryption(client, bucket),
                public_access_block(client, bucket),
                lifecycle(client, bucket),
            )
        },
        async {
            tokio::join!(
                versioning(client, bucket),
                object_lock(client, bucket),
                policy(client, bucket),
            )
        },
    );
    BucketPosture {
        bucket: bucket.to_string(),
        owned_by_account,
        encryption,
        public_access_block,
        lifecycle_rules,
        versioning: Some(versioning),
        object_lock: Some(object_lock),
        policy: Some(policy),
    }
}

/// ListBuckets lists only the caller's own buckets; filtered by the name, it says whether the
/// audited account owns this one without listing every bucket.
async fn owned(client: &Client, bucket: &str) -> Collected<bool> {
    let stream = pages!(client.list_buckets().prefix(bucket).into_paginator().send());
    let names = all_pages(
        LIST_BUCKETS,
        stream,
        |page| page.continuation_token(),
        |page, out| {
            out.extend(
                page.buckets()
                    .iter()
                    .filter_map(|b| b.name().map(str::to_string)),
            )
        },
    )
    .await;
    match names {
        Collected::Ok { data } => Collected::ok(data.iter().any(|name| name == bucket)),
        Collected::Failed { error } => Collected::failed(error),
    }
}

async fn encryption(client: &Client, bucket: &str) -> Collected<Option<Vec<BucketEncryptionRule>>> {
    match client.get_bucket_encryption().bucket(bucket).send().await {
        Ok(output) => {
            let Some(configuration) = output.server_side_encryption_configuration() else {
                return Collected::ok(None);
            };
            Collected::ok(Some(
                configuration
                    .rules()
                    .iter()
                    .map(|rule| {
                        let default = rule.apply_server_side_encryption_by_default();
                        BucketEncryptionRule {
                            sse_algorithm: default
                                .map(|d| d.sse_algorithm().as_str().to_string())
                                .unwrap_or_default(),
                            kms_master_key_id: default
                                .and_then(|d| d.kms_master_key_id())
                                .map(str::to_string),
                            bucket_key_enabled: rule.bucket_key_enabled(),
                        }
                    })
                    .collect(),
            ))
        }
        Err(err) if err.code() == Some(NO_ENCRYPTION) => Collected::ok(None),
        Err(err) => failed(GET_BUCKET_ENCRYPTION, &err),
    }
}

async fn public_access_block(
    client: &Client,
    bucket: &str,
) -> Collected<Option<PublicAccessBlock>> {
    match client.get_public_access_block().bucket(bucket).send().await {
        Ok(output) => {
            Collected::ok(
                output
                    .public_access_block_configuration()
                    .map(|c| PublicAccessBlock {
                        block_public_acls: c.block_public_acls().unwrap_or(false),
                        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                        block_public_policy: c.block_public_policy().unwrap_or(false),
                        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                    }),
            )
        }
        Err(err) if err.code() == Some(NO_PUBLIC_ACCESS_BLOCK) => Collected::ok(None),
        Err(err) => failed(GET_PUBLIC_ACCESS_BLOCK, &err),
    }
}

async fn lifecycle(client: &Client, bucket: &str) -> Collected<Vec<LifecycleRule>> {
    match client
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(output) => Collected::ok(output.rules().iter().map(lifecycle_rule).collect()),
        Err(err) if err.code() == Some(NO_LIFECYCLE) => Collected::ok(Vec::new()),
        Err(err) => Collected::failed(from_sdk(GET_BUCKET_LIFECYCLE, &err)),
    }
}

/// The status as S3 spells it; a bucket whose versioning was never enabled has none (empty).
/// A value the SDK does not know is kept as sent, and the rule refuses it.
async fn versioning(client: &Client, bucket: &str) -> Collected<String> {
    match client.get_bucket_versioning().bucket(bucket).send().await {
        Ok(output) => Collected::ok(
            output
                .status()
                .map(|status| status.as_str().to_string())
                .unwrap_or_default(),
        ),
        Err(err) => failed(GET_BUCKET_VERSIONING, &err),
    }
}

/// The bucket's Object Lock default retention; a bucket without Object Lock answers
/// `ObjectLockConfigurationNotFoundError` (S3 API reference, GetObjectLockConfiguration).
async fn object_lock(client: &Client, bucket: &str) -> Collected<Option<ObjectLock>> {
    match client
        .get_object_lock_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(output) => Collected::ok(output.object_lock_configuration().map(|c| {
            let retention = c.rule().and_then(|r| r.default_retention());
            ObjectLock {
                enabled: c
                    .object_lock_enabled()
                    .map(|e| e.as_str().to_string())
                    .unwrap_or_default(),
                mode: retention
                    .and_then(|r| r.mode())
                    .map(|m| m.as_str().to_string()),
                days: retention.and_then(|r| r.days()),
                years: retention.and_then(|r| r.years()),
            }
        })),
        Err(err) if err.code() == Some(NO_OBJECT_LOCK) => Collected::ok(None),
        Err(err) => failed(GET_OBJECT_LOCK, &err),
    }
}

/// The bucket policy document; a bucket without one answers `NoSuchBucketPolicy`.
async fn policy(client: &Client, bucket: &str) -> Collected<Option<String>> {
    match client.get_bucket_policy().bucket(bucket).send().await {
        Ok(output) => Collected::ok(output.policy().map(str::to_string)),
        Err(err) if err.code() == Some(NO_POLICY) => Collected::ok(None),
        Err(err) => failed(GET_BUCKET_POLICY, &err),
    }
}

// The rule-level `Prefix` is deprecated in favour of `Filter`, but buckets configured before
// `Filter` existed still carry it, and it limits the rule just the same.
#[allow(deprecated)]
fn lifecycle_rule(rule: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let filter = rule.filter();
    let and = filter.and_then(|f| f.and());
    let prefix = filter
        .and_then(|f| f.prefix())
        .or_else(|| and.and_then(|a| a.prefix()))
        .or_else(|| rule.prefix())
        .map(str::to_string);
    let narrowed_by_tags_or_size = filter.is_some_and(|f| {
        f.tag().is_some()
            || f.object_size_greater_than().is_some()
            || f.object_size_less_than().is_some()
    }) || and.is_some_and(|a| {
        !a.tags().is_empty()
            || a.object_size_greater_than().is_some()
            || a.object_size_less_than().is_some()
    });
    let expiration = rule.expiration();
    LifecycleRule {
        id: rule.id().map(str::to_string),
        status: rule.status().as_str().to_string(),
        prefix,
        narrowed_by_tags_or_size,
        expiration_days: expiration.and_then(|e| e.days()),
        expiration_date: expiration
            .and_then(|e| e.date())
            .and_then(|d| d.fmt(Format::DateTime).ok()),
        noncurrent_expiration_days: rule
            .noncurrent_version_expiration()
            .and_then(|n| n.noncurrent_days()),
    }
}
