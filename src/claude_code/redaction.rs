//! Credentials in a Claude Code settings document, in every shape they come in, replaced by
//! markers before anything else sees the document.
//!
//! One walk ([`redact_document`]) visits every key and every value at every depth, whatever
//! its JSON type, and judges it against one table ([`CREDENTIAL_FORMS`]) of the forms a
//! credential takes, each with the source that documents it. The walk runs when a settings
//! file is parsed and again whenever a snapshot is loaded (`evaluate`, `verify`, `claude-settings
//! --snapshot`): a snapshot is input too, and may have been written by hand or by an older
//! version that knew fewer forms.
//!
//! Markers: `<redacted KIND sha256:HHHHHHHHHHHH>`, the kind and the first 12 hex digits of the
//! SHA-256 of what was removed (enough to match a known secret for rotation, not to recover
//! it). No marker is trusted to mean "already clean": the walk scans marker-lookalikes like any
//! other text. A marker of the exact form holds nothing but a kind and hex digits, so scanning
//! it again finds nothing and it stays; anything else that merely starts like one
//! (`<redacted sha256:AKIA…>`, `<redacted …>; echo sk-ant-…`) is text, judged and redacted like
//! text. So no per-run key is needed: a forged marker can never hide a credential, and a
//! well-formed one only ever makes `claude-code-secrets` fail, which is the safe side.

use serde_json::{Map, Value};

use crate::digest::sha256_hex;
use crate::snapshot::{Redaction, RedactionReason, SettingsFile};

/// How a form is recognised.
#[derive(Clone, Copy)]
pub enum Detector {
    /// Somewhere inside a string, a key or a value.
    InText(fn(&str) -> bool),
    /// The non-empty value (of any JSON type) under a key or variable with such a name.
    ByName(fn(&str) -> bool),
    /// A credential helper command setting that prints a literal instead of fetching one.
    InHelperCommand(fn(&str) -> bool),
}

/// One form a credential takes in a settings file, and where that form is documented.
pub struct CredentialForm {
    pub kind: RedactionReason,
    /// The shape, for people (`explain`, the README).
    pub shape: &'static str,
    pub source: &'static str,
    pub detector: Detector,
}

const IAM_IDENTIFIERS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids";
const IAM_ACCESS_KEYS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html";
const STS_CREDENTIALS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html";
const BEDROCK_API_KEYS: &str = "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html";
const IAM_BEDROCK_KEYS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_bedrock.html";
const CLAUDE_ENV_VARS: &str = "https://code.claude.com/docs/en/env-vars";
const CLAUDE_SETTINGS: &str = "https://code.claude.com/docs/en/settings";
const CLAUDE_BEDROCK: &str = "https://code.claude.com/docs/en/amazon-bedrock";
const WHATWG_URL: &str = "https://url.spec.whatwg.org/#url-representation";

