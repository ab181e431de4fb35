//! Disruptions: supplier outages (Markov and scheduled) and transport delays.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod step;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::{DelayRt, DisruptionRt};
// Validated types this concept owns, as the scenario defines them today.
pub use crate::scenario::{Delay, Disruption};

// ---- validated types (scenario side) ----
