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
pub use crate::scenario::{LaunchBy, Push, Rationing, RebalanceWithin};

// ---- validated types (scenario side) ----
