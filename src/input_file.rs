//! Every file the tool reads from outside goes through here: Claude Code settings
//! (`--claude-settings`, `claude-settings --merge`), the rollout profile (`--config` or the
//! `./bedrock-audit.toml` found in the working directory), snapshots (`--snapshot`, each file
//! of a snapshot directory), account lists, waivers, baselines and the files of an evidence
//! bundle. A bottom layer: it knows paths and bytes, nothing about what they hold.
//!
//! An input is somebody else's file until proven otherwise (a repository checked out in CI, a
//! bundle sent by an auditor), so a read:
//! - opens only a regular file: a FIFO would block the run forever and a device (`/dev/zero`)
//!   would fill memory;
//! - opens it with `O_NONBLOCK`, so even a FIFO swapped in after a check cannot block the open,
//!   and judges the descriptor it opened (`fstat`), not the name it looked at;
//! - follows a symbolic link only when the user named that link on the command line
//!   ([`Named::Explicitly`]) and it resolves to a regular file: a dotfile manager, a Kubernetes
//!   ConfigMap mount and the Nix store all hand out links, and the user chose the name. A file
//!   the tool finds by itself (`./bedrock-audit.toml`, a file inside a snapshot directory or a
//!   bundle) is never read through a link ([`Named::Implicitly`]): a repository can plant one
//!   pointing at `~/.aws/credentials`;
//! - reads at most the cap of its kind plus one byte, so a file that grows while it is read
//!   is refused as well.

use std::fs::{Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::untrusted_text::visible;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// What an input file is, which sets its size cap and how it is named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A Claude Code settings file (`--claude-settings`, `--merge`): kilobytes in practice.
    ClaudeSettings,
    /// `bedrock-audit.toml` (`--config` or the working directory's).
    Profile,
    /// `--accounts-file`, `--exclude-accounts-file`: 13 bytes an account.
    AccountList,
    /// `--waivers`.
    Waivers,
    /// A snapshot (`--snapshot`, a file of a snapshot directory): one file can hold a whole
    /// organization.
    Snapshot,
    /// A JSON report used as `--baseline`.
    Baseline,
    /// A file of an evidence bundle (`verify`): a snapshot or a report of the whole scan.
    BundleFile,
}

impl InputKind {
    /// The largest file of this kind that is read. Far above real files, low enough that a
    /// hostile one cannot exhaust memory (README, "Input files").
    pub const fn cap(self) -> u64 {
        match self {
            InputKind::ClaudeSettings | InputKind::Profile => MIB,
            InputKind::AccountList | InputKind::Waivers => 16 * MIB,
            InputKind::Snapshot | InputKind::Baseline | InputKind::BundleFile => GIB,
        }
    }

    /// The file's role, for messages.
    pub const fn what(self) -> &'static str {
        match self {
            InputKind::ClaudeSettings => "Claude Code settings file",
            InputKind::Profile => "profile",
            InputKind::AccountList => "account list",
            InputKind::Waivers => "waiver file",
            InputKind::Snapshot => "snapshot",
            InputKind::Baseline => "baseline",
            InputKind::BundleFile => "bundle file",
        }
    }
}

/// Who chose the path, which decides whether a symbolic link there is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// The user typed this path (a flag's value): a link there is followed to a regular file.
    Explicitly,
    /// The tool found this path by itself: a link there is refused, never followed.
    Implicitly,
}

/// A size for messages: "1 MiB", "1 GiB".
pub fn shown_size(bytes: u64) -> String {
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn too_large(kind: InputKind) -> String {
    format!(
        "is larger than {}, the limit for a {} (README, \"Input files\")",
        shown_size(kind.cap()),
        kind.what()
    )
}

/// Why something that is not a regular file is not read ("is a FIFO", "is a directory").
fn not_regular(meta: &Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        let what = if t.is_dir() {
            "a directory"
        } else if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_char_device() {
            "a character device"
        } else if t.is_block_device() {
            "a block device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        format!("is {what}, not a regular file; not read")
    }
    #[cfg(not(unix))]
    {
        if meta.is_dir() {
            "is a directory, not a regular file; not read".into()
        } else {
            "is not a regular file; not read".into()
        }
    }
}

/// Why an entry with this metadata (from `symlink_metadata` or `fstat`) cannot be read as a
/// `kind`, if it cannot. A symbolic link is named as one, with its target.
pub fn entry_problem(path: &Path, meta: &Metadata, kind: InputKind) -> Option<String> {
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path)
            .map(|t| visible(&t.display().to_string()).into_owned())
            .unwrap_or_else(|_| "?".into());
        return Some(format!(
            "is a symbolic link (to {target}); links found by the tool are not followed: name the file itself"
        ));
    }
    if !meta.is_file() {
        return Some(not_regular(meta));
    }
    if meta.len() > kind.cap() {
        return Some(too_large(kind));
    }
    None
}

