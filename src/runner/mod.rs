//! Monte Carlo: replications in parallel (rayon), collected in replication order and reduced
//! serially, so the same seed gives the same bytes for any number of threads.
//!
//! Memory does not grow with the number of replications except where asked: every KPI of every
//! scope is summarised as it streams by ([`Streamed`]: exact moments and a quantile sketch), and
//! only the scopes in [`Keep`] (the network by default) keep each replication's values. Results
//! of disjoint replication ranges merge exactly ([`RunResult::merge`]) into the result of the
//! whole range, bit for bit.

pub mod budget;
pub mod downsample;
pub mod positions;
mod progress;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

pub use positions::{POSITION_KPIS, POSITION_SCOPES_MAX, PositionStats};
pub use progress::Progress;

use crate::engine::{NoObserver, State, Totals, run_lanes_with, run_replication};
use crate::kpi::{Kpi, ScopeAcc};
use crate::model::Model;
use crate::stats::{Streamed, Summary};

/// How to run a Monte Carlo experiment.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Replications.
    pub replications: usize,
    /// Base seed.
    pub seed: u64,
    /// Worker threads (`None` = all cores).
    pub threads: Option<usize>,
    /// Scopes whose per-replication values are kept (the rest are summarised as they stream).
    pub keep: Keep,
}

impl RunOptions {
    /// The scenario's own settings, keeping the network's replications.
    pub fn from_model(m: &Model) -> Self {
        RunOptions {
            replications: m.scenario.simulation.replications,
            seed: m.scenario.simulation.seed,
            threads: None,
            keep: Keep::Network,
        }
    }
}

/// Which scopes keep every replication's values (for histograms, paired comparisons and
/// searches); the network always does. Kept values cost 8 bytes per KPI, scope and replication.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// The network only.
    #[default]
    Network,
    /// The network and these scopes.
    Scopes(Vec<Scope>),
    /// Every scope.
    All,
}

impl Keep {
    /// Indices into `scopes` of the scopes kept, ascending (the network, index 0, always).
    pub fn indices(&self, scopes: &[Scope]) -> Vec<usize> {
        (0..scopes.len())
            .filter(|&i| {
                i == 0
                    || match self {
                        Keep::Network => false,
                        Keep::Scopes(v) => v.contains(&scopes[i]),
                        Keep::All => true,
                    }
            })
            .collect()
    }
}

/// A scope of KPIs: the network, one location, or one position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole network.
    Network,
    /// A stocking location (scenario index).
    Location(usize),
    /// A position (model index).
    Position(usize),
    /// A tier label (index in `Model::alloc.tiers`).
    Tier(usize),
    /// An ABC×XYZ segment (index in `Model::alloc.segments`).
    Segment(usize),
    /// A SKU over all its positions (scenario index).
    Sku(usize),
    /// A channel's customer-facing positions (index in `Model::channel.channels`).
    Channel(usize),
    /// A region's positions (index in `Model::topo.regions`).
    Region(usize),
}

/// The KPIs of a run: every scope summarised as it streamed by, and the kept scopes' values
/// replication by replication. Two results are equal when every value has the same bits (an
/// undefined KPI, NaN, equals itself).
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Scopes in output order: network (always first), stocking locations (file order), tiers,
    /// segments, channels, SKUs (file order), regions, positions (location order, then SKU).
    pub scopes: Vec<Scope>,
    /// Every KPI of every scope as it streamed by: `streams[scope * Kpi::COUNT + kpi]`.
    pub streams: Vec<Streamed>,
    /// Indices into `scopes` of the scopes whose replications are kept, ascending; the network
    /// (index 0) always.
    pub kept: Vec<usize>,
    /// Kept values, scope-major: `values[(k * Kpi::COUNT + kpi) * replications + rep]` for the
    /// k-th kept scope; NaN = undefined.
    pub values: Vec<f64>,
    /// Replications run.
    pub replications: usize,
    /// Index of the first replication run (0 unless a range was asked for): column `i` of
    /// `values` is replication `first_replication + i`.
    pub first_replication: u64,
    /// Seed used.
    pub seed: u64,
    /// Day-by-day records of the first replications (empty unless the model records days):
    /// see [`Totals::daily`] and [`Totals::loc_daily`].
    pub days: Vec<DayRecord>,
    /// Every position's [`POSITION_KPIS`] across the replications (`positions.csv`).
    pub positions: PositionStats,
}

