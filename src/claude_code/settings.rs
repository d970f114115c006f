//! Claude Code's own settings files (`--claude-settings`): reading them with secrets redacted,
//! merging them in Claude Code's precedence, and writing the managed settings that match a
//! verified account (`bedrock-audit claude-settings`).
//!
//! Secrets are redacted here, as each file is parsed, so that no later stage (snapshot, rules,
//! reports, traces) ever holds one.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::snapshot::{ClaudeSettings, SettingsFile, SettingsKind};

/// The deepest nesting a settings file may have. serde_json refuses documents nested deeper
/// than 128; a snapshot holds a file's content 6 levels down (`accounts[].claude_settings
/// .files[].content`), so a file accepted here must stay well inside what a snapshot can hold,
/// or the scan would write a snapshot that `evaluate` then refuses.
pub const MAX_SETTINGS_DEPTH: usize = 100;

/// The model variables Claude Code reads on Bedrock, in report order.
pub const MODEL_VARIABLES: &[&str] = &[
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
];

/// Top-level keys that bear on Bedrock besides `env`.
pub const BEDROCK_KEYS: &[&str] = &["awsAuthRefresh", "awsCredentialExport", "apiKeyHelper"];

/// The `$schema` the generated settings name (SchemaStore's Claude Code settings schema).
pub const SCHEMA_URL: &str = "https://json.schemastore.org/claude-code-settings.json";

pub const GUARDRAIL_ID_HEADER: &str = "X-Amzn-Bedrock-GuardrailIdentifier";
pub const GUARDRAIL_VERSION_HEADER: &str = "X-Amzn-Bedrock-GuardrailVersion";

impl SettingsKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsKind::Managed => "managed",
            SettingsKind::Local => "local",
            SettingsKind::Project => "project",
            SettingsKind::User => "user",
        }
    }

    fn parse(text: &str) -> Option<SettingsKind> {
        match text {
            "managed" => Some(SettingsKind::Managed),
            "local" => Some(SettingsKind::Local),
            "project" => Some(SettingsKind::Project),
            "user" => Some(SettingsKind::User),
            _ => None,
        }
    }

    /// Recognises a file by the names Claude Code gives them: `managed-settings.json`,
    /// `settings.local.json`, and `settings.json` in `~/.claude` (user) or in any other
    /// `.claude` directory (project).
    fn from_location(path: &Path) -> Option<SettingsKind> {
        let name = path.file_name()?.to_str()?;
        let parent = path.parent().and_then(Path::file_name);
        match name {
            "managed-settings.json" => Some(SettingsKind::Managed),
            "settings.local.json" => Some(SettingsKind::Local),
            "settings.json" if parent.is_some_and(|p| p == ".claude") => {
                let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".claude"));
                let dir = path.parent().and_then(|d| std::fs::canonicalize(d).ok());
                let home = home.and_then(|h| std::fs::canonicalize(h).ok());
                if dir.is_some() && dir == home {
                    Some(SettingsKind::User)
                } else {
                    Some(SettingsKind::Project)
                }
            }
            _ => None,
        }
    }
}

