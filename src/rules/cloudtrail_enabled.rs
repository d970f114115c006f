//! `cloudtrail-enabled`: in every target region at least one trail visible there is logging,
//! is multi-region, records management events both read and write (which is where Bedrock's
//! control-plane calls, model-access changes and logging-config changes appear), and has log
//! file validation on, so the record can be shown to be untampered.
//!
//! One finding per region, naming what each trail misses. A trail whose status or selectors
//! could not be read cannot make the region pass; if no trail passes and one of them might
//! have (nothing known against it, something unreadable), the finding is `error`.

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{collect_error_evidence, RuleContext, WithEvidence};
use crate::snapshot::{CollectError, EventSelectors, Trail};

const TRAILS: &str = "cloudtrail:DescribeTrails";
const STATUS: &str = "cloudtrail:GetTrailStatus";
const SELECTORS: &str = "cloudtrail:GetEventSelectors";

struct TrailVerdict<'a> {
    trail: &'a Trail,
    misses: Vec<String>,
    unreadable: Vec<(&'static str, &'a CollectError)>,
}

impl TrailVerdict<'_> {
    fn passes(&self) -> bool {
        self.misses.is_empty() && self.unreadable.is_empty()
    }

    /// Nothing known against it, but not everything could be read.
    fn undecided(&self) -> bool {
        self.misses.is_empty() && !self.unreadable.is_empty()
    }

    fn summary(&self) -> String {
        let mut parts = self.misses.clone();
        parts.extend(
            self.unreadable
                .iter()
                .map(|(what, e)| format!("{what} unreadable ({} {})", e.operation, e.code)),
        );
        format!("{}: {}", self.trail.name, parts.join(", "))
    }
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let account = ctx.snapshot.account_label();
    ctx.per_region(|region, snapshot, findings| {
        let resource = format!("arn:aws:cloudtrail:{region}:{account}:trail/*");
        let trails = match snapshot.trails.as_result() {
            Ok(trails) => trails,
            Err(error) => {
                findings.push(ctx.unreadable(
                    region,
                    resource,
                    &format!("the CloudTrail trails of {region}"),
                    error,
                ));
                return;
            }
        };
        if trails.is_empty() {
            findings.push(
                ctx.finding(
                    Status::Fail,
                    region,
                    resource,
                    format!(
                        "No CloudTrail trail records {region}: only the 90-day event history exists, so Bedrock API calls are not kept. Create a multi-region trail."
                    ),
                )
                .with_evidence(Evidence::new(TRAILS, Some(region)).with("trail_count", 0)),
            );
            return;
        }
        let verdicts: Vec<TrailVerdict> = trails.iter().map(judge).collect();
        let evidence: Vec<Evidence> = verdicts
            .iter()
            .flat_map(|v| trail_evidence(v, region))
            .collect();
        let mut finding = if let Some(passing) = verdicts.iter().find(|v| v.passes()) {
            ctx.finding(
                Status::Pass,
                region,
                resource,
                format!(
                    "Trail {} (home {}) is logging, multi-region, records read and write management events, and validates log files.",
                    passing.trail.name, passing.trail.home_region
                ),
            )
        } else if let Some(undecided) = verdicts.iter().find(|v| v.undecided()) {
            let (what, error) = undecided.unreadable[0];
            let mut finding = ctx.unreadable(
                region,
                resource,
                &format!("the {what} of trail {}", undecided.trail.name),
                error,
            );
            finding.message = format!(
                "No trail in {region} is confirmed to meet every requirement. {} Trails: {}.",
                finding.message,
                verdicts
                    .iter()
                    .map(TrailVerdict::summary)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            // The error evidence is part of `evidence` already.
            finding.evidence.clear();
            finding
        } else {
            ctx.finding(
                Status::Fail,
                region,
                resource,
                format!(
                    "No trail in {region} meets every requirement (logging, multi-region, read+write management events, log file validation). {}.",
                    verdicts
                        .iter()
                        .map(TrailVerdict::summary)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
        };
        finding.evidence.extend(evidence);
        findings.push(finding);
    })
}

fn judge(trail: &Trail) -> TrailVerdict<'_> {
    let mut verdict = TrailVerdict {
        trail,
        misses: Vec::new(),
        unreadable: Vec::new(),
    };
    match trail.status.as_result() {
        Ok(status) if !status.is_logging => verdict.misses.push("not logging".into()),
        Ok(_) => {}
        Err(error) => verdict.unreadable.push(("status", error)),
    }
    if !trail.is_multi_region {
        verdict.misses.push("single-region".into());
    }
    match trail.event_selectors.as_result() {
        Ok(selectors) => {
            let (read, write) = management_coverage(selectors);
            match (read, write) {
                (true, true) => {}
                (false, false) => verdict.misses.push("records no management events".into()),
                (true, false) => verdict
                    .misses
                    .push("records only read management events".into()),
                (false, true) => verdict
                    .misses
                    .push("records only write management events".into()),
            }
        }
        Err(error) => verdict.unreadable.push(("event selectors", error)),
    }
    if !trail.log_file_validation_enabled {
        verdict.misses.push("log file validation off".into());
    }
    verdict
}

/// Whether the selectors record (read, write) management events.
fn management_coverage(selectors: &EventSelectors) -> (bool, bool) {
    let mut read = false;
    let mut write = false;
    for selector in selectors
        .basic
        .iter()
        .filter(|s| s.include_management_events)
    {
        match selector.read_write_type.to_ascii_lowercase().as_str() {
            "all" => (read, write) = (true, true),
            "readonly" => read = true,
            "writeonly" => write = true,
            _ => {}
        }
    }
    for selector in &selectors.advanced {
        let management = selector
            .field_selectors
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
        if !management {
            continue;
        }
        let read_only = selector
            .field_selectors
            .iter()
            .find(|f| f.field == "readOnly");
        match read_only {
            None => (read, write) = (true, true),
            Some(f)
                if f.equals.iter().any(|v| v == "true")
                    || f.not_equals.iter().any(|v| v == "false") =>
            {
                read = true
            }
            Some(f)
                if f.equals.iter().any(|v| v == "false")
                    || f.not_equals.iter().any(|v| v == "true") =>
            {
                write = true
            }
            Some(_) => {}
        }
    }
    (read, write)
}

fn trail_evidence(verdict: &TrailVerdict, region: &str) -> Vec<Evidence> {
    let trail = verdict.trail;
    let mut evidence = vec![Evidence::new(TRAILS, Some(region))
        .with("Name", &trail.name)
        .with("TrailARN", &trail.arn)
        .with("HomeRegion", &trail.home_region)
        .with("IsMultiRegionTrail", trail.is_multi_region)
        .with("IsOrganizationTrail", trail.is_organization_trail)
        .with(
            "LogFileValidationEnabled",
            trail.log_file_validation_enabled,
        )
        .with("misses", &verdict.misses)];
    evidence.push(match trail.status.as_result() {
        Ok(status) => Evidence::new(STATUS, Some(region))
            .with("Name", &trail.name)
            .with("IsLogging", status.is_logging)
            .with("LatestDeliveryError", &status.latest_delivery_error),
        Err(error) => collect_error_evidence(region, error).with("Name", &trail.name),
    });
    evidence.push(match trail.event_selectors.as_result() {
        Ok(selectors) => {
            let (read, write) = management_coverage(selectors);
            Evidence::new(SELECTORS, Some(region))
                .with("Name", &trail.name)
                .with("EventSelectors", &selectors.basic)
                .with("AdvancedEventSelectors", &selectors.advanced)
                .with("management_read", read)
                .with("management_write", write)
        }
        Err(error) => collect_error_evidence(region, error).with("Name", &trail.name),
    });
    evidence
}
