//! The network tables as CSV: locations.csv, skus.csv, positions.csv and demand.csv (columns
//! exactly as the tables contract names them).

use std::io::{self, Write};

use super::model::{DemandKind, FAST_MEAN, Position, Retailer, Tier};

/// Header of locations.csv.
pub const LOCATIONS_HEADER: &str = "id,type,source,lead_time,region,tier,description";
/// Header of skus.csv.
pub const SKUS_HEADER: &str = "id,unit_cost,price,holding_cost,stockout_cost,order_cost,description";
/// Header of positions.csv.
pub const POSITIONS_HEADER: &str = "location,sku,policy,level,s,S,review_days";
/// Header of demand.csv.
pub const DEMAND_HEADER: &str = "location,sku,distribution,mean,sd,probability,weekly,monthly,trend_per_year";

/// A DC reviews weekly and orders up to its lead time, the review week and this many days of cover.
const DC_SAFETY_DAYS: u32 = 5;
/// A DC's review period in days.
pub const DC_REVIEW_DAYS: u32 = 7;
/// A DC's lead time is drawn uniformly within ± this many days of its mean.
const DC_LEAD_SPREAD: u32 = 2;

/// The policy cells `(policy, level, s, S)` of a store position: service targets where demand
/// is steady enough for them, days of cover for mid-movers at smaller stores, a unit or two for
/// slow movers (where a service target on a normal approximation means little).
pub fn store_policy(tier: Tier, p: &Position) -> [&'static str; 4] {
    let class = if p.kind == DemandKind::Intermittent {
        2
    } else if p.mean >= FAST_MEAN {
        0
    } else {
        1
    };
    match (tier, class) {
        (Tier::A, 0) => ["base_stock", "97%", "", ""],
        (Tier::A, 1) | (Tier::B, 0) => ["base_stock", "95%", "", ""],
        (Tier::A, _) => ["s_S", "", "1", "3"],
        (Tier::B, 1) | (Tier::C, 1) => ["s_S", "", "5d", "14d"],
        (Tier::B, _) => ["s_S", "", "0", "2"],
        (Tier::C, 0) => ["s_S", "", "4d", "10d"],
        (Tier::C, _) => ["s_S", "", "0", "1"],
    }
}

/// Appends a number in its shortest round-trip form (never an exponent).
pub(crate) fn num(line: &mut Vec<u8>, x: f64) {
    write!(line, "{x}").expect("writing to memory");
}

/// Appends multipliers separated by spaces.
fn multipliers(line: &mut Vec<u8>, m: &[f64]) {
    for (i, x) in m.iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        num(line, *x);
    }
}

impl Retailer {
    /// Writes locations.csv: the supplier, the DCs, the stores.
    pub fn write_locations(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{LOCATIONS_HEADER}")?;
        writeln!(w, "supplier,supplier,,,,,the manufacturer: unlimited stock")?;
        for dc in &self.dcs {
            let (lo, hi) = (dc.lead_time - DC_LEAD_SPREAD, dc.lead_time + DC_LEAD_SPREAD);
            writeln!(
                w,
                "{},warehouse,supplier,\"{{ type = 'uniform', min = {lo}, max = {hi} }}\",{},,DC of region {}",
                dc.id, dc.region, dc.region
            )?;
        }
        for st in &self.stores {
            let dc = &self.dcs[st.dc];
            writeln!(
                w,
                "{},store,{},{},{},{},size {}",
                st.id,
                dc.id,
                st.lead_time,
                dc.region,
                st.tier.label(),
                st.size
            )?;
        }
        Ok(())
    }

    /// Writes skus.csv.
    pub fn write_skus(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{SKUS_HEADER}")?;
        let mut line = Vec::with_capacity(128);
        for k in &self.skus {
            line.clear();
            line.extend_from_slice(k.id.as_bytes());
            for x in [k.unit_cost, k.price, k.holding_cost, k.stockout_cost, k.order_cost] {
                line.push(b',');
                num(&mut line, x);
            }
            line.push(b',');
            line.extend_from_slice(self.categories[k.category].name.as_bytes());
            line.push(b'\n');
            w.write_all(&line)?;
        }
        Ok(())
    }

    /// Writes positions.csv: every SKU at every DC (weekly base-stock in days of cover), then
    /// every store position (by tier and velocity, see [`store_policy`]).
    pub fn write_positions(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{POSITIONS_HEADER}")?;
        let mut line = Vec::with_capacity(128);
        for dc in &self.dcs {
            let days = dc.lead_time + DC_REVIEW_DAYS + DC_SAFETY_DAYS;
            for k in &self.skus {
                line.clear();
                writeln!(line, "{},{},base_stock,{days}d,,,{DC_REVIEW_DAYS}", dc.id, k.id)?;
                w.write_all(&line)?;
            }
        }
        for (s, st) in self.stores.iter().enumerate() {
            for (k, sku) in self.skus.iter().enumerate() {
                let [policy, level, lo, hi] = store_policy(st.tier, self.position(s, k));
                line.clear();
                writeln!(line, "{},{},{policy},{level},{lo},{hi},", st.id, sku.id)?;
                w.write_all(&line)?;
            }
        }
        Ok(())
    }

    /// Writes demand.csv: the true demand model of every store position.
    pub fn write_demand(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(w, "{DEMAND_HEADER}")?;
        // The seasonal cells of each category, written once.
        let seasonal: Vec<Vec<u8>> = self
            .categories
            .iter()
            .map(|c| {
                let mut v = Vec::new();
                v.push(b',');
                multipliers(&mut v, &c.weekly);
                v.push(b',');
                if let Some(m) = &c.monthly {
                    multipliers(&mut v, m);
                }
                v.push(b',');
                if c.trend_per_year != 0.0 {
                    num(&mut v, c.trend_per_year);
                }
                v.push(b'\n');
                v
            })
            .collect();
        let mut line = Vec::with_capacity(256);
        for (s, st) in self.stores.iter().enumerate() {
            for (k, sku) in self.skus.iter().enumerate() {
                let p = self.position(s, k);
                line.clear();
                line.extend_from_slice(st.id.as_bytes());
                line.push(b',');
                line.extend_from_slice(sku.id.as_bytes());
                line.extend_from_slice(match p.kind {
                    DemandKind::Poisson => b",poisson,",
                    DemandKind::NegativeBinomial => b",negative_binomial,",
                    DemandKind::Intermittent => b",intermittent,",
                });
                num(&mut line, p.mean);
                line.push(b',');
                if p.kind != DemandKind::Poisson {
                    num(&mut line, p.sd);
                }
                line.push(b',');
                if p.kind == DemandKind::Intermittent {
                    num(&mut line, p.probability);
                }
                line.extend_from_slice(&seasonal[sku.category]);
                w.write_all(&line)?;
            }
        }
        Ok(())
    }
}
