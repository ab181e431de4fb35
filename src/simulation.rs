//! The library's front door: a builder that runs a compiled [`Model`] without the CLI — a
//! replication range, a thread count, a progress callback and cancellation.

use std::ops::Range;

use crate::model::Model;
pub use crate::runner::{CancelToken, Cancelled, Keep, RunResult, Scope};
use crate::runner::{Hooks, Progress, RunOptions, run_range};

/// A Monte Carlo run of a model, configured step by step and started with [`run`](Self::run).
///
/// Defaults: the scenario's seed, replications `0..simulation.replications`, all cores, no
/// progress callback, no cancellation, the network's replications kept. Replication `i` draws from the streams of (seed, `i`),
/// so a range `a..b` gives exactly rows `a..b` of the full run, for any thread count.
///
/// ```
/// use echelon::kpi::Kpi;
/// use echelon::report::summary::{RunMeta, RunSummary};
/// use echelon::simulation::{CancelToken, Simulation};
/// use echelon::{Model, Scenario};
///
/// let text = r#"
/// [simulation]
/// days = 200
/// replications = 8
/// [[skus]]
/// id = "item"
/// holding_cost = 1
/// stockout_cost = 4
/// [[locations]]
/// id = "supplier"
/// type = "supplier"
/// [[locations]]
/// id = "store"
/// type = "store"
/// source = "supplier"
/// lead_time = 1
/// policy = { type = "base_stock", level = 12 }
/// [[demand]]
/// location = "store"
/// distribution = { type = "poisson", mean = 5 }
/// "#;
/// let model = Model::compile(&Scenario::parse("store.toml", text)?);
/// let token = CancelToken::new();
/// let result = Simulation::new(&model)
///     .threads(2)
///     .seed(42)
///     .replications(4..8)
///     .on_progress(|done| eprintln!("{done} replications done"))
///     .cancel(token.clone())
///     .run()?;
/// assert_eq!((result.first_replication, result.replications), (4, 4));
/// let fill = result.series(result.network_index(), Kpi::FillRate);
/// assert!(fill.iter().all(|f| (0.0..=1.0).contains(f)));
///
/// // The summaries by scope name, as data (and as summary.json's JSON).
/// let sums = result.summaries();
/// let named = RunSummary::new(&model, &result, &sums, &RunMeta::default());
/// assert_eq!(named.locations.0[0].0, "store");
/// assert!(serde_json::to_string(&named)?.contains("\"fill_rate\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Simulation<'a> {
    model: &'a Model,
    threads: Option<usize>,
    seed: u64,
    range: Range<u64>,
    on_progress: Box<dyn Fn(u64) + 'a>,
    cancel: CancelToken,
    keep: Keep,
}

impl<'a> Simulation<'a> {
    /// A run of `model` with the scenario's seed and replication count on all cores.
    pub fn new(model: &'a Model) -> Self {
        let sim = &model.scenario.simulation;
        Simulation {
            model,
            threads: None,
            seed: sim.seed,
            range: 0..sim.replications as u64,
            on_progress: Box::new(|_| {}),
            cancel: CancelToken::new(),
            keep: Keep::Network,
        }
    }

    /// Which scopes keep every replication's values (the network always does); the others
    /// are summarised as they stream, in memory that does not grow with the replications.
    pub fn keep(mut self, keep: Keep) -> Self {
        self.keep = keep;
        self
    }

    /// Worker threads (at least 1); the results do not depend on it.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n.max(1));
        self
    }

    /// The base seed of every random stream.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The replications to run, by index: `a..b` runs replications a, a+1, …, b−1.
    pub fn replications(mut self, range: Range<u64>) -> Self {
        self.range = range;
        self
    }

    /// Called after each block of replications with the number done so far in this run
    /// (on the calling thread, between blocks).
    pub fn on_progress(mut self, callback: impl Fn(u64) + 'a) -> Self {
        self.on_progress = Box::new(callback);
        self
    }

    /// A token whose [`cancel`](CancelToken::cancel) stops the run before its next block.
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// Runs the replications and returns their KPI values, or [`Cancelled`] if the token was
    /// cancelled before the last block finished.
    pub fn run(self) -> Result<RunResult, Cancelled> {
        let hidden = Progress::hidden();
        let opts = RunOptions { replications: 0, seed: self.seed, threads: self.threads, keep: self.keep };
        let hooks = Hooks { progress: &hidden, on_block: &*self.on_progress, cancel: &self.cancel, rows: None };
        run_range(self.model, &opts, self.range, hooks)
    }
}