/// Every credential form the walk knows, in the order it tries them.
pub const CREDENTIAL_FORMS: &[CredentialForm] = &[
    CredentialForm {
        kind: RedactionReason::SecretVariable,
        shape: "a variable or key named like a credential: AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_BEARER_TOKEN_BEDROCK, ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN, and any *_TOKEN, *API_KEY, *SECRET*, *PASSWORD*, *AUTHORIZATION, *PRIVATE_KEY (camelCase too), at any depth (mcpServers.x.env…), whatever the value's JSON type",
        source: CLAUDE_ENV_VARS,
        detector: Detector::ByName(is_credential_name),
    },
    CredentialForm {
        kind: RedactionReason::CommandLiteral,
        shape: "apiKeyHelper, awsCredentialExport or otelHeadersHelper whose command prints a literal (echo, printf, a here-document): their output is the credential, so the credential is in the file",
        source: CLAUDE_SETTINGS,
        detector: Detector::InHelperCommand(prints_a_literal),
    },
    CredentialForm {
        kind: RedactionReason::AccessKeyId,
        shape: "AKIA, ASIA, ABIA or ACCA and 16 upper-case letters or digits (an access-key id, long-term, temporary, STS bearer token, context-specific)",
        source: IAM_IDENTIFIERS,
        detector: Detector::InText(contains_access_key_id),
    },
    CredentialForm {
        kind: RedactionReason::BedrockApiKey,
        shape: "ABSK and base64 (a long-term Amazon Bedrock API key, an IAM service-specific credential; the prefix is how keys are issued, not in the AWS guide)",
        source: IAM_BEDROCK_KEYS,
        detector: Detector::InText(contains_long_term_bedrock_key),
    },
    CredentialForm {
        kind: RedactionReason::BedrockShortTermApiKey,
        shape: "bedrock-api-key- and base64 (a short-term Amazon Bedrock API key: an encoded SigV4 pre-signed URL)",
        source: BEDROCK_API_KEYS,
        detector: Detector::InText(contains_short_term_bedrock_key),
    },
    CredentialForm {
        kind: RedactionReason::AnthropicApiKey,
        shape: "sk-ant- and a key (an Anthropic API key or OAuth token, sent as x-api-key or Authorization)",
        source: CLAUDE_ENV_VARS,
        detector: Detector::InText(contains_anthropic_key),
    },
    CredentialForm {
        kind: RedactionReason::SessionToken,
        shape: "an AWS session token: after aws_session_token / SessionToken / security_token and = or :, or a base64 token starting IQoJb3JpZ2luX2Vj or FwoGZXIvYXdzE",
        source: STS_CREDENTIALS,
        detector: Detector::InText(contains_session_token),
    },
    CredentialForm {
        kind: RedactionReason::SecretAccessKey,
        shape: "an AWS secret access key: after aws_secret_access_key / SecretAccessKey and = or :, or a whole value of 40 base64 characters mixing upper case, lower case and digits",
        source: IAM_ACCESS_KEYS,
        detector: Detector::InText(contains_secret_access_key),
    },
    CredentialForm {
        kind: RedactionReason::AuthorizationHeader,
        shape: "an Authorization (Bearer, Basic, any scheme), Proxy-Authorization, x-api-key or api-key value after : or =, or Bearer and a token; in ANTHROPIC_CUSTOM_HEADERS every header whose name is a credential name",
        source: CLAUDE_ENV_VARS,
        detector: Detector::InText(contains_authorization),
    },
    CredentialForm {
        kind: RedactionReason::UrlUserInfo,
        shape: "user info in a URL (scheme://user:password@host)",
        source: WHATWG_URL,
        detector: Detector::InText(contains_url_user_info),
    },
];

/// The documents that say which settings keys run credential helpers.
pub const HELPER_SOURCES: &[&str] = &[CLAUDE_SETTINGS, CLAUDE_BEDROCK];

/// Settings whose command's output is the credential itself.
const HELPER_COMMANDS: &[&str] = &["apiKeyHelper", "awsCredentialExport", "otelHeadersHelper"];

/// The variable that holds `Name: Value` header lines; each line is judged on its own so the
/// guardrail headers stay readable.
const HEADER_VARIABLE: &str = "ANTHROPIC_CUSTOM_HEADERS";

/// The marker that stands in for a removed credential.
pub fn marker(kind: RedactionReason, removed: &str) -> String {
    format!(
        "<redacted {} sha256:{}>",
        kind_name(kind),
        sha256_prefix(removed)
    )
}

fn sha256_prefix(text: &str) -> String {
    sha256_hex(text.as_bytes())[..12].to_string()
}

/// The kind as a marker names it.
pub fn kind_name(kind: RedactionReason) -> &'static str {
    match kind {
        RedactionReason::SecretVariable => "credential-name",
        RedactionReason::AccessKeyId => "aws-access-key-id",
        RedactionReason::SecretAccessKey => "aws-secret-access-key",
        RedactionReason::SessionToken => "aws-session-token",
        RedactionReason::BedrockApiKey => "bedrock-api-key",
        RedactionReason::BedrockShortTermApiKey => "bedrock-short-term-api-key",
        RedactionReason::AnthropicApiKey => "anthropic-api-key",
        RedactionReason::AuthorizationHeader => "authorization",
        RedactionReason::UrlUserInfo => "url-user-info",
        RedactionReason::CommandLiteral => "helper-literal",
    }
}

