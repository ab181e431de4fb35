//! A quantile sketch for KPIs whose replications are not kept: counts per bucket of relative
//! width at most 2⁻⁹, so any quantile it reports lies within [`RELATIVE_ERROR`] (2⁻¹⁰ ≈ 0.1 %)
//! of the exact one, in memory that grows with the number of buckets the values fall in (a few
//! hundred for a KPI spread over a factor of two), not with the number of replications.
//!
//! A bucket is the set of doubles that share their sign, exponent and top 9 mantissa bits: its
//! index is read off the bits, never computed with a logarithm, so every machine buckets a value
//! the same way. Counts are integers, so two sketches merge exactly and in any order to the
//! sketch of all the values (as DDSketch's do; Masson, Rim & Lee 2019, without their collapsing:
//! the buckets in use are stored sparsely). Zeros are counted exactly.

/// The bound on the relative error of a reported quantile.
pub const RELATIVE_ERROR: f64 = 1.0 / 1024.0;

/// Bits of an order-preserving key below the bucket index.
const SHIFT: u32 = 43;

/// Counts of values by bucket: see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Sketch {
    zeros: u64,
    /// (bucket, count) of the non-zero finite values, by bucket: buckets are ordered as their
    /// values are (negative ones first).
    buckets: Vec<(u32, u32)>,
    /// Index of the bucket counted last (a hint, not part of the counts).
    last: u32,
}

/// Equal counts are equal sketches, whichever bucket was counted last.
impl PartialEq for Sketch {
    fn eq(&self, o: &Self) -> bool {
        self.zeros == o.zeros && self.buckets == o.buckets
    }
}

impl Eq for Sketch {}

/// The bucket of a non-zero finite value: the top bits of its order-preserving key.
fn bucket(x: f64) -> u32 {
    let b = x.to_bits();
    let key = if b >> 63 == 1 { !b } else { b | (1 << 63) };
    (key >> SHIFT) as u32
}

/// The smallest and largest value of a bucket.
fn bounds(index: u32) -> (f64, f64) {
    let unkey = |k: u64| f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k });
    let lo = u64::from(index) << SHIFT;
    (unkey(lo), unkey(lo | ((1 << SHIFT) - 1)))
}

