//! Forecasts, day by day: feeding each forecast the demand it observes (charging yesterday's
//! one-day forecast error first), reading its rate over a horizon, and the day's levels of a
//! forecast-driven policy.

use super::ForecastMethod;
use super::compile::ForecastRt;
use crate::allocation::LaneAlloc;
use crate::model::{Model, NONE};
use crate::policy::{PolicyKind, whole_units};

/// Average daily demand forecast by `f` for simulated days `t + 1 ..= t + horizon`.
pub(crate) fn rate(f: &ForecastRt, state: &[f64], t: usize, horizon: usize) -> f64 {
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
pub(crate) fn observe(f: &ForecastRt, state: &mut [f64], t: usize, demand: f64) {
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

/// Resets the forecasts' states for a new replication: empty, smoothing starting from the plan.
pub(crate) fn reset(forecasts: &[ForecastRt], state: &mut [f64]) {
    for f in forecasts {
        let s = &mut state[f.state as usize..f.state as usize + f.state_len()];
        s.fill(0.0);
        if let ForecastMethod::ExpSmoothing { .. } = f.method {
            // Smoothing starts from the plan's first day.
            s[0] = f.plan.first().copied().unwrap_or(0.0);
        }
    }
}

/// Step "forecast" of a day for lane `l`: errors of yesterday's 1-day forecasts, then today's
/// demand is observed: customer demand, and the units a fulfilment node shipped to online orders
/// today (`online`, per position; empty without online orders). Runs after demand is known, on
/// every simulated day.
pub(crate) fn update_forecasts<const L: usize>(
    m: &Model,
    a: &mut LaneAlloc,
    l: usize,
    (demand, online): (&[[f64; L]], &[f64]),
    t: usize,
    measure: bool,
) {
    for f in m.alloc.forecasts.iter().filter(|f| !f.inline) {
        let mut actual: f64 = f.observes.iter().map(|&q| demand[q as usize][l]).sum();
        if !online.is_empty() {
            actual += f.observes.iter().map(|&q| online[q as usize]).sum::<f64>();
        }
        feed(f, a, t, actual, measure);
    }
}

/// Charges the error of yesterday's 1-day forecast of `f` against `actual`, then feeds it day
/// `t`'s demand.
fn feed(f: &ForecastRt, a: &mut LaneAlloc, t: usize, actual: f64, measure: bool) {
    if measure && f.pos != NONE && t > 0 {
        let fc = rate(f, &a.forecast, t - 1, 1) * f.share;
        let e = &mut a.extras[f.pos as usize];
        e.fc_abs += (fc - actual).abs();
        e.fc_err += fc - actual;
        e.fc_actual += actual;
    }
    observe(f, &mut a.forecast, t, actual);
}

/// Feeds the forecast of forecast-driven levels `dl` the demand that arrived at its position on
/// day `t` (customer demand plus orders from below), at the position's turn.
pub(crate) fn observe_policy(m: &Model, a: &mut LaneAlloc, dl: u32, t: usize, actual: f64, measure: bool) {
    let f = &m.alloc.forecasts[m.alloc.dyn_levels[dl as usize].forecast as usize];
    feed(f, a, t, actual, measure);
}

/// Today's rule of forecast-driven levels `dl`: each level is a × forecast + b.
pub(crate) fn dyn_kind(m: &Model, dl: u32, a: &LaneAlloc, t: usize, whole: bool) -> PolicyKind {
    let d = &m.alloc.dyn_levels[dl as usize];
    let f = &m.alloc.forecasts[d.forecast as usize];
    let r = rate(f, &a.forecast, t, d.horizon) * (1.0 + d.bias);
    let level = |i: usize| (d.a[i] * r + d.b[i]).max(0.0);
    let kind = if d.s_s {
        PolicyKind::SS { s: level(0), big_s: level(1).max(level(0)) }
    } else {
        PolicyKind::BaseStock { level: level(1) }
    };
    if whole { whole_units(kind) } else { kind }
}
