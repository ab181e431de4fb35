//! Experiments: compare variants on common random numbers, parameter sweeps, safety-stock sizing.
//!
//! All three run one network several times with the same seed and replication count. Random
//! streams are keyed by (seed, replication, purpose, entity name) (DESIGN.md §5), so every
//! variant, grid point or candidate level sees the same demand, lead-time and disruption draws:
//! differences between runs come from the change alone, paired differences have far smaller
//! standard errors than independent runs would give, and a KPI that rises with a stock level does
//! so in every replication — which makes a bisection on the level well defined.
//!
//! - [`compare`]: strategies × stress tests of one file, or several files, against a baseline;
//! - [`sweep`]: a grid of values of dotted scenario keys (`--set PATH=V1,V2,...`);
//! - [`size`]: the smallest stock level per customer-facing position that meets a service
//!   target, next to the textbook normal-approximation level.
//!
//! Each experiment is a function from loaded scenarios (or a compiled model) to a result struct;
//! the result renders itself as files ([`OutputFile`]) and a terminal table.

pub mod compare;
pub mod size;
pub mod sweep;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::kpi::Kpi;
use crate::model::Model;
use crate::report::Staged;
use crate::report::plot::{Format, PlotError};
use crate::runner::{self, CancelToken, Hooks, Keep, Progress, RunOptions, RunResult, Scope};
use crate::scenario::{Scenario, ScenarioError};

/// Why an experiment could not run or write its results.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// A scenario (variant) did not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Bad arguments: what is wrong and what to type instead.
    #[error("{message} ({help})")]
    Input {
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// One point of a sweep did not load.
    #[error("sweep point {point} does not load: {source}")]
    Point {
        /// The point's values, `path=value, ...`.
        point: String,
        /// Why.
        source: ScenarioError,
    },
    /// An output file could not be written.
    #[error("cannot write into {path}: {source}")]
    Io {
        /// Output folder.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl ExperimentError {
    /// A bad-input error with a help line.
    pub fn input(message: impl Into<String>, help: impl Into<String>) -> Self {
        ExperimentError::Input { message: message.into(), help: help.into() }
    }

    /// Whether the user can fix this by changing the input (exit code 2) rather than a failure
    /// of the machine (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ExperimentError::Io { .. })
    }
}

/// Overrides shared by every experiment; `None` keeps the scenario's own setting.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Replications per run.
    pub replications: Option<usize>,
    /// Base seed.
    pub seed: Option<u64>,
    /// Worker threads (`None` = all cores); results do not depend on it.
    pub threads: Option<usize>,
    /// No progress bar.
    pub quiet: bool,
    /// Where the runs' results come from: simulated whole (the default), simulated for one
    /// shard's replications, or merged from shards.
    pub runs: Runs,
}

impl Settings {
    /// Run options for a scenario: its own replications and seed unless overridden.
    pub fn options(&self, sc: &Scenario) -> RunOptions {
        RunOptions {
            replications: self.replications.unwrap_or(sc.simulation.replications).max(1),
            seed: self.seed.unwrap_or(sc.simulation.seed),
            threads: self.threads,
            keep: Keep::Network,
        }
    }

    /// A progress bar over `total` replications (of which a shard runs its share).
    fn progress(&self, total: usize, label: &str) -> Progress {
        let total = match &self.runs.mode {
            Mode::Shard(_, n) => total.div_ceil(*n as usize),
            Mode::Merged => 0,
            Mode::Simulate => total,
        };
        Progress::new(total as u64, label, self.quiet || total == 0)
    }

    /// One run of an experiment: simulated, or the next result merged from shards — which must
    /// be a result of this model's scopes (else the shards were not written by this experiment).
    fn run(&self, m: &Model, opts: &RunOptions, progress: &Progress) -> Result<RunResult, ExperimentError> {
        Ok(match &self.runs.mode {
            Mode::Simulate => runner::run(m, opts, progress),
            &Mode::Shard(i, n) => {
                let never = CancelToken::new();
                let hooks = Hooks { progress, on_block: &|_| {}, cancel: &never, rows: None };
                let range = crate::results::shard_range(i, n, opts.replications as u64);
                let r = runner::run_range(m, opts, range, hooks).expect("never cancelled");
                self.runs.done.borrow_mut().push(r.clone());
                r
            }
            Mode::Merged => match self.runs.given.borrow_mut().pop_front() {
                Some(r) if r.scopes == runner::scopes_of(m) => r,
                _ => {
                    return Err(ExperimentError::input(
                        "the merged results do not fit this experiment's runs",
                        "merge shard files written by this experiment (they may be damaged)",
                    ));
                }
            },
        })
    }
}

