//! A synthetic retailer: the tables of a chain of stores, as `echelon generate` writes them.
//!
//! [`build`] draws a [`Retailer`] from a [`Spec`]: one supplier, a few DCs each serving a region,
//! stores of tiers A/B/C spread over the regions, and SKUs with long-tailed velocities (Zipf over
//! a shuffled rank), intermittent slow movers, category-wise weekly and yearly patterns and
//! regional differences. Its tables follow the tables contract (README, "Tables"):
//! `locations.csv`, `skus.csv`, `positions.csv`, `demand.csv` (the true demand model), `sales.csv`
//! (daily history drawn from that model, with a few censored stockout days) and `scenario.toml`.
//!
//! Everything is deterministic for a seed: every random quantity comes from a stream keyed by
//! (seed, purpose, the entity's *name*), like the simulation's streams (`rng`), so a store keeps
//! its size when SKUs are added, and a position its demand when other stores are.
//!
//! ```
//! use echelon::generate::{Spec, generate};
//!
//! let tables = generate(&Spec { stores: 4, skus: 10, days: 28, ..Spec::default() }).unwrap();
//! assert!(tables.positions.starts_with("location,sku,policy"));
//! assert_eq!(tables.demand.lines().count(), 1 + 4 * 10);
//! ```

mod model;
mod sales;
mod scenario;
mod tables;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub use model::{Category, Dc, DemandKind, Position, Retailer, Sku, Store, Tier};
pub use sales::SalesCount;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Number of stores (≥ 1).
    pub stores: usize,
    /// Number of SKUs (≥ 1).
    pub skus: usize,
    /// Days of sales history, ending the day before `start_date` (0: an empty sales.csv).
    pub days: usize,
    /// Number of DCs (regions) [default: about one per 25 stores, at least 1].
    pub dcs: Option<usize>,
    /// Seed of every random draw.
    pub seed: u64,
    /// Calendar date of the scenario's day 0 `(year, month, day)`.
    pub start_date: (i32, u32, u32),
    /// `simulation.replications` of the scenario file.
    pub replications: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Spec { stores: 50, skus: 200, days: 365, dcs: None, seed: 1, start_date: (2026, 1, 1), replications: 20 }
    }
}

/// Most stores, SKUs and positions a spec may ask for (beyond them the tables would not load).
pub const MAX_STORES: usize = 100_000;
/// Most SKUs.
pub const MAX_SKUS: usize = 1_000_000;
/// Most store positions (stores × SKUs).
pub const MAX_POSITIONS: usize = 50_000_000;
/// Most days of history (30 years).
pub const MAX_HISTORY_DAYS: usize = 10_950;

/// A spec that cannot be generated.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{what}")]
pub struct SpecError {
    /// What is wrong, naming the setting.
    pub what: String,
    /// What to write instead.
    pub help: String,
}

impl Spec {
    /// The number of DCs: `dcs`, or about one per 25 stores (at least 1).
    pub fn dc_count(&self) -> usize {
        self.dcs.unwrap_or((self.stores + 12) / 25).max(1)
    }

    /// Checks the sizes (before any work).
    pub fn check(&self) -> Result<(), SpecError> {
        let err = |what: String, help: &str| Err(SpecError { what, help: help.into() });
        if self.stores == 0 || self.stores > MAX_STORES {
            return err(format!("stores must be 1 to {MAX_STORES}, found {}", self.stores), "e.g. --stores 50");
        }
        if self.skus == 0 || self.skus > MAX_SKUS {
            return err(format!("skus must be 1 to {MAX_SKUS}, found {}", self.skus), "e.g. --skus 200");
        }
        if self.stores.saturating_mul(self.skus) > MAX_POSITIONS {
            return err(
                format!("{} stores × {} SKUs is more than {MAX_POSITIONS} positions", self.stores, self.skus),
                "fewer stores or SKUs",
            );
        }
        if self.days > MAX_HISTORY_DAYS {
            return err(
                format!("days of history must be at most {MAX_HISTORY_DAYS}, found {}", self.days),
                "e.g. --days 365",
            );
        }
        let dcs = self.dc_count();
        if dcs > self.stores {
            return err(
                format!("{dcs} DCs for {} stores: every DC needs a store of its region", self.stores),
                "at most as many DCs as stores",
            );
        }
        let (y, m, d) = self.start_date;
        if !(1900..=9999).contains(&y) || crate::calendar::days_in_month(y, m).is_none_or(|n| d == 0 || d > n) {
            return err(format!("start date {y:04}-{m:02}-{d:02} is not a date"), "e.g. 2026-01-01");
        }
        if self.replications == 0 {
            return err("replications must be at least 1".into(), "e.g. 20");
        }
        Ok(())
    }
}

