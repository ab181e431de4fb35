//! Estimating one position's demand model from its daily history: level, weekday and month
//! indices and trend by a quasi-Poisson log-linear model (the engine's multiplicative demand
//! model), then the distribution of the de-seasonalised daily demand by its dispersion.
//!
//! The mean on day t is `level · weekly[weekday] · monthly[month] · exp(β·(t − t̄))`: the engine's
//! `mean · weekly · monthly · (1 + trend_per_year)^(day/365)` with `trend_per_year = e^(365β) − 1`.
//! It is fitted by maximising the Poisson likelihood (backfitting: each factor in closed form
//! given the others, β by Newton steps), which estimates a multiplicative mean consistently for
//! any dispersion and takes zero days as they come. A component is kept only when it is
//! significant at the 0.1 % level (a trend at 0.01 %; quasi-likelihood ratio tests, see [`fit_mean`]), so that
//! noise is not simulated as seasonality.

use crate::calendar::days_in_month;

/// Days per month in an average Gregorian year (February 28.2425), for month weights.
const MONTH_DAYS: [f64; 12] = [31.0, 28.2425, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0];

/// 99.9 % quantiles of χ² with 6 and 11 degrees of freedom (weekday and month indices).
const CHI2_6: f64 = 22.458;
const CHI2_11: f64 = 31.264;
/// 99.99 % two-sided quantile of N(0, 1): a trend is extrapolated into every simulated day, and
/// the heavy tails of lumpy demand make a spurious one likelier than χ² says, so it needs more.
const Z_TREND: f64 = 3.891;

/// The calendar of a history: weekday and month of each day.
pub(crate) struct Calendar {
    /// Weekday (0 = Monday) of each day.
    pub weekday: Vec<u8>,
    /// Month (0 = January) of each day.
    pub month: Vec<u8>,
}

impl Calendar {
    /// The calendar of `n` days from `first` (days since 1970-01-01).
    pub fn new(first: i32, n: usize) -> Self {
        let (y, m, d) = crate::calendar::civil_from_days(i64::from(first));
        let (mut y, mut m, mut d) = (y, m, d);
        let mut weekday = Vec::with_capacity(n);
        let mut month = Vec::with_capacity(n);
        let mut wd = (i64::from(first) + 3).rem_euclid(7) as u8;
        for _ in 0..n {
            weekday.push(wd);
            month.push((m - 1) as u8);
            wd = (wd + 1) % 7;
            d += 1;
            if d > days_in_month(y, m).unwrap_or(31) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        Calendar { weekday, month }
    }
}

/// Which components the history is long enough to estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Components {
    /// Weekday indices.
    pub weekly: bool,
    /// Month indices.
    pub monthly: bool,
    /// A trend.
    pub trend: bool,
}

/// The fitted mean model of one position.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MeanModel {
    /// Level at day `t̄` (the mean of the days used).
    pub level: f64,
    /// Weekday indices, mean 1.
    pub weekly: [f64; 7],
    /// Month indices, mean 1 weighted by days per month.
    pub monthly: [f64; 12],
    /// Log growth per day.
    pub beta: f64,
    /// The day the level refers to.
    pub center: f64,
    /// Components kept.
    pub kept: Components,
}

impl MeanModel {
    /// Expected demand on day `t`.
    #[inline]
    pub fn mean(&self, cal: &Calendar, t: usize) -> f64 {
        let trend = if self.beta == 0.0 { 1.0 } else { (self.beta * (t as f64 - self.center)).exp() };
        self.level * self.weekly[cal.weekday[t] as usize] * self.monthly[cal.month[t] as usize] * trend
    }

    /// Level (de-seasonalised mean) on day `t`.
    pub fn level_at(&self, t: f64) -> f64 {
        self.level * (self.beta * (t - self.center)).exp()
    }
}

/// Demand points the likelihood is summed over: single days (with a trend) or, without one, days
/// pooled by weekday × month (the model cannot tell them apart, and 84 cells are quicker).
struct Point {
    weekday: usize,
    month: usize,
    days: f64,
    units: f64,
    x: f64,
}

/// The points of a history: `units[t]` on the days `used[t]`.
fn points(cal: &Calendar, units: &[f64], used: &[bool], center: f64, pooled: bool) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    let mut cell = [[usize::MAX; 12]; 7];
    for t in (0..units.len()).filter(|&t| used[t]) {
        let (w, m) = (cal.weekday[t] as usize, cal.month[t] as usize);
        if pooled && cell[w][m] != usize::MAX {
            let p = &mut out[cell[w][m]];
            p.days += 1.0;
            p.units += units[t];
            continue;
        }
        cell[w][m] = out.len();
        out.push(Point { weekday: w, month: m, days: 1.0, units: units[t], x: t as f64 - center });
    }
    out
}

