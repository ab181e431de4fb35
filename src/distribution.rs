//! Probability distributions of demand and lead times: the validated specification ([`Dist`]) and
//! the sampler compiled from it once per scenario ([`Sampler`]).
//!
//! Discrete distributions (Poisson, negative binomial) are drawn from a precomputed inverse-CDF
//! table with a guide index: exact to 2^-64 and one 64-bit draw per sample. Every table is
//! bounded ([`MAX_TABLE_VALUES`]): one too wide is drawn without a table instead. Continuous ones use
//! `rand_distr`'s ziggurat normal and Marsaglia–Tsang gamma.

use rand::Rng;
use rand_distr::{Distribution, Gamma, Poisson, StandardNormal};

use crate::rng::{index, unit_f64};
use crate::stats::special::ln_gamma;

/// A validated distribution specification (parameters already checked).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Poisson with the given mean.
    Poisson {
        /// Mean (= variance).
        mean: f64,
    },
    /// Normal; negative draws count as zero.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Negative binomial given by its mean and standard deviation (needs sd² > mean).
    NegativeBinomial {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Gamma given by its mean and standard deviation.
    Gamma {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Continuous uniform on [min, max] (for lead times: whole days min..=max).
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Always the same value.
    Constant {
        /// The value.
        value: f64,
    },
    /// A deterministic cycle: day d uses `values[d % len]` (d counted from the first simulated day).
    Sequence {
        /// The cycle.
        values: Vec<f64>,
    },
    /// Resampled uniformly from the given observations.
    Empirical {
        /// The observations.
        values: Vec<f64>,
    },
    /// Whole weeks of a daily history (a bootstrap): `values` are weeks Monday..Sunday one after
    /// another (a multiple of 7), and each simulated week replays one of them drawn at random.
    Weeks {
        /// The daily history, whole weeks from a Monday.
        values: Vec<f64>,
    },
    /// Intermittent (Croston-style) demand: a day has demand with probability `probability`, and
    /// then a size of at least one unit (1 + negative binomial, or 1 + Poisson when the implied
    /// sizes are not over-dispersed; see [`intermittent_size`]).
    Intermittent {
        /// Mean daily demand (zero days included).
        mean: f64,
        /// Standard deviation of daily demand (zero days included).
        sd: f64,
        /// Share of days with demand > 0.
        probability: f64,
    },
}

impl Dist {
    /// The distribution's name as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Dist::Poisson { .. } => "poisson",
            Dist::Normal { .. } => "normal",
            Dist::NegativeBinomial { .. } => "negative_binomial",
            Dist::Gamma { .. } => "gamma",
            Dist::Uniform { .. } => "uniform",
            Dist::Constant { .. } => "constant",
            Dist::Sequence { .. } => "sequence",
            Dist::Empirical { .. } => "empirical",
            Dist::Intermittent { .. } => "intermittent",
            Dist::Weeks { .. } => "weeks",
        }
    }

    /// Expected value (for the normal: of the untruncated normal).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Poisson { mean }
            | Dist::Normal { mean, .. }
            | Dist::NegativeBinomial { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Intermittent { mean, .. } => *mean,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Constant { value } => *value,
            Dist::Sequence { values } | Dist::Empirical { values } | Dist::Weeks { values } => {
                values.iter().sum::<f64>() / values.len() as f64
            }
        }
    }

    /// Standard deviation of one draw (a sequence's values are treated as a sample).
    pub fn sd(&self) -> f64 {
        match self {
            Dist::Poisson { mean } => mean.sqrt(),
            Dist::Normal { sd, .. }
            | Dist::NegativeBinomial { sd, .. }
            | Dist::Gamma { sd, .. }
            | Dist::Intermittent { sd, .. } => *sd,
            Dist::Uniform { min, max } => (max - min) / 12f64.sqrt(),
            Dist::Constant { .. } => 0.0,
            Dist::Sequence { values } | Dist::Empirical { values } | Dist::Weeks { values } => {
                let m = self.mean();
                (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
            }
        }
    }

    /// Whether every draw is a whole number.
    pub fn is_integral(&self) -> bool {
        let whole = |v: &f64| v.fract() == 0.0;
        match self {
            Dist::Poisson { .. } | Dist::NegativeBinomial { .. } | Dist::Intermittent { .. } => true,
            Dist::Normal { .. } | Dist::Gamma { .. } | Dist::Uniform { .. } => false,
            Dist::Constant { value } => whole(value),
            Dist::Sequence { values } | Dist::Empirical { values } | Dist::Weeks { values } => values.iter().all(whole),
        }
    }

    /// A short human description, e.g. `normal(mean 50, sd 8)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Poisson { mean } => format!("poisson(mean {})", num(*mean)),
            Dist::Normal { mean, sd } => format!("normal(mean {}, sd {})", num(*mean), num(*sd)),
            Dist::NegativeBinomial { mean, sd } => {
                format!("negative_binomial(mean {}, sd {})", num(*mean), num(*sd))
            }
            Dist::Gamma { mean, sd } => format!("gamma(mean {}, sd {})", num(*mean), num(*sd)),
            Dist::Uniform { min, max } => format!("uniform({}..{})", num(*min), num(*max)),
            Dist::Constant { value } => format!("constant({})", num(*value)),
            Dist::Sequence { values } => format!("sequence of {} values (mean {})", values.len(), num(self.mean())),
            Dist::Empirical { values } => {
                format!("empirical, {} values (mean {})", values.len(), num(self.mean()))
            }
            Dist::Intermittent { mean, sd, probability } => {
                format!("intermittent(mean {}, sd {}, probability {})", num(*mean), num(*sd), num(*probability))
            }
            Dist::Weeks { values } => {
                format!("weeks of history, {} weeks (mean {})", values.len() / 7, num(self.mean()))
            }
        }
    }
}