/// Draws the retailer a spec describes (checked first).
pub fn build(spec: &Spec) -> Result<Retailer, SpecError> {
    spec.check()?;
    Ok(model::build(spec))
}

/// The texts of the six files, for small chains (tests, docs); [`Retailer::write`] streams them.
#[derive(Clone, Debug, PartialEq)]
pub struct Tables {
    /// `locations.csv`.
    pub locations: String,
    /// `skus.csv`.
    pub skus: String,
    /// `positions.csv`.
    pub positions: String,
    /// `demand.csv`.
    pub demand: String,
    /// `sales.csv`.
    pub sales: String,
    /// `scenario.toml`.
    pub scenario: String,
}

/// Generates a spec's tables in memory.
pub fn generate(spec: &Spec) -> Result<Tables, SpecError> {
    let r = build(spec)?;
    let text = |f: &dyn Fn(&mut Vec<u8>) -> io::Result<()>| {
        let mut v = Vec::new();
        f(&mut v).expect("writing to memory");
        String::from_utf8(v).expect("the tables are UTF-8")
    };
    Ok(Tables {
        locations: text(&|w| r.write_locations(w)),
        skus: text(&|w| r.write_skus(w)),
        positions: text(&|w| r.write_positions(w)),
        demand: text(&|w| r.write_demand(w)),
        sales: text(&|w| r.write_sales(w).map(|_| ())),
        scenario: r.scenario_toml(),
    })
}

impl Tables {
    /// Writes the six files into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in [
            (FILES[0], &self.locations),
            (FILES[1], &self.skus),
            (FILES[2], &self.positions),
            (FILES[3], &self.demand),
            (FILES[4], &self.sales),
            (FILES[5], &self.scenario),
        ] {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }
}

/// The files written, in order.
pub const FILES: [&str; 6] = ["locations.csv", "skus.csv", "positions.csv", "demand.csv", "sales.csv", "scenario.toml"];

/// One file written: its path, data rows (lines for the TOML) and bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// Where.
    pub path: PathBuf,
    /// Data rows (without the header); lines of scenario.toml.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
}

impl Retailer {
    /// Writes the six files into `dir` (created if missing), each through a buffer, sales.csv
    /// day by day without holding the history in memory.
    pub fn write(&self, dir: &Path) -> io::Result<Vec<Written>> {
        std::fs::create_dir_all(dir)?;
        let mut out = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            let mut w = Counting { inner: BufWriter::with_capacity(1 << 20, File::create(&path)?), bytes: 0, lines: 0 };
            match name {
                "locations.csv" => self.write_locations(&mut w)?,
                "skus.csv" => self.write_skus(&mut w)?,
                "positions.csv" => self.write_positions(&mut w)?,
                "demand.csv" => self.write_demand(&mut w)?,
                "sales.csv" => self.write_sales(&mut w).map(|_| ())?,
                _ => w.write_all(self.scenario_toml().as_bytes())?,
            }
            w.inner.flush()?;
            let header = u64::from(name.ends_with(".csv"));
            out.push(Written { path, rows: w.lines.saturating_sub(header), bytes: w.bytes });
        }
        Ok(out)
    }
}