/// The day-by-day record of one replication, for charts over time.
#[derive(Clone, Debug, Default)]
pub struct DayRecord {
    /// Network [demand, served the same day, on hand, backlog, value of unserved demand] per day.
    pub network: Vec<[f64; 5]>,
    /// [on hand, backlog, customer demand so far, served the same day so far] per day and
    /// location (`day * n_loc + location`); the last two are running totals over the measured
    /// days, so any period's demand and service are differences.
    pub locations: Vec<[f64; 4]>,
    /// Variance of the daily orders of each echelon height (1 = stores, …) over the variance of
    /// daily customer demand.
    pub echelon_bullwhip: Vec<f64>,
    /// Days per point of `network` and `locations` (1 = day by day; long horizons keep means
    /// over whole weeks, see [`downsample`]). Point i covers days `i·step ..< (i+1)·step`.
    pub step: usize,
}

pub use crate::model::DAY_RECORDS;

impl PartialEq for RunResult {
    fn eq(&self, o: &Self) -> bool {
        let bits =
            |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        self.scopes == o.scopes
            && self.streams == o.streams
            && self.kept == o.kept
            && bits(&self.values, &o.values)
            && (self.replications, self.first_replication, self.seed) == (o.replications, o.first_replication, o.seed)
            && self.positions == o.positions
            && self.days.len() == o.days.len()
            && self.days.iter().zip(&o.days).all(|(a, b)| {
                a.step == b.step
                    && bits(a.network.as_flattened(), b.network.as_flattened())
                    && bits(a.locations.as_flattened(), b.locations.as_flattened())
                    && bits(&a.echelon_bullwhip, &b.echelon_bullwhip)
            })
    }
}

impl RunResult {
    /// The value of one KPI of one kept scope in one replication (see [`series`](Self::series)).
    pub fn value(&self, rep: usize, scope: usize, kpi: Kpi) -> f64 {
        self.series(scope, kpi)[rep]
    }

    /// All replications' values of one KPI of a kept scope, in replication order.
    ///
    /// # Panics
    /// If the scope's replications were not kept ([`Keep`]): a caller asks for what it ran.
    pub fn series(&self, scope: usize, kpi: Kpi) -> &[f64] {
        self.try_series(scope, kpi).unwrap_or_else(|| {
            panic!("scope {:?} was not kept: run it with Keep::Scopes or Keep::All", self.scopes[scope])
        })
    }

    /// [`series`](Self::series), or `None` for a scope whose replications were not kept.
    pub fn try_series(&self, scope: usize, kpi: Kpi) -> Option<&[f64]> {
        let k = self.kept.binary_search(&scope).ok()?;
        let start = (k * Kpi::COUNT + kpi as usize) * self.replications;
        Some(&self.values[start..start + self.replications])
    }

    /// Summaries of every KPI of every scope (`[scope][kpi]`): kept scopes from their values
    /// (exact quantiles), the others from their streams (quantiles within
    /// [`crate::stats::sketch::RELATIVE_ERROR`]). Means, spreads and extremes are exact sums
    /// either way, so they do not depend on the thread count or on how the run was split.
    pub fn summaries(&self) -> Vec<Vec<Option<Summary>>> {
        (0..self.scopes.len()).into_par_iter().map_init(Vec::new, |buf, s| self.scope_summary_with(s, buf)).collect()
    }