/// The bytes of one input file, or why it was not read (without the path: the caller names
/// the file). See the module notes for what is refused.
pub fn read_bytes(
    path: &Path,
    kind: InputKind,
    named: Named,
) -> std::result::Result<Vec<u8>, String> {
    let unreadable = |e: std::io::Error| format!("cannot be read ({e})");
    if named == Named::Implicitly {
        let meta = std::fs::symlink_metadata(path).map_err(unreadable)?;
        if let Some(problem) = entry_problem(path, &meta, kind) {
            return Err(problem);
        }
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let no_follow = if named == Named::Implicitly {
            libc::O_NOFOLLOW
        } else {
            0
        };
        // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever.
        options.custom_flags(libc::O_NONBLOCK | no_follow);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) && named == Named::Implicitly {
            return "is a symbolic link (swapped in while it was read); not followed".to_string();
        }
        unreadable(e)
    })?;
    // Judge what was opened, not the name: the name may have changed since.
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > kind.cap() {
        return Err(too_large(kind));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(kind.cap() + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > kind.cap() {
        return Err(too_large(kind));
    }
    Ok(bytes)
}

/// One input file as UTF-8 text; every refusal is an input error (exit 2) naming the file.
pub fn read_text(path: &Path, kind: InputKind, named: Named) -> Result<String> {
    let bytes = read_bytes(path, kind, named)
        .map_err(|problem| Error::input_file(path, format!("{} {problem}", kind.what())))?;
    String::from_utf8(bytes).map_err(|e| {
        Error::input_file(
            path,
            format!(
                "{} is not UTF-8 text (invalid byte at offset {})",
                kind.what(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The `*.json` files of a directory given as input, in name order, and a note for every
/// other entry, which is skipped (named, never skipped silently).
///
/// An entry named `*.json` that is not a regular file (a FIFO, a device, a directory, a
/// symbolic link, which is never followed inside a directory) is an error: a join that
/// silently lost a shard would judge fewer accounts than the user gave it.
pub struct DirectoryInputs {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<String>,
}

/// Lists `dir` for [`DirectoryInputs`]; `flag` names the option in messages.
pub fn json_files_in(dir: &Path, flag: &str, kind: InputKind) -> Result<DirectoryInputs> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::input_file(dir, format!("cannot read the {flag} directory: {e}")))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut refused = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::input_file(dir, format!("cannot list the directory: {e}")))?;
        let path = entry.path();
        let name = visible(&entry.file_name().to_string_lossy()).into_owned();
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| Error::input_file(&path, format!("cannot be read ({e})")))?;
        let is_json = path.extension().is_some_and(|e| e == "json");
        match entry_problem(&path, &meta, kind) {
            None if is_json => files.push(path),
            None => skipped.push(format!("{name}: not a .json file; skipped")),
            Some(problem) if is_json => refused.push(format!("{name} {problem}")),
            Some(problem) => skipped.push(format!("{name}: {problem}; skipped")),
        }
    }
    if !refused.is_empty() {
        refused.sort();
        return Err(Error::input_file(
            dir,
            format!(
                "{flag} directory: {} (name each file you mean explicitly, or remove it)",
                refused.join("; ")
            ),
        ));
    }
    files.sort();
    skipped.sort();
    Ok(DirectoryInputs { files, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_ordered_by_kind() {
        assert_eq!(shown_size(InputKind::ClaudeSettings.cap()), "1 MiB");
        assert_eq!(shown_size(InputKind::Snapshot.cap()), "1 GiB");
        assert!(InputKind::Waivers.cap() < InputKind::Baseline.cap());
    }

    #[test]
    fn a_regular_file_is_read_and_an_oversized_one_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{}").expect("write");
        let bytes = read_bytes(&path, InputKind::ClaudeSettings, Named::Implicitly).expect("reads");
        assert_eq!(bytes, b"{}");
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        file.set_len(InputKind::ClaudeSettings.cap() + 1)
            .expect("grow");
        let err =
            read_bytes(&path, InputKind::ClaudeSettings, Named::Explicitly).expect_err("too large");
        assert!(err.contains("larger than 1 MiB"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_only_when_named_explicitly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("real.toml");
        std::fs::write(&target, "x = 1\n").expect("write");
        let link = dir.path().join("bedrock-audit.toml");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        assert!(read_bytes(&link, InputKind::Profile, Named::Explicitly).is_ok());
        let err = read_bytes(&link, InputKind::Profile, Named::Implicitly).expect_err("link");
        assert!(err.contains("symbolic link"), "{err}");
        // A directory, named or not, is not a file.
        let err = read_bytes(dir.path(), InputKind::Profile, Named::Explicitly).expect_err("dir");
        assert!(err.contains("is a directory"), "{err}");
    }
}
