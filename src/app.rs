//! What each subcommand does. `main.rs` maps the result to an exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::{
    ClaudeSettingsArgs, Cli, ColorChoice, Command, EvaluateArgs, ReportArgs, ScanArgs,
};
use crate::engine::{self, RuleSelection};
use crate::error::{Error, Result};
use crate::finding::{Finding, Status};
use crate::output_file;
use crate::profile::{self, LoadedProfile, Profile};
use crate::report::{self, Report};
use crate::snapshot::Snapshot;
pub use crate::snapshot_file::{parse_snapshot, parse_snapshot_file};
use crate::untrusted_text::visible;
use crate::{baseline, waivers};

/// The example account `demo` evaluates: partly ready, so every kind of verdict shows.
pub const DEMO_SNAPSHOT: &str = include_str!("../fixtures/demo.snapshot.json");

/// How a run ended when it could produce a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the gate failed.
    Clean,
    /// A failing or error finding tripped the gate.
    Failing,
    /// A subcommand that makes no report (rules, explain, init).
    Done,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean | Outcome::Done => 0,
            Outcome::Failing => 1,
        }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Scan(args) => scan(args, cli.config.as_deref(), cli.quiet),
        Command::Evaluate(args) => evaluate(args, cli.config.as_deref()),
        Command::Demo(args) => demo(args, cli.config.as_deref()),
        Command::Rules => {
            print_stdout(&rules_listing())?;
            Ok(Outcome::Done)
        }
        Command::Explain { rule_id } => {
            print_stdout(&explain(&rule_id)?)?;
            Ok(Outcome::Done)
        }
        Command::IamPolicy => {
            print_stdout(&crate::iam_policy::policy_document())?;
            Ok(Outcome::Done)
        }
        Command::Verify { dir } => {
            let verification = crate::evidence::verify(&dir)?;
            // The bundle is outside data: its names and messages reach the terminal escaped.
            let text = verification.render(&dir);
            print_stdout(&crate::untrusted_text::visible_lines(&text))?;
            Ok(if verification.reproduces() {
                Outcome::Clean
            } else {
                Outcome::Failing
            })
        }
        Command::ClaudeSettings(args) => claude_settings(args, cli.config.as_deref(), cli.quiet),
        Command::Init { path, force } => {
            init(&path, force)?;
            Ok(Outcome::Done)
        }
        Command::Completions { shell } => {
            print_stdout(&completion_script(shell))?;
            Ok(Outcome::Done)
        }
        Command::Man => {
            print_stdout(&man_page()?)?;
            Ok(Outcome::Done)
        }
    }
}

/// A completion script for `shell`, from the same clap definitions as `--help`.
fn completion_script(shell: clap_complete::Shell) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), report::TOOL_NAME, &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        // clap_complete spells the state of a hyphenated binary's subcommands two ways in bash
        // (clap-rs/clap#6421), so nothing after a subcommand would complete: use the spelling
        // its dispatch loop produces. A no-op once clap_complete is fixed.
        clap_complete::Shell::Bash => {
            script.replace("bedrock__subcmd__audit__", "bedrock__audit__")
        }
        _ => script,
    }
}

/// The man page in roff, from the same clap definitions as `--help`.
fn man_page() -> Result<String> {
    let mut page = Vec::new();
    // The page footer takes the plain version; its VERSION section the one-line `-V` text.
    let command = Cli::command()
        .version(report::TOOL_VERSION)
        .long_version(crate::cli::version_line());
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Error::Io(format!("cannot render the man page: {e}")))?;
    String::from_utf8(page).map_err(|e| Error::Io(format!("the man page is not UTF-8: {e}")))
}

/// The rollout profile, with its waivers checked against the rule registry: the profile is
/// data below the rules, so the rule ids its waivers name are checked here, above both.
fn load_profile(config: Option<&Path>) -> Result<LoadedProfile> {
    let loaded = Profile::load(config)?;
    if let Some(path) = &loaded.source {
        waivers::validate(&loaded.profile.waiver, path)?;
    }
    Ok(loaded)
}

