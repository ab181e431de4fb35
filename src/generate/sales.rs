//! The sales history (sales.csv): `days` days ending the day before the scenario's start date,
//! drawn from each position's true demand model (demand.csv), with stock on hand.
//!
//! Each store is replenished once a week (on its delivery weekday) up to the expected demand of
//! the coming week plus a position-specific safety margin; a day's sales are the demand, capped at
//! the stock. A day that ends with nothing on hand is censored: its row says `on_hand = 0` and
//! its units are what the stock allowed. Rows exist only for days with sales or censored;
//! a missing day is zero sales. Rows are sorted by date, location, SKU.
//!
//! Seasonality scales demand as the engine does (`demand::demand_multiplier`): a Poisson's mean,
//! a negative binomial's gamma shape (its dispersion kept); an intermittent position's chance of
//! a sale (at most 1), its purchase sizes unchanged.

use std::io::{self, Write};

use rand_distr::{Distribution, Gamma, Poisson};

use super::model::{DemandKind, Position, Retailer, normal, stream};
use crate::calendar::{civil_from_days, days_from_civil, weekday_and_month};
use crate::rng::{SimRng, entity_key, splitmix64, unit_f64};

/// Header of sales.csv.
pub const SALES_HEADER: &str = "date,location,sku,units,on_hand";

/// What a written history holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SalesCount {
    /// Rows written.
    pub rows: u64,
    /// Position-days that ended out of stock (censored).
    pub censored: u64,
    /// Position-days of history in all.
    pub position_days: u64,
}

/// A position's daily demand, as drawn.
#[derive(Clone, Copy, Debug)]
enum Draw {
    Poisson {
        mean: f64,
    },
    /// Gamma–Poisson: shape r, scale θ (shape × multiplier under seasonality).
    NegBin {
        r: f64,
        theta: f64,
    },
    /// Occurrence with `probability`, then 1 + a Poisson (`r` = 0) or negative binomial of mean
    /// `extra` (shape r, scale θ).
    Intermittent {
        probability: f64,
        extra: f64,
        r: f64,
        theta: f64,
    },
}

impl Draw {
    /// How demand.csv's (mean, sd, probability) are drawn; the moments of an intermittent
    /// position's sizes follow from them: mean/p, and (sd² + mean²)/p − (mean/p)².
    fn of(p: &Position) -> Draw {
        match p.kind {
            DemandKind::Poisson => Draw::Poisson { mean: p.mean },
            DemandKind::NegativeBinomial => {
                let var = p.sd * p.sd;
                Draw::NegBin { r: p.mean * p.mean / (var - p.mean), theta: (var - p.mean) / p.mean }
            }
            DemandKind::Intermittent => {
                let size_mean = p.mean / p.probability;
                let size_var = (p.sd * p.sd + p.mean * p.mean) / p.probability - size_mean * size_mean;
                let extra = size_mean - 1.0;
                let (r, theta) = if extra > 0.0 && size_var > extra * (1.0 + 1e-9) {
                    (extra * extra / (size_var - extra), (size_var - extra) / extra)
                } else {
                    (0.0, 0.0)
                };
                Draw::Intermittent { probability: p.probability, extra: extra.max(0.0), r, theta }
            }
        }
    }

    /// One day's demand under multiplier `m`.
    fn sample(&self, rng: &mut SimRng, m: f64) -> u64 {
        if m <= 0.0 {
            return 0;
        }
        match *self {
            Draw::Poisson { mean } => poisson(rng, mean * m),
            Draw::NegBin { r, theta } => {
                let lambda = gamma(rng, r * m, theta);
                poisson(rng, lambda)
            }
            Draw::Intermittent { probability, extra, r, theta } => {
                if unit_f64(rng) >= (probability * m).min(1.0) {
                    return 0;
                }
                let lambda = if r > 0.0 { gamma(rng, r, theta) } else { extra };
                1 + poisson(rng, lambda)
            }
        }
    }
}

/// A Poisson draw: inversion for small means, rand_distr's otherwise.
fn poisson(rng: &mut SimRng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let (mut k, mut p) = (0u64, (-mean).exp());
        let (mut cdf, u) = (p, unit_f64(rng));
        while u > cdf && k < 1000 {
            k += 1;
            p *= mean / k as f64;
            cdf += p;
        }
        return k;
    }
    Poisson::new(mean).map_or(0, |d| d.sample(rng) as u64)
}

/// A gamma draw (shape, scale).
fn gamma(rng: &mut SimRng, shape: f64, scale: f64) -> f64 {
    Gamma::new(shape, scale).map_or(0.0, |g| g.sample(rng))
}

/// A position's state through the history.
struct State {
    rng: SimRng,
    draw: Draw,
    on_hand: u64,
    /// Safety factor of its weekly replenishment.
    z: f64,
}

/// Days of a replenishment cycle.
const CYCLE: usize = 7;

impl Retailer {
    /// The demand multiplier of each category on each history day (day 0 = the first).
    pub fn history_multipliers(&self) -> Vec<Vec<f64>> {
        let days = self.spec.days as i64;
        self.categories
            .iter()
            .map(|c| {
                (-days..0)
                    .map(|offset| {
                        let (wd, mo) = weekday_and_month(self.spec.start_date, offset);
                        let mut m = c.weekly[wd] * c.monthly.map_or(1.0, |y| y[mo]);
                        if c.trend_per_year != 0.0 {
                            m *= (1.0 + c.trend_per_year).powf(offset as f64 / 365.0);
                        }
                        m
                    })
                    .collect()
            })
            .collect()
    }

