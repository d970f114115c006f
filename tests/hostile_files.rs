//! Hostile file systems (issue 7): output paths that are devices, FIFOs, symlinks or planted
//! temporary files, output directories that cannot be written, evidence bundles holding
//! symlinks, FIFOs, devices or forged reports, and readers that stop listening. Every test runs
//! the real binary on the hostile path and would fail without the defence it names.
//!
//! Tests that need root (mknod) say so on stderr and skip only where the capability is
//! missing; CI runs as root.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bedrock_audit::engine::{self, RuleSelection};
use bedrock_audit::evidence;
use bedrock_audit::profile::Profile;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bedrock-audit"))
}

/// The binary with nothing from the developer's environment: no AWS profile, no IMDS.
fn bin(dir: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo_json() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &["demo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    out.stdout
}

/// Whether this process may create device nodes (root with CAP_MKNOD).
fn mknod_char(path: &Path, major: u32, minor: u32) -> bool {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    let dev = libc::makedev(major, minor);
    // SAFETY: a valid NUL-terminated path and plain integer arguments.
    let rc = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o666, dev) };
    if rc != 0 {
        eprintln!(
            "SKIPPED part of this test: mknod needs root (CAP_MKNOD): {}",
            std::io::Error::last_os_error()
        );
        return false;
    }
    // A file system mounted nodev holds the node but refuses to open it.
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
        eprintln!("SKIPPED part of this test: device nodes cannot be opened here (nodev?): {e}");
        let _ = std::fs::remove_file(path);
        return false;
    }
    true
}

fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

// ---- item 1: -o never destroys what it writes to ----