fn scan(args: ScanArgs, config: Option<&Path>, quiet: bool) -> Result<Outcome> {
    let loaded = load_profile(config)?;
    let plan = plan(&args.report, &loaded)?;
    let region_flags = check_region_flags(&args.regions)?;
    crate::collect::check_endpoints(args.endpoint_url.as_deref())?;
    crate::collect::Limits::from_env()?;
    let accounts = accounts_to_scan(&args)?;
    check_scan_outputs(&args)?;
    let claude_settings = crate::claude_code::settings::load_all(&args.claude_settings)?;
    crate::collect::start_scan_clock(std::time::Duration::from_secs(args.scan_timeout));
    async_runtime()?.block_on(async {
        let regions = regions_to_scan(region_flags, &loaded, args.profile.as_deref()).await?;
        let mut profile = loaded.profile.clone();
        profile.rollout.regions = regions.clone();
        let options = crate::collect::ScanOptions {
            regions,
            aws_profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            progress: crate::terminal_progress::for_command_line(quiet),
            trace_calls: args.trace_calls.clone(),
            claude_settings,
        };
        if let Some(wanted) = &accounts {
            let accounts = wanted.resolve(&options).await?;
            return scan_accounts(&args, &options, &profile, &loaded, &accounts, &plan).await;
        }
        let snapshot = crate::collect::collect(&options, &profile).await?;
        if let Some(path) = &args.save_snapshot {
            let text = crate::snapshot_file::snapshot_file_json(&[&snapshot], &[])?;
            output_file::write_file("--save-snapshot", path, text.as_bytes())?;
        }
        let report = annotate(
            engine::build_report(&snapshot, &profile, &plan.selection, "scan"),
            &plan,
        );
        if let Some(dir) = &args.evidence {
            let mut recorded = profile.clone();
            // Waivers in force are recorded, with their state, in the report itself.
            recorded.waiver.clear();
            let digest = crate::evidence::write_bundle(
                dir,
                &snapshot,
                &recorded,
                &report,
                &plan.selection,
            )?;
            eprintln!(
                "bedrock-audit: evidence bundle written to {}; record its manifest digest elsewhere: sha256 {digest}",
                visible(&dir.display().to_string())
            );
        }
        emit(&report, &args.report)
    })
}

fn evaluate(args: EvaluateArgs, config: Option<&Path>) -> Result<Outcome> {
    let loaded = load_profile(config)?;
    let plan = plan(&args.report, &loaded)?;
    let region_flags = check_region_flags(&args.regions)?;
    let settings = crate::claude_code::settings::load_all(&args.claude_settings)?;
    // Each account is judged as its file is read, so a join of many holds findings, not state.
    let mut joined = engine::JoinedReport::expecting("snapshots", 0);
    joined.record_selection(&plan.selection);
    let mut seen: std::collections::BTreeMap<String, PathBuf> = std::collections::BTreeMap::new();
    let (paths, skipped) = crate::snapshot_file::snapshot_paths(&args.snapshot)?;
    for note in &skipped {
        eprintln!("bedrock-audit: --snapshot: {note}");
    }
    for (path, named) in paths {
        let text = crate::snapshot_file::read_snapshot_text(&path, named)?;
        let file = parse_snapshot_file(&text, &path)?;
        // Findings are told apart by account: one account in two files (or two whose account
        // could not be read) would mix their findings. Within a file, parsing checked it.
        let labels = file
            .accounts
            .iter()
            .map(Snapshot::account_label)
            .chain(file.unreadable_accounts.iter().map(|u| u.account.clone()));
        for label in labels {
            if let Some(first) = seen.insert(label.clone(), path.clone()) {
                return Err(Error::input_file(
                    &path,
                    format!(
                        "holds account {} again, already given in {}: give each account once",
                        visible(&label),
                        first.display()
                    ),
                ));
            }
        }
        for mut snapshot in file.accounts {
            if let Some(settings) = &settings {
                // Guardrails read by the scan stay; the rule reports any the new files name
                // that were not read as not collected.
                let guardrails = snapshot
                    .claude_settings
                    .take()
                    .map(|s| s.guardrails)
                    .unwrap_or_default();
                snapshot.claude_settings = Some(crate::snapshot::ClaudeSettings {
                    guardrails,
                    ..settings.clone()
                });
            }
            let profile = profile_for_snapshot(&loaded, &snapshot, &region_flags);
            joined.add_account(&snapshot, &profile, &plan.selection);
        }
        for entry in file.unreadable_accounts {
            let findings = engine::unreadable_account(
                &entry.account,
                &entry.resource,
                &entry.reason,
                &plan.selection,
            );
            joined.add_unreadable(entry.account, findings);
        }
    }
    let source = if seen.len() == 1 {
        "snapshot"
    } else {
        "snapshots"
    };
    finish(joined.finish_as(source), &plan, &args.report)
}