/// Formats a number compactly for people (kept here for the scenario code that calls it).
pub use crate::report::format::fmt_compact as num;

/// An inverse-CDF table over consecutive integers `lo, lo+1, ...` with a guide index.
///
/// `thr[k]` is the largest 64-bit `u` that maps to `lo + k`, so a draw is the first `k` with
/// `u <= thr[k]`; the last threshold is `u64::MAX`, so the scan always ends inside the table.
#[derive(Clone, Debug)]
pub struct IntTable {
    lo: u32,
    thr: Box<[u64]>,
    guide: Box<[u32]>,
    shift: u32,
}

impl IntTable {
    /// Builds the table from probabilities of `lo, lo+1, ...` (normalised here).
    pub fn from_pmf(lo: u32, pmf: &[f64]) -> Self {
        assert!(!pmf.is_empty(), "a table needs at least one value");
        let total: f64 = pmf.iter().sum();
        let mut thr = Vec::with_capacity(pmf.len());
        let mut cdf = 0.0;
        for &p in pmf {
            cdf += p / total;
            let t = cdf * 18_446_744_073_709_551_616.0;
            thr.push(if t >= 18_446_744_073_709_551_615.0 { u64::MAX } else { (t as u64).saturating_sub(1) });
        }
        // Values past the first threshold that reaches the top can never be drawn: drop them.
        if let Some(top) = thr.iter().position(|&t| t == u64::MAX) {
            thr.truncate(top + 1);
        }
        *thr.last_mut().expect("non-empty") = u64::MAX;
        // About one guide bucket per value: the scan after the guide is short and the whole
        // table stays small enough for a thousand of them to share the cache.
        let bits = (usize::BITS - thr.len().leading_zeros() + 1).clamp(4, 16);
        let shift = 64 - bits;
        let mut guide = Vec::with_capacity(1 << bits);
        let mut k = 0usize;
        for b in 0..(1u64 << bits) {
            let start = b << shift;
            while start > thr[k] {
                k += 1;
            }
            guide.push(k as u32);
        }
        IntTable { lo, thr: thr.into_boxed_slice(), guide: guide.into_boxed_slice(), shift }
    }

    /// Maps one uniform 64-bit word to a value.
    #[inline(always)]
    pub fn lookup(&self, u: u64) -> u32 {
        self.lo + scan(&self.thr, &self.guide, self.shift, u) as u32
    }

