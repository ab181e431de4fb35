//! Demand: customer demand streams, seasonality, promotions, shocks and common factors.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::{FactorRt, ShockRt, Stream, TableStream, demand_multiplier, demand_multipliers};
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

use crate::distribution::Dist;

/// A promotion: demand × multiplier on an inclusive window of measured days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Promotion {
    /// First day (inclusive).
    pub first_day: i64,
    /// Last day (inclusive).
    pub last_day: i64,
    /// Demand multiplier.
    pub multiplier: f64,
    /// Counts as a disruption for the resilience KPIs (demand surges of stress tests).
    pub shock: bool,
}

/// One stream of customer demand at a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// Location index.
    pub location: usize,
    /// SKU index.
    pub sku: usize,
    /// Daily demand distribution.
    pub dist: Dist,
    /// Day-of-week factors, Monday first.
    pub weekly: Option<[f64; 7]>,
    /// Month-of-year factors, January first.
    pub monthly: Option<[f64; 12]>,
    /// Promotions.
    pub promotions: Vec<Promotion>,
    /// Growth of the mean per year (0.1 = +10 %/year, compounding daily).
    pub trend_per_year: f64,
    /// Stable name of the stream (seeds its random numbers).
    pub key: String,
    /// The channel its customers buy through.
    pub channel: crate::channel::Channel,
}

/// Random demand shocks (weather, a social-media spike): events arriving at a rate, each
/// multiplying the demand of a group of streams for a random duration.
#[derive(Clone, Debug, PartialEq)]
pub struct Shock {
    /// Indices into `Scenario::demand` of the streams it hits.
    pub streams: Vec<usize>,
    /// Mean days between event starts.
    pub mean_days_between: f64,
    /// Length of an event in days.
    pub duration: Dist,
    /// Demand multiplier during an event (drawn per event).
    pub multiplier: Dist,
    /// What it represents.
    pub description: String,
}

/// A daily random factor shared by a group of demand streams (e.g. a region's weather):
/// log-normal with mean 1 and the given coefficient of variation, optionally autocorrelated.
#[derive(Clone, Debug, PartialEq)]
pub struct CommonFactor {
    /// Indices into `Scenario::demand` of the streams it multiplies.
    pub streams: Vec<usize>,
    /// Coefficient of variation of the factor.
    pub cv: f64,
    /// Day-to-day correlation of the factor's logarithm (0 = independent days).
    pub autocorrelation: f64,
}
