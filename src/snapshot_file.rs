//! Reading and writing snapshot files. The schema version is checked first, so an old or
//! foreign file gets a message that says so rather than a field-by-field parse error.
//!
//! Version 2 (written since several accounts are scanned in one run) holds `accounts[]`.
//! Version 1 held one account's fields at the top level; it is read through [`SnapshotV1`],
//! the frozen version-1 layout, and becomes a one-account file. Nothing else changed between
//! the two, so the migration loses nothing and judges the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input_file::{json_files_in, read_text, InputKind, Named};
use crate::snapshot::{
    BedrockApiKeys, CallerIdentity, ClaudeSettings, Collected, RegionSnapshot, Snapshot,
    SnapshotFile, UnreadableAccount, SNAPSHOT_SCHEMA_VERSION,
};
use crate::untrusted_text::{quoted, visible, MESSAGE_QUOTE_LIMIT};

/// The last version whose file held a single account at the top level.
const SINGLE_ACCOUNT_SCHEMA_VERSION: u64 = 1;

/// Version 1's top level, exactly as it was: one account's state and its version.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotV1 {
    #[allow(dead_code)] // checked before this is parsed
    schema_version: u32,
    collected_by: String,
    started_at: String,
    finished_at: String,
    identity: Collected<CallerIdentity>,
    regions: Vec<RegionSnapshot>,
    #[serde(default)]
    bedrock_api_keys: Option<Collected<BedrockApiKeys>>,
    #[serde(default)]
    claude_settings: Option<ClaudeSettings>,
    #[serde(default)]
    organization_id: Option<Collected<Option<String>>>,
    #[serde(default)]
    data_retention_scps: Option<Collected<Vec<crate::snapshot::RetentionScp>>>,
    #[serde(default)]
    anthropic_use_case: Option<Collected<crate::snapshot::UseCaseForm>>,
    #[serde(default)]
    bedrock_policy: Option<Collected<Option<String>>>,
}

impl From<SnapshotV1> for Snapshot {
    fn from(v1: SnapshotV1) -> Self {
        Snapshot {
            collected_by: v1.collected_by,
            started_at: v1.started_at,
            finished_at: v1.finished_at,
            identity: v1.identity,
            regions: v1.regions,
            bedrock_api_keys: v1.bedrock_api_keys,
            claude_settings: v1.claude_settings,
            organization_id: v1.organization_id,
            data_retention_scps: v1.data_retention_scps,
            anthropic_use_case: v1.anthropic_use_case,
            bedrock_policy: v1.bedrock_policy,
        }
    }
}

/// A snapshot file to read, and whether the user named it (which decides whether a link there
/// is followed).
pub type SnapshotPath = (PathBuf, Named);

/// The files `--snapshot` arguments stand for: a file as named (a link the user named is
/// followed, see [`crate::input_file`]), a directory for its `*.json` files in name order.
/// The second list names every other entry of a directory, which was skipped, for the
/// caller to print: a join never drops a shard without a word.
pub fn snapshot_paths(arguments: &[PathBuf]) -> Result<(Vec<SnapshotPath>, Vec<String>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for argument in arguments {
        if !argument.is_dir() {
            files.push((argument.clone(), Named::Explicitly));
            continue;
        }
        let listed = json_files_in(argument, "--snapshot", InputKind::Snapshot)?;
        if listed.files.is_empty() {
            return Err(Error::input_file(
                argument,
                "the snapshot directory holds no .json file",
            ));
        }
        let shown = visible(&argument.display().to_string()).into_owned();
        skipped.extend(listed.skipped.into_iter().map(|s| format!("{shown}/{s}")));
        files.extend(listed.files.into_iter().map(|f| (f, Named::Implicitly)));
    }
    Ok((files, skipped))
}

/// Reads one snapshot file through [`crate::input_file`] (regular files only, size-capped).
pub fn read_snapshot_text(path: &Path, named: Named) -> Result<String> {
    read_text(path, InputKind::Snapshot, named)
}

/// Parses a snapshot file of either version, refusing other versions with a message that
/// says so, and checks what its JSON shape cannot: each account once, each region once.
pub fn parse_snapshot_file(text: &str, path: &Path) -> Result<SnapshotFile> {
    let file = match schema_version(text, path)? {
        SINGLE_ACCOUNT_SCHEMA_VERSION => {
            let v1: SnapshotV1 = serde_json::from_str(text)
                .map_err(|e| Error::input_file(path, format!("invalid snapshot: {e}")))?;
            SnapshotFile {
                schema_version: SNAPSHOT_SCHEMA_VERSION,
                accounts: vec![v1.into()],
                unreadable_accounts: Vec::new(),
            }
        }
        _ => serde_json::from_str(text)
            .map_err(|e| Error::input_file(path, format!("invalid snapshot: {e}")))?,
    };
    validate(&file).map_err(|problem| Error::input_file(path, problem))?;
    let mut file = file;
    redact_settings(&mut file);
    Ok(file)
}