    /// Draws one value.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        self.lookup(rng.next_u64())
    }

    /// Largest value the table can return.
    pub fn max_value(&self) -> u32 {
        self.lo + self.thr.len() as u32 - 1
    }

    /// Probabilities of `lo, lo+1, ...` as tabulated: `(lowest value, pmf)`.
    pub fn pmf(&self) -> (u32, Vec<f64>) {
        let mut prev = 0.0;
        let p = self
            .thr
            .iter()
            .map(|&t| {
                let c = if t == u64::MAX { 1.0 } else { (t as f64 + 1.0) / 18_446_744_073_709_551_616.0 };
                let x = c - prev;
                prev = c;
                x
            })
            .collect();
        (self.lo, p)
    }

    /// Exact mean of the tabulated distribution.
    pub fn mean(&self) -> f64 {
        let mut prev = 0.0;
        let mut m = 0.0;
        for (k, &t) in self.thr.iter().enumerate() {
            let c = if t == u64::MAX { 1.0 } else { (t as f64 + 1.0) / 18_446_744_073_709_551_616.0 };
            m += (c - prev) * f64::from(self.lo + k as u32);
            prev = c;
        }
        m
    }
}

/// Index of the first threshold ≥ `u`, starting from the guide's bucket.
#[inline(always)]
fn scan(thr: &[u64], guide: &[u32], shift: u32, u: u64) -> usize {
    let mut k = guide[(u >> shift) as usize] as usize;
    while u > thr[k] {
        k += 1;
    }
    k
}

/// Many alias tables (Walker 1977, built with Vose's method) stored back to back, for demand
/// streams drawn one after another every day.
///
/// A draw takes one 64-bit word: its high 32 bits pick a cell (multiply-shift), its low 32 bits
/// decide between the cell's own value and its alias. That is one memory access per draw — with
/// a thousand tables the lookup is bound by cache misses, and one miss beats the two dependent
/// ones of an inverse-CDF table with a guide. Probabilities are represented to 2^-32 per cell.
#[derive(Clone, Debug, Default)]
pub struct TableArena {
    /// Per cell: acceptance threshold (low 32 bits) and alias index (high 32 bits).
    cells: Vec<u64>,
}

/// Where one table lives in a [`TableArena`].
#[derive(Clone, Copy, Debug)]
pub struct TableRef {
    lo: u32,
    n: u32,
    off: u32,
}

impl TableArena {
    /// Adds the alias table of a discrete distribution given as probabilities of
    /// `lo, lo+1, ...` (normalised here).
    pub fn push(&mut self, lo: u32, pmf: &[f64]) -> TableRef {
        let n = pmf.len();
        let total: f64 = pmf.iter().sum();
        // Vose: scaled probabilities n·p; pair each small cell with a large one.
        let mut scaled: Vec<f64> = pmf.iter().map(|p| p / total * n as f64).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left is full up to rounding: it keeps its own value.
        for i in small.into_iter().chain(large) {
            scaled[i] = 1.0;
            alias[i] = i as u32;
        }
        let off = self.cells.len() as u32;
        for i in 0..n {
            let thr = if alias[i] == i as u32 {
                u32::MAX
            } else {
                (scaled[i] * 4_294_967_296.0).round().min(4_294_967_295.0) as u32
            };
            self.cells.push(u64::from(thr) | (u64::from(alias[i]) << 32));
        }
        TableRef { lo, n: n as u32, off }
    }

    /// Moves the cells to 2 MB pages when they are many (see [`crate::pages`]): the day's draws
    /// read one scattered cell per stream.
    pub fn settle(&mut self) {
        self.cells = crate::pages::copied(&self.cells);
    }

    /// Bytes the arena's cells take.
    pub fn bytes(&self) -> usize {
        self.cells.len() * std::mem::size_of::<u64>()
    }

    /// Asks the processor to fetch the cell the next draw of `rng` from table `r` will read,
    /// without drawing (`rng` is not advanced). A large network's tables do not fit the cache:
    /// asked a few streams ahead, the fetch overlaps the draws in between instead of stalling
    /// the one that needs it.
    #[inline(always)]
    pub fn prefetch(&self, r: TableRef, rng: &crate::rng::SimRng) {
        if let Some(cell) = self.cells.get(r.off as usize + Self::column(r, rng.clone().next_u64())) {
            crate::rng::prefetch(cell);
        }
    }