#[test]
fn output_to_a_character_device_writes_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let null = dir.path().join("null");
    if !mknod_char(&null, 1, 3) {
        return;
    }
    let out = run(dir.path(), &["demo", "-o", null.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let meta = std::fs::symlink_metadata(&null).expect("still there");
    assert!(
        meta.file_type().is_char_device(),
        "the device was replaced by a {:?}",
        meta.file_type()
    );
    // /dev/full: a device that fails every write is an error naming the flag, exit 2.
    let full = dir.path().join("full");
    assert!(mknod_char(&full, 1, 7));
    let out = run(dir.path(), &["demo", "-o", full.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-o "), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&full)
        .expect("still there")
        .file_type()
        .is_char_device());
}

#[test]
fn output_to_a_fifo_writes_into_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            std::fs::File::open(&fifo)
                .expect("open fifo")
                .read_to_end(&mut got)
                .expect("read fifo");
            got
        })
    };
    let out = run(
        dir.path(),
        &[
            "demo",
            "--format",
            "json",
            "-o",
            fifo.to_str().expect("utf8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let got = reader.join().expect("reader");
    assert_eq!(got, demo_json(), "the report went through the FIFO");
    assert!(std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type()
        .is_fifo());
}

#[test]
fn output_dash_and_dev_stdout_mean_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    for target in ["-", "/dev/stdout"] {
        let out = run(dir.path(), &["demo", "--format", "json", "-o", target]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(out.stdout, demo_json(), "-o {target}");
    }
    assert!(
        !dir.path().join("-").exists(),
        "-o - must not create a file named -"
    );
}

#[test]
fn output_through_a_symlink_is_refused_and_the_link_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").expect("write");
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
    for path in [&link, &dangling] {
        let out = run(dir.path(), &["demo", "-o", path.to_str().expect("utf8")]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("-o ") && stderr.contains("symbolic link"),
            "{stderr}"
        );
        assert!(std::fs::symlink_metadata(path)
            .expect("link kept")
            .file_type()
            .is_symlink());
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn an_existing_output_file_keeps_its_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.txt");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = run(dir.path(), &["demo", "-o", "report.txt"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let meta = std::fs::metadata(&path).expect("written");
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert!(std::fs::read_to_string(&path)
        .expect("read")
        .contains("bedrock-audit"));
    // A new file gets the usual mode (0666 less the umask), not a private 0600.
    let out = run(dir.path(), &["demo", "-o", "new.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let mode = std::fs::metadata(dir.path().join("new.txt"))
        .expect("written")
        .mode();
    assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
}

// ---- item 2: no predictable temporary file ----

#[test]
fn planted_temporary_file_symlinks_are_never_followed() {
    // The old writer used `.NAME.tmp-PID`: plant a symlink for every PID the next runs may get,
    // each pointing at a file the runs must not touch.
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").expect("write");
    let next_pid: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(std::process::id());
    for pid in next_pid..next_pid + 2000 {
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".report.txt.tmp-{pid}")))
            .expect("plant");
    }
    for _ in 0..3 {
        let out = run(dir.path(), &["demo", "-o", "report.txt"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    assert!(std::fs::symlink_metadata(dir.path().join("report.txt"))
        .expect("written")
        .is_file());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && !n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

// ---- item 10: output paths are checked before any work ----

/// A loopback port that counts connections: a scan that started would connect to it.
struct Endpoint {
    listener: TcpListener,
    url: String,
}

impl Endpoint {
    fn new() -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        Endpoint { listener, url }
    }

    fn was_contacted(&self) -> bool {
        self.listener.accept().is_ok()
    }
}

fn scan_cmd(dir: &Path, endpoint: &str) -> Command {
    let mut cmd = bin(dir);
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("BEDROCK_AUDIT_MAX_ATTEMPTS", "1")
        .env("BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS", "300")
        .env("BEDROCK_AUDIT_OPERATION_TIMEOUT_MS", "600")
        .args([
            "scan",
            "--quiet",
            "--region",
            "us-east-1",
            "--endpoint-url",
            endpoint,
        ]);
    cmd
}

#[test]
fn impossible_output_paths_fail_before_the_scan_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("afile"), "x").expect("write");
    std::fs::create_dir(dir.path().join("adir")).expect("mkdir");
    let cases: [(&[&str], &str); 8] = [
        (
            &["--output-dir", "afile"],
            "--output-dir afile: exists and is not a directory",
        ),
        (
            &["--evidence", "afile"],
            "--evidence afile: exists and is not a directory",
        ),
        (&["-o", "."], "-o .: is a directory"),
        (&["-o", "adir"], "-o adir: is a directory"),
        (&["-o", "afile/report.txt"], "-o afile/report.txt"),
        (
            &["--save-snapshot", "no/such/dir/s.json"],
            "--save-snapshot no/such/dir/s.json",
        ),
        (
            &["--trace-calls", "adir"],
            "--trace-calls adir: is a directory",
        ),
        (&["--output-dir", "afile/sub"], "--output-dir afile/sub"),
    ];
    for (flags, expected) in cases {
        let endpoint = Endpoint::new();
        let started = Instant::now();
        let out = scan_cmd(dir.path(), &endpoint.url)
            .args(flags)
            .output()
            .expect("runs");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
        assert!(
            !endpoint.was_contacted(),
            "{flags:?}: the scan started before the path was checked"
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    // evaluate and demo check -o and --output-dir the same way.
    let out = run(dir.path(), &["demo", "-o", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("-o .: is a directory"),
        "{}",
        text(&out.stderr)
    );
}

// ---- minor: a failed write leaves no partial results; a closed pipe is not an error ----

/// Runs the binary with writes capped at `kib` KiB per file (RLIMIT_FSIZE, SIGXFSZ ignored so
/// the write fails with EFBIG, as on a full disk): works as any user, no mount needed.
fn run_with_file_size_limit(dir: &Path, kib: u32, cmd: &str) -> Output {
    Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec {cmd}"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("runs")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_failed_write_leaves_no_partial_output_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = binary();
    // markdown is small; html is well over 16 KiB, so its write fails after markdown's.
    let cmd = format!(
        "{} demo --format markdown,html --output-dir out",
        bin.display()
    );
    let out = run_with_file_size_limit(dir.path(), 16, &cmd);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--output-dir"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.path().join("out").exists(),
        "left behind: {:?}",
        names_in(&dir.path().join("out"))
    );
    // An existing directory keeps exactly what it had.
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    std::fs::write(dir.path().join("out/report.md"), "old").expect("write");
    let out = run_with_file_size_limit(dir.path(), 16, &cmd);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(names_in(&dir.path().join("out")), ["report.md"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/report.md")).expect("read"),
        "old"
    );
}

#[test]
fn a_failed_write_leaves_no_partial_evidence_bundle() {
    // A scan against a loopback port that refuses connections still completes (every
    // section fails closed) and writes a bundle; the file size cap makes that write fail.
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let cmd = format!(
        "env -i AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
         AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent HOME=/nonexistent \
         BEDROCK_AUDIT_MAX_ATTEMPTS=1 BEDROCK_AUDIT_ATTEMPT_TIMEOUT_MS=300 BEDROCK_AUDIT_OPERATION_TIMEOUT_MS=600 \
         {} scan --quiet --region us-east-1 --endpoint-url http://{closed} --evidence bundle",
        binary().display()
    );
    let out = run_with_file_size_limit(dir.path(), 8, &cmd);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--evidence"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.path().join("bundle").exists(),
        "left behind: {:?}",
        names_in(&dir.path().join("bundle"))
    );
    // Without the cap the same scan writes the whole bundle.
    let out = run_with_file_size_limit(dir.path(), 1 << 20, &cmd);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        names_in(&dir.path().join("bundle")),
        [
            "manifest.json",
            "profile.json",
            "report.html",
            "report.json",
            "snapshot.json"
        ]
    );
}

#[test]
fn a_reader_that_stops_listening_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Exit codes: the run's own (1 for the demo's failing account; 0 for listings).
    for (args, code) in [
        (&["demo", "--format", "html"][..], 1),
        (&["rules"][..], 0),
        (&["explain", "cloudtrail-enabled"][..], 0),
        (&["iam-policy"][..], 0),
    ] {
        let mut child = bin(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the reading end before the binary writes: every write gets EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("waits");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    }
}

// ---- items 6 and 7: verify trusts neither the file system nor the report ----

fn write_demo_bundle(dir: &Path) -> String {
    let snapshot = bedrock_audit::snapshot_file::parse_snapshot(
        bedrock_audit::app::DEMO_SNAPSHOT,
        Path::new("demo.snapshot.json"),
    )
    .expect("demo parses");
    let mut profile = Profile::default();
    profile.rollout.regions = snapshot.regions.iter().map(|r| r.region.clone()).collect();
    let selection = RuleSelection::default();
    let report = engine::build_report(&snapshot, &profile, &selection, "scan");
    evidence::write_bundle(dir, &snapshot, &profile, &report, &selection).expect("bundle")
}

fn verify(dir: &Path) -> Output {
    let mut cmd = bin(dir);
    let mut child = cmd
        .arg("verify")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Never hang the suite: a verify that blocks is killed and fails the test.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("verify did not finish within 30 s (blocked on a hostile file?)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Points the manifest's digest for `name` at what is there now (what a forger would do).
fn rehash(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(evidence::MANIFEST);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    manifest["files"][name] = bedrock_audit::digest::sha256_hex(bytes).into();
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).expect("json")).expect("write");
}

#[test]
fn verify_refuses_a_symlink_out_of_the_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("bundle");
    write_demo_bundle(&bundle);
    // The real snapshot moves outside; the bundle only links to it. Digests still match.
    let outside = dir.path().join("elsewhere.json");
    std::fs::rename(bundle.join(evidence::SNAPSHOT), &outside).expect("move");
    std::os::unix::fs::symlink(&outside, bundle.join(evidence::SNAPSHOT)).expect("link");
    // And an unlisted symlink placed beside the files.
    std::os::unix::fs::symlink("/etc/passwd", bundle.join("extra")).expect("link");
    let out = verify(&bundle);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("TAMPERED"), "{stdout}");
    assert!(
        stdout.contains("snapshot.json: is a symbolic link"),
        "{stdout}"
    );
    assert!(
        stdout.contains("extra: not listed in manifest.json (is a symbolic link"),
        "{stdout}"
    );
}

