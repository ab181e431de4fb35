//! Allocation: rationing rules, reserves, push, launch allocation and rebalancing.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub mod ration;

pub use compile::{Allocation, PushRt, RebalanceRt, ReserveRt, Rule};
pub use ration::proportional;
pub(crate) use step::LaneAlloc;
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

use crate::forecast::Forecast;
use crate::policy::LevelSpec;

/// How a location shares scarce stock among the locations it supplies.
#[derive(Clone, Debug, PartialEq)]
pub enum Rationing {
    /// In proportion to what each asked for (the default).
    Proportional,
    /// In full, one after another, in this order of location indices (then file order).
    Priority(Vec<usize>),
    /// So that their days of cover after allocation are as equal as possible.
    FairShare,
    /// Tier by tier in label order, proportionally within a tier.
    TierPriority,
}

/// Stock a warehouse holds back for one tier until that tier's sell-through reaches a threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Reserve {
    /// Share of the warehouse's initial stock held back.
    pub share: f64,
    /// Sell-through of the protected tier that releases the reserve.
    pub release_sell_through: f64,
    /// The protected tier (it may always use the reserve).
    pub tier: String,
}

/// Forecast-driven push: on every cycle, the warehouse ships each location it supplies its
/// forecast need for the cycle and the lead time, plus a buffer, minus what it has.
#[derive(Clone, Debug, PartialEq)]
pub struct Push {
    /// Days between allocations.
    pub cycle_days: u32,
    /// Allocations happen on measured days d with d mod cycle_days = offset.
    pub offset: u32,
    /// Buffer on top of the forecast need (units, days of cover, or a service target).
    pub buffer: LevelSpec,
    /// How demand is forecast.
    pub forecast: Forecast,
}

/// A launch: a total quantity per SKU split between a warehouse and the locations it supplies.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// Total units per SKU (indexed by SKU; `None` = this SKU is not launched).
    pub total: Vec<Option<f64>>,
    /// Share of the total the warehouse keeps.
    pub keep: f64,
    /// How the rest is split between the locations it supplies.
    pub by: LaunchBy,
}

/// Shares of a launch allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchBy {
    /// By the locations' `weight`.
    Weights,
    /// By their expected demand.
    Demand,
    /// By expected demand × weight.
    WeightedDemand,
}

/// Lateral transshipment between stores.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebalancing {
    /// Days between reviews.
    pub review_days: u32,
    /// A store below this many days of cover receives.
    pub trigger_days: f64,
    /// Receivers are filled up to, and donors keep, this many days of cover.
    pub target_days: f64,
    /// Transfer lead time in days.
    pub lead_time: u32,
    /// Cost per unit transferred.
    pub cost_per_unit: f64,
    /// Which stores may exchange stock.
    pub within: RebalanceWithin,
}

/// Groups of stores that may exchange stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebalanceWithin {
    /// Stores with the same `region`.
    Region,
    /// Stores with the same source.
    Source,
    /// All stores.
    All,
}
