//! Audit trail: cloudtrail:DescribeTrails, then each trail's status and event selectors.

use aws_sdk_cloudtrail::types::Trail as SdkTrail;

use super::error::failed;
use super::Scan;
use crate::snapshot::{
    AdvancedEventSelector, AdvancedFieldSelector, BasicEventSelector, Collected, EventSelectors,
    Trail, TrailStatus,
};

const DESCRIBE_TRAILS: &str = "cloudtrail:DescribeTrails";
const GET_TRAIL_STATUS: &str = "cloudtrail:GetTrailStatus";
const GET_EVENT_SELECTORS: &str = "cloudtrail:GetEventSelectors";

/// What GetTrailStatus and GetEventSelectors said about one trail.
pub type TrailDetails = (Collected<TrailStatus>, Collected<EventSelectors>);

/// Trails visible in `region`, including multi-region trails homed elsewhere.
pub async fn collect(scan: &Scan, region: &str) -> Collected<Vec<Trail>> {
    use futures::StreamExt;

    let client = scan.cloudtrail(region);
    // DescribeTrails is not paginated; it includes shadow copies of multi-region trails.
    let listed = match client.describe_trails().send().await {
        Ok(out) => out.trail_list().to_vec(),
        Err(err) => return failed(DESCRIBE_TRAILS, &err),
    };
    let trails = futures::stream::iter(listed)
        .map(|trail| async move { with_details(scan, region, trail).await })
        .buffered(super::PER_ITEM_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    Collected::ok(trails)
}

async fn with_details(scan: &Scan, region: &str, trail: SdkTrail) -> Trail {
    let home_region = trail.home_region().unwrap_or(region).to_string();
    let name = trail.name().unwrap_or_default().to_string();
    let arn = trail.trail_arn().unwrap_or_default().to_string();
    // The ARN names the trail unambiguously from any region; the name only in its home.
    let reference = if arn.is_empty() {
        name.clone()
    } else {
        arn.clone()
    };
    let (status, event_selectors) = scan
        .trail_details(&home_region, &reference, || {
            details(scan, home_region.clone(), reference.clone())
        })
        .await;
    Trail {
        name,
        arn,
        home_region,
        is_multi_region: trail.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: trail.is_organization_trail().unwrap_or(false),
        log_file_validation_enabled: trail.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: non_empty(trail.kms_key_id()),
        s3_bucket_name: non_empty(trail.s3_bucket_name()),
        cloudwatch_logs_log_group_arn: non_empty(trail.cloud_watch_logs_log_group_arn()),
        status,
        event_selectors,
    }
}

/// Status and selectors must be asked of the trail's home region.
async fn details(scan: &Scan, home_region: String, reference: String) -> TrailDetails {
    let client = scan.cloudtrail(&home_region);
    let status = async {
        match client.get_trail_status().name(&reference).send().await {
            Ok(out) => Collected::ok(TrailStatus {
                is_logging: out.is_logging().unwrap_or(false),
                // Free text from the service: capped like an error message.
                latest_delivery_error: non_empty(out.latest_delivery_error()).map(|m| {
                    crate::untrusted_text::capped(&m, super::error::MESSAGE_LIMIT).into_owned()
                }),
            }),
            Err(err) => failed(GET_TRAIL_STATUS, &err),
        }
    };
    let selectors = async {
        match client
            .get_event_selectors()
            .trail_name(&reference)
            .send()
            .await
        {
            Ok(out) => Collected::ok(EventSelectors {
                basic: out
                    .event_selectors()
                    .iter()
                    .map(|s| BasicEventSelector {
                        // The API's documented defaults when a field is left out.
                        read_write_type: s
                            .read_write_type()
                            .map_or("All", |t| t.as_str())
                            .to_string(),
                        include_management_events: s.include_management_events().unwrap_or(true),
                    })
                    .collect(),
                advanced: out
                    .advanced_event_selectors()
                    .iter()
                    .map(|s| AdvancedEventSelector {
                        name: s.name().map(str::to_string),
                        field_selectors: s
                            .field_selectors()
                            .iter()
                            .map(|f| AdvancedFieldSelector {
                                field: f.field().to_string(),
                                equals: f.equals().to_vec(),
                                not_equals: f.not_equals().to_vec(),
                            })
                            .collect(),
                    })
                    .collect(),
            }),
            Err(err) => failed(GET_EVENT_SELECTORS, &err),
        }
    };
    tokio::join!(status, selectors)
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}
