//! Tests of the samplers and tables.

use super::*;
use crate::rng::{Purpose, stream};

fn moments(mut draw: impl FnMut() -> f64, n: usize) -> (f64, f64) {
    let (mut s, mut s2) = (0.0, 0.0);
    for _ in 0..n {
        let x = draw();
        s += x;
        s2 += x * x;
    }
    let m = s / n as f64;
    (m, s2 / n as f64 - m * m)
}

#[test]
fn poisson_table_is_exact_in_mean_and_variance() {
    for mean in [0.3, 2.0, 5.0, 37.5, 1500.0] {
        let t = poisson_table(mean);
        assert!((t.mean() - mean).abs() < 1e-9 * mean.max(1.0), "table mean for {mean}");
        let mut r = stream(1, 0, Purpose::Demand, 7);
        let n = 400_000;
        let (m, v) = moments(|| f64::from(t.sample(&mut r)), n);
        let se = (mean / n as f64).sqrt();
        assert!((m - mean).abs() < 5.0 * se, "mean {m} vs {mean}");
        assert!((v / mean - 1.0).abs() < 0.02, "variance {v} vs {mean}");
    }
}

#[test]
fn negative_binomial_table_matches_mean_and_sd() {
    let t = negbin_table(4.0, 3.0).expect("a narrow negative binomial has a table");
    assert!((t.mean() - 4.0).abs() < 1e-9);
    let mut r = stream(2, 0, Purpose::Demand, 7);
    let (m, v) = moments(|| f64::from(t.sample(&mut r)), 400_000);
    assert!((m - 4.0).abs() < 0.03);
    assert!((v - 9.0).abs() < 0.25);
}

/// A negative binomial too wide for a table (mean 1e9, sd 1e8 would need 1.8e9 values, 24 GB)
/// is drawn without one, at once, with the right mean and sd.
#[test]
fn wide_negative_binomials_need_no_table() {
    assert!(negbin_table(1e9, 1e8).is_none());
    assert!(negbin_table(1.0, 100.0).is_none(), "a long right tail is bounded too");
    let d = Dist::NegativeBinomial { mean: 1e9, sd: 1e8 };
    let s = Sampler::new(&d);
    assert!(matches!(s, Sampler::GammaPoisson(_)));
    let mut r = stream(5, 0, Purpose::Demand, 3);
    let n = 20_000;
    let (m, v) = moments(|| s.sample(&mut r, 0), n);
    assert!((m - 1e9).abs() < 5.0 * 1e8 / (n as f64).sqrt(), "mean {m}");
    assert!((v.sqrt() / 1e8 - 1.0).abs() < 0.05, "sd {}", v.sqrt());
    // The Poisson table at the largest mean validation accepts fits the bound.
    assert!(poisson_pmf(1e7).1.len() <= MAX_TABLE_VALUES);
}

#[test]
fn table_extremes_stay_in_bounds() {
    let t = poisson_table(5.0);
    assert_eq!(t.lookup(0), 0);
    assert_eq!(t.lookup(u64::MAX), t.max_value());
    let one = IntTable::from_pmf(3, &[1.0]);
    assert_eq!(one.lookup(0), 3);
    assert_eq!(one.lookup(u64::MAX), 3);
}

#[test]
fn alias_tables_reproduce_their_distribution() {
    let (lo, pmf) = poisson_table(5.0).pmf();
    let mut arena = TableArena::default();
    let r = arena.push(lo, &pmf);
    let (lo2, got) = arena.pmf(r);
    assert_eq!(lo, lo2);
    for (a, b) in pmf.iter().zip(&got) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    let mut rng = stream(4, 0, Purpose::Demand, 9);
    let (m, v) = moments(|| f64::from(arena.sample(r, &mut rng)), 400_000);
    assert!((m - 5.0).abs() < 0.02 && (v - 5.0).abs() < 0.1, "mean {m} var {v}");
    // A one-point distribution always gives its value.
    let one = arena.push(7, &[1.0]);
    assert!((0..100).all(|_| arena.sample(one, &mut rng) == 7));
}

