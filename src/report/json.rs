//! `--format json`: the report as documented in `schemas/report.schema.json`.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// The same bytes as [`render`], streamed: a large account's report is never held in memory
/// as text beside the report itself (see BENCHMARKS.md, memory).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