#[test]
fn verify_never_blocks_on_a_fifo_or_reads_a_device_forever() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    std::fs::remove_file(dir.path().join(evidence::REPORT_HTML)).expect("rm");
    mkfifo(&dir.path().join(evidence::REPORT_HTML));
    let has_zero = {
        std::fs::remove_file(dir.path().join(evidence::PROFILE)).expect("rm");
        mknod_char(&dir.path().join(evidence::PROFILE), 1, 5) // /dev/zero
    };
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("report.html: is a FIFO"), "{stdout}");
    if has_zero {
        assert!(
            stdout.contains("profile.json: is a character device"),
            "{stdout}"
        );
    }
    // The manifest itself the same: exit 2, no hang.
    std::fs::remove_file(dir.path().join(evidence::MANIFEST)).expect("rm");
    mkfifo(&dir.path().join(evidence::MANIFEST));
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("manifest.json"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn verify_refuses_a_file_over_the_size_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    // Sparse: costs no disk. Never read, so the digest cannot match anyway; what matters is
    // that verify refuses it by its size, quickly, without holding it in memory.
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join(evidence::SNAPSHOT))
        .expect("open");
    file.set_len(evidence::MAX_FILE_BYTES + 1).expect("grow");
    let started = Instant::now();
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("snapshot.json: is larger than 1 GiB"),
        "{stdout}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn verify_rejects_a_report_with_findings_removed_and_prints_the_manifest_digest() {
    // Each forgery rewrites report.json consistently and re-hashes the manifest: integrity
    // holds, so only re-evaluation can catch it.
    type Forgery = fn(&mut serde_json::Value);
    let forgeries: [(&str, Forgery, &str); 3] = [
        (
            "all findings removed",
            |r| r["findings"] = serde_json::json!([]),
            "reproduced but not in report.json",
        ),
        (
            "one rule's findings removed, summary adjusted",
            |r| {
                let findings = r["findings"].as_array_mut().expect("findings");
                let before = findings.len();
                findings.retain(|f| f["rule_id"] != "cloudtrail-enabled");
                assert!(findings.len() < before, "the demo has cloudtrail findings");
                let statuses: Vec<String> = findings
                    .iter()
                    .map(|f| f["status"].as_str().unwrap_or_default().to_string())
                    .collect();
                for status in ["pass", "fail", "error", "not_applicable"] {
                    r["summary"][status] = statuses.iter().filter(|s| *s == status).count().into();
                }
            },
            "reproduced but not in report.json: cloudtrail-enabled",
        ),
        (
            "summary claims nothing failed",
            |r| {
                r["summary"]["fail"] = 0.into();
            },
            "verdict: report.json says",
        ),
    ];
    for (what, forge, expected) in forgeries {
        let dir = tempfile::tempdir().expect("tempdir");
        write_demo_bundle(dir.path());
        let path = dir.path().join(evidence::REPORT_JSON);
        let mut report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        forge(&mut report);
        let mut bytes = serde_json::to_vec_pretty(&report).expect("json");
        bytes.push(b'\n');
        std::fs::write(&path, &bytes).expect("write");
        rehash(dir.path(), evidence::REPORT_JSON, &bytes);
        let manifest_digest = bedrock_audit::digest::sha256_hex(
            &std::fs::read(dir.path().join(evidence::MANIFEST)).expect("read"),
        );

        let out = verify(dir.path());
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {stdout}");
        assert!(
            stdout.contains("INTACT") && stdout.contains("DIFFER") && stdout.contains(expected),
            "{what}: {stdout}"
        );
        assert!(
            stdout.contains(&format!("Manifest: sha256 {manifest_digest}")),
            "{what}: {stdout}"
        );
    }
}