/// What a person reads in a finding.
pub fn kind_description(kind: Option<RedactionReason>) -> &'static str {
    match kind {
        None => "a credential (redacted by an older version, kind not recorded)",
        Some(RedactionReason::SecretVariable) => "a literal value under a credential's name",
        Some(RedactionReason::AccessKeyId) => "an AWS access-key id",
        Some(RedactionReason::SecretAccessKey) => "an AWS secret access key",
        Some(RedactionReason::SessionToken) => "an AWS session token",
        Some(RedactionReason::BedrockApiKey) => "a long-term Amazon Bedrock API key",
        Some(RedactionReason::BedrockShortTermApiKey) => "a short-term Amazon Bedrock API key",
        Some(RedactionReason::AnthropicApiKey) => "an Anthropic API key",
        Some(RedactionReason::AuthorizationHeader) => {
            "an Authorization / API-key header value or bearer token"
        }
        Some(RedactionReason::UrlUserInfo) => "user info (user:password@) in a URL",
        Some(RedactionReason::CommandLiteral) => {
            "a credential helper command that prints a literal credential"
        }
    }
}

/// One marker found in a document: where, and of which kind (`None` for the kind-less
/// markers older versions wrote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerFound {
    pub json_path: String,
    pub kind: Option<RedactionReason>,
    pub sha256_prefix: String,
}

/// The markers of the exact form inside `text`, in order.
pub fn markers_in(text: &str) -> Vec<(Option<RedactionReason>, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<redacted ") {
        let candidate = &rest[start..];
        if let Some((kind, prefix, length)) = parse_marker(candidate) {
            found.push((kind, prefix));
            rest = &candidate[length..];
        } else {
            rest = &candidate["<redacted ".len()..];
        }
    }
    found
}

/// Whether `text` holds at least one marker of the exact form.
pub fn holds_marker(text: &str) -> bool {
    !markers_in(text).is_empty()
}

/// `<redacted [KIND ]sha256:12hex>` at the start of `text`: its kind, hash prefix and length.
fn parse_marker(text: &str) -> Option<(Option<RedactionReason>, String, usize)> {
    let body = text.strip_prefix("<redacted ")?;
    let end = body.find('>')?;
    let inner = &body[..end];
    let (kind, hash) = match inner.split_once(' ') {
        Some((kind, hash)) => (Some(kind_from_name(kind)?), hash),
        None => (None, inner),
    };
    let hex = hash.strip_prefix("sha256:")?;
    let well_formed = hex.len() == 12
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| (kind, hex.to_string(), "<redacted ".len() + end + 1))
}

fn kind_from_name(name: &str) -> Option<RedactionReason> {
    CREDENTIAL_FORMS
        .iter()
        .map(|form| form.kind)
        .find(|kind| kind_name(*kind) == name)
}

/// Redacts a settings file's content (and a path that holds a credential form) in place,
/// recording what it removed. Run on every file parsed and every snapshot loaded.
pub fn redact_file(file: &mut SettingsFile) {
    if let Some((redacted, kind)) = redact_text(&file.path) {
        file.redactions.push(Redaction {
            json_path: "(file path)".into(),
            reason: kind,
            sha256_prefix: sha256_prefix(&file.path),
        });
        file.path = redacted;
    }
    file.redactions.extend(redact_document(&mut file.content));
}

/// Replaces every credential in `value` (keys and values, every depth, every type) with a
/// marker, and says what it removed, where.
pub fn redact_document(value: &mut Value) -> Vec<Redaction> {
    let mut removed = Vec::new();
    walk(value, "", None, &mut removed);
    removed
}

/// Every marker in a (redacted) document, keys and values: what `claude-code-secrets` judges.
pub fn markers_in_document(value: &Value) -> Vec<MarkerFound> {
    let mut found = Vec::new();
    collect_markers(value, "", &mut found);
    found
}

