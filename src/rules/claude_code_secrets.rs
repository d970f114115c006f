//! `claude-code-secrets`: no Claude Code settings file holds a credential, in any of the forms
//! of `claude_code::redaction::CREDENTIAL_FORMS` (access-key ids, secret keys, session tokens,
//! Bedrock and Anthropic API keys, Authorization headers, URL user info, credential-named
//! variables at any depth, helper commands that print a literal): settings files are copied
//! to every laptop and into repositories.
//!
//! The rule judges the content, not the list of redactions a snapshot carries: it runs the
//! redaction walk again on each document (a no-op on one this run already redacted) and fails
//! once for every marker in it, key or value, naming the file, the JSON path (whose own
//! secrets are markers too) and the kind. So a snapshot holding a literal secret with an
//! empty list of redactions fails all the same, and the rule never sees a secret.

use crate::claude_code::redaction::{
    kind_description, markers_in_document, redact_document, CREDENTIAL_FORMS,
};
use crate::finding::{Evidence, Finding, Status};
use crate::rules::{RuleContext, WithEvidence};

pub const SOURCE: &str = "claude-settings";

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let files = match &ctx.snapshot.claude_settings {
        Some(settings) if !settings.files.is_empty() => &settings.files,
        _ => return vec![not_applicable(ctx)],
    };
    let mut findings = Vec::new();
    for file in files {
        let mut content = file.content.clone();
        redact_document(&mut content);
        let mut found = markers_in_document(&content);
        if crate::claude_code::redaction::holds_marker(&file.path) {
            found.extend(
                crate::claude_code::redaction::markers_in(&file.path)
                    .into_iter()
                    .map(
                        |(kind, sha256_prefix)| crate::claude_code::redaction::MarkerFound {
                            json_path: "(file path)".into(),
                            kind,
                            sha256_prefix,
                        },
                    ),
            );
        }
        if found.is_empty() {
            findings.push(
                ctx.finding(
                    Status::Pass,
                    "global",
                    file.path.clone(),
                    format!(
                        "{} ({} settings) holds no credential in any of the {} forms checked, in any key or value.",
                        file.path,
                        file.kind.as_str(),
                        CREDENTIAL_FORMS.len()
                    ),
                )
                .with_evidence(
                    Evidence::new(SOURCE, None)
                        .with("file", &file.path)
                        .with("kind", file.kind)
                        .with("checked_forms", checked_forms())
                        .with("credentials_found", 0),
                ),
            );
            continue;
        }
        for credential in found {
            let kind = kind_description(credential.kind);
            findings.push(
                ctx.finding(
                    Status::Fail,
                    "global",
                    format!("{}#{}", file.path, credential.json_path),
                    format!(
                        "{} ({} settings) holds {kind} at {} (redacted here; sha256 prefix {}). Anyone who can read the file can use the credential: rotate it, and remove it from the file.",
                        file.path,
                        file.kind.as_str(),
                        credential.json_path,
                        credential.sha256_prefix
                    ),
                )
                .with_evidence(
                    Evidence::new(SOURCE, None)
                        .with("file", &file.path)
                        .with("kind", file.kind)
                        .with("json_path", &credential.json_path)
                        .with("reason", credential.kind)
                        .with("sha256_prefix", &credential.sha256_prefix),
                ),
            );
        }
    }
    findings
}

/// The kinds the walk looks for, as markers name them.
fn checked_forms() -> Vec<&'static str> {
    CREDENTIAL_FORMS
        .iter()
        .map(|form| crate::claude_code::redaction::kind_name(form.kind))
        .collect()
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
