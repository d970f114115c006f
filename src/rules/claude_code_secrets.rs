//! `claude-code-secrets`: no Claude Code settings file holds a credential. A literal value of
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_BEARER_TOKEN_BEDROCK` or
//! `ANTHROPIC_API_KEY` in `env`, or an AWS access-key id (`AKIA…`/`ASIA…`) anywhere in a value,
//! fails: settings files are copied to every laptop and into repositories.
//!
//! The values were redacted when the files were read (`claude_code/settings.rs`); this rule judges
//! the redaction records, so it never sees a secret either.

use crate::claude_code::settings::SECRET_VARIABLES;
use crate::finding::{Evidence, Finding, Status};
use crate::rules::{RuleContext, WithEvidence};
use crate::snapshot::RedactionReason;

pub const SOURCE: &str = "claude-settings";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let files = match &ctx.snapshot.claude_settings {
        Some(settings) if !settings.files.is_empty() => &settings.files,
        _ => return vec![not_applicable(ctx)],
    };
    let mut findings = Vec::new();
    for file in files {
        if file.redactions.is_empty() {
            findings.push(
                ctx.finding(
                    Status::Pass,
                    "global",
                    file.path.clone(),
                    format!(
                        "{} ({} settings) holds no credential: none of {} has a literal value, and no value holds an AWS access-key id.",
                        file.path,
                        file.kind.as_str(),
                        SECRET_VARIABLES.join(", ")
                    ),
                )
                .with_evidence(
                    Evidence::new(SOURCE, None)
                        .with("file", &file.path)
                        .with("kind", file.kind)
                        .with("checked_variables", SECRET_VARIABLES)
                        .with("redacted_values", 0),
                ),
            );
            continue;
        }
        for redaction in &file.redactions {
            let what = match redaction.reason {
                RedactionReason::SecretVariable => format!(
                    "holds {} as a literal value",
                    redaction.json_path.trim_start_matches("env.")
                ),
                RedactionReason::AccessKeyId => format!(
                    "holds an AWS access-key id (AKIA…/ASIA…) in {}",
                    redaction.json_path
                ),
            };
            findings.push(
                ctx.finding(
                    Status::Fail,
                    "global",
                    format!("{}#{}", file.path, redaction.json_path),
                    format!(
                        "{} ({} settings) {what} (redacted here; sha256 prefix {}). Anyone who can read the file can use the credential: rotate it, and remove it from the file.",
                        file.path,
                        file.kind.as_str(),
                        redaction.sha256_prefix
                    ),
                )
                .with_evidence(
                    Evidence::new(SOURCE, None)
                        .with("file", &file.path)
                        .with("kind", file.kind)
                        .with("json_path", &redaction.json_path)
                        .with("reason", redaction.reason)
                        .with("sha256_prefix", &redaction.sha256_prefix),
                ),
            );
        }
    }
    findings
}

pub fn not_applicable(ctx: &RuleContext) -> Finding {
    ctx.finding(
        Status::NotApplicable,
        "global",
        "claude-settings",
        "No Claude Code settings file was given: pass --claude-settings PATH (repeatable) to check the configuration Claude Code will use.",
    )
    .with_evidence(Evidence::new(SOURCE, None).with("files", Vec::<String>::new()))
}
