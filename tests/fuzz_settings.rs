//! Property tests over the Claude Code settings parser and the redaction walk: for any JSON
//! settings document with a credential of any known form planted at any path (as a value,
//! as a key, under a credential's name, in a header line, in a URL, in a helper command), no
//! output holds it: not the JSON, SARIF or table report, not the saved snapshot, not the
//! snapshot loaded back. The forms and their sources are in `claude_code::redaction`. The
//! case count keeps this to seconds; for a longer run:
//! `PROPTEST_CASES=2000 cargo test --test fuzz_settings`.

use std::path::Path;

use bedrock_audit::claude_code::settings::parse_file;
use bedrock_audit::profile::Profile;
use bedrock_audit::report::{self, Format};
use bedrock_audit::snapshot::{ClaudeSettings, SettingsKind};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn chars(alphabet: &'static str, length: usize) -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(alphabet), length)
        .prop_map(|c| c.into_iter().collect())
}

const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const WORD: &str = "abcdefghijklmnopqrstuvwxyz0123456789-_";

/// A credential in a form that is recognisable by itself, anywhere in a string.
fn self_evident_credential() -> impl Strategy<Value = String> {
    prop_oneof![
        // IAM User Guide, unique identifier prefixes.
        (
            prop::sample::select(vec!["AKIA", "ASIA", "ABIA", "ACCA"]),
            chars(UPPER_DIGITS, 16)
        )
            .prop_map(|(p, b)| format!("{p}{b}")),
        // Long-term and short-term Bedrock API keys.
        chars(BASE64, 40).prop_map(|b| format!("ABSK{b}")),
        chars(BASE64, 40).prop_map(|b| format!("bedrock-api-key-{b}")),
        // Anthropic keys.
        chars(WORD, 24).prop_map(|b| format!("sk-ant-api03-{b}")),
        // STS session tokens as issued.
        chars(BASE64, 40).prop_map(|b| format!("IQoJb3JpZ2luX2Vj{b}")),
    ]
}

/// A secret whose shape says nothing: only where it sits makes it one.
fn opaque_secret() -> impl Strategy<Value = String> {
    chars(WORD, 14).prop_map(|b| format!("opaque{b}"))
}

/// Where and how the credential is planted; returns the value to put at the path, the key to
/// put it under, and the secret text that must never come out.
#[derive(Debug, Clone)]
enum Plant {
    Value(String),
    Key(String),
    Named { name: String, secret: String },
    NonString { name: String, number: u64 },
    Header(String),
    UrlUserInfo(String),
    Helper { key: String, secret: String },
}

impl Plant {
    fn secret(&self) -> String {
        match self {
            Plant::Value(s)
            | Plant::Key(s)
            | Plant::Header(s)
            | Plant::UrlUserInfo(s)
            | Plant::Named { secret: s, .. }
            | Plant::Helper { secret: s, .. } => s.clone(),
            Plant::NonString { number, .. } => number.to_string(),
        }
    }
}

fn plant() -> impl Strategy<Value = Plant> {
    let names = prop::sample::select(vec![
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_BEARER_TOKEN_BEDROCK",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "GITHUB_TOKEN",
        "MY_API_KEY",
        "DB_SECRET_VALUE",
        "clientSecret",
        "sessionToken",
        "password",
    ]);
    prop_oneof![
        (self_evident_credential(), "[a-z]{0,6}")
            .prop_map(|(c, pad)| Plant::Value(format!("{pad} {c} {pad}"))),
        self_evident_credential().prop_map(Plant::Key),
        (names.clone(), opaque_secret()).prop_map(|(n, s)| Plant::Named {
            name: n.into(),
            secret: s
        }),
        (names, 1_000_000_000_000_000u64..u64::MAX).prop_map(|(n, number)| Plant::NonString {
            name: n.into(),
            number
        }),
        opaque_secret().prop_map(Plant::Header),
        opaque_secret().prop_map(Plant::UrlUserInfo),
        (
            prop::sample::select(vec![
                "apiKeyHelper",
                "awsCredentialExport",
                "otelHeadersHelper"
            ]),
            opaque_secret()
        )
            .prop_map(|(k, s)| Plant::Helper {
                key: k.into(),
                secret: s
            }),
    ]
}

