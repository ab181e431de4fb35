//! Allocation during the day: forecasts, forecast-driven pushes, reserves held for a tier, and
//! lateral transfers between stores. Each runs only when the scenario uses it, per lane.

use rand_distr::{Distribution, StandardNormal};

use super::{Lane, Stocks, Sums};
use crate::model::allocation::{ForecastRt, PushRt};
use crate::model::{Model, NONE};
use crate::policy::whole_units;
use crate::rng::{Purpose, SimRng, entity_key, stream};
use crate::scenario::{ForecastMethod, PolicyKind};

/// Per-position sums kept only when allocation features are used.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Extras {
    /// Units transferred in (sent to it).
    pub transfer_in: f64,
    /// Units transferred out.
    pub transfer_out: f64,
    /// Σ end-of-day units held in reserve.
    pub reserve_held: f64,
    /// Σ |1-day forecast − demand|.
    pub fc_abs: f64,
    /// Σ (1-day forecast − demand).
    pub fc_err: f64,
    /// Σ demand on the days forecast.
    pub fc_actual: f64,
}

/// What a lane keeps for allocation.
#[derive(Clone, Debug, Default)]
pub(super) struct LaneAlloc {
    /// Forecast states, back to back (see `ForecastRt::state`).
    pub forecast: Vec<f64>,
    /// Whether each reserve has been released.
    pub released: Vec<bool>,
    /// Units sold and received since the start, per position (when reserves are watched).
    pub cum_sold: Vec<f64>,
    /// See `cum_sold`.
    pub cum_in: Vec<f64>,
    /// Per-position extra sums (empty unless allocation features are used).
    pub extras: Vec<Extras>,
    /// Forecast-noise stream of each push.
    pub noise_rng: Vec<SimRng>,
    /// Rebalancing scratch: (cover, position).
    pub takers: Vec<(f64, u32)>,
    /// See `takers`.
    pub givers: Vec<(f64, u32)>,
}

impl LaneAlloc {
    /// Allocates what a model needs.
    pub fn new(m: &Model) -> LaneAlloc {
        let a = &m.alloc;
        let n = m.n_pos();
        let used = a.any() || !a.forecasts.is_empty();
        LaneAlloc {
            forecast: vec![0.0; a.forecast_state],
            released: vec![false; a.reserves.len()],
            cum_sold: vec![0.0; if a.track_sell_through { n } else { 0 }],
            cum_in: vec![0.0; if a.track_sell_through { n } else { 0 }],
            extras: vec![Extras::default(); if used { n } else { 0 }],
            noise_rng: vec![stream(0, 0, Purpose::Forecast, 0); a.pushes.len()],
            takers: Vec::with_capacity(n),
            givers: Vec::with_capacity(n),
        }
    }

    /// Resets for replication `rep`.
    pub fn reset(&mut self, m: &Model, seed: u64, rep: u64) {
        self.released.fill(false);
        self.cum_sold.fill(0.0);
        self.cum_in.fill(0.0);
        self.extras.fill(Extras::default());
        for (r, p) in self.noise_rng.iter_mut().zip(&m.alloc.pushes) {
            let name = format!("forecast/{}", m.pos_name(p.stock_pos as usize));
            *r = stream(seed, rep, Purpose::Forecast, entity_key(&name));
        }
        for f in &m.alloc.forecasts {
            let s = &mut self.forecast[f.state as usize..f.state as usize + f.state_len()];
            s.fill(0.0);
            if let ForecastMethod::ExpSmoothing { .. } = f.method {
                // Smoothing starts from the plan's first day.
                s[0] = f.plan.first().copied().unwrap_or(0.0);
            }
        }
    }
}

/// Average daily demand forecast by `f` for simulated days `t + 1 ..= t + horizon`.
pub(super) fn rate(f: &ForecastRt, state: &[f64], t: usize, horizon: usize) -> f64 {
    let s = &state[f.state as usize..f.state as usize + f.state_len()];
    let h = horizon.max(1);
    let plan = || {
        let days = &f.plan[(t + 1).min(f.plan.len())..(t + 1 + h).min(f.plan.len())];
        if days.is_empty() {
            f.plan.last().copied().unwrap_or(0.0)
        } else {
            days.iter().sum::<f64>() / days.len() as f64
        }
    };
    let r = match f.method {
        ForecastMethod::Plan => plan(),
        ForecastMethod::ExpSmoothing { .. } => s[0],
        ForecastMethod::MovingAverage { window } => {
            let seen = s[1].min(f64::from(window));
            if seen > 0.0 { s[0] / seen } else { plan() }
        }
        ForecastMethod::SeasonalNaive { season } => {
            let season = season as usize;
            let seen = s[0] as usize;
            if seen < season {
                plan()
            } else {
                // Day t + k is forecast by day t + k − season, which is in the ring when k ≤ season.
                let ring = &s[1..];
                let k_max = h.min(season);
                (1..=k_max).map(|k| ring[(t + k) % season]).sum::<f64>() / k_max as f64
            }
        }
    };
    r / f.share
}