/// Reads every `--claude-settings` argument (`PATH` or `KIND=PATH`).
pub fn load_all(arguments: &[String]) -> Result<Option<ClaudeSettings>> {
    if arguments.is_empty() {
        return Ok(None);
    }
    let files = arguments
        .iter()
        .map(|argument| {
            let (kind, path) = parse_argument(argument)?;
            let text = crate::input_file::read_text(
                Path::new(path),
                crate::input_file::InputKind::ClaudeSettings,
                crate::input_file::Named::Explicitly,
            )?;
            parse_file(&text, path, kind)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(ClaudeSettings {
        files,
        guardrails: Vec::new(),
    }))
}

/// `managed=/etc/claude-code/managed-settings.json` or a path whose name says its kind.
fn parse_argument(argument: &str) -> Result<(SettingsKind, &str)> {
    if let Some((prefix, path)) = argument.split_once('=') {
        if let Some(kind) = SettingsKind::parse(prefix) {
            return Ok((kind, path));
        }
    }
    match SettingsKind::from_location(Path::new(argument)) {
        Some(kind) => Ok((kind, argument)),
        None => Err(Error::Input(format!(
            "--claude-settings {}: cannot tell which kind of settings file this is from its name; write KIND=PATH with KIND one of managed, local, project, user (e.g. managed={})",
            crate::untrusted_text::visible(argument),
            crate::untrusted_text::visible(argument)
        ))),
    }
}

/// Parses one settings file and redacts its secrets. Invalid JSON names line and column.
pub fn parse_file(text: &str, path: &str, kind: SettingsKind) -> Result<SettingsFile> {
    let input = |message: String| Error::input_file(Path::new(path), message);
    let mut content: Value = serde_json::from_str(text).map_err(|e| {
        input(format!(
            "not valid JSON at line {}, column {}: {}",
            e.line(),
            e.column(),
            // The category only: serde_json's messages never quote the input, but keep to
            // the part before the position for a short line.
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or("syntax error")
        ))
    })?;
    let Value::Object(object) = &mut content else {
        return Err(input(
            "a Claude Code settings file must hold a JSON object".into(),
        ));
    };
    if let Some(env) = object.get("env") {
        if !env.is_object() {
            return Err(input("\"env\" must be a JSON object of strings".into()));
        }
    }
    if depth(&content) > MAX_SETTINGS_DEPTH {
        return Err(input(format!(
            "nested deeper than {MAX_SETTINGS_DEPTH} levels: a snapshot could not hold it"
        )));
    }
    let mut file = SettingsFile {
        path: path.to_string(),
        kind,
        content,
        redactions: Vec::new(),
    };
    crate::claude_code::redaction::redact_file(&mut file);
    Ok(file)
}

/// How deeply `value` nests (a scalar is 1), without recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 1usize)];
    while let Some((value, level)) = pending.pop() {
        deepest = deepest.max(level);
        match value {
            Value::Array(items) => pending.extend(items.iter().map(|v| (v, level + 1))),
            Value::Object(object) => pending.extend(object.values().map(|v| (v, level + 1))),
            _ => {}
        }
    }
    deepest
}

/// Whether a value is, or holds, a redaction marker: what it held was a credential, and it
/// names nothing a rule could judge.
pub fn is_redaction_marker(value: &str) -> bool {
    crate::claude_code::redaction::holds_marker(value)
}

/// One effective setting and the file and JSON path it comes from.
#[derive(Debug, Clone)]
pub struct Setting<'a> {
    pub value: &'a Value,
    pub file: &'a SettingsFile,
    pub json_path: String,
}

impl Setting<'_> {
    /// The value as Claude Code reads an environment variable: strings as they are, numbers
    /// and booleans as their text; anything else is not a usable value.
    pub fn text(&self) -> Option<String> {
        match self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// `<file>#<json path>`: the resource a finding about this setting names.
    pub fn location(&self) -> String {
        format!("{}#{}", self.file.path, self.json_path)
    }
}

/// The settings Claude Code would use: managed over local over project over user; among files
/// of one kind, the one given later on the command line wins.
pub struct Merged<'a> {
    entries: BTreeMap<String, Setting<'a>>,
}

impl<'a> Merged<'a> {
    pub fn new(settings: &'a ClaudeSettings) -> Merged<'a> {
        let mut order: Vec<(usize, &SettingsFile)> = settings.files.iter().enumerate().collect();
        // Lowest precedence first, so later inserts win.
        order.sort_by_key(|(index, file)| (std::cmp::Reverse(file.kind), *index));
        let mut entries = BTreeMap::new();
        for (_, file) in order {
            let Value::Object(object) = &file.content else {
                continue;
            };
            for (key, value) in object {
                if key == "env" {
                    if let Value::Object(env) = value {
                        insert_env(&mut entries, file, env);
                    }
                } else {
                    entries.insert(
                        key.clone(),
                        Setting {
                            value,
                            file,
                            json_path: key.clone(),
                        },
                    );
                }
            }
        }
        Merged { entries }
    }

    /// An `env` variable, e.g. `AWS_REGION`.
    pub fn env(&self, name: &str) -> Option<Setting<'a>> {
        self.entries.get(&format!("env.{name}")).cloned()
    }

