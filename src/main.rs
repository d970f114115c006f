use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bedrock_audit::cli::Cli::parse();
    match bedrock_audit::app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) => {
            eprintln!("bedrock-audit: error: {err}");
            ExitCode::from(2)
        }
    }
}
