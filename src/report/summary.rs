//! `summary.json` (KPI distributions per scope) and `replications.csv` (one row per replication
//! and scope).

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
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

struct Locations<'a> {
    m: &'a Model,
    r: &'a RunResult,
    sums: &'a [Vec<Option<Summary>>],
}

/// The scopes of one kind (0 locations, 1 tiers, 2 segments, 3 SKUs or 4 channels) as
/// `{name: kpis}`.
struct Named<'a>(&'a Locations<'a>, u8);

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Locations { m, r, sums } = self.0;
        let mut map = s.serialize_map(None)?;
        for (i, scope) in r.scopes.iter().enumerate() {
            let name = match (*scope, self.1) {
                (Scope::Location(l), 0) => &m.scenario.locations[l].id,
                (Scope::Tier(t), 1) => &m.alloc.tiers[t],
                (Scope::Segment(x), 2) => &m.alloc.segments[x],
                (Scope::Sku(k), 3) => &m.scenario.skus[k].id,
                (Scope::Channel(c), 4) => m.channel.channels[c].as_str(),
                _ => continue,
            };
            map.serialize_entry(name, &KpiTable(&sums[i]))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct PositionEntry<'a> {
    location: &'a str,
    sku: &'a str,
    kpis: KpiTable<'a>,
}

struct Positions<'a>(&'a Locations<'a>);

impl Serialize for Positions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Locations { m, r, sums } = self.0;
        let mut seq = s.serialize_seq(None)?;
        for (i, scope) in r.scopes.iter().enumerate() {
            if let Scope::Position(q) = *scope {
                seq.serialize_element(&PositionEntry {
                    location: &m.scenario.locations[m.topo.pos_loc[q].idx()].id,
                    sku: &m.scenario.skus[m.topo.pos_sku[q] as usize].id,
                    kpis: KpiTable(&sums[i]),
                })?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct SummaryDoc<'a> {
    scenario: &'a str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stress: Option<&'a str>,
    replications: usize,
    days: usize,
    warmup_days: usize,
    seed: u64,
    unmet_demand: &'a str,
    network: KpiTable<'a>,
    locations: Named<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tiers: Option<Named<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    segments: Option<Named<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channels: Option<Named<'a>>,
    skus: Named<'a>,
    positions: Positions<'a>,
}

/// The `summary.json` document, pretty-printed.
pub fn summary_json(m: &Model, r: &RunResult, sums: &[Vec<Option<Summary>>], meta: &RunMeta) -> Vec<u8> {
    let net = r.network_index();
    let locations = Locations { m, r, sums };
    let doc = SummaryDoc {
        scenario: &meta.scenario,
        file: &meta.file,
        strategy: meta.strategy.as_deref(),
        stress: meta.stress.as_deref(),
        replications: r.replications,
        days: m.days,
        warmup_days: m.warmup,
        seed: r.seed,
        unmet_demand: if m.lost_sales { "lost_sales" } else { "backorder" },
        network: KpiTable(&sums[net]),
        locations: Named(&locations, 0),
        tiers: (!m.alloc.tiers.is_empty()).then_some(Named(&locations, 1)),
        segments: (!m.alloc.segments.is_empty()).then_some(Named(&locations, 2)),
        channels: m.channel.active.then_some(Named(&locations, 4)),
        skus: Named(&locations, 3),
        positions: Positions(&locations),
    };
    let mut out = Vec::with_capacity(1 << 20);
    serde_json::to_writer_pretty(&mut out, &doc).expect("serialising to memory cannot fail");
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
        Scope::Channel(c) => ["channel".into(), m.channel.channels[c].as_str().into(), String::new()],
    }
}

/// The `replications.csv` text: network and location rows for every replication, plus position
/// rows when `positions` is set.
pub fn replications_csv(m: &Model, r: &RunResult, positions: bool) -> String {
    let keep: Vec<usize> =
        (0..r.scopes.len()).filter(|&i| positions || !matches!(r.scopes[i], Scope::Position(_))).collect();
    let mut out = String::with_capacity(r.replications * keep.len() * 200);
    out.push_str("replication,scope,location,sku");
    // Channel KPIs are columns only in scenarios with channels.
    let kpis: Vec<Kpi> = Kpi::ALL.into_iter().filter(|k| m.channel.active || !k.channel()).collect();
    for &k in &kpis {
        out.push(',');
        out.push_str(k.name());
    }
    out.push('\n');
    let cols: Vec<[String; 3]> = keep.iter().map(|&i| scope_cols(m, r.scopes[i])).collect();
    // Rows of each replication are formatted in parallel and joined in replication order.
    let chunks: Vec<String> = (0..r.replications)
        .into_par_iter()
        .map(|rep| {
            let mut out = String::with_capacity(keep.len() * 200);
            for (j, &i) in keep.iter().enumerate() {
                out.push_str(&rep.to_string());
                for c in &cols[j] {
                    out.push(',');
                    out.push_str(c);
                }
                csv_nums(&mut out, kpis.iter().map(|&k| r.value(rep, i, k)));
                out.push('\n');
            }
            out
        })
        .collect();
    for c in chunks {
        out.push_str(&c);
    }
    out
}