fn collect_markers(value: &Value, path: &str, found: &mut Vec<MarkerFound>) {
    fn record(text: &str, json_path: &str, found: &mut Vec<MarkerFound>) {
        for (kind, sha256_prefix) in markers_in(text) {
            found.push(MarkerFound {
                json_path: json_path.to_string(),
                kind,
                sha256_prefix,
            });
        }
    }
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_path = join(path, key);
                record(key, &child_path, found);
                collect_markers(child, &child_path, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_markers(item, &format!("{path}[{index}]"), found);
            }
        }
        Value::String(text) => record(text, path, found),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(value: &mut Value, path: &str, name: Option<&str>, removed: &mut Vec<Redaction>) {
    match value {
        Value::Object(object) => {
            let entries = std::mem::take(object);
            let mut kept = Map::new();
            for (key, mut child) in entries {
                let shown_key = match redact_text(&key) {
                    Some((redacted, kind)) => {
                        removed.push(Redaction {
                            json_path: join(path, &redacted),
                            reason: kind,
                            sha256_prefix: sha256_prefix(&key),
                        });
                        redacted
                    }
                    None => key.clone(),
                };
                let child_path = join(path, &shown_key);
                if let Some(kind) = secret_by_name(&key, &child) {
                    replace_with_marker(&mut child, kind, &child_path, removed);
                } else {
                    walk(&mut child, &child_path, Some(&key), removed);
                }
                kept.insert(shown_key, child);
            }
            *object = kept;
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{path}[{index}]"), name, removed);
            }
        }
        Value::String(text) => {
            let redacted = if name == Some(HEADER_VARIABLE) {
                redact_header_lines(text)
            } else {
                redact_text(text)
            };
            if let Some((redacted, kind)) = redacted {
                removed.push(Redaction {
                    json_path: path.to_string(),
                    reason: kind,
                    sha256_prefix: sha256_prefix(text),
                });
                *text = redacted;
            }
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}

/// Whether the value under `key` is a credential by the key's name alone.
fn secret_by_name(key: &str, value: &Value) -> Option<RedactionReason> {
    let empty = match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty() || is_exact_marker(text),
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        Value::Number(_) | Value::Bool(_) => false,
    };
    if empty {
        return None;
    }
    CREDENTIAL_FORMS
        .iter()
        .find_map(|form| match (form.detector, value) {
            (Detector::ByName(named), _) if named(key) => Some(form.kind),
            (Detector::InHelperCommand(prints), Value::String(command))
                if HELPER_COMMANDS.contains(&key) && prints(command) =>
            {
                Some(form.kind)
            }
            _ => None,
        })
}

fn is_exact_marker(text: &str) -> bool {
    parse_marker(text).is_some_and(|(_, _, length)| length == text.len())
}

fn replace_with_marker(
    value: &mut Value,
    kind: RedactionReason,
    json_path: &str,
    removed: &mut Vec<Redaction>,
) {
    let text = match &*value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    removed.push(Redaction {
        json_path: json_path.to_string(),
        reason: kind,
        sha256_prefix: sha256_prefix(&text),
    });
    *value = Value::String(marker(kind, &text));
}

/// The first text form `text` holds, and the marker that replaces all of it. The whole string
/// goes: cutting out only the match would leave whatever part of a credential the pattern did
/// not cover.
pub fn redact_text(text: &str) -> Option<(String, RedactionReason)> {
    if is_exact_marker(text) {
        return None;
    }
    let kind = text_form(text)?;
    Some((marker(kind, text), kind))
}

fn text_form(text: &str) -> Option<RedactionReason> {
    CREDENTIAL_FORMS
        .iter()
        .find_map(|form| match form.detector {
            Detector::InText(found) if found(text) => Some(form.kind),
            _ => None,
        })
}

/// `Name: Value` lines, one per header (Claude Code splits on newlines at the first colon):
/// the value of a credential header, or of any line holding a credential form, is replaced,
/// the other lines stay as they are. A line that is not a header goes whole.
fn redact_header_lines(text: &str) -> Option<(String, RedactionReason)> {
    let mut first_kind = None;
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let header = line.split_once(':').filter(|(name, _)| {
                let name = name.trim();
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            });
            let replaced = match header {
                Some((name, value)) => {
                    let value = value.trim();
                    let by_name = (is_credential_name(name.trim())
                        && !value.is_empty()
                        && !is_exact_marker(value))
                    .then_some(RedactionReason::AuthorizationHeader);
                    by_name
                        .or_else(|| text_form(value))
                        .map(|kind| (kind, format!("{name}: {}", marker(kind, value))))
                }
                None => text_form(line).map(|kind| (kind, marker(kind, line))),
            };
            match replaced {
                Some((kind, replaced)) => {
                    first_kind.get_or_insert(kind);
                    replaced
                }
                None => line.to_string(),
            }
        })
        .collect();
    first_kind.map(|kind| (lines.join("\n"), kind))
}

