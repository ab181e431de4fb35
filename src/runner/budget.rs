//! The memory a run will need, estimated before any work is done, so that a request the machine
//! cannot serve is refused with a sentence instead of aborting on a failed allocation halfway.
//!
//! What grows with the replications (see [`run`](super::run)): only the kept scopes' values —
//! the network's KPIs, 8 bytes each per replication (and, for `compare`, each variant's network
//! and `--scope` series), written once more into the saved results at the end. Everything else
//! is fixed: every KPI of every scope is summarised as it streams ([`crate::stats::Streamed`]:
//! exact sums of about 700 bytes and a quantile sketch of 8 bytes per bucket in use, one per
//! replication while replications are few, a few hundred for a KPI spread over a factor of two), one block of replications is held at a time
//! (their KPI values and replications.csv rows), the first replications keep their day-by-day
//! records for the charts ([`Model::day_records`]), and each worker thread holds its
//! replication state, whose day-by-day parts grow with the horizon.

use crate::kpi::Kpi;
use crate::model::Model;

use super::scopes_of;

/// Memory a run needs: a fixed part plus a part per replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    /// Bytes that do not depend on the number of replications (program, model, thread states,
    /// streamed summaries, one block of replications, day-by-day chart records).
    pub fixed: u64,
    /// Bytes per replication (kept KPI values).
    pub per_replication: u64,
}

/// What a run keeps besides the network's KPI values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keeps {
    /// `replications.csv` is written as the run goes, with position rows when `Some(true)`.
    pub csv: Option<bool>,
    /// Further series of network KPIs kept per replication (e.g. one per variant of `compare`).
    pub extra_network_series: usize,
}

/// The program itself, its tables, summaries, JSON and charts of a small run: measured at 10 to
/// 20 MB peak resident memory for the shipped scenarios.
const BASE: u64 = 16 << 20;

/// Bytes of a replications.csv row: the leading columns and about 13 characters per KPI
/// (measured: 378 bytes a row of 29 KPIs in winter-jackets, 369 in dc-100-stores).
const CSV_ROW: u64 = 20 + 13 * Kpi::COUNT as u64;

/// Drawing the charts and the page that inlines them (PNG buffers, SVG text): about 16 MB.
const DRAWING: u64 = 16 << 20;

/// Bytes a series costs when the results are written: its summary (twice: the table and the
/// named document), its part of summary.json (about 250 characters) and of the saved results
/// (about 190 bytes); fitted to a network of 10,000 positions.
const OUTPUT_PER_SERIES: u64 = 450;

/// Bytes of one streamed series besides its sketch's buckets: two exact sums (40 digits each),
/// the count, extremes and the sketch's windows.
const STREAM: u64 = std::mem::size_of::<crate::stats::Streamed>() as u64;

/// Heap bytes of a series' exact sums: their windows of about six digits, and the allocator's
/// bookkeeping of the three vectors.
const STREAM_HEAP: u64 = 160;

/// Bytes of one line of positions.csv (labels and 24 numbers).
const POSITION_ROW: u64 = 320;

/// Bytes a loaded and compiled position keeps resident (see [`estimate`]).
const LOADED_POSITION: u64 = 2_200;

/// Replications a worker thread has state or totals for at once: a pair in lockstep, a lone
/// one, and the totals of the lane being handed over (one lane's at a time).
const LANES_PER_THREAD: u64 = 4;

impl Need {
    /// Bytes for `replications` replications.
    pub fn total(&self, replications: usize) -> u64 {
        self.fixed.saturating_add(self.per_replication.saturating_mul(replications as u64))
    }

    /// The most replications that fit in `limit` bytes (0 if not even one does).
    pub fn max_replications(&self, limit: u64) -> u64 {
        limit.saturating_sub(self.fixed) / self.per_replication.max(1)
    }
}

