//! Compact exact moments for many small series: a position's KPI across replications.
//!
//! A retailer's network has a million positions; [`super::Moments`] (two exact superaccumulators
//! and the extremes) costs a few hundred bytes a series, too much for every KPI of every
//! position. [`Fixed`] keeps the count, the sum and the sum of squares of each value rounded to
//! a fixed grid of 2⁻²⁰ (about 10⁻⁶) as integers: 40 bytes, and integer sums are exact, so
//! results of any split of the replications (threads, blocks, shards) merge into the same bits.
//! The grid costs at most 2⁻²¹ per value in the mean, far below what `positions.csv` prints.

/// Values are rounded to multiples of 2^-FRACTION_BITS.
const FRACTION_BITS: i32 = 20;

/// Largest magnitude kept: above it (or when a sum would overflow) the series is marked out of
/// range and its summary is NaN. 2³² ≈ 4.3·10⁹ covers a position's costs and units over a
/// horizon, and keeps Σq² exact for millions of replications.
const LIMIT: f64 = (1u64 << 32) as f64;

/// Count, sum and sum of squares of a series on the 2⁻²⁰ grid; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixed {
    /// Σ q, q = round(x · 2²⁰).
    sum: i128,
    /// Σ q².
    squares: i128,
    /// Defined values added (NaN = undefined is skipped); `u32::MAX` = a value was out of range.
    n: u32,
}

impl Fixed {
    /// Adds a value; NaN (undefined in that replication) is skipped.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() || self.n == u32::MAX {
            return;
        }
        if x.abs() >= LIMIT {
            self.n = u32::MAX;
            return;
        }
        let q = (x * scale()).round() as i64 as i128;
        match (self.sum.checked_add(q), self.squares.checked_add(q * q), self.n.checked_add(1)) {
            (Some(s), Some(sq), Some(n)) if n < u32::MAX => (self.sum, self.squares, self.n) = (s, sq, n),
            _ => self.n = u32::MAX,
        }
    }

    /// Adds another series (exact, in any order).
    pub fn merge(&mut self, o: &Fixed) {
        if self.n == u32::MAX || o.n == u32::MAX {
            self.n = u32::MAX;
            return;
        }
        match (self.sum.checked_add(o.sum), self.squares.checked_add(o.squares), self.n.checked_add(o.n)) {
            (Some(s), Some(sq), Some(n)) if n < u32::MAX => (self.sum, self.squares, self.n) = (s, sq, n),
            _ => self.n = u32::MAX,
        }
    }

    /// Defined values added (0 when out of range).
    pub fn count(&self) -> usize {
        if self.n == u32::MAX { 0 } else { self.n as usize }
    }

    /// Mean, or NaN with no defined value (or one out of range).
    pub fn mean(&self) -> f64 {
        match self.count() {
            0 => f64::NAN,
            n => self.sum as f64 / n as f64 / scale(),
        }
    }

    /// Sample standard deviation (0 with one value), NaN without values. The centred sum of
    /// squares n·Σq² − (Σq)² is formed exactly in integers before any rounding.
    pub fn sd(&self) -> f64 {
        match self.count() {
            0 => f64::NAN,
            1 => 0.0,
            n => {
                let n = n as i128;
                // n·Σq² − (Σq)² ≥ 0, exact while the products fit in 127 bits (any realistic
                // series); beyond that the f64 formula is still deterministic.
                let centred = n
                    .checked_mul(self.squares)
                    .and_then(|a| self.sum.checked_mul(self.sum).and_then(|b| a.checked_sub(b)));
                let var_q = match centred {
                    Some(c) => c.max(0) as f64 / (n * (n - 1)) as f64,
                    None => {
                        let mean = self.sum as f64 / n as f64;
                        ((self.squares as f64 - mean * self.sum as f64) / (n - 1) as f64).max(0.0)
                    }
                };
                var_q.sqrt() / scale()
            }
        }
    }

    /// To words for a results file.
    pub fn to_words(&self) -> [u64; 5] {
        let s = self.sum as u128;
        let q = self.squares as u128;
        [s as u64, (s >> 64) as u64, q as u64, (q >> 64) as u64, u64::from(self.n)]
    }

    /// From [`Fixed::to_words`].
    pub fn from_words(w: &[u64]) -> Option<Fixed> {
        let [a, b, c, d, n] = *w else { return None };
        Some(Fixed {
            sum: (u128::from(a) | u128::from(b) << 64) as i128,
            squares: (u128::from(c) | u128::from(d) << 64) as i128,
            n: u32::try_from(n).ok()?,
        })
    }
}

fn scale() -> f64 {
    f64::from(1u32 << FRACTION_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(xs: &[f64]) -> Fixed {
        let mut f = Fixed::default();
        xs.iter().for_each(|&x| f.add(x));
        f
    }

    #[test]
    fn mean_and_sd_match_the_direct_formulas() {
        let xs = [0.95, 0.91, 0.99, f64::NAN, 0.875, 1.0];
        let f = of(&xs);
        let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        assert_eq!(f.count(), 5);
        assert!((f.mean() - mean).abs() < 1e-6, "{} vs {mean}", f.mean());
        assert!((f.sd() - sd).abs() < 1e-6, "{} vs {sd}", f.sd());
    }

    #[test]
    fn any_split_merges_to_the_same_bits() {
        let xs: Vec<f64> = (0..200).map(|i| ((i * 7919) % 1000) as f64 * 12.345 + 0.1).collect();
        let whole = of(&xs);
        for cut in [1, 17, 64, 199] {
            let mut a = of(&xs[..cut]);
            a.merge(&of(&xs[cut..]));
            assert_eq!(a, whole);
        }
        assert_eq!(Fixed::from_words(&whole.to_words()), Some(whole));
    }

    #[test]
    fn empty_one_and_out_of_range() {
        assert!(Fixed::default().mean().is_nan());
        assert_eq!(of(&[3.0]).sd(), 0.0);
        let f = of(&[1.0, 1e15]);
        assert!(f.mean().is_nan() && f.sd().is_nan());
        let negative = of(&[-2.5, -1.5]);
        assert_eq!(negative.mean(), -2.0);
    }
}