    /// The column of table `r` a draw of `u` reads (its high 32 bits scaled to the width).
    #[inline(always)]
    fn column(r: TableRef, u: u64) -> usize {
        (((u >> 32) * u64::from(r.n)) >> 32) as usize
    }

    /// Draws one value from a table of the arena.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, r: TableRef, rng: &mut R) -> u32 {
        let u = rng.next_u64();
        let i = Self::column(r, u);
        let cell = self.cells[r.off as usize + i];
        let k = if (u as u32) < cell as u32 { i as u32 } else { (cell >> 32) as u32 };
        r.lo + k
    }

    /// Exact probabilities of a table, as drawn: `(lowest value, pmf)`.
    pub fn pmf(&self, r: TableRef) -> (u32, Vec<f64>) {
        let n = r.n as usize;
        let mut p = vec![0.0; n];
        for i in 0..n {
            let cell = self.cells[r.off as usize + i];
            let (thr, alias) = (cell as u32, (cell >> 32) as usize);
            let own = if alias == i { 1.0 } else { f64::from(thr) / 4_294_967_296.0 };
            p[i] += own / n as f64;
            p[alias] += (1.0 - own) / n as f64;
        }
        (r.lo, p)
    }
}

/// Most values a precomputed sampler table may hold (512 KB of thresholds): a distribution that
/// would need more is drawn by a sampler without a table. A Poisson table reaches about 57 600
/// values at the largest mean a scenario accepts (1e7, ±9.1 sd); a negative binomial's table
/// grows with its sd and is bounded here.
pub const MAX_TABLE_VALUES: usize = 1 << 16;

/// Largest Poisson mean drawn from a table (scenario validation accepts no larger mean; a larger
/// one is drawn without a table).
const MAX_TABLE_POISSON_MEAN: f64 = 1e7;

/// Probabilities of a discrete distribution around its mode, cut where they fall below 1e-18 of
/// the mode's. Returns `(lowest value, pmf)`, or `None` when more than `max_len` values (or
/// values beyond `u32`) would be needed: the walk stops there, so a wide distribution costs no
/// time or memory.
fn pmf_around_mode(mode: u64, ln_p: impl Fn(u64) -> f64, max_len: usize) -> Option<(u32, Vec<f64>)> {
    let lp_mode = ln_p(mode);
    let cut = lp_mode - 41.4; // e^-41.4 ≈ 1e-18
    let too_wide = |lo: u64, hi: u64| hi - lo >= max_len as u64 || hi > u64::from(u32::MAX);
    let mut lo = mode;
    while lo > 0 && ln_p(lo - 1) > cut {
        lo -= 1;
        if too_wide(lo, mode) {
            return None;
        }
    }
    let mut hi = mode;
    while ln_p(hi + 1) > cut {
        hi += 1;
        if too_wide(lo, hi) {
            return None;
        }
    }
    if too_wide(lo, hi) {
        return None;
    }
    let pmf = (lo..=hi).map(|k| (ln_p(k) - lp_mode).exp()).collect();
    Some((lo as u32, pmf))
}

/// Probabilities of a Poisson(mean) distribution (mean > 0) as `(lowest value, pmf)`, covering all
/// but a negligible tail. The mean must be at most 1e7 (as validation ensures for demand; lead
/// times are bounded far below).
pub fn poisson_pmf(mean: f64) -> (u32, Vec<f64>) {
    assert!(mean <= MAX_TABLE_POISSON_MEAN, "Poisson mean {mean} is too large for a table");
    let ln_p = |k: u64| k as f64 * mean.ln() - mean - ln_gamma(k as f64 + 1.0);
    pmf_around_mode(mean.floor() as u64, ln_p, MAX_TABLE_VALUES).expect("a Poisson of mean ≤ 1e7 fits a table")
}

/// Inverse-CDF table of a Poisson(mean) distribution (mean ≤ 1e7).
pub fn poisson_table(mean: f64) -> IntTable {
    if mean <= 0.0 {
        return IntTable::from_pmf(0, &[1.0]);
    }
    let (lo, pmf) = poisson_pmf(mean);
    IntTable::from_pmf(lo, &pmf)
}

