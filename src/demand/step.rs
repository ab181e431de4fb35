//! Demand, day by day: the random shocks and common factors of the day, then every stream's
//! draw. The engine calls these first thing in a day, before pass 1 serves the demand.

use rand_distr::{Distribution, StandardNormal};

use super::compile::{Stream, TableStream};
use crate::distribution::TableArena;
use crate::model::Model;
use crate::rng::{Purpose, SimRng, stream, unit_f64};

/// What one replication (lane) keeps of demand between days: streams and process states.
#[derive(Clone, Debug)]
pub(crate) struct DemandLane {
    /// Random streams of the general demand streams (`Model::streams`).
    pub rng: Vec<SimRng>,
    /// Random shock processes: days left in the current event and its multiplier.
    pub shock_state: Vec<(u32, f64)>,
    /// Common factors: current logarithm.
    pub factor_state: Vec<f64>,
    /// Streams of the shock processes.
    pub shock_rng: Vec<SimRng>,
    /// Streams of the common factors.
    pub factor_rng: Vec<SimRng>,
    /// Today's extra demand multiplier of each general stream (shocks × factors).
    pub dyn_mult: Vec<f64>,
    /// The week of history each general stream replays (`weeks` demand; `u32::MAX`: none yet).
    pub week: Vec<u32>,
}

impl DemandLane {
    /// Allocates what a model needs.
    pub fn new(m: &Model) -> DemandLane {
        let blank = || stream(0, 0, Purpose::Demand, 0);
        DemandLane {
            rng: vec![blank(); m.demand.streams.len()],
            shock_state: vec![(0, 1.0); m.demand.shocks.len()],
            factor_state: vec![0.0; m.demand.factors.len()],
            shock_rng: vec![blank(); m.demand.shocks.len()],
            factor_rng: vec![blank(); m.demand.factors.len()],
            dyn_mult: vec![1.0; m.demand.streams.len()],
            week: vec![u32::MAX; m.demand.streams.len()],
        }
    }

    /// Resets for replication `rep`: every stream keyed by its name.
    pub fn reset(&mut self, m: &Model, seed: u64, rep: u64) {
        for (r, s) in self.rng.iter_mut().zip(&m.demand.streams) {
            *r = stream(seed, rep, Purpose::Demand, s.key);
        }
        self.shock_state.fill((0, 1.0));
        for (r, x) in self.shock_rng.iter_mut().zip(&m.demand.shocks) {
            *r = stream(seed, rep, Purpose::Shock, x.key);
        }
        for ((r, x), v) in self.factor_rng.iter_mut().zip(&m.demand.factors).zip(&mut self.factor_state) {
            *r = stream(seed, rep, Purpose::Factor, x.key);
            // Start from the factor's stationary distribution.
            let z: f64 = StandardNormal.sample(r);
            *v = x.sigma * z;
        }
        self.dyn_mult.fill(1.0);
        self.week.fill(u32::MAX);
    }
}

/// Today's shocks and common factors, as multipliers of the general streams they hit; returns
/// whether a shock is under way (a disruption for the resilience KPIs).
#[inline(always)]
pub(crate) fn shocks_and_factors(m: &Model, d: &mut DemandLane) -> bool {
    let mut disrupted = false;
    d.dyn_mult.fill(1.0);
    for (i, x) in m.demand.shocks.iter().enumerate() {
        let (left, mult) = &mut d.shock_state[i];
        if *left == 0 && unit_f64(&mut d.shock_rng[i]) < x.p_start {
            *left = x.duration.draw(&mut d.shock_rng[i]);
            *mult = x.multiplier.sample(&mut d.shock_rng[i], 0);
        }
        if *left > 0 {
            *left -= 1;
            disrupted = true;
            for &s in &x.streams {
                d.dyn_mult[s as usize] *= *mult;
            }
        }
    }
    for (i, x) in m.demand.factors.iter().enumerate() {
        // AR(1) on the logarithm, stationary N(0, σ²); exp(v − σ²/2) has mean 1.
        let z: f64 = StandardNormal.sample(&mut d.factor_rng[i]);
        let v = &mut d.factor_state[i];
        *v = x.rho * *v + (1.0 - x.rho * x.rho).sqrt() * x.sigma * z;
        let f = (*v - 0.5 * x.sigma * x.sigma).exp();
        for &s in &x.streams {
            d.dyn_mult[s as usize] *= f;
        }
    }
    disrupted
}

