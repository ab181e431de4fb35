//! Forecasts, compiled: each forecast's method, what it observes, its plan and where its state
//! lives, and the forecast-driven levels of policies.

use super::ForecastMethod;
use crate::demand::demand_multipliers;
use crate::model::Model;
use crate::policy::{LevelSpec, PolicyKind, resolve_level};
use crate::scenario::Scenario;

/// A demand forecast kept during a replication.
#[derive(Clone, Debug)]
pub struct ForecastRt {
    /// Method.
    pub method: ForecastMethod,
    /// Positions whose demand it observes (one, or every position of the SKU for a national
    /// forecast).
    pub observes: Vec<u32>,
    /// Its rate is divided by this (1, or the number of positions sharing a national forecast).
    pub share: f64,
    /// The plan: expected demand per simulated day (for the `plan` method and to start from).
    pub plan: Vec<f64>,
    /// Offset of its state in the per-replication forecast arena.
    pub state: u32,
    /// Position its error is charged to (NONE for a national forecast).
    pub pos: u32,
    /// A policy's forecast: fed in the day loop at its position's turn with the demand arriving
    /// there (customer demand plus orders from below), not with the other forecasts.
    pub inline: bool,
}

/// Forecast-driven levels of a policy: each level is `a × forecast + b`, re-set every day.
#[derive(Clone, Copy, Debug)]
pub struct DynLevel {
    /// Index of its forecast in `Allocation::forecasts`.
    pub forecast: u32,
    /// Days ahead the forecast rate is taken over (lead time + review period − 1, at least 1).
    pub horizon: usize,
    /// Coefficients of [s, S] (base-stock: both the level).
    pub a: [f64; 2],
    /// See `a`.
    pub b: [f64; 2],
    /// Forecasts × (1 + bias).
    pub bias: f64,
    /// s_S (else base-stock).
    pub s_s: bool,
}

impl ForecastRt {
    /// Number of state values it keeps.
    pub fn state_len(&self) -> usize {
        match self.method {
            ForecastMethod::MovingAverage { window } => window as usize + 2,
            ForecastMethod::SeasonalNaive { season } => season as usize + 1,
            ForecastMethod::ExpSmoothing { .. } => 1,
            ForecastMethod::Plan => 0,
        }
    }
}

/// A forecast of the demand of `observes`, with its plan (expected demand per simulated day).
pub(crate) fn new_forecast(m: &Model, method: &ForecastMethod, observes: Vec<u32>, share: f64, pos: u32) -> ForecastRt {
    let sc = &m.scenario;
    let mut plan = vec![0.0; m.total_days];
    for &q in &observes {
        let (l, k) = ((m.topo.pos_loc[q as usize]).idx(), m.topo.pos_sku[q as usize] as usize);
        for d in sc.demand.iter().filter(|d| d.location == l && d.sku == k) {
            let mult = demand_multipliers(d, sc.simulation.start_date, m.warmup, m.total_days);
            for (p, x) in plan.iter_mut().zip(mult) {
                *p += d.dist.mean() * x;
            }
        }
        // The online demand the node plans to ship (see `channel::plan`).
        for r in sc.routed.iter().filter(|r| r.node == l && sc.demand[r.demand].sku == k) {
            let d = &sc.demand[r.demand];
            let mult = demand_multipliers(d, sc.simulation.start_date, m.warmup, m.total_days);
            for (p, x) in plan.iter_mut().zip(mult) {
                *p += r.share * d.dist.mean() * x;
            }
        }
    }
    ForecastRt { method: method.clone(), observes, share, plan, state: 0, pos, inline: false }
}

/// Policies whose levels follow a forecast of the demand arriving at the position: appends
/// their forecasts to `forecasts` and their levels to `dyn_levels`, and marks the positions'
/// policies dynamic. `mu` is each position's expected daily demand.
pub(crate) fn dynamic_levels(
    sc: &Scenario,
    m: &mut Model,
    mu: &[f64],
    forecasts: &mut Vec<ForecastRt>,
    dyn_levels: &mut Vec<DynLevel>,
) {
    for q in 0..m.n_pos() {
        let spec = &sc.positions[m.topo.pos_spec[q] as usize];
        let pol = &spec.policy;
        let Some(fc) = &pol.forecast else { continue };
        let lt = &sc.locations[m.topo.pos_loc[q].idx()].lead_time;
        let period = lt.mean() + f64::from(pol.review_days) - 1.0;
        let (mean, var) = (mu[q], spec.planned().1);
        let mut coef = [(0.0, 0.0); 2];
        for (i, &(_, level)) in pol.specs.iter().enumerate().take(2) {
            coef[i] = match level {
                LevelSpec::Units(u) => (0.0, u),
                LevelSpec::Days(d) => (d, 0.0),
                LevelSpec::Cover(f) => (f * period, 0.0),
                LevelSpec::Service(_) => (period, resolve_level(level, mean, var, lt, pol.review_days) - mean * period),
            };
        }
        let s_s = matches!(pol.kind, PolicyKind::SS { .. });
        if !s_s {
            coef[1] = coef[0];
        }
        let mut f = if m.topo.customer[q] {
            new_forecast(m, &fc.method, vec![q as u32], 1.0, q as u32)
        } else {
            ForecastRt {
                method: fc.method.clone(),
                observes: vec![q as u32],
                share: 1.0,
                plan: vec![mean; m.total_days],
                state: 0,
                pos: q as u32,
                inline: true,
            }
        };
        f.inline = true;
        forecasts.push(f);
        dyn_levels.push(DynLevel {
            forecast: forecasts.len() as u32 - 1,
            horizon: period.ceil().max(1.0) as usize,
            a: [coef[0].0, coef[1].0],
            b: [coef[0].1, coef[1].1],
            bias: fc.bias,
            s_s,
        });
        m.stock.policy[q].dynamic = dyn_levels.len() as u32 - 1;
        m.stock.policy[q].simple = false;
    }
}

/// Lays the forecasts' states out back to back; returns the arena's length.
pub(crate) fn arena(forecasts: &mut [ForecastRt]) -> usize {
    let mut offset = 0;
    for f in forecasts {
        f.state = offset as u32;
        offset += f.state_len();
    }
    offset
}
