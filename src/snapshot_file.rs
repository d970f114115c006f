//! Reading a snapshot file: the schema version is checked first, so an old or foreign file
//! gets a message that says so rather than a field-by-field parse error.

use std::path::Path;

use crate::error::{Error, Result};
use crate::snapshot::{Snapshot, SNAPSHOT_SCHEMA_VERSION};

/// Parses a snapshot file, refusing other schema versions with a message that says so.
pub fn parse_snapshot(text: &str, path: &Path) -> Result<Snapshot> {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        schema_version: Option<serde_json::Value>,
    }
    let version: VersionOnly = serde_json::from_str(text)
        .map_err(|e| Error::input_file(path, format!("not a snapshot (invalid JSON: {e})")))?;
    match version.schema_version.as_ref() {
        Some(value) if value.as_u64() == Some(u64::from(SNAPSHOT_SCHEMA_VERSION)) => {}
        Some(value) if value.as_u64().is_some() => {
            return Err(Error::input_file(
                path,
                format!(
                    "snapshot schema_version {value} is not supported (this bedrock-audit reads version {SNAPSHOT_SCHEMA_VERSION}); re-collect it with `bedrock-audit scan --save-snapshot`"
                ),
            ))
        }
        Some(value) => {
            // 1.0, -1, "1": say what was found, not that nothing was.
            let shown = crate::untrusted_text::quoted(
                &value.to_string(),
                crate::untrusted_text::MESSAGE_QUOTE_LIMIT,
            );
            return Err(Error::input_file(
                path,
                format!(
                    "snapshot \"schema_version\" is {shown}: it must be the whole number {SNAPSHOT_SCHEMA_VERSION}"
                ),
            ));
        }
        None => {
            return Err(Error::input_file(
                path,
                "not a snapshot: no \"schema_version\" field",
            ))
        }
    }
    let snapshot: Snapshot = serde_json::from_str(text)
        .map_err(|e| Error::input_file(path, format!("invalid snapshot: {e}")))?;
    snapshot
        .validate()
        .map_err(|problem| Error::input_file(path, problem))?;
    Ok(snapshot)
}
