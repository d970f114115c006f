//! The scan's progress on a terminal: an indicatif bar on stderr saying what is being read
//! and how far the scan has got. Shown only where a person watches: stderr is a terminal,
//! no `--quiet`, and not in CI (`CI` set to anything but `false` or `0`).

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::collect::progress::{ProgressSink, ProgressState};
use crate::untrusted_text::visible;

/// Whether to show progress, from the flags and the environment.
pub fn wanted(quiet: bool, stderr_is_terminal: bool, ci: Option<&str>) -> bool {
    let in_ci = ci.is_some_and(|value| {
        let value = value.trim();
        !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
    });
    !quiet && stderr_is_terminal && !in_ci
}

/// The sink for a scan started from the command line, if progress is wanted.
pub fn for_command_line(quiet: bool) -> Option<Arc<dyn ProgressSink>> {
    use std::io::IsTerminal;
    let ci = std::env::var("CI").ok();
    wanted(quiet, std::io::stderr().is_terminal(), ci.as_deref())
        .then(|| Arc::new(TerminalProgress::new()) as Arc<dyn ProgressSink>)
}

#[derive(Debug)]
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} reading AWS [{bar:20}] {pos}/{len} {elapsed} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        TerminalProgress { bar }
    }
}

impl ProgressSink for TerminalProgress {
    fn update(&self, state: &ProgressState) {
        self.bar.set_length(state.total);
        self.bar.set_position(state.done);
        // Region names were checked, service names are ours; escaped anyway on principle.
        self.bar
            .set_message(visible(&state.reading.join(", ")).into_owned());
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_only_on_a_terminal_without_quiet_outside_ci() {
        assert!(wanted(false, true, None));
        assert!(!wanted(true, true, None), "--quiet");
        assert!(!wanted(false, false, None), "a pipe");
        assert!(!wanted(false, true, Some("true")), "CI=true");
        assert!(!wanted(false, true, Some("1")));
        assert!(wanted(false, true, Some("false")));
        assert!(wanted(false, true, Some("0")));
        assert!(wanted(false, true, Some("")));
    }
}
