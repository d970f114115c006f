//! The real Claude Code client as the oracle for the model resolution
//! (`bedrock_audit::claude_code::models`) and the generated settings.
//!
//! `@anthropic-ai/claude-code` (the version pinned in scripts/setup-test-deps, which is
//! `models::CLIENT_VERSION`) runs headless (`claude -p PROMPT --settings FILE`) with telemetry,
//! error reporting, auto-update and non-essential traffic off, a throwaway HOME, and fake AWS
//! credentials so that it signs. Two loopback recorders written here stand in for the network:
//! - bedrock-runtime (the settings' `ANTHROPIC_BEDROCK_BASE_URL` points at it): records each
//!   request's path (the model id) and its SigV4 credential scope (region and service), and
//!   answers 400 ValidationException, which the client does not retry (Amazon Bedrock API
//!   Reference, InvokeModel errors: ValidationException, HTTP 400);
//! - an HTTPS proxy (`HTTPS_PROXY`): records each CONNECT host and refuses it, so nothing
//!   leaves the machine and any other host the client tries is visible.
//!
//! The client probes several models with `max_tokens` 1 (`POST /model/<id>/invoke`) while it
//! discovers what the account offers; the call that does the work streams
//! (`POST /model/<id>/invoke-with-response-stream`). The streamed calls are what the
//! resolution must predict.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bedrock_audit::claude_code::models::{resolve_settings, CLIENT_VERSION, FALLBACK_REGION};
use bedrock_audit::claude_code::settings::load_all;

/// How long one client run may take before the test fails.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(90);

fn client() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/node_modules/@anthropic-ai/claude-code/bin/claude.exe");
    let version = Command::new(&path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string());
    match version {
        Some(v) if v.starts_with(CLIENT_VERSION) => path,
        other => panic!(
            "Claude Code {CLIENT_VERSION} is not installed at {} (found: {other:?}). Install it with scripts/setup-test-deps, or: (cd tools && npm install --no-audit --no-fund --prefix . @anthropic-ai/claude-code@{CLIENT_VERSION} && node node_modules/@anthropic-ai/claude-code/install.cjs)",
            path.display()
        ),
    }
}

/// One request the bedrock-runtime stand-in saw.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Call {
    method: String,
    path: String,
    region: String,
    service: String,
}

impl Call {
    /// `POST /model/<id>/invoke-with-response-stream` → the id, percent-decoded.
    fn streamed_model(&self) -> Option<String> {
        let rest = self.path.strip_prefix("/model/")?;
        let id = rest.strip_suffix("/invoke-with-response-stream")?;
        Some(percent_decode(id))
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads one HTTP/1.1 request head (and body) from `stream`: request line and headers.
fn read_request(stream: &TcpStream) -> Option<(String, Vec<(String, String)>)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line.trim_end().to_string(), headers))
}

/// The bedrock-runtime stand-in on 127.0.0.1.
fn runtime_recorder() -> (String, Arc<Mutex<Vec<Call>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let Some((line, headers)) = read_request(&stream) else {
                    return;
                };
                let mut parts = line.split(' ');
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261202/<region>/<service>/aws4_request, …
                let scope: Vec<String> = headers
                    .iter()
                    .find(|(n, _)| n == "authorization")
                    .and_then(|(_, v)| v.split("Credential=").nth(1))
                    .and_then(|c| c.split(',').next())
                    .map(|c| c.split('/').map(str::to_string).collect())
                    .unwrap_or_default();
                seen.lock().unwrap().push(Call {
                    method,
                    path,
                    region: scope.get(2).cloned().unwrap_or_default(),
                    service: scope.get(3).cloned().unwrap_or_default(),
                });
                let body = br#"{"message":"bedrock-audit test recorder: request refused"}"#;
                let head = format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body);
            });
        }
    });
    (url, calls)
}

/// The HTTPS proxy stand-in: records CONNECT hosts and refuses them.
fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hosts = Arc::new(Mutex::new(Vec::new()));
    let seen = hosts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                if let Some((line, _)) = read_request(&stream) {
                    let target = line.split(' ').nth(1).unwrap_or_default();
                    let host = target.rsplit_once(':').map_or(target, |(h, _)| h);
                    seen.lock().unwrap().push(host.to_string());
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    (url, hosts)
}

/// What one client run did.
#[derive(Debug)]
struct Run {
    /// (model id, signing region) of each streamed call.
    streamed: BTreeSet<(String, String)>,
    calls: Vec<Call>,
    connect_hosts: Vec<String>,
    output: String,
}

