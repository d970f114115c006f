//! Every file the tool writes (reports, snapshots, traces, evidence bundles, `init`) goes
//! through here. A bottom layer: it knows paths and bytes, nothing about reports.
//!
//! - A regular file is replaced atomically: an unpredictable temporary file, created
//!   exclusively in the destination directory, is written, synced and renamed over it, so a
//!   reader never sees half a file, a failed write leaves the old one, and nobody can plant a
//!   symlink where the temporary file will be. An existing file keeps its mode (and its owner
//!   where the caller may set it).
//! - A character device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written in place:
//!   replacing it would destroy it.
//! - A symbolic link is never replaced. One leading to a device or FIFO, or living under
//!   `/dev` or `/proc` (`/dev/stdout`, `/dev/fd/N`), is written through; any other is refused,
//!   because following it could write wherever someone else pointed it.
//! - A directory of outputs (`--output-dir`, `--evidence`) is written all or nothing: every
//!   file goes to a temporary file first, and only when all are written are they renamed
//!   into place.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::untrusted_text::visible;

/// How an output path will be written.
enum Target {
    /// Nothing there yet: created atomically.
    New,
    /// A regular file: replaced atomically, keeping its mode.
    Replace(Metadata),
    /// A device or FIFO (possibly behind a symlink): opened and written as it is.
    InPlace { truncate: bool },
}

fn shown(path: &Path) -> String {
    visible(&path.display().to_string()).into_owned()
}

fn failure(flag: &str, path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Io(format!("{flag} {}: {what}", shown(path)))
}

/// Whether a path names a device, FIFO or descriptor alias (`/dev/stdout`, `/proc/self/fd/1`)
/// whose symlink is the system's, not a user's.
fn is_system_alias(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

#[cfg(unix)]
fn is_special(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_fifo()
}

#[cfg(not(unix))]
fn is_special(_meta: &Metadata) -> bool {
    false
}

fn classify(flag: &str, path: &Path) -> Result<Target> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Target::New),
        Err(e) => return Err(failure(flag, path, e)),
    };
    if meta.file_type().is_symlink() {
        let link = std::fs::read_link(path)
            .map(|t| shown(&t))
            .unwrap_or_else(|_| "?".into());
        return match std::fs::metadata(path) {
            Ok(target) if is_special(&target) => Ok(Target::InPlace { truncate: false }),
            Ok(target) if target.is_file() && is_system_alias(path) => {
                Ok(Target::InPlace { truncate: true })
            }
            Ok(_) => Err(failure(
                flag,
                path,
                format!("is a symbolic link (to {link}); refusing to write through it or replace it: name the file itself"),
            )),
            Err(_) => Err(failure(
                flag,
                path,
                format!("is a symbolic link to {link}, which does not exist; refusing to write through it or replace it"),
            )),
        };
    }
    if meta.is_dir() {
        return Err(failure(
            flag,
            path,
            "is a directory (name a file to write; several formats go to --output-dir DIR)",
        ));
    }
    if meta.is_file() {
        return Ok(Target::Replace(meta));
    }
    if is_special(&meta) {
        return Ok(Target::InPlace { truncate: false });
    }
    Err(failure(
        flag,
        path,
        "is a block device or socket, not something to write a report into",
    ))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates (and removes) an unpredictable file in `dir`: the one honest test of whether we
/// may write there (permission bits say nothing for root or a read-only mount).
fn probe_writable(flag: &str, dir: &Path, for_path: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(failure(
                flag,
                for_path,
                format!("{} is not a directory", shown(dir)),
            ))
        }
        Err(e) => {
            return Err(failure(
                flag,
                for_path,
                format!("directory {}: {e}", shown(dir)),
            ))
        }
    }
    tempfile::Builder::new()
        .prefix(".bedrock-audit-probe.")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| {
            failure(
                flag,
                for_path,
                format!("cannot write in {}: {e}", shown(dir)),
            )
        })
}

/// Checks, before any work starts, that `path` can be written as `flag`'s output file.
pub fn check_file(flag: &str, path: &Path) -> Result<()> {
    match classify(flag, path)? {
        Target::New | Target::Replace(_) => probe_writable(flag, parent_dir(path), path),
        Target::InPlace { .. } => Ok(()),
    }
}

/// A symbolic link given as an output directory is refused, as for a file: following it could
/// write wherever someone else pointed it (a repository can plant `out` as a link).
fn refuse_linked_dir(flag: &str, dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let link = std::fs::read_link(dir)
                .map(|t| shown(&t))
                .unwrap_or_else(|_| "?".into());
            Err(failure(
                flag,
                dir,
                format!("is a symbolic link (to {link}); refusing to write through it: name the directory itself"),
            ))
        }
        _ => Ok(()),
    }
}