/// A key or variable name that says its value is a credential. camelCase and kebab-case are
/// read as SNAKE_CASE (`sessionToken` is `SESSION_TOKEN`, `x-api-key` is `X_API_KEY`).
pub fn is_credential_name(name: &str) -> bool {
    let name = snake_upper(name);
    const EXACT: &[&str] = &[
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_BEARER_TOKEN_BEDROCK",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "TOKEN",
        "APIKEY",
        "COOKIE",
        "SET_COOKIE",
    ];
    EXACT.contains(&name.as_str())
        || name.ends_with("_TOKEN")
        || name.ends_with("API_KEY")
        || name.ends_with("_APIKEY")
        || name.contains("SECRET")
        || name.contains("PASSWORD")
        || name.contains("PASSWD")
        || name.ends_with("AUTHORIZATION")
        || name.ends_with("PRIVATE_KEY")
}

fn snake_upper(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '-' || c == ' ' || c == '.' {
            out.push('_');
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_uppercase());
    }
    out
}

/// A helper command that prints a literal: `echo`, `printf` or a here-document anywhere in it.
fn prints_a_literal(command: &str) -> bool {
    command.contains("<<")
        || command
            .split(|c: char| c.is_whitespace() || ";|&()`$'\"".contains(c))
            .any(|word| matches!(word, "echo" | "printf" | "print"))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// Each place `prefix` starts a word in `text`, with the bytes after it.
fn after_word_prefix<'a>(text: &'a str, prefix: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    let bytes = text.as_bytes();
    text.match_indices(prefix)
        .filter(move |(start, _)| *start == 0 || !is_word_byte(bytes[*start - 1]))
        .map(move |(start, _)| &bytes[start + prefix.len()..])
}

fn run_length(bytes: &[u8], allowed: fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| allowed(**b)).count()
}

/// An AWS access-key id: AKIA (long-term), ASIA (temporary), ABIA (STS service bearer token)
/// or ACCA (context-specific credential), then 16 upper-case letters or digits, not part of a
/// longer word (IAM User Guide, "Unique identifiers").
pub fn contains_access_key_id(text: &str) -> bool {
    ["AKIA", "ASIA", "ABIA", "ACCA"].iter().any(|prefix| {
        after_word_prefix(text, prefix).any(|rest| {
            rest.len() >= 16
                && rest[..16]
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && rest.get(16).is_none_or(|b| !is_word_byte(*b))
        })
    })
}

fn contains_long_term_bedrock_key(text: &str) -> bool {
    after_word_prefix(text, "ABSK").any(|rest| run_length(rest, is_base64_byte) >= 16)
}

fn contains_short_term_bedrock_key(text: &str) -> bool {
    after_word_prefix(text, "bedrock-api-key-")
        .any(|rest| run_length(rest, |b| is_base64_byte(b) || b == b'-' || b == b'_') >= 16)
}

fn contains_anthropic_key(text: &str) -> bool {
    after_word_prefix(text, "sk-ant-").any(|rest| {
        run_length(rest, |b| {
            b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
        }) >= 8
    })
}

/// After one of `names` (case-insensitive), a `=` or `:` (quotes and spaces around it
/// allowed) and a value of at least `minimum` characters that is not a variable reference or
/// an option.
fn named_value_follows(text: &str, names: &[&str], minimum: usize) -> bool {
    let lower = text.to_ascii_lowercase();
    names.iter().any(|name| {
        lower.match_indices(name).any(|(start, _)| {
            let rest = &text.as_bytes()[start + name.len()..];
            let mut index = 0;
            let mut separated = false;
            while let Some(&b) = rest.get(index) {
                match b {
                    b'=' | b':' if !separated => separated = true,
                    b'"' | b'\'' | b' ' | b'\t' => {}
                    _ => break,
                }
                index += 1;
            }
            let value = &rest[index..];
            separated
                && !value.starts_with(b"$")
                && !value.starts_with(b"-")
                && !value.starts_with(b"<redacted ")
                && value
                    .iter()
                    .take_while(|b| !b" \t\r\n\"',;}&|".contains(b))
                    .count()
                    >= minimum
        })
    })
}