    /// Summaries of every KPI of one scope (see [`summaries`](Self::summaries)).
    pub fn scope_summary(&self, scope: usize) -> Vec<Option<Summary>> {
        self.scope_summary_with(scope, &mut Vec::new())
    }

    fn scope_summary_with(&self, s: usize, buf: &mut Vec<u64>) -> Vec<Option<Summary>> {
        Kpi::ALL
            .iter()
            .map(|&k| match self.try_series(s, k) {
                Some(v) => Summary::of_with(v, buf),
                None => self.streams[s * Kpi::COUNT + k as usize].summary(),
            })
            .collect()
    }

    /// Index of the network scope. It always exists: [`scopes_of`] lists it first, and a
    /// `RunResult` is only built by [`run`] from those scopes.
    pub fn network_index(&self) -> usize {
        debug_assert_eq!(self.scopes.first(), Some(&Scope::Network));
        0
    }

    /// Index of a scope.
    pub fn scope_index(&self, scope: Scope) -> Option<usize> {
        self.scopes.iter().position(|&s| s == scope)
    }

    /// Replications `first_replication .. first_replication + replications`.
    pub fn range(&self) -> Range<u64> {
        self.first_replication..self.first_replication + self.replications as u64
    }

    /// Joins results of consecutive replication ranges of the same run into the result of their
    /// union: exactly what one run of the whole range gives (streams merge exactly, kept values
    /// and day records are concatenated in replication order).
    pub fn merge(parts: Vec<RunResult>) -> Result<RunResult, MergeError> {
        let mut parts = parts.into_iter();
        let Some(mut acc) = parts.next() else { return Err(MergeError::Empty) };
        for p in parts {
            if p.scopes != acc.scopes
                || p.kept != acc.kept
                || p.seed != acc.seed
                || p.positions.len() != acc.positions.len()
            {
                return Err(MergeError::Different);
            }
            if p.first_replication != acc.range().end {
                return Err(MergeError::Gap { expected: acc.range().end, found: p.range() });
            }
            for (a, b) in acc.streams.iter_mut().zip(&p.streams) {
                a.merge(b);
            }
            acc.positions.merge(&p.positions);
            let (n, m) = (acc.replications, p.replications);
            let mut values = Vec::with_capacity(acc.values.len() + p.values.len());
            for (a, b) in acc.values.chunks_exact(n.max(1)).zip(p.values.chunks_exact(m.max(1))) {
                values.extend_from_slice(&a[..n]);
                values.extend_from_slice(&b[..m]);
            }
            if n == 0 || m == 0 {
                values = if n == 0 { p.values } else { acc.values };
            }
            acc.values = values;
            acc.replications = n + m;
            acc.days.extend(p.days);
        }
        Ok(acc)
    }
}

/// Why results cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no results to merge")]
    Empty,
    /// Results of different models, seeds or kept scopes.
    #[error("the results are of different runs (scopes, kept scopes or seed differ)")]
    Different,
    /// Ranges that do not follow each other.
    #[error("replications {}..{} follow a range that ends at {expected}", found.start, found.end)]
    Gap {
        /// Where the next range should start.
        expected: u64,
        /// The range found instead.
        found: Range<u64>,
    },
}

/// The scopes reported for a model, in output order.
pub fn scopes_of(m: &Model) -> Vec<Scope> {
    let mut v = vec![Scope::Network];
    v.extend(m.topo.stock_locs.iter().map(|&l| Scope::Location(l.idx())));
    v.extend((0..m.alloc.tiers.len()).map(Scope::Tier));
    v.extend((0..m.alloc.segments.len()).map(Scope::Segment));
    v.extend((0..m.channel.channels.len()).map(Scope::Channel));
    v.extend((0..m.scenario.skus.len()).map(Scope::Sku));
    // After the SKUs, so a scenario's earlier scopes keep their indices whether or not its
    // locations name regions.
    v.extend((0..m.topo.regions.len()).map(Scope::Region));
    if m.n_pos() > POSITION_SCOPES_MAX {
        return v;
    }
    for &l in &m.topo.stock_locs {
        v.extend(m.positions_of(l.idx()).into_iter().map(Scope::Position));
    }
    v
}

