//! `summary.json` (KPI distributions per scope) and `replications.csv` (one row per replication
//! and scope).

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use super::{csv_field, csv_nums};
use crate::kpi::Kpi;
use crate::model::Model;
use crate::runner::{RunResult, Scope};
use crate::stats::Summary;

/// Context printed at the top of every output file.
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    /// Scenario display name.
    pub scenario: String,
    /// Scenario file as given.
    pub file: String,
    /// Strategy name, if any.
    pub strategy: Option<String>,
    /// Stress test name, if any.
    pub stress: Option<String>,
}

/// A KPI table `{kpi: summary | null}`, serialised in KPI order. Resilience KPIs are written
/// only where they are defined (the network of a disrupted scenario).
pub struct KpiTable<'a>(pub &'a [Option<Summary>]);

impl Serialize for KpiTable<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in Kpi::ALL.iter().zip(self.0) {
            if k.optional() && v.is_none() {
                continue;
            }
            map.serialize_entry(k.name(), v)?;
        }
        map.end()
    }
}

/// A KPI table as a JSON value (for documents assembled by hand).
pub fn kpi_object(s: &[Option<Summary>]) -> Value {
    serde_json::to_value(KpiTable(s)).unwrap_or(Value::Null)
}

/// A run's KPI distributions by named scope — what `summary.json` holds, as data: build it with
/// [`RunSummary::new`], serialise it with serde (its JSON is `summary.json`, byte for byte).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    /// Scenario display name.
    pub scenario: String,
    /// Scenario file as given.
    pub file: String,
    /// Strategy, if one was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Stress test, if one was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stress: Option<String>,
    /// Replications summarised.
    pub replications: usize,
    /// Measured days per replication.
    pub days: usize,
    /// Warm-up days before them.
    pub warmup_days: usize,
    /// Base seed.
    pub seed: u64,
    /// `lost_sales` or `backorder`.
    pub unmet_demand: String,
    /// The whole network.
    pub network: Kpis,
    /// Stocking locations, in file order.
    pub locations: NamedKpis,
    /// Tier labels (when the scenario has tiers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<NamedKpis>,
    /// ABC×XYZ segments (when the scenario segments its SKUs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<NamedKpis>,
    /// Sales channels (when the scenario has a channel besides walk-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<NamedKpis>,
    /// SKUs over all their positions, in file order.
    pub skus: NamedKpis,
    /// Region labels, sorted (when the scenario's locations name regions): each sums the
    /// positions of its locations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<NamedKpis>,
    /// Positions (location order, then SKU).
    pub positions: Vec<PositionKpis>,
}

/// Every KPI's summary (`None` where undefined in every replication), in [`Kpi::ALL`] order;
/// serialised as `{kpi: summary | null}` (resilience KPIs only where defined).
#[derive(Clone, Debug, PartialEq)]
pub struct Kpis(pub Vec<Option<Summary>>);

impl Serialize for Kpis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        KpiTable(&self.0).serialize(s)
    }
}

/// Scopes by name, in order; serialised as `{name: kpis}`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedKpis(pub Vec<(String, Kpis)>);

impl Serialize for NamedKpis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, kpis) in &self.0 {
            map.serialize_entry(name, kpis)?;
        }
        map.end()
    }
}

/// One position's KPIs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PositionKpis {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Its KPIs.
    pub kpis: Kpis,
}

impl RunSummary {
    /// The summaries `sums` ([`RunResult::summaries`]) of a run of `m`, named.
    pub fn new(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], meta: &RunMeta) -> RunSummary {
        let sc = &m.scenario;
        let named = |pick: &dyn Fn(Scope) -> Option<String>| {
            NamedKpis(r.scopes.iter().zip(sums).filter_map(|(&s, k)| pick(s).map(|n| (n, Kpis(k.clone())))).collect())
        };
        let positions = r
            .scopes
            .iter()
            .zip(sums)
            .filter_map(|(&s, k)| match s {
                Scope::Position(q) => Some(PositionKpis {
                    location: sc.locations[m.topo.pos_loc[q].idx()].id.clone(),
                    sku: sc.skus[m.topo.pos_sku[q] as usize].id.clone(),
                    kpis: Kpis(k.clone()),
                }),
                _ => None,
            })
            .collect();
        RunSummary {
            scenario: meta.scenario.clone(),
            file: meta.file.clone(),
            strategy: meta.strategy.clone(),
            stress: meta.stress.clone(),
            replications: r.replications,
            days: m.days,
            warmup_days: m.warmup,
            seed: r.seed,
            unmet_demand: if m.lost_sales { "lost_sales" } else { "backorder" }.into(),
            network: Kpis(sums[r.network_index()].clone()),
            locations: named(&|s| match s {
                Scope::Location(l) => Some(sc.locations[l].id.clone()),
                _ => None,
            }),
            tiers: (!m.alloc.tiers.is_empty()).then(|| {
                named(&|s| match s {
                    Scope::Tier(t) => Some(m.alloc.tiers[t].clone()),
                    _ => None,
                })
            }),
            segments: (!m.alloc.segments.is_empty()).then(|| {
                named(&|s| match s {
                    Scope::Segment(x) => Some(m.alloc.segments[x].clone()),
                    _ => None,
                })
            }),
            channels: m.channel.active.then(|| {
                named(&|s| match s {
                    Scope::Channel(c) => Some(m.channel.channels[c].as_str().to_string()),
                    _ => None,
                })
            }),
            skus: named(&|s| match s {
                Scope::Sku(k) => Some(sc.skus[k].id.clone()),
                _ => None,
            }),
            regions: (!m.topo.regions.is_empty()).then(|| {
                named(&|s| match s {
                    Scope::Region(x) => Some(m.topo.regions[x].clone()),
                    _ => None,
                })
            }),
            positions,
        }
    }
}

