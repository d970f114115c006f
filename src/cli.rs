//! Command-line definitions (clap). No behaviour here: see `app.rs`.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{Args, Parser, Subcommand};

use crate::finding::Severity;
use crate::report::{Format, ToolInfo};

#[derive(Debug, Parser)]
#[command(
    name = "bedrock-audit",
    version = version_line(),
    long_version = long_version(),
    about = "Is this AWS account ready to put Claude Code in front of developers through Amazon Bedrock?",
    after_help = "Exit codes: 0 nothing failing, 1 a failing or error finding, 2 the tool could not run."
)]
pub struct Cli {
    /// Rollout profile (default: ./bedrock-audit.toml if present, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// No progress display; only warnings on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start-up and moved into its handler: the size of the largest variant costs
// nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read the live AWS account (read-only) and judge it.
    Scan(ScanArgs),
    /// Judge a snapshot saved by `scan --save-snapshot`.
    Evaluate(EvaluateArgs),
    /// Judge an embedded example account, to see a real report without AWS.
    Demo(ReportArgs),
    /// List the rules.
    Rules,
    /// Show a rule's rationale, remediation and references.
    Explain {
        /// A rule id, as `bedrock-audit rules` lists them.
        rule_id: String,
    },
    /// Print the least-privilege read-only IAM policy the scan needs.
    IamPolicy,
    /// Check an evidence bundle written by `scan --evidence`: digests, and whether the
    /// findings reproduce from its snapshot.
    Verify {
        /// The bundle directory.
        dir: PathBuf,
    },
    /// Write the Claude Code managed settings that use exactly what the audit verified
    /// (from a live scan, or offline from --snapshot); refuses while those checks fail.
    ClaudeSettings(ClaudeSettingsArgs),
    /// Write a commented rollout profile with every key and its default.
    Init {
        /// Where to write it.
        #[arg(default_value = crate::profile::DEFAULT_FILE_NAME)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script, e.g. `bedrock-audit completions bash >
    /// ~/.local/share/bash-completion/completions/bedrock-audit`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `bedrock-audit man | man -l -`.
    Man,
}

/// The git commit the binary was built from (`unknown` outside a git checkout): see build.rs.
pub const GIT_COMMIT: &str = env!("BEDROCK_AUDIT_GIT_COMMIT");

/// `-V`: one line.
pub fn version_line() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| {
        let tool = ToolInfo::current();
        format!(
            "{} (commit {GIT_COMMIT}, rules {})",
            tool.version, tool.rules_version
        )
    })
}