#[test]
fn verify_rejects_an_html_report_that_does_not_render_from_report_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let digest = write_demo_bundle(dir.path());
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("Manifest: sha256 {digest}")),
        "{stdout}"
    );
    assert!(stdout.contains("REPRODUCED"), "{stdout}");

    let path = dir.path().join(evidence::REPORT_HTML);
    let html = std::fs::read_to_string(&path).expect("read");
    assert!(html.contains("NOT READY"));
    let forged = html.replace("NOT READY", "READY");
    std::fs::write(&path, &forged).expect("write");
    rehash(dir.path(), evidence::REPORT_HTML, forged.as_bytes());
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("INTACT")
            && stdout.contains("report.html: is not what report.json renders to"),
        "{stdout}"
    );
}

#[test]
fn verify_output_makes_control_characters_from_the_bundle_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    // A file name with an escape sequence, placed in the bundle by its sender.
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("x\u{1b}]0;pwned\u{7}"))
        .expect("link");
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("x\\u{1b}]0;pwned\\u{7}"), "{stdout}");
}

// ---- Input files that are not files (issue 24) ----------------------------------------------

/// Runs the binary with a deadline: an input that blocks it fails the test instead of hanging
/// the suite.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = bin(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{args:?} did not finish within 30 s (blocked on a hostile input?)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn ready_fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ready.snapshot.json")
        .display()
        .to_string()
}

