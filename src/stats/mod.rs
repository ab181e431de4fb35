//! Summaries of a KPI across replications: mean, standard deviation, standard error, a 95 %
//! confidence interval of the mean (Student t), quantiles, extremes.

pub mod exact;
pub mod fixed;
pub mod sketch;
pub mod special;

use serde::Serialize;

use exact::{ExactSum, add_square, mean_var};
use sketch::Sketch;

/// Distribution of one KPI across replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Mean across replications.
    pub mean: f64,
    /// Sample standard deviation across replications (0 with one replication).
    pub sd: f64,
    /// Standard error of the mean, sd / √n.
    pub se: f64,
    /// 95 % confidence interval of the mean.
    pub ci95: [f64; 2],
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Number of replications in which the KPI was defined.
    pub n: usize,
}

impl Summary {
    /// Summarises `values` in the given order; NaN marks "undefined in this replication" and is
    /// skipped. Returns `None` when no value is defined.
    pub fn of(values: &[f64]) -> Option<Summary> {
        Self::of_with(values, &mut Vec::new())
    }

    /// [`Summary::of`] with a scratch buffer, for summarising many series without allocating.
    pub fn of_with(values: &[f64], buf: &mut Vec<u64>) -> Option<Summary> {
        // Order-preserving integer keys: selection on u64 is much cheaper than on f64 with a
        // total order, and a summary is computed for every KPI of every scope.
        buf.clear();
        buf.extend(values.iter().filter(|x| !x.is_nan()).map(|&x| key(x)));
        let v = buf;
        let n = v.len();
        if n == 0 {
            return None;
        }
        let mut moments = Moments::new();
        for &x in values {
            moments.add(x);
        }
        // Quantiles by selection (linear time) rather than a full sort: the median first, then
        // p5 among the values below it and p95 among those above it.
        let (p5, p50, p95) = quantiles3(v);
        Some(moments.summary([p5, p50, p95]))
    }
}

/// What a summary needs of a series besides its quantiles, kept exactly and mergeable in any
/// order: the count of defined values, their exact sum and sum of squares, the extremes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moments {
    /// Defined (non-NaN) values added.
    pub n: u64,
    sum: ExactSum,
    squares: ExactSum,
    /// Order-preserving keys of the smallest and largest values (see [`key`]).
    extremes: [u64; 2],
}

impl Default for Moments {
    fn default() -> Self {
        Moments { n: 0, sum: ExactSum::new(), squares: ExactSum::new(), extremes: [u64::MAX, 0] }
    }
}

impl Moments {
    /// No values yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value; NaN (undefined in this replication) is skipped.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        if x != 0.0 {
            self.sum.add(x);
            add_square(&mut self.squares, x);
        }
        let k = key(x);
        self.extremes = [self.extremes[0].min(k), self.extremes[1].max(k)];
    }

    /// Adds another series' moments.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.merge(&o.sum);
        self.squares.merge(&o.squares);
        self.extremes = [self.extremes[0].min(o.extremes[0]), self.extremes[1].max(o.extremes[1])];
    }

    /// Smallest and largest value (meaningless when `n` is 0).
    pub fn min_max(&self) -> (f64, f64) {
        (unkey(self.extremes[0]), unkey(self.extremes[1]))
    }

    /// The summary with the given p5, p50 and p95; `n` must be at least 1.
    pub fn summary(&self, [p5, p50, p95]: [f64; 3]) -> Summary {
        let n = self.n as usize;
        let (mean, var) = mean_var(&self.sum, &self.squares, self.n);
        let sd = var.sqrt();
        let se = sd / (n as f64).sqrt();
        let half = if n > 1 { special::t_quantile(0.975, (n - 1) as f64) * se } else { 0.0 };
        let (min, max) = self.min_max();
        Summary { mean, sd, se, ci95: [mean - half, mean + half], p5, p50, p95, min, max, n }
    }

    /// The state as words, for a results file.
    pub fn to_words(&self) -> Vec<u64> {
        let mut w = vec![self.n, self.extremes[0], self.extremes[1]];
        w.extend(self.sum.to_words());
        w.extend(self.squares.to_words());
        w
    }

    /// The inverse of [`to_words`](Self::to_words), reading from the front of `w`; returns the
    /// moments and the words used.
    pub fn from_words(w: &[u64]) -> Option<(Moments, usize)> {
        let [n, lo, hi] = *w.first_chunk::<3>()?;
        let (sum, a) = ExactSum::from_words(&w[3..])?;
        let (squares, b) = ExactSum::from_words(&w[3 + a..])?;
        Some((Moments { n, extremes: [lo, hi], sum, squares }, 3 + a + b))
    }
}

/// A series summarised as it streams by, in memory that does not grow with its length:
/// exact [`Moments`] and a quantile [`Sketch`] (p5, p50 and p95 within
/// [`sketch::RELATIVE_ERROR`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Streamed {
    /// Count, exact sums, extremes.
    pub moments: Moments,
    /// Counts by bucket for the quantiles (finite values only).
    pub sketch: Sketch,
}

impl Streamed {
    /// Adds a value; NaN is skipped.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.moments.add(x);
        if x.is_finite() {
            self.sketch.add(x);
        }
    }

    /// Adds another series' state.
    pub fn merge(&mut self, o: &Streamed) {
        self.moments.merge(&o.moments);
        self.sketch.merge(&o.sketch);
    }

    /// The summary, quantiles from the sketch; `None` when no value was defined.
    pub fn summary(&self) -> Option<Summary> {
        if self.moments.n == 0 {
            return None;
        }
        let (min, max) = self.moments.min_max();
        let q = |p| if self.sketch.count() == 0 { f64::NAN } else { self.sketch.quantile(p, min, max) };
        Some(self.moments.summary([q(0.05), q(0.5), q(0.95)]))
    }
}

/// Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value) of the
/// `n` values `vals` yields, summed in the order given.
pub fn mean_sd(vals: impl Iterator<Item = f64> + Clone, n: usize) -> (f64, f64) {
    let mean = vals.clone().sum::<f64>() / n as f64;
    let var = if n > 1 { vals.map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
    (mean, var.sqrt())
}

/// An order-preserving map from non-NaN f64 to u64.
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The inverse of [`key`].
fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Type-7 quantiles p5, p50 and p95 by nested selection over keys; reorders `v`.
fn quantiles3(v: &mut [u64]) -> (f64, f64, f64) {
    let n = v.len();
    let rank = |q: f64| {
        let h = (n - 1) as f64 * q;
        (h.floor() as usize, h - h.floor())
    };
    let ((k5, f5), (k50, f50), (k95, f95)) = (rank(0.05), rank(0.5), rank(0.95));
    if n < 4 || k5 + 1 >= k50 || k95 <= k50 + 1 || k95 + 1 >= n {
        return (quantile_select(v, 0.05), quantile_select(v, 0.5), quantile_select(v, 0.95));
    }
    let (below, &mut m, above) = v.select_nth_unstable(k50);
    // Each quantile interpolates between order statistics k and k + 1; for p5 the (k+1)-th is
    // the smallest value right of it inside `below` (k5 + 1 < k50), for p95 inside `above`.
    let after = |part: &[u64]| part.iter().copied().min().unwrap_or(m);
    let p50 = interpolate(m, if f50 > 0.0 { after(above) } else { m }, f50);
    let (_, &mut a5, right5) = below.select_nth_unstable(k5);
    let p5 = interpolate(a5, if f5 > 0.0 { after(right5) } else { a5 }, f5);
    let (_, &mut a95, right95) = above.select_nth_unstable(k95 - k50 - 1);
    let p95 = interpolate(a95, if f95 > 0.0 { after(right95) } else { a95 }, f95);
    (p5, p50, p95)
}

/// `a + f·(b − a)` on the values behind two keys.
fn interpolate(a: u64, b: u64, f: f64) -> f64 {
    let (a, b) = (unkey(a), unkey(b));
    if f == 0.0 { a } else { a + f * (b - a) }
}

/// Type-7 quantile by selection over keys; reorders `v`.
fn quantile_select(v: &mut [u64], q: f64) -> f64 {
    let n = v.len();
    if n == 1 {
        return unkey(v[0]);
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut a, right) = v.select_nth_unstable(lo);
    let a = unkey(a);
    if lo + 1 >= n {
        return a;
    }
    let b = unkey(right.iter().copied().min().unwrap_or(u64::MAX));
    a + (h - lo as f64) * (b - a)
}

/// Quantile of sorted values with linear interpolation between order statistics (Hyndman–Fan
/// type 7, the default of R and NumPy).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean and standard error of paired differences `a[i] − b[i]` (NaN pairs skipped), with the
/// share of pairs where `a > b`.
pub fn paired(a: &[f64], b: &[f64]) -> Option<(Summary, f64)> {
    let mut diffs = Vec::with_capacity(a.len());
    let mut greater = 0usize;
    for (x, y) in a.iter().zip(b) {
        if x.is_nan() || y.is_nan() {
            continue;
        }
        diffs.push(x - y);
        greater += usize::from(x > y);
    }
    let s = Summary::of(&diffs)?;
    let share = greater as f64 / s.n as f64;
    Some((s, share))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, f64::NAN, 5.0]).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-15);
        assert_eq!((s.min, s.p50, s.max), (1.0, 3.0, 5.0));
        assert!((s.p5 - 1.2).abs() < 1e-12);
        assert!((s.p95 - 4.8).abs() < 1e-12);
        let half = 2.776_445 * s.se;
        assert!((s.ci95[1] - s.mean - half).abs() < 1e-2);
        assert!(Summary::of(&[f64::NAN]).is_none());
    }

    #[test]
    fn selection_matches_sorting() {
        for n in [1usize, 2, 3, 4, 5, 10, 20, 21, 22, 41, 100, 301, 512] {
            let mut x: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 * 0.37 - 20.0).collect();
            let s = Summary::of(&x).unwrap();
            x.sort_by(f64::total_cmp);
            for (q, got) in [(0.05, s.p5), (0.5, s.p50), (0.95, s.p95)] {
                assert_eq!(got, quantile_sorted(&x, q), "n = {n}, q = {q}");
            }
            assert_eq!((s.min, s.max), (x[0], x[n - 1]));
        }
    }

    #[test]
    fn one_value_has_zero_spread() {
        let s = Summary::of(&[7.0]).unwrap();
        assert_eq!((s.sd, s.se, s.ci95), (0.0, 0.0, [7.0, 7.0]));
    }

    #[test]
    fn paired_differences() {
        let (s, share) = paired(&[2.0, 3.0, 5.0], &[1.0, 3.0, 4.0]).unwrap();
        assert!((s.mean - 2.0 / 3.0).abs() < 1e-15);
        assert!((share - 2.0 / 3.0).abs() < 1e-15);
    }
}
