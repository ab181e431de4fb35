//! Exact sums of doubles, so that a mean does not depend on the order in which replications
//! were added: the same replications summed by one process, by two threads or by seven shards
//! merged later give the same bits.
//!
//! Every finite value is first rounded to a multiple of [`GRID`] (2⁻¹⁶⁰ ≈ 7·10⁻⁴⁹: a KPI value
//! never has bits that small, so in practice nothing is rounded) and then added into a
//! fixed-point number of 32-bit digits held in `i64`s — the idea of Neal's "small superaccumulator"
//! (xsum). A digit absorbs 2³¹ additions before its carry must move on, so carries are settled
//! only every 2³⁰ additions and on demand. Infinities are counted apart. Only the digits a sum
//! has touched are stored (a window of the 40; five or six for a typical KPI), so a scope's
//! summaries take a couple of hundred bytes whatever the range of doubles allows.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// log₂ of the weight of the lowest digit's lowest bit.
const GRID_EXP: i32 = -160;

/// The finest step a value is rounded to before it is added: 2⁻¹⁶⁰.
pub const GRID: f64 = 6.842_277_657_836_021e-49;

/// Digits of 32 bits: 2⁻¹⁶⁰ up to 2¹⁰²⁴ (the largest double) and room for the carries of 2⁶⁴ sums.
const DIGITS: usize = 40;

/// Additions between two settlements of the carries.
const SETTLE_EVERY: u32 = 1 << 30;

/// An exact sum of doubles (each rounded to a multiple of [`GRID`]).
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Index of `window[0]` among the [`DIGITS`] digits.
    lo: u8,
    /// Digits `lo .. lo + window.len()`; all others are zero.
    window: Vec<i64>,
    /// Additions since the carries were last settled.
    pending: u32,
    /// +∞ and −∞ added (they have no place among the digits).
    infinities: [u64; 2],
    /// NaN added (a NaN makes the sum NaN, as in floating point).
    nan: bool,
}

/// Equal sums are equal, however their carries stand.
impl PartialEq for ExactSum {
    fn eq(&self, other: &Self) -> bool {
        self.to_words() == other.to_words()
    }
}

impl Eq for ExactSum {}

impl ExactSum {
    /// An empty sum (zero).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` exactly (after rounding it to the grid).
    #[inline]
    pub fn add(&mut self, x: f64) {
        // The common case, kept small enough to inline: a normal number above the grid whose
        // three digits the window already holds.
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let shift = biased - 1075 - GRID_EXP;
        if biased != 0 && biased != 0x7ff && shift >= 0 {
            let at = ((shift >> 5) as usize).wrapping_sub(usize::from(self.lo));
            if at < self.window.len().saturating_sub(2) {
                let wide = (((bits & ((1 << 52) - 1)) | (1 << 52)) as u128) << (shift & 31);
                let sign = 1 - 2 * (bits >> 63) as i64;
                let d = &mut self.window[at..at + 3];
                d[0] += sign * (wide & 0xffff_ffff) as i64;
                d[1] += sign * ((wide >> 32) & 0xffff_ffff) as i64;
                d[2] += sign * ((wide >> 64) & 0xffff_ffff) as i64;
                self.pending += 1;
                if self.pending >= SETTLE_EVERY {
                    self.settle();
                }
                return;
            }
        }
        self.add_slow(x);
    }

