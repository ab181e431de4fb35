//! The library's front door: a builder that runs a compiled [`Model`] without the CLI — a
//! replication range, a thread count, a progress callback and cancellation.

use std::ops::Range;

use crate::model::Model;
pub use crate::runner::{CancelToken, Cancelled, RunResult};
use crate::runner::{Progress, run_range};

/// A Monte Carlo run of a model, configured step by step and started with [`run`](Self::run).
///
/// Defaults: the scenario's seed, replications `0..simulation.replications`, all cores, no
/// progress callback, no cancellation. Replication `i` draws from the streams of (seed, `i`),
/// so a range `a..b` gives exactly rows `a..b` of the full run, for any thread count.
///
/// ```
/// use echelon::kpi::Kpi;
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
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Simulation<'a> {
    model: &'a Model,
    threads: Option<usize>,
    seed: u64,
    range: Range<u64>,
    on_progress: Box<dyn Fn(u64) + 'a>,
    cancel: CancelToken,
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
        }
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
        run_range(self.model, self.seed, self.range, self.threads, &hidden, &*self.on_progress, &self.cancel)
    }
}
