//! The finished report and its output formats. Every emitter is a pure function of [`Report`].

pub use crate::report_data::{
    BaselineInfo, Report, RuleCoverage, ScanInfo, Summary, ToolInfo, Verdict,
    REPORT_SCHEMA_VERSION, TOOL_NAME, TOOL_VERSION,
};

pub mod asff;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
pub mod table;

/// Bumped whenever the JSON report's shape changes incompatibly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
    /// OCSF 1.5.0 Compliance Findings (class 2003), a JSON array.
    Ocsf,
    /// AWS Security Finding Format, a JSON array for `aws securityhub batch-import-findings`.
    Asff,
}

impl Format {
    /// The file `--output-dir` writes this format to.
    pub fn file_name(self) -> String {
        format!("report.{}", self.file_extension())
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Ocsf => "ocsf.json",
            Format::Asff => "asff.json",
        }
    }
}

/// Writes a report to `out`: JSON is streamed, the other formats rendered first.
pub fn write(
    report: &Report,
    format: Format,
    table: &table::TableOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        other => out.write_all(render_with(report, other, table).as_bytes()),
    }
}

/// Renders a report; `color` only matters for the table, which gets its default layout.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    render_with(
        report,
        format,
        &table::TableOptions {
            color,
            ..table::TableOptions::default()
        },
    )
}

/// Renders a report; the options only matter for the table.
pub fn render_with(report: &Report, format: Format, table: &table::TableOptions) -> String {
    match format {
        Format::Table => table::render(report, table),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Ocsf => ocsf::render(report),
        Format::Asff => asff::render(report),
    }
}
