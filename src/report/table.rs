//! `--format table`: for people at a terminal. To be written.

use super::Report;

pub fn render(report: &Report, _color: bool) -> String {
    format!("{:?}\n", report.summary)
}
