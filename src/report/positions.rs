//! `positions.csv` (one row per position) and the report's table of the positions that miss
//! service: the per-position view that scales to a retailer's million positions.

use std::fmt::Write as _;

use super::{csv_field, csv_num};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::runner::{POSITION_KPIS, RunResult};

/// A value rounded to 6 significant digits: the table's moments sit on a 2⁻²⁰ grid
/// ([`crate::stats::fixed`]), whose last digits are not information.
fn round6(v: f64) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    format!("{v:.5e}").parse().unwrap_or(v)
}

/// The position's labels: location, SKU, segment, tier, region.
fn labels(m: &Model, q: usize) -> [&str; 5] {
    let sc = &m.scenario;
    let l = m.topo.pos_loc[q].idx();
    let spec = &sc.positions[m.topo.pos_spec[q] as usize];
    let loc = &sc.locations[l];
    [
        &loc.id,
        &sc.skus[m.topo.pos_sku[q] as usize].id,
        spec.segment.as_deref().unwrap_or(""),
        loc.tier.as_deref().unwrap_or(""),
        loc.region.as_deref().unwrap_or(""),
    ]
}

/// The header of `positions.csv`.
pub fn header() -> String {
    let mut h = String::from("location,sku,segment,tier,region,demand_per_day,replications");
    for k in POSITION_KPIS {
        let _ = write!(h, ",{0},{0}_sd", k.name());
    }
    h.push('\n');
    h
}

/// `positions.csv`: per position its labels, expected daily demand, replications and the mean
/// and standard deviation across replications of each [`POSITION_KPIS`] KPI (empty when
/// undefined, e.g. the fill rate of a position without customer demand).
pub fn positions_csv(m: &Model, r: &RunResult) -> Vec<u8> {
    let mut out = header().into_bytes();
    let mut line = String::with_capacity(512);
    for q in output_order(m) {
        line.clear();
        for (i, label) in labels(m, q).iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&csv_field(label));
        }
        line.push(',');
        csv_num(&mut line, round6(m.scenario.positions[m.topo.pos_spec[q] as usize].mean_daily_demand));
        let _ = write!(line, ",{}", r.replications);
        for k in 0..POSITION_KPIS.len() {
            let f = r.positions.get(q, k);
            for v in [f.mean(), f.sd()] {
                line.push(',');
                csv_num(&mut line, round6(v));
            }
        }
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Positions in output order: stocking locations in the order of the other outputs, each
/// location's positions in SKU order (as summary.json lists position scopes), found in one pass.
fn output_order(m: &Model) -> Vec<usize> {
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); m.topo.n_loc];
    for q in 0..m.n_pos() {
        at[m.topo.pos_loc[q].idx()].push(q);
    }
    m.topo.stock_locs.iter().flat_map(|l| std::mem::take(&mut at[l.idx()])).collect()
}

/// A position that misses service, for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Missed {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Mean fill rate across replications.
    pub fill_rate: f64,
    /// Mean stockout rate.
    pub stockout_rate: f64,
    /// Expected daily demand.
    pub demand_per_day: f64,
    /// Mean units a day demanded but not sold (lost, or still owed at the end).
    pub unsold: f64,
}

/// The `n` customer-facing positions with the lowest mean fill rate (ties: more demand first,
/// then position order), for the report's "positions that miss service" table.
pub fn worst(m: &Model, r: &RunResult, n: usize) -> Vec<Missed> {
    let at = |k: Kpi| POSITION_KPIS.iter().position(|&x| x == k).expect("a position KPI");
    let (fill, out, dem, sold) = (at(Kpi::FillRate), at(Kpi::StockoutRate), at(Kpi::UnitsDemanded), at(Kpi::UnitsSold));
    let mut qs: Vec<(usize, f64, f64)> = (0..r.positions.len())
        .filter_map(|q| {
            let f = r.positions.get(q, fill).mean();
            let d = m.scenario.positions[m.topo.pos_spec[q] as usize].mean_daily_demand;
            (!f.is_nan()).then_some((q, f, d))
        })
        .collect();
    qs.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
    qs.into_iter()
        .take(n)
        .map(|(q, f, d)| {
            let [location, sku, ..] = labels(m, q);
            Missed {
                location: location.to_string(),
                sku: sku.to_string(),
                fill_rate: f,
                stockout_rate: r.positions.get(q, out).mean(),
                demand_per_day: d,
                unsold: r.positions.get(q, dem).mean() - r.positions.get(q, sold).mean(),
            }
        })
        .collect()
}