    /// [`add`](Self::add) for the other cases: zero, subnormal, infinite and NaN values, bits
    /// below the grid, digits outside the window.
    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, x: f64) {
        let bits = x.to_bits();
        let negative = bits >> 63 == 1;
        let biased = ((bits >> 52) & 0x7ff) as i32;
        if biased == 0x7ff {
            if x.is_nan() {
                self.nan = true;
            } else {
                self.infinities[usize::from(negative)] += 1;
            }
            return;
        }
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa · 2^(exponent), the mantissa an integer below 2⁵³.
        let (mantissa, exponent) = if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
        if mantissa == 0 {
            return;
        }
        let mut shift = exponent - GRID_EXP;
        let mut m = mantissa as u128;
        if shift < 0 {
            // Bits below the grid: round to nearest, ties to even (a fixed rule, so every order
            // of additions rounds every value the same way).
            let drop = (-shift).min(127) as u32;
            let half = 1u128 << (drop - 1);
            let rest = m & ((1u128 << drop) - 1);
            m >>= drop;
            if rest > half || (rest == half && m & 1 == 1) {
                m += 1;
            }
            shift = 0;
            if m == 0 {
                return;
            }
        }
        let (digit, offset) = ((shift / 32) as usize, (shift % 32) as u32);
        let wide = m << offset;
        let sign = if negative { -1 } else { 1 };
        // Three 32-bit pieces (a 53-bit mantissa shifted by up to 31 bits spans at most three).
        let d = self.digits_mut(digit);
        d[0] += sign * (wide & 0xffff_ffff) as i64;
        d[1] += sign * ((wide >> 32) & 0xffff_ffff) as i64;
        d[2] += sign * ((wide >> 64) & 0xffff_ffff) as i64;
        self.pending += 1;
        if self.pending >= SETTLE_EVERY {
            self.settle();
        }
    }

    /// The three digits from `digit` on, the window grown to hold them.
    #[inline]
    fn digits_mut(&mut self, digit: usize) -> &mut [i64] {
        let lo = usize::from(self.lo);
        if self.window.is_empty() {
            self.lo = digit as u8;
            self.window.resize(3, 0);
            return &mut self.window[..3];
        }
        if digit < lo {
            self.window.splice(0..0, std::iter::repeat_n(0, lo - digit));
            self.lo = digit as u8;
        }
        let at = digit - usize::from(self.lo);
        if at + 3 > self.window.len() {
            self.window.resize(at + 3, 0);
        }
        &mut self.window[at..at + 3]
    }

    /// All [`DIGITS`] digits.
    fn digits(&self) -> [i64; DIGITS] {
        let mut d = [0; DIGITS];
        let lo = usize::from(self.lo);
        d[lo..lo + self.window.len()].copy_from_slice(&self.window);
        d
    }

    /// Stores `d` as the window of its non-zero digits.
    fn set_digits(&mut self, d: &[i64; DIGITS]) {
        let lo = d.iter().position(|&x| x != 0).unwrap_or(DIGITS);
        let hi = d.iter().rposition(|&x| x != 0).map_or(lo, |h| h + 1);
        self.window.clear();
        self.window.extend_from_slice(&d[lo..hi]);
        self.lo = if hi > lo { lo as u8 } else { 0 };
    }

    /// Adds another sum exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        let (mut a, b) = (self.digits(), other.digits());
        for (x, y) in a.iter_mut().zip(b) {
            *x += y;
        }
        self.set_digits(&a);
        self.infinities[0] += other.infinities[0];
        self.infinities[1] += other.infinities[1];
        self.nan |= other.nan;
        self.settle();
    }

    /// Moves carries up so that every digit but the top one lies in `0..2³²`; the value is
    /// unchanged, and so is its representation for equal values (the form is canonical).
    pub fn settle(&mut self) {
        let mut d = self.digits();
        settle(&mut d);
        self.set_digits(&d);
        self.pending = 0;
    }

    /// Whether only finite values were added.
    pub fn is_finite(&self) -> bool {
        !self.nan && self.infinities == [0, 0]
    }

    /// The sum as an integer count of [`GRID`] steps (finite part only).
    pub fn to_bigint(&self) -> BigInt {
        let mut d = self.digits();
        settle(&mut d);
        let negative = d[DIGITS - 1] < 0;
        if negative {
            // The magnitude: every digit negated, carries settled again (the top turns positive).
            for x in &mut d {
                *x = -*x;
            }
            settle(&mut d);
        }
        let top = d[DIGITS - 1];
        let mut limbs: Vec<u32> = d[..DIGITS - 1].iter().map(|&x| x as u32).collect();
        limbs.extend([top as u32, (top >> 32) as u32]);
        let sign = if negative { num_bigint::Sign::Minus } else { num_bigint::Sign::Plus };
        BigInt::from_biguint(sign, num_bigint::BigUint::from_slice(&limbs))
    }

    /// The sum rounded to a double (±∞ or NaN where infinities or NaN were added).
    pub fn value(&self) -> f64 {
        if let Some(v) = self.non_finite() {
            return v;
        }
        scaled(&self.to_bigint(), GRID_EXP)
    }

    /// The value when infinities or NaN were added, else `None`.
    fn non_finite(&self) -> Option<f64> {
        match (self.nan, self.infinities) {
            (false, [0, 0]) => None,
            (false, [_, 0]) => Some(f64::INFINITY),
            (false, [0, _]) => Some(f64::NEG_INFINITY),
            _ => Some(f64::NAN),
        }
    }

    /// The state as words, for a results file: settled first, so equal sums give equal words;
    /// only the digits from the lowest to the highest non-zero one are written.
    pub fn to_words(&self) -> Vec<u64> {
        let mut d = self.digits();
        settle(&mut d);
        let lo = d.iter().position(|&x| x != 0).unwrap_or(DIGITS);
        let hi = d.iter().rposition(|&x| x != 0).map_or(lo, |h| h + 1);
        let mut w = vec![self.infinities[0], self.infinities[1], u64::from(self.nan), lo as u64, (hi - lo) as u64];
        w.extend(d[lo..hi].iter().map(|&x| x as u64));
        w
    }

    /// The inverse of [`to_words`](Self::to_words), reading from the front of `w`; returns the
    /// sum and the words used, `None` if they do not form a sum.
    pub fn from_words(w: &[u64]) -> Option<(ExactSum, usize)> {
        let [pos, neg, nan, lo, len] = *w.first_chunk::<5>()?;
        let (lo, len) = (usize::try_from(lo).ok()?, usize::try_from(len).ok()?);
        if lo.checked_add(len)? > DIGITS || nan > 1 {
            return None;
        }
        let window: Vec<i64> = w.get(5..5 + len)?.iter().map(|&x| x as i64).collect();
        let lo = if len == 0 { 0 } else { lo as u8 };
        Some((ExactSum { lo, window, pending: 0, infinities: [pos, neg], nan: nan == 1 }, 5 + len))
    }
}

