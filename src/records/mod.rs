//! Inventory records: what the systems show against what is on the shelf.
//!
//! Every stocking position keeps its physical on-hand (what customers can buy) and a recorded
//! on-hand (what every replenishment decision sees). They part through `shrinkage` (units leave
//! the shelf unrecorded), `receiving_errors` (receipts booked wrongly, both ways) and meet again
//! at a `cycle_count`; `visibility_lag_days` makes a location's decisions read its record as it
//! was some days ago. Kang & Gershwin (2005), "Information inaccuracy in inventory systems:
//! stock loss and stockout", show why it matters: without counts a store whose record shows
//! stock that is not there never reorders and sells nothing (it *freezes*).
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`). A scenario without any of these keys compiles to an inactive [`RecordsRt`] and the
//! engine runs exactly as before.

pub mod compile;
pub(crate) mod step;
pub mod validate;

pub use compile::RecordsRt;
pub(crate) use step::RecordsState;

use crate::distribution::Dist;

/// How units leave a shelf unrecorded (theft, damage, spoilage).
#[derive(Clone, Debug, PartialEq)]
pub enum Shrinkage {
    /// None.
    None,
    /// A share of the on-hand per day (whole-unit SKUs: each unit is lost with that probability).
    Rate(f64),
    /// Units per day from a distribution (at most what is on the shelf).
    Units(Dist),
}

/// A periodic count that sets the record to the physical stock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CycleCount {
    /// Days between counts (0 = never).
    pub every_days: u32,
    /// Measured day of the first count (counts on days `offset`, `offset + every_days`, ...).
    pub offset: u32,
    /// Cost of counting one position (one SKU at one location), included in total cost.
    pub cost: f64,
    /// Days between counts by ABC class of a customer-facing position (A, B, C; 0 = never),
    /// over `every_days`.
    pub by_class: [Option<u32>; 3],
}

impl CycleCount {
    /// Days between counts of a position of ABC class `class` ('A', 'B', 'C'; `None` for
    /// positions without customer demand).
    pub fn every_for(&self, class: Option<char>) -> u32 {
        let i = match class {
            Some('A') => 0,
            Some('B') => 1,
            Some('C') => 2,
            _ => return self.every_days,
        };
        self.by_class[i].unwrap_or(self.every_days)
    }
}

/// Record keys of one location after the scenario-wide `[records]` defaults are applied.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationRecords {
    /// Units leaving the shelf unrecorded.
    pub shrinkage: Shrinkage,
    /// Share of received units recorded wrongly (half too many, half too few on average).
    pub receiving_errors: f64,
    /// Cycle counts (`None` = never counted).
    pub cycle_count: Option<CycleCount>,
    /// Days by which decisions about the location lag its record.
    pub visibility_lag_days: u32,
}

impl Default for LocationRecords {
    fn default() -> Self {
        LocationRecords { shrinkage: Shrinkage::None, receiving_errors: 0.0, cycle_count: None, visibility_lag_days: 0 }
    }
}

impl LocationRecords {
    /// Whether the record can differ from the shelf, or decisions see it late.
    pub fn in_use(&self) -> bool {
        self.shrinkage != Shrinkage::None
            || self.receiving_errors > 0.0
            || self.visibility_lag_days > 0
            || self.cycle_count.is_some_and(|c| c.every_days > 0 || c.by_class.iter().any(|x| x.is_some_and(|d| d > 0)))
    }
}

/// Which stock each channel's planning sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    /// One view of all stock (the default).
    #[default]
    Unified,
    /// Each channel's planning sees only its own pool: the online location's routing does not
    /// see store stock it has no record of (ship-from-store nodes look empty to it), and a
    /// store's levels and forecasts count its walk-in and BOPIS demand only; the online demand
    /// is planned for by the non-store nodes (see [`crate::channel::plan`]).
    Siloed,
}

/// The scenario's records: per location (scenario order), and the visibility mode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    /// Per location, in scenario order (suppliers and online locations keep the default).
    pub locations: Vec<LocationRecords>,
    /// Unified or siloed planning.
    pub visibility: Visibility,
}

impl Records {
    /// Whether any location uses records (then record KPIs and trace columns are written).
    pub fn in_use(&self) -> bool {
        self.locations.iter().any(LocationRecords::in_use)
    }
}
