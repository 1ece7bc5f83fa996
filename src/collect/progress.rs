//! A progress display for live collection: one line per source on standard error,
//! with what is being fetched and how many entities so far. Off in CI, with
//! `--no-progress`, or when standard output or error is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    multi: Option<MultiProgress>,
}

/// One source's line. Does nothing when progress is off.
pub struct Line {
    bar: Option<ProgressBar>,
    source: &'static str,
}

impl Progress {
    /// `wanted` is false with `--no-progress`; CI and non-terminals turn it off too.
    pub fn new(wanted: bool) -> Progress {
        let on = wanted
            && std::env::var_os("CI").is_none()
            && std::io::stdout().is_terminal()
            && std::io::stderr().is_terminal();
        Progress {
            multi: on.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    pub fn start(&self, source: &'static str) -> Line {
        let bar = self.multi.as_ref().map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix:28} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_prefix(source);
            b.set_message("…");
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Line { bar, source }
    }

    pub fn finish(&self) {
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

impl Line {
    pub fn update(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }

    pub fn done(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_style(
                ProgressStyle::with_template("✓ {prefix:28} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.finish_with_message(msg.to_string());
        }
    }

    pub fn source(&self) -> &'static str {
        self.source
    }
}
