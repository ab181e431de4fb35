//! Demand, compiled: the streams the day loop draws from (table-sampled fast path and general
//! path), their day-by-day multipliers, and the random shocks and common factors that scale them.

use std::collections::HashMap;

use super::{CommonFactor, Demand, Shock};
use crate::calendar::weekday_and_month;
use crate::distribution::{Dist, Sampler, Scaling, TableArena, TableRef, sample_scaled_with, stochastic_round};
use crate::leadtime::{LeadSampler, LeadTime};
use crate::model::NONE;
use crate::rng::entity_key;

/// Multiplier of a demand entry's mean on simulated day `t`: weekday and month factors,
/// promotions and trend.
pub fn demand_multiplier(dm: &Demand, start: (i32, u32, u32), warmup: usize, t: usize) -> f64 {
    let day = t as i64 - warmup as i64;
    let mut m = 1.0;
    if dm.weekly.is_some() || dm.monthly.is_some() {
        let (wd, mo) = weekday_and_month(start, day);
        if let Some(w) = &dm.weekly {
            m *= w[wd];
        }
        if let Some(y) = &dm.monthly {
            m *= y[mo];
        }
    }
    for pr in &dm.promotions {
        if day >= pr.first_day && day <= pr.last_day {
            m *= pr.multiplier;
        }
    }
    if dm.trend_per_year != 0.0 {
        m *= (1.0 + dm.trend_per_year).powf(day as f64 / 365.0);
    }
    m
}

/// [`demand_multiplier`] for each of the first `days` simulated days.
pub fn demand_multipliers(dm: &Demand, start: (i32, u32, u32), warmup: usize, days: usize) -> Vec<f64> {
    (0..days).map(|t| demand_multiplier(dm, start, warmup, t)).collect()
}

/// A stationary demand stream drawn from an inverse-CDF table (the fast path).
#[derive(Clone, Copy, Debug)]
pub struct TableStream {
    /// Position it feeds.
    pub pos: u32,
    /// Its table in `Model::tables`.
    pub table: TableRef,
}

/// One stream of customer demand (general path).
#[derive(Clone, Debug)]
pub struct Stream {
    /// Position it feeds.
    pub pos: u32,
    /// The distribution (for scaled draws).
    pub dist: Dist,
    /// Compiled sampler for the base distribution.
    pub sampler: Sampler,
    /// What its scaled draws keep of the distribution (see [`Scaling`]).
    pub scaling: Scaling,
    /// Demand multiplier per simulated day (seasonality × promotions), if any differs from 1.
    pub mult: Option<std::sync::Arc<[f64]>>,
    /// Whole-unit SKU (scaled deterministic demand is rounded stochastically).
    pub whole: bool,
    /// Round draws to whole units (a whole-unit SKU with a continuous distribution).
    pub round: bool,
    /// Index of its entry in `Scenario::demand`.
    pub demand_index: u32,
    /// The first stream of its position (stores its draw; later streams add to it).
    pub assign: bool,
    /// Stream key (hash of its name).
    pub key: u64,
}

impl Stream {
    /// Demand drawn on simulated day `day`, with an extra multiplier `shock` (1 = none); `week`
    /// is the stream's state for whole weeks of history (see [`crate::distribution::WeekTable::draw`]).
    #[inline(always)]
    pub fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R, day: usize, shock: f64, week: &mut u32) -> f64 {
        let m = match &self.mult {
            None => shock,
            Some(v) => v[day] * shock,
        };
        let x = if let Sampler::Weeks(w) = &self.sampler {
            let x = w.draw(rng, day, week) * m;
            if m != 1.0 && self.whole { stochastic_round(rng, x) } else { x }
        } else if m == 1.0 {
            self.sampler.sample(rng, day)
        } else {
            sample_scaled_with(&self.dist, &self.scaling, &self.sampler, rng, day, m, self.whole)
        };
        if self.round { crate::distribution::round_half_away(x) } else { x }
    }
}

/// A random demand-shock process.
#[derive(Clone, Debug)]
pub struct ShockRt {
    /// General streams it multiplies.
    pub streams: Vec<u32>,
    /// Probability that an event starts on a day without one.
    pub p_start: f64,
    /// Length of an event in days.
    pub duration: LeadSampler,
    /// Multiplier of an event.
    pub multiplier: Sampler,
    /// Stream key (hash of its name, see [`shock_names`]).
    pub key: u64,
}

/// A common demand factor: log-normal, mean 1, AR(1) on its logarithm.
#[derive(Clone, Debug)]
pub struct FactorRt {
    /// General streams it multiplies.
    pub streams: Vec<u32>,
    /// Standard deviation of the logarithm.
    pub sigma: f64,
    /// Day-to-day correlation of the logarithm.
    pub rho: f64,
    /// Stream key (hash of its name, see [`factor_names`]).
    pub key: u64,
}