/// Feeds `f` the demand of day `t`.
pub(super) fn observe(f: &ForecastRt, state: &mut [f64], t: usize, demand: f64) {
    let s = &mut state[f.state as usize..f.state as usize + f.state_len()];
    match f.method {
        ForecastMethod::Plan => {}
        ForecastMethod::ExpSmoothing { alpha } => s[0] += alpha * (demand - s[0]),
        ForecastMethod::MovingAverage { window } => {
            let w = window as usize;
            let slot = 2 + t % w;
            let old = std::mem::replace(&mut s[slot], demand);
            s[0] += demand - old;
            s[1] += 1.0;
        }
        ForecastMethod::SeasonalNaive { season } => {
            s[1 + t % season as usize] = demand;
            s[0] += 1.0;
        }
    }
}

/// Step "forecast" of a day for one lane: errors of yesterday's 1-day forecasts, then today's
/// demand is observed. Runs after demand is known, on every simulated day.
pub(super) fn update_forecasts<const L: usize>(
    m: &Model,
    lane: &mut Lane,
    l: usize,
    demand: &[[f64; L]],
    t: usize,
    measure: bool,
) {
    for f in m.alloc.forecasts.iter().filter(|f| !f.inline) {
        let actual: f64 = f.observes.iter().map(|&q| demand[q as usize][l]).sum();
        feed(f, lane, t, actual, measure);
    }
}

/// Charges the error of yesterday's 1-day forecast of `f` against `actual`, then feeds it day
/// `t`'s demand.
fn feed(f: &ForecastRt, lane: &mut Lane, t: usize, actual: f64, measure: bool) {
    if measure && f.pos != NONE && t > 0 {
        let fc = rate(f, &lane.alloc.forecast, t - 1, 1) * f.share;
        let e = &mut lane.alloc.extras[f.pos as usize];
        e.fc_abs += (fc - actual).abs();
        e.fc_err += fc - actual;
        e.fc_actual += actual;
    }
    observe(f, &mut lane.alloc.forecast, t, actual);
}

/// Feeds the forecast of forecast-driven levels `dl` the demand that arrived at its position on
/// day `t` (customer demand plus orders from below), at the position's turn.
pub(super) fn observe_policy(m: &Model, lane: &mut Lane, dl: u32, t: usize, actual: f64, measure: bool) {
    let f = &m.alloc.forecasts[m.alloc.dyn_levels[dl as usize].forecast as usize];
    feed(f, lane, t, actual, measure);
}

/// Today's rule of forecast-driven levels `dl`: each level is a × forecast + b.
pub(super) fn dyn_kind(m: &Model, dl: u32, lane: &Lane, t: usize, whole: bool) -> PolicyKind {
    let d = &m.alloc.dyn_levels[dl as usize];
    let f = &m.alloc.forecasts[d.forecast as usize];
    let r = rate(f, &lane.alloc.forecast, t, d.horizon) * (1.0 + d.bias);
    let level = |i: usize| (d.a[i] * r + d.b[i]).max(0.0);
    let kind = if d.s_s {
        PolicyKind::SS { s: level(0), big_s: level(1).max(level(0)) }
    } else {
        PolicyKind::BaseStock { level: level(1) }
    };
    if whole { whole_units(kind) } else { kind }
}

/// Whether push `p` allocates on measured day `mday`.
pub(super) fn push_day(p: &PushRt, mday: i64) -> bool {
    mday.rem_euclid(i64::from(p.cycle)) == i64::from(p.offset)
}

/// The push of `p` in lane `l` on simulated day `t`: each child is sent its forecast need over
/// the horizon plus its buffer, minus its inventory position (never negative). The quantities
/// become owed to the children, as if they had ordered; returns their total.
pub(super) fn push<const L: usize>(
    m: &Model,
    p: &PushRt,
    lane: &mut Lane,
    l: usize,
    t: usize,
    stocks: &mut [Stocks<L>],
) -> f64 {
    let pi = m.alloc.push_of[p.stock_pos as usize] as usize;
    let mut total = 0.0;
    for (i, c) in (p.lo as usize..p.hi as usize).enumerate() {
        let f = &m.alloc.forecasts[p.forecast[i] as usize];
        let h = p.horizon[i];
        let mut r = rate(f, &lane.alloc.forecast, t, h.ceil() as usize) * (1.0 + p.bias);
        if p.noise_sigma > 0.0 {
            let z: f64 = StandardNormal.sample(&mut lane.alloc.noise_rng[pi]);
            r *= (p.noise_sigma * z - 0.5 * p.noise_sigma * p.noise_sigma).exp();
        }
        let s = &mut stocks[c];
        let ip = s.on_hand[l] + s.in_transit[l] + s.owed_in[l] - s.cust_bo[l];
        let mut qty = (r * h + p.buffer[i] - ip).max(0.0);
        if m.whole[c] {
            qty = (qty - 1e-9).ceil().max(0.0);
        }
        s.owed_in[l] += qty;
        total += qty;
    }
    total
}