/// The accounts `--accounts` / `--accounts-file` name, less the excluded ones; `None` for a
/// scan of the credentials' own account. Flags that write one account's files are refused
/// with several accounts (exit 2) rather than half-honoured.
fn accounts_to_scan(args: &ScanArgs) -> Result<Option<AccountsWanted>> {
    use crate::account_list::{from_file, from_flag};
    if args.accounts.is_empty() && args.accounts_file.is_none() && !args.org {
        if !args.exclude_accounts.is_empty() || args.exclude_accounts_file.is_some() {
            return Err(Error::Input(
                "--exclude-accounts: name the accounts to scan with --accounts or --accounts-file"
                    .into(),
            ));
        }
        return Ok(None);
    }
    let mut wanted = from_flag("--accounts", &args.accounts)?;
    if let Some(path) = &args.accounts_file {
        wanted.extend(from_file(path)?);
    }
    let mut excluded = from_flag("--exclude-accounts", &args.exclude_accounts)?;
    if let Some(path) = &args.exclude_accounts_file {
        excluded.extend(from_file(path)?);
    }
    if !args.org && crate::account_list::select(wanted.clone(), &excluded).is_empty() {
        return Err(Error::Input(
            "--accounts: no account is left to scan once the exclusions are applied".into(),
        ));
    }
    if args.evidence.is_some() {
        return Err(Error::Input(
            "--evidence records one account; with --accounts or --org, scan each account on its own for a bundle (or use --save-snapshot FILE and evaluate)".into(),
        ));
    }
    Ok(Some(AccountsWanted {
        listed: (!args.org).then_some(wanted),
        excluded,
    }))
}

/// The accounts a scan of several asks for: listed on the command line, or (`listed: None`)
/// the organisation's, less the excluded ones.
struct AccountsWanted {
    listed: Option<Vec<String>>,
    excluded: Vec<String>,
}

impl AccountsWanted {
    async fn resolve(&self, options: &crate::collect::ScanOptions) -> Result<Vec<String>> {
        let wanted = match &self.listed {
            Some(listed) => listed.clone(),
            None => {
                let listed = crate::collect::accounts::organization_accounts(options).await?;
                if listed.is_empty() {
                    return Err(Error::Environment(
                        "--org: organizations:ListAccounts listed no ACTIVE account".into(),
                    ));
                }
                listed
            }
        };
        let selected = crate::account_list::select(wanted, &self.excluded);
        if selected.is_empty() {
            return Err(Error::Input(
                "--accounts / --org: no account is left to scan once the exclusions are applied"
                    .into(),
            ));
        }
        Ok(selected)
    }
}