/// Negative-binomial parameters `(r, p)` from mean and sd (sd² > mean): P(k) = C(k+r-1,k) p^r (1-p)^k.
pub fn negbin_params(mean: f64, sd: f64) -> (f64, f64) {
    let var = sd * sd;
    (mean * mean / (var - mean), mean / var)
}

/// Inverse-CDF table of a negative binomial with the given mean and sd, or `None` when it would
/// need more than [`MAX_TABLE_VALUES`] values (draw it as a gamma–Poisson mixture then).
pub fn negbin_table(mean: f64, sd: f64) -> Option<IntTable> {
    if mean <= 0.0 {
        return Some(IntTable::from_pmf(0, &[1.0]));
    }
    let (lo, pmf) = negbin_pmf(mean, sd)?;
    Some(IntTable::from_pmf(lo, &pmf))
}

/// Probabilities of a negative binomial (mean > 0, sd² > mean) as `(lowest value, pmf)`, or
/// `None` when more than [`MAX_TABLE_VALUES`] values would be needed.
fn negbin_pmf(mean: f64, sd: f64) -> Option<(u32, Vec<f64>)> {
    let (r, p) = negbin_params(mean, sd);
    let ln_p = |k: u64| {
        let k = k as f64;
        ln_gamma(k + r) - ln_gamma(r) - ln_gamma(k + 1.0) + r * p.ln() + k * (1.0 - p).ln()
    };
    let mode = if r > 1.0 { ((r - 1.0) * (1.0 - p) / p).floor() as u64 } else { 0 };
    pmf_around_mode(mode, ln_p, MAX_TABLE_VALUES)
}

/// The size of an intermittent demand day, less its first unit: mean `a` ≥ 0 and, when the
/// sizes are over-dispersed (variance > a), the gamma of a negative binomial's gamma–Poisson
/// mixture as `(shape, scale)`; otherwise the size is 1 + Poisson(a) (whose variance a is then
/// a little more than the daily sd asks for).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntermittentSize {
    /// Mean of size − 1.
    pub extra_mean: f64,
    /// Standard deviation of size − 1 as implied (a Poisson size has √extra_mean instead when
    /// this is smaller).
    pub extra_sd: f64,
    /// Gamma (shape, scale) of a negative-binomial size − 1, or `None` for Poisson.
    pub gamma: Option<(f64, f64)>,
}

/// The size distribution implied by an intermittent demand's daily mean, sd and probability:
/// E[size] = mean / p, E[size²] = (sd² + mean²) / p.
pub fn intermittent_size(mean: f64, sd: f64, probability: f64) -> IntermittentSize {
    let m1 = mean / probability;
    let m2 = (sd * sd + mean * mean) / probability;
    let var = (m2 - m1 * m1).max(0.0);
    let a = (m1 - 1.0).max(0.0);
    let gamma = (a > 0.0 && var > a * (1.0 + 1e-9)).then(|| {
        let (r, p) = negbin_params(a, var.sqrt());
        (r, (1.0 - p) / p)
    });
    IntermittentSize { extra_mean: a, extra_sd: var.sqrt(), gamma }
}

/// Probabilities of an intermittent demand over 0, 1, 2, ... (zero with 1 − p, else 1 + size),
/// or `None` when the sizes need more than [`MAX_TABLE_VALUES`] values.
fn intermittent_pmf(mean: f64, sd: f64, probability: f64) -> Option<Vec<f64>> {
    let size = intermittent_size(mean, sd, probability);
    let (lo, pmf) = match size.gamma {
        _ if size.extra_mean <= 0.0 => (0, vec![1.0]),
        None if size.extra_mean > MAX_TABLE_POISSON_MEAN => return None,
        None => poisson_pmf(size.extra_mean),
        Some(_) => negbin_pmf(size.extra_mean, size.extra_sd)?,
    };
    let len = 1 + lo as usize + pmf.len();
    if len > MAX_TABLE_VALUES {
        return None;
    }
    let total: f64 = pmf.iter().sum();
    let mut out = vec![0.0; len];
    out[0] = 1.0 - probability;
    for (k, p) in pmf.iter().enumerate() {
        out[1 + lo as usize + k] = probability * p / total;
    }
    Some(out)
}

