//! A progress bar with ETA on stderr that appears only for runs longer than a moment, and never
//! when stderr is not a terminal or the user asked for quiet.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts finished replications; thread-safe.
pub struct Progress {
    bar: Option<ProgressBar>,
    shown: AtomicBool,
    start: Instant,
}

/// Runs shorter than this never show a bar.
const DELAY: Duration = Duration::from_millis(400);

impl Progress {
    /// A progress counter that never draws.
    pub fn hidden() -> Self {
        Progress { bar: None, shown: AtomicBool::new(false), start: Instant::now() }
    }

    /// A bar over `total` steps labelled `label`, drawn on stderr only if it is a terminal and
    /// `quiet` is false.
    pub fn new(total: u64, label: &str, quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:.bold} [{bar:32.cyan/blue}] {pos}/{len} replications  {elapsed} elapsed, ~{eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Progress { bar: Some(bar), shown: AtomicBool::new(false), start: Instant::now() }
    }

    /// One more step done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            if !self.shown.load(Ordering::Relaxed)
                && self.start.elapsed() > DELAY
                && !self.shown.swap(true, Ordering::Relaxed)
            {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.inc(1);
        }
    }

    /// Changes the label (e.g. the variant being run).
    pub fn set_label(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
