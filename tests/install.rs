//! What a newcomer meets right after installing: `--version`, shell completions loaded by the
//! real shells, and the man page rendered by groff.
//!
//! Needs bash, zsh, fish and groff: `scripts/setup-test-deps` installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("bedrock-audit").expect("binary built");
    cmd.env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    bin()
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// stdout of a run that must succeed.
fn stdout_of(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "bedrock-audit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out.stdout)
}

/// A program the suite needs, found on PATH.
fn tool(name: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed (Debian package {package}): run scripts/setup-test-deps \
                 (as root) or `apt-get install -y {package}`"
            )
        })
}

/// The commit `git` reports for this checkout, as build.rs records it.
fn checkout_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| text(&out.stdout).trim().to_string())
}

/// The rule-set digest that reports carry, read from a real report.
fn rules_version_in_reports() -> String {
    let out = run(&["demo", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("demo prints JSON");
    report["tool"]["rules_version"]
        .as_str()
        .expect("tool.rules_version")
        .to_string()
}

#[test]
fn version_names_the_release_the_commit_and_the_rule_set() {
    let commit = checkout_commit().unwrap_or_else(|| "unknown".into());
    let rules = rules_version_in_reports();
    assert_eq!(rules.len(), 16, "{rules}");

    let long = stdout_of(&["--version"]);
    assert_eq!(
        long,
        format!(
            "bedrock-audit {}\ncommit: {commit}\nrules:  {rules}\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    let short = stdout_of(&["-V"]);
    assert_eq!(
        short,
        format!(
            "bedrock-audit {} (commit {commit}, rules {rules})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

fn completion_script(shell: &str, dir: &Path) -> PathBuf {
    let script = stdout_of(&["completions", shell]);
    let path = dir.join(format!("bedrock-audit.{shell}"));
    std::fs::write(&path, script).expect("write completion script");
    path
}

/// The completions the real shell offers for a command line, after loading our script.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let words = words.join(" ");
    let program = r#"source "$1" || exit 3
read -r -a COMP_WORDS <<<"$2"
[[ "$2" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$2"
COMP_POINT=${#COMP_LINE}
complete_with=$(complete -p bedrock-audit | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$complete_with" bedrock-audit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let out = Command::new(tool("bash", "bash"))
        .args(["--norc", "--noprofile", "-c", program, "bash"])
        .arg(script)
        .arg(words)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash could not complete: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_subcommands_and_flag_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = completion_script("bash", dir.path());
    assert_eq!(bash_completes(&script, &["bedrock-audit", "sc"]), ["scan"]);
    let formats = bash_completes(&script, &["bedrock-audit", "demo", "--format", ""]);
    for format in [
        "table", "json", "sarif", "junit", "markdown", "html", "ocsf", "asff",
    ] {
        assert!(formats.iter().any(|f| f == format), "{formats:?}");
    }
    let shells = bash_completes(&script, &["bedrock-audit", "completions", ""]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(shells.iter().any(|s| s == shell), "{shells:?}");
    }
}

#[test]
fn fish_completes_subcommands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = completion_script("fish", dir.path());
    let out = Command::new(tool("fish", "fish"))
        .args([
            "--no-config",
            "-c",
            "source $argv[1]; and complete -C 'bedrock-audit ex'",
        ])
        .arg(&script)
        .env("HOME", dir.path())
        .output()
        .expect("run fish");
    assert!(
        out.status.success(),
        "fish: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offered = text(&out.stdout);
    let names: Vec<&str> = offered
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(names, ["explain"], "{offered}");
    // fish shows the subcommand's help beside it.
    assert!(offered.contains("rationale"), "{offered}");
}

#[test]
fn zsh_registers_the_completion_function() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = completion_script("zsh", dir.path());
    let first_line = std::fs::read_to_string(&script).expect("read script");
    assert!(
        first_line.starts_with("#compdef bedrock-audit\n"),
        "{first_line:.200}"
    );
    let program = r#"autoload -Uz compinit && compinit -u -D || exit 3
source "$1" || exit 4
print -r -- "$_comps[bedrock-audit]"
(( $+functions[_bedrock-audit] )) && print defined"#;
    let out = Command::new(tool("zsh", "zsh"))
        .args(["-f", "-c", program, "zsh"])
        .arg(&script)
        .env("HOME", dir.path())
        .output()
        .expect("run zsh");
    assert!(
        out.status.success(),
        "zsh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "_bedrock-audit\ndefined\n");
}

#[test]
fn completions_for_an_unknown_shell_are_refused() {
    let out = run(&["completions", "cmd.exe"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cmd.exe"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn man_page_renders_with_groff() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page:.300}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bedrock-audit.1");
    std::fs::write(&file, &page).expect("write man page");
    // -ww: every warning; -P-cbou: plain text, no overstriking or SGR codes; -rHY=0: no
    // hyphenation, so words can be searched for.
    let out = Command::new(tool("groff", "groff-base"))
        .args(["-man", "-Tutf8", "-ww", "-P-cbou", "-rHY=0"])
        .arg(&file)
        .output()
        .expect("run groff");
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && warnings.is_empty(),
        "groff: {warnings}"
    );
    // Justification stretches spaces; compare words.
    let rendered = text(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let version = format!("VERSION v{} (commit ", env!("CARGO_PKG_VERSION"));
    for expected in [
        "NAME",
        "bedrock-audit - Is this AWS account ready",
        "SYNOPSIS",
        "--config",
        "SUBCOMMANDS",
        "bedrock-audit-scan(1)",
        "bedrock-audit-completions(1)",
        "Exit codes: 0 nothing failing",
        &version,
    ] {
        assert!(
            rendered.contains(expected),
            "the rendered page lacks {expected:?}:\n{rendered}"
        );
    }
}
