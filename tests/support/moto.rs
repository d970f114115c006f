//! moto in server mode on 127.0.0.1.
//!
//! Tests lease a server from a per-binary pool ([`lease`]): a lease is exclusive, and the
//! server is reset (`POST /moto-api/reset`) before it is handed out, so tests never see each
//! other's state. The pool grows only when every server is busy, so it ends up as large as
//! the number of tests running at once (the test threads) — isolation of one server per test
//! without paying moto's ~1 s start-up and first-import cost per test (a reset costs ~0.1 s).

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use super::http;

/// Where `scripts/setup-test-deps` installs moto.
pub fn moto_binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        path.exists(),
        "moto not installed: run scripts/setup-test-deps (expected {})",
        path.display()
    );
    path
}

pub struct Moto {
    addr: SocketAddr,
    /// The `sh` wrapper that runs moto and kills it when this pipe closes.
    wrapper: Child,
    /// Closing this (on drop, or when the test process dies for any reason) stops moto.
    lifeline: Option<ChildStdin>,
    recording_file: PathBuf,
    log_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts a fresh moto server on a free loopback port and waits until it answers.
    pub fn start() -> Moto {
        let binary = moto_binary();
        let mut last_failure = String::new();
        // A free port can be taken between probing and moto's bind; try a few.
        for _ in 0..3 {
            match Self::try_start(&binary) {
                Ok(moto) => return moto,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("moto did not start: {last_failure}");
    }

    fn try_start(binary: &std::path::Path) -> Result<Moto, String> {
        let port = free_port();
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let recording_file = dir.path().join("recording.jsonl");
        let log_file = dir.path().join("moto.log");
        // moto ignores its stdin, so a shell holds the pipe instead: when the pipe closes
        // (Drop, or this process exiting however it exits) `cat` returns and moto is killed.
        // Statics are never dropped, so this is what stops the pool's servers.
        let script = r#""$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 </dev/null & moto=$!
cat >/dev/null
kill "$moto" 2>/dev/null
wait "$moto" 2>/dev/null
exit 0"#;
        let mut wrapper = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(binary)
            .arg(port.to_string())
            .arg(&log_file)
            .env("MOTO_RECORDER_FILEPATH", &recording_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run sh for {}: {e}", binary.display()))?;
        let lifeline = wrapper.stdin.take();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut moto = Moto {
            addr,
            wrapper,
            lifeline,
            recording_file,
            log_file,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = http::request(addr, "GET", "/moto-api/", &[], "") {
                if response.status == 200 {
                    return Ok(moto);
                }
            }
            if let Ok(Some(status)) = moto.wrapper.try_wait() {
                return Err(format!("moto exited ({status}): {}", moto.log()));
            }
            if Instant::now() > deadline {
                return Err(format!("moto not answering after 30 s: {}", moto.log()));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What moto printed (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    fn post(&self, path: &str) {
        let response = http::request(self.addr, "POST", path, &[], "")
            .unwrap_or_else(|e| panic!("moto {path}: {e}"));
        assert_eq!(response.status, 200, "moto {path}: {}", response.body);
    }

    /// Clears every backend (all services, all regions).
    pub fn reset(&self) {
        self.post("/moto-api/reset");
    }

    /// Starts recording every AWS request moto receives, forgetting earlier ones.
    pub fn start_recording(&self) {
        self.post("/moto-api/recorder/reset-recording");
        self.post("/moto-api/recorder/start-recording");
    }

    /// Stops recording and returns the requests recorded since [`Moto::start_recording`].
    pub fn stop_recording(&self) -> Vec<RecordedRequest> {
        self.post("/moto-api/recorder/stop-recording");
        let text = std::fs::read_to_string(&self.recording_file).unwrap_or_default();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("moto recording line {line:.200}: {e}"));
                RecordedRequest::from_recording(&entry)
            })
            .collect()
    }

    /// Creates an S3 bucket with a raw request (CloudTrail's CreateTrail needs the bucket to
    /// exist in moto; S3 is otherwise no dependency of this project).
    pub fn create_bucket(&self, bucket: &str) {
        let auth = "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
        let response = http::request(
            self.addr,
            "PUT",
            &format!("/{bucket}"),
            &[("Authorization", auth)],
            "",
        )
        .unwrap_or_else(|e| panic!("moto CreateBucket {bucket}: {e}"));
        assert_eq!(
            response.status, 200,
            "CreateBucket {bucket}: {}",
            response.body
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        drop(self.lifeline.take());
        let _ = self.wrapper.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One AWS request as moto recorded it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The signing name from the credential scope: `ec2`, `logs`, `kms`, `sts`, …
    pub service: String,
    pub region: String,
    /// The operation: from `X-Amz-Target` (JSON protocols), `Action=` (query protocols) or
    /// the method and path (REST protocols).
    pub operation: String,
}

impl RecordedRequest {
    fn from_recording(entry: &serde_json::Value) -> RecordedRequest {
        let header = |name: &str| {
            entry["headers"]
                .as_object()
                .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let (service, region) = credential_scope(&header("Authorization"));
        let body = match (entry["body"].as_str(), entry["body_encoded"].as_bool()) {
            (Some(b), Some(true)) => String::from_utf8_lossy(&base64_decode(b)).into_owned(),
            (Some(b), _) => b.to_string(),
            _ => String::new(),
        };
        let target = header("X-Amz-Target");
        let operation = if let Some((_, op)) = target.rsplit_once('.') {
            op.to_string()
        } else if let Some(action) = form_value(&body, "Action") {
            action
        } else {
            let url = entry["url"].as_str().unwrap_or_default();
            let query_action = url
                .split_once('?')
                .and_then(|(_, q)| form_value(q, "Action"));
            let method = entry["method"].as_str().unwrap_or("?");
            query_action
                .or_else(|| {
                    (service == "s3")
                        .then(|| s3_operation(method, url))
                        .flatten()
                })
                .unwrap_or_else(|| format!("{method} {url}"))
        };
        RecordedRequest {
            service,
            region,
            operation,
        }
    }
}

/// The S3 (REST) read a request is, from its method, path and query: only the reads the
/// scanner makes are named; anything else stays `<METHOD> <url>`, which no read check accepts.
fn s3_operation(method: &str, url: &str) -> Option<String> {
    if method != "GET" {
        return None;
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let keys: Vec<&str> = query
        .split('&')
        .filter_map(|part| part.split('=').next())
        .collect();
    let operation = if path == "/" || path.is_empty() {
        "ListBuckets"
    } else if keys.contains(&"encryption") {
        "GetBucketEncryption"
    } else if keys.contains(&"publicAccessBlock") {
        "GetPublicAccessBlock"
    } else if keys.contains(&"lifecycle") {
        "GetBucketLifecycleConfiguration"
    } else if keys.contains(&"versioning") {
        "GetBucketVersioning"
    } else if keys.contains(&"object-lock") {
        "GetObjectLockConfiguration"
    } else if keys.contains(&"policy") {
        "GetBucketPolicy"
    } else {
        return None;
    };
    Some(operation.to_string())
}

/// `(service, region)` from `Credential=<key>/<date>/<region>/<service>/aws4_request`.
pub fn credential_scope(authorization: &str) -> (String, String) {
    let scope = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or_default();
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [_, _, region, service, ..] => (service.to_string(), region.to_string()),
        _ => (String::new(), String::new()),
    }
}

fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter_map(value) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

static POOL: LazyLock<Mutex<Vec<Moto>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// Exclusive use of a reset moto server; it returns to the pool when dropped.
pub struct MotoLease {
    moto: Option<Moto>,
}

impl std::ops::Deref for MotoLease {
    type Target = Moto;
    fn deref(&self) -> &Moto {
        self.moto.as_ref().expect("leased moto")
    }
}

impl Drop for MotoLease {
    fn drop(&mut self) {
        if let Some(moto) = self.moto.take() {
            POOL.lock().unwrap_or_else(|e| e.into_inner()).push(moto);
        }
    }
}

/// A moto server no other test is using, with empty state.
pub fn lease() -> MotoLease {
    let idle = POOL.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let moto = idle.unwrap_or_else(Moto::start);
    moto.reset();
    MotoLease { moto: Some(moto) }
}
