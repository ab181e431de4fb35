//! Every position's KPIs across replications, compactly: the table behind `positions.csv`.
//!
//! A retailer's network has a million positions. Summarising every KPI of every position as the
//! other scopes are (exact moments and a quantile sketch per KPI) would take tens of gigabytes,
//! so positions keep the KPIs a planner looks at per position ([`POSITION_KPIS`]) as compact
//! exact moments ([`Fixed`]): 40 bytes per position and KPI, mergeable across threads, blocks and
//! shards bit for bit. Networks up to [`POSITION_SCOPES_MAX`] positions also report each position
//! as a full scope (summary.json, replications per scope); larger ones only here.

use rayon::prelude::*;

use crate::engine::Totals;
use crate::kpi::Kpi;
use crate::stats::fixed::Fixed;

/// The KPIs kept for every position, in `positions.csv` column order.
pub const POSITION_KPIS: [Kpi; 12] = [
    Kpi::FillRate,
    Kpi::StockoutRate,
    Kpi::AvgOnHand,
    Kpi::AvgBackorders,
    Kpi::LostSales,
    Kpi::UnitsDemanded,
    Kpi::UnitsSold,
    Kpi::InventoryTurnover,
    Kpi::SellThrough,
    Kpi::Gmroi,
    Kpi::HoldingCost,
    Kpi::TotalCost,
];

/// Above this many positions, positions are not scopes of their own (see the module docs).
pub const POSITION_SCOPES_MAX: usize = 10_000;

/// [`POSITION_KPIS`] of every position: `table[position * POSITION_KPIS.len() + k]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PositionStats {
    /// Moments per position and KPI.
    pub table: Vec<Fixed>,
}

impl PositionStats {
    /// An empty table for `n` positions.
    pub fn new(n: usize) -> Self {
        PositionStats { table: vec![Fixed::default(); n * POSITION_KPIS.len()] }
    }

    /// Positions in the table.
    pub fn len(&self) -> usize {
        self.table.len() / POSITION_KPIS.len()
    }

    /// Whether the table has no positions.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Moments of one KPI (an index into [`POSITION_KPIS`]) of one position.
    pub fn get(&self, position: usize, k: usize) -> &Fixed {
        &self.table[position * POSITION_KPIS.len() + k]
    }

    /// Adds a block of replications' values (each [`values`] of one replication), in parallel
    /// over positions: sums are exact integers, so the split does not matter.
    pub fn add_block(&mut self, block: &[Vec<f64>]) {
        const CHUNK: usize = 4096 * POSITION_KPIS.len();
        self.table.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
            let (at, len) = (c * CHUNK, chunk.len());
            for v in block {
                for (f, &x) in chunk.iter_mut().zip(&v[at..at + len]) {
                    f.add(x);
                }
            }
        });
    }

    /// Adds the table of other replications of the same run.
    pub fn merge(&mut self, o: &PositionStats) {
        for (a, b) in self.table.iter_mut().zip(&o.table) {
            a.merge(b);
        }
    }
}

/// One replication's [`POSITION_KPIS`] of every position, position-major.
pub fn values(t: &Totals) -> Vec<f64> {
    let mut v = Vec::with_capacity(t.pos.len() * POSITION_KPIS.len());
    for acc in &t.pos {
        let all = acc.kpis();
        v.extend(POSITION_KPIS.iter().map(|&k| all[k as usize]));
    }
    v
}