/// Fits the mean model with the components `want`, each kept only when dropping it worsens the
/// fit significantly (a quasi-likelihood ratio test: the rise in Poisson deviance over the
/// Pearson dispersion of the full model, against χ² quantiles). Testing by refitting, not by the
/// full model's standard errors, matters: a trend and month indices fitted together on two
/// years share much of their signal, and each alone would look significant.
pub(crate) fn fit_mean(cal: &Calendar, units: &[f64], used: &[bool], want: Components) -> (MeanModel, f64) {
    let n_used = used.iter().filter(|&&u| u).count();
    let center = (0..units.len()).filter(|&t| used[t]).map(|t| t as f64).sum::<f64>() / n_used.max(1) as f64;
    let full = backfit(cal, units, used, center, want);
    let phi = pearson(cal, units, used, &full, parameters(want)).max(1e-12);
    let d_full = deviance(cal, units, used, &full);
    let without = |c: Components| deviance(cal, units, used, &backfit(cal, units, used, center, c)) - d_full;
    let keep = Components {
        weekly: want.weekly && without(Components { weekly: false, ..want }) / phi > CHI2_6,
        monthly: want.monthly && without(Components { monthly: false, ..want }) / phi > CHI2_11,
        trend: want.trend && without(Components { trend: false, ..want }) / phi > Z_TREND * Z_TREND,
    };
    if keep == want {
        return (full, phi);
    }
    let reduced = backfit(cal, units, used, center, keep);
    let phi = pearson(cal, units, used, &reduced, parameters(keep)).max(1e-12);
    (reduced, phi)
}

/// Poisson deviance 2 Σ [y ln(y/μ) − (y − μ)] of a model over the days used.
fn deviance(cal: &Calendar, units: &[f64], used: &[bool], m: &MeanModel) -> f64 {
    let mut d = 0.0;
    for t in (0..units.len()).filter(|&t| used[t]) {
        let (y, mu) = (units[t], m.mean(cal, t).max(1e-300));
        d += if y > 0.0 { y * (y / mu).ln() } else { 0.0 } - (y - mu);
    }
    2.0 * d
}

/// Number of free parameters of a model with the components `c`.
fn parameters(c: Components) -> usize {
    1 + if c.weekly { 6 } else { 0 } + if c.monthly { 11 } else { 0 } + usize::from(c.trend)
}

/// Maximum-likelihood fit (Poisson) of the components `c`, by backfitting.
fn backfit(cal: &Calendar, units: &[f64], used: &[bool], center: f64, c: Components) -> MeanModel {
    let pts = points(cal, units, used, center, !c.trend);
    let total: f64 = pts.iter().map(|p| p.units).sum();
    let days: f64 = pts.iter().map(|p| p.days).sum();
    let mut m =
        MeanModel { level: total / days.max(1.0), weekly: [1.0; 7], monthly: [1.0; 12], beta: 0.0, center, kept: c };
    if total <= 0.0 {
        return m;
    }
    let (mut obs_w, mut obs_m) = ([0.0; 7], [0.0; 12]);
    for p in &pts {
        obs_w[p.weekday] += p.units;
        obs_m[p.month] += p.units;
    }
    let mut growth: Vec<f64> = vec![1.0; pts.len()];
    for _ in 0..200 {
        let before = (m.level, m.weekly, m.monthly, m.beta);
        if c.weekly {
            let mut exp_w = [0.0; 7];
            for (p, g) in pts.iter().zip(&growth) {
                exp_w[p.weekday] += p.days * m.monthly[p.month] * g;
            }
            for k in 0..7 {
                m.weekly[k] = if exp_w[k] > 0.0 { obs_w[k] / (m.level * exp_w[k]) } else { 1.0 };
            }
            normalise(&mut m.weekly, &[1.0; 7], &mut m.level);
        }
        if c.monthly {
            let mut exp_m = [0.0; 12];
            for (p, g) in pts.iter().zip(&growth) {
                exp_m[p.month] += p.days * m.weekly[p.weekday] * g;
            }
            for k in 0..12 {
                m.monthly[k] = if exp_m[k] > 0.0 { obs_m[k] / (m.level * exp_m[k]) } else { 1.0 };
            }
            normalise(&mut m.monthly, &MONTH_DAYS, &mut m.level);
        }
        if c.trend {
            // One Newton step on β: score Σ x (y − μ), information Σ x² μ.
            let (mut score, mut info) = (0.0, 0.0);
            for (p, g) in pts.iter().zip(&growth) {
                let mu = m.level * m.weekly[p.weekday] * m.monthly[p.month] * g * p.days;
                score += p.x * (p.units - mu);
                info += p.x * p.x * mu;
            }
            if info > 0.0 {
                m.beta = (m.beta + (score / info).clamp(-0.002, 0.002)).clamp(-0.02, 0.02);
            }
            for (p, g) in pts.iter().zip(&mut growth) {
                *g = (m.beta * p.x).exp();
            }
        }
        let expected: f64 =
            pts.iter().zip(&growth).map(|(p, g)| p.days * m.weekly[p.weekday] * m.monthly[p.month] * g).sum();
        m.level = total / expected;
        if converged(before, &m) {
            break;
        }
    }
    m
}