/// KPI values of one replication's totals for the given scopes, appended to `out`.
pub(crate) fn kpi_values(t: &Totals, scopes: &[Scope], out: &mut Vec<f64>) {
    for s in scopes {
        let acc: &ScopeAcc = match *s {
            Scope::Network => &t.net,
            Scope::Location(l) => &t.loc[l],
            Scope::Position(q) => &t.pos[q],
            Scope::Tier(i) => &t.tiers[i],
            Scope::Segment(i) => &t.segments[i],
            Scope::Sku(i) => &t.skus[i],
            Scope::Channel(i) => &t.channels[i],
            Scope::Region(i) => &t.regions[i],
        };
        out.extend_from_slice(&acc.kpis());
    }
}

/// Builds a thread pool with `threads` workers (all cores if `None`).
pub fn pool(threads: Option<usize>) -> rayon::ThreadPool {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t.max(1));
    }
    b.build().expect("thread pool")
}

/// Replications run between two hand-overs to the result matrix: large enough to keep every
/// thread busy, small enough that only one block of per-replication vectors exists at a time.
pub(crate) const BLOCK: usize = 64;

/// Bytes of per-replication values a block may hold: a network of a million positions makes
/// blocks of two replications rather than 64 × 100 MB. The block size changes no result.
const BLOCK_BYTES: usize = 256 << 20;

/// Replications per block for a model with these scopes on `threads` workers (see
/// [`BLOCK_BYTES`]): at least a pair in lockstep for every worker, so all of them work.
pub(crate) fn block_len(m: &Model, scopes: usize, threads: usize) -> usize {
    let per_rep = 8 * (scopes * Kpi::COUNT + m.n_pos() * POSITION_KPIS.len());
    (BLOCK_BYTES / per_rep.max(1)).clamp(2 * threads.max(1), BLOCK.max(2 * threads))
}

/// Runs all replications of a model and returns their KPI values.
pub fn run(m: &Model, opts: &RunOptions, progress: &Progress) -> RunResult {
    let never = CancelToken::new();
    let hooks = Hooks { progress, on_block: &|_| {}, cancel: &never, rows: None };
    run_range(m, opts, 0..opts.replications as u64, hooks).expect("a token nobody holds is never cancelled")
}

/// What a run tells its caller while it goes, and how the caller can stop it.
pub struct Hooks<'a> {
    /// Ticks once per replication.
    pub progress: &'a Progress,
    /// Gets the number of replications done after each block.
    pub on_block: &'a dyn Fn(u64),
    /// Checked before each block (never inside a replication).
    pub cancel: &'a CancelToken,
    /// Gets each block's KPI values of every scope, replication by replication (`block[i]` is
    /// replication `first + i`, values in [`kpi_values`] order), blocks in replication order:
    /// for writing rows as they come instead of keeping them.
    pub rows: Option<&'a mut RowSink<'a>>,
}

/// Where a run hands each block of replications' KPI values (see [`Hooks::rows`]).
pub type RowSink<'a> = dyn FnMut(u64, &[Vec<f64>]) + 'a;