/// Draws every table stream's demand into `demand` for every lane; returns the day's totals.
#[inline(always)]
pub(crate) fn draw_tables<const L: usize>(
    streams: &[TableStream],
    tables: &TableArena,
    rngs: &mut [[SimRng; L]],
    demand: &mut [[f64; L]],
) -> [f64; L] {
    if fetch_ahead(tables) {
        draw_tables_with::<L, true>(streams, tables, rngs, demand)
    } else {
        draw_tables_with::<L, false>(streams, tables, rngs, demand)
    }
}

/// Whether draws fetch their table cells ahead: tables larger than the cache are; smaller ones
/// are in the cache already, where asking costs more than it saves (about 10 % on
/// `scenarios/perf`).
#[inline(always)]
pub(crate) fn fetch_ahead(tables: &TableArena) -> bool {
    tables.bytes() > PREFETCH_ABOVE
}

/// Table bytes above which draws fetch cells ahead (a typical L2 cache).
const PREFETCH_ABOVE: usize = 1 << 20;

/// How many streams ahead draws fetch the next draw's table cell (see `TableArena::prefetch`);
/// measured best at a million positions both in a pass of its own and fused into pass 1 (there,
/// 2 and 4 were 7–17 % slower, 16 the same or slower).
const AHEAD: usize = 8;

/// Asks for the table cells the next draws of stream `i` (every lane) will read.
#[inline(always)]
fn prefetch_stream<const L: usize>(streams: &[TableStream], tables: &TableArena, rngs: &[[SimRng; L]], i: usize) {
    if let (Some(next), Some(rn)) = (streams.get(i), rngs.get(i)) {
        for r in rn {
            tables.prefetch(next.table, r);
        }
    }
}

/// [`draw_tables`], fetching each draw's table cell `AHEAD` streams early when `FETCH`.
#[inline(always)]
fn draw_tables_with<const L: usize, const FETCH: bool>(
    streams: &[TableStream],
    tables: &TableArena,
    rngs: &mut [[SimRng; L]],
    demand: &mut [[f64; L]],
) -> [f64; L] {
    let mut total = [0.0; L];
    for i in 0..streams.len().min(rngs.len()) {
        if FETCH {
            prefetch_stream(streams, tables, rngs, i + AHEAD);
        }
        let (s, r) = (&streams[i], &mut rngs[i]);
        let d = &mut demand[s.pos as usize];
        for l in 0..L {
            let x = f64::from(tables.sample(s.table, &mut r[l]));
            d[l] = x;
            total[l] += x;
        }
    }
    total
}

/// [`draw_tables`] one position at a time, for a pass over the positions that draws as it goes
/// (the engine's pass 1 on tables larger than the cache, when nothing else reads the day's
/// demand): position `q`'s draw if the table stream at `*next` feeds it (then `*next` moves on),
/// else zero. Called for every position in order, it draws exactly what [`draw_tables`] draws
/// and adds to `total` in the same order; it fetches table cells ahead.
#[inline(always)]
pub(crate) fn draw_position<const L: usize>(
    q: usize,
    next: &mut usize,
    streams: &[TableStream],
    tables: &TableArena,
    rngs: &mut [[SimRng; L]],
    total: &mut [f64; L],
) -> [f64; L] {
    let i = *next;
    let (Some(s), Some(r)) = (streams.get(i), rngs.get_mut(i)) else { return [0.0; L] };
    if s.pos as usize != q {
        return [0.0; L];
    }
    *next += 1;
    let d: [f64; L] = std::array::from_fn(|l| f64::from(tables.sample(s.table, &mut r[l])));
    prefetch_stream(streams, tables, rngs, i + AHEAD);
    for l in 0..L {
        total[l] += d[l];
    }
    d
}

/// Draws the general streams' demand of simulated day `t` into `demand`, every lane in one pass
/// over the streams (each lane from its own state), and adds each draw to its lane's `total`, in
/// stream order. A position's first stream stores its draw, later ones add (see
/// `Model::table_streams`, `Stream::assign`).
#[inline(always)]
pub(crate) fn draw_streams<const L: usize>(
    streams: &[Stream],
    lanes: [&mut DemandLane; L],
    t: usize,
    demand: &mut [[f64; L]],
    total: &mut [f64; L],
) {
    for (i, s) in streams.iter().enumerate() {
        let dq = &mut demand[s.pos as usize];
        for l in 0..L {
            let d = &mut *lanes[l];
            let x = s.draw(&mut d.rng[i], t, d.dyn_mult[i], &mut d.week[i]);
            dq[l] = if s.assign { x } else { dq[l] + x };
            total[l] += x;
        }
    }
}
