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
pub use crate::scenario::{CommonFactor, Demand, Shock};

// ---- validated types (scenario side) ----
