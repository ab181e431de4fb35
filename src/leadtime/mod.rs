//! Lead times: fixed or random whole days, their exact moments and samplers.
//!
//! Everything about this concept lives in this folder: the validated types (below), their
//! validation (`validate`), the compiled runtime form (`compile`) and the step the engine calls
//! (`step`).

pub mod compile;
pub mod validate;

// ---- runtime re-exports (compile/step side) ----
pub use compile::LeadSampler;
// Validated types this concept owns, as the scenario defines them today.
pub use crate::scenario::LeadTime;

// ---- validated types (scenario side) ----