/// A writer that counts bytes and lines.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
    lines: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::{Demand, demand_multiplier};

    fn small(seed: u64) -> Spec {
        Spec { stores: 12, skus: 60, days: 56, seed, ..Spec::default() }
    }

    #[test]
    fn same_seed_same_tables_other_seed_other_tables() {
        let a = generate(&small(3)).unwrap();
        assert_eq!(a, generate(&small(3)).unwrap());
        let b = generate(&small(4)).unwrap();
        for (x, y) in [(&a.locations, &b.locations), (&a.skus, &b.skus), (&a.demand, &b.demand), (&a.sales, &b.sales)] {
            assert_ne!(x, y);
        }
    }

    #[test]
    fn entities_keep_their_draws_when_the_chain_grows() {
        // Keyed by name: a store's size and a SKU's cost do not depend on how many there are.
        let a = build(&small(3)).unwrap();
        let b = build(&Spec { stores: 13, skus: 61, ..small(3) }).unwrap();
        assert_eq!(a.stores[5].size, b.stores[5].size);
        assert_eq!(a.skus[7].unit_cost, b.skus[7].unit_cost);
    }

    #[test]
    fn velocities_are_long_tailed_with_intermittent_slow_movers() {
        let r = build(&Spec { stores: 20, skus: 200, days: 0, ..Spec::default() }).unwrap();
        let mut volume: Vec<f64> =
            (0..r.skus.len()).map(|k| (0..r.stores.len()).map(|s| r.position(s, k).mean).sum()).collect();
        volume.sort_by(|a, b| b.total_cmp(a));
        let top: f64 = volume[..volume.len() / 5].iter().sum();
        let share = top / volume.iter().sum::<f64>();
        assert!(share >= 0.5, "the top 20 % of SKUs carry {share:.3} of the volume");
        let kinds = |k| r.positions.iter().filter(|p| p.kind == k).count() as f64 / r.positions.len() as f64;
        for k in [DemandKind::Poisson, DemandKind::NegativeBinomial, DemandKind::Intermittent] {
            assert!(kinds(k) > 0.1, "{k:?}: {:.3} of the positions", kinds(k));
        }
        for p in &r.positions {
            assert!(p.mean > 0.0 && p.sd > 0.0 && p.probability > 0.0 && p.probability <= 1.0, "{p:?}");
            match p.kind {
                DemandKind::NegativeBinomial => assert!(p.sd * p.sd > p.mean, "{p:?}"),
                DemandKind::Intermittent => assert!(p.mean / p.probability >= 1.0, "{p:?}"),
                DemandKind::Poisson => {}
            }
        }
    }

    #[test]
    fn regions_tiers_and_lead_times() {
        let r = build(&Spec { stores: 100, skus: 5, days: 0, ..Spec::default() }).unwrap();
        assert_eq!(r.dcs.len(), 4, "about one DC per 25 stores");
        for d in 0..r.dcs.len() {
            assert!(r.stores.iter().any(|s| s.dc == d), "DC {d} serves no store");
        }
        let tier = |t| r.stores.iter().filter(|s| s.tier == t).count();
        assert_eq!((tier(Tier::A), tier(Tier::B), tier(Tier::C)), (20, 30, 50));
        assert!(r.dcs.iter().all(|d| (7..=14).contains(&d.lead_time)));
        assert!(r.stores.iter().all(|s| (1..=3).contains(&s.lead_time)));
        let size = |t| r.stores.iter().filter(|s| s.tier == t).map(|s| s.size).fold(f64::NAN, f64::min);
        assert!(size(Tier::A) >= size(Tier::B) && size(Tier::B) >= size(Tier::C));
        assert_eq!(Spec { stores: 1, ..Spec::default() }.dc_count(), 1);
    }

    #[test]
    fn history_multipliers_are_the_engines() {
        let r = build(&Spec { stores: 1, skus: 1, days: 400, start_date: (2026, 3, 15), ..Spec::default() }).unwrap();
        let mult = r.history_multipliers();
        for (c, cat) in r.categories.iter().enumerate() {
            let dm = Demand {
                location: 0,
                sku: 0,
                dist: crate::distribution::Dist::Poisson { mean: 1.0 },
                weekly: Some(cat.weekly),
                monthly: cat.monthly,
                promotions: Vec::new(),
                trend_per_year: cat.trend_per_year,
                key: String::new(),
                channel: crate::channel::Channel::Store,
            };
            // History day d is simulated day d with a warm-up as long as the history.
            for d in [0, 1, 57, 200, 399] {
                let engine = demand_multiplier(&dm, r.spec.start_date, 400, d);
                assert!((mult[c][d] - engine).abs() < 1e-12, "{}: day {d}", cat.name);
            }
        }
    }

    #[test]
    fn bad_specs_are_refused() {
        for (spec, word) in [
            (Spec { stores: 0, ..Spec::default() }, "stores"),
            (Spec { skus: 0, ..Spec::default() }, "skus"),
            (Spec { dcs: Some(60), ..Spec::default() }, "DCs"),
            (Spec { start_date: (2026, 2, 30), ..Spec::default() }, "date"),
            (Spec { days: MAX_HISTORY_DAYS + 1, ..Spec::default() }, "days"),
        ] {
            let e = spec.check().unwrap_err();
            assert!(e.what.contains(word), "{e:?}");
        }
    }
}
