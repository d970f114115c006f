//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning. To be written.

use super::Report;

pub fn render(report: &Report) -> String {
    super::json::render(report)
}