/// The demand side of a compiled model (see the fields of the same names in `Model`).
#[derive(Debug)]
pub(crate) struct DemandParts {
    pub customer: Vec<bool>,
    pub customer_list: Vec<u32>,
    pub table_streams: Vec<TableStream>,
    pub table_keys: Vec<u64>,
    pub tables: TableArena,
    pub streams: Vec<Stream>,
    /// Measured days with a promotion marked as a shock (a scheduled disruption).
    pub shock_days: Vec<bool>,
}

/// Compiles the demand entries of positions `pos_index[location][sku]` (NONE where there is no
/// position) into table streams (stationary, at most one per position) and general streams.
pub(crate) fn streams(
    demand: &[Demand],
    hit: &[bool],
    pos_index: &[Vec<u32>],
    discrete: &[bool],
    n: usize,
    (start, warmup, days): ((i32, u32, u32), usize, usize),
) -> DemandParts {
    let total_days = warmup + days;
    let mut customer = vec![false; n];
    let mut streams = Vec::new();
    let mut table_streams = Vec::new();
    let mut has_table = vec![false; n];
    let mut shock_days = vec![false; days];
    // Identical day-by-day multipliers (a category's weekly pattern, a region's seasons) are
    // stored once: a retailer's million streams share a few hundred patterns, and a table per
    // stream would take gigabytes (8 bytes a day each).
    let mut shared: HashMap<Vec<u64>, std::sync::Arc<[f64]>> = HashMap::new();
    for (di, dm) in demand.iter().enumerate() {
        let q = pos_index[dm.location][dm.sku];
        if q == NONE {
            continue;
        }
        customer[q as usize] = true;
        let mult = demand_multipliers(dm, start, warmup, total_days);
        for pr in dm.promotions.iter().filter(|p| p.shock) {
            for day in pr.first_day.max(0)..=pr.last_day.min(days as i64 - 1) {
                shock_days[day as usize] = true;
            }
        }
        let varies = mult.iter().any(|&m| m != 1.0);
        let mut sampler = Sampler::new(&dm.dist);
        if let Sampler::Weeks(w) = &mut sampler {
            w.first_weekday = weekday_and_month(start, -(warmup as i64)).0 as u32;
        }
        let whole = discrete[dm.sku];
        let key = entity_key(&dm.key);
        match sampler {
            // Streams hit by random shocks or common factors need a multiplier each day, so they
            // take the general sampling path.
            Sampler::Table(table) if !varies && !hit[di] && !has_table[q as usize] => {
                has_table[q as usize] = true;
                table_streams.push((q, table, key))
            }
            sampler => streams.push(Stream {
                pos: q,
                dist: dm.dist.clone(),
                sampler,
                scaling: Scaling::new(&dm.dist),
                mult: varies.then(|| {
                    let bits: Vec<u64> = mult.iter().map(|x| x.to_bits()).collect();
                    shared.entry(bits).or_insert_with(|| mult.into()).clone()
                }),
                whole,
                round: whole && !dm.dist.is_integral(),
                assign: false,
                key,
                demand_index: di as u32,
            }),
        }
    }
    streams.sort_by_key(|s| s.pos);
    table_streams.sort_by_key(|s| s.0);
    let mut tables = TableArena::default();
    let table_keys = table_streams.iter().map(|s| s.2).collect();
    let table_streams = table_streams
        .iter()
        .map(|(pos, t, _)| {
            let (lo, pmf) = t.pmf();
            TableStream { pos: *pos, table: tables.push(lo, &pmf) }
        })
        .collect();
    tables.settle();
    for i in 0..streams.len() {
        let pos = streams[i].pos as usize;
        streams[i].assign = !has_table[pos] && (i == 0 || streams[i - 1].pos as usize != pos);
    }
    let customer_list = (0..n as u32).filter(|&q| customer[q as usize]).collect();
    DemandParts { customer, customer_list, table_streams, table_keys, tables, streams, shock_days }
}

/// Which demand entries random shocks or common factors hit (they need a multiplier each day).
pub(crate) fn hit_by_shocks(n_demand: usize, shocks: &[Shock], factors: &[CommonFactor]) -> Vec<bool> {
    let mut hit = vec![false; n_demand];
    for &i in shocks.iter().flat_map(|x| &x.streams).chain(factors.iter().flat_map(|x| &x.streams)) {
        hit[i] = true;
    }
    hit
}