/// A shared flag that asks a run to stop; clones share the flag, so one can be handed to a
/// run and another kept (or moved to another thread) to cancel it.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every run holding this token to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) has been called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A run stopped by its [`CancelToken`] before all its replications finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the run was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Runs replications `range` of a model (seed, threads and kept scopes from `opts`; its
/// replication count is not used) and returns their KPI values; replication `i` draws from the
/// streams of (seed, `i`), so the result is exactly the part `range` of a run of all of them,
/// and [`RunResult::merge`] of consecutive ranges gives that run's result bit for bit. A run
/// cancelled through `hooks.cancel` returns [`Cancelled`].
pub fn run_range(m: &Model, opts: &RunOptions, range: Range<u64>, mut hooks: Hooks) -> Result<RunResult, Cancelled> {
    let scopes = scopes_of(m);
    let kept = opts.keep.indices(&scopes);
    let per = scopes.len() * Kpi::COUNT;
    let reps = range.end.saturating_sub(range.start) as usize;
    let mut values = vec![0.0; kept.len() * Kpi::COUNT * reps];
    let mut streams = vec![Streamed::default(); per];
    let mut positions = PositionStats::new(m.n_pos());
    let pool = pool(opts.threads);
    let block_len = block_len(m, scopes.len(), pool.current_num_threads());
    let mut days = Vec::new();
    let mut start = 0;
    while start < reps {
        if hooks.cancel.is_cancelled() {
            return Err(Cancelled);
        }
        let end = (start + block_len).min(reps);
        let first = range.start + start as u64;
        let block = pool.install(|| {
            replications(m, opts.seed, first..range.start + end as u64, hooks.progress, &|rep, t| {
                rep_values(m, &scopes, rep, t)
            })
        });
        let mut pos_block = Vec::with_capacity(block.len());
        let block: Vec<Vec<f64>> = block
            .into_iter()
            .map(|(v, p, rec)| {
                days.extend(rec);
                pos_block.push(p);
                v
            })
            .collect();
        pool.install(|| positions.add_block(&pos_block));
        drop(pos_block);
        // Kept scopes: each (scope, KPI) receives a run of consecutive replications.
        for (j, run) in values.chunks_exact_mut(reps.max(1)).enumerate() {
            let (k, kpi) = (kept[j / Kpi::COUNT], j % Kpi::COUNT);
            for (dst, v) in run[start..end].iter_mut().zip(&block) {
                *dst = v[k * Kpi::COUNT + kpi];
            }
        }
        pool.install(|| stream(&mut streams, &block));
        if let Some(rows) = hooks.rows.as_mut() {
            rows(first, &block);
        }
        start = end;
        (hooks.on_block)(start as u64);
    }
    Ok(RunResult {
        scopes,
        streams,
        kept,
        values,
        replications: reps,
        first_replication: range.start,
        seed: opts.seed,
        days,
        positions,
    })
}

/// Adds a block of replications to the streams, in parallel over series: the streams' sums are
/// exact and their sketches count, so the result does not depend on how the work is split.
fn stream(streams: &mut [Streamed], block: &[Vec<f64>]) {
    const SERIES: usize = 256;
    streams.par_chunks_mut(SERIES).enumerate().for_each(|(c, chunk)| {
        let (at, len) = (c * SERIES, chunk.len());
        for v in block {
            for (st, &x) in chunk.iter_mut().zip(&v[at..at + len]) {
                st.add(x);
            }
        }
    });
}

/// One replication's KPI values for `scopes`, and its day-by-day record if it is one of the
/// first [`Model::day_records`] replications (by replication index, so a range keeps exactly
/// the records the full run would keep).
fn rep_values(m: &Model, scopes: &[Scope], rep: u64, t: Totals) -> (Vec<f64>, Vec<f64>, Option<DayRecord>) {
    let mut v = Vec::with_capacity(scopes.len() * Kpi::COUNT);
    kpi_values(&t, scopes, &mut v);
    let p = positions::values(&t);
    let keep = m.record_daily && (rep as usize) < m.day_records();
    let rec = keep.then(|| {
        DayRecord { network: t.daily, locations: t.loc_daily, echelon_bullwhip: t.height_bullwhip, step: 1 }
            .downsampled(m.days, m.topo.n_loc)
    });
    (v, p, rec)
}

/// Runs replications and hands each one's totals to `f` in replication order (for callers that
/// need more than KPI values).
#[cfg(test)]
fn run_totals<T: Send>(
    m: &Model,
    opts: &RunOptions,
    progress: &Progress,
    f: impl Fn(u64, Totals) -> T + Sync,
) -> Vec<T> {
    pool(opts.threads).install(|| replications(m, opts.seed, 0..opts.replications as u64, progress, &f))
}