/// A scan of several accounts: each read through its role (the scanner's own account with its
/// own credentials), judged on its own snapshot, and joined into one report.
async fn scan_accounts(
    args: &ScanArgs,
    options: &crate::collect::ScanOptions,
    profile: &Profile,
    loaded: &LoadedProfile,
    accounts: &[String],
    plan: &ReportPlan,
) -> Result<Outcome> {
    use crate::collect::accounts::{collect_accounts, RoleOptions};
    let role = RoleOptions {
        role_name: args.role_name.clone(),
        external_id: args.external_id.clone(),
        session_name: args.role_session_name.clone(),
        max_parallel: usize::from(args.max_parallel_accounts),
    };
    let mut joined = engine::JoinedReport::expecting("scan", accounts.len());
    joined.record_selection(&plan.selection);
    let mut saved: Vec<Snapshot> = Vec::new();
    let mut unreadable_saved = Vec::new();
    collect_accounts(options, profile, accounts, &role, |scan| {
        match scan.snapshot {
            Ok(snapshot) => {
                let profile = profile_for_snapshot(loaded, &snapshot, &profile.rollout.regions);
                joined.add_account(&snapshot, &profile, &plan.selection);
                // Kept only to be written: a scan of many accounts holds findings, not state.
                if args.save_snapshot.is_some() {
                    saved.push(snapshot);
                }
            }
            Err(reason) => {
                eprintln!(
                    "bedrock-audit: account {} could not be scanned: {}",
                    scan.account,
                    visible(&reason)
                );
                let resource = scan
                    .role_arn
                    .unwrap_or_else(|| format!("account/{}", scan.account));
                let findings =
                    engine::unreadable_account(&scan.account, &resource, &reason, &plan.selection);
                unreadable_saved.push(crate::snapshot::UnreadableAccount {
                    account: scan.account.clone(),
                    resource,
                    reason,
                });
                joined.add_unreadable(scan.account, findings);
            }
        }
    })
    .await?;
    if let Some(path) = &args.save_snapshot {
        // Every account in one file, the unreadable ones too, so `evaluate` gives this report.
        let snapshots: Vec<&Snapshot> = saved.iter().collect();
        let text = crate::snapshot_file::snapshot_file_json(&snapshots, &unreadable_saved)?;
        output_file::write_file("--save-snapshot", path, text.as_bytes())?;
    }
    let report = annotate(joined.finish(), plan);
    emit(&report, &args.report)
}

fn demo(args: ReportArgs, config: Option<&Path>) -> Result<Outcome> {
    // The demo ignores ./bedrock-audit.toml: it shows the example account against the
    // defaults unless a profile is named explicitly.
    let loaded = match config {
        Some(path) => load_profile(Some(path))?,
        None => LoadedProfile {
            profile: demo_profile(),
            source: None,
            regions_explicit: false,
        },
    };
    let plan = plan(&args, &loaded)?;
    let snapshot = parse_snapshot(DEMO_SNAPSHOT, Path::new("<embedded demo snapshot>"))?;
    let profile = profile_for_snapshot(&loaded, &snapshot, &[]);
    let report = engine::build_report(&snapshot, &profile, &plan.selection, "demo");
    finish(report, &plan, &args)
}

/// The defaults, plus the developer role and team size the example account was set up for,
/// so the demo shows the access and capacity rules judging something.
fn demo_profile() -> Profile {
    let mut profile = Profile::default();
    profile.access.developer_principals =
        vec!["arn:aws:iam::111122223333:role/ClaudeCodeDevelopers".to_string()];
    profile.capacity.developers = 40;
    // A private path and kept, bounded prompt logs, so the demo shows those rules judging too.
    profile.network.private_only = true;
    profile.network.allowed_cidrs = vec!["10.0.0.0/8".to_string()];
    profile.data_retention.invocation_logging = crate::profile::InvocationLoggingPolicy::Required;
    profile.data_retention.invocation_log_max_retention_days = Some(400);
    profile
}

fn async_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("cannot start the async runtime: {e}")))
}

/// The regions a live scan reads: `--region`, else the profile's if it names them, else the
/// SDK's region. Guessing a region could judge the wrong one, so with none of these the run
/// stops and says what is missing.
async fn regions_to_scan(
    region_flags: Vec<String>,
    loaded: &LoadedProfile,
    aws_profile: Option<&str>,
) -> Result<Vec<String>> {
    if !region_flags.is_empty() {
        return Ok(region_flags);
    }
    if loaded.regions_explicit {
        return Ok(loaded.profile.rollout.regions.clone());
    }
    match crate::collect::sdk_default_region(aws_profile).await {
        Some(region) => Ok(vec![region]),
        None => Err(Error::Environment(
            "no region to scan: pass --region, set [rollout] regions in bedrock-audit.toml, or set AWS_REGION (or a region in your AWS profile)".into(),
        )),
    }
}

/// The scan's own output paths, checked before a single call is made: a typo must not cost
/// a scan and its results.
fn check_scan_outputs(args: &ScanArgs) -> Result<()> {
    if let Some(path) = &args.save_snapshot {
        output_file::check_file("--save-snapshot", path)?;
    }
    if let Some(path) = &args.trace_calls {
        output_file::check_file("--trace-calls", path)?;
    }
    if let Some(dir) = &args.evidence {
        output_file::check_dir("--evidence", dir, &crate::evidence::file_names())?;
        output_file::check_holds_only("--evidence", dir, &crate::evidence::file_names())?;
    }
    Ok(())
}

