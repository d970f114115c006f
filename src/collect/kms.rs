//! KMS keys that trails, log groups and the invocation-logging bucket encrypt with: state and rotation.

use std::collections::BTreeMap;

use aws_smithy_types::date_time::Format;

use super::error::failed;
use super::Scan;
use crate::snapshot::{Collected, KeyRotation, KmsKey};

const DESCRIBE_KEY: &str = "kms:DescribeKey";
const GET_KEY_ROTATION_STATUS: &str = "kms:GetKeyRotationStatus";

/// A key as something in the region refers to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyReference {
    /// As written: a key ARN, or a bare key id (moto's trails), or an alias.
    pub reference: String,
    /// Where to ask: the ARN's region, else the region of the resource that refers to it.
    pub region: String,
}

impl KeyReference {
    pub fn new(reference: &str, owner_region: &str) -> Self {
        let region = arn_region(reference).unwrap_or(owner_region);
        KeyReference {
            reference: reference.to_string(),
            region: region.to_string(),
        }
    }
}

/// `arn:aws:kms:eu-west-1:123456789012:key/…` → `eu-west-1`.
fn arn_region(reference: &str) -> Option<&str> {
    let mut parts = reference.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

/// Describes each referenced key once, keyed by the reference as written.
pub async fn collect(
    scan: &Scan,
    references: Vec<KeyReference>,
) -> BTreeMap<String, Collected<KmsKey>> {
    use futures::StreamExt;

    futures::stream::iter(references)
        .map(|key| async move {
            let described = scan
                .kms_key(&key.region, &key.reference, || describe(scan, key.clone()))
                .await;
            (key.reference, described)
        })
        .buffer_unordered(super::PER_ITEM_CONCURRENCY)
        .collect()
        .await
}

async fn describe(scan: &Scan, key: KeyReference) -> Collected<KmsKey> {
    let client = scan.kms(&key.region);
    let metadata = match client.describe_key().key_id(&key.reference).send().await {
        Ok(out) => match out.key_metadata() {
            Some(metadata) => metadata.clone(),
            None => {
                return Collected::failed(crate::snapshot::CollectError {
                    operation: DESCRIBE_KEY.to_string(),
                    kind: crate::snapshot::ErrorKind::Other,
                    code: "IncompleteResponse".to_string(),
                    message: format!("no key metadata for {}", key.reference),
                })
            }
        },
        Err(err) => return failed(DESCRIBE_KEY, &err),
    };
    let arn = metadata.arn().unwrap_or_default().to_string();
    // An alias cannot be asked about rotation: use the key itself.
    let key_for_rotation = if arn.is_empty() {
        metadata.key_id().to_string()
    } else {
        arn.clone()
    };
    let rotation = match client
        .get_key_rotation_status()
        .key_id(&key_for_rotation)
        .send()
        .await
    {
        Ok(out) => Collected::ok(if out.key_rotation_enabled() {
            KeyRotation::Enabled
        } else {
            KeyRotation::Disabled
        }),
        // Asymmetric, HMAC, imported-material and custom-key-store keys cannot rotate
        // automatically: a fact about the key, not a failed read.
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_unsupported_operation_exception()) =>
        {
            Collected::ok(KeyRotation::Unsupported)
        }
        Err(err) => failed(GET_KEY_ROTATION_STATUS, &err),
    };
    Collected::ok(KmsKey {
        key_id: metadata.key_id().to_string(),
        arn,
        key_state: metadata
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        key_manager: metadata
            .key_manager()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        deletion_date: metadata
            .deletion_date()
            .and_then(|d| d.fmt(Format::DateTime).ok()),
        rotation,
    })
}

#[cfg(test)]
mod tests {
    use super::KeyReference;

    #[test]
    fn key_region_comes_from_the_arn_else_the_owner() {
        let arn = KeyReference::new(
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "us-east-1",
        );
        assert_eq!(arn.region, "eu-west-1");
        let bare = KeyReference::new("1234abcd-12ab-34cd-56ef-1234567890ab", "us-east-2");
        assert_eq!(bare.region, "us-east-2");
    }
}