/// Runs replications `range` in parallel, two at a time in the engine's lanes; returns `f` of
/// each one's totals in replication order. A replication's result does not depend on its
/// partner, so this is the same as running them one by one (see [`jobs`] for who runs with whom).
fn replications<T: Send>(
    m: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    progress: &Progress,
    f: &(impl Fn(u64, Totals) -> T + Sync),
) -> Vec<T> {
    let workers = rayon::current_num_threads();
    let jobs = jobs(range.clone(), workers);
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Each worker takes the next job until none is left, so a lone job at the end never waits
    // behind a pair on a busy thread.
    let done: Vec<Vec<(u64, T)>> = (0..workers.min(jobs.len()))
        .into_par_iter()
        .map(|_| {
            let (mut two, mut one) = (None::<State<2>>, None::<State<1>>);
            let mut out = Vec::new();
            while let Some(&(rep, pair)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                if pair {
                    let two = two.get_or_insert_with(|| State::new(m));
                    let [a, b] = run_lanes_with(m, seed, [rep, rep + 1], two, &mut NoObserver, |l, t| {
                        progress.inc();
                        f(rep + l as u64, t)
                    });
                    out.extend([(rep, a), (rep + 1, b)]);
                } else {
                    let one = one.get_or_insert_with(|| State::new(m));
                    let t = run_replication(m, seed, rep, one, &mut NoObserver);
                    progress.inc();
                    out.push((rep, f(rep, t)));
                }
            }
            out
        })
        .collect();
    let mut all: Vec<(u64, T)> = done.into_iter().flatten().collect();
    all.sort_unstable_by_key(|&(rep, _)| rep);
    all.into_iter().map(|(_, t)| t).collect()
}