    /// Writes sales.csv, day by day across all positions (memory: one small state per position).
    pub fn write_sales(&self, w: &mut impl Write) -> io::Result<SalesCount> {
        writeln!(w, "{SALES_HEADER}")?;
        let mult = self.history_multipliers();
        let seed = self.spec.seed;
        let sku_keys: Vec<u64> = self.skus.iter().map(|k| splitmix64(entity_key(&k.id))).collect();
        let mut states: Vec<State> = Vec::with_capacity(self.positions.len());
        for (s, st) in self.stores.iter().enumerate() {
            let store_key = entity_key(&st.id);
            for k in 0..self.skus.len() {
                let p = self.position(s, k);
                let mut rng = stream(seed, "sales", store_key ^ sku_keys[k]);
                let slow = if p.kind == DemandKind::Intermittent { 0.5 } else { 0.0 };
                let z = 2.0 + slow + 0.3 * normal(&mut rng).clamp(-2.0, 2.0);
                states.push(State { rng, draw: Draw::of(p), on_hand: 0, z });
            }
        }
        let first = days_from_civil(self.spec.start_date.0, self.spec.start_date.1, self.spec.start_date.2)
            - self.spec.days as i64;
        let mut count = SalesCount::default();
        let mut line = Vec::with_capacity(64);
        for day in 0..self.spec.days {
            let (y, m, d) = civil_from_days(first + day as i64);
            let date = format!("{y:04}-{m:02}-{d:02},");
            let weekday = (first + day as i64 + 3).rem_euclid(7) as usize;
            for (s, st) in self.stores.iter().enumerate() {
                let delivery = day == 0 || weekday == st.delivery_weekday;
                for (k, sku) in self.skus.iter().enumerate() {
                    let i = s * self.skus.len() + k;
                    let series = &mult[sku.category];
                    let state = &mut states[i];
                    if delivery {
                        let up_to = order_up_to(&self.positions[i], state.z, &series[day..]);
                        state.on_hand = state.on_hand.max(up_to);
                    }
                    let demand = state.draw.sample(&mut state.rng, series[day]);
                    let sold = demand.min(state.on_hand);
                    state.on_hand -= sold;
                    count.position_days += 1;
                    if sold == 0 && state.on_hand > 0 {
                        continue;
                    }
                    count.censored += u64::from(state.on_hand == 0);
                    count.rows += 1;
                    line.clear();
                    line.extend_from_slice(date.as_bytes());
                    line.extend_from_slice(st.id.as_bytes());
                    line.push(b',');
                    line.extend_from_slice(sku.id.as_bytes());
                    line.push(b',');
                    push_int(&mut line, sold);
                    line.push(b',');
                    push_int(&mut line, state.on_hand);
                    line.push(b'\n');
                    w.write_all(&line)?;
                }
            }
        }
        Ok(count)
    }
}

/// The stock a weekly delivery fills up to: the expected demand of the next cycle (from the
/// multipliers ahead, the last one repeated past the end) plus `z` standard deviations.
fn order_up_to(p: &Position, z: f64, ahead: &[f64]) -> u64 {
    let last = ahead.last().copied().unwrap_or(1.0);
    let m: f64 = (0..CYCLE).map(|d| ahead.get(d).copied().unwrap_or(last)).sum();
    let expected = p.mean * m;
    let sd = p.sd * m.sqrt();
    // A slow mover's shelf holds at least two purchases of its mean size.
    let floor = if p.kind == DemandKind::Intermittent { (2.0 * p.mean / p.probability).ceil() } else { 1.0 };
    (expected + z * sd).ceil().max(floor) as u64
}

/// Appends a whole number in decimal.
fn push_int(line: &mut Vec<u8>, mut x: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    line.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_in_decimal() {
        let mut v = Vec::new();
        for x in [0, 7, 10, 12_345, u64::MAX] {
            push_int(&mut v, x);
            v.push(b' ');
        }
        assert_eq!(String::from_utf8(v).unwrap(), format!("0 7 10 12345 {} ", u64::MAX));
    }

    #[test]
    fn draws_have_the_written_moments() {
        let mut rng = stream(5, "test", 0);
        let cases = [
            Position { kind: DemandKind::Poisson, mean: 3.0, sd: 3f64.sqrt(), probability: 1.0 },
            Position { kind: DemandKind::NegativeBinomial, mean: 4.0, sd: 3.0, probability: 1.0 },
            Position { kind: DemandKind::Intermittent, mean: 0.2, sd: 0.7, probability: 0.1 },
        ];
        for p in cases {
            let d = Draw::of(&p);
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng, 1.0) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let zero = xs.iter().filter(|&&x| x == 0.0).count() as f64 / n as f64;
            // 5 standard errors of the mean; the variance within 5 %.
            assert!((mean - p.mean).abs() < 5.0 * p.sd / (n as f64).sqrt(), "{p:?}: mean {mean}");
            assert!((var / (p.sd * p.sd) - 1.0).abs() < 0.05, "{p:?}: var {var}");
            if p.kind == DemandKind::Intermittent {
                assert!((1.0 - zero - p.probability).abs() < 0.005, "{p:?}: share of days {}", 1.0 - zero);
            }
        }
    }
}