/// Stable names of processes that have no id: `prefix/what/the demand keys they hit`, with
/// `#2`, `#3`, … on the second and later of identical ones. Keyed by what they target, a
/// process keeps its random numbers when another one is added or removed (common random
/// numbers), which a key by position in the list would not.
fn unique_names(names: impl Iterator<Item = String>) -> Vec<String> {
    let names: Vec<String> = names.collect();
    (0..names.len())
        .map(|i| match names[..i].iter().filter(|&o| *o == names[i]).count() {
            0 => names[i].clone(),
            seen => format!("{}#{}", names[i], seen + 1),
        })
        .collect()
}

/// The demand keys of the entries `streams` (indices into `Scenario::demand`), comma-joined.
fn keys_of(demand: &[Demand], streams: &[usize]) -> String {
    streams.iter().map(|&i| demand[i].key.as_str()).collect::<Vec<_>>().join(",")
}

/// Stream names of the shocks: `shock/<description>/<demand keys>` (identical ones numbered by occurrence).
pub fn shock_names(demand: &[Demand], shocks: &[Shock]) -> Vec<String> {
    unique_names(shocks.iter().map(|x| format!("shock/{}/{}", x.description, keys_of(demand, &x.streams))))
}

/// Stream names of the common factors: `factor/<demand keys>` (identical ones numbered by occurrence).
pub fn factor_names(demand: &[Demand], factors: &[CommonFactor]) -> Vec<String> {
    unique_names(factors.iter().map(|x| format!("factor/{}", keys_of(demand, &x.streams))))
}

/// Index in `streams` of the general stream of demand entry `di`, if it has one.
fn general_of(streams: &[Stream], di: usize) -> Option<u32> {
    streams.iter().position(|s| s.demand_index as usize == di).map(|i| i as u32)
}

/// Compiles the random shocks on the general streams they hit.
pub(crate) fn shocks(demand: &[Demand], shocks: &[Shock], streams: &[Stream]) -> Vec<ShockRt> {
    shocks
        .iter()
        .zip(shock_names(demand, shocks))
        .map(|(x, name)| ShockRt {
            streams: x.streams.iter().filter_map(|&di| general_of(streams, di)).collect(),
            p_start: 1.0 / x.mean_days_between,
            duration: LeadSampler::new(&LeadTime::Random(x.duration.clone())),
            multiplier: Sampler::new(&x.multiplier),
            key: entity_key(&name),
        })
        .collect()
}

/// Compiles the common factors on the general streams they multiply.
pub(crate) fn factors(demand: &[Demand], factors: &[CommonFactor], streams: &[Stream]) -> Vec<FactorRt> {
    factors
        .iter()
        .zip(factor_names(demand, factors))
        .map(|(x, name)| FactorRt {
            streams: x.streams.iter().filter_map(|&di| general_of(streams, di)).collect(),
            sigma: (1.0 + x.cv * x.cv).ln().sqrt(),
            rho: x.autocorrelation,
            key: entity_key(&name),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Model, Scenario};

    const BASE: &str = r#"
[simulation]
days = 10
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "a"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 40 }

[[locations]]
id = "b"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 40 }

[[demand]]
location = "a"
distribution = { type = "poisson", mean = 10 }

[[demand]]
location = "b"
distribution = { type = "poisson", mean = 10 }
"#;

    fn shock(at: &str) -> String {
        format!("\n[[shocks]]\nlocation = \"{at}\"\nmean_days_between = 20.0\nduration = 5\nmultiplier = 3.0\n")
    }

    fn factor(at: &str) -> String {
        format!("\n[[common_factors]]\nlocation = \"{at}\"\ncv = 0.5\n")
    }

    fn model(text: &str) -> Model {
        Model::compile(&Scenario::parse("t.toml", text).expect("valid"))
    }

    #[test]
    fn adding_a_shock_or_factor_leaves_the_others_streams_alone() {
        let one = model(&(BASE.to_string() + &shock("b") + &factor("b")));
        let two = model(&(BASE.to_string() + &shock("a") + &shock("b") + &factor("a") + &factor("b")));
        assert_eq!(one.demand.shocks[0].key, two.demand.shocks[1].key);
        assert_eq!(one.demand.factors[0].key, two.demand.factors[1].key);
        assert_ne!(two.demand.shocks[0].key, two.demand.shocks[1].key);
        // Two identical shocks still get streams of their own.
        let twins = model(&(BASE.to_string() + &shock("a") + &shock("a")));
        assert_ne!(twins.demand.shocks[0].key, twins.demand.shocks[1].key);
    }

    #[test]
    fn identical_names_are_told_apart_by_occurrence() {
        let names = unique_names(["a", "b", "a", "a"].iter().map(|s| s.to_string()));
        assert_eq!(names, ["a", "b", "a#2", "a#3"]);
    }
}
