//! `summary.json` (KPI distributions per scope) and `replications.csv` (one row per replication
//! and scope).

use serde_json::{Map, Value, json};

use super::{csv_field, csv_num};
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

/// A KPI table `{kpi: summary | null}`.
pub fn kpi_object(s: &[Option<Summary>]) -> Value {
    let mut m = Map::new();
    for (k, v) in Kpi::ALL.iter().zip(s) {
        m.insert(
            k.name().to_string(),
            serde_json::to_value(v).unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

/// The `summary.json` document.
pub fn summary_json(
    m: &Model,
    r: &RunResult,
    sums: &[Vec<Option<Summary>>],
    meta: &RunMeta,
) -> Value {
    let sc = &m.scenario;
    let mut doc = Map::new();
    doc.insert("scenario".into(), json!(meta.scenario));
    doc.insert("file".into(), json!(meta.file));
    if let Some(s) = &meta.strategy {
        doc.insert("strategy".into(), json!(s));
    }
    if let Some(s) = &meta.stress {
        doc.insert("stress".into(), json!(s));
    }
    doc.insert("replications".into(), json!(r.replications));
    doc.insert("days".into(), json!(m.days));
    doc.insert("warmup_days".into(), json!(m.warmup));
    doc.insert("seed".into(), json!(r.seed));
    doc.insert(
        "unmet_demand".into(),
        json!(if m.lost_sales {
            "lost_sales"
        } else {
            "backorder"
        }),
    );
    let mut locations = Map::new();
    let mut positions = Vec::new();
    for (i, scope) in r.scopes.iter().enumerate() {
        match *scope {
            Scope::Network => {
                doc.insert("network".into(), kpi_object(&sums[i]));
            }
            Scope::Location(l) => {
                locations.insert(sc.locations[l].id.clone(), kpi_object(&sums[i]));
            }
            Scope::Position(q) => positions.push(json!({
                "location": sc.locations[m.pos_loc[q] as usize].id,
                "sku": sc.skus[m.pos_sku[q] as usize].id,
                "kpis": kpi_object(&sums[i]),
            })),
        }
    }
    doc.insert("locations".into(), Value::Object(locations));
    doc.insert("positions".into(), Value::Array(positions));
    Value::Object(doc)
}

/// Scope columns of a row: `scope, location, sku`.
fn scope_cols(m: &Model, s: Scope) -> [String; 3] {
    let sc = &m.scenario;
    match s {
        Scope::Network => ["network".into(), String::new(), String::new()],
        Scope::Location(l) => [
            "location".into(),
            csv_field(&sc.locations[l].id),
            String::new(),
        ],
        Scope::Position(q) => [
            "position".into(),
            csv_field(&sc.locations[m.pos_loc[q] as usize].id),
            csv_field(&sc.skus[m.pos_sku[q] as usize].id),
        ],
    }
}

/// The `replications.csv` text: network and location rows for every replication, plus position
/// rows when `positions` is set.
pub fn replications_csv(m: &Model, r: &RunResult, positions: bool) -> String {
    let keep: Vec<usize> = (0..r.scopes.len())
        .filter(|&i| positions || !matches!(r.scopes[i], Scope::Position(_)))
        .collect();
    let mut out = String::with_capacity(r.replications * keep.len() * 200);
    out.push_str("replication,scope,location,sku");
    for k in Kpi::ALL {
        out.push(',');
        out.push_str(k.name());
    }
    out.push('\n');
    let cols: Vec<[String; 3]> = keep.iter().map(|&i| scope_cols(m, r.scopes[i])).collect();
    for rep in 0..r.replications {
        for (j, &i) in keep.iter().enumerate() {
            out.push_str(&rep.to_string());
            for c in &cols[j] {
                out.push(',');
                out.push_str(c);
            }
            for k in Kpi::ALL {
                out.push(',');
                csv_num(&mut out, r.value(rep, i, k));
            }
            out.push('\n');
        }
    }
    out
}
