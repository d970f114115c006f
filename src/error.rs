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

/// A TOML parse error as one readable message: the error's own text quotes the offending
/// line whole (a 200 KB line would be echoed), so quoted lines are cut to a readable length.
pub fn toml_message(err: &toml::de::Error) -> String {
    err.to_string()
        .trim_end()
        .lines()
        .map(|line| crate::untrusted_text::quoted(line, crate::untrusted_text::MESSAGE_QUOTE_LIMIT))
        .collect::<Vec<_>>()
        .join("\n")
}