    /// A top-level key, e.g. `awsAuthRefresh`.
    pub fn key(&self, name: &str) -> Option<Setting<'a>> {
        self.entries.get(name).cloned()
    }
}

fn insert_env<'a>(
    entries: &mut BTreeMap<String, Setting<'a>>,
    file: &'a SettingsFile,
    env: &'a Map<String, Value>,
) {
    for (name, value) in env {
        let json_path = format!("env.{name}");
        entries.insert(
            json_path.clone(),
            Setting {
                value,
                file,
                json_path,
            },
        );
    }
}

/// The guardrail `ANTHROPIC_CUSTOM_HEADERS` names: (identifier, version). The variable holds
/// `Name: Value` headers, one per line; header names compare case-insensitively.
pub fn guardrail_from_headers(headers: &str) -> Option<(String, Option<String>)> {
    let mut identifier = None;
    let mut version = None;
    for line in headers.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if name.trim().eq_ignore_ascii_case(GUARDRAIL_ID_HEADER) {
            identifier = Some(value.to_string());
        } else if name.trim().eq_ignore_ascii_case(GUARDRAIL_VERSION_HEADER) {
            version = Some(value.to_string());
        }
    }
    identifier.map(|id| (id, version))
}

/// What the merged settings ask the scan to read: model ids to check access for, and the
/// guardrail (region, identifier, version) to read with GetGuardrail.
#[derive(Debug, Default, Clone)]
pub struct ScanNeeds {
    pub models: Vec<String>,
    pub guardrails: Vec<(String, String, Option<String>)>,
}

pub fn scan_needs(settings: &ClaudeSettings) -> ScanNeeds {
    let merged = Merged::new(settings);
    let text = |name: &str| merged.env(name).and_then(|s| s.text());
    let models = MODEL_VARIABLES
        .iter()
        .chain(["ANTHROPIC_SMALL_FAST_MODEL"].iter())
        .filter_map(|name| text(name))
        .filter(|id| !id.trim().is_empty() && !is_redaction_marker(id))
        .collect();
    let guardrails = match (
        text("AWS_REGION"),
        text("ANTHROPIC_CUSTOM_HEADERS")
            .as_deref()
            .and_then(guardrail_from_headers),
    ) {
        (Some(region), Some((id, version)))
            if crate::region_name::is_region_name(&region) && !is_redaction_marker(&id) =>
        {
            vec![(region, id, version)]
        }
        _ => Vec::new(),
    };
    ScanNeeds { models, guardrails }
}

/// What `bedrock-audit claude-settings` writes.
pub struct Generated<'a> {
    pub region: &'a str,
    pub primary_model: &'a str,
    pub fast_model: &'a str,
    /// `ANTHROPIC_DEFAULT_SONNET_MODEL` / `_OPUS_MODEL`: the primary model again when it is of
    /// that family, so `/model sonnet` or `/model opus` reaches the verified profile rather
    /// than the client's built-in id.
    pub family_pins: Vec<(&'static str, &'a str)>,
    /// `ANTHROPIC_BEDROCK_BASE_URL`, when the profile requires the private endpoint.
    pub base_url: Option<String>,
    pub auth_refresh: Option<&'a str>,
}

