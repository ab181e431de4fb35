//! Records, compiled: per position the shrinkage sampler, the receiving error share, the count
//! schedule and cost, and the visibility lag; the positions that use any of them.

use super::{Records, Shrinkage, Visibility};
use crate::distribution::Sampler;
use crate::rng::entity_key;
use crate::scenario::Scenario;

/// How a position loses units from its shelf, compiled.
#[derive(Clone, Debug)]
pub enum ShrinkRt {
    /// None.
    None,
    /// A share of the on-hand per day.
    Rate(f64),
    /// Units per day from a distribution.
    Units(Sampler),
}

/// One position's record settings.
#[derive(Clone, Debug)]
pub struct PosRecords {
    /// The position (engine index).
    pub pos: u32,
    /// Shrinkage.
    pub shrink: ShrinkRt,
    /// Share of received units recorded wrongly.
    pub recv_err: f64,
    /// Days between counts (0 = never).
    pub count_every: u32,
    /// Measured day of the first count.
    pub count_offset: u32,
    /// Cost per count.
    pub count_cost: f64,
    /// Visibility lag in days.
    pub lag: u32,
    /// Whether the position holds whole units (shrinkage and errors come in whole units).
    pub whole: bool,
    /// Key of its random stream (by location and SKU name).
    pub key: u64,
}

/// The records of a model; inactive (and never stepped) when no location uses them.
#[derive(Clone, Debug, Default)]
pub struct RecordsRt {
    /// Whether any position uses records.
    pub active: bool,
    /// The positions that use them, ascending.
    pub positions: Vec<PosRecords>,
    /// Per position: index in `positions`, or `u32::MAX`.
    pub slot: Vec<u32>,
    /// The longest visibility lag (history rings are one day longer).
    pub max_lag: usize,
    /// Unified or siloed planning.
    pub visibility: Visibility,
}

/// Compiles the scenario's records for positions numbered by `pos_index[location][sku]`.
pub fn compile(sc: &Scenario, pos_index: &[Vec<u32>], whole: &[bool]) -> RecordsRt {
    let n = whole.len();
    let recs: &Records = &sc.records;
    let mut rt = RecordsRt { slot: vec![u32::MAX; n], visibility: recs.visibility, ..Default::default() };
    if !recs.in_use() {
        return rt;
    }
    // The ABC class of each customer-facing position, for counts by class.
    let class: std::collections::HashMap<(usize, usize), char> =
        sc.positions.iter().filter_map(|p| Some(((p.location, p.sku), p.segment.as_ref()?.chars().next()?))).collect();
    let mut list = Vec::new();
    for (loc, lr) in recs.locations.iter().enumerate().filter(|(_, r)| r.in_use()) {
        for (k, &q) in pos_index[loc].iter().enumerate() {
            if q == crate::model::NONE {
                continue;
            }
            let shrink = match &lr.shrinkage {
                Shrinkage::None => ShrinkRt::None,
                Shrinkage::Rate(r) => ShrinkRt::Rate(*r),
                Shrinkage::Units(d) => ShrinkRt::Units(Sampler::new(d)),
            };
            let count = lr.cycle_count.unwrap_or(super::CycleCount {
                every_days: 0,
                offset: 0,
                cost: 0.0,
                by_class: [None; 3],
            });
            list.push(PosRecords {
                pos: q,
                shrink,
                recv_err: lr.receiving_errors,
                count_every: count.every_for(class.get(&(loc, k)).copied()),
                count_offset: count.offset,
                count_cost: count.cost,
                lag: lr.visibility_lag_days,
                whole: whole[q as usize],
                key: entity_key(&format!("records/{}/{}", sc.locations[loc].id, sc.skus[k].id)),
            });
        }
    }
    list.sort_by_key(|p| p.pos);
    for (i, p) in list.iter().enumerate() {
        rt.slot[p.pos as usize] = i as u32;
    }
    rt.max_lag = list.iter().map(|p| p.lag as usize).max().unwrap_or(0);
    rt.active = !list.is_empty();
    rt.positions = list;
    rt
}