/// What `~/.aws/credentials` looks like (the documented example keys, AWS SDK reference guide,
/// "Shared config and credentials files").
const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

fn assert_no_credential(out: &Output) {
    for stream in [text(&out.stdout), text(&out.stderr)] {
        assert!(!stream.contains("AKIAIOSFODNN7EXAMPLE"), "{stream}");
        assert!(!stream.contains("wJalrXUtnFEMI"), "{stream}");
    }
}

#[test]
fn dev_zero_behind_a_settings_file_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".claude")).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join(".claude/settings.json"))
        .expect("link");
    let started = Instant::now();
    let out = run_bounded(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            &ready_fixture(),
            "--claude-settings",
            ".claude/settings.json",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".claude/settings.json"), "{stderr}");
    assert!(stderr.contains("is a character device"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_fifo_as_any_input_fails_at_once_instead_of_hanging() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("input.fifo");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    let fixture = ready_fixture();
    let runs: Vec<Vec<&str>> = vec![
        vec!["evaluate", "--snapshot", &fixture, "--claude-settings"],
        vec!["evaluate", "--snapshot"],
        vec!["evaluate", "--snapshot", &fixture, "--waivers"],
        vec!["evaluate", "--snapshot", &fixture, "--baseline"],
        vec!["--config"],
        vec!["claude-settings", "--snapshot", &fixture, "--merge"],
        vec!["scan", "--accounts-file"],
        vec![
            "scan",
            "--accounts",
            "111122223333",
            "--exclude-accounts-file",
        ],
    ];
    for mut args in runs {
        let managed;
        if args.last() == Some(&"--claude-settings") {
            managed = format!("managed={fifo}");
            args.push(&managed);
        } else {
            args.push(&fifo);
        }
        if args[0] == "--config" {
            args.extend(["evaluate", "--snapshot", &fixture]);
        }
        let out = run_bounded(dir.path(), &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is a FIFO"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_planted_profile_link_to_credentials_is_never_read_and_never_quoted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let credentials = dir.path().join("credentials");
    std::fs::write(&credentials, CREDENTIALS).expect("write");
    // The repository plants ./bedrock-audit.toml as a link: refused, not followed.
    std::os::unix::fs::symlink(&credentials, dir.path().join("bedrock-audit.toml")).expect("link");
    let out = run_bounded(dir.path(), &["evaluate", "--snapshot", &ready_fixture()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bedrock-audit.toml"), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_no_credential(&out);
    // Named with --config it is followed (the user chose it), and its TOML error does not
    // quote the line that holds the key.
    let out = run_bounded(
        dir.path(),
        &[
            "--config",
            "bedrock-audit.toml",
            "evaluate",
            "--snapshot",
            &ready_fixture(),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line not shown"), "{stderr}");
    assert_no_credential(&out);
}

#[test]
fn a_settings_link_to_credentials_and_a_credentials_file_as_waivers_are_not_echoed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let credentials = dir.path().join("credentials");
    std::fs::write(&credentials, CREDENTIALS).expect("write");
    std::fs::create_dir(dir.path().join(".claude")).expect("mkdir");
    std::os::unix::fs::symlink(&credentials, dir.path().join(".claude/settings.json"))
        .expect("link");
    let fixture = ready_fixture();
    for args in [
        vec![
            "evaluate",
            "--snapshot",
            &fixture,
            "--claude-settings",
            ".claude/settings.json",
        ],
        vec![
            "evaluate",
            "--snapshot",
            &fixture,
            "--waivers",
            "credentials",
        ],
        vec!["scan", "--accounts-file", "credentials"],
    ] {
        let out = run_bounded(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_no_credential(&out);
    }
}

#[test]
fn oversized_inputs_are_refused_by_their_size_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Sparse: no disk, and never read, so refusing them is quick.
    let grow = |name: &str, len: u64| {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .expect("create")
            .set_len(len)
            .expect("grow");
        path.display().to_string()
    };
    let settings = grow("managed-settings.json", 1024 * 1024 + 1);
    let snapshot = grow("huge.json", 1024 * 1024 * 1024 + 1);
    let fixture = ready_fixture();
    let started = Instant::now();
    let managed = format!("managed={settings}");
    let out = run_bounded(
        dir.path(),
        &[
            "evaluate",
            "--snapshot",
            &fixture,
            "--claude-settings",
            &managed,
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than 1 MiB"), "{stderr}");
    let out = run_bounded(dir.path(), &["evaluate", "--snapshot", &snapshot]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than 1 GiB"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_snapshot_directory_names_every_entry_it_does_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shards = dir.path().join("shards");
    std::fs::create_dir(&shards).expect("mkdir");
    std::fs::copy(ready_fixture(), shards.join("a.json")).expect("copy");
    std::fs::write(shards.join("notes.txt"), "x").expect("write");
    std::fs::create_dir(shards.join("old")).expect("mkdir");
    let out = run_bounded(dir.path(), &["evaluate", "--snapshot", "shards"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("notes.txt: not a .json file; skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("old: is a directory"), "{stderr}");
    // A shard that cannot be read is an error, never a silent gap in the join: a FIFO, and a
    // link leaving the directory.
    mkfifo(&shards.join("b.json"));
    std::os::unix::fs::symlink(ready_fixture(), shards.join("c.json")).expect("link");
    let out = run_bounded(dir.path(), &["evaluate", "--snapshot", "shards"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b.json is a FIFO"), "{stderr}");
    assert!(stderr.contains("c.json is a symbolic link"), "{stderr}");
}

#[test]
fn a_file_name_with_a_newline_cannot_forge_a_line_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "x\nbedrock-audit: READY.json";
    std::fs::write(dir.path().join(name), "not json").expect("write");
    let out = run_bounded(dir.path(), &["evaluate", "--snapshot", name]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr
            .lines()
            .any(|l| l.starts_with("bedrock-audit: READY")),
        "{stderr}"
    );
}

#[test]
fn verify_fails_on_a_file_the_manifest_does_not_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_demo_bundle(dir.path());
    // A second report beside the real one: whoever reads the bundle may open the wrong one.
    std::fs::write(dir.path().join("report-final.json"), b"{}").expect("write");
    let out = verify(dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("TAMPERED"), "{stdout}");
    assert!(
        stdout.contains("report-final.json: not listed in manifest.json"),
        "{stdout}"
    );
}

#[test]
fn output_dir_and_evidence_through_a_symlink_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out")).expect("link");
    let out = run_bounded(
        dir.path(),
        &["demo", "--format", "json,markdown", "--output-dir", "out"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--output-dir out: is a symbolic link"),
        "{stderr}"
    );
    assert!(
        names_in(&elsewhere).is_empty(),
        "{:?}",
        names_in(&elsewhere)
    );
    let out = run_bounded(
        dir.path(),
        &["scan", "--region", "us-east-1", "--evidence", "out"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--evidence out: is a symbolic link"),
        "{stderr}"
    );
    assert!(names_in(&elsewhere).is_empty());
}

#[test]
fn a_file_size_limit_fails_the_write_instead_of_killing_the_process() {
    // No `trap '' XFSZ` here: the binary must ignore SIGXFSZ itself, or the kernel kills it
    // mid-write and its temporary file and created directory stay behind.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("sh")
        .current_dir(dir.path())
        .arg("-c")
        .arg(format!(
            "ulimit -f 16; exec {} demo --format markdown,html --output-dir out",
            binary().display()
        ))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{:?} {}",
        out.status,
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("--output-dir"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.path().join("out").exists(),
        "{:?}",
        names_in(&dir.path().join("out"))
    );
}