/// Moments and zero share of draws `x` against theory, each within 4 standard errors (the SE of
/// a mean from the sample's own sd; of a variance from the fourth moment; of a share from
/// √(p(1 − p)/n)).
fn assert_intermittent(mut draw: impl FnMut() -> f64, mean: f64, sd: f64, p: f64, check_sd: bool) {
    let n = 400_000;
    let xs: Vec<f64> = (0..n).map(|_| draw()).collect();
    let m = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64;
    let nonzero = xs.iter().filter(|&&x| x > 0.0).count() as f64 / n as f64;
    let nf = n as f64;
    assert!(xs.iter().all(|&x| x == 0.0 || x >= 1.0), "a demand day sells at least one unit");
    assert!((m - mean).abs() <= 4.0 * (var / nf).sqrt(), "mean {m} vs {mean}");
    assert!((nonzero - p).abs() <= 4.0 * (p * (1.0 - p) / nf).sqrt(), "share {nonzero} vs {p}");
    if check_sd {
        let se_var = ((m4 - var * var) / nf).sqrt();
        assert!((var - sd * sd).abs() <= 4.0 * se_var, "variance {var} vs {}", sd * sd);
    }
}

/// Golden test: over-dispersed sizes (1 + negative binomial) reproduce mean, sd and the share of
/// demand days exactly (theory: E[X] = p·E[S], E[X²] = p·E[S²]); under-dispersed ones
/// (1 + Poisson) keep mean and share; a seasonal multiplier scales the mean, occurrence first.
#[test]
fn intermittent_draws_match_mean_sd_and_zero_share() {
    let (mean, sd, p) = (0.6, 1.9, 0.2);
    let d = Dist::Intermittent { mean, sd, probability: p };
    let s = Sampler::new(&d);
    assert!(matches!(s, Sampler::Table(_)), "an intermittent demand is drawn from a table");
    let mut r = stream(6, 0, Purpose::Demand, 1);
    assert_intermittent(|| s.sample(&mut r, 0), mean, sd, p, true);
    // Sizes of mean 3 and variance 0.5 are under-dispersed: 1 + Poisson(2).
    let (mean, p): (f64, f64) = (0.9, 0.3);
    let sd = ((0.5 + 9.0) * p - mean * mean).sqrt();
    let d = Dist::Intermittent { mean, sd, probability: p };
    assert!(intermittent_size(mean, sd, p).gamma.is_none());
    let s = Sampler::new(&d);
    assert_intermittent(|| s.sample(&mut r, 0), mean, sd, p, false);
    // Seasonality × 2: occurrence 0.6, same sizes; × 5: every day, sizes grow to mean 4.5.
    assert_intermittent(|| sample_scaled(&d, &s, &mut r, 0, 2.0, true), 1.8, 0.0, 0.6, false);
    assert_intermittent(|| sample_scaled(&d, &s, &mut r, 0, 5.0, true), 4.5, 0.0, 1.0, false);
    // Without a table (the sizes too wide for one) the draws are the same distribution.
    let (mean, sd, p) = (0.6, 1.9, 0.2);
    let mut r2 = stream(7, 0, Purpose::Demand, 1);
    assert_intermittent(|| Sampler::Intermittent(mean, sd, p).sample(&mut r2, 0), mean, sd, p, true);
}

#[test]
fn round_half_away_is_round() {
    let half_below = 0.5 - f64::EPSILON / 4.0; // 0.49999999999999994
    let mut xs = vec![0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, half_below, -half_below, 1.0 - f64::EPSILON / 2.0];
    xs.extend([4_503_599_627_370_495.5, 4_503_599_627_370_496.0, 9_007_199_254_740_993.0, -4_503_599_627_370_495.5]);
    xs.extend([f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, 1e-300, -1e-300]);
    let mut rng = crate::rng::stream(5, 0, crate::rng::Purpose::Demand, 1);
    for k in 0..100_000 {
        let scale = [1.0, 10.0, 1e6, 1e15][k % 4];
        xs.push((unit_f64(&mut rng) - 0.5) * scale);
        xs.push(f64::from(k as u32 % 1000) / 2.0); // exact halves
    }
    for x in xs {
        assert_eq!(round_half_away(x).to_bits(), x.round().to_bits(), "{x:e}");
    }
    assert!(round_half_away(f64::NAN).is_nan());
}

#[test]
fn scaled_draws_scale_the_mean() {
    let d = Dist::Poisson { mean: 4.0 };
    let s = Sampler::new(&d);
    let mut r = stream(3, 0, Purpose::Demand, 1);
    let (m, _) = moments(|| sample_scaled(&d, &s, &mut r, 0, 2.5, true), 200_000);
    assert!((m - 10.0).abs() < 0.05);
    let c = Dist::Constant { value: 3.0 };
    let cs = Sampler::new(&c);
    let (m, _) = moments(|| sample_scaled(&c, &cs, &mut r, 0, 1.5, true), 200_000);
    assert!((m - 4.5).abs() < 0.01);
}