/// The first bucket of positive values (zero's key is 2⁶³).
const POSITIVE: u32 = 1 << (63 - SHIFT);

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a finite value (NaN and infinities are the caller's business).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x == 0.0 {
            self.zeros += 1;
        } else {
            self.add_count(bucket(x), 1);
        }
    }

    #[inline]
    fn add_count(&mut self, b: u32, count: u32) {
        // Consecutive replications mostly land in a bucket seen before, often the last one.
        if let Some(e) = self.buckets.get_mut(self.last as usize)
            && e.0 == b
        {
            e.1 += count;
            return;
        }
        match self.buckets.binary_search_by_key(&b, |&(i, _)| i) {
            Ok(i) => {
                self.buckets[i].1 += count;
                self.last = i as u32;
            }
            Err(i) => {
                self.buckets.insert(i, (b, count));
                self.last = i as u32;
            }
        }
    }

    /// Adds another sketch's counts.
    pub fn merge(&mut self, other: &Sketch) {
        self.zeros += other.zeros;
        for &(b, c) in &other.buckets {
            self.add_count(b, c);
        }
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.zeros + self.buckets.iter().map(|&(_, c)| u64::from(c)).sum::<u64>()
    }

    /// The `k`-th smallest value (0-based) as its bucket's middle, clamped to `[min, max]`.
    pub fn order_statistic(&self, k: u64, min: f64, max: f64) -> f64 {
        let mut left = k;
        let mut zeros_done = false;
        for &(b, c) in &self.buckets {
            if !zeros_done && b >= POSITIVE {
                zeros_done = true;
                if left < self.zeros {
                    return 0.0f64.clamp(min, max);
                }
                left -= self.zeros;
            }
            if left < u64::from(c) {
                let (lo, hi) = bounds(b);
                return (lo + (hi - lo) / 2.0).clamp(min, max);
            }
            left -= u64::from(c);
        }
        if zeros_done { max } else { 0.0f64.clamp(min, max) }
    }

    /// The type-7 quantile `q` (as R's and NumPy's default) of the counted values.
    pub fn quantile(&self, q: f64, min: f64, max: f64) -> f64 {
        let n = self.count();
        if n <= 1 {
            return min;
        }
        let h = (n - 1) as f64 * q;
        let lo = h.floor() as u64;
        let a = self.order_statistic(lo, min, max);
        let f = h - lo as f64;
        if f == 0.0 || lo + 1 >= n {
            return a;
        }
        let b = self.order_statistic(lo + 1, min, max);
        a + f * (b - a)
    }

    /// The counts as words, for a results file.
    pub fn to_words(&self) -> Vec<u64> {
        let mut w = vec![self.zeros, self.buckets.len() as u64];
        w.extend(self.buckets.iter().map(|&(b, c)| (u64::from(b) << 32) | u64::from(c)));
        w
    }

    /// The inverse of [`to_words`](Self::to_words), reading from the front of `w` and
    /// returning the words used; `None` if they do not form a sketch.
    pub fn from_words(w: &[u64]) -> Option<(Sketch, usize)> {
        let [zeros, len] = *w.first_chunk::<2>()?;
        let len = usize::try_from(len).ok()?;
        let buckets: Vec<(u32, u32)> = w.get(2..2 + len)?.iter().map(|&x| ((x >> 32) as u32, x as u32)).collect();
        let ordered = buckets.windows(2).all(|p| p[0].0 < p[1].0) && buckets.iter().all(|&(_, c)| c > 0);
        ordered.then_some((Sketch { zeros, buckets, last: 0 }, 2 + len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    fn sketch(xs: &[f64]) -> Sketch {
        let mut s = Sketch::new();
        for &x in xs {
            s.add(x);
        }
        s
    }

    fn extremes(xs: &[f64]) -> (f64, f64) {
        xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)))
    }

    /// Quantiles within the documented relative error of the exact ones, on mixed signs, zeros
    /// and a long tail.
    #[test]
    fn quantiles_within_the_bound() {
        let mut xs: Vec<f64> = (0..20_000u64)
            .map(|i| {
                let u = ((i.wrapping_mul(2_654_435_761) % 1_000_003) as f64 + 0.5) / 1_000_003.0;
                if i % 17 == 0 { 0.0 } else { (u * 6.0 - 1.0).exp() - 1.0 }
            })
            .collect();
        let s = sketch(&xs);
        let (min, max) = extremes(&xs);
        xs.sort_by(f64::total_cmp);
        for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            let exact = quantile_sorted(&xs, q);
            let got = s.quantile(q, min, max);
            // The bound is relative to the neighbouring order statistics' magnitude.
            let h = (xs.len() - 1) as f64 * q;
            let scale = xs[h.floor() as usize].abs().max(xs[(h.ceil() as usize).min(xs.len() - 1)].abs());
            assert!((got - exact).abs() <= RELATIVE_ERROR * scale + 1e-300, "q {q}: {got} vs {exact}");
        }
    }

    #[test]
    fn merging_in_any_order_gives_the_same_counts() {
        let xs: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 4999) as f64 * 0.37 - 200.0).collect();
        let whole = sketch(&xs);
        let mut parts = sketch(&xs[3000..]);
        parts.merge(&sketch(&xs[..1000]));
        parts.merge(&sketch(&xs[1000..3000]));
        assert_eq!(whole, parts);
        assert_eq!(whole.count(), 5000);
    }

    /// Values over many orders of magnitude keep their relative accuracy everywhere.
    #[test]
    fn wide_ranges_keep_their_accuracy() {
        let xs: Vec<f64> = (0..3000).map(|i| 1e-9 * 1.02f64.powi(i % 1500)).collect();
        let a = sketch(&xs);
        let (min, max) = extremes(&xs);
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.5, 0.95] {
            let exact = quantile_sorted(&sorted, q);
            assert!((a.quantile(q, min, max) - exact).abs() <= RELATIVE_ERROR * exact, "q {q}");
        }
    }

    #[test]
    fn exact_values_come_back() {
        let s = sketch(&[1.0; 10]);
        assert_eq!(s.quantile(0.5, 1.0, 1.0), 1.0);
        let s = sketch(&[0.0, 0.0, 0.0, 5.0]);
        assert_eq!(s.quantile(0.5, 0.0, 5.0), 0.0);
    }

    #[test]
    fn words_round_trip() {
        let s = sketch(&[1.0, -3.0, 0.0, 7.5, 7.6, -1e-3]);
        let w = s.to_words();
        let (back, used) = Sketch::from_words(&w).unwrap();
        assert_eq!((back, used), (s, w.len()));
        assert!(Sketch::from_words(&w[..3]).is_none());
    }
}
