//! Issue 24's leaks, reproduced offline with the real binary: a settings file (or a snapshot)
//! holding credentials in every shape, judged by `evaluate` in all 8 formats and in
//! `--output-dir`, `verify`-style reloads and `claude-settings --merge`; no stdout, stderr or
//! file holds any of them, and `claude-code-secrets` fails for each. The live path (scan with
//! `--save-snapshot`, `--trace-calls`, `--evidence`) is tests/live_settings.rs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{json, Value};

const FORMATS: [&str; 8] = [
    "table", "json", "sarif", "junit", "markdown", "html", "ocsf", "asff",
];

/// Every secret planted below; none may come out.
const SECRETS: [&str; 13] = [
    "probe-gateway-bearer-1",
    "probe-x-api-key-2",
    "AKIAPROBEEXAMPLE0003",
    "probe-nested-secret-4",
    "probe-url-password-5",
    "ASIAPROBEEXAMPLE0006",
    "probe-mcp-secret-7",
    "sk-ant-api03-probe8probe8",
    "ABSKQmVkcm9ja0FQSUtleXByb2JlOQ==",
    "probe-auth-token-10",
    "probe-anthropic-key-11",
    "probe-export-secret-12",
    "987654321987654",
];

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("bedrock-audit").expect("binary built");
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_ENDPOINT_URL") || name.starts_with("BEDROCK_AUDIT_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Settings with issue 24's observed leaks: a guardrail header next to gateway credentials in
/// ANTHROPIC_CUSTOM_HEADERS (code.claude.com/docs/en/env-vars: `Name: Value` lines), a secret
/// nested in an env value that is an object, URL user info, an access-key id as a key,
/// `mcpServers.x.env`, an Anthropic key in apiKeyHelper, a long-term Bedrock key
/// (`ABSK…`, IAM service-specific credential) in an ordinary variable, ANTHROPIC_AUTH_TOKEN,
/// ANTHROPIC_API_KEY, an awsCredentialExport that echoes a secret key, and a secret variable
/// holding a number.
fn leaky_settings() -> Value {
    json!({
        "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-east-1",
            "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "ANTHROPIC_CUSTOM_HEADERS": "X-Amzn-Bedrock-GuardrailIdentifier: gr-probe\nAuthorization: Bearer probe-gateway-bearer-1\nx-api-key: probe-x-api-key-2",
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH": { "nested": ["AKIAPROBEEXAMPLE0003", { "password": "probe-nested-secret-4" }] },
            "ANTHROPIC_BEDROCK_BASE_URL": "https://admin:probe-url-password-5@gateway.example/bedrock",
            "ASIAPROBEEXAMPLE0006": "key",
            "SOME_VARIABLE": "ABSKQmVkcm9ja0FQSUtleXByb2JlOQ==",
            "ANTHROPIC_AUTH_TOKEN": "probe-auth-token-10",
            "ANTHROPIC_API_KEY": "probe-anthropic-key-11",
            "AWS_SESSION_TOKEN": 987654321987654u64
        },
        "mcpServers": { "x": { "command": "srv", "env": { "AWS_SECRET_ACCESS_KEY": "probe-mcp-secret-7" } } },
        "apiKeyHelper": "echo sk-ant-api03-probe8probe8",
        "awsCredentialExport": "echo '{\"Credentials\":{\"AccessKeyId\":\"x\",\"SecretAccessKey\":\"probe-export-secret-12\"}}'"
    })
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} holds {secret}");
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn failing_secret_paths(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "claude-code-secrets" && f["status"] == "fail")
        .map(|f| {
            f["resource"]
                .as_str()
                .unwrap()
                .split_once('#')
                .unwrap()
                .1
                .to_string()
        })
        .collect()
}

#[test]
fn no_format_output_dir_or_stream_holds_a_settings_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = dir.path().join("managed-settings.json");
    std::fs::write(&settings, leaky_settings().to_string()).unwrap();
    let settings_arg = format!("managed={}", settings.display());
    let snapshot = fixture("ready.snapshot.json").display().to_string();
    for format in FORMATS {
        let run = run_in(
            dir.path(),
            &[
                "evaluate",
                "--snapshot",
                &snapshot,
                "--claude-settings",
                &settings_arg,
                "--format",
                format,
            ],
        );
        assert_eq!(run.status.code(), Some(1), "{format}");
        assert_no_secret(
            &format!("evaluate {format} stdout"),
            &String::from_utf8_lossy(&run.stdout),
        );
        assert_no_secret(
            &format!("evaluate {format} stderr"),
            &String::from_utf8_lossy(&run.stderr),
        );
    }
    let out = dir.path().join("out");
    let run = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            &snapshot,
            "--claude-settings",
            &settings_arg,
            "--format",
            &FORMATS.join(","),
            "--output-dir",
            &out.display().to_string(),
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    let files = files_under(&out);
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        assert_no_secret(
            &file.display().to_string(),
            &String::from_utf8_lossy(&std::fs::read(&file).unwrap()),
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let failing = failing_secret_paths(&report);
    for expected in [
        "env.ANTHROPIC_CUSTOM_HEADERS",
        "env.CLAUDE_CODE_SKIP_BEDROCK_AUTH.nested[0]",
        "env.CLAUDE_CODE_SKIP_BEDROCK_AUTH.nested[1].password",
        "env.ANTHROPIC_BEDROCK_BASE_URL",
        "env.SOME_VARIABLE",
        "env.ANTHROPIC_AUTH_TOKEN",
        "env.ANTHROPIC_API_KEY",
        "env.AWS_SESSION_TOKEN",
        "mcpServers.x.env.AWS_SECRET_ACCESS_KEY",
        "apiKeyHelper",
        "awsCredentialExport",
    ] {
        assert!(
            failing.iter().any(|p| p == expected),
            "{expected}: {failing:#?}"
        );
    }
    assert!(
        failing
            .iter()
            .any(|p| p.starts_with("env.<redacted aws-access-key-id sha256:")),
        "{failing:#?}"
    );
    // The evidence keeps the guardrail header and loses the credential headers' values.
    let text = report.to_string();
    assert!(text.contains("X-Amzn-Bedrock-GuardrailIdentifier: gr-probe"));
    assert!(text.contains("Authorization: <redacted authorization sha256:"));
}