/// Moves carries up so that every digit but the top one lies in `0..2³²`.
fn settle(d: &mut [i64; DIGITS]) {
    let mut carry = 0i64;
    for x in d.iter_mut().take(DIGITS - 1) {
        let v = *x + carry;
        carry = v >> 32;
        *x = v & 0xffff_ffff;
    }
    d[DIGITS - 1] += carry;
}

/// `v · 2^exp` as a double: `v` converted (to nearest), then scaled by a power of two in steps
/// that cannot overflow or underflow on the way.
pub fn scaled(v: &BigInt, exp: i32) -> f64 {
    let bits = v.bits() as i32;
    // Bring v below 2⁶⁴·… before converting, so the conversion never saturates: take its top
    // bits (shifting is exact down to 64 bits above the point; below, the conversion rounds).
    let (head, mut e) = if bits > 1000 { (v >> (bits - 1000) as usize, exp + bits - 1000) } else { (v.clone(), exp) };
    let mut x = head.to_f64().unwrap_or(f64::NAN);
    while e > 0 {
        let step = e.min(1000);
        x *= 2f64.powi(step);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        x /= 2f64.powi(step);
        e += step;
    }
    x
}

/// Mean and sample variance (n − 1 in the denominator; 0 for one value) of `n` values whose exact
/// sum is `sum` and exact sum of squares is `squares` (see [`add_square`]): computed exactly as
/// (n·Σx² − (Σx)²) / (n·(n − 1)) in integers and rounded once at the end, so the variance of
/// equal values is exactly zero and the result does not depend on the order of the values.
pub fn mean_var(sum: &ExactSum, squares: &ExactSum, n: u64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = if let Some(v) = sum.non_finite() {
        v
    } else {
        // Σx / n: the integer division is done on the exact sum scaled up, then rounded once.
        let s = sum.to_bigint();
        scaled(&((s << 64) / BigInt::from(n)), GRID_EXP - 64)
    };
    if n < 2 {
        return (mean, 0.0);
    }
    if !sum.is_finite() || !squares.is_finite() {
        return (mean, f64::NAN);
    }
    // Σx is k·g and Σx² is q·g (g = 2⁻¹⁶⁰): n·Σx² − (Σx)² = (n·q·2¹⁶⁰ − k²)·g².
    let (k, q) = (sum.to_bigint(), squares.to_bigint());
    let num: BigInt = BigInt::from(n) * (q << 160usize) - &k * &k;
    let den = BigInt::from(n) * BigInt::from(n - 1);
    // Divide with 64 extra bits so that the one rounding is to the result's precision.
    let var = scaled(&((num << 64usize) / den), 2 * GRID_EXP - 64);
    (mean, var.max(0.0))
}