/// One draw of an intermittent demand whose mean is scaled by `m` (1 = as specified). Seasonality
/// moves the occurrence first (probability p·m, sizes kept, as Croston's model separates the
/// two); once p·m would pass 1 every day has demand and the sizes grow instead (the negative
/// binomial keeping its dispersion), so the mean is exactly m times the base either way.
pub fn sample_intermittent<R: Rng + ?Sized>(rng: &mut R, mean: f64, sd: f64, probability: f64, m: f64) -> f64 {
    sample_intermittent_sized(rng, &intermittent_size(mean, sd, probability), mean, probability, m)
}

/// [`sample_intermittent`] with the sizes' distribution computed already.
#[inline]
fn sample_intermittent_sized<R: Rng + ?Sized>(
    rng: &mut R,
    size: &IntermittentSize,
    mean: f64,
    probability: f64,
    m: f64,
) -> f64 {
    let q = probability * m;
    let grow = if q <= 1.0 {
        if unit_f64(rng) >= q {
            return 0.0;
        }
        1.0
    } else if size.extra_mean > 0.0 {
        // Every day: size − 1 must carry m·mean − 1.
        (m * mean - 1.0) / size.extra_mean
    } else {
        return 1.0 + sample_poisson(rng, m * mean - 1.0);
    };
    let lambda = match size.gamma {
        Some((shape, scale)) => match Gamma::new(shape * grow, scale) {
            Ok(g) => g.sample(rng),
            Err(_) => size.extra_mean * grow,
        },
        None => size.extra_mean * grow,
    };
    1.0 + sample_poisson(rng, lambda)
}

/// The gamma of a negative binomial's gamma–Poisson mixture as (shape r, scale (1 − p)/p).
fn negbin_gamma(mean: f64, sd: f64) -> (f64, f64) {
    let (r, p) = negbin_params(mean, sd);
    (r, (1.0 - p) / p)
}

/// A sampler compiled from a [`Dist`], built once per scenario and shared by all replications.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Discrete table (Poisson, negative binomial).
    Table(IntTable),
    /// A Poisson too wide for a table (drawn directly).
    Poisson(f64),
    /// A negative binomial too wide for a table: a Poisson draw around a gamma-distributed mean.
    GammaPoisson(Gamma<f64>),
    /// Normal, negative draws count as zero.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Gamma.
    Gamma(Gamma<f64>),
    /// Continuous uniform.
    Uniform {
        /// Lower bound.
        min: f64,
        /// max − min.
        width: f64,
    },
    /// A constant.
    Constant(f64),
    /// A deterministic cycle indexed by simulated day.
    Sequence(Box<[f64]>),
    /// Uniform resampling of observations.
    Empirical(Box<[f64]>),
    /// An intermittent demand too wide for a table: mean, sd and probability (drawn directly).
    Intermittent(f64, f64, f64),
    /// Whole weeks of history.
    Weeks(WeekTable),
}

/// The weeks of a [`Dist::Weeks`] and the weekday of simulated day 0 (set when demand is
/// compiled, from the start date and the warm-up).
#[derive(Clone, Debug)]
pub struct WeekTable {
    values: Box<[f64]>,
    /// Weekday (0 = Monday) of simulated day 0.
    pub first_weekday: u32,
}

impl WeekTable {
    /// Number of weeks.
    pub fn weeks(&self) -> usize {
        self.values.len() / 7
    }

    /// Demand of simulated day `day`: the day of `week` (the week being replayed, `u32::MAX`
    /// before the first) with the same weekday; a new week is drawn on each Monday and on the
    /// first day. `week` is the stream's state, kept by the caller between days.
    #[inline(always)]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, day: usize, week: &mut u32) -> f64 {
        let wd = (self.first_weekday as usize + day) % 7;
        if wd == 0 || *week == u32::MAX {
            *week = index(rng, self.weeks()) as u32;
        }
        self.values[7 * *week as usize + wd]
    }

    /// Without a stream's state: the same weekday of a week drawn for this day alone.
    fn draw_day<R: Rng + ?Sized>(&self, rng: &mut R, day: usize) -> f64 {
        let wd = (self.first_weekday as usize + day) % 7;
        self.values[7 * index(rng, self.weeks()) + wd]
    }
}

