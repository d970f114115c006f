use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A file-size limit (ulimit -f) would otherwise kill the process with SIGXFSZ halfway
    // through a write, leaving a temporary file and a created directory behind. Ignored, the
    // write fails with EFBIG instead and the usual clean-up runs (no partial output).
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN, before any thread is started.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
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
