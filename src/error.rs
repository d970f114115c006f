//! Errors that stop the tool before it can produce a report (exit code 2).

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a config, snapshot, waiver or baseline file, or a flag. The message names
    /// the file or flag and what is wrong.
    #[error("{0}")]
    Input(String),
    /// The environment cannot support a scan (no credentials, no region).
    #[error("{0}")]
    Environment(String),
    #[error("{0}")]
    Io(String),
}

impl Error {
    pub fn input_file(path: &Path, message: impl std::fmt::Display) -> Self {
        Error::Input(format!("{}: {message}", path.display()))
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        Error::Io(format!("{}: {err}", path.display()))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