impl Sampler {
    /// Compiles a validated distribution.
    pub fn new(dist: &Dist) -> Self {
        match dist {
            Dist::Poisson { mean } if *mean > MAX_TABLE_POISSON_MEAN => Sampler::Poisson(*mean),
            Dist::Poisson { mean } => Sampler::Table(poisson_table(*mean)),
            Dist::NegativeBinomial { mean, sd } => match negbin_table(*mean, *sd) {
                Some(t) => Sampler::Table(t),
                None => {
                    let (shape, scale) = negbin_gamma(*mean, *sd);
                    Sampler::GammaPoisson(Gamma::new(shape, scale).expect("validated negative binomial"))
                }
            },
            Dist::Normal { mean, sd } => Sampler::Normal { mean: *mean, sd: *sd },
            Dist::Gamma { mean, sd } => gamma_sampler(*mean, *sd),
            Dist::Uniform { min, max } => Sampler::Uniform { min: *min, width: max - min },
            Dist::Constant { value } => Sampler::Constant(*value),
            Dist::Sequence { values } => Sampler::Sequence(values.clone().into_boxed_slice()),
            Dist::Empirical { values } => Sampler::Empirical(values.clone().into_boxed_slice()),
            Dist::Intermittent { mean, sd, probability } => match intermittent_pmf(*mean, *sd, *probability) {
                Some(pmf) => Sampler::Table(IntTable::from_pmf(0, &pmf)),
                None => Sampler::Intermittent(*mean, *sd, *probability),
            },
            Dist::Weeks { values } => {
                Sampler::Weeks(WeekTable { values: values.clone().into_boxed_slice(), first_weekday: 0 })
            }
        }
    }

    /// Draws one value for simulated day `day`.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, day: usize) -> f64 {
        match self {
            Sampler::Table(t) => f64::from(t.sample(rng)),
            Sampler::Poisson(mean) => sample_poisson(rng, *mean),
            Sampler::GammaPoisson(g) => {
                let lambda = g.sample(rng);
                sample_poisson(rng, lambda)
            }
            Sampler::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                (mean + sd * z).max(0.0)
            }
            Sampler::Gamma(g) => g.sample(rng),
            Sampler::Uniform { min, width } => min + width * unit_f64(rng),
            Sampler::Constant(v) => *v,
            Sampler::Sequence(v) => v[day % v.len()],
            Sampler::Empirical(v) => v[index(rng, v.len())],
            Sampler::Intermittent(mean, sd, p) => sample_intermittent(rng, *mean, *sd, *p, 1.0),
            Sampler::Weeks(w) => w.draw_day(rng, day),
        }
    }
}

fn gamma_sampler(mean: f64, sd: f64) -> Sampler {
    if sd <= 0.0 || mean <= 0.0 {
        return Sampler::Constant(mean.max(0.0));
    }
    let shape = (mean / sd).powi(2);
    let scale = sd * sd / mean;
    Sampler::Gamma(Gamma::new(shape, scale).expect("validated gamma parameters"))
}

/// What scaled draws of a distribution would otherwise compute on every draw (divisions, a
/// square root), computed once per stream: a seasonal chain draws a million of them a day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaling {
    /// Nothing kept: computed on each draw.
    Plain,
    /// A negative binomial's gamma: shape r at m = 1, and scale (1 − p)/p.
    NegBin {
        /// Shape r.
        shape: f64,
        /// Scale (1 − p)/p.
        scale: f64,
    },
    /// An intermittent demand: its sizes, daily mean and probability of a day with demand.
    Intermittent {
        /// The sizes' distribution.
        size: IntermittentSize,
        /// Daily mean.
        mean: f64,
        /// Probability of a day with demand.
        probability: f64,
    },
}