/// Whether `-o` means standard output: `-`, or `/dev/stdout` (written to our own stdout, so
/// the shell's redirection, appending or not, is respected).
fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}

/// `bedrock-audit claude-settings`: judge the account (live or from a snapshot) for the one
/// region Claude Code will use, then write settings that use exactly what passed.
fn claude_settings(
    args: ClaudeSettingsArgs,
    config: Option<&Path>,
    quiet: bool,
) -> Result<Outcome> {
    let loaded = load_profile(config)?;
    let regions = check_region_flags(&args.region.iter().cloned().collect::<Vec<_>>())?;
    crate::collect::check_endpoints(args.endpoint_url.as_deref())?;
    crate::collect::Limits::from_env()?;
    // Read --merge and check --output first: a typo in either must not cost a scan.
    if let Some(path) = args.output.as_deref().filter(|p| !is_stdout(p)) {
        output_file::check_file("--output", path)?;
    }
    let existing = args
        .merge
        .as_deref()
        .map(crate::settings_command::read_existing)
        .transpose()?;
    let merge_to_scan = match (&existing, &args.merge) {
        (Some(value), Some(path)) => Some(crate::snapshot::ClaudeSettings {
            files: vec![crate::claude_code::settings::parse_file(
                &value.to_string(),
                &path.display().to_string(),
                crate::snapshot::SettingsKind::Managed,
            )?],
            guardrails: Vec::new(),
        }),
        _ => None,
    };
    let (snapshot, profile) = match &args.snapshot {
        Some(path) => {
            let text = crate::snapshot_file::read_snapshot_text(
                path,
                crate::input_file::Named::Explicitly,
            )?;
            let snapshot = parse_snapshot(&text, path)?;
            let profile = profile_for_snapshot(&loaded, &snapshot, &regions);
            (snapshot, profile)
        }
        None => async_runtime()?.block_on(async {
            let regions =
                regions_to_scan(regions.clone(), &loaded, args.profile.as_deref()).await?;
            let mut profile = loaded.profile.clone();
            profile.rollout.regions = regions.clone();
            let options = crate::collect::ScanOptions {
                regions,
                aws_profile: args.profile.clone(),
                endpoint_url: args.endpoint_url.clone(),
                progress: crate::terminal_progress::for_command_line(quiet),
                trace_calls: None,
                // The kept keys are judged too: the scan reads what they name (models,
                // guardrail) so the judgement can pass.
                claude_settings: merge_to_scan,
            };
            let snapshot = crate::collect::collect(&options, &profile).await?;
            Ok((snapshot, profile))
        })?,
    };
    let prepared = crate::settings_command::prepare(
        &snapshot,
        &profile,
        args.auth_refresh.as_deref(),
        existing,
    )?;
    if !prepared.blocking.is_empty() {
        let list = crate::settings_command::describe_blocking(&prepared.blocking);
        if prepared
            .blocking
            .iter()
            .any(crate::settings_command::is_credential)
        {
            eprintln!(
                "bedrock-audit: refusing to write Claude Code settings: they would hold a credential (even with --force); remove it from the --merge file:\n{list}"
            );
            return Ok(Outcome::Failing);
        }
        if !args.force {
            eprintln!(
                "bedrock-audit: refusing to write Claude Code settings: these checks they depend on are not pass (--force writes them anyway):\n{list}"
            );
            return Ok(Outcome::Failing);
        }
        eprintln!(
            "bedrock-audit: warning: writing Claude Code settings although these checks they depend on are not pass (--force):\n{list}"
        );
    }
    match args.output.as_deref() {
        Some(path) if !is_stdout(path) => {
            output_file::write_file("--output", path, prepared.text.as_bytes())?
        }
        _ => print_stdout(&prepared.text)?,
    }
    Ok(Outcome::Done)
}

