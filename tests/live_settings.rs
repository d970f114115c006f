//! Claude Code settings on the live path: the real binary and SDK against moto and our Bedrock
//! test server, scanning with `--claude-settings`; `claude-settings` writing managed settings
//! (validated against SchemaStore's schema); and the promise that no output ever holds a
//! secret from a settings file.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::account::TestAccount;
use support::bedrock_server::{
    BedrockOp, Fault, FaultKind, SeedAvailability, SeedGuardrail, HAIKU_4_5, OPUS_4_1,
};
use support::scanner::ScanRun;

const EAST: &str = "us-east-1";
const SETTINGS: &str = "claude-code-settings";
const SECRETS: &str = "claude-code-secrets";
const SONNET_PROFILE: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_PROFILE: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

fn settings_json(extra_env: Value) -> String {
    let mut env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": EAST,
        "ANTHROPIC_MODEL": SONNET_PROFILE,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU_PROFILE,
    });
    if let (Some(env), Value::Object(extra)) = (env.as_object_mut(), extra_env) {
        env.extend(extra);
    }
    json!({ "env": env, "permissions": { "allow": ["Bash(git status)"] } }).to_string()
}

fn managed(account: &TestAccount, text: &str) -> String {
    format!("managed={}", account.write("managed.json", text).display())
}

fn guardrail_headers(id: &str, version: &str) -> Value {
    json!({
        "ANTHROPIC_CUSTOM_HEADERS":
            format!("X-Amzn-Bedrock-GuardrailIdentifier: {id}\nX-Amzn-Bedrock-GuardrailVersion: {version}")
    })
}

fn guardrail_calls(run: &ScanRun) -> Vec<String> {
    run.bedrock_calls
        .iter()
        .filter(|c| c.operation == BedrockOp::GetGuardrail.name())
        .map(|c| format!("{} {}?{}", c.region, c.path, c.query))
        .collect()
}

fn assert_all_pass(run: &ScanRun, rule: &str) {
    let findings = run.findings_of(rule);
    assert!(
        !findings.is_empty(),
        "{rule} reported nothing\n{}",
        run.describe()
    );
    for f in findings {
        assert_eq!(
            f.status,
            "pass",
            "{rule}: {} — {}\n{}",
            f.resource,
            f.message,
            run.describe()
        );
    }
}

#[tokio::test]
async fn a_full_scan_with_correct_settings_passes_and_reads_only_the_named_guardrail() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        let region = seed.region_mut(EAST);
        region
            .guardrails
            .push(SeedGuardrail::ready("gr-claude", "1"));
        region
            .guardrails
            .push(SeedGuardrail::ready("gr-other", "1"));
    });
    let settings = managed(
        &account,
        &settings_json(guardrail_headers("gr-claude", "1")),
    );
    let run = account.scan_json(&[EAST], &["--claude-settings", &settings]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_all_pass(&run, SETTINGS);
    assert_all_pass(&run, SECRETS);
    assert!(
        run.findings_of(SETTINGS).iter().any(|f| f
            .resource
            .ends_with("managed.json#env.ANTHROPIC_CUSTOM_HEADERS")),
        "{}",
        run.describe()
    );
    assert_eq!(
        guardrail_calls(&run),
        [format!("{EAST} /guardrails/gr-claude?guardrailVersion=1")]
    );

    // Without settings, no guardrail is read and both rules are not applicable.
    let plain = account.scan_json(&[EAST], &[]);
    assert!(guardrail_calls(&plain).is_empty());
    for rule in [SETTINGS, SECRETS] {
        assert_eq!(
            plain.statuses_of(rule),
            ["not_applicable"],
            "{}",
            plain.describe()
        );
    }
}

#[tokio::test]
async fn settings_models_are_checked_even_when_they_differ_from_the_profile() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    // Opus is offered with a us. profile, but access to it was never granted.
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .availability
            .insert(OPUS_4_1.to_string(), SeedAvailability::not_authorized());
    });
    let settings = managed(
        &account,
        &settings_json(json!({
            "ANTHROPIC_DEFAULT_OPUS_MODEL": format!("us.{OPUS_4_1}"),
        })),
    );
    let run = account.scan_json(&[EAST], &["--claude-settings", &settings]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let opus: Vec<_> = run
        .findings_of(SETTINGS)
        .into_iter()
        .filter(|f| f.resource.ends_with("#env.ANTHROPIC_DEFAULT_OPUS_MODEL"))
        .collect();
    assert_eq!(opus.len(), 1, "{}", run.describe());
    assert_eq!(opus[0].status, "fail", "{}", run.describe());
    assert!(
        opus[0].message.contains("NOT_AUTHORIZED"),
        "{}",
        opus[0].message
    );
    assert!(run.bedrock_calls.iter().any(|c| {
        c.operation == BedrockOp::GetFoundationModelAvailability.name()
            && c.path.contains("claude-opus-4-1")
    }));
    // bedrock-model-access judges the pinned Opus too (reachable through /model opus, issue 21),
    // and the profile's own models still pass.
    let mut statuses = run.statuses_of("bedrock-model-access");
    statuses.sort();
    assert_eq!(statuses, ["fail", "pass"], "{}", run.describe());
}