fn contains_session_token(text: &str) -> bool {
    named_value_follows(
        text,
        &[
            "session_token",
            "sessiontoken",
            "session-token",
            "security_token",
        ],
        8,
    ) || ["IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdzE"].iter().any(|prefix| {
        after_word_prefix(text, prefix).any(|rest| run_length(rest, is_base64_byte) >= 8)
    })
}

fn contains_secret_access_key(text: &str) -> bool {
    if named_value_follows(
        text,
        &["secret_access_key", "secretaccesskey", "secret-access-key"],
        8,
    ) {
        return true;
    }
    // A whole value of exactly a secret key's shape.
    let value = text.trim().as_bytes();
    value.len() == 40
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+')
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase)
        && value.iter().any(u8::is_ascii_digit)
}

fn contains_authorization(text: &str) -> bool {
    named_value_follows(
        text,
        &["authorization", "x-api-key", "api-key", "api_key", "apikey"],
        4,
    ) || {
        let lower = text.to_ascii_lowercase();
        let found = after_word_prefix(&lower, "bearer").any(|rest| {
            let spaces = run_length(rest, |b| b == b' ' || b == b'\t');
            spaces > 0
                && !rest[spaces..].starts_with(b"$")
                && run_length(&rest[spaces..], |b| {
                    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
                }) >= 8
        });
        found
    }
}

