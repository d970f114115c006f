//! Reads the live account into a [`Snapshot`]. The only stage that does I/O. To be written.

use crate::error::Result;
use crate::profile::Profile;
use crate::snapshot::Snapshot;

/// How to reach AWS, from the command line.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Regions to read; never empty by the time a scan starts.
    pub regions: Vec<String>,
    /// `--profile`: the shared-config profile for credentials.
    pub aws_profile: Option<String>,
    /// `--endpoint-url`: one endpoint for every service (tests, proxies).
    pub endpoint_url: Option<String>,
    /// Show a progress display on stderr.
    pub progress: bool,
    /// `--trace-calls FILE`: record every AWS operation the scan makes.
    pub trace_calls: Option<std::path::PathBuf>,
}

pub async fn collect(_options: &ScanOptions, _profile: &Profile) -> Result<Snapshot> {
    Err(crate::error::Error::Environment(
        "scan is not implemented yet".into(),
    ))
}

/// The region the SDK would use on its own (AWS_REGION, the shared-config profile, IMDS).
pub async fn sdk_default_region(_aws_profile: Option<&str>) -> Option<String> {
    None
}