/// Ordinary settings-like JSON, a few levels deep.
fn filler() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9 ._:/-]{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Puts the plant into `document` at a place chosen by `route` (indices into whatever
/// objects and arrays are on the way), under `env` or elsewhere.
fn planted(mut document: Value, route: &[usize], plant: &Plant) -> Value {
    let Value::Object(root) = &document else {
        unreachable!("the document is an object")
    };
    let (key, value): (String, Value) = match plant {
        Plant::Value(s) => ("planted".into(), Value::String(s.clone())),
        Plant::Key(s) => (s.clone(), json!("x")),
        Plant::Named { name, secret } => (name.clone(), Value::String(secret.clone())),
        Plant::NonString { name, number } => (name.clone(), json!(number)),
        Plant::Header(s) => (
            "ANTHROPIC_CUSTOM_HEADERS".into(),
            Value::String(format!(
                "X-Amzn-Bedrock-GuardrailIdentifier: gr-1\nAuthorization: Bearer {s}"
            )),
        ),
        Plant::UrlUserInfo(s) => (
            "ANTHROPIC_BEDROCK_BASE_URL".into(),
            Value::String(format!("https://admin:{s}@gateway.example/v1")),
        ),
        Plant::Helper { key, secret } => (key.clone(), Value::String(format!("echo {secret}"))),
    };
    // Walk down the route as far as objects go; plant in the last object reached. Filler
    // keys are letters and `_`, so they need no escaping in a JSON pointer.
    let mut pointer = String::new();
    let mut here: &Map<String, Value> = root;
    for step in route {
        let keys: Vec<&String> = here
            .iter()
            .filter(|(_, v)| v.is_object())
            .map(|(k, _)| k)
            .collect();
        if keys.is_empty() {
            break;
        }
        let next = keys[step % keys.len()];
        pointer.push('/');
        pointer.push_str(next);
        match here.get(next) {
            Some(Value::Object(child)) => here = child,
            _ => break,
        }
    }
    if let Some(Value::Object(target)) = document.pointer_mut(&pointer) {
        target.insert(key, value);
    }
    document
}

fn ready() -> bedrock_audit::snapshot::Snapshot {
    bedrock_audit::app::parse_snapshot(
        include_str!("../fixtures/ready.snapshot.json"),
        Path::new("ready.snapshot.json"),
    )
    .expect("fixture parses")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_output_holds_a_planted_credential(
        filler in prop::collection::btree_map("[a-zA-Z_]{1,8}", filler(), 0..4),
        under_env in any::<bool>(),
        route in prop::collection::vec(any::<usize>(), 0..4),
        plant in plant(),
    ) {
        let mut document = json!({
            "env": { "CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1" }
        });
        for (key, value) in filler {
            document[key.as_str()] = value;
        }
        let document = if under_env {
            let env = document["env"].clone();
            let mut env_only = json!({ "env": env });
            env_only = planted(env_only, &[0], &plant);
            document["env"] = env_only["env"].clone();
            document
        } else {
            planted(document, &route, &plant)
        };
        let secret = plant.secret();
        let text = document.to_string();
        prop_assert!(text.contains(&secret));
        let file = match parse_file(&text, "managed-settings.json", SettingsKind::Managed) {
            Ok(file) => file,
            Err(e) => {
                // Refused input is fine, as long as the message does not quote the secret.
                prop_assert!(!e.to_string().contains(&secret));
                return Ok(());
            }
        };
        let mut snapshot = ready();
        snapshot.claude_settings = Some(ClaudeSettings { files: vec![file], guardrails: Vec::new() });
        let saved = bedrock_audit::snapshot_file::snapshot_file_json(&[&snapshot], &[])
            .expect("serialises");
        prop_assert!(!saved.contains(&secret), "the saved snapshot holds {}", secret);
        let loaded = bedrock_audit::app::parse_snapshot(&saved, Path::new("saved.json"))
            .expect("a saved snapshot loads");
        let profile = Profile::default();
        let report = bedrock_audit::engine::build_report(&loaded, &profile, &Default::default(), "scan");
        let secrets_failed = report.findings.iter().any(|f| {
            f.rule_id == "claude-code-secrets" && f.status == bedrock_audit::finding::Status::Fail
        });
        prop_assert!(secrets_failed, "claude-code-secrets passed a planted {:?}", plant);
        for format in [Format::Json, Format::Sarif, Format::Table] {
            let out = report::render(&report, format, false);
            prop_assert!(!out.contains(&secret), "{:?} holds {}", format, secret);
        }
    }
}
