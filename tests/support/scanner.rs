//! Runs the real `bedrock-audit` binary against the emulators and reads what it produced.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::bedrock_server::BedrockCall;
use super::moto::RecordedRequest;

/// The binary under test: cargo's build of this package, or `BEDROCK_AUDIT_BIN` when set
/// (to run the live suite against a release build, or a copy that a shared target
/// directory cannot overwrite mid-run).
pub fn binary() -> PathBuf {
    std::env::var_os("BEDROCK_AUDIT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_bedrock-audit")))
}

/// A scan must finish well inside this, even with retries against a throttling server.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Where the scanner process runs and what it sees: only the variables set here (the
/// developer's AWS_PROFILE, ~/.aws and real endpoints can never leak in).
#[derive(Debug, Clone)]
pub struct ScanEnv {
    pub workdir: PathBuf,
    pub vars: Vec<(String, String)>,
}

impl ScanEnv {
    /// Test credentials, every endpoint on loopback, no IMDS, no shared config.
    pub fn new(workdir: &Path, moto_url: &str, bedrock_url: &str) -> ScanEnv {
        let home = workdir.join("home");
        std::fs::create_dir_all(&home).expect("create empty HOME");
        let home_text = home.display().to_string();
        let vars = [
            ("HOME", home_text.clone()),
            ("AWS_CONFIG_FILE", format!("{home_text}/.aws/config")),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                format!("{home_text}/.aws/credentials"),
            ),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", moto_url.into()),
            ("AWS_ENDPOINT_URL_BEDROCK", bedrock_url.into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("NO_COLOR", "1".into()),
        ];
        ScanEnv {
            workdir: workdir.to_path_buf(),
            vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }

    /// Only `AWS_ENDPOINT_URL`: every service through one endpoint.
    pub fn single_endpoint(workdir: &Path, url: &str) -> ScanEnv {
        let mut env = ScanEnv::new(workdir, url, url);
        env.remove("AWS_ENDPOINT_URL_BEDROCK");
        env
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.vars.push((name.into(), value.into()));
    }

    pub fn remove(&mut self, name: &str) {
        self.vars.retain(|(k, _)| k != name);
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct ScanRun {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// Requests moto received during the run (empty when not recorded).
    pub moto_calls: Vec<RecordedRequest>,
    /// Requests the Bedrock test server received during the run.
    pub bedrock_calls: Vec<BedrockCall>,
}

/// The fields of a finding the scenarios judge; other fields are ignored so the tests do
/// not pin the report format beyond what they assert.
#[derive(Debug, Clone, Deserialize)]
pub struct FindingView {
    pub rule_id: String,
    pub status: String,
    #[serde(default)]
    pub severity: String,
    pub region: String,
    pub resource: String,
    pub message: String,
    #[serde(default)]
    pub evidence: Vec<Value>,
}

/// Runs the binary with exactly `env`, waiting at most [`RUN_TIMEOUT`].
pub fn run_binary(env: &ScanEnv, args: &[String]) -> (i32, String, String, Duration) {
    let binary = binary();
    let mut command = Command::new(&binary);
    command
        .args(args.iter().map(OsString::from))
        .current_dir(&env.workdir)
        .env_clear()
        .envs(env.vars.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for bedrock-audit") {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "bedrock-audit {args:?} did not finish within {RUN_TIMEOUT:?}; stderr:\n{}",
                stderr.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    // A signal is not an exit code; -1 makes every exit-code assertion fail loudly.
    (status.code().unwrap_or(-1), stdout, stderr, elapsed)
}

impl ScanRun {
    /// The JSON report on stdout (`--format json`).
    pub fn report(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {:?} is not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
                self.args, self.code, self.stdout, self.stderr
            )
        })
    }

    pub fn findings(&self) -> Vec<FindingView> {
        let report = self.report();
        let findings = report
            .get("findings")
            .cloned()
            .unwrap_or_else(|| panic!("report has no findings array: {report}"));
        serde_json::from_value(findings).expect("findings have rule_id, status, region, …")
    }

    pub fn findings_of(&self, rule_id: &str) -> Vec<FindingView> {
        self.findings()
            .into_iter()
            .filter(|f| f.rule_id == rule_id)
            .collect()
    }

    /// Every status the rule reported, sorted and deduplicated.
    pub fn statuses_of(&self, rule_id: &str) -> Vec<String> {
        let mut statuses: Vec<String> = self
            .findings_of(rule_id)
            .into_iter()
            .map(|f| f.status)
            .collect();
        statuses.sort();
        statuses.dedup();
        statuses
    }

    /// A readable dump for assertion messages.
    pub fn describe(&self) -> String {
        let findings = serde_json::from_str::<Value>(&self.stdout)
            .ok()
            .and_then(|r| r.get("findings").cloned())
            .and_then(|f| serde_json::from_value::<Vec<FindingView>>(f).ok())
            .map(|findings| {
                findings
                    .iter()
                    .map(|f| {
                        format!(
                            "  {:<30} {:<15} {:<10} {} — {}",
                            f.rule_id, f.status, f.region, f.resource, f.message
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|listing| !listing.is_empty())
            .unwrap_or_else(|| format!("stdout:\n{:.3000}", self.stdout));
        format!(
            "bedrock-audit {:?} exited {}\n{findings}\nstderr:\n{}",
            self.args, self.code, self.stderr
        )
    }

    /// Every operation the run sent to moto and to the Bedrock test server is a read
    /// (Describe*, List*, Get*) that the servers know: the scanner's read-only promise.
    /// A scan of several accounts (`--accounts`, `--accounts-file`, `--org`) may also call
    /// sts:AssumeRole, which issues the audit role's credentials and changes nothing.
    pub fn assert_read_only(&self) {
        let several_accounts = self
            .args
            .iter()
            .any(|a| a == "--accounts" || a == "--accounts-file" || a == "--org");
        let is_read = |op: &str| {
            ["Describe", "List", "Get"]
                .iter()
                .any(|prefix| op.starts_with(prefix))
                || (several_accounts && op == "AssumeRole")
        };
        for call in &self.moto_calls {
            assert!(
                is_read(&call.operation),
                "the scan sent a non-read call to moto: {} {} in {}",
                call.service,
                call.operation,
                call.region
            );
        }
        for call in &self.bedrock_calls {
            if call.forwarded {
                // moto's recorder saw it, and judged it above.
                continue;
            }
            let read = match call.service.as_str() {
                "bedrock" => call.method == "GET" && is_read(&call.operation),
                // Query and JSON protocols POST every call; SimulatePrincipalPolicy is a read.
                _ => is_read(&call.operation) || call.operation == "SimulatePrincipalPolicy",
            };
            assert!(
                call.known && read,
                "the scan sent a non-read call to the test server: {call:?}"
            );
        }
    }

    /// Moto operations as `service:Operation`, sorted and deduplicated.
    pub fn moto_operations(&self) -> Vec<String> {
        let mut ops: Vec<String> = self
            .moto_calls
            .iter()
            .map(|c| format!("{}:{}", c.service, c.operation))
            .collect();
        ops.sort();
        ops.dedup();
        ops
    }
}