/// The `summary.json` document, pretty-printed.
pub fn summary_json(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], meta: &RunMeta) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    serde_json::to_writer_pretty(&mut out, &RunSummary::new(m, r, sums, meta))
        .expect("serialising to memory cannot fail");
    out.push(b'\n');
    out
}

/// Scope columns of a row: `scope, location, sku`.
fn scope_cols(m: &Model, s: Scope) -> [String; 3] {
    let sc = &m.scenario;
    match s {
        Scope::Network => ["network".into(), String::new(), String::new()],
        Scope::Location(l) => ["location".into(), csv_field(&sc.locations[l].id), String::new()],
        Scope::Position(q) => [
            "position".into(),
            csv_field(&sc.locations[m.topo.pos_loc[q].idx()].id),
            csv_field(&sc.skus[m.topo.pos_sku[q] as usize].id),
        ],
        Scope::Tier(t) => ["tier".into(), csv_field(&m.alloc.tiers[t]), String::new()],
        Scope::Segment(x) => ["segment".into(), csv_field(&m.alloc.segments[x]), String::new()],
        Scope::Sku(k) => ["sku".into(), String::new(), csv_field(&sc.skus[k].id)],
        Scope::Channel(c) => ["channel".into(), csv_field(m.channel.channels[c].as_str()), String::new()],
        Scope::Region(x) => ["region".into(), csv_field(&m.topo.regions[x]), String::new()],
    }
}

/// `replications.csv`, written as the replications come: network, location, tier, segment,
/// channel, SKU and region rows for every replication, plus position rows when asked for.
pub struct RowWriter {
    /// Indices into the run's scopes of the scopes with rows.
    rows: Vec<usize>,
    /// Their `scope,location,sku` columns, ready to print.
    cols: Vec<String>,
    /// Indices of the KPIs written (channel and record KPIs only in scenarios with them).
    kpis: Vec<usize>,
}

impl RowWriter {
    /// Rows for `m`'s scopes ([`crate::runner::scopes_of`]); position rows when `positions`.
    pub fn new(m: &Model, positions: bool) -> RowWriter {
        let scopes = crate::runner::scopes_of(m);
        let rows: Vec<usize> =
            (0..scopes.len()).filter(|&i| positions || !matches!(scopes[i], Scope::Position(_))).collect();
        let cols = rows.iter().map(|&i| scope_cols(m, scopes[i]).join(",")).collect();
        let kpis = (0..Kpi::COUNT)
            .filter(|&k| m.channel.active || !Kpi::ALL[k].channel())
            .filter(|&k| m.records.active || !Kpi::ALL[k].records())
            .collect();
        RowWriter { rows, cols, kpis }
    }

    /// The header line.
    pub fn header(&self) -> String {
        let mut out = String::from("replication,scope,location,sku");
        for &k in &self.kpis {
            out.push(',');
            out.push_str(Kpi::ALL[k].name());
        }
        out.push('\n');
        out
    }

    /// The rows of a block of replications (`block[i]` is replication `first + i`, values in
    /// [`crate::runner::kpi_values`] order), formatted in parallel and joined in order.
    pub fn rows(&self, first: u64, block: &[Vec<f64>]) -> Vec<u8> {
        let chunks: Vec<String> = block
            .par_iter()
            .enumerate()
            .map(|(i, v)| {
                let rep = (first + i as u64).to_string();
                let mut out = String::with_capacity(self.rows.len() * 200);
                for (c, &s) in self.cols.iter().zip(&self.rows) {
                    out.push_str(&rep);
                    out.push(',');
                    out.push_str(c);
                    let values = &v[s * Kpi::COUNT..(s + 1) * Kpi::COUNT];
                    csv_nums(&mut out, self.kpis.iter().map(|&k| values[k]));
                    out.push('\n');
                }
                out
            })
            .collect();
        chunks.concat().into_bytes()
    }
}
