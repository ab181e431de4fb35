//! A progress bar with ETA on stderr that appears only for runs longer than a moment, and never
//! when stderr is not a terminal or the user asked for quiet.
//!
//! The bar is the Cargo feature `progress` (indicatif; on with the command line): a library
//! built without it counts nothing and draws nothing; its callers follow a run through
//! [`crate::simulation::Simulation::on_progress`] instead.

#[cfg(feature = "progress")]
use std::io::IsTerminal;
#[cfg(feature = "progress")]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "progress")]
use std::time::{Duration, Instant};

#[cfg(feature = "progress")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts finished replications; thread-safe.
pub struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<ProgressBar>,
    #[cfg(feature = "progress")]
    shown: AtomicBool,
    #[cfg(feature = "progress")]
    start: Instant,
}

/// Runs shorter than this never show a bar.
#[cfg(feature = "progress")]
const DELAY: Duration = Duration::from_millis(400);

impl Progress {
    /// A progress counter that never draws.
    pub fn hidden() -> Self {
        #[cfg(feature = "progress")]
        return Progress { bar: None, shown: AtomicBool::new(false), start: Instant::now() };
        #[cfg(not(feature = "progress"))]
        Progress {}
    }

    /// A bar over `total` steps labelled `label`, drawn on stderr only if it is a terminal and
    /// `quiet` is false.
    #[cfg(feature = "progress")]
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

    /// Without the bar (feature `progress` off): a counter that draws nothing.
    #[cfg(not(feature = "progress"))]
    pub fn new(_total: u64, _label: &str, _quiet: bool) -> Self {
        Self::hidden()
    }

    /// One more step done.
    pub fn inc(&self) {
        #[cfg(feature = "progress")]
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
    pub fn set_label(&self, _label: &str) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.set_message(_label.to_string());
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
