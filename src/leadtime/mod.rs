//! Lead times: fixed or random whole days, their exact moments and samplers.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::LeadSampler;
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

use crate::distribution::Dist;

/// Lead time of a lane in whole days (≥ 1).
#[derive(Clone, Debug, PartialEq)]
pub enum LeadTime {
    /// Always this many days.
    Days(u32),
    /// Drawn per day of departure from this distribution, rounded to whole days ≥ 1.
    Random(Dist),
}

impl LeadTime {
    /// Mean lead time in days, of the whole-day draws actually made (rounded, at least 1 day).
    pub fn mean(&self) -> f64 {
        self.moments().0
    }
    /// Standard deviation in days, of the whole-day draws actually made.
    pub fn sd(&self) -> f64 {
        self.moments().1
    }
    /// Mean and standard deviation of the drawn whole days: continuous and Poisson draws are
    /// rounded and clamped to at least one day, which lengthens short noisy lead times (a
    /// 2-day lead time with 1.5 days of normal noise averages about 2.2 days).
    fn moments(&self) -> (f64, f64) {
        match (self, self.day_pmf()) {
            (LeadTime::Days(d), _) => (f64::from(*d), 0.0),
            (LeadTime::Random(Dist::Constant { value }), _) => (value.round().max(1.0), 0.0),
            (_, Some((lo, pmf))) => {
                let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
                for (i, p) in pmf.iter().enumerate() {
                    let k = f64::from(lo) + i as f64;
                    (m0, m1, m2) = (m0 + p, m1 + p * k, m2 + p * k * k);
                }
                let mean = m1 / m0;
                (mean, (m2 / m0 - mean * mean).max(0.0).sqrt())
            }
            // Gamma: the moments before rounding (close for all but the shortest lead times).
            (LeadTime::Random(d), None) => (d.mean().max(1.0), d.sd()),
        }
    }

    /// The probabilities of the whole days a random lead time takes, `(first day, pmf)` — the
    /// one definition of how draws are rounded and clamped, shared by the samplers
    /// (`model::leadtime`) and the moments: Poisson with 0 counted as one day; uniform and
    /// empirical values rounded, at least one day; normal rounded and clamped to
    /// `1..=mean + 10 sd`. `None` for a fixed lead time and for gamma (drawn directly).
    pub fn day_pmf(&self) -> Option<(u32, Vec<f64>)> {
        let LeadTime::Random(d) = self else { return None };
        match d {
            Dist::Poisson { mean } if *mean > 0.0 => {
                let (lo, p) = crate::distribution::poisson_pmf(*mean);
                let hi = lo + p.len() as u32 - 1;
                let mut pmf = vec![0.0; hi.max(1) as usize];
                for (i, x) in p.iter().enumerate() {
                    pmf[((lo + i as u32).max(1) - 1) as usize] += x;
                }
                Some((1, pmf))
            }
            Dist::Poisson { .. } => Some((1, vec![1.0])),
            Dist::Uniform { min, max } => {
                let (a, b) = (min.round().max(1.0) as u32, max.round().max(1.0) as u32);
                Some((a, vec![1.0; (b - a + 1) as usize]))
            }
            Dist::Empirical { values } | Dist::Sequence { values } | Dist::Weeks { values } => {
                let hi = values.iter().map(|v| v.round().max(1.0) as u32).max().unwrap_or(1);
                let mut pmf = vec![0.0; hi as usize];
                for v in values {
                    pmf[(v.round().max(1.0) as u32 - 1) as usize] += 1.0;
                }
                Some((1, pmf))
            }
            Dist::Normal { mean, sd } if *sd > 0.0 => {
                let max = (mean + 10.0 * sd).ceil().max(1.0) as u32;
                let cdf = |x: f64| crate::stats::special::norm_cdf((x - mean) / sd);
                let pmf = (1..=max)
                    .map(|k| {
                        let k = f64::from(k);
                        let lo = if k <= 1.0 { 0.0 } else { cdf(k - 0.5) };
                        let hi = if k >= f64::from(max) { 1.0 } else { cdf(k + 0.5) };
                        hi - lo
                    })
                    .collect();
                Some((1, pmf))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The moments of the whole days drawn, against values computed by hand.
    #[test]
    fn lead_time_moments_are_those_of_the_rounded_draws() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // N(2, 1.5²) rounded, at least 1 day: Σ k·P(round(X) = k) with P(k = 1) = Φ(−1/3).
        let n = LeadTime::Random(Dist::Normal { mean: 2.0, sd: 1.5 });
        assert!(close(n.mean(), 2.217_741_3), "{}", n.mean());
        // Poisson(0.5) with 0 counted as 1: mean 0.5 + e^−0.5, variance 0.5 + 0.25 + e^−0.5 − mean².
        let p = LeadTime::Random(Dist::Poisson { mean: 0.5 });
        let m = 0.5 + (-0.5f64).exp();
        assert!(close(p.mean(), m) && close(p.sd(), (0.75 + (-0.5f64).exp() - m * m).sqrt()));
        // Uniform 1.4..3.6 draws whole days 1..=4 evenly: mean 2.5, variance (4² − 1)/12.
        let u = LeadTime::Random(Dist::Uniform { min: 1.4, max: 3.6 });
        assert!(close(u.mean(), 2.5) && close(u.sd(), (15.0f64 / 12.0).sqrt()));
        // Empirical values 0.2 and 3 → 1 and 3 days.
        let e = LeadTime::Random(Dist::Empirical { values: vec![0.2, 3.0] });
        assert!(close(e.mean(), 2.0) && close(e.sd(), 1.0));
        assert_eq!((LeadTime::Days(4).mean(), LeadTime::Days(4).sd()), (4.0, 0.0));
    }
}