/// Runs the client once with `settings` (the base URL pointed at the recorder).
fn run_client(settings: &serde_json::Value, model: Option<&str>) -> Run {
    run_client_with(settings, model, true)
}

/// Runs the client once; `to_recorder`: point the base URL at the bedrock-runtime stand-in
/// (otherwise the settings' own base URL stays, and only the proxy sees where it goes).
fn run_client_with(settings: &serde_json::Value, model: Option<&str>, to_recorder: bool) -> Run {
    let client = client();
    let (runtime, calls) = runtime_recorder();
    let (proxy, hosts) = refusing_proxy();
    let home = tempfile::tempdir().unwrap();
    let mut settings = settings.clone();
    if to_recorder {
        settings["env"]["ANTHROPIC_BEDROCK_BASE_URL"] = serde_json::Value::String(runtime);
    }
    let file = home.path().join("managed-settings.json");
    std::fs::write(&file, settings.to_string()).unwrap();
    let mut command = Command::new(&client);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        // A refused call is not retried, so a run through the refusing proxy ends quickly.
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        // The client sends even http:// requests through HTTPS_PROXY (observed with 2.1.328);
        // the stand-in is reached directly.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .args(["-p", "hi", "--settings"])
        .arg(&file)
        .current_dir(home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(model) = model {
        command.args(["--model", model]);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > CLIENT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Claude Code did not finish within {CLIENT_TIMEOUT:?}; calls so far: {:#?}",
                calls.lock().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = calls.lock().unwrap().clone();
    let connect_hosts = hosts.lock().unwrap().clone();
    for call in &calls {
        assert_eq!(call.service, "bedrock", "{call:?}");
    }
    Run {
        streamed: calls
            .iter()
            .filter_map(|c| c.streamed_model().map(|m| (m, c.region.clone())))
            .collect(),
        calls,
        connect_hosts,
        output,
    }
}

/// What the resolution says the client streams from for `role`: (model id, region).
fn predicted(settings: &serde_json::Value, role: &str) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("managed-settings.json");
    std::fs::write(&path, settings.to_string()).unwrap();
    let loaded = load_all(&[format!("managed={}", path.display())])
        .unwrap()
        .unwrap();
    let resolution = resolve_settings(&loaded);
    let fallback = resolution
        .region
        .as_ref()
        .map_or(FALLBACK_REGION.to_string(), |r| r.region.clone());
    resolution
        .models
        .iter()
        .filter(|m| m.role == role)
        .map(|m| {
            (
                m.model_id.clone(),
                m.region.clone().unwrap_or_else(|| fallback.clone()),
            )
        })
        .collect()
}

const SONNET: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

/// The managed settings `bedrock-audit claude-settings` writes for the ready fixture.
fn generated_settings() -> serde_json::Value {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ready.snapshot.json");
    generate(&fixture, &[])
}

fn generate(snapshot: &Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bedrock-audit"))
        .args(extra)
        .args(["claude-settings", "--snapshot"])
        .arg(snapshot)
        .args(["--region", "us-east-1", "--force"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn generated_settings_stream_from_the_verified_primary_profile_signed_for_the_verified_region() {
    let settings = generated_settings();
    assert_eq!(settings["env"]["ANTHROPIC_MODEL"], SONNET);
    let run = run_client(&settings, None);
    assert_eq!(
        run.streamed,
        BTreeSet::from([(SONNET.to_string(), "us-east-1".to_string())]),
        "{run:#?}"
    );
    assert_eq!(run.streamed, predicted(&settings, "primary"));
    // Nothing went anywhere but the stand-in: every other host was refused at the proxy and
    // none of them is an AWS endpoint.
    assert!(
        run.connect_hosts
            .iter()
            .all(|h| !h.ends_with("amazonaws.com")),
        "{:?}",
        run.connect_hosts
    );

    // `--model haiku` reaches the pinned fast profile.
    let run = run_client(&settings, Some("haiku"));
    assert_eq!(
        run.streamed,
        BTreeSet::from([(HAIKU.to_string(), "us-east-1".to_string())]),
        "{run:#?}"
    );
    assert_eq!(run.streamed, predicted(&settings, "fast"));
}

/// Settings files (the rows of issue 21's table and more): the model and region the client
/// streams from equal the resolution's prediction for the role the run exercises.
#[test]
fn the_client_calls_exactly_the_models_and_regions_the_resolution_reports() {
    let arn = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/team0sonnet";
    let corpus: Vec<(&str, serde_json::Value, Option<&str>, &str)> = vec![
        (
            "pinned ids",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": SONNET, "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU}}),
            None,
            "primary",
        ),
        (
            "alias sonnet with the Sonnet pin",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "yes", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": "Sonnet", "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6"}}),
            None,
            "primary",
        ),
        (
            "opusplan executes on the Sonnet pin",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-west-2", "ANTHROPIC_MODEL": "opusplan", "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-7", "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6"}}),
            None,
            "primary",
        ),
        (
            "a model id padded with spaces (issue 24: judged as the client sends it)",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": " us.anthropic.claude-sonnet-4-5-20250929-v1:0 "}}),
            None,
            "primary",
        ),
        (
            "[1m] suffix with AWS_DEFAULT_REGION only",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "ON", "AWS_DEFAULT_REGION": "eu-central-1", "ANTHROPIC_MODEL": "eu.anthropic.claude-sonnet-4-5-20250929-v1:0[1m]"}}),
            None,
            "primary",
        ),
        (
            "application inference profile ARN",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": arn}}),
            None,
            "primary",
        ),
        (
            "nothing pinned: the client's default",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "ap-northeast-1"}}),
            None,
            "primary",
        ),
        (
            "no region at all: us-east-1",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "ANTHROPIC_MODEL": SONNET}}),
            None,
            "primary",
        ),
        (
            "region prefix override",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_BEDROCK_REGION_PREFIX": "global"}}),
            None,
            "primary",
        ),
        (
            "the model setting",
            serde_json::json!({"model": "us.anthropic.claude-sonnet-4-6", "env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}}),
            None,
            "primary",
        ),
        (
            "availableModels excludes ANTHROPIC_MODEL",
            serde_json::json!({"availableModels": ["sonnet"], "env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": "us.anthropic.claude-opus-4-7"}}),
            None,
            "primary",
        ),
        (
            "modelOverrides maps the default",
            serde_json::json!({"modelOverrides": {"claude-opus-5-5": arn}, "env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1"}}),
            None,
            "primary",
        ),
        (
            "/model opus reaches the Opus pin",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "ANTHROPIC_MODEL": SONNET, "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-7"}}),
            Some("opus"),
            "opus",
        ),
        (
            "/model haiku reaches the Haiku pin",
            serde_json::json!({"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "eu-west-1", "ANTHROPIC_MODEL": SONNET, "ANTHROPIC_DEFAULT_HAIKU_MODEL": "eu.anthropic.claude-haiku-4-5-20251001-v1:0"}}),
            Some("haiku"),
            "fast",
        ),
    ];
    let mut disagreements = Vec::new();
    for (name, settings, model, role) in &corpus {
        let run = run_client(settings, *model);
        let expected = predicted(settings, role);
        if run.streamed != expected || expected.is_empty() {
            disagreements.push(format!(
                "{name}: client {CLIENT_VERSION} streamed {:?}, the resolution reports {expected:?} (calls {:?}; output {})",
                run.streamed,
                run.calls.iter().map(|c| &c.path).collect::<Vec<_>>(),
                run.output.trim()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// With `private_endpoint = true`, the generated base URL is the endpoint's own regional name,
/// and that is the only host the client tries to reach (through the refusing proxy).
#[test]
fn with_the_private_path_the_client_connects_only_to_the_endpoints_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ready.snapshot.json");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let endpoint = &mut snapshot["accounts"][0]["regions"][0]["vpc_endpoints"]["data"][0];
    let id = endpoint["endpoint_id"].as_str().unwrap().to_string();
    // DnsEntries as AWS returns them: regional, zonal, then the private DNS name.
    let regional = format!("{id}-abcdefgh.bedrock-runtime.us-east-1.vpce.amazonaws.com");
    endpoint["dns_names"] = serde_json::json!([
        format!("{id}-abcdefgh-us-east-1a.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
        regional,
        "bedrock-runtime.us-east-1.amazonaws.com",
    ]);
    let snapshot_file = dir.path().join("snapshot.json");
    std::fs::write(&snapshot_file, snapshot.to_string()).unwrap();
    let profile = dir.path().join("bedrock-audit.toml");
    std::fs::write(
        &profile,
        "[rollout]\nregions = [\"us-east-1\"]\nprivate_endpoint = true\n",
    )
    .unwrap();
    let settings = generate(&snapshot_file, &["--config", profile.to_str().unwrap()]);
    assert_eq!(
        settings["env"]["ANTHROPIC_BEDROCK_BASE_URL"],
        format!("https://{regional}")
    );
    let run = run_client_with(&settings, None, false);
    let hosts: BTreeSet<&str> = run.connect_hosts.iter().map(String::as_str).collect();
    assert_eq!(hosts, BTreeSet::from([regional.as_str()]), "{run:#?}");
    assert!(run.calls.is_empty(), "{run:#?}");
}
