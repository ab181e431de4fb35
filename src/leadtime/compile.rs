//! Lead-time samplers: whole days ≥ 1, bounded so the pipeline ring has a fixed length.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::LeadTime;
use crate::distribution::{Dist, IntTable, Sampler};

/// Draws the lead time of a shipment.
#[derive(Clone, Debug)]
pub enum LeadSampler {
    /// Always the same.
    Const(u32),
    /// Integer distribution (Poisson clamped at 1, uniform, empirical) as an inverse-CDF table.
    Table(IntTable),
    /// Normal, rounded and clamped to `1..=max`.
    Normal {
        /// Mean in days.
        mean: f64,
        /// Standard deviation in days.
        sd: f64,
        /// Upper clamp (mean + 10 sd).
        max: u32,
    },
    /// Gamma, rounded and clamped to `1..=max`.
    Gamma {
        /// The sampler.
        sampler: Sampler,
        /// Upper clamp.
        max: u32,
    },
}

impl LeadSampler {
    /// Compiles a lane's lead time.
    pub fn new(lt: &LeadTime) -> Self {
        match lt {
            LeadTime::Days(d) => LeadSampler::Const((*d).max(1)),
            LeadTime::Random(dist) => match dist {
                Dist::Poisson { .. }
                | Dist::Uniform { .. }
                | Dist::Empirical { .. }
                | Dist::Sequence { .. }
                | Dist::Weeks { .. } => {
                    let (lo, pmf) = lt.day_pmf().expect("a table-sampled lead time has a pmf");
                    LeadSampler::Table(IntTable::from_pmf(lo, &pmf))
                }
                Dist::Constant { value } => LeadSampler::Const(value.round().max(1.0) as u32),
                Dist::Normal { mean, sd } => {
                    LeadSampler::Normal { mean: *mean, sd: *sd, max: (mean + 10.0 * sd).ceil().max(1.0) as u32 }
                }
                // Validation offers no intermittent lead time; treated as its gamma if one comes.
                Dist::Gamma { mean, sd }
                | Dist::NegativeBinomial { mean, sd }
                | Dist::Intermittent { mean, sd, .. } => LeadSampler::Gamma {
                    sampler: Sampler::new(&Dist::Gamma { mean: *mean, sd: *sd }),
                    max: (mean + 15.0 * sd).ceil().max(1.0) as u32,
                },
            },
        }
    }

    /// Whether draws vary.
    pub fn is_random(&self) -> bool {
        !matches!(self, LeadSampler::Const(_))
    }

    /// Longest possible lead time.
    pub fn max_days(&self) -> u32 {
        match self {
            LeadSampler::Const(d) => *d,
            LeadSampler::Table(t) => t.max_value(),
            LeadSampler::Normal { max, .. } | LeadSampler::Gamma { max, .. } => *max,
        }
    }

    /// Draws a lead time in days.
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            LeadSampler::Const(d) => *d,
            LeadSampler::Table(t) => t.sample(rng),
            LeadSampler::Normal { mean, sd, max } => {
                let z: f64 = StandardNormal.sample(rng);
                (mean + sd * z).round().clamp(1.0, f64::from(*max)) as u32
            }
            LeadSampler::Gamma { sampler, max } => sampler.sample(rng, 0).round().clamp(1.0, f64::from(*max)) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn poisson_lead_times_are_at_least_one_day() {
        let s = LeadSampler::new(&LeadTime::Random(Dist::Poisson { mean: 2.0 }));
        let mut r = stream(5, 0, Purpose::LeadTime, 1);
        let n = 200_000;
        let mut ones = 0;
        let mut sum = 0.0;
        for _ in 0..n {
            let l = s.draw(&mut r);
            assert!(l >= 1 && l <= s.max_days());
            ones += usize::from(l == 1);
            sum += f64::from(l);
        }
        // P(L = 1) = P(X ≤ 1) = 3 e^-2 ≈ 0.406; E[L] = 2 + e^-2 ≈ 2.135.
        assert!((ones as f64 / n as f64 - 3.0 * (-2f64).exp()).abs() < 0.005);
        assert!((sum / n as f64 - (2.0 + (-2f64).exp())).abs() < 0.01);
    }

    #[test]
    fn uniform_and_empirical_lead_times() {
        let u = LeadSampler::new(&LeadTime::Random(Dist::Uniform { min: 2.0, max: 4.0 }));
        let e = LeadSampler::new(&LeadTime::Random(Dist::Empirical { values: vec![3.0, 3.0, 7.0] }));
        let mut r = stream(6, 0, Purpose::LeadTime, 1);
        let mut seen = [0usize; 9];
        for _ in 0..30_000 {
            seen[u.draw(&mut r) as usize] += 1;
            let x = e.draw(&mut r);
            assert!(x == 3 || x == 7);
        }
        assert!(seen[2] > 9000 && seen[3] > 9000 && seen[4] > 9000);
        assert_eq!(seen[1] + seen[5], 0);
        assert_eq!((u.max_days(), e.max_days()), (4, 7));
    }
}
