//! Allocation during the day: forecast-driven pushes, reserves held for a tier, and lateral
//! transfers between stores. Each runs only when the scenario uses it, per lane. (Rationing
//! among a source's children is in [`super::ration`].)

use rand_distr::{Distribution, StandardNormal};

use super::compile::PushRt;
use crate::engine::{Stocks, Sums};
use crate::forecast::step::{rate, reset as reset_forecasts};
use crate::model::Model;
use crate::records::RecordsState;
use crate::rng::{Purpose, SimRng, stream};

/// Per-position sums kept only when allocation features are used.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Extras {
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
pub(crate) struct LaneAlloc {
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
            *r = stream(seed, rep, Purpose::Forecast, p.noise_key);
        }
        reset_forecasts(&m.alloc.forecasts, &mut self.forecast);
    }
}

/// Whether push `p` allocates on measured day `mday`.
pub(crate) fn push_day(p: &PushRt, mday: i64) -> bool {
    mday.rem_euclid(i64::from(p.cycle)) == i64::from(p.offset)
}

/// The push of `p` in lane `l` on simulated day `t`: each child is sent its forecast need over
/// the horizon plus its buffer, minus its inventory position (never negative). The quantities
/// become owed to the children, as if they had ordered; returns their total.
pub(crate) fn push<const L: usize>(
    m: &Model,
    p: &PushRt,
    a: &mut LaneAlloc,
    l: usize,
    t: usize,
    stocks: &mut [Stocks<L>],
    rec: &RecordsState<L>,
) -> f64 {
    let pi = m.alloc.push_of[p.stock_pos as usize] as usize;
    let mut total = 0.0;
    for (i, c) in (p.lo as usize..p.hi as usize).enumerate() {
        let f = &m.alloc.forecasts[p.forecast[i] as usize];
        let h = p.horizon[i];
        let mut r = rate(f, &a.forecast, t, h.ceil() as usize) * (1.0 + p.bias);
        if p.noise_sigma > 0.0 {
            let z: f64 = StandardNormal.sample(&mut a.noise_rng[pi]);
            r *= (p.noise_sigma * z - 0.5 * p.noise_sigma * p.noise_sigma).exp();
        }
        let s = &mut stocks[c];
        let ip = recorded(s, rec, c, l) + s.in_transit[l] + s.owed_in[l] - s.cust_bo[l];
        let mut qty = (r * h + p.buffer[i] - ip).max(0.0);
        if m.stock.whole[c] {
            qty = (qty - 1e-9).ceil().max(0.0);
        }
        s.owed_in[l] += qty;
        total += qty;
    }
    total
}

/// The on-hand decisions see: the record where the model keeps records, as it was k days ago
/// at a location with a visibility lag (see [`RecordsState::planned_on_hand`]), else the shelf.
#[inline]
fn recorded<const L: usize>(s: &Stocks<L>, rec: &RecordsState<L>, q: usize, l: usize) -> f64 {
    rec.planned_on_hand(q, l, s.on_hand[l])
}

/// Releases reserves whose protected tier has reached its sell-through; counts units held.
pub(crate) fn reserves(m: &Model, a: &mut LaneAlloc, on_hand: impl Fn(usize) -> f64, measure: bool) {
    for (i, r) in m.alloc.reserves.iter().enumerate() {
        if a.released[i] {
            continue;
        }
        let (sold, inflow) = r.watch.iter().fold((0.0, 0.0), |(s, f), &q| {
            let q = q as usize;
            (s + a.cum_sold[q], f + m.stock.initial[q] + a.cum_in[q])
        });
        if inflow > 0.0 && sold / inflow >= r.threshold {
            a.released[i] = true;
            continue;
        }
        if measure {
            a.extras[r.stock_pos as usize].reserve_held += r.units.min(on_hand(r.stock_pos as usize));
        }
    }
}

/// Lateral transfers of a review day in lane `l`: in every group, stores below the trigger
/// (days of cover = (on hand + in transit − backorders) ÷ expected demand) receive from stores
/// above the target, the lowest cover first from the highest, until receivers reach the target
/// or donors would fall below it. Transfers leave the donor's shelf at once and arrive after the
/// transfer lead time. Returns the units moved.
// The day's state arrives in pieces (the engine's lanes are split borrows), hence the arguments.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rebalance<const L: usize>(
    m: &Model,
    a: &mut LaneAlloc,
    l: usize,
    stocks: &mut [Stocks<L>],
    sums: &mut [Sums<L>],
    ring: &mut [[f64; L]],
    arrive_slot: usize,
    measure: bool,
    rec: &mut RecordsState<L>,
) -> f64 {
    let Some(rb) = &m.alloc.rebalance else { return 0.0 };
    let mu = &m.alloc.mu;
    let mut moved = 0.0;
    for g in &rb.groups {
        a.takers.clear();
        a.givers.clear();
        for &q in g {
            let (qi, s) = (q as usize, &stocks[q as usize]);
            if mu[qi] <= 0.0 {
                continue;
            }
            let cover = (recorded(s, rec, qi, l) + s.in_transit[l] - s.cust_bo[l]) / mu[qi];
            if cover < rb.trigger {
                a.takers.push((cover, q));
            } else if cover > rb.target {
                a.givers.push((cover, q));
            }
        }
        if a.takers.is_empty() || a.givers.is_empty() {
            continue;
        }
        a.takers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        a.givers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut gi = 0;
        for ti in 0..a.takers.len() {
            let r = a.takers[ti].1 as usize;
            while gi < a.givers.len() {
                let sr = &stocks[r];
                let need = rb.target * mu[r] - (recorded(sr, rec, r, l) + sr.in_transit[l] - sr.cust_bo[l]);
                if need <= 0.0 {
                    break;
                }
                let d = a.givers[gi].1 as usize;
                let sd = &stocks[d];
                // Planned on the record; the shelf sends at most what it holds.
                let spare = (recorded(sd, rec, d, l) + sd.in_transit[l] - sd.cust_bo[l] - rb.target * mu[d])
                    .min(recorded(sd, rec, d, l))
                    .min(sd.on_hand[l]);
                // Each pass either meets the taker's need (all of it, or for whole units all but
                // a fraction no whole unit fills) and keeps this giver for the next taker, or
                // empties the giver (to less than a unit) and moves on to the next one: at most
                // takers + givers passes whatever the rounding. The need is not re-read after it
                // was met: the rounding of on hand + in transit can leave a residual below the
                // resolution of that sum, which no transfer reduces (issue 12).
                let met = need <= spare;
                let mut x = need.min(spare).max(0.0);
                if m.stock.whole[r] {
                    x = x.floor();
                }
                if x > 0.0 {
                    stocks[d].on_hand[l] -= x;
                    rec.sent(m, d, l, x);
                    stocks[r].in_transit[l] += x;
                    ring[arrive_slot + r][l] += x;
                    moved += x;
                    if measure {
                        a.extras[d].transfer_out += x;
                        a.extras[r].transfer_in += x;
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