/// A snapshot is input: one written by hand, with literal secrets and an empty list of
/// redactions, is redacted when loaded and judged on its content.
#[test]
fn a_snapshot_holding_secrets_is_redacted_when_evaluated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ready.snapshot.json")).unwrap())
            .unwrap();
    let account = if snapshot.get("accounts").is_some() {
        &mut snapshot["accounts"][0]
    } else {
        &mut snapshot
    };
    account["claude_settings"] = json!({
        "files": [{
            "path": "managed-settings.json",
            "kind": "managed",
            "content": leaky_settings(),
            "redactions": []
        }]
    });
    let path = dir.path().join("planted.snapshot.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();
    let out = dir.path().join("out");
    let run = run_in(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            &path.display().to_string(),
            "--format",
            "table,json,sarif,junit,markdown,html,ocsf,asff",
            "--output-dir",
            &out.display().to_string(),
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_no_secret("stdout", &String::from_utf8_lossy(&run.stdout));
    assert_no_secret("stderr", &String::from_utf8_lossy(&run.stderr));
    for file in files_under(&out) {
        assert_no_secret(
            &file.display().to_string(),
            &String::from_utf8_lossy(&std::fs::read(&file).unwrap()),
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(failing_secret_paths(&report).len() >= 12);
}

/// `claude-settings --merge` judges what it would write: a kept credential refuses it (exit 1,
/// even with --force), kept keys the settings rule fails (an http:// base URL, skipped auth
/// without a gateway) refuse it unless --force, and nothing printed holds the secret.
#[test]
fn merged_settings_are_judged_and_a_credential_is_never_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = fixture("ready.snapshot.json").display().to_string();
    let existing = dir.path().join("existing.json");
    let output = dir.path().join("managed-settings.json");
    let claude_settings = |extra: &[&str]| {
        let mut args = vec![
            "claude-settings",
            "--snapshot",
            &snapshot,
            "--region",
            "us-east-1",
            "--merge",
            existing.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };

    std::fs::write(
        &existing,
        json!({ "env": { "AWS_SECRET_ACCESS_KEY": "probe-mcp-secret-7" } }).to_string(),
    )
    .unwrap();
    for force in [&[][..], &["--force"][..]] {
        let run = claude_settings(force);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{force:?}: {stderr}");
        assert!(stderr.contains("claude-code-secrets"), "{stderr}");
        assert_no_secret("stderr", &stderr);
        assert_no_secret("stdout", &String::from_utf8_lossy(&run.stdout));
        assert!(!output.exists(), "{force:?}: written");
    }

    std::fs::write(
        &existing,
        json!({ "env": { "ANTHROPIC_BEDROCK_BASE_URL": "http://gateway.example" } }).to_string(),
    )
    .unwrap();
    let run = claude_settings(&[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("claude-code-settings") && stderr.contains("ANTHROPIC_BEDROCK_BASE_URL"),
        "{stderr}"
    );
    assert!(!output.exists());

    // What passes is written; a kept key Claude Code does not judge stays.
    std::fs::write(
        &existing,
        json!({ "permissions": { "deny": ["Read(./.env)"] } }).to_string(),
    )
    .unwrap();
    let run = claude_settings(&[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(written["permissions"]["deny"][0], "Read(./.env)");
}

/// serde_json reads an integer beyond 64 bits as an approximate f64; merging would rewrite it.
#[test]
fn merge_refuses_an_integer_beyond_64_bits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("existing.json");
    std::fs::write(
        &existing,
        "{\n  \"note\": \"123456789012345678901234567890\",\n  \"big\": 123456789012345678901234567890\n}\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "claude-settings",
            "--snapshot",
            &fixture("ready.snapshot.json").display().to_string(),
            "--region",
            "us-east-1",
            "--merge",
            existing.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("beyond 64 bits"), "{stderr}");
}