#[tokio::test]
async fn a_missing_guardrail_fails_and_an_unreadable_one_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let settings = managed(&account, &settings_json(guardrail_headers("gr-gone", "3")));
    let run = account.scan_json(&[EAST], &["--claude-settings", &settings]);
    let guardrail = |run: &ScanRun| {
        run.findings_of(SETTINGS)
            .into_iter()
            .find(|f| f.resource.ends_with("#env.ANTHROPIC_CUSTOM_HEADERS"))
            .unwrap_or_else(|| panic!("no guardrail finding\n{}", run.describe()))
    };
    let missing = guardrail(&run);
    assert_eq!(missing.status, "fail", "{}", run.describe());
    assert!(
        missing.message.contains("does not exist"),
        "{}",
        missing.message
    );

    account.bedrock.update(|seed| {
        seed.faults.push(Fault {
            operation: BedrockOp::GetGuardrail,
            kind: FaultKind::AccessDenied,
            region: None,
        })
    });
    let run = account.scan_json(&[EAST], &["--claude-settings", &settings]);
    let denied = guardrail(&run);
    assert_eq!(denied.status, "error", "{}", run.describe());
    assert!(
        denied.message.contains("bedrock:GetGuardrail"),
        "{}",
        denied.message
    );
}

#[tokio::test]
async fn a_region_the_settings_name_but_the_scan_skipped_is_an_error() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let text = settings_json(json!({ "AWS_REGION": "us-west-2" }));
    let settings = managed(&account, &text);
    let run = account.scan_json(&[EAST], &["--claude-settings", &settings]);
    assert_eq!(run.code, 1);
    let region = run
        .findings_of(SETTINGS)
        .into_iter()
        .find(|f| f.resource.ends_with("#env.AWS_REGION"))
        .expect("AWS_REGION finding");
    assert_eq!(region.status, "error", "{}", run.describe());
    assert!(
        region.message.contains("Region not scanned"),
        "{}",
        region.message
    );
}

/// Every file under `dir`, recursively.
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

