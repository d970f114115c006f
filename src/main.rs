use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bedrock_audit::cli::Cli::parse();
    match bedrock_audit::app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) => {
            // Messages quote files, flags and AWS text: nothing in them may drive the terminal.
            let message = err.to_string();
            eprintln!(
                "bedrock-audit: error: {}",
                bedrock_audit::untrusted_text::visible_lines(&message)
            );
            ExitCode::from(2)
        }
    }
}