impl Scaling {
    /// What scaled draws of `dist` keep.
    pub fn new(dist: &Dist) -> Scaling {
        match *dist {
            Dist::NegativeBinomial { mean, sd } => {
                let (shape, scale) = negbin_gamma(mean, sd);
                Scaling::NegBin { shape, scale }
            }
            Dist::Intermittent { mean, sd, probability } => {
                Scaling::Intermittent { size: intermittent_size(mean, sd, probability), mean, probability }
            }
            _ => Scaling::Plain,
        }
    }
}

/// Draws from `dist` with its mean scaled by `m` (seasonality, promotions, shocks): a Poisson
/// keeps being Poisson with mean·m, a negative binomial keeps its dispersion p (r·m), continuous
/// draws are scaled, an intermittent demand scales its occurrence first (see
/// [`sample_intermittent`]), and deterministic values are scaled and — for whole-unit SKUs — rounded
/// stochastically so that the expected value is exactly m times the base.
pub fn sample_scaled<R: Rng + ?Sized>(
    dist: &Dist,
    base: &Sampler,
    rng: &mut R,
    day: usize,
    m: f64,
    whole_units: bool,
) -> f64 {
    sample_scaled_with(dist, &Scaling::new(dist), base, rng, day, m, whole_units)
}

/// [`sample_scaled`] with what `Scaling::new(dist)` keeps (the same draws, bit for bit; given
/// [`Scaling::Plain`], a distribution that keeps something computes it on the draw).
#[inline]
pub fn sample_scaled_with<R: Rng + ?Sized>(
    dist: &Dist,
    scaling: &Scaling,
    base: &Sampler,
    rng: &mut R,
    day: usize,
    m: f64,
    whole_units: bool,
) -> f64 {
    if m <= 0.0 {
        return 0.0;
    }
    match (scaling, dist) {
        (&Scaling::NegBin { shape, scale }, _) => {
            let lambda = Gamma::new(shape * m, scale).expect("validated negative binomial").sample(rng);
            sample_poisson(rng, lambda)
        }
        (Scaling::Intermittent { size, mean, probability }, _) => {
            sample_intermittent_sized(rng, size, *mean, *probability, m)
        }
        // Not computed ahead: now.
        (Scaling::Plain, Dist::NegativeBinomial { .. } | Dist::Intermittent { .. }) => {
            sample_scaled_with(dist, &Scaling::new(dist), base, rng, day, m, whole_units)
        }
        (Scaling::Plain, Dist::Poisson { mean }) => sample_poisson(rng, mean * m),
        (Scaling::Plain, Dist::Normal { .. } | Dist::Gamma { .. } | Dist::Uniform { .. }) => base.sample(rng, day) * m,
        (
            Scaling::Plain,
            Dist::Constant { .. } | Dist::Sequence { .. } | Dist::Empirical { .. } | Dist::Weeks { .. },
        ) => {
            let x = base.sample(rng, day) * m;
            if whole_units { stochastic_round(rng, x) } else { x }
        }
    }
}

/// A Poisson draw with an arbitrary mean (general sampler; the tables cover the stationary case).
#[inline]
pub fn sample_poisson<R: Rng + ?Sized>(rng: &mut R, mean: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    Poisson::new(mean).map(|p| p.sample(rng)).unwrap_or(0.0)
}

/// `x.round()` (half away from zero) in a few instructions: without SSE4.1, which the x86-64
/// baseline lacks, `f64::round` is a library call, and the optimiser makes it even where its
/// result is not used (a seasonal draw's `round` flag picks it or the draw: 3 % of a seasonal
/// chain's time). Exact: below 2^52 the fraction `x − trunc(x)` is computed without error.
#[inline(always)]
pub fn round_half_away(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x; // ≥ 2^52 (every such value is whole), infinite or NaN
    }
    let t = x as i64 as f64;
    let f = x - t;
    if f >= 0.5 {
        t + 1.0
    } else if f <= -0.5 {
        t - 1.0
    } else {
        t.copysign(x)
    }
}

/// Rounds `x` down or up at random so that the expected result is `x`.
#[inline]
pub fn stochastic_round<R: Rng + ?Sized>(rng: &mut R, x: f64) -> f64 {
    let f = x.floor();
    if x == f { f } else { f + f64::from(u8::from(unit_f64(rng) < x - f)) }
}

#[cfg(test)]
mod tests;