/// Adds `x²` exactly to `squares`: the product is split into its rounded value and the
/// rounding error (`x·x − hi`, exact by a fused multiply-add), both added exactly.
#[inline]
pub fn add_square(squares: &mut ExactSum, x: f64) {
    let hi = x * x;
    if !hi.is_finite() {
        squares.add(hi);
        return;
    }
    let lo = x.mul_add(x, -hi);
    squares.add(hi);
    if lo != 0.0 {
        squares.add(lo);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(xs: &[f64]) -> ExactSum {
        let mut s = ExactSum::new();
        for &x in xs {
            s.add(x);
        }
        s
    }

    #[test]
    fn grid_is_two_to_minus_160() {
        assert_eq!(GRID, 2f64.powi(-160));
    }

    #[test]
    fn sums_exactly_where_floating_point_does_not() {
        // 1e16 + 1 − 1e16 loses the 1 in floating point.
        assert_eq!(sum(&[1e16, 1.0, -1e16]).value(), 1.0);
        assert_eq!(sum(&[0.1, 0.2, 0.3]).value(), 0.6);
        assert_eq!(sum(&[1e300, 1e-300, -1e300]).value(), 0.0, "1e-300 is below the grid");
        assert_eq!(sum(&[f64::MAX, -f64::MAX, 3.5]).value(), 3.5);
        assert_eq!(sum(&[]).value(), 0.0);
    }

    #[test]
    fn order_and_splitting_do_not_matter() {
        let xs: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1013) as f64 * 0.731 - 300.0 + 1e-9 * i as f64).collect();
        let a = sum(&xs);
        let mut rev = xs.clone();
        rev.reverse();
        let b = sum(&rev);
        let mut c = sum(&xs[..333]);
        c.merge(&sum(&xs[333..700]));
        c.merge(&sum(&xs[700..]));
        assert_eq!(a.to_words(), b.to_words());
        assert_eq!(a.to_words(), c.to_words());
        assert_eq!(a.value(), c.value());
    }

    #[test]
    fn infinities_and_nan() {
        assert_eq!(sum(&[1.0, f64::INFINITY]).value(), f64::INFINITY);
        assert_eq!(sum(&[1.0, f64::NEG_INFINITY]).value(), f64::NEG_INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).value().is_nan());
        assert!(sum(&[f64::NAN]).value().is_nan());
    }

    #[test]
    fn words_round_trip() {
        let s = sum(&[1.5, -2.25, 1e200, 3e-40]);
        let w = s.to_words();
        let (back, used) = ExactSum::from_words(&w).unwrap();
        assert_eq!((back.to_words(), used), (w, s.to_words().len()));
        assert_eq!(back.value(), s.value());
        assert!(ExactSum::from_words(&[1, 2]).is_none());
        let neg = sum(&[-1.5, -1e-20]);
        assert_eq!(neg.to_bigint(), -sum(&[1.5, 1e-20]).to_bigint());
    }

    #[test]
    fn mean_and_variance() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut sq = ExactSum::new();
        for &x in &xs {
            add_square(&mut sq, x);
        }
        let (m, v) = mean_var(&sum(&xs), &sq, 5);
        assert_eq!((m, v), (3.0, 2.5));
        // Equal values: exactly zero spread, whatever their bits.
        let xs = [0.1 + 0.2; 7];
        let mut sq = ExactSum::new();
        for &x in &xs {
            add_square(&mut sq, x);
        }
        assert_eq!(mean_var(&sum(&xs), &sq, 7), (0.1 + 0.2, 0.0));
        assert_eq!(mean_var(&sum(&[4.0]), &sq, 1).1, 0.0);
    }

    #[test]
    fn variance_agrees_with_two_pass() {
        let xs: Vec<f64> = (0..500).map(|i| 1e6 + ((i * 37) % 101) as f64 * 0.013).collect();
        let mut sq = ExactSum::new();
        for &x in &xs {
            add_square(&mut sq, x);
        }
        let (m, v) = mean_var(&sum(&xs), &sq, xs.len() as u64);
        let m2 = xs.iter().sum::<f64>() / 500.0;
        let v2 = xs.iter().map(|x| (x - m2).powi(2)).sum::<f64>() / 499.0;
        assert!((m - m2).abs() <= 1e-9 * m2, "{m} vs {m2}");
        assert!((v - v2).abs() <= 1e-9 * v2, "{v} vs {v2}");
    }
}
