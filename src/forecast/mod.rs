//! Forecasts: moving averages and smoothing that drive push allocation and dynamic levels.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::{DynLevel, ForecastRt};
// Validated types this concept owns, as the scenario defines them today.

// ---- validated types (scenario side) ----

/// A demand forecast, updated from the demand seen so far in the replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The method.
    pub method: ForecastMethod,
    /// Forecast the national total and split it evenly (instead of each location's own).
    pub national: bool,
    /// Systematic error: forecasts are multiplied by 1 + bias.
    pub bias: f64,
    /// Random error: forecasts are multiplied by a log-normal factor with this coefficient of
    /// variation, drawn at every allocation.
    pub noise_cv: f64,
}

/// Forecasting methods.
#[derive(Clone, Debug, PartialEq)]
pub enum ForecastMethod {
    /// Mean of the last `window` days.
    MovingAverage {
        /// Days averaged.
        window: u32,
    },
    /// Simple exponential smoothing.
    ExpSmoothing {
        /// Weight of the newest day.
        alpha: f64,
    },
    /// The same days one season ago.
    SeasonalNaive {
        /// Season length in days.
        season: u32,
    },
    /// The plan: the scenario's own expected demand (seasonality, promotions and trend
    /// included) — perfect knowledge of the mean.
    Plan,
}
