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
    /// A problem with an input file. The path is made visible (a file name holding a newline
    /// cannot start a line of its own on stderr, which is often a CI log), and any line of the
    /// message that quotes something shaped like a credential is withheld: the file may be a
    /// planted link to `~/.aws/credentials`.
    pub fn input_file(path: &Path, message: impl std::fmt::Display) -> Self {
        Error::Input(format!(
            "{}: {}",
            crate::untrusted_text::visible(&path.display().to_string()),
            withhold_credentials(&message.to_string())
        ))
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        Error::Io(format!(
            "{}: {err}",
            crate::untrusted_text::visible(&path.display().to_string())
        ))
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A TOML parse error as one readable message: the error's own text quotes the offending
/// line whole (a 200 KB line would be echoed), so quoted lines are cut to a readable length.
pub fn toml_message(err: &toml::de::Error) -> String {
    let message = err
        .to_string()
        .trim_end()
        .lines()
        .map(|line| crate::untrusted_text::quoted(line, crate::untrusted_text::MESSAGE_QUOTE_LIMIT))
        .collect::<Vec<_>>()
        .join("\n");
    withhold_credentials(&message)
}

/// Words that, as one part of a name (`ANTHROPIC_AUTH_TOKEN`, `aws_secret_access_key`), mark
/// a setting or variable that carries a secret. `tokens_per_minute` is not one.
const CREDENTIAL_NAME_PARTS: &[&str] = &["token", "secret", "password", "passwd", "credential"];
/// Text that marks a credential wherever it appears, lower case.
const CREDENTIAL_MARKS: &[&str] = &[
    "aws_access_key_id",
    "apikey",
    "api_key",
    "api-key",
    "authorization",
    "bearer ",
    "private key",
    "sk-ant-",
    "bedrock-api-key-",
];

fn names_a_credential(lower: &str) -> bool {
    if CREDENTIAL_MARKS.iter().any(|mark| lower.contains(mark)) {
        return true;
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| CREDENTIAL_NAME_PARTS.contains(&part))
}

/// Whether a line of text quotes something shaped like a credential: an AWS access-key id
/// (`AKIA`/`ASIA`… and 16 more upper-case letters or digits, IAM user guide, "Understanding
/// unique ID prefixes"), a long-term Bedrock API key (`ABSK…`), a run of 40 or more
/// base64 characters (the shape of a secret access key or a token), or the name of a setting
/// that carries one. Deliberately broad: a withheld line costs a little context, a quoted one
/// can leak a key into a CI log.
pub fn holds_credential_form(line: &str) -> bool {
    if names_a_credential(&line.to_ascii_lowercase()) {
        return true;
    }
    let bytes = line.as_bytes();
    let after =
        |i: usize, allowed: fn(&u8) -> bool| bytes[i..].iter().take_while(|b| allowed(b)).count();
    let key_id = ["AKIA", "ASIA", "ABIA", "ACCA"].iter().any(|prefix| {
        line.match_indices(prefix)
            .any(|(i, _)| after(i + 4, |b| b.is_ascii_uppercase() || b.is_ascii_digit()) >= 16)
    });
    let bedrock_key = line
        .match_indices("ABSK")
        .any(|(i, _)| after(i + 4, u8::is_ascii_alphanumeric) >= 12);
    key_id || bedrock_key || holds_long_random_run(bytes)
}

/// A run of 40 or more base64 characters mixing upper case, lower case and digits: the shape
/// of a secret access key (40 characters) or a token; a path or a word does not mix all three.
fn holds_long_random_run(bytes: &[u8]) -> bool {
    let mut run = 0usize;
    let (mut upper, mut lower, mut digit) = (false, false, false);
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=') {
            run += 1;
            upper |= b.is_ascii_uppercase();
            lower |= b.is_ascii_lowercase();
            digit |= b.is_ascii_digit();
            if run >= 40 && upper && lower && digit {
                return true;
            }
        } else {
            run = 0;
            (upper, lower, digit) = (false, false, false);
        }
    }
    false
}

/// `message` with every line that [`holds_credential_form`] replaced by a note. A TOML
/// snippet line (`12 | key = value`) keeps its line number.
pub fn withhold_credentials(message: &str) -> String {
    if !message.lines().any(holds_credential_form) {
        return message.to_string();
    }
    message
        .lines()
        .map(|line| {
            if !holds_credential_form(line) {
                return line.to_string();
            }
            match line.split_once(" | ") {
                Some((number, _)) if number.trim().chars().all(|c| c.is_ascii_digit()) => {
                    format!("{number} | (line not shown: it looks like it holds a credential)")
                }
                _ => "(part of this message is not shown: it quotes text that looks like a credential)"
                    .to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_credentials_line_is_withheld_with_its_line_number_kept() {
        let text = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
        let err = toml::from_str::<toml::Table>(text).expect_err("not toml");
        let message = toml_message(&err);
        assert!(!message.contains("AKIAIOSFODNN7EXAMPLE"), "{message}");
        assert!(message.contains("2 | (line not shown"), "{message}");
        let wrapped = Error::input_file(Path::new("bedrock-audit.toml"), message).to_string();
        assert!(!wrapped.contains("AKIA"), "{wrapped}");
    }

    #[test]
    fn credential_forms_are_recognised_and_ordinary_lines_are_not() {
        for line in [
            "x = AKIAIOSFODNN7EXAMPLE",
            "key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYxx\"",
            "ANTHROPIC_AUTH_TOKEN",
            "aws_secret_access_key = x",
            "ABSKQmVkcm9ja0FQSUtleS",
        ] {
            assert!(holds_credential_form(line), "{line}");
        }
        for line in [
            "rollout.regions: \"mars-1\" is not an AWS region name",
            "expected `\"`, `'`",
            "line 3: \"12\" is not an AWS account id (12 digits)",
            "capacity.tokens_per_minute_per_developer: must be positive",
        ] {
            assert!(!holds_credential_form(line), "{line}");
        }
    }

    #[test]
    fn a_file_name_cannot_start_a_new_line() {
        let err = Error::input_file(Path::new("a\nbedrock-audit: READY"), "bad");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}