/// Where an experiment's runs come from (see [`Settings::runs`]).
#[derive(Clone, Debug, Default)]
pub struct Runs {
    mode: Mode,
    done: RefCell<Vec<RunResult>>,
    given: RefCell<VecDeque<RunResult>>,
}

#[derive(Clone, Debug, Default)]
enum Mode {
    #[default]
    Simulate,
    Shard(u64, u64),
    Merged,
}

impl Runs {
    /// Every run simulates only shard `index` of `count` of its replications
    /// ([`crate::results::shard_range`]); collect the results with
    /// [`take_results`](Self::take_results).
    pub fn shard(index: u64, count: u64) -> Runs {
        Runs { mode: Mode::Shard(index, count), ..Runs::default() }
    }

    /// The runs are not simulated: they are these results (merged from shards), in the order
    /// the experiment runs them.
    pub fn merged(results: Vec<RunResult>) -> Runs {
        Runs { mode: Mode::Merged, given: RefCell::new(results.into()), ..Runs::default() }
    }

    /// The results of the runs done so far, in the order they ran.
    pub fn take_results(&self) -> Vec<RunResult> {
        std::mem::take(&mut self.done.borrow_mut())
    }

    /// Results given to [`merged`](Self::merged) that no run has used (a mismatch of shards and
    /// experiment).
    pub fn unused(&self) -> usize {
        self.given.borrow().len()
    }
}

/// One output file, ready to be staged.
#[derive(Clone, Debug)]
pub struct OutputFile {
    /// File name inside the output folder.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile { name: name.into(), bytes: bytes.into() }
    }
}

/// Writes files into `dir` atomically (all are staged first, then renamed into place).
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, ExperimentError> {
    let io = |source| ExperimentError::Io { path: dir.display().to_string(), source };
    let mut staged = Staged::new(dir).map_err(io)?;
    for f in files {
        staged.add(&f.name, &f.bytes).map_err(io)?;
    }
    staged.commit().map_err(io)
}

/// Draws a chart as PNG and SVG into `files`; a chart that cannot be drawn becomes a warning,
/// because the numbers (JSON, CSV) matter more than the picture. Returns the SVG text, drawn
/// once for both the file and the `report.html` that inlines it (`None` if it was not drawn).
fn plot_both(
    files: &mut Vec<OutputFile>,
    warnings: &mut Vec<String>,
    stem: &str,
    draw: impl Fn(Format) -> Result<Vec<u8>, PlotError>,
) -> Option<Vec<u8>> {
    let mut svg = None;
    for fmt in [Format::Png, Format::Svg] {
        match draw(fmt) {
            Ok(bytes) => {
                if fmt == Format::Svg {
                    svg = Some(bytes.clone());
                }
                files.push(OutputFile::new(format!("{stem}.{}", fmt.extension()), bytes));
            }
            Err(e) => warnings.push(format!("{stem}.{} not drawn: {e}", fmt.extension())),
        }
    }
    svg
}

/// Per-replication values of every KPI of one scope: `[kpi][replication]`.
fn scope_series(r: &RunResult, scope: Scope) -> Vec<Vec<f64>> {
    let i = r.scope_index(scope).unwrap_or(0);
    Kpi::ALL.iter().map(|&k| r.series(i, k).to_vec()).collect()
}

pub use crate::report::format::fmt_horizon as horizon;

/// Whether a scenario has a single SKU (then stock is reported in units, else at cost).
fn single_sku(sc: &Scenario) -> bool {
    sc.skus.len() <= 1
}

/// The inventory KPI of trade-off charts: units when there is one SKU (comparable), inventory
/// value at cost when there are several (units of different SKUs do not add up meaningfully).
fn inventory_kpi(sc: &Scenario) -> Kpi {
    if single_sku(sc) { Kpi::AvgOnHand } else { Kpi::AvgInventoryValue }
}

/// Axis label of [`inventory_kpi`].
fn inventory_label(k: Kpi) -> &'static str {
    if k == Kpi::AvgOnHand { "average on hand (units)" } else { "average inventory value (at cost)" }
}