/// Releases reserves whose protected tier has reached its sell-through; counts units held.
pub(super) fn reserves(m: &Model, lane: &mut Lane, l: usize, on_hand: impl Fn(usize) -> f64, measure: bool) {
    let _ = l;
    for (i, r) in m.alloc.reserves.iter().enumerate() {
        if lane.alloc.released[i] {
            continue;
        }
        let (sold, inflow) = r.watch.iter().fold((0.0, 0.0), |(s, f), &q| {
            let q = q as usize;
            (s + lane.alloc.cum_sold[q], f + m.initial[q] + lane.alloc.cum_in[q])
        });
        if inflow > 0.0 && sold / inflow >= r.threshold {
            lane.alloc.released[i] = true;
            continue;
        }
        if measure {
            lane.alloc.extras[r.stock_pos as usize].reserve_held += r.units.min(on_hand(r.stock_pos as usize));
        }
    }
}

/// Lateral transfers of a review day in lane `l`: in every group, stores below the trigger
/// (days of cover = (on hand + in transit − backorders) ÷ expected demand) receive from stores
/// above the target, the lowest cover first from the highest, until receivers reach the target
/// or donors would fall below it. Transfers leave the donor's shelf at once and arrive after the
/// transfer lead time. Returns the units moved.
pub(super) fn rebalance<const L: usize>(
    m: &Model,
    lane: &mut Lane,
    l: usize,
    stocks: &mut [Stocks<L>],
    sums: &mut [Sums<L>],
    ring: &mut [[f64; L]],
    arrive_slot: usize,
    measure: bool,
) -> f64 {
    let Some(rb) = &m.alloc.rebalance else { return 0.0 };
    let mu = &m.alloc.mu;
    let mut moved = 0.0;
    for g in &rb.groups {
        lane.alloc.takers.clear();
        lane.alloc.givers.clear();
        for &q in g {
            let (qi, s) = (q as usize, &stocks[q as usize]);
            if mu[qi] <= 0.0 {
                continue;
            }
            let cover = (s.on_hand[l] + s.in_transit[l] - s.cust_bo[l]) / mu[qi];
            if cover < rb.trigger {
                lane.alloc.takers.push((cover, q));
            } else if cover > rb.target {
                lane.alloc.givers.push((cover, q));
            }
        }
        if lane.alloc.takers.is_empty() || lane.alloc.givers.is_empty() {
            continue;
        }
        lane.alloc.takers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        lane.alloc.givers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut gi = 0;
        for ti in 0..lane.alloc.takers.len() {
            let r = lane.alloc.takers[ti].1 as usize;
            let need_of = |s: &Stocks<L>| rb.target * mu[r] - (s.on_hand[l] + s.in_transit[l] - s.cust_bo[l]);
            while gi < lane.alloc.givers.len() {
                let need = need_of(&stocks[r]);
                if need <= 0.0 {
                    break;
                }
                let d = lane.alloc.givers[gi].1 as usize;
                let sd = &stocks[d];
                let spare = (sd.on_hand[l] + sd.in_transit[l] - sd.cust_bo[l] - rb.target * mu[d]).min(sd.on_hand[l]);
                // Each pass either meets the taker's need (all of it, or for whole units all but
                // a fraction no whole unit fills) and keeps this giver for the next taker, or
                // empties the giver (to less than a unit) and moves on to the next one: at most
                // takers + givers passes whatever the rounding. The need is not re-read after it
                // was met: the rounding of on hand + in transit can leave a residual below the
                // resolution of that sum, which no transfer reduces (issue 12).
                let met = need <= spare;
                let mut x = need.min(spare).max(0.0);
                if m.whole[r] {
                    x = x.floor();
                }
                if x > 0.0 {
                    stocks[d].on_hand[l] -= x;
                    stocks[r].in_transit[l] += x;
                    ring[arrive_slot + r][l] += x;
                    moved += x;
                    if measure {
                        lane.alloc.extras[d].transfer_out += x;
                        lane.alloc.extras[r].transfer_in += x;
                        // Today's end-of-day stocks were summed in pass 1: correct them, as
                        // `ship` does for shipments.
                        sums[d].on_hand[l] -= x;
                        sums[r].in_transit[l] += x;
                    }
                }
                if met {
                    break;
                }
                gi += 1;
            }
        }
    }
    moved
}