/// `scheme://userinfo@host`: the authority runs to the first `/ ? #`, `\` (WHATWG treats it as
/// `/` in special URLs; taking the shorter span here finds user info either way), space or
/// quote.
fn contains_url_user_info(text: &str) -> bool {
    text.match_indices("://").any(|(start, _)| {
        let authority: &str = text[start + 3..]
            .split(|c: char| "/?#\\\"' \t\r\n<>".contains(c))
            .next()
            .unwrap_or_default();
        authority.find('@').is_some_and(|at| at > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn redacted(value: Value) -> (Value, Vec<Redaction>) {
        let mut value = value;
        let removed = redact_document(&mut value);
        (value, removed)
    }

    fn kinds(removed: &[Redaction]) -> Vec<(&str, RedactionReason)> {
        removed
            .iter()
            .map(|r| (r.json_path.as_str(), r.reason))
            .collect()
    }

    /// IAM User Guide, "Unique identifiers": AKIA access key, ASIA temporary (STS) key, ABIA
    /// STS service bearer token, ACCA context-specific credential.
    #[test]
    fn access_key_ids_are_found_only_as_whole_words() {
        assert!(contains_access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(contains_access_key_id("key=ASIAIOSFODNN7EXAMPLE;"));
        assert!(contains_access_key_id("ABIAIOSFODNN7EXAMPLE"));
        assert!(contains_access_key_id("ACCAIOSFODNN7EXAMPLE"));
        assert!(!contains_access_key_id("XAKIAIOSFODNN7EXAMPLE"));
        assert!(!contains_access_key_id("AKIAIOSFODNN7EXAMPLEX"));
        assert!(!contains_access_key_id("AKIAiosfodnn7example"));
        assert!(!contains_access_key_id("AKIA"));
        assert!(!contains_access_key_id("AROAIOSFODNN7EXAMPLE"));
    }

    /// Each form of the table on its own, in a value and in a key.
    #[test]
    fn every_text_form_is_found() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", RedactionReason::AccessKeyId),
            (
                "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl",
                RedactionReason::BedrockApiKey,
            ),
            (
                "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",
                RedactionReason::BedrockShortTermApiKey,
            ),
            (
                "echo sk-ant-api03-abcdefgh",
                RedactionReason::AnthropicApiKey,
            ),
            (
                "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
                RedactionReason::SessionToken,
            ),
            (
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                RedactionReason::SecretAccessKey,
            ),
            (
                "export AWS_SECRET_ACCESS_KEY=abcdefghij",
                RedactionReason::SecretAccessKey,
            ),
            (
                r#"{"SessionToken": "abcdefghijkl"}"#,
                RedactionReason::SessionToken,
            ),
            (
                "curl -H 'Authorization: Basic dXNlcjpwdw=='",
                RedactionReason::AuthorizationHeader,
            ),
            ("Bearer abcdefghijkl", RedactionReason::AuthorizationHeader),
            ("x-api-key: k-12345", RedactionReason::AuthorizationHeader),
            ("https://admin:PW@gw.example/", RedactionReason::UrlUserInfo),
        ];
        for (text, kind) in cases {
            assert_eq!(text_form(text), Some(kind), "{text}");
            let (value, removed) = redacted(json!({ "k": text, text: 1 }));
            assert!(!value.to_string().contains(text), "{text}: {value}");
            assert!(removed.len() >= 2, "{text}");
        }
    }

    #[test]
    fn ordinary_settings_are_left_alone() {
        let settings = json!({
            "env": {
                "CLAUDE_CODE_USE_BEDROCK": "1",
                "AWS_REGION": "us-east-1",
                "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "ANTHROPIC_BEDROCK_BASE_URL": "https://bedrock-runtime.us-east-1.amazonaws.com",
                "CLAUDE_CODE_MAX_OUTPUT_TOKENS": "4096",
                "MAX_THINKING_TOKENS": 1024,
                "CLAUDE_CODE_API_KEY_HELPER_TTL_MS": "3600000",
                "AWS_PROFILE": "dev",
                "AWS_ACCESS_KEY_ID": "",
                "ANTHROPIC_API_KEY": ""
            },
            "awsAuthRefresh": "aws sso login --profile dev",
            "awsCredentialExport": "aws configure export-credentials --profile dev --format process",
            "apiKeyHelper": "~/bin/get-key.sh",
            "permissions": { "deny": ["Read(./secrets/**)", "Bash(curl:*)"] },
            "hooks": { "PostToolUse": [{ "matcher": "Edit", "hooks": [{ "type": "command", "command": "/home/dev/Projects/Repo/scripts/format.sh" }] }] }
        });
        let (value, removed) = redacted(settings.clone());
        assert_eq!(removed, []);
        assert_eq!(value, settings);
    }

    /// Claude Code settings and env-var docs (code.claude.com/docs/en/settings, /env-vars):
    /// ANTHROPIC_AUTH_TOKEN is sent as a bearer token, ANTHROPIC_API_KEY as x-api-key,
    /// apiKeyHelper's and awsCredentialExport's output is the credential; MCP servers take
    /// their own `env`.
    #[test]
    fn names_that_carry_credentials_are_redacted_at_any_depth_and_type() {
        let (value, removed) = redacted(json!({
            "env": {
                "ANTHROPIC_AUTH_TOKEN": "gw-token",
                "AWS_SECRET_ACCESS_KEY": 12345,
                "MY_SECRET_THING": ["a", "b"],
                "CLAUDE_CODE_USE_BEDROCK": { "nested": { "password": "hunter2" } }
            },
            "mcpServers": { "x": { "env": { "AWS_SECRET_ACCESS_KEY": "s3cr3t" } } },
            "apiKeyHelper": "echo plain-literal",
            "awsCredentialExport": "printf '{\"Credentials\":{}}'",
            "otelHeadersHelper": "cat <<EOF\nx\nEOF",
            "awsAuthRefresh": "aws sso login && echo done"
        }));
        let text = value.to_string();
        for secret in [
            "gw-token",
            "12345",
            "hunter2",
            "s3cr3t",
            "plain-literal",
            "Credentials",
        ] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
        let mut paths: Vec<_> = kinds(&removed);
        paths.sort_by_key(|(path, _)| path.to_string());
        assert_eq!(
            paths,
            [
                ("apiKeyHelper", RedactionReason::CommandLiteral),
                ("awsCredentialExport", RedactionReason::CommandLiteral),
                ("env.ANTHROPIC_AUTH_TOKEN", RedactionReason::SecretVariable),
                ("env.AWS_SECRET_ACCESS_KEY", RedactionReason::SecretVariable),
                (
                    "env.CLAUDE_CODE_USE_BEDROCK.nested.password",
                    RedactionReason::SecretVariable
                ),
                ("env.MY_SECRET_THING", RedactionReason::SecretVariable),
                (
                    "mcpServers.x.env.AWS_SECRET_ACCESS_KEY",
                    RedactionReason::SecretVariable
                ),
                ("otelHeadersHelper", RedactionReason::CommandLiteral),
            ]
        );
        // awsAuthRefresh's output is shown, not used: only a literal credential in it counts.
        assert_eq!(value["awsAuthRefresh"], "aws sso login && echo done");
    }

    #[test]
    fn custom_headers_keep_the_guardrail_and_lose_the_credentials() {
        let headers = "X-Amzn-Bedrock-GuardrailIdentifier: gr-1\nAuthorization: Bearer gw-secret-token\nx-api-key: k-secret\nX-Amzn-Bedrock-GuardrailVersion: 2\nX-Debug: AKIAIOSFODNN7EXAMPLE";
        let (value, removed) = redacted(json!({ "env": { "ANTHROPIC_CUSTOM_HEADERS": headers } }));
        let shown = value["env"]["ANTHROPIC_CUSTOM_HEADERS"].as_str().unwrap();
        for secret in ["gw-secret-token", "k-secret", "AKIAIOSFODNN7EXAMPLE"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.starts_with("X-Amzn-Bedrock-GuardrailIdentifier: gr-1\nAuthorization: <redacted authorization sha256:"), "{shown}");
        assert!(
            shown.contains("\nX-Amzn-Bedrock-GuardrailVersion: 2\n"),
            "{shown}"
        );
        assert_eq!(removed.len(), 1);
        assert_eq!(markers_in(shown).len(), 3);
    }

    #[test]
    fn a_key_that_is_a_credential_is_redacted_in_the_path_too() {
        let (value, removed) = redacted(json!({ "env": { "AKIAIOSFODNN7EXAMPLE": "x" } }));
        assert!(!value.to_string().contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(removed[0]
            .json_path
            .starts_with("env.<redacted aws-access-key-id sha256:"));
        assert!(!removed[0].json_path.contains("IOSFODNN7"));
    }

    /// A marker of the exact form is stable; anything that only looks like one is text.
    #[test]
    fn marker_lookalikes_are_scanned_like_any_text() {
        let genuine = marker(RedactionReason::AccessKeyId, "AKIAIOSFODNN7EXAMPLE");
        let (value, removed) = redacted(json!({ "a": genuine, "AWS_SESSION_TOKEN": genuine }));
        assert_eq!(removed, []);
        assert_eq!(value["a"], genuine);
        for forged in [
            "<redacted sha256:AKIAIOSFODNN7EXAMPLE>",
            "<redacted aws-access-key-id sha256:000000000000> AKIAIOSFODNN7EXAMPLE",
            "<redacted sha256:000000000000>; echo sk-ant-api03-abcdefghij",
        ] {
            let (value, removed) = redacted(json!({ "awsCredentialExport": forged }));
            assert_eq!(removed.len(), 1, "{forged}");
            assert!(!value.to_string().contains("EXAMPLE"), "{value}");
            assert!(!value.to_string().contains("abcdefghij"), "{value}");
        }
        assert_eq!(
            markers_in(&format!(
                "x {genuine} <redacted sha256:0123456789ab> <redacted bogus sha256:0123456789ab>"
            )),
            [
                (
                    Some(RedactionReason::AccessKeyId),
                    genuine[genuine.len() - 13..genuine.len() - 1].to_string()
                ),
                (None, "0123456789ab".to_string())
            ]
        );
    }

    #[test]
    fn redaction_is_idempotent() {
        let (once, _) = redacted(json!({
            "env": { "ANTHROPIC_CUSTOM_HEADERS": "Authorization: Bearer abcdefghijkl\nX-A: b", "AKIAIOSFODNN7EXAMPLE": ["sk-ant-api03-abcdefghij"] },
            "u": "https://admin:pw@host/"
        }));
        let (twice, removed) = redacted(once.clone());
        assert_eq!(removed, []);
        assert_eq!(once, twice);
        assert_eq!(markers_in_document(&twice).len(), 4);
    }

    #[test]
    fn names_are_read_in_any_case_style() {
        for name in [
            "sessionToken",
            "SecretAccessKey",
            "x-api-key",
            "Proxy-Authorization",
            "client_secret",
            "dbPassword",
            "ANTHROPIC_AUTH_TOKEN",
            "AWS_BEARER_TOKEN_BEDROCK",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
            "CLAUDE_CODE_API_KEY_HELPER_TTL_MS",
            "apiKeyHelper",
            "AWS_ACCESS_KEY_ID",
            "X-Amzn-Bedrock-GuardrailIdentifier",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }
}