/// Checks, before any work starts, that `dir` can hold `flag`'s files `names`: it is a
/// directory (or can be created), writable, not a symbolic link, and none of the names is
/// taken by anything but a regular file.
/// Refuses an existing directory that holds anything but `names`: a bundle written among other
/// files would not verify (`verify` reports every entry the manifest does not list).
pub fn check_holds_only(flag: &str, dir: &Path, names: &[String]) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(failure(flag, dir, e)),
    };
    let others: Vec<String> = entries
        .take(10_000)
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !names.contains(name))
        .collect();
    match others.first() {
        None => Ok(()),
        Some(first) => Err(failure(
            flag,
            dir,
            format!(
                "already holds {}{}, which is not part of an evidence bundle (verify would reject the bundle); choose a new or empty directory",
                visible(first),
                match others.len() {
                    1 => String::new(),
                    n => format!(" and {} more entries", n - 1),
                }
            ),
        )),
    }
}

pub fn check_dir(flag: &str, dir: &Path, names: &[String]) -> Result<()> {
    refuse_linked_dir(flag, dir)?;
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(failure(flag, dir, "exists and is not a directory")),
        Ok(_) => {
            for name in names {
                let path = dir.join(name);
                if !matches!(classify(flag, &path)?, Target::New | Target::Replace(_)) {
                    return Err(failure(flag, &path, "exists and is not a regular file"));
                }
            }
            probe_writable(flag, dir, dir)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // It will be created: the nearest existing ancestor must be a writable directory.
            let mut ancestor = parent_dir(dir);
            loop {
                match std::fs::symlink_metadata(ancestor) {
                    Ok(_) => return probe_writable(flag, ancestor, dir),
                    Err(e) if e.kind() == ErrorKind::NotFound && ancestor != Path::new(".") => {
                        ancestor = match ancestor.parent() {
                            Some(up) if !up.as_os_str().is_empty() => up,
                            _ => Path::new("."),
                        };
                    }
                    Err(e) => return Err(failure(flag, dir, e)),
                }
            }
        }
        Err(e) => Err(failure(flag, dir, e)),
    }
}

/// Writes `bytes` to `path` (see the module notes for what each kind of path gets).
pub fn write_file(flag: &str, path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_with(flag, path, |out| out.write_all(bytes))
}

/// [`write_file`] for content that `write` produces piece by piece (a large report is
/// streamed, never held whole in memory).
pub fn write_file_with(
    flag: &str,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match classify(flag, path)? {
        Target::New => replace_atomically(path, write, None),
        Target::Replace(meta) => replace_atomically(path, write, Some(&meta)),
        Target::InPlace { truncate } => OpenOptions::new()
            .write(true)
            .truncate(truncate)
            .open(path)
            .and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                write(&mut out)?;
                out.flush()
            }),
    }
    .map_err(|e| failure(flag, path, e))
}

/// Writes every `(name, bytes)` into `dir`, all or nothing: if any write fails, no file in
/// `dir` has changed and a directory this call created is removed again.
pub fn write_dir(flag: &str, dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    refuse_linked_dir(flag, dir)?;
    let created = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => return Err(failure(flag, dir, "exists and is not a directory")),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| failure(flag, dir, e))?;
            true
        }
        Err(e) => return Err(failure(flag, dir, e)),
    };
    let staged = stage_all(flag, dir, files);
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    for (temp, path) in staged {
        temp.persist(&path)
            .map_err(|e| failure(flag, &path, e.error))?;
    }
    sync_dir(dir);
    Ok(())
}

/// Every file written and synced to a temporary file beside its destination. Dropping the
/// result (on error) deletes them all.
fn stage_all(
    flag: &str,
    dir: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<(tempfile::NamedTempFile, PathBuf)>> {
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let existing = match classify(flag, &path)? {
            Target::New => None,
            Target::Replace(meta) => Some(meta),
            Target::InPlace { .. } => {
                return Err(failure(flag, &path, "exists and is not a regular file"))
            }
        };
        let temp = write_temp(&path, |out| out.write_all(bytes), existing.as_ref())
            .map_err(|e| failure(flag, &path, e))?;
        staged.push((temp, path));
    }
    Ok(staged)
}

fn write_temp(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    existing: Option<&Metadata>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new file gets the usual 0666 less the umask, not tempfile's private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(parent_dir(path))?;
    {
        let mut out = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    if let Some(meta) = existing {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner where we may (root replacing another user's report); an
            // unprivileged caller cannot, and the file then becomes theirs, as with any editor.
            // Before the mode: a change of owner clears set-id bits.
            let _ = std::os::unix::fs::fchown(temp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

fn replace_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    existing: Option<&Metadata>,
) -> std::io::Result<()> {
    let temp = write_temp(path, write, existing)?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(parent_dir(path));
    Ok(())
}

/// Makes a rename durable. Best effort: not every file system can sync a directory.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}