/// The jobs of replications `range` on `threads` workers, as (first replication, a pair?):
/// pairs in lockstep while they fill whole rounds of the workers, the rest alone. Pairs left
/// over from the last full round are run as single replications when those fit in one round
/// (on a 2-core machine, 10 replications are 4 pairs and 2 singles, not 5 pairs whose last one
/// runs while the other core waits); otherwise they stay pairs. Longest jobs come first.
fn jobs(range: std::ops::Range<u64>, threads: usize) -> Vec<(u64, bool)> {
    let n = range.end.saturating_sub(range.start);
    let (pairs, odd) = (n / 2, n % 2);
    let threads = threads.max(1) as u64;
    let left = pairs % threads;
    let kept = if left > 0 && 2 * left + odd <= threads { pairs - left } else { pairs };
    let paired = (0..kept).map(|p| (range.start + 2 * p, true));
    let single = (range.start + 2 * kept..range.end).map(|rep| (rep, false));
    paired.chain(single).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    const TWO_ECHELON: &str = r#"
[simulation]
days = 120
warmup_days = 10
[[skus]]
id = "a"
holding_cost = 1
stockout_cost = 4
[[locations]]
id = "sup"
type = "supplier"
disruption = { type = "markov", mean_days_up = 15, mean_days_down = 3 }
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = { type = "poisson", mean = 3 }
policy = { type = "base_stock", level = 60 }
[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "s_S", s = 8, S = 20 }
[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "r_Q", r = 9, Q = 7 }
[[demand]]
location = "s1"
distribution = { type = "poisson", mean = 4 }
[[demand]]
location = "s2"
distribution = { type = "normal", mean = 5, sd = 2 }
"#;

    #[test]
    fn leftover_pairs_run_alone_when_that_fills_one_round() {
        let pairs = |js: &[(u64, bool)]| js.iter().filter(|j| j.1).count();
        // 2 workers: 10 = 4 pairs + 2 singles; 11 keeps its 5th pair (3 singles need 2 rounds).
        assert_eq!(jobs(0..10, 2), vec![(0, true), (2, true), (4, true), (6, true), (8, false), (9, false)]);
        assert_eq!(pairs(&jobs(0..11, 2)), 5);
        assert_eq!(jobs(5..8, 1), vec![(5, true), (7, false)]);
        assert_eq!(jobs(0..2, 4), vec![(0, false), (1, false)]);
        assert_eq!(pairs(&jobs(0..512, 2)), 256);
        for (n, threads) in [(0, 2), (1, 2), (7, 3), (64, 6), (13, 8)] {
            let reps: Vec<u64> = jobs(3..3 + n, threads)
                .iter()
                .flat_map(|&(r, pair)| if pair { vec![r, r + 1] } else { vec![r] })
                .collect();
            assert_eq!(reps, (3..3 + n).collect::<Vec<_>>(), "{n} on {threads}: every replication once, in order");
        }
    }

    /// Tables larger than the cache are drawn inside pass 1 (`engine::fused_draws`) unless the
    /// replication records its days (then pass 1 has its optional features and the draws keep
    /// their own pass): both ways give the same bits.
    #[test]
    fn drawing_inside_pass_one_changes_nothing() {
        // Ten stores with wide Poisson tables (about 18,000 cells each: 1.4 MB in all).
        let mut toml = String::from(
            "[simulation]\ndays = 60\nwarmup_days = 5\n[[skus]]\nid = \"a\"\n\
             [[locations]]\nid = \"sup\"\ntype = \"supplier\"\n[[locations]]\nid = \"dc\"\n\
             type = \"warehouse\"\nsource = \"sup\"\nlead_time = 2\npolicy = { type = \"base_stock\", level = 30000000 }\n",
        );
        for i in 0..10 {
            toml += &format!(
                "[[locations]]\nid = \"s{i}\"\ntype = \"store\"\nsource = \"dc\"\nlead_time = 1\n\
                 policy = {{ type = \"base_stock\", level = 2000000 }}\n\
                 [[demand]]\nlocation = \"s{i}\"\ndistribution = {{ type = \"poisson\", mean = {} }}\n",
                1_000_000 + 1000 * i
            );
        }
        let mut recorded = Model::compile(&Scenario::parse("t.toml", &toml).unwrap());
        recorded.record_daily = true;
        assert!(recorded.demand.tables.bytes() > 1 << 20 && recorded.demand.streams.is_empty());
        let mut plain = recorded.clone();
        plain.record_daily = false;
        // Replication 0 keeps its days under `recorded` (the first `day_records()` do).
        let run =
            |m: &Model| run_lanes_with(m, 3, [0, 1], &mut State::<2>::new(m), &mut NoObserver, |_, t| t.net.kpis());
        let (separate, fused) = (run(&recorded), run(&plain));
        assert!(fused[0][Kpi::FillRate as usize] > 0.5, "the stores sell");
        for (x, y) in separate.iter().flatten().zip(fused.iter().flatten()) {
            assert!(x.to_bits() == y.to_bits(), "{x} vs {y}");
        }
    }

    /// Two replications in lockstep give exactly what each gives alone.
    #[test]
    fn lanes_do_not_change_results() {
        let m = Model::compile(&Scenario::parse("t.toml", TWO_ECHELON).unwrap());
        let opts = RunOptions { replications: 5, seed: 9, threads: Some(1), keep: Keep::Network };
        let paired = run_totals(&m, &opts, &Progress::hidden(), |_, t| t.net.kpis());
        let mut st = State::<1>::new(&m);
        for (rep, kpis) in paired.iter().enumerate() {
            let alone = run_replication(&m, 9, rep as u64, &mut st, &mut NoObserver).net.kpis();
            for (a, b) in kpis.iter().zip(&alone) {
                assert!(a.to_bits() == b.to_bits(), "replication {rep}: {a} vs {b}");
            }
        }
    }
}