/// The `--region` flags, each checked, without repeats (first occurrence kept).
fn check_region_flags(regions: &[String]) -> Result<Vec<String>> {
    if let Some(region) = regions
        .iter()
        .find(|r| !crate::region_name::is_region_name(r))
    {
        return Err(Error::Input(format!(
            "--region {}: not an AWS region name (expected e.g. us-east-1)",
            crate::untrusted_text::quoted(region, crate::untrusted_text::MESSAGE_QUOTE_LIMIT)
        )));
    }
    let distinct = profile::distinct_regions(regions);
    if distinct.len() > profile::MAX_REGIONS {
        return Err(Error::Input(format!(
            "--region: {} distinct regions named; at most {} are accepted",
            distinct.len(),
            profile::MAX_REGIONS
        )));
    }
    Ok(distinct)
}

/// Target regions when judging a saved snapshot: `--region`, else the profile's if it names
/// them, else every region the snapshot holds (so `evaluate` reproduces the scan).
fn profile_for_snapshot(
    loaded: &LoadedProfile,
    snapshot: &Snapshot,
    regions: &[String],
) -> Profile {
    let mut profile = loaded.profile.clone();
    if !regions.is_empty() {
        profile.rollout.regions = regions.to_vec();
    } else if !loaded.regions_explicit && !snapshot.regions.is_empty() {
        profile.rollout.regions = snapshot.regions.iter().map(|r| r.region.clone()).collect();
    }
    profile
}

/// Everything the report flags ask for, read and checked before any work starts, so a typo
/// in a flag or a waiver never costs a scan.
struct ReportPlan {
    selection: RuleSelection,
    waivers: Vec<waivers::Waiver>,
    baseline: Option<baseline::Baseline>,
}

fn plan(args: &ReportArgs, loaded: &LoadedProfile) -> Result<ReportPlan> {
    let selection = RuleSelection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    selection.validate()?;
    if args.format.len() > 1 && args.output_dir.is_none() {
        return Err(Error::Input(
            "--format: several formats need --output-dir DIR (one file per format)".into(),
        ));
    }
    let profile_path = loaded
        .source
        .clone()
        .unwrap_or_else(|| Path::new(profile::DEFAULT_FILE_NAME).to_path_buf());
    let mut all_waivers = waivers::validate(&loaded.profile.waiver, &profile_path)?;
    if let Some(path) = &args.waivers {
        all_waivers.extend(waivers::load_file(path)?);
    }
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
    if let Some(dir) = &args.output_dir {
        let names: Vec<String> = args.format.iter().map(|f| f.file_name()).collect();
        output_file::check_dir("--output-dir", dir, &names)?;
    } else if let Some(path) = args.output.as_deref().filter(|p| !is_stdout(p)) {
        output_file::check_file("-o", path)?;
    }
    Ok(ReportPlan {
        selection,
        waivers: all_waivers,
        baseline,
    })
}

/// Applies waivers and the baseline, then writes every requested format.
fn finish(report: Report, plan: &ReportPlan, args: &ReportArgs) -> Result<Outcome> {
    emit(&annotate(report, plan), args)
}

/// Marks waived findings (warning about expired waivers) and compares with the baseline.
fn annotate(mut report: Report, plan: &ReportPlan) -> Report {
    report.apply_waivers(&plan.waivers, chrono::Utc::now().date_naive());
    for expired in report
        .waivers
        .iter()
        .filter(|w| w.state == waivers::WaiverState::Expired)
    {
        eprintln!(
            "bedrock-audit: warning: waiver expired on {} and no longer applies: {}",
            expired.waiver.expires,
            visible(&expired.waiver.declared_in)
        );
    }
    if let Some(baseline) = &plan.baseline {
        report.compare_with(baseline);
    }
    report
}

/// Whether a finding trips the gate under `--fail-on` / `--allow-errors`, waivers and
/// `--baseline` (with a baseline, only new problems count).
pub fn trips_gate(finding: &Finding, args: &ReportArgs) -> bool {
    if finding.waiver.is_some()
        || finding
            .baseline
            .is_some_and(|change| change != baseline::Change::New)
    {
        return false;
    }
    let at_or_above = args.fail_on.is_none_or(|min| finding.severity >= min);
    match finding.status {
        Status::Fail => at_or_above,
        Status::Error => at_or_above && !args.allow_errors,
        Status::Pass | Status::NotApplicable => false,
    }
}

