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
pub use crate::scenario::ForecastMethod;

// ---- validated types (scenario side) ----
