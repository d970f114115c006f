//! bedrock-audit: is this AWS account ready for Claude Code through Amazon Bedrock?
//!
//! collect (AWS, read-only) → [`snapshot::Snapshot`] → [`rules`] (pure) → [`report::Report`]
//! → table / JSON / SARIF / JUnit / Markdown / HTML.

pub mod access_plan;
pub mod account_list;
pub mod app;
pub mod baseline;
pub mod bedrock_policy;
pub mod claude_code;
pub mod cli;
pub mod collect;
pub mod digest;
pub mod endpoint_policy;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod finding;
pub mod iam_policy;
pub mod input_file;
pub mod model_ids;
pub mod output_file;
pub mod profile;
pub mod region_name;
pub mod report;
pub mod report_data;
pub mod rules;
pub mod settings_command;
pub mod snapshot;
pub mod snapshot_file;
pub mod terminal_progress;
pub mod untrusted_text;
pub mod waivers;