/// The managed-settings JSON: `existing` (from `--merge`) keeps every key this does not set.
pub fn generate(settings: &Generated, existing: Option<Value>) -> Result<Value> {
    let mut root = match existing {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(Error::Input(
                "--merge: the existing file must hold a JSON object".into(),
            ))
        }
    };
    root.insert("$schema".into(), Value::String(SCHEMA_URL.into()));
    let env = root
        .entry("env")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(env) = env else {
        return Err(Error::Input(
            "--merge: \"env\" in the existing file must be a JSON object".into(),
        ));
    };
    let mut set = |name: &str, value: &str| {
        env.insert(name.to_string(), Value::String(value.to_string()));
    };
    set("CLAUDE_CODE_USE_BEDROCK", "1");
    set("AWS_REGION", settings.region);
    set("ANTHROPIC_MODEL", settings.primary_model);
    set("ANTHROPIC_DEFAULT_HAIKU_MODEL", settings.fast_model);
    for (variable, model) in &settings.family_pins {
        set(variable, model);
    }
    if let Some(url) = &settings.base_url {
        set("ANTHROPIC_BEDROCK_BASE_URL", url);
    }
    if let Some(command) = settings.auth_refresh {
        root.insert("awsAuthRefresh".into(), Value::String(command.to_string()));
    }
    Ok(Value::Object(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = parse_file(
            "{\n  \"env\": {\n    \"A\": 1,\n  }\n}\n",
            "s.json",
            SettingsKind::User,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("s.json: not valid JSON at line 4, column 3"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_replaced_by_markers() {
        let text = r#"{"env": {"AWS_SESSION_TOKEN": "tok-123", "ANTHROPIC_API_KEY": "", "X": "id AKIAIOSFODNN7EXAMPLE"}, "hooks": ["ASIAIOSFODNN7EXAMPLE"]}"#;
        let file = parse_file(text, "s.json", SettingsKind::Project).unwrap();
        let rendered = file.content.to_string();
        assert!(!rendered.contains("tok-123"));
        assert!(!rendered.contains("IOSFODNN7"));
        let paths: Vec<_> = file
            .redactions
            .iter()
            .map(|r| r.json_path.as_str())
            .collect();
        assert_eq!(paths, ["env.AWS_SESSION_TOKEN", "env.X", "hooks[0]"]);
        assert_eq!(file.content["env"]["ANTHROPIC_API_KEY"], "");
    }

    /// A file a snapshot can hold is accepted; one nested deeper is refused at parse time, not
    /// when `evaluate` reads the snapshot the scan wrote.
    #[test]
    fn a_file_too_deep_for_a_snapshot_is_refused_at_parse_time() {
        let nested =
            |levels: usize| format!("{}1{}", r#"{"a":"#.repeat(levels), "}".repeat(levels));
        let ok = parse_file(
            &nested(MAX_SETTINGS_DEPTH - 1),
            "s.json",
            SettingsKind::User,
        )
        .expect("deep but holdable");
        // Where a snapshot file holds it: accounts[0].claude_settings.files[0].content.
        let snapshot = serde_json::json!({
            "accounts": [{ "claude_settings": { "files": [{ "content": ok.content }] } }]
        });
        serde_json::from_str::<Value>(&snapshot.to_string()).expect("a snapshot holds it");
        let err = parse_file(&nested(125), "s.json", SettingsKind::User)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested deeper than 100 levels"), "{err}");
    }

    #[test]
    fn kinds_come_from_the_prefix_or_the_name() {
        assert_eq!(
            parse_argument("user=/tmp/x.json").unwrap(),
            (SettingsKind::User, "/tmp/x.json")
        );
        assert_eq!(
            parse_argument("/etc/claude-code/managed-settings.json")
                .unwrap()
                .0,
            SettingsKind::Managed
        );
        assert_eq!(
            parse_argument("repo/.claude/settings.local.json")
                .unwrap()
                .0,
            SettingsKind::Local
        );
        assert_eq!(
            parse_argument("repo/.claude/settings.json").unwrap().0,
            SettingsKind::Project
        );
        assert!(parse_argument("config.json").is_err());
    }

    #[test]
    fn guardrail_headers_are_read_case_insensitively() {
        assert_eq!(
            guardrail_from_headers(
                "x-amzn-bedrock-guardrailidentifier: gr-1\nX-Amzn-Bedrock-GuardrailVersion: 2"
            ),
            Some(("gr-1".into(), Some("2".into())))
        );
        assert_eq!(guardrail_from_headers("X-Other: y"), None);
    }
}