/// A snapshot is input too: whatever wrote it (a hand, an older version that knew fewer
/// credential forms), every Claude Code settings document in it is redacted again before
/// any rule, report or message sees it.
fn redact_settings(file: &mut SnapshotFile) {
    for account in &mut file.accounts {
        if let Some(settings) = &mut account.claude_settings {
            for settings_file in &mut settings.files {
                crate::claude_code::redaction::redact_file(settings_file);
            }
        }
    }
}

/// Parses a snapshot file that must hold exactly one account: for the commands that judge
/// one account (`claude-settings --snapshot`, `verify`, the demo).
pub fn parse_snapshot(text: &str, path: &Path) -> Result<Snapshot> {
    let mut file = parse_snapshot_file(text, path)?;
    if file.accounts.len() != 1 || !file.unreadable_accounts.is_empty() {
        return Err(Error::input_file(
            path,
            format!(
                "holds {} accounts; this command judges one account: scan that account on its own with --save-snapshot",
                file.accounts.len() + file.unreadable_accounts.len()
            ),
        ));
    }
    Ok(file.accounts.remove(0))
}

/// The JSON text of a snapshot file holding these accounts, as `--save-snapshot` and the
/// evidence bundle write it.
pub fn snapshot_file_json(
    accounts: &[&Snapshot],
    unreadable_accounts: &[UnreadableAccount],
) -> Result<String> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        schema_version: u32,
        accounts: &'a [&'a Snapshot],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        unreadable_accounts: &'a [UnreadableAccount],
    }
    let mut text = serde_json::to_string_pretty(&Borrowed {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        accounts,
        unreadable_accounts,
    })
    .map_err(|e| Error::Io(format!("cannot serialise the snapshot: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The file's `schema_version`, when it is one this build reads.
fn schema_version(text: &str, path: &Path) -> Result<u64> {
    #[derive(Deserialize)]
    struct VersionOnly {
        schema_version: Option<serde_json::Value>,
    }
    let version: VersionOnly = serde_json::from_str(text)
        .map_err(|e| Error::input_file(path, format!("not a snapshot (invalid JSON: {e})")))?;
    let Some(value) = version.schema_version else {
        return Err(Error::input_file(
            path,
            "not a snapshot: no \"schema_version\" field",
        ));
    };
    match value.as_u64() {
        Some(v) if v == SINGLE_ACCOUNT_SCHEMA_VERSION || v == u64::from(SNAPSHOT_SCHEMA_VERSION) => {
            Ok(v)
        }
        Some(v) => Err(Error::input_file(
            path,
            format!(
                "snapshot schema_version {v} is not supported (this bedrock-audit reads versions {SINGLE_ACCOUNT_SCHEMA_VERSION} and {SNAPSHOT_SCHEMA_VERSION}); re-collect it with `bedrock-audit scan --save-snapshot`"
            ),
        )),
        None => {
            // 1.0, -1, "1": say what was found, not that nothing was.
            let shown = quoted(&value.to_string(), MESSAGE_QUOTE_LIMIT);
            Err(Error::input_file(
                path,
                format!(
                    "snapshot \"schema_version\" is {shown}: it must be the whole number {SNAPSHOT_SCHEMA_VERSION}"
                ),
            ))
        }
    }
}

/// What a well-formed file guarantees beyond its JSON shape. Findings are told apart by
/// account, so one account twice (or two whose identity could not be read) would mix them.
fn validate(file: &SnapshotFile) -> std::result::Result<(), String> {
    if file.accounts.is_empty() && file.unreadable_accounts.is_empty() {
        return Err("invalid snapshot: it holds no account".into());
    }
    let mut seen: BTreeMap<String, &'static str> = BTreeMap::new();
    for snapshot in &file.accounts {
        snapshot.validate()?;
        if seen.insert(snapshot.account_label(), "accounts").is_some() {
            return Err(format!(
                "invalid snapshot: account {} is in accounts[] more than once",
                quoted(&snapshot.account_label(), MESSAGE_QUOTE_LIMIT)
            ));
        }
    }
    for entry in &file.unreadable_accounts {
        let shown = quoted(&entry.account, MESSAGE_QUOTE_LIMIT);
        if !crate::account_list::is_account_id(&entry.account) {
            return Err(format!(
                "invalid snapshot: unreadable_accounts[].account {shown} is not a 12-digit AWS account id"
            ));
        }
        if let Some(listed) = seen.insert(entry.account.clone(), "unreadable_accounts") {
            return Err(format!(
                "invalid snapshot: account {shown} is in unreadable_accounts[] and already in {listed}[]"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1_READY: &str = include_str!("../tests/data/v1-ready.snapshot.json");

    #[test]
    fn a_version_1_file_becomes_a_one_account_file_with_every_field_kept() {
        let migrated = parse_snapshot_file(V1_READY, Path::new("v1.json")).expect("v1 reads");
        assert_eq!(migrated.schema_version, SNAPSHOT_SCHEMA_VERSION);
        assert!(migrated.unreadable_accounts.is_empty());
        // The v2 fixture is the same account written in the current layout: the migration
        // must give exactly what reading that gives, field for field.
        let current = parse_snapshot_file(
            include_str!("../fixtures/ready.snapshot.json"),
            Path::new("ready.snapshot.json"),
        )
        .expect("v2 reads");
        assert_eq!(migrated.accounts, current.accounts);
        assert_eq!(migrated.accounts.len(), 1);
        assert_eq!(migrated.accounts[0].account_id(), Some("111122223333"));
        assert!(migrated.accounts[0].bedrock_api_keys.is_some());
        assert!(migrated.accounts[0].claude_settings.is_some());
    }

    #[test]
    fn a_written_file_reads_back_as_version_2() {
        let snapshot = parse_snapshot(V1_READY, Path::new("v1.json")).expect("v1 reads");
        let denied = UnreadableAccount {
            account: "444455556666".into(),
            resource: "arn:aws:iam::444455556666:role/BedrockAuditReadOnly".into(),
            reason: "AccessDenied".into(),
        };
        let text = snapshot_file_json(&[&snapshot], std::slice::from_ref(&denied)).expect("json");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["schema_version"], 2);
        let back = parse_snapshot_file(&text, Path::new("v2.json")).expect("v2 reads");
        assert_eq!(back.accounts, vec![snapshot]);
        assert_eq!(back.unreadable_accounts, vec![denied]);
        // Two accounts are refused where one is judged.
        let err = parse_snapshot(&text, Path::new("v2.json")).expect_err("two accounts");
        assert!(err.to_string().contains("holds 2 accounts"), "{err}");
    }

    #[test]
    fn a_file_that_repeats_an_account_or_holds_none_is_refused() {
        let snapshot = parse_snapshot(V1_READY, Path::new("v1.json")).expect("v1 reads");
        let twice = snapshot_file_json(&[&snapshot, &snapshot], &[]).expect("json");
        let err = parse_snapshot_file(&twice, Path::new("twice.json")).expect_err("twice");
        assert!(err.to_string().contains("more than once"), "{err}");
        let account = snapshot.account_label();
        let both = snapshot_file_json(
            &[&snapshot],
            &[UnreadableAccount {
                account: account.clone(),
                resource: "r".into(),
                reason: "x".into(),
            }],
        )
        .expect("json");
        let err = parse_snapshot_file(&both, Path::new("both.json")).expect_err("both");
        assert!(err.to_string().contains("already in accounts[]"), "{err}");
        let bad_id = "{\"schema_version\": 2, \"accounts\": [], \"unreadable_accounts\": [{\"account\": \"12\", \"resource\": \"r\", \"reason\": \"x\"}]}";
        let err = parse_snapshot_file(bad_id, Path::new("id.json")).expect_err("bad id");
        assert!(err.to_string().contains("12-digit"), "{err}");
        let none = "{\"schema_version\": 2, \"accounts\": []}";
        let err = parse_snapshot_file(none, Path::new("none.json")).expect_err("empty");
        assert!(err.to_string().contains("holds no account"), "{err}");
    }

    #[test]
    fn versions_other_than_1_and_2_are_refused_by_number() {
        for version in ["0", "3", "99"] {
            let text = format!("{{\"schema_version\": {version}, \"accounts\": []}}");
            let err = parse_snapshot_file(&text, Path::new("f.json")).expect_err(version);
            assert!(
                err.to_string()
                    .contains(&format!("schema_version {version} is not supported")),
                "{err}"
            );
        }
        // A version-2 field in a version-1 file (or the reverse) is a layout error, not a guess.
        let mixed = V1_READY.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1);
        assert!(parse_snapshot_file(&mixed, Path::new("mixed.json")).is_err());
    }
}
