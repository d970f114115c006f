//! Account lists from the command line and from files: `--accounts`, `--accounts-file`,
//! `--exclude-accounts`, `--exclude-accounts-file`. Every id is checked (12 digits) and an error
//! names the flag, or the file and line.

use std::path::Path;

use crate::error::{Error, Result};
use crate::untrusted_text::{quoted, MESSAGE_QUOTE_LIMIT};

/// Whether `id` is an AWS account id: exactly 12 digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The ids given with a flag, checked.
pub fn from_flag(flag: &str, values: &[String]) -> Result<Vec<String>> {
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .map(|value| {
            if is_account_id(value) {
                Ok(value.to_string())
            } else {
                Err(Error::Input(format!(
                    "{flag}: \"{}\" is not an AWS account id (12 digits)",
                    quoted(value, MESSAGE_QUOTE_LIMIT)
                )))
            }
        })
        .collect()
}

/// The ids in a file, one per line; blank lines and `#` comments are skipped.
pub fn from_file(path: &Path) -> Result<Vec<String>> {
    let text = crate::input_file::read_text(
        path,
        crate::input_file::InputKind::AccountList,
        crate::input_file::Named::Explicitly,
    )?;
    let mut ids = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let id = line.split('#').next().unwrap_or_default().trim();
        if id.is_empty() {
            continue;
        }
        if !is_account_id(id) {
            return Err(Error::input_file(
                path,
                format!(
                    "line {}: \"{}\" is not an AWS account id (12 digits)",
                    index + 1,
                    quoted(id, MESSAGE_QUOTE_LIMIT)
                ),
            ));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// `wanted` without `excluded` and without repeats, first occurrence kept.
pub fn select(wanted: Vec<String>, excluded: &[String]) -> Vec<String> {
    // Sets, not list scans: 100,000 accounts less 100,000 exclusions took 48 s (issue 24).
    let excluded: std::collections::HashSet<&str> = excluded.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    wanted
        .into_iter()
        .filter(|id| !excluded.contains(id.as_str()) && seen.insert(id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_thousand_exclusions_are_applied_quickly() {
        let ids: Vec<String> = (0..100_000u64).map(|i| format!("{i:012}")).collect();
        let started = std::time::Instant::now();
        let kept = select(ids.clone(), &ids[..99_999]);
        assert_eq!(kept, vec![ids[99_999].clone()]);
        // Quadratic, this took 48 s in a release build; a set takes milliseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn ids_are_checked_and_files_name_the_line() {
        assert_eq!(
            from_flag(
                "--accounts",
                &["111111111111".into(), " 222222222222 ".into()]
            )
            .unwrap(),
            ["111111111111", "222222222222"]
        );
        let err = from_flag("--accounts", &["12345".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--accounts") && err.contains("12345"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.txt");
        std::fs::write(&file, "# org units\n111111111111  # prod\n\n22222222222x\n").unwrap();
        let err = from_file(&file).unwrap_err().to_string();
        assert!(
            err.contains("accounts.txt") && err.contains("line 4"),
            "{err}"
        );
        std::fs::write(&file, "111111111111\n222222222222 # dev\n").unwrap();
        assert_eq!(from_file(&file).unwrap(), ["111111111111", "222222222222"]);
    }

    #[test]
    fn selection_drops_exclusions_and_repeats() {
        let wanted = ["1", "2", "1", "3"].map(String::from).to_vec();
        assert_eq!(select(wanted, &["2".to_string()]), ["1", "3"]);
    }
}