/// Scales `f` to mean 1 under the weights `w`, moving the scale into `level`.
fn normalise<const N: usize>(f: &mut [f64; N], w: &[f64; N], level: &mut f64) {
    let mean = f.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>();
    if mean > 0.0 {
        f.iter_mut().for_each(|x| *x /= mean);
        *level *= mean;
    }
}

/// Whether an iteration changed nothing that matters (relative 1e-10, β 1e-12 per day).
fn converged(before: (f64, [f64; 7], [f64; 12], f64), m: &MeanModel) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * a.abs().max(b.abs()).max(1e-300);
    close(before.0, m.level)
        && before.1.iter().zip(&m.weekly).all(|(a, b)| close(*a, *b))
        && before.2.iter().zip(&m.monthly).all(|(a, b)| close(*a, *b))
        && (before.3 - m.beta).abs() <= 1e-12
}

/// Pearson dispersion Σ (y − μ)²/μ / (days − parameters): the variance/mean ratio of the
/// de-seasonalised demand (1 for Poisson).
pub(crate) fn pearson(cal: &Calendar, units: &[f64], used: &[bool], m: &MeanModel, params: usize) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for t in (0..units.len()).filter(|&t| used[t]) {
        let mu = m.mean(cal, t);
        if mu > 0.0 {
            sum += (units[t] - mu).powi(2) / mu;
        }
        n += 1;
    }
    sum / (n.saturating_sub(params).max(1)) as f64
}

/// Squared coefficient of variation Σ ((y − μ)/μ)² / (days − parameters): the normal's spread,
/// which the engine scales with the mean.
pub(crate) fn cv2(cal: &Calendar, units: &[f64], used: &[bool], m: &MeanModel) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for t in (0..units.len()).filter(|&t| used[t]) {
        let mu = m.mean(cal, t);
        if mu > 0.0 {
            sum += ((units[t] - mu) / mu).powi(2);
        }
        n += 1;
    }
    sum / (n.saturating_sub(parameters(m.kept)).max(1)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_knows_weekdays_and_months() {
        // 2024-01-01 was a Monday; 2024-02-01 a Thursday.
        let first = crate::calendar::days_from_civil(2024, 1, 1) as i32;
        let cal = Calendar::new(first, 40);
        assert_eq!((cal.weekday[0], cal.month[0]), (0, 0));
        assert_eq!((cal.weekday[31], cal.month[31]), (3, 1));
    }

    #[test]
    fn an_exact_multiplicative_history_is_recovered_exactly() {
        let first = crate::calendar::days_from_civil(2023, 1, 1) as i32;
        let n = 3 * 365;
        let cal = Calendar::new(first, n);
        let w = [0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 0.8];
        let units: Vec<f64> = (0..n)
            .map(|t| {
                let season = 1.0 + 0.3 * (cal.month[t] as f64 / 12.0 * std::f64::consts::TAU).cos();
                20.0 * w[cal.weekday[t] as usize] * season * (0.0003 * t as f64).exp()
            })
            .collect();
        let used = vec![true; n];
        let all = Components { weekly: true, monthly: true, trend: true };
        let (m, phi) = fit_mean(&cal, &units, &used, all);
        assert_eq!(m.kept, all);
        assert!((m.beta - 0.0003).abs() < 1e-6, "beta {}", m.beta);
        let mean_w = w.iter().sum::<f64>() / 7.0;
        for k in 0..7 {
            assert!((m.weekly[k] - w[k] / mean_w).abs() < 1e-3, "weekday {k}: {}", m.weekly[k]);
        }
        assert!(phi < 0.05, "almost no noise: {phi}");
    }
}