/// Estimates the memory of running `m` (with its `record_daily` setting) on `threads` workers.
pub fn estimate(m: &Model, replications: usize, threads: usize, keeps: Keeps) -> Need {
    let kpis = Kpi::COUNT as u64;
    let scopes = scopes_of(m);
    let series = scopes.len() as u64 * kpis;
    // The network's values, kept and then written into the saved results; a summary's scratch
    // and a histogram's copy of one KPI.
    let per_replication = 2 * (1 + keeps.extra_network_series as u64) * kpis * 8 + 128;
    // A sketch's buckets (8 bytes each): one per distinct value while there are few; a KPI
    // spread over a factor of two across replications fills at most 512 of them, and most
    // KPIs of a scope are far narrower (many are 0 or constant).
    let buckets = (replications as u64).min(256) * 8;
    let streams = series * (STREAM + STREAM_HEAP + buckets + OUTPUT_PER_SERIES);
    // One block of replications: every scope's KPI values, and its replications.csv rows.
    let rows = match keeps.csv {
        Some(positions) => {
            scopes.iter().filter(|s| positions || !matches!(s, super::Scope::Position(_))).count() as u64
        }
        None => 0,
    };
    let n_pos = m.n_pos() as u64;
    let pos_kpis = super::POSITION_KPIS.len() as u64;
    let block = (super::block_len(m, scopes.len(), threads).min(replications.max(1)) as u64)
        * (series * 8 + n_pos * pos_kpis * 8 + rows * CSV_ROW);
    // The position table (40 bytes a KPI), its copy in the saved results and positions.csv; the
    // scenario and model themselves (what loading leaves resident: measured 2.2 KB a position
    // of a generated chain of a million positions, heap the parse freed included).
    let positions = n_pos * (pos_kpis * 80 + POSITION_ROW + LOADED_POSITION);
    let days = m.days as u64;
    // Day-by-day records of one replication: network totals (5 values) and, for charts, on hand
    // and backlog, demand and same-day service per location.
    let recorded = if m.record_daily { days * (m.topo.n_loc as u64 * 4 + 5) * 8 } else { 0 };
    // Kept per replication for the charts: at most MAX_DAILY_POINTS points (weekly means past that).
    let points = (m.days as u64).min(super::downsample::MAX_DAILY_POINTS as u64);
    let kept_record = if m.record_daily { points * (m.topo.n_loc as u64 * 4 + 5) * 8 } else { 0 };
    let charts = kept_record * m.day_records().min(replications) as u64;
    // A lane's state: day-by-day totals and disruption flags when days are recorded, the
    // pipeline ring and per-position stocks and sums.
    let lane = if m.records_days() { days * (5 * 8 + 1) } else { 0 }
        + recorded
        + (m.n_pos() as u64) * (m.processes.ring_len as u64 + 64) * 8;
    let workers = threads.max(1) as u64;
    let drawing = if m.record_daily { DRAWING } else { 0 };
    let fixed = BASE + drawing + charts + streams + block + positions + workers * LANES_PER_THREAD * lane;
    Need { fixed, per_replication }
}

/// The memory a run may use and where that figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Bytes.
    pub bytes: u64,
    /// `true`: the machine's available memory (`MemAvailable` of `/proc/meminfo`); `false`: the
    /// fixed [`FALLBACK_LIMIT`], where that file cannot be read.
    pub measured: bool,
}

/// The budget where the available memory cannot be read: 4 GiB.
pub const FALLBACK_LIMIT: u64 = 4 << 30;

/// The memory available to a run now: `MemAvailable` from `/proc/meminfo` where readable, else
/// [`FALLBACK_LIMIT`]. `ECHELON_MEMORY_LIMIT` (bytes) overrides both, for tests and for
/// machines whose limits the file does not show (containers).
pub fn available() -> Limit {
    if let Some(b) = std::env::var("ECHELON_MEMORY_LIMIT").ok().and_then(|v| v.trim().parse().ok()) {
        return Limit { bytes: b, measured: false };
    }
    let kb = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    match kb {
        Some(kb) => Limit { bytes: kb.saturating_mul(1024), measured: true },
        None => Limit { bytes: FALLBACK_LIMIT, measured: false },
    }
}

/// A byte count for people: `1.5 GB`, `820 MB`.
pub fn fmt_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 { format!("{:.1} GB", b / 1e9) } else { format!("{:.0} MB", (b / 1e6).max(1.0)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    const ONE: &str = r#"
[simulation]
days = 100
[[skus]]
id = "a"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "s"
type = "store"
source = "sup"
policy = { type = "base_stock", level = 5 }
[[demand]]
location = "s"
distribution = { type = "poisson", mean = 2 }
"#;

    /// Only the network's values grow with the replications; every scope costs a fixed amount.
    #[test]
    fn only_the_network_grows_with_replications() {
        let m = Model::compile(&Scenario::parse("t.toml", ONE).unwrap());
        let bare = estimate(&m, 10, 1, Keeps::default());
        assert_eq!(bare.per_replication, 2 * Kpi::COUNT as u64 * 8 + 128);
        let two = estimate(&m, 10, 1, Keeps { extra_network_series: 1, ..Keeps::default() });
        assert_eq!(two.per_replication, 2 * bare.per_replication - 128);
        let csv = estimate(&m, 10, 1, Keeps { csv: Some(true), ..Keeps::default() });
        assert_eq!(csv.per_replication, bare.per_replication);
        assert!(csv.fixed > bare.fixed);
        assert_eq!(bare.total(1_000), bare.fixed + 1_000 * bare.per_replication);
        let cap = bare.max_replications(bare.total(1_000));
        assert_eq!(cap, 1_000);
        assert_eq!(bare.max_replications(0), 0);
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(fmt_bytes(1_500_000_000), "1.5 GB");
        assert_eq!(fmt_bytes(820_000_000), "820 MB");
        assert_eq!(fmt_bytes(10), "1 MB");
    }
}