fn emit(report: &Report, args: &ReportArgs) -> Result<Outcome> {
    let writes_asff = args.format.contains(&report::Format::Asff);
    if writes_asff {
        report::asff::check(report).map_err(Error::Input)?;
    }
    let to_stdout = args.output.as_deref().is_none_or(is_stdout);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let table = report::table::TableOptions {
        color,
        // --width, else the terminal's when the table goes to one, else a fixed width so
        // that a file or a pipe reads the same everywhere.
        width: args
            .width
            .or_else(|| {
                (to_stdout && args.output_dir.is_none())
                    .then(report::table::terminal_width)
                    .flatten()
            })
            .unwrap_or(report::table::DEFAULT_WIDTH),
        show_passed: args.show_passed,
    };
    if let Some(dir) = &args.output_dir {
        let files: Vec<(String, Vec<u8>)> = args
            .format
            .iter()
            .map(|f| {
                let plain = report::table::TableOptions {
                    color: false,
                    ..table
                };
                (
                    f.file_name(),
                    report::render_with(report, *f, &plain).into_bytes(),
                )
            })
            .collect();
        output_file::write_dir("--output-dir", dir, &files)?;
    } else {
        let format = args
            .format
            .first()
            .copied()
            .unwrap_or(report::Format::Table);
        match &args.output {
            Some(path) if !is_stdout(path) => output_file::write_file_with("-o", path, |out| {
                report::write(report, format, &table, out)
            })?,
            _ => {
                // Block-buffered: stdout alone flushes at every line of a long report.
                let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
                stdout_outcome(
                    report::write(report, format, &table, &mut stdout)
                        .and_then(|()| stdout.flush()),
                )?
            }
        }
    }
    if report.summary.judged_nothing() {
        eprintln!(
            "bedrock-audit: nothing was evaluated ({} finding(s), all not applicable): a gate that judged nothing does not pass",
            report.summary.not_applicable
        );
        return Ok(Outcome::Failing);
    }
    Ok(if report.findings.iter().any(|f| trips_gate(f, args)) {
        Outcome::Failing
    } else {
        Outcome::Clean
    })
}

/// Prints to stdout. A reader that stopped listening (`| head`) is not an error: the run's
/// outcome (and exit code) stays what the checks decided, and nothing is said about it.
fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout_outcome(
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush()),
    )
}

/// The result of writing to stdout, with a closed pipe taken as a reader who has seen enough.
fn stdout_outcome(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Io(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

fn rules_listing() -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(["Rule", "Severity", "Title"]);
    for meta in crate::rules::all_metadata() {
        table.add_row([
            meta.id.as_str(),
            meta.severity.as_str(),
            meta.title.as_str(),
        ]);
    }
    format!("{table}\n")
}

fn explain(rule_id: &str) -> Result<String> {
    let meta = crate::rules::meta(rule_id).ok_or_else(|| {
        Error::Input(format!(
            "explain {rule_id}: no such rule (see `bedrock-audit rules`)"
        ))
    })?;
    let mut text = format!(
        "{}  [{}]\n{}\n\nWhy it matters\n{}\n\nWhat to do\n{}\n\n{}\n",
        meta.id,
        meta.severity.as_str(),
        meta.title,
        meta.rationale.trim(),
        meta.remediation.trim(),
        meta.remediation_cli.trim()
    );
    if !meta.parameters.is_empty() {
        text.push_str("\nParameters (defaults; set them in bedrock-audit.toml)\n");
        for (key, value) in &meta.parameters {
            text.push_str(&format!("  {key} = {value}\n"));
        }
    }
    text.push_str("\nReferences\n");
    for reference in &meta.references {
        text.push_str(&format!("  {reference}\n"));
    }
    Ok(text)
}

fn init(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::input_file(
            path,
            "already exists; pass --force to overwrite it",
        ));
    }
    output_file::write_file("init", path, profile::INIT_TEMPLATE.as_bytes())?;
    eprintln!(
        "bedrock-audit: wrote {}",
        visible(&path.display().to_string())
    );
    Ok(())
}