#[tokio::test]
async fn no_report_format_snapshot_trace_or_log_holds_a_secret() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let secrets = [
        "wJalrXUtnFEMI-K7MDENG-SECRETPROBE1",
        "IQoJb3JpZ2luX2VjSECRETPROBE2",
        "ABSKQmVkcm9ja0FQSUtleSECRETPROBE3",
        "sk-ant-api03-SECRETPROBE4",
        "AKIAZZPROBEEXAMPLE55",
        "ASIAZZPROBEEXAMPLE66",
        // Issue 24's shapes: credential headers beside a guardrail, a nested env secret, URL
        // user info, an access-key id as a key, mcpServers env, an echoing helper, a number.
        "probe-gateway-bearer-7",
        "probe-nested-secret-8",
        "probe-url-password-9",
        "AKIAZZPROBEEXAMPLE10",
        "probe-mcp-secret-11",
        "probe-helper-12",
        "987654321987654",
    ];
    let text = settings_json(json!({
        "AWS_SECRET_ACCESS_KEY": secrets[0],
        "AWS_SESSION_TOKEN": secrets[1],
        "AWS_BEARER_TOKEN_BEDROCK": secrets[2],
        "ANTHROPIC_API_KEY": secrets[3],
        "AWS_ACCESS_KEY_ID": secrets[4],
        "ANTHROPIC_CUSTOM_HEADERS": format!(
            "X-Debug: {}\nAuthorization: Bearer {}\nX-Amzn-Bedrock-GuardrailIdentifier: gr-probe",
            secrets[5], secrets[6]
        ),
        "DEBUG_OPTIONS": { "nested": [{ "password": secrets[7] }] },
        "ANTHROPIC_BEDROCK_BASE_URL": format!("https://admin:{}@gateway.example", secrets[8]),
        "ANTHROPIC_AUTH_TOKEN": 987654321987654u64,
    }));
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["mcpServers"] = json!({ "x": { "env": { "AWS_SECRET_ACCESS_KEY": secrets[10] } } });
    value["apiKeyHelper"] = json!(format!("echo {}", secrets[11]));
    value["env"][secrets[9]] = json!("key");
    let text = value.to_string();
    let user = format!(
        "user={}",
        account.write("user-settings.json", &text).display()
    );
    let out = account.path("out");
    let snapshot = account.path("snapshot.json");
    let trace = account.path("calls.jsonl");
    let evidence = account.path("evidence");
    let path = |p: &Path| p.display().to_string();
    let run = account.run(&[
        "scan",
        "--region",
        EAST,
        "--claude-settings",
        &user,
        "--format",
        "table,json,sarif,junit,markdown,html,ocsf,asff",
        "--output-dir",
        &path(&out),
        "--save-snapshot",
        &path(&snapshot),
        "--trace-calls",
        &path(&trace),
        "--evidence",
        &path(&evidence),
    ]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let mut outputs: Vec<(String, String)> = vec![
        ("stdout".into(), run.stdout.clone()),
        ("stderr".into(), run.stderr.clone()),
    ];
    let mut files = files_under(&out);
    files.extend(files_under(&evidence));
    files.extend([snapshot.clone(), trace.clone()]);
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        outputs.push((file.display().to_string(), text));
    }
    // evaluate, every format, from the saved snapshot.
    for format in [
        "table", "json", "sarif", "junit", "markdown", "html", "ocsf", "asff",
    ] {
        let evaluated = account.run(&[
            "evaluate",
            "--snapshot",
            &path(&snapshot),
            "--format",
            format,
        ]);
        assert_eq!(evaluated.code, 1, "{}", evaluated.describe());
        outputs.push((format!("evaluate {format}"), evaluated.stdout));
        outputs.push((format!("evaluate {format} stderr"), evaluated.stderr));
    }
    for (name, text) in &outputs {
        for secret in secrets {
            assert!(!text.contains(secret), "{name} holds the secret {secret}");
        }
    }
    // The findings say where each secret was, and the report does list all of them.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let failing: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == SECRETS && f["status"] == "fail")
        .map(|f| {
            f["resource"]
                .as_str()
                .unwrap()
                .rsplit('#')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for expected in [
        "env.ANTHROPIC_API_KEY",
        "env.ANTHROPIC_CUSTOM_HEADERS",
        "env.AWS_ACCESS_KEY_ID",
        "env.AWS_BEARER_TOKEN_BEDROCK",
        "env.AWS_SECRET_ACCESS_KEY",
        "env.AWS_SESSION_TOKEN",
        "env.DEBUG_OPTIONS.nested[0].password",
        "env.ANTHROPIC_BEDROCK_BASE_URL",
        "env.ANTHROPIC_AUTH_TOKEN",
        "mcpServers.x.env.AWS_SECRET_ACCESS_KEY",
        "apiKeyHelper",
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
    // The evidence shows the guardrail header, never the Authorization value.
    let shown = report.to_string();
    assert!(
        shown.contains("X-Amzn-Bedrock-GuardrailIdentifier: gr-probe"),
        "guardrail header kept"
    );
}

#[tokio::test]
async fn evaluate_reproduces_the_settings_verdict_offline() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let settings = managed(
        &account,
        &settings_json(json!({ "ANTHROPIC_SMALL_FAST_MODEL": HAIKU_PROFILE })),
    );
    let snapshot = account.path("snapshot.json").display().to_string();
    let scanned = account.scan_json(
        &[EAST],
        &["--claude-settings", &settings, "--save-snapshot", &snapshot],
    );
    let evaluated = account.run(&["evaluate", "--snapshot", &snapshot, "--format", "json"]);
    assert!(evaluated.bedrock_calls.is_empty() && evaluated.moto_calls.is_empty());
    for rule in [SETTINGS, SECRETS] {
        let strip = |run: &ScanRun| {
            run.findings_of(rule)
                .into_iter()
                .map(|f| (f.resource, f.status, f.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&scanned), strip(&evaluated), "{rule}");
    }
    assert!(scanned
        .findings_of(SETTINGS)
        .iter()
        .any(|f| f.status == "fail" && f.resource.ends_with("#env.ANTHROPIC_SMALL_FAST_MODEL")));
}

// ------------------------------------------------------------------ claude-settings

fn schema_errors(instance: &Value) -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/claude-code-settings.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("the vendored schema is not usable: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

#[tokio::test]
async fn claude_settings_writes_what_the_scan_verified() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let run = account.run(&[
        "claude-settings",
        "--region",
        EAST,
        "--auth-refresh",
        "aws sso login --profile claude",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(
        written,
        json!({
            "$schema": "https://json.schemastore.org/claude-code-settings.json",
            "awsAuthRefresh": "aws sso login --profile claude",
            "env": {
                "CLAUDE_CODE_USE_BEDROCK": "1",
                "AWS_REGION": EAST,
                "ANTHROPIC_MODEL": SONNET_PROFILE,
                "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU_PROFILE,
                // The primary is a Sonnet: /model sonnet reaches the verified profile too.
                "ANTHROPIC_DEFAULT_SONNET_MODEL": SONNET_PROFILE,
            }
        })
    );
    assert_eq!(schema_errors(&written), Vec::<String>::new());

    // The written file, fed back in, passes the settings rules.
    let file = account.write("managed-settings.json", &run.stdout);
    let checked = account.scan_json(
        &[EAST],
        &["--claude-settings", &format!("managed={}", file.display())],
    );
    assert_all_pass(&checked, SETTINGS);
    assert_all_pass(&checked, SECRETS);

    // With the private endpoint required, the base URL must be the endpoint's own regional DNS
    // name (DescribeVpcEndpoints DnsEntries), never the public regional runtime name. moto 5.2.5
    // names DnsEntries `<endpoint id>-<random>.<service name>` (moto/ec2/utils.py
    // create_dns_entries), not AWS's `<endpoint id>-<random>.bedrock-runtime.<region>.vpce.amazonaws.com`
    // (AWS PrivateLink guide, "DNS hostnames"), so here the command finds no usable name and
    // refuses (exit 2) rather than fall back to the public name; the unit tests of
    // settings_command pick the regional name from AWS-shaped entries.
    let profile = account.write(
        "bedrock-audit.toml",
        "[rollout]\nregions = [\"us-east-1\"]\nprivate_endpoint = true\n",
    );
    let private = account.run(&[
        "--config",
        &profile.display().to_string(),
        "claude-settings",
    ]);
    assert_eq!(private.code, 2, "{}", private.stderr);
    assert!(private.stdout.is_empty(), "{}", private.stdout);
    assert!(
        private.stderr.contains("lists no vpce DNS name")
            && !private.stderr.contains("https://bedrock-runtime."),
        "{}",
        private.stderr
    );
}

#[tokio::test]
async fn claude_settings_refuses_unless_forced_and_merges_offline() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    account.bedrock.update(|seed| {
        seed.region_mut(EAST)
            .availability
            .insert(HAIKU_4_5.to_string(), SeedAvailability::not_authorized());
    });
    let output = account.path("managed-settings.json");
    let out = output.display().to_string();
    let refused = account.run(&["claude-settings", "--region", EAST, "--output", &out]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    assert!(!output.exists(), "nothing written when refusing");
    assert!(
        refused.stderr.contains("bedrock-model-access [fail]"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);

    // Offline, from a snapshot, merged into an existing file whose other keys survive.
    let snapshot = account.path("snapshot.json").display().to_string();
    account.scan_json(&[EAST], &["--save-snapshot", &snapshot]);
    let existing = account.write(
        "existing.json",
        r#"{"permissions": {"deny": ["Read(./.env)"]}, "env": {"DISABLE_PROMPT_CACHING": "1", "AWS_REGION": "eu-west-1"}, "model": "sonnet"}"#,
    );
    let forced = account.run(&[
        "claude-settings",
        "--snapshot",
        &snapshot,
        "--merge",
        &existing.display().to_string(),
        "--output",
        &out,
        "--force",
    ]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(forced.bedrock_calls.is_empty(), "offline means no AWS call");
    assert!(forced.stderr.contains("warning"), "{}", forced.stderr);
    assert!(
        forced.stderr.contains("bedrock-model-access"),
        "{}",
        forced.stderr
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(written["permissions"], json!({"deny": ["Read(./.env)"]}));
    assert_eq!(written["model"], "sonnet");
    assert_eq!(written["env"]["DISABLE_PROMPT_CACHING"], "1");
    assert_eq!(written["env"]["AWS_REGION"], EAST);
    assert_eq!(schema_errors(&written), Vec::<String>::new());

    // Bad input is exit 2 naming the file and position.
    let bad = account.write("bad.json", "{\n  \"env\": {,\n}");
    let run = account.run(&[
        "claude-settings",
        "--snapshot",
        &snapshot,
        "--merge",
        &bad.display().to_string(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad.json") && run.stderr.contains("line 2, column 11"),
        "{}",
        run.stderr
    );
    let run = account.run(&[
        "evaluate",
        "--snapshot",
        &snapshot,
        "--claude-settings",
        &format!("user={}", bad.display()),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.json: not valid JSON at line 2, column 11"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "no partial report");
}