/// `--version`: the version, the commit and the rule-set digest that every report carries as
/// `rules_version`, one per line.
fn long_version() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let tool = ToolInfo::current();
        format!(
            "{}\ncommit: {GIT_COMMIT}\nrules:  {}",
            tool.version, tool.rules_version
        )
    })
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Region to scan; repeat for several (default: the profile's [rollout] regions).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,

    /// AWS shared-config profile for credentials (as AWS_PROFILE).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint (AWS_ENDPOINT_URL and
    /// AWS_ENDPOINT_URL_<SERVICE> are honoured too).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Write the collected account state to this file (readable by `evaluate --snapshot`):
    /// every account scanned, those that could not be read included.
    #[arg(long, value_name = "FILE")]
    pub save_snapshot: Option<PathBuf>,

    /// Write every AWS operation the scan made (JSON lines) here.
    #[arg(long, value_name = "FILE")]
    pub trace_calls: Option<PathBuf>,

    /// The whole scan's deadline in seconds: a listing still running then is an `error` for
    /// its section (never a silently shortened list).
    #[arg(long, value_name = "SECONDS", default_value_t = 7200,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub scan_timeout: u64,

    /// Write an evidence bundle here: snapshot, profile, JSON and HTML reports, and a manifest
    /// of SHA-256 digests that `bedrock-audit verify` checks.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,

    /// A Claude Code settings file to check against the account; repeatable. The kind
    /// (managed, local, project, user) comes from the file name, or write KIND=PATH.
    #[arg(long = "claude-settings", value_name = "[KIND=]PATH")]
    pub claude_settings: Vec<String>,

    /// Scan these accounts (12-digit ids, comma-separated or repeated) by assuming
    /// --role-name in each; the scanner's own account, if listed, with its own credentials.
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    pub accounts: Vec<String>,

    /// Scan every ACTIVE account of the AWS Organization (organizations:ListAccounts, from the
    /// management or a delegated-administrator account), by assuming --role-name in each.
    #[arg(long, conflicts_with_all = ["accounts", "accounts_file"])]
    pub org: bool,

    /// Accounts to scan, one id per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,

    /// Leave these accounts out (comma-separated or repeated).
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,

    /// Accounts to leave out, one id per line.
    #[arg(long, value_name = "FILE")]
    pub exclude_accounts_file: Option<PathBuf>,

    /// The read-only role to assume in each account.
    #[arg(long, value_name = "NAME", default_value = "BedrockAuditReadOnly")]
    pub role_name: String,

    /// External id the role's trust policy requires, if any.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,

    /// Session name of the assumed role (shows in the accounts' CloudTrail).
    #[arg(long, value_name = "NAME", default_value = "bedrock-audit")]
    pub role_session_name: String,

    /// How many accounts are scanned at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_parallel_accounts: u16,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Snapshot file written by `scan --save-snapshot`. Repeat it, or name a directory (its
    /// `*.json` files), to judge several accounts in one report: one snapshot per account.
    #[arg(long, value_name = "FILE|DIR", required = true)]
    pub snapshot: Vec<PathBuf>,

    /// Judge only these regions (default: the profile's if it names them, else every region
    /// in the snapshot).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,

    /// Claude Code settings to judge instead of those saved in the snapshot; repeatable,
    /// [KIND=]PATH as for `scan`.
    #[arg(long = "claude-settings", value_name = "[KIND=]PATH")]
    pub claude_settings: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ClaudeSettingsArgs {
    /// Work offline from a snapshot written by `scan --save-snapshot` instead of scanning.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    /// The region Claude Code will use (AWS_REGION); default: the profile's first region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// AWS shared-config profile for the live scan.
    #[arg(long, value_name = "NAME", conflicts_with = "snapshot")]
    pub profile: Option<String>,

    /// Send every AWS call of the live scan to this endpoint.
    #[arg(long, value_name = "URL", conflicts_with = "snapshot")]
    pub endpoint_url: Option<String>,

    /// Write the settings even though checks they depend on are not pass (warnings go to
    /// stderr).
    #[arg(long)]
    pub force: bool,

    /// An existing settings file: every key this command does not set is kept as it is.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,

    /// Write here (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The command Claude Code runs to refresh AWS credentials (awsAuthRefresh), e.g.
    /// "aws sso login --profile claude".
    #[arg(long, value_name = "CMD")]
    pub auth_refresh: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format; several (comma-separated or repeated) need --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub format: Vec<Format>,

    /// Write the report here instead of stdout.
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,

    /// Write every requested format into this directory as report.<ext>.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Waiver file ([[waiver]] entries); adds to the profile's waivers.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// An earlier JSON report: only findings that are new since it fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Only failing findings at or above this severity fail the run (default: any).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// Error findings (sections that could not be read) alone do not fail the run.
    #[arg(long)]
    pub allow_errors: bool,

    /// Run only these rules (repeatable or comma-separated).
    #[arg(long, value_name = "RULE_ID", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Skip these rules (repeatable or comma-separated).
    #[arg(long, value_name = "RULE_ID", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Colour in the table: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Table: list every finding (passes, not applicable, all failures) instead of one line
    /// per passing rule and region and the first 20 failures of a rule.
    #[arg(long)]
    pub show_passed: bool,

    /// Table: lay out for this many columns (default: the terminal's width on a terminal,
    /// 100 otherwise).
    #[arg(long, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(40..=1000))]
    pub width: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("{text:?} is not a severity (info, low, medium, high, critical)"))
}
