//! Records the git commit the binary is built from, for `bedrock-audit --version`.
//!
//! Outside a git checkout (a source tarball, `cargo install` from a registry) or without git on
//! PATH the commit is `unknown`. The script reruns only when HEAD moves (a commit, checkout or
//! reset), never on a source edit: cargo reruns a build script with no `rerun-if-changed`
//! lines on every change to the package, and a rerun rebuilds this crate's every target.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BEDROCK_AUDIT_GIT_COMMIT");

    // Only this package's own checkout counts, not a repository that happens to contain an
    // unpacked copy of it.
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let own_checkout = git(&["rev-parse", "--show-toplevel"])
        .and_then(|top| PathBuf::from(top).canonicalize().ok())
        .is_some_and(|top| manifest_dir.canonicalize().ok() == Some(top));
    // A packager building from an exported tree can still name the commit.
    let commit = std::env::var("BEDROCK_AUDIT_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            own_checkout
                .then(|| git(&["rev-parse", "--short", "HEAD"]))
                .flatten()
        })
        .unwrap_or_else(|| "unknown".to_string());
    if !own_checkout {
        return;
    }
    println!("cargo:rustc-env=BEDROCK_AUDIT_GIT_COMMIT={commit}");

    // The files that change when HEAD moves. `--git-path` resolves them in a linked worktree
    // too (HEAD is per worktree, branch refs are shared). Only existing files are watched: a
    // missing one would make cargo rerun the script on every build.
    let mut watched = vec!["HEAD".to_string(), "logs/HEAD".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    watched.push("packed-refs".to_string());
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name]) {
            if PathBuf::from(&path).is_file() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
}
